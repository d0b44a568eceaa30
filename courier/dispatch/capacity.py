"""Could our own couriers serve a job in its window? Asked before taking on work we do
not have to take (a partner coop's ask, :mod:`courier.federation.carry`), so that we
accept only what we can deliver on time without our own shops paying for it.

The answer comes from dispatch's own facts, not from a model of its own: the cycle's
snapshot (:func:`courier.dispatch.planning.snapshot`: who is on shift, where and when
each is next free after the runs they ride), the council's rules through the one gate
(:func:`courier.dispatch.gate.context`: breaks, limits reached, working time left, caps,
the weather's), the routing problem the cycle would build
(:func:`courier.dispatch.planning.build_problem`, with the caps on a run's km and
climbing) and the per-job per-courier fit (:func:`courier.dispatch.facts.fit`, the
table a cycle's reasons are said from: "no courier free on shift can deliver it by…").

Who is weighed:

- each courier on shift, free now or when the runs they ride (accepted, or offered and
  being considered) end, from where they end;
- each courier booked on a shift slot planned ahead (:mod:`courier.dispatch.shifts`,
  among the riders the slot wants) that starts before the job must be delivered and
  is not over: from the slot's start, at their last known place (else the coop's
  centre), until the slot's end.

Pending jobs not yet given to anyone are not counted against a courier (they are not
yet anyone's work); the job is judged alone beside each courier's queued runs, as the
cycle's reasons judge a job. Breaks are left out (as in the fit).

Cost: one snapshot (the cycle's queries: pending jobs, couriers on shift, their runs,
recent refusals), one query for the offered runs and one for the slots, the gate's view
of the couriers weighed (their week's tracked time, the weather as a cycle reads it; the
snapshot takes it once more for the couriers free now when jobs are pending), one travel
matrix between the couriers' places and the job's two (one request to the street router
when one is set, the geodesic estimate otherwise) and one fit per courier. No routing
search is run: a few tens of milliseconds for a dozen couriers (docs/benchmarks.md,
``courier bench federation``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from courier import settings
from courier.dispatch import facts, planning, shifts
from courier.extensions import db
from courier.models import Courier, Run, RunStatus, utcnow
from courier.models.shifts import ShiftSignup, ShiftSlot
from courier.routing.geo import LatLon

ASK_ID = 0  # the job weighed has no id yet: its shipment's id in the problem


@dataclass(frozen=True)
class JobFacts:
    """What dispatch plans a job with: where, when, how much (duck-typed as a Job)."""

    pickup_lat: float
    pickup_lon: float
    dropoff_lat: float
    dropoff_lon: float
    ready_at: datetime
    deliver_by: datetime
    weight_kg: float = 0.0
    volume_l: float = 0.0
    id: int = ASK_ID
    solidarity: bool = False
    priority: int = 0
    group_id: int | None = None


@dataclass(frozen=True)
class Verdict:
    """``ok``: a courier can deliver it in time (``delivered_at``, about); else
    ``soonest``: the soonest arrival at the drop-off any courier could make (None when
    none could even ride it), and ``stopped``: how many couriers each fact stopped
    (:data:`courier.dispatch.facts.ORDER` codes, ``held`` for a courier the rules hold
    back now)."""

    ok: bool
    weighed: int  # couriers weighed: on shift or booked in time
    deliver_by: datetime
    delivered_at: datetime | None = None
    soonest: datetime | None = None
    stopped: dict = field(default_factory=dict)

    @property
    def figures(self) -> dict:
        """The verdict as JSON figures."""
        def iso(t):
            return None if t is None else t.isoformat()

        return {"couriers_weighed": self.weighed, "deliver_by": iso(self.deliver_by),
                "delivered_at": iso(self.delivered_at), "soonest_arrival": iso(self.soonest),
                "stopped": dict(self.stopped)}


def can_serve(job: JobFacts, now: datetime | None = None) -> Verdict:
    """Whether one of our couriers on shift, or booked on a slot starting in time, can
    reach ``job``'s pickup and its drop-off before ``job.deliver_by``, after the work
    queued for them and under the council's rules (see the module)."""
    now = now or utcnow()
    snap = planning.snapshot(now)
    couriers = snap.couriers + [c for c, _ in snap.held.values()] + snap.deciding
    _after_offers(snap, now)
    booked = _booked(job, now, {c.id for c in couriers})
    for c, (where, start, _end) in booked.items():
        couriers.append(c)
        snap.free_from[c.id] = (where, start)
    snap.couriers, snap.held, snap.shift_ends = sorted(couriers, key=lambda c: c.id), {}, {}
    snap.jobs, snap.refused, snap.excluded = [job], {}, {}
    planning._apply_rules(snap)  # the gate: who is held back, each one's bounds
    for c in snap.couriers:
        if c.id in booked:  # riding a slot planned ahead: work that ends by its end
            snap.shift_ends[c.id] = booked[c.id][2]
    weighed = len(snap.couriers) + len(snap.held)
    stopped = Counter({"held": len(snap.held)} if snap.held else {})
    if not snap.couriers:
        return Verdict(False, weighed, job.deliver_by, stopped=dict(stopped))
    problem, _ = planning.build_problem(snap)
    fits = facts.table(problem, snap.couriers, [job], {}, {job.id}, snap.reach)[job.id]
    ends = [f.figures["end_s"] for f in fits.values() if f.code == facts.FITS]
    if ends:
        service = current_app.config["DROPOFF_SERVICE_S"]
        return Verdict(True, weighed, job.deliver_by,
                       delivered_at=now + timedelta(seconds=min(ends) - service))
    stopped.update(f.code for f in fits.values())
    late = [f.figures["arrival_s"] for f in fits.values() if f.code == "late"]
    return Verdict(False, weighed, job.deliver_by, stopped=dict(stopped),
                   soonest=now + timedelta(seconds=min(late)) if late else None)


