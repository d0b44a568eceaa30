"""Shops submit, list, read and cancel jobs through /api/v1/jobs."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from courier.extensions import db
from tests.conftest import LYON, job_body


def test_submitted_job_is_pending_with_shop_pickup_and_price(make_merchant):
    shop = make_merchant()
    r = shop.post("/jobs", json={"dropoff": {"lat": 45.75, "lon": 4.85}})
    assert r.status_code == 201
    job = r.json
    assert job["status"] == "pending"
    assert (job["pickup"]["lat"], job["pickup"]["lon"]) == LYON
    assert job["pickup"]["address"] == "1 place Bellecour"
    ready = datetime.fromisoformat(job["ready_at"])
    deliver_by = datetime.fromisoformat(job["deliver_by"])
    assert deliver_by - ready == timedelta(minutes=60)
    assert job["price_cents"] > 0
    assert job["weight_kg"] == 0
    assert list(job)[:2] == ["id", "status"], "fields in the schema's order, not sorted"


@pytest.mark.parametrize("body, field", [
    ({"dropoff": {"lat": 91, "lon": 4.8}}, "dropoff.lat"),
    ({"dropoff": {"lat": 45.7, "lon": -181}}, "dropoff.lon"),
    ({"dropoff": {"lat": 45.7}}, "dropoff.lon"),
    ({}, "dropoff"),
    ({"dropoff": {"lat": 45.7, "lon": 4.8}, "weight_kg": -1}, "weight_kg"),
    ({"dropoff": {"lat": 45.7, "lon": 4.8}, "volume_l": "lots"}, "volume_l"),
    ({"dropoff": {"lat": 45.7, "lon": 4.8}, "ready_at": "2030-01-01T10:00:00+00:00",
      "deliver_by": "2030-01-01T09:00:00+00:00"}, "deliver_by"),
    ({"dropoff": {"lat": 45.7, "lon": 4.8}, "ready_at": "2030-01-01T10:00:00"}, "ready_at"),
    ({"dropoff": {"lat": 45.7, "lon": 4.8}, "colour": "red"}, "colour"),
    ({"dropoff": {"lat": 45.7, "lon": 4.8}, "pickup": {"lat": 45.7}}, "pickup.lat"),
])
def test_invalid_job_is_refused_naming_the_field(make_merchant, body, field):
    shop = make_merchant()
    r = shop.post("/jobs", json=body)
    assert r.status_code == 422, r.json
    assert field in r.json["fields"], r.json
    assert r.json["error"]
    assert shop.get("/jobs").json["total"] == 0


def test_deadline_already_past_is_refused(make_merchant):
    past = datetime.now(UTC) - timedelta(hours=2)
    r = make_merchant().post("/jobs", json={
        "dropoff": {"lat": 45.7, "lon": 4.8}, "ready_at": past.isoformat(),
        "deliver_by": (past + timedelta(minutes=30)).isoformat()})
    assert r.status_code == 422
    assert "deliver_by" in r.json["fields"]


def test_body_that_is_not_json_is_a_clear_400(make_merchant):
    shop = make_merchant()
    r = shop.post("/jobs", data="{not json", headers={"Content-Type": "application/json"})
    assert r.status_code in (400, 422)
    assert r.json["error"]


def test_missing_or_bad_token_is_401(client, make_merchant):
    make_merchant()
    r = client.post("/api/v1/jobs", json=job_body())
    assert r.status_code == 401
    assert "error" in r.json
    r = client.get("/api/v1/jobs", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401
    r = client.get("/api/v1/jobs", headers={"Authorization": "Basic abc"})
    assert r.status_code == 401


def test_courier_cannot_submit_a_job(make_courier):
    r = make_courier().post("/jobs", json=job_body())
    assert r.status_code == 403
    assert "merchant" in r.json["error"]


def test_same_idempotency_key_returns_the_original_job(make_merchant):
    shop = make_merchant()
    body = job_body()
    first = shop.post("/jobs", json=body, headers={"Idempotency-Key": "order-42"})
    again = shop.post("/jobs", json=body, headers={"Idempotency-Key": "order-42"})
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json["id"] == first.json["id"]
    assert shop.get("/jobs").json["total"] == 1


def test_idempotency_key_reused_with_another_body_is_refused(make_merchant):
    shop = make_merchant()
    shop.post("/jobs", json=job_body(), headers={"Idempotency-Key": "k"})
    r = shop.post("/jobs", json=job_body(dlat=0.02), headers={"Idempotency-Key": "k"})
    assert r.status_code == 422
    assert "Idempotency-Key" in r.json["fields"]
    assert shop.get("/jobs").json["total"] == 1


def test_idempotency_keys_are_per_shop(make_merchant):
    a, b = make_merchant(), make_merchant()
    ra = a.post("/jobs", json=job_body(), headers={"Idempotency-Key": "same"})
    rb = b.post("/jobs", json=job_body(), headers={"Idempotency-Key": "same"})
    assert ra.status_code == rb.status_code == 201
    assert ra.json["id"] != rb.json["id"]


def test_shop_lists_only_its_own_jobs_and_filters_by_status(make_merchant, make_job, dispatcher):
    a, b = make_merchant(), make_merchant()
    ja = make_job(a)
    make_job(b)
    a.post(f"/jobs/{ja['id']}/cancel")
    listed = a.get("/jobs").json
    assert [j["id"] for j in listed["jobs"]] == [ja["id"]]
    assert a.get("/jobs?status=pending").json["total"] == 0
    assert a.get("/jobs?status=cancelled").json["total"] == 1
    assert dispatcher.get("/jobs").json["total"] == 2
    assert a.get("/jobs?status=lost").status_code == 422


def test_job_detail_has_its_events(make_merchant, make_job):
    shop = make_merchant()
    job = make_job(shop)
    detail = shop.get(f"/jobs/{job['id']}").json
    assert [e["action"] for e in detail["events"]] == ["created"]
    assert detail["events"][0]["to_status"] == "pending"
    assert detail["events"][0]["actor_id"] == shop.id


def test_other_shops_job_is_403_and_unknown_is_404(make_merchant, make_job):
    a, b = make_merchant(), make_merchant()
    job = make_job(a)
    assert b.get(f"/jobs/{job['id']}").status_code == 403
    assert b.post(f"/jobs/{job['id']}/cancel").status_code == 403
    r = a.get("/jobs/99999")
    assert r.status_code == 404 and r.json["error"]


def test_cancel_twice_is_a_conflict(make_merchant, make_job):
    shop = make_merchant()
    job = make_job(shop)
    assert shop.post(f"/jobs/{job['id']}/cancel", json={"reason": "customer left"}).json[
        "status"] == "cancelled"
    r = shop.post(f"/jobs/{job['id']}/cancel")
    assert r.status_code == 409
    assert r.json["fields"]["status"] == "cancelled"


def test_healthz_needs_no_auth(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_unknown_api_path_is_json_404(client):
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 404
    assert r.json["error"]


def test_a_submission_reads_and_writes_in_four_statements(app, make_merchant):
    """Token with its user and shop; zones and pricing stamp; the job; its event. Nothing
    else (no lazy load, no webhook look-up for a shop without endpoints, no savepoint)."""
    shop = make_merchant()
    shop.post("/jobs", json=job_body())  # the token's first use is noted once
    with app.app_context():
        engine = db.engine
    seen = []

    def note(conn, cursor, statement, *args):
        seen.append(" ".join(statement.split()[:3]))

    event.listen(engine, "before_cursor_execute", note)
    try:
        r = shop.post("/jobs", json=job_body(), headers={"Idempotency-Key": "one"})
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert r.status_code == 201
    assert [s.split()[0] for s in seen] == ["SELECT", "SELECT", "INSERT", "INSERT"]
    assert "jobs" in seen[2] and "events" in seen[3]
