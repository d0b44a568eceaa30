"""Recipients' personal data is kept only as long as the council says: the worker
erases it from every job that ended longer ago (name, phone, address, notes, proof
files, tracking link, webhook copies), keeping times, distance and a position rounded
to about 100 m; a recipient's request to see or erase their data is served with an
audit entry."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from courier.dispatch import retention, scheduler
from courier.extensions import db
from courier.models import Event, Job, Proof, Redaction, WebhookDelivery, WebhookEndpoint, utcnow
from tests.proofs.conftest import jpeg
from tests.proofs.test_proofs_api import deliver


def _ended_days_ago(job_id: int, days: int) -> None:
    job = db.session.get(Job, job_id)
    job.delivered_at = utcnow() - timedelta(days=days)
    db.session.commit()


def test_the_council_sets_the_retention_period(make_user):
    council, dispatcher = make_user("council"), make_user("dispatcher")
    assert council.get("/privacy/retention").json == {"days": 30}
    assert council._call("put", "/privacy/retention", json={"days": 90}).json == {"days": 90}
    assert dispatcher.get("/privacy/retention").json == {"days": 90}
    bad = council._call("put", "/privacy/retention", json={"days": 0})
    assert bad.status_code == 422 and "days" in bad.json["fields"]
    assert dispatcher._call("put", "/privacy/retention", json={"days": 5}).status_code == 403


def test_the_worker_erases_recipients_after_the_period_keeping_the_figures(
        app, carried, proof_dir):
    shop, ana, job_id = carried("photo")
    hook = WebhookEndpoint(merchant_id=shop.user.merchant.id, url="https://hooks.example.org/x",
                           events=["job.delivered"], secret="whsec_retention")
    db.session.add(hook)
    db.session.commit()
    assert deliver(ana, job_id, photo=jpeg()).status_code == 200
    assert db.session.scalars(select(WebhookDelivery)).all()  # a copy of the recipient
    before = db.session.get(Job, job_id)
    lat, price = before.dropoff_lat, before.price_cents
    files = [proof_dir / p.key for p in db.session.scalars(select(Proof))]
    assert files and all(f.exists() for f in files)

    _ended_days_ago(job_id, 29)
    assert retention.sweep() == 0  # not yet
    _ended_days_ago(job_id, 31)
    assert retention.sweep() == 1
    db.session.commit()
    assert retention.sweep() == 0  # once

    job = db.session.get(Job, job_id)
    assert (job.recipient_name, job.recipient_phone, job.notes, job.dropoff_address) == (
        "", "", "", "")
    assert job.tracking_token is None and job.price_cents == price
    assert job.dropoff_lat == round(lat, 3) and job.delivered_at is not None
    assert not any(f.exists() for f in files)
    assert all(p.key is None and p.removed_at for p in db.session.scalars(select(Proof)))
    for delivery in db.session.scalars(select(WebhookDelivery)):
        assert "Rita" not in delivery.payload and "0600000000" not in delivery.payload
    proof = shop.get(f"/jobs/{job_id}/proof").json
    assert proof["code"] is None and proof["proofs"][0]["removed"] is True
    (ev,) = db.session.scalars(select(Event).where(Event.action == "redacted")).all()
    assert ev.job_id == job_id and ev.actor_id is None and ev.data["reason"] == "retention"


def test_a_shorter_period_applies_to_jobs_already_ended(carried, make_user):
    council = make_user("council")
    shop, ana, job_id = carried()
    assert ana.post(f"/jobs/{job_id}/delivered").status_code == 200
    _ended_days_ago(job_id, 3)
    assert retention.sweep() == 0
    council._call("put", "/privacy/retention", json={"days": 2})
    assert retention.sweep() == 1


def test_the_dispatch_worker_runs_the_sweep(app, carried):
    shop, ana, job_id = carried()
    assert ana.post(f"/jobs/{job_id}/delivered").status_code == 200
    _ended_days_ago(job_id, 40)
    retention._sweeps.reset()
    scheduler.tick(app, last_cycle=0.0)
    assert db.session.get(Redaction, job_id).reason == "retention"


def test_open_jobs_are_never_erased_by_the_worker(carried):
    shop, ana, job_id = carried()
    job = db.session.get(Job, job_id)
    job.updated_at = utcnow() - timedelta(days=100)
    db.session.commit()
    assert retention.sweep() == 0


def test_a_recipient_sees_their_data_by_phone_with_an_audit_entry(carried, make_user):
    council = make_user("council", "Carla Council")
    shop, ana, job_id = carried()
    r = council.post("/privacy/requests", json={"action": "see", "phone": "+33 6 00 00 00 00"})
    assert r.status_code == 200
    (kept,) = r.json["jobs"]
    assert kept["job_id"] == job_id and kept["recipient_name"] == "Rita"
    (ev,) = db.session.scalars(select(Event).where(Event.action == "data_shown")).all()
    assert ev.actor_id == council.id and ev.data == {"by": "phone", "jobs": [job_id]}
    assert "0600000000" not in str(ev.data) and "0600000000" not in ev.reason


def test_a_recipient_is_erased_on_request_once_their_delivery_ended(carried, make_user):
    council = make_user("council")
    shop, ana, job_id = carried()
    r = council.post("/privacy/requests", json={"action": "erase", "phone": "06 00 00 00 00"})
    assert r.json == {"action": "erase", "erased": [], "open": [job_id]}  # still on the bike
    assert ana.post(f"/jobs/{job_id}/delivered").status_code == 200
    r = council.post("/privacy/requests", json={"action": "erase", "phone": "06 00 00 00 00"})
    assert r.json["erased"] == [job_id]
    assert db.session.get(Job, job_id).recipient_name == ""
    assert db.session.get(Redaction, job_id).reason == "request"
    again = council.post("/privacy/requests", json={"action": "see", "phone": "0600000000"})
    assert again.json["jobs"] == []


def test_a_data_request_needs_a_phone_or_an_email(make_user):
    council = make_user("council")
    r = council.post("/privacy/requests", json={"action": "see"})
    assert r.status_code == 422 and "phone" in r.json["fields"]
    r = council.post("/privacy/requests", json={"action": "see", "phone": "12"})
    assert r.status_code == 422 and "phone" in r.json["fields"]


def _failed(carried, recipient=None, **kw):
    """A job of a shop asking a photo of a failed delivery, failed with its photo."""
    from tests.proofs.test_proofs_api import form

    shop, ana, job_id = carried("none", on_failure=True)
    if recipient:
        job = db.session.get(Job, job_id)
        job.recipient_email, job.recipient_lang = recipient, "fr"
        db.session.commit()
    r = ana.post(f"/jobs/{job_id}/failed", **form(reason="closed door", photo=jpeg()))
    assert r.status_code == 200, r.json
    return shop, ana, job_id


def test_a_failed_delivery_is_erased_after_the_period_too(carried, proof_dir):
    shop, ana, job_id = _failed(carried, "rita@example.org")
    files = [proof_dir / p.key for p in db.session.scalars(select(Proof))]
    assert files and all(f.exists() for f in files)
    job = db.session.get(Job, job_id)
    assert job.status.value == "failed" and job.delivered_at is None
    job.updated_at = utcnow() - timedelta(days=29)  # failed 29 days ago
    db.session.commit()
    assert retention.sweep() == 0
    job.updated_at = utcnow() - timedelta(days=31)
    db.session.commit()
    assert retention.sweep() == 1
    db.session.commit()
    job = db.session.get(Job, job_id)
    assert (job.recipient_name, job.recipient_phone, job.recipient_email, job.notes,
            job.dropoff_address) == ("", "", None, "", "")
    assert job.failure_reason == "closed door"  # the courier's words stay (docs/privacy.md)
    assert not any(f.exists() for f in files)


def test_a_recipient_is_seen_and_erased_by_e_mail_with_audit_entries(carried, make_user):
    council = make_user("council", "Carla Council")
    shop, ana, job_id = _failed(carried, "Rita@Example.org")
    seen = council.post("/privacy/requests", json={"action": "see",
                                                    "email": " rita@example.ORG "})
    assert seen.status_code == 200, seen.json
    (kept,) = seen.json["jobs"]
    assert (kept["job_id"], kept["recipient_email"], kept["proofs"]) == (
        job_id, "Rita@Example.org", 1)
    other = council.post("/privacy/requests", json={"action": "see",
                                                     "email": "someone@example.org"})
    assert other.json["jobs"] == []

    r = council.post("/privacy/requests", json={"action": "erase", "email": "rita@example.org"})
    assert r.json == {"action": "erase", "erased": [job_id], "open": []}
    job = db.session.get(Job, job_id)
    assert job.recipient_email is None and job.recipient_name == ""
    assert [p.key for p in db.session.scalars(select(Proof))] == [None]
    audit = {e.action: e for e in db.session.scalars(select(Event).where(
        Event.action.in_(["data_shown", "data_erased", "redacted"])))}
    assert audit["data_erased"].actor_id == council.id
    assert audit["data_erased"].data == {"by": "email", "jobs": [job_id], "open": []}
    assert audit["redacted"].data["reason"] == "request" and audit["redacted"].data["files"] == 1
    assert audit["data_shown"].data["by"] == "email"
    for ev in audit.values():  # the address asked for is never written in the log
        assert "example.org" not in str(ev.data).lower() + ev.reason.lower()
