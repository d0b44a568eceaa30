"""Webhooks: signed (Standard Webhooks), written with the change they report,
sent later by the background sender, retried with backoff, logged, replayable."""

import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from courier.extensions import db
from courier.models import DeliveryStatus, WebhookDelivery, utcnow
from courier.shops import webhooks
from courier.shops.sender import Sender, send_due
from tests.conftest import job_body
from tests.shops.http import LocalServer


class Receiver(LocalServer):
    """A shop's endpoint answering the queued status codes, then 200."""

    def __init__(self, *codes):
        self.codes = list(codes)
        super().__init__(lambda req: (self.codes.pop(0) if self.codes else 200, {"ok": True}))


@pytest.fixture
def receiver():
    with Receiver() as srv:
        yield srv


def register(shop, url, **kw):
    r = shop.post("/webhooks", json={"url": url, **kw})
    assert r.status_code == 201, r.json
    return r.json


def test_signature_matches_the_standard_webhooks_test_vector():
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    sig = webhooks.sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, '{"test": 2432232314}')
    assert sig == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_receiver_refuses_a_replayed_old_or_tampered_message():
    secret = webhooks.new_secret()
    now = datetime.now(UTC)
    body = '{"type":"job.created"}'
    headers = {"webhook-id": "msg_1", "webhook-timestamp": str(int(now.timestamp())),
               "webhook-signature": webhooks.sign(secret, "msg_1", int(now.timestamp()), body)}
    assert webhooks.verify(secret, headers, body, now=now)
    assert not webhooks.verify(secret, headers, body, now=now + timedelta(minutes=10))
    assert not webhooks.verify(secret, headers, body.replace("created", "delivered"), now=now)
    assert not webhooks.verify(webhooks.new_secret(), headers, body, now=now)


def test_job_events_reach_the_shop_signed_and_only_after_the_request(make_merchant, receiver):
    shop = make_merchant()
    endpoint = register(shop, receiver.url + "/hooks")
    assert endpoint["secret"].startswith("whsec_")
    job = shop.post("/jobs", json=job_body()).json
    assert receiver.requests == []  # the request never sends: the sender does, later
    assert send_due() == 1
    (req,) = receiver.requests
    assert req.path == "/hooks" and webhooks.verify(endpoint["secret"], req.headers, req.body)
    body = json.loads(req.body)
    assert body["type"] == "job.created" and req.headers["courier-event"] == "job.created"
    assert body["data"]["job"]["id"] == job["id"]
    assert body["data"]["event"]["to_status"] == "pending"
    shop.post(f"/jobs/{job['id']}/cancel", json={"reason": "customer left"})
    send_due()
    last = json.loads(receiver.requests[-1].body)
    assert last["type"] == "job.cancelled" and last["data"]["event"]["reason"] == "customer left"
    assert last["data"]["job"]["status"] == "cancelled"


def test_endpoint_gets_only_its_events_and_only_its_shops(make_merchant, receiver):
    a, b = make_merchant(), make_merchant()
    register(a, receiver.url, events=["job.cancelled"])
    job = a.post("/jobs", json=job_body()).json
    b.post("/jobs", json=job_body())
    assert db.session.query(WebhookDelivery).count() == 0
    a.post(f"/jobs/{job['id']}/cancel")
    assert [d.event_type for d in db.session.query(WebhookDelivery)] == ["job.cancelled"]


def test_dispatch_events_are_queued_in_the_cycles_transaction(make_merchant, make_courier,
                                                              dispatcher, receiver):
    shop = make_merchant()
    register(shop, receiver.url)
    make_courier()
    job = shop.post("/jobs", json=job_body()).json
    dispatcher.post("/dispatch")
    types = [d.event_type for d in db.session.query(WebhookDelivery).order_by(WebhookDelivery.id)]
    assert types == ["job.created", "job.offered"]
    send_due()
    bodies = {json.loads(r.body)["type"]: json.loads(r.body) for r in receiver.requests}
    offered = bodies["job.offered"]
    assert offered["data"]["job"]["id"] == job["id"]
    assert offered["data"]["job"]["courier"]["first_name"] == "Courier"