def _after_offers(snap: planning.Snapshot, now: datetime) -> None:
    """Couriers considering an offer are weighed as free where and when it would end
    (the snapshot leaves them out: the cycle offers them nothing more meanwhile)."""
    if not snap.deciding:
        return
    runs = db.session.scalars(select(Run).where(
        Run.courier_id.in_([c.id for c in snap.deciding]), Run.status == RunStatus.OFFERED)
        .options(selectinload(Run.stops))).all()
    service = timedelta(seconds=current_app.config["DROPOFF_SERVICE_S"])
    for c in snap.deciding:
        snap.free_from[c.id] = (LatLon(c.lat, c.lon), now)
    for r in runs:
        if r.stops:
            end = r.stops[-1]
            when = max(now, r.planned_end or now,
                       end.eta + service if end.eta else now)
            if when >= snap.free_from[r.courier_id][1]:
                snap.free_from[r.courier_id] = (LatLon(end.lat, end.lon), when)


def _booked(job: JobFacts, now: datetime, on_shift: set[int]
            ) -> dict[Courier, tuple[LatLon, datetime, datetime]]:
    """Couriers off shift riding a slot (among its riders wanted) that starts before the
    job must be delivered and is not over: courier -> (place, start, end)."""
    slots = db.session.scalars(select(ShiftSlot).where(
        ShiftSlot.cancelled_at.is_(None), ShiftSlot.starts_at < job.deliver_by,
        ShiftSlot.ends_at > max(now, job.ready_at))
        .options(selectinload(ShiftSlot.signups).selectinload(ShiftSignup.courier))
        .order_by(ShiftSlot.starts_at)).all()
    centre = settings.get("center")
    out: dict = {}
    for slot in slots:
        for signup in shifts.ranked(slot)[:slot.riders]:
            c = signup.courier
            if c.id in on_shift or c.on_shift or c in out:
                continue
            if c.lat is not None and c.lon is not None:
                where = LatLon(c.lat, c.lon)
            elif centre:
                where = LatLon(float(centre[0]), float(centre[1]))
            else:
                continue  # nowhere known to start from
            out[c] = (where, max(now, slot.starts_at), slot.ends_at)
    return out
