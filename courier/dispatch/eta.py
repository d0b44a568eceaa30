"""Live ETAs: when the courier of an accepted run is expected at each stop still to do,
worked out again from their progress (the stops marked, the position their phone
shares, the time now) every time something changes, and stored on the stop
(``run_stops.eta``) so that every reader (the shop, the recipient, dispatch, the API)
gets the same figure.

Where a run changes, its operation calls :func:`refresh` (accepted, a stop marked, a
job taken off it, re-timed); a position calls :func:`after_position` (at most once per
``ETA_REFRESH_S`` per run); :func:`sweep` works out again, as time passes, the runs
nobody touched for that long, and withdraws an offer whose plan would now be late
(:mod:`courier.dispatch.delays` says when that is, and alerts the late jobs).

Nothing here may take down a request or the dispatch cycle: every entry point is
guarded; a failure is logged, what it had changed is rolled back to a savepoint, and
the caller goes on without new estimates.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from courier.dispatch import delays, timing
from courier.extensions import db
from courier.journal import announce_job, announce_run, move_job, move_run
from courier.models import (
    Courier,
    Job,
    JobStatus,
    Run,
    RunStatus,
    RunStop,
    StopKind,
    User,
    Vehicle,
    utcnow,
)
from courier.routing.geo import LatLon

log = logging.getLogger(__name__)
CHANGED = timedelta(seconds=30)  # a new estimate this far from the last one is told


@dataclass(frozen=True)
class _Place:
    """Where a courier starts from, as :func:`timing.time_legs` reads a courier."""

    lat: float
    lon: float


def guarded(fn):
    """``fn`` never raises: a failure is logged, its changes rolled back to a savepoint,
    and None is returned."""
    @functools.wraps(fn)
    def safe(*args, **kwargs):
        try:
            with db.session.begin_nested():
                return fn(*args, **kwargs)
        except Exception:
            log.exception("live ETAs: %s failed; going on without new estimates",
                          fn.__name__)
            return None
    return safe


def open_stops(run: Run) -> list[RunStop]:
    """The stops of ``run`` still to ride, in order (a failed parcel's return, not its
    drop-off: :func:`timing.to_do`)."""
    return [s for s in sorted(run.stops, key=lambda s: s.seq) if timing.to_do(s)]


def where_now(run: Run) -> _Place | None:
    """Where the courier of ``run`` is, as best known: the position their phone last
    sent, or the stop they marked last when they marked it after that position."""
    courier = run.courier
    marked = [s for s in run.stops if s.done_at is not None]
    last = max(marked, key=lambda s: s.done_at, default=None)
    if last is not None and (courier.lat is None or courier.position_at is None
                             or last.done_at > courier.position_at):
        return _Place(last.lat, last.lon)
    return _Place(courier.lat, courier.lon) if courier.lat is not None else None


def _service(kind: StopKind) -> timedelta:
    key = "PICKUP_SERVICE_S" if kind == StopKind.PICKUP else "DROPOFF_SERVICE_S"
    return timedelta(seconds=int(current_app.config[key]))


def estimate(run: Run, now: datetime, start: _Place | None = None,
             at: datetime | None = None) -> list[tuple[RunStop, datetime]]:
    """Each stop of ``run`` still to do with when its courier gets there, riding them in
    order from ``start`` (default: where they are) at ``at`` (default: ``now``), at the
    travel-time provider's speed (a cargo bike's slower), waiting at a pickup until its
    parcel is ready. With no position known, the plan's own times."""
    left = open_stops(run)
    start = start or where_now(run)
    if not left or start is None:
        return [(s, s.planned_arrival) for s in left]
    t0 = at or now
    legs = [timing.Leg(s.job, s.kind, LatLon(s.lat, s.lon)) for s in left]
    timed = timing.time_legs(start, legs, t0)
    slower = (current_app.config["CARGO_SPEED_FACTOR"]
              if run.courier.vehicle == Vehicle.CARGO_BIKE else 1.0)
    out, t, left_at = [], t0, t0  # left_at: when time_legs left the stop before
    for stop, arrival in zip(left, timed.arrivals, strict=True):
        t += (arrival - left_at) * slower
        out.append((stop, t))
        left_at = arrival + _service(stop.kind)
        ready = stop.job.ready_at if stop.kind == StopKind.PICKUP else t
        t = max(t, ready) + _service(stop.kind)
    return out