def test_a_change_that_rolls_back_sends_nothing(make_merchant, receiver, dispatcher):
    shop = make_merchant()
    register(shop, receiver.url)
    dispatcher.post("/zones", json={"name": "Tiny", "geometry": {"type": "Polygon", "coordinates": [
        [[4.835, 45.763], [4.837, 45.763], [4.837, 45.765], [4.835, 45.765], [4.835, 45.763]]]}})
    assert shop.post("/jobs", json=job_body()).status_code == 422  # dropoff outside
    assert db.session.query(WebhookDelivery).count() == 0


def test_failing_endpoint_is_retried_with_backoff_until_it_recovers(make_merchant):
    shop = make_merchant()
    with Receiver(500, 503) as receiver:
        register(shop, receiver.url)
        shop.post("/jobs", json=job_body())
        t0 = utcnow()
        send_due(now=t0)
        (d,) = db.session.query(WebhookDelivery).all()
        assert (d.status, d.attempts, d.last_status_code) == (DeliveryStatus.PENDING, 1, 500)
        assert timedelta(seconds=30) <= d.next_attempt_at - t0 <= timedelta(seconds=33)
        assert send_due(now=t0 + timedelta(seconds=20)) == 0  # not due yet
        send_due(now=t0 + timedelta(seconds=40))
        db.session.refresh(d)
        assert timedelta(seconds=60) <= d.next_attempt_at - (t0 + timedelta(seconds=40)) \
            <= timedelta(seconds=66)
        send_due(now=t0 + timedelta(minutes=5))
        db.session.refresh(d)
        assert d.status == DeliveryStatus.DELIVERED and d.attempts == 3
        assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1
    log = shop.get(f"/webhooks/deliveries/{d.id}").json
    assert [a["status_code"] for a in log["log"]] == [500, 503, 200]
    assert log["status"] == "delivered" and json.loads(log["payload"])["type"] == "job.created"


def test_given_up_delivery_can_be_replayed_from_the_log(app, make_merchant):
    app.config["WEBHOOK_MAX_ATTEMPTS"] = 2
    shop = make_merchant()
    with Receiver(500, 500) as receiver:
        ep = register(shop, receiver.url)
        shop.post("/jobs", json=job_body())
        t0 = utcnow()
        send_due(now=t0)
        send_due(now=t0 + timedelta(minutes=2))
        failed = shop.get(f"/webhooks/{ep['id']}/deliveries?status=failed").json["deliveries"]
        assert len(failed) == 1 and failed[0]["last_status_code"] == 500
        r = shop.post(f"/webhooks/deliveries/{failed[0]['id']}/replay")
        assert r.status_code == 202 and r.json["replay_of"] == failed[0]["id"]
        send_due()
        first, second, third = receiver.requests
        assert third.body == first.body
        assert third.headers["webhook-id"] == first.headers["webhook-id"]
        assert webhooks.verify(ep["secret"], third.headers, third.body)
    assert shop.get(f"/webhooks/deliveries/{r.json['id']}").json["status"] == "delivered"


def test_an_endpoint_that_does_not_answer_is_a_logged_failure(app, make_merchant):
    app.config["WEBHOOK_TIMEOUT"] = 0.2
    shop = make_merchant()
    with LocalServer(lambda req: (time.sleep(0.6), (200, {}))[1]) as slow:
        register(shop, slow.url)
        shop.post("/jobs", json=job_body())
        send_due()
    (d,) = db.session.query(WebhookDelivery).all()
    assert d.status == DeliveryStatus.PENDING and d.last_status_code is None
    assert "Timeout" in d.last_error


