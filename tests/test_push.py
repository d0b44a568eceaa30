"""Offers pushed to a courier's devices, for real: the server's sender posts to a push
service on loopback (tests/push_service.py), which checks the VAPID signature and
decrypts each payload with the device's own keys."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from courier.extensions import db
from courier.journal import push_send, vapid
from courier.models import PushMessage, PushStatus, PushSubscription, Run, utcnow
from tests.conftest import base_config
from tests.push_service import PushService


@pytest.fixture(scope="session")
def key_file(tmp_path_factory):
    return str(tmp_path_factory.mktemp("vapid") / "vapid_private.pem")


@pytest.fixture
def app_config(database_url, key_file):
    return base_config(database_url, PUSH_ALLOW_LOOPBACK=True, PUSH_VAPID_KEY_FILE=key_file,
                       PUSH_SUBJECT="mailto:tech@coop.example")


@pytest.fixture
def service(app):
    vapid.ensure_keys()
    svc = PushService().start()
    yield svc
    svc.stop()


@pytest.fixture
def server_key(service):
    return vapid.public_key(vapid.load())


def subscribe(actor, device):
    r = actor.post("/push/devices", json=device.subscription())
    assert r.status_code == 201, r.json
    return r.json


def assign(dispatcher, job, courier):
    r = dispatcher.post(f"/jobs/{job['id']}/assign",
                        json={"courier_id": courier.user.courier.id, "reason": "near Rita"})
    assert r.status_code == 200, r.json
    return r.json


def test_an_offer_reaches_each_device_of_its_courier_signed_and_encrypted(
        service, server_key, make_merchant, make_courier, make_job, dispatcher):
    shop, ana = make_merchant(), make_courier("Ana Lopez")
    phone, tablet = service.device(), service.device()
    subscribe(ana, phone)
    subscribe(ana, tablet)
    make_job(shop, weight_kg=3.5)
    run = dispatcher.post("/dispatch").json["runs"][0]

    assert push_send.send_due() == 2
    for device in (phone, tablet):
        [got] = service.to(device)
        assert got.vapid(server_key)["sub"] == "mailto:tech@coop.example"
        data = got.payload()
        assert {k: data[k] for k in ("kind", "run", "jobs", "kg")} == {
            "kind": "offer", "run": run["id"], "jobs": 1, "kg": 3.5}
        assert data["title"] == "Nouvelle proposition : 1 course"
        assert data["labels"]["accept"] == "Accepter"
        assert data["labels"]["gone"].startswith("Cette proposition n'est plus ouverte")
        assert data["expires_at"] == run["expires_at"].replace("Z", "+00:00")
        assert got.headers["urgency"] == "high"
        assert got.headers["topic"] == f"run-{run['id']}"
        assert 100 <= int(got.headers["ttl"]) <= 120  # what is left of the offer's 120 s
        for private in ("Ana", "Lopez", "Rita", "0600000000", "Rue X", "1 place Bellecour"):
            assert private not in str(data)  # nothing of the courier or the recipient
        assert set(data) == {"v", "kind", "run", "jobs", "km", "kg", "expires_at", "url",
                             "title", "body", "reason", "left", "labels", "lang", "quiet"}
    assert push_send.send_due() == 0  # sent once


def test_a_manual_offer_says_it_was_assigned_without_the_dispatchers_words(
        service, make_merchant, make_courier, make_job, dispatcher):
    shop, ana = make_merchant(), make_courier("Ana")
    phone = service.device()
    subscribe(ana, phone)
    assign(dispatcher, make_job(shop), ana)
    push_send.send_due()
    data = service.to(phone)[0].payload()
    assert data["kind"] == "offer" and data["reason"] == "attribuée par le dispatch"
    assert "Rita" not in str(data) and "Dana" not in str(data)


def test_an_offer_withdrawn_after_it_was_sent_closes_it_on_the_phone(
        service, make_merchant, make_courier, make_job, dispatcher):
    shop, ana, ben = make_merchant(), make_courier("Ana"), make_courier("Ben", lat=45.77)
    phone = service.device()
    subscribe(ana, phone)
    job = make_job(shop)
    run = assign(dispatcher, job, ana)
    push_send.send_due()
    r = dispatcher.post(f"/runs/{run['id']}/reassign",
                        json={"courier_id": ben.user.courier.id, "reason": "closer"})
    assert r.status_code == 200, r.json
    assert push_send.send_due() == 1
    offer, withdrawal = service.to(phone)
    data = withdrawal.payload()
    assert (data["kind"], data["run"]) == ("withdrawn", run["id"])
    assert data["title"] == "Proposition retirée"
    assert withdrawal.headers["urgency"] == "normal"
    assert withdrawal.headers["topic"] == offer.headers["topic"]  # replaces it if undelivered


def test_an_offer_withdrawn_before_it_went_is_dropped_and_nothing_is_sent(
        service, make_merchant, make_courier, make_job, dispatcher):
    shop, ana = make_merchant(), make_courier("Ana")
    phone = service.device()
    subscribe(ana, phone)
    job = make_job(shop)
    assign(dispatcher, job, ana)
    assert shop.post(f"/jobs/{job['id']}/cancel", json={"reason": "closed"}).status_code == 200
    assert push_send.send_due() == 0
    assert service.to(phone) == []
    assert db.session.scalars(select(PushMessage.status)).all() == [PushStatus.DROPPED]


def test_an_expired_offer_closes_its_notification(service, make_merchant, make_courier,
                                                 make_job, dispatcher):
    from courier.dispatch.runs import expire_offers

    shop, ana = make_merchant(), make_courier("Ana")
    phone = service.device()
    subscribe(ana, phone)
    run = assign(dispatcher, make_job(shop), ana)
    push_send.send_due()
    assert [r.id for r in expire_offers(utcnow() + timedelta(seconds=121))] == [run["id"]]
    db.session.commit()
    push_send.send_due()
    data = service.to(phone)[-1].payload()
    assert (data["kind"], data["title"]) == ("withdrawn", "Proposition expirée")


def test_declining_on_the_phone_sends_the_phone_nothing_more(
        service, make_merchant, make_courier, make_job, dispatcher):
    shop, ana = make_merchant(), make_courier("Ana")
    phone = service.device()
    subscribe(ana, phone)
    run = assign(dispatcher, make_job(shop), ana)
    push_send.send_due()
    assert ana.post(f"/runs/{run['id']}/decline", json={"reason": ""}).status_code == 200
    assert push_send.send_due() == 0
    assert len(service.to(phone)) == 1


def riding_two_jobs(service, make_merchant, make_courier, make_job, dispatcher):
    """A shop, Ana with a phone subscribed, riding the run of two of the shop's jobs she
    accepted: (shop, ana, phone, the run, the two jobs)."""
    shop, ana = make_merchant(), make_courier("Ana")
    phone = service.device()
    subscribe(ana, phone)
    jobs = make_job(shop), make_job(shop, dlat=0.004)
    run = dispatcher.post("/dispatch").json["runs"][0]
    assert len({s["job_id"] for s in run["stops"]}) == 2
    assert ana.post(f"/runs/{run['id']}/accept").status_code == 200
    return shop, ana, phone, run, jobs


def test_a_replan_of_the_run_being_ridden_is_pushed(service, make_merchant, make_courier,
                                                   make_job, dispatcher):
    shop, ana, phone, run, (first, second) = riding_two_jobs(
        service, make_merchant, make_courier, make_job, dispatcher)
    push_send.send_due()
    assert shop.post(f"/jobs/{second['id']}/cancel", json={"reason": "closed"}).status_code == 200
    push_send.send_due()
    data = service.to(phone)[-1].payload()
    assert (data["kind"], data["run"], data["jobs"]) == ("changed", run["id"], 1)
    assert service.to(phone)[-1].headers["urgency"] == "high"
    assert shop.get(f"/jobs/{first['id']}").json["status"] == "accepted"


def test_a_run_being_ridden_taken_away_by_dispatch_buzzes_the_phone(
        service, make_merchant, make_courier, make_job, dispatcher):
    shop, ana, ben = make_merchant(), make_courier("Ana"), make_courier("Ben", lat=45.77)
    phone = service.device()
    subscribe(ana, phone)
    run = assign(dispatcher, make_job(shop), ana)
    assert ana.post(f"/runs/{run['id']}/accept").status_code == 200
    push_send.send_due()
    r = dispatcher.post(f"/runs/{run['id']}/reassign",
                        json={"courier_id": ben.user.courier.id, "reason": "closer"})
    assert r.status_code == 200, r.json
    assert push_send.send_due() == 1
    taken = service.to(phone)[-1]
    data = taken.payload()
    assert (data["kind"], data["run"], data["quiet"]) == ("withdrawn", run["id"], False)
    assert data["title"] == "Votre tournée a été retirée de votre liste"
    assert taken.headers["urgency"] == "high"
    assert int(taken.headers["ttl"]) <= 3600  # PUSH_NOTICE_TTL


def test_what_the_courier_does_themselves_pushes_nothing(
        service, make_merchant, make_courier, make_job, dispatcher):
    """Their own release of a job, and their emergency stop, are on the phone in their
    hand: no device of theirs is buzzed about it."""
    shop, ana, phone, run, (first, second) = riding_two_jobs(
        service, make_merchant, make_courier, make_job, dispatcher)
    assert push_send.send_due() == 1  # the offer
    r = ana.post(f"/jobs/{second['id']}/release", json={"reason": "chain broke"})
    assert r.status_code == 200, r.json
    r = ana.post("/courier/shift", json={"online": False, "emergency": True, "reason": "fell"})
    assert r.status_code == 200, r.json
    assert shop.get(f"/jobs/{first['id']}").json["status"] == "pending"  # handed back
    assert push_send.send_due() == 0
    assert [r.payload()["kind"] for r in service.to(phone)] == ["offer"]


def test_a_5xx_is_retried_with_backoff_and_the_offer_is_sent_once(
        service, make_merchant, make_courier, make_job, dispatcher):
    shop, ana = make_merchant(), make_courier("Ana")
    phone = service.device(503, 429)
    subscribe(ana, phone)
    assign(dispatcher, make_job(shop), ana)
    now = utcnow()
    assert push_send.send_due(now) == 1
    assert push_send.send_due(now + timedelta(seconds=1)) == 0  # waits 2 s after a 503
    assert push_send.send_due(now + timedelta(seconds=3)) == 1  # 429: Retry-After 3 s
    assert push_send.send_due(now + timedelta(seconds=5)) == 0
    assert push_send.send_due(now + timedelta(seconds=7)) == 1
    assert [r.status for r in service.to(phone)] == [503, 429, 201]
    assert len({r.payload()["run"] for r in service.to(phone)}) == 1
    assert push_send.send_due(now + timedelta(seconds=60)) == 0
    msg = db.session.scalars(select(PushMessage)).one()
    assert (msg.status, msg.attempts) == (PushStatus.SENT, 3)


def test_retries_stop_when_the_offer_lapses_and_the_ttl_shrinks_with_it(
        service, make_merchant, make_courier, make_job, dispatcher):
    shop, ana = make_merchant(), make_courier("Ana")
    phone = service.device(*[503] * 20)
    subscribe(ana, phone)
    run = assign(dispatcher, make_job(shop), ana)
    expires = db.session.get(Run, run["id"]).expires_at
    at = utcnow()
    while at < expires + timedelta(seconds=5):
        push_send.send_due(at)
        at += timedelta(seconds=1)
    ttls = [int(r.headers["ttl"]) for r in service.to(phone)]
    assert len(ttls) > 3 and ttls == sorted(ttls, reverse=True) and 0 < ttls[-1] < 60
    assert db.session.scalars(select(PushMessage.status)).one() == PushStatus.DROPPED


@pytest.mark.parametrize("status", [404, 410])
def test_a_device_the_push_service_says_is_gone_is_forgotten(
        status, service, make_merchant, make_courier, make_job, dispatcher):
    shop, ana = make_merchant(), make_courier("Ana")
    gone, kept = service.device(status), service.device()
    subscribe(ana, gone)
    subscribe(ana, kept)
    assign(dispatcher, make_job(shop), ana)
    assert push_send.send_due() == 2
    assert db.session.scalars(select(PushSubscription.endpoint)).all() == [kept.endpoint]
    assert len(ana.get("/push/devices").json["devices"]) == 1


def test_an_offer_rolled_back_pushes_nothing(service, make_merchant, make_courier, make_job,
                                             dispatcher):
    from courier.dispatch.overrides import assign_job
    from courier.models import Courier, Job

    shop, ana = make_merchant(), make_courier("Ana")
    subscribe(ana, service.device())
    job = db.session.get(Job, make_job(shop)["id"])
    assign_job(dispatcher.user, job, db.session.get(Courier, ana.user.courier.id), "test")
    db.session.rollback()
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(PushMessage)) == 0


def test_a_courier_without_devices_costs_no_push(service, make_merchant, make_courier,
                                                make_job, dispatcher):
    shop, ana = make_merchant(), make_courier("Ana")
    assign(dispatcher, make_job(shop), ana)
    assert db.session.scalar(select(func.count()).select_from(PushMessage)) == 0
    assert push_send.send_due() == 0
