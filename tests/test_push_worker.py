"""Pushes leave from the process that runs dispatch, by themselves: `courier worker`
sends what another process wrote down, and a commit that wrote a push wakes the sender
at once (not at its next look)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

import pytest
from sqlalchemy import select

from courier.extensions import db
from courier.journal import push_send, vapid
from courier.models import PushMessage, PushStatus
from tests.concurrency import at_once
from tests.conftest import base_config
from tests.push_service import PushService


@pytest.fixture(scope="session")
def key_file(tmp_path_factory):
    return str(tmp_path_factory.mktemp("vapid") / "vapid_private.pem")


@pytest.fixture
def app_config(database_url, key_file):
    return base_config(database_url, PUSH_ALLOW_LOOPBACK=True, PUSH_VAPID_KEY_FILE=key_file,
                       PUSH_POLL_S=3600)


@pytest.fixture
def service(app):
    vapid.ensure_keys()
    svc = PushService().start()
    yield svc
    svc.stop()


def received(service, device, timeout=30.0):
    """What reached ``device``, once something did (or the time ran out)."""
    deadline = time.monotonic() + timeout
    while not service.to(device) and time.monotonic() < deadline:
        time.sleep(0.05)
    return service.to(device)


def test_the_worker_pushes_an_offer_it_makes_to_the_couriers_phone(
        database_url, key_file, service, make_merchant, make_courier, make_job):
    shop, ana = make_merchant(), make_courier("Ana")
    phone = service.device()
    assert ana.post("/push/devices", json=phone.subscription()).status_code == 201
    job = make_job(shop)
    env = {**os.environ, "COURIER_DATABASE_URL": database_url,
           "COURIER_DISPATCH_INTERVAL": "1", "COURIER_DISPATCH_HOLD_S": "0",
           "COURIER_DISPATCH_AHEAD_S": "0", "COURIER_PUSH_VAPID_KEY_FILE": key_file,
           "COURIER_PUSH_ALLOW_LOOPBACK": "true", "COURIER_PUSH_POLL_S": "0.2",
           "COURIER_PUSH_SUBJECT": "mailto:tech@coop.example"}
    with tempfile.TemporaryFile(mode="w+") as log:
        worker = subprocess.Popen([sys.executable, "-m", "courier", "worker"], env=env,
                                  stdout=log, stderr=subprocess.STDOUT, text=True)
        try:
            got = received(service, phone, timeout=60)
        finally:
            worker.terminate()
            worker.wait(30)
            log.seek(0)
            out = log.read()
    assert len(got) == 1, out[-3000:]
    data = got[0].payload()
    assert got[0].vapid(vapid.public_key(vapid.load()))["sub"] == "mailto:tech@coop.example"
    assert data["kind"] == "offer" and data["jobs"] == 1
    assert shop.get(f"/jobs/{job['id']}").json["status"] == "offered"
    db.session.expire_all()
    assert db.session.scalars(select(PushMessage.status)).all() == [PushStatus.SENT]


def test_a_commit_that_writes_a_push_wakes_the_sender(app, service, make_merchant,
                                                      make_courier, make_job, dispatcher):
    shop, ana, ben = make_merchant(), make_courier("Ana"), make_courier("Ben", lat=45.77)
    phone = service.device()
    assert ana.post("/push/devices", json=phone.subscription()).status_code == 201
    sender = push_send.Sender(app).start()  # by itself, it looks again only in an hour
    try:
        run = dispatcher.post(f"/jobs/{make_job(shop)['id']}/assign",
                              json={"courier_id": ana.user.courier.id, "reason": "near"}).json
        assert [g.payload()["kind"] for g in received(service, phone)] == ["offer"]
        r = dispatcher.post(f"/runs/{run['id']}/reassign",
                            json={"courier_id": ben.user.courier.id, "reason": "closer"})
        assert r.status_code == 200, r.json
        deadline = time.monotonic() + 30
        while len(service.to(phone)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        sender.stop()
    assert [g.payload()["kind"] for g in service.to(phone)] == ["offer", "withdrawn"]


def test_senders_side_by_side_send_a_message_once(app, service, make_merchant, make_courier,
                                                 make_job, dispatcher):
    """Two workers (or a worker restarted while the old one still runs) look at once: the
    claim is a compare-and-set, so one of them sends it."""
    shop, ana = make_merchant(), make_courier("Ana")
    phones = [service.device() for _ in range(3)]
    for p in phones:
        assert ana.post("/push/devices", json=p.subscription()).status_code == 201
    r = dispatcher.post(f"/jobs/{make_job(shop)['id']}/assign",
                        json={"courier_id": ana.user.courier.id, "reason": "near"})
    assert r.status_code == 200, r.json
    counts = at_once(app, push_send.send_due, threads=4)
    assert sum(counts) == 3 and len(counts) == 4
    assert [len(service.to(p)) for p in phones] == [1, 1, 1]


def test_what_a_phone_was_sent_is_forgotten_after_two_days(service, make_merchant,
                                                         make_courier, make_job, dispatcher):
    from datetime import timedelta

    from courier.models import utcnow

    shop, ana, ben = make_merchant(), make_courier("Ana"), make_courier("Ben", lat=45.77)
    for courier in (ana, ben):
        assert courier.post("/push/devices", json=service.device().subscription()).status_code \
            == 201
    dispatcher.post(f"/jobs/{make_job(shop)['id']}/assign",
                    json={"courier_id": ana.user.courier.id, "reason": "near"})
    assert push_send.send_due() == 1  # sent
    dispatcher.post(f"/jobs/{make_job(shop)['id']}/assign",  # never sent (no worker then)
                    json={"courier_id": ben.user.courier.id, "reason": "near"})
    statuses = db.session.scalars(select(PushMessage.status).order_by(PushMessage.id)).all()
    assert statuses == [PushStatus.SENT, PushStatus.PENDING]
    assert push_send.prune(utcnow() + timedelta(days=1)) == 0  # kept a while
    assert push_send.prune(utcnow() + timedelta(days=2, minutes=5)) == 2
    assert db.session.scalars(select(PushMessage.id)).all() == []
    assert len(ana.get("/push/devices").json["devices"]) == 1  # the devices stay