def test_background_sender_delivers_without_being_asked(app, make_merchant, receiver):
    shop = make_merchant()
    register(shop, receiver.url)
    sender = Sender(app).start()
    try:
        shop.post("/jobs", json=job_body())
        deadline = time.monotonic() + 10
        while not receiver.requests and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        sender.stop()
    assert len(receiver.requests) == 1
    db.session.expire_all()
    assert db.session.query(WebhookDelivery).one().status == DeliveryStatus.DELIVERED


def test_rotated_secret_signs_alongside_the_old_one_for_a_day(make_merchant, receiver):
    shop = make_merchant()
    ep = register(shop, receiver.url)
    new = shop.post(f"/webhooks/{ep['id']}/rotate-secret").json["secret"]
    assert new != ep["secret"]
    assert shop.get("/webhooks").json["webhooks"][0]["secret_hint"] == "…" + new[-4:]
    assert "secret" not in shop.get("/webhooks").json["webhooks"][0]
    shop.post(f"/webhooks/{ep['id']}/test")
    send_due()
    (req,) = receiver.requests
    assert json.loads(req.body)["type"] == "webhook.test"
    assert webhooks.verify(new, req.headers, req.body)
    assert webhooks.verify(ep["secret"], req.headers, req.body)


@pytest.mark.parametrize("url, words", [
    ("ftp://example.org/hook", "http or https"),
    ("http://user:pw@example.org/hook", "credentials"),
    ("http://127.0.0.1:9/hook", "private"),
])
def test_bad_urls_are_refused(app, make_merchant, url, words):
    app.config["WEBHOOK_ALLOW_PRIVATE_URLS"] = False
    r = make_merchant().post("/webhooks", json={"url": url})
    assert r.status_code == 422 and words in r.json["fields"]["url"]


def test_unknown_event_is_refused_and_other_shops_endpoints_are_out_of_reach(make_merchant,
                                                                           receiver):
    a, b = make_merchant(), make_merchant()
    r = a.post("/webhooks", json={"url": receiver.url, "events": ["job.teleported"]})
    assert r.status_code == 422 and "events" in r.json["fields"]
    ep = register(a, receiver.url)
    assert b.get(f"/webhooks/{ep['id']}").status_code == 403
    assert b.post(f"/webhooks/{ep['id']}/rotate-secret").status_code == 403
    assert b._call("delete", f"/webhooks/{ep['id']}").status_code == 403
    assert a._call("delete", f"/webhooks/{ep['id']}").status_code == 204


def test_the_shop_hears_every_step_of_a_delivery_and_of_a_failure_until_the_return(
        make_merchant, make_courier, dispatcher, receiver):
    shop = make_merchant()
    ep = register(shop, receiver.url)
    ana = make_courier("Ana")
    done = shop.post("/jobs", json=job_body()).json
    lost = shop.post("/jobs", json=job_body(dlat=0.012)).json
    (run,) = dispatcher.post("/dispatch").json["runs"]
    ana.post(f"/runs/{run['id']}/accept")
    for job in (done, lost):
        ana.post(f"/jobs/{job['id']}/picked-up")
    ana.post(f"/jobs/{done['id']}/delivered")
    ana.post(f"/jobs/{lost['id']}/failed", json={"reason": "nobody home"})
    ana.post(f"/jobs/{lost['id']}/returned")  # the parcel back at the shop
    while send_due():
        pass
    heard: dict[int, list[str]] = {}
    for req in sorted(receiver.requests, key=lambda r: json.loads(r.body)["data"]["event"]["id"]):
        assert webhooks.verify(ep["secret"], req.headers, req.body)
        body = json.loads(req.body)
        heard.setdefault(body["data"]["job"]["id"], []).append(body["type"])
    steps = ["job.created", "job.offered", "job.accepted", "job.picked_up"]
    assert heard == {done["id"]: [*steps, "job.delivered"],
                     lost["id"]: [*steps, "job.failed", "job.returned"]}
