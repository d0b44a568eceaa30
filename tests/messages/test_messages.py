"""Messages to recipients through the worker's sender, for real: e-mails to an SMTP
server on loopback (aiosmtpd), SMS to an HTTP provider on loopback; once each, retried
after a failure that sent nothing, in the recipient's language, rate-limited, and never
to an address that opted out by its signed link."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from courier.extensions import db
from courier.messages import send
from courier.models import Event, RecipientMessage, utcnow
from tests.conftest import base_config, job_body
from tests.messages.conftest import SMS_PORT, SMTP_PORT, Inbox


@pytest.fixture
def app_config(database_url):
    return base_config(database_url, MAIL_SERVER="127.0.0.1", MAIL_PORT=SMTP_PORT,
                       MAIL_FROM="deliveries@coop.example", PUBLIC_URL="https://coop.example",
                       SMS_PROVIDER="http", SMS_HTTP_URL=f"http://127.0.0.1:{SMS_PORT}/sms",
                       SMS_HTTP_TOKEN="sms-token", MESSAGE_BACKOFF_S=30)


class Provider(BaseHTTPRequestHandler):
    answers: list[int] = []
    received: list[tuple[dict, dict]] = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Provider.received.append((dict(self.headers), body))
        code = Provider.answers.pop(0) if Provider.answers else 200
        self.send_response(code)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def provider():
    Provider.answers, Provider.received = [], []
    server = ThreadingHTTPServer(("127.0.0.1", SMS_PORT), Provider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Provider
    server.shutdown()
    server.server_close()


@pytest.fixture
def world(make_merchant, make_courier, dispatcher):
    shop, courier = make_merchant("Bakery Rose"), make_courier("Xena Rider")
    r = shop._call("put", "/shop/messages",
                   json={"kinds": ["on_the_way", "delivered", "failed"]})
    assert r.status_code == 200, r.json
    return shop, courier, dispatcher


def _ride(world, recipient, *, outcome=None):
    shop, courier, dispatcher = world
    job = shop.post("/jobs", json=job_body(recipient=recipient)).json
    run = dispatcher.post(f"/jobs/{job['id']}/assign",
                          json={"courier_id": courier.user.courier.id, "reason": "test"}).json
    assert courier.post(f"/runs/{run['id']}/accept").status_code == 200
    assert courier.post(f"/jobs/{job['id']}/picked-up").status_code == 200
    if outcome == "delivered":
        assert courier.post(f"/jobs/{job['id']}/delivered").status_code == 200
    elif outcome == "failed":
        assert courier.post(f"/jobs/{job['id']}/failed",
                            json={"reason": "nobody at home"}).status_code == 200
    return job


def _messages(job_id):
    return db.session.scalars(select(RecipientMessage).where(
        RecipientMessage.job_id == job_id).order_by(RecipientMessage.id)).all()


def test_on_the_way_and_delivered_go_once_by_email_in_english(world, inbox):
    job = _ride(world, {"name": "Rita", "email": "rita@example.org", "language": "en"})
    assert send.send_due() == 1
    mail = inbox.mails[-1]
    assert mail["Subject"] == "Your parcel from Bakery Rose is on its way"
    assert "Xena has picked up your parcel" in mail.get_content()
    assert "Expected arrival: about" in mail.get_content()
    assert mail["List-Unsubscribe"].startswith("<https://coop.example/m/stop/")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    world[1].post(f"/jobs/{job['id']}/delivered")
    assert send.send_due() == 1
    assert send.send_due() == 0  # never twice
    assert [m["Subject"] for m in inbox.mails] == [
        "Your parcel from Bakery Rose is on its way", "Your parcel from Bakery Rose was delivered"]
    sent = db.session.scalars(select(Event.data).where(
        Event.job_id == job["id"], Event.action == "message_sent")).all()
    assert [(d["kind"], d["channel"]) for d in sent] == [("on_the_way", "email"),
                                                          ("delivered", "email")]
    listed = world[0].get(f"/jobs/{job['id']}/messages").json["messages"]
    assert [m["status"] for m in listed] == ["sent", "sent"] and "to" not in listed[0]


def test_a_failed_delivery_says_why_and_what_happens_next_in_french(world, inbox):
    _ride(world, {"email": "rita@example.org", "language": "fr"}, outcome="failed")
    send.send_due()
    mail = inbox.mails[-1]
    assert mail["Subject"] == "Nous n’avons pas pu livrer votre colis de Bakery Rose"
    assert "nobody at home" in mail.get_content()
    assert "retourne chez Bakery Rose" in mail.get_content()


def test_news_out_of_date_is_not_sent(world, inbox):
    _ride(world, {"email": "rita@example.org"}, outcome="delivered")
    assert send.send_due() == 1  # "delivered"; "on the way" is dropped
    statuses = sorted(m.status.value for m in _messages(db.session.scalar(
        select(RecipientMessage.job_id))))
    assert statuses == ["dropped", "sent"]


def test_a_mail_server_down_is_tried_again_later_and_sends_once(world, app):
    job = _ride(world, {"email": "rita@example.org"})
    assert send.send_due() == 1  # nothing listens: tried, not sent
    m = _messages(job["id"])[0]
    assert (m.status.value, m.attempts) == ("pending", 1) and m.next_attempt_at > utcnow()
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    try:
        assert send.send_due() == 0  # not yet due
        assert send.send_due(now=utcnow() + timedelta(minutes=1)) == 1
        assert send.send_due(now=utcnow() + timedelta(hours=1)) == 0
    finally:
        controller.stop()
    assert len(box.mails) == 1
    db.session.refresh(m)
    assert (m.status.value, m.attempts) == ("sent", 2)


def test_the_http_sms_provider_is_retried_after_a_503_with_the_same_key(world, provider):
    provider.answers = [503]
    job = _ride(world, {"phone": "06 12 34 56 78", "language": "en"})
    send.send_due()
    send.send_due(now=utcnow() + timedelta(minutes=1))
    (h1, b1), (h2, b2) = provider.received
    assert h1["Authorization"] == "Bearer sms-token"
    assert h1["Idempotency-Key"] == h2["Idempotency-Key"]
    assert b1["to"] == "06 12 34 56 78" and "is on the way" in b1["text"]
    assert "No more messages: https://coop.example/m/stop/" in b1["text"]
    assert [m.status.value for m in _messages(job["id"])] == ["sent"]


def test_at_most_the_coops_number_of_messages_per_recipient_in_an_hour(world, inbox, make_user):
    council = make_user("council")
    assert council._call("put", "/message-settings", json={"per_hour": 1}).status_code == 200
    first = _ride(world, {"email": "Rita@Example.org"})
    second = _ride(world, {"email": "rita@example.org"})
    send.send_due()
    assert len(inbox.mails) == 1
    assert _messages(first["id"])[0].status.value == "sent"
    assert _messages(second["id"])[0].status.value == "limited"
    assert db.session.scalar(select(Event.id).where(
        Event.job_id == second["id"], Event.action == "message_limited")) is not None


def test_a_recipient_opts_out_by_the_signed_link_and_gets_nothing_more(world, inbox, client):
    _ride(world, {"email": "rita@example.org", "language": "fr"})
    send.send_due()
    link = inbox.mails[-1]["List-Unsubscribe"].strip("<>").removeprefix("https://coop.example")
    page = client.get(link)
    assert page.status_code == 200 and "Arrêter ces messages" in page.text
    done = client.post(link, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "Receive them again" not in done.text
    job = _ride(world, {"email": "RITA@example.org"}, outcome="delivered")
    assert _messages(job["id"]) == []  # nothing written for an address that opted out
    assert client.get(link[:-3] + "xyz").status_code == 404


def test_a_shop_that_chose_no_message_sends_none(world, inbox):
    world[0]._call("put", "/shop/messages", json={"kinds": []})
    job = _ride(world, {"email": "rita@example.org"}, outcome="delivered")
    assert _messages(job["id"]) == []
    bad = world[0]._call("put", "/shop/messages", json={"kinds": ["sometimes"]})
    assert bad.status_code == 422 and "kinds" in str(bad.json["fields"])


def test_a_bad_recipient_email_or_language_is_refused_naming_the_field(world):
    shop = world[0]
    r = shop.post("/jobs", json=job_body(recipient={"email": "not-an-address"}))
    assert r.status_code == 422 and "recipient.email" in r.json["fields"]
    r = shop.post("/jobs", json=job_body(recipient={"language": "de"}))
    assert r.status_code == 422 and "recipient.language" in r.json["fields"]


def test_the_recipients_address_and_words_go_with_their_data(world, inbox, make_user):
    from courier.dispatch import retention
    from courier.models import Job

    job = _ride(world, {"email": "rita@example.org"}, outcome="delivered")
    send.send_due()
    retention.redact(db.session.get(Job, job["id"]), None, "request")
    db.session.commit()
    kept = [(m.to, m.body, m.status.value) for m in _messages(job["id"])]
    assert kept == [(None, None, "dropped"), (None, None, "sent")]


def test_a_recipient_asked_for_a_code_at_the_door_is_told_it_on_the_way(world, inbox):
    shop = world[0]
    r = shop._call("put", "/shop/proof-policy", json={"required": "code", "on_failure": False})
    assert r.status_code == 200, r.json
    job = _ride(world, {"name": "Rita", "email": "rita@example.org", "language": "fr"})
    assert send.send_due() == 1
    code = shop.get(f"/jobs/{job['id']}/proof").json["code"]
    assert len(code) == 6
    assert f"À la porte, donnez ce code au coursier : {code}" in inbox.mails[-1].get_content()
    r = world[1].post(f"/jobs/{job['id']}/delivered", json={"code": code})
    assert r.status_code == 200, r.json  # the code the recipient was told is the one asked
