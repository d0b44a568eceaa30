"""A shop's recurring jobs across a restart of the process that makes them: the real
server (``courier run``, dispatch's loop inside) makes each occurrence's job within the
horizon; stopped, the schedule edited meanwhile (so the next pass looks at every date of
the horizon again), and started again, it makes the new schedule's jobs and not one of
the first schedule's twice."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from courier.extensions import db
from courier.models import Job, JobSchedule, utcnow
from tests.conftest import LYON
from tests.live import LiveServer


def _body(name: str, hours: str) -> dict:
    today = datetime.now(ZoneInfo("Europe/Paris")).date()
    return {"name": name, "rrule": f"FREQ=DAILY;BYHOUR={hours};BYMINUTE=0",
            "starts": f"{today.isoformat()}T00:00:00", "window_minutes": 45,
            "job": {"dropoff": {"lat": LYON[0] + 0.01, "lon": LYON[1] + 0.01,
                                "address": "Rue X"},
                    "weight_kg": 2, "recipient": {"name": "Rita", "phone": "0600000000"}}}


def _jobs_of(schedule_id: int) -> dict[str, int]:
    """The jobs made for a schedule: Idempotency-Key (one per occurrence) -> job id."""
    db.session.expire_all()
    uid = db.session.get(JobSchedule, schedule_id).uid
    return dict(db.session.execute(select(Job.idempotency_key, Job.id).where(
        Job.idempotency_key.like(f"schedule:{uid}:%"))).all())


def _made_within_horizon(shop, schedule_id: int, timeout: float = 60) -> dict[str, int]:
    """Wait until every occurrence within the horizon (two days) has its job."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        listed = shop.get(f"/schedules/{schedule_id}/occurrences?count=20").json
        due = [o for o in listed["occurrences"]
               if datetime.fromisoformat(o["at"]) <= utcnow() + timedelta(days=2)
               - timedelta(minutes=1)]
        if due and all(o["job_id"] for o in due):
            return _jobs_of(schedule_id)
        time.sleep(0.3)
    raise AssertionError(f"schedule {schedule_id} not made within the horizon: {listed}")


def test_a_restarted_worker_never_makes_an_occurrence_twice(database_url, app, make_merchant):
    shop = make_merchant("Bakery")
    first = shop.post("/schedules", json=_body("Evenings", "9,13,18"))
    assert first.status_code == 201, first.json
    env = {"COURIER_DISPATCH_AUTORUN": "true"}
    server = LiveServer(database_url, env=env).start()
    try:
        made = _made_within_horizon(shop, first.json["id"])
    finally:
        server.stop()
    assert len(made) >= 5  # three a day over two days, less what already passed today

    renamed = shop._call("patch", f"/schedules/{first.json['id']}", json={"name": "Every day"})
    assert renamed.status_code == 200, renamed.json
    assert db.session.get(JobSchedule, first.json["id"]).made_until is None  # look again
    second = shop.post("/schedules", json=_body("Lunch", "12"))
    assert second.status_code == 201, second.json

    server = LiveServer(database_url, env=env).start()
    try:
        _made_within_horizon(shop, second.json["id"])  # the restarted loop has run
        again = _made_within_horizon(shop, first.json["id"])
    finally:
        server.stop()
    assert {k: v for k, v in again.items() if k in made} == made  # the same jobs
    keys = db.session.scalars(select(Job.idempotency_key).where(
        Job.idempotency_key.like("schedule:%"))).all()
    assert len(keys) == len(set(keys))
    assert db.session.scalar(select(func.count()).select_from(Job)) == len(keys)