def _store(run: Run, now: datetime, moved: bool, margin: int | None = None) -> list[Job]:
    """Store the new estimates of ``run``; returns the jobs to tell (an estimate moved,
    an alert given or lifted, or, after a position, a parcel on the bike whose map moves).
    ``margin``: the coop's delay margin, when the caller has read it already."""
    etas = estimate(run, now)
    tell: dict[int, Job] = {}
    for stop, at in etas:
        if stop.eta is None or abs(stop.eta - at) >= CHANGED:
            tell[stop.job_id] = stop.job
        stop.eta = at
    run.etas_at = now
    for job in delays.judge(run, etas, where_now(run), now, margin):
        tell[job.id] = job
    if moved:
        for stop, _ in etas:
            if stop.job.status == JobStatus.PICKED_UP:
                tell[stop.job_id] = stop.job
    db.session.flush()
    return list(tell.values())


@guarded
def refresh(run: Run | None, now: datetime | None = None, *, moved: bool = False) -> bool:
    """Work out again the ETAs of an accepted ``run``'s stops still to do, alert the jobs
    that become late, and tell the shops, recipients and dispatch of what moved. Call it
    where a run's stops change (accepted, marked, taken off, re-timed). Returns whether
    it did (False for a run not being ridden)."""
    if run is None or run.status != RunStatus.ACCEPTED:
        return False
    for job in _store(run, now or utcnow(), moved):
        announce_job(job)
    return True


def _due(now: datetime, *statuses: RunStatus):
    """Runs in ``statuses`` whose ETAs were not worked out for ``ETA_REFRESH_S``, loaded
    with what working them out reads (stops, jobs, their shops, the courier)."""
    every = timedelta(seconds=float(current_app.config["ETA_REFRESH_S"]))
    return select(Run).where(
        Run.status.in_(statuses), or_(Run.etas_at.is_(None), Run.etas_at <= now - every)
    ).options(selectinload(Run.stops).joinedload(RunStop.job).joinedload(Job.merchant),
              joinedload(Run.courier))


@guarded
def after_position(courier: Courier, now: datetime | None = None) -> int:
    """A new position of ``courier``: the ETAs of their accepted runs, at most once per
    ``ETA_REFRESH_S`` each. Returns how many runs were worked out again."""
    now = now or utcnow()
    runs = db.session.scalars(_due(now, RunStatus.ACCEPTED).where(
        Run.courier_id == courier.id)).unique().all()
    for run in runs:
        for job in _store(run, now, moved=True):
            announce_job(job)
    return len(runs)


@guarded
def sweep(now: datetime | None = None, actor: User | None = None, *,
          offers_only: bool = False) -> list[Run]:
    """As time passes: the ETAs of accepted runs not worked out for ``ETA_REFRESH_S``
    (a courier standing still, a phone that stopped sharing), and offers whose plan
    would now be late withdrawn, their jobs handed back to be planned again (only those
    with ``offers_only``, as a cycle does before it plans). Returns the offers withdrawn."""
    now = now or utcnow()
    statuses = [RunStatus.OFFERED] if offers_only else [RunStatus.ACCEPTED, RunStatus.OFFERED]
    stale = db.session.scalars(_due(now, *statuses).order_by(Run.id)).unique().all()
    withdrawn, margin = [], delays.margin_s()
    for run in stale:
        if run.status == RunStatus.ACCEPTED:
            for job in _store(run, now, False, margin):
                announce_job(job)
        elif _late_offer(run, now, actor):
            withdrawn.append(run)
    return withdrawn


def _after_current_work(courier: Courier, now: datetime) -> tuple[_Place | None, datetime]:
    """Where and when ``courier`` could start a new run: after the last stop of the run
    they ride (by its estimate), else where they are now."""
    riding = db.session.scalars(select(Run).where(
        Run.courier_id == courier.id, Run.status == RunStatus.ACCEPTED)).all()
    ends = [(s, s.eta or s.planned_arrival) for r in riding for s in open_stops(r)]
    if not ends:
        return (_Place(courier.lat, courier.lon) if courier.lat is not None else None), now
    stop, at = max(ends, key=lambda e: e[1])
    return _Place(stop.lat, stop.lon), max(now, at + _service(stop.kind))


def _late_offer(run: Run, now: datetime, actor: User | None) -> bool:
    """Withdraw offered ``run`` if, started after its courier's current work, it would
    now bring a job past its window by the coop's margin when its plan did not."""
    start, at = _after_current_work(run.courier, now)
    run.etas_at = now
    if start is None:
        return False
    late = delays.late_plan(estimate(run, now, start, at))
    if late is None:
        return False
    why = delays.withdrawn(*late)
    if not move_run(run, RunStatus.OFFERED, RunStatus.CANCELLED, actor, "withdrawn",
                    reason=why, ended_at=now):
        return False  # answered meanwhile
    for job in dict.fromkeys(s.job for s in run.stops):
        move_job(job, JobStatus.OFFERED, JobStatus.PENDING, actor, "replanned", run=run,
                 reason=why, run_id=None, courier_id=None)
    announce_run(run, "run.cancelled")
    return True
