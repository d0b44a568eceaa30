"""Messages to recipients beyond the first news: "arriving soon" written by the worker's
loop when the courier is minutes away, "delivered" with a link to the proof (gone with
the recipient's data), the console SMS provider of a fresh install, and the worker's own
sender thread handing e-mails to a local SMTP server as soon as a delivery commits."""

from __future__ import annotations

import io
import logging
import re
import time
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from courier.dispatch import retention
from courier.extensions import db
from courier.messages import send, soon
from courier.models import Job, RecipientMessage, RunStop, StopKind, utcnow
from tests.concurrency import at_once
from tests.conftest import base_config, job_body
from tests.messages.conftest import SMTP_PORT
from tests.proofs.conftest import jpeg
from tests.proofs.test_proofs_api import form


@pytest.fixture
def app_config(database_url, tmp_path_factory):
    return base_config(database_url, MAIL_SERVER="127.0.0.1", MAIL_PORT=SMTP_PORT,
                       MAIL_FROM="deliveries@coop.example", PUBLIC_URL="https://coop.example",
                       PROOF_DIR=str(tmp_path_factory.mktemp("proofs")))


@pytest.fixture
def ride(make_merchant, make_courier, dispatcher):
    """``ride(kinds, recipient, proof=None)``: a shop sending ``kinds`` of message, its
    job picked up by Xena; returns (shop, courier, job id)."""
    def make(kinds, recipient, proof=None):
        shop, courier = make_merchant("Bakery Rose"), make_courier("Xena Rider")
        assert shop._call("put", "/shop/messages", json={"kinds": kinds}).status_code == 200
        if proof:
            r = shop._call("put", "/shop/proof-policy", json={"required": proof})
            assert r.status_code == 200, r.json
        job = shop.post("/jobs", json=job_body(recipient=recipient)).json
        run = dispatcher.post(f"/jobs/{job['id']}/assign",
                              json={"courier_id": courier.user.courier.id,
                                    "reason": "test"}).json
        assert courier.post(f"/runs/{run['id']}/accept").status_code == 200
        assert courier.post(f"/jobs/{job['id']}/picked-up").status_code == 200
        return shop, courier, job["id"]
    return make


def _expected(job_id):
    stop = db.session.scalars(select(RunStop).where(RunStop.job_id == job_id,
                                                    RunStop.kind == StopKind.DROPOFF)).one()
    return stop.eta or stop.planned_arrival


def _messages(job_id):
    return db.session.scalars(select(RecipientMessage).where(
        RecipientMessage.job_id == job_id).order_by(RecipientMessage.id)).all()


def test_arriving_soon_is_written_once_when_the_courier_is_minutes_away(ride, inbox):
    shop, courier, job_id = ride(["arriving"], {"email": "rita@example.org",
                                                "language": "en"})
    arrival = _expected(job_id)
    assert soon.tick(now=arrival - timedelta(minutes=30)) == 0  # not yet
    assert _messages(job_id) == []
    assert soon.tick(now=arrival - timedelta(minutes=5)) == 1
    db.session.commit()
    assert soon.tick(now=arrival - timedelta(minutes=4)) == 0  # once
    assert send.send_due(now=arrival - timedelta(minutes=5)) == 1
    (mail,) = inbox.mails
    assert mail["Subject"] == "Your courier arrives in a few minutes"
    assert ("Xena will be at your door in about 5 minutes with your parcel from Bakery Rose"
            in mail.get_content())


def test_arriving_soon_is_not_written_for_a_shop_that_did_not_choose_it(ride, inbox):
    shop, courier, job_id = ride(["on_the_way"], {"email": "rita@example.org"})
    assert soon.tick(now=_expected(job_id)) == 0
    assert [m.kind for m in _messages(job_id)] == ["on_the_way"]


