"""Helpers for fair-work tests: a fixed clock, tracked time written as events,
jobs submitted at a given time, rules changed by the council."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from courier.extensions import db
from courier.fairwork import rules as R
from courier.fairwork import versions
from courier.models import Event, Job, JobStatus, Run, RunStatus, RunStop, StopKind
from courier.shops import submit
from tests.conftest import LYON

# Wednesday 4 March 2026, 10:00 in Lyon (09:00 UTC): far from midnight and Sunday.
NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
H = 3600


def shift(courier, start: datetime, end: datetime | None) -> None:
    """A shift as the events set_shift writes (``end=None``: still on shift)."""
    db.session.add(Event(at=start, subject="courier", action="shift_started",
                         courier_id=courier.id, reason=""))
    if end is not None:
        db.session.add(Event(at=end, subject="courier", action="shift_ended",
                             courier_id=courier.id, reason=""))
    else:
        courier.on_shift, courier.shift_started_at = True, start
    db.session.commit()


def courier(make_user, name="Ana", vehicle="bike", lat=LYON[0] + 0.002, lon=LYON[1],
            since: datetime | None = NOW - timedelta(minutes=30)):
    """A courier on shift since ``since`` (off shift if None)."""
    actor = make_user("courier", name, lat=lat, lon=lon, vehicle=vehicle)
    actor.courier = actor.user.courier
    if since is not None:
        shift(actor.courier, since, None)
    return actor


def job(shop, now=NOW, dlat=0.01, dlon=0.01, weight=2.0, minutes=90, plat=None, plon=None):
    data = {"dropoff": {"lat": LYON[0] + dlat, "lon": LYON[1] + dlon, "address": "Rue X"},
            "weight_kg": weight, "volume_l": 5.0, "ready_at": now,
            "deliver_by": now + timedelta(minutes=minutes)}
    if plat is not None:
        data["pickup"] = {"lat": plat, "lon": plon, "address": "Shop"}
    j, _ = submit.submit_job(shop.user, data, now=now)
    db.session.commit()
    return j


def all_off() -> dict:
    """A change that turns every limit off (each test turns on the one it checks)."""
    out: dict = {}
    for rule in R.RULES:
        section, name = rule.split(".")
        out.setdefault(section, {})[name] = {"enforce": "off"}
    return out


def publish(council, change: dict, now=NOW - timedelta(days=30), reason="test",
            effective_from=None):
    v = versions.publish(council.user, change, reason, effective_from=effective_from or now,
                         now=now)
    db.session.commit()
    return v


def delivered(courier, shop, *, accepted: datetime, delivered_at: list[datetime],
              metres: int = 3000) -> Run:
    """A run done by ``courier``: accepted then each job delivered at the given time."""
    run = Run(courier_id=courier.id, status=RunStatus.DONE, created_at=accepted,
              expires_at=accepted, accepted_at=accepted, ended_at=max(delivered_at),
              planned_start=accepted, planned_end=max(delivered_at), distance_m=metres)
    db.session.add(run)
    db.session.flush()
    seq = 0
    for at in delivered_at:
        j = Job(merchant_id=shop.user.merchant.id, status=JobStatus.DELIVERED, pickup_lat=LYON[0],
                pickup_lon=LYON[1], dropoff_lat=LYON[0] + 0.01, dropoff_lon=LYON[1],
                ready_at=accepted, deliver_by=at + timedelta(hours=1), run_id=run.id,
                courier_id=courier.id, delivered_at=at, picked_up_at=accepted, created_at=accepted)
        db.session.add(j)
        db.session.flush()
        for kind, t in ((StopKind.PICKUP, accepted), (StopKind.DROPOFF, at)):
            db.session.add(RunStop(run_id=run.id, seq=seq, job_id=j.id, kind=kind,
                                   planned_arrival=t, lat=LYON[0], lon=LYON[1], done_at=t))
            seq += 1
    db.session.commit()
    return run


def rules(council, rule: str, enforce: str, **params):
    """Every limit off except ``rule``, set to ``enforce`` with ``params``: rules v2."""
    section, name = rule.split(".")
    publish(council, R.merge(all_off(), {section: {name: {"enforce": enforce, **params}}}))