def test_the_delivered_message_links_to_the_proof_until_the_data_is_erased(ride, inbox,
                                                                           client):
    shop, courier, job_id = ride(["delivered"], {"email": "rita@example.org",
                                                 "language": "en"}, proof="photo")
    r = courier.post(f"/jobs/{job_id}/delivered", **form(photo=jpeg()))
    assert r.status_code == 200, r.json
    assert send.send_due() == 1
    (mail,) = inbox.mails
    assert mail["Subject"] == "Your parcel from Bakery Rose was delivered"
    link = re.search(r"Proof of delivery: https://coop\.example(/m/proof/\S+)",
                     mail.get_content()).group(1)
    photo = client.get(link)  # no login: the signed link is the permission
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert Image.open(io.BytesIO(photo.data)).format == "JPEG"
    assert client.get(link[:-4] + "abcd").status_code == 404  # not a link of ours
    retention.redact(db.session.get(Job, job_id), None, "request")
    db.session.commit()
    assert client.get(link).status_code == 410  # gone with the recipient's data


def test_a_fresh_install_writes_sms_to_the_log(ride, caplog):
    shop, courier, job_id = ride(["on_the_way"], {"phone": "06 12 34 56 78",
                                                  "language": "fr"})
    with caplog.at_level(logging.INFO, logger="courier.messages.channels"):
        assert send.send_due() == 1
    (line,) = [r.getMessage() for r in caplog.records if r.getMessage().startswith("SMS to")]
    assert "est en route" in line and "06 12 34 56 78" not in line  # the number masked
    assert [m.status.value for m in _messages(job_id)] == ["sent"]


def test_the_workers_sender_mails_a_delivery_once_it_is_committed(app, ride, inbox):
    shop, courier, job_id = ride(["delivered"], {"email": "rita@example.org",
                                                 "language": "en"})
    app.config["MESSAGE_POLL_S"] = 3600  # only the commit's wake-up can send it now
    sender = send.Sender(app).start()
    try:
        assert courier.post(f"/jobs/{job_id}/delivered").status_code == 200
        for _ in range(300):  # until the mail is in (the sender runs on its own thread)
            if inbox.mails:
                break
            time.sleep(0.1)
    finally:
        sender.stop()
    assert [m["Subject"] for m in inbox.mails] == ["Your parcel from Bakery Rose was delivered"]
    db.session.expire_all()
    assert [m.status.value for m in _messages(job_id)] == ["sent"]


def test_a_sender_that_died_mid_send_never_sends_it_again(ride, inbox):
    shop, courier, job_id = ride(["on_the_way"], {"email": "rita@example.org"})
    (claimed,) = send._claim(utcnow(), 10)  # claimed and committed, then the process dies
    assert claimed.to == "rita@example.org"
    assert send.send_due(now=utcnow() + timedelta(hours=2)) == 0
    assert inbox.mails == []  # perhaps sent before it died: never twice
    assert [m.status.value for m in _messages(job_id)] == ["sending"]


def test_two_senders_at_once_send_each_message_once(app, ride, inbox):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrent claims are checked on PostgreSQL")
    jobs = [ride(["on_the_way"], {"email": f"r{i}@example.org"})[2] for i in range(3)]
    counts = at_once(app, send.send_due)
    assert sum(counts) == 3
    assert sorted(m["To"] for m in inbox.mails) == [f"r{i}@example.org" for i in range(3)]
    db.session.expire_all()
    assert all([m.status.value for m in _messages(j)] == ["sent"] for j in jobs)


def test_the_shops_own_code_is_the_one_the_recipient_is_told(ride, inbox):
    shop, courier, job_id = ride(["on_the_way"], {"email": "rita@example.org", "language": "en",
                                                  "code": "7351"}, proof="code")
    assert send.send_due() == 1
    assert "At the door, give the courier this code: 7351" in inbox.mails[-1].get_content()
    assert courier.post(f"/jobs/{job_id}/delivered", json={"code": "7351"}).status_code == 200
