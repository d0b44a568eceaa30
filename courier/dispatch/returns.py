"""A parcel that could not be delivered goes back: to the shop it came from, or to the
return hub the council set (``return_hub`` in :mod:`courier.settings`).

When a drop-off fails with the parcel on the bike (from the phone, the API, a replayed
offline action, or an emergency stop), :func:`bring_back` adds a ``return`` stop to the
run, where it adds the least riding among the stops still to do (never before a stop
already made; a place that keeps the other deliveries in their windows and the load
within the bike's capacity comes first). The run is re-timed from where its courier is
(:func:`courier.dispatch.timing.retime`) and judged by the gate like any run ridden.
The parcel must come back, so a rule's breach never refuses the return: a blocking
rule's breach is recorded as a ``rule_warning`` of the run, with its reason, as a
warning rule's is, and the council reads both. The run ends only once every return is
made (:func:`open_returns`); marking it made (:func:`returned`) sets the job's
``returned_at`` (the job stays ``failed``) and tells the shop (``job.returned``).
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import update

from courier import settings
from courier.dispatch import eta, gate, timing
from courier.dispatch.explain import breaches_said
from courier.dispatch.planning import travel_matrix
from courier.errors import Forbidden
from courier.extensions import db
from courier.journal import announce_job, record
from courier.models import Job, JobStatus, Role, Run, RunStop, StopKind, User
from courier.routing.geo import LatLon
from courier.texts import N_, Phrase

THE_SHOP, THE_HUB = N_("the shop"), N_("the return hub")
COMING_BACK = N_("coming back to {place}: the delivery failed ({why})")
BROUGHT_BACK = N_("brought back to {place}")
HUB_SET, HUB_UNSET = N_("failed parcels go back to {place}"), N_("failed parcels go back to "
                                                                "their shop")
OVER_RULES = N_("return of #{job} added though it breaks {breaches} under {rules}: "
                "the parcel must come back")


def set_hub(actor: User, hub: dict | None) -> dict | None:
    """The council sets where parcels that could not be delivered go back (``{"address",
    "lat", "lon"}``), or None for each to its shop. Returns made from now on go there."""
    if actor.role != Role.COUNCIL:
        raise Forbidden("only the council sets the return hub")
    if hub is not None:
        hub = {"address": (hub.get("address") or "").strip(), "lat": hub["lat"],
               "lon": hub["lon"]}
    settings.put("return_hub", hub)
    record(actor, "coop", "return_hub_set", data={"return_hub": hub},
           reason=Phrase(HUB_SET, place=_named(hub["address"], True)) if hub
           else Phrase(HUB_UNSET))
    return hub


def open_returns(run: Run) -> list[RunStop]:
    """The returns of ``run`` not made yet: the run goes on until there are none."""
    return [s for s in run.stops if s.kind == StopKind.RETURN and s.done_at is None]


def place_of(job: Job) -> tuple[LatLon, str, bool]:
    """Where ``job``'s parcel goes back: the council's return hub if set, else the place
    it was picked up. Returns the point, its address and whether it is the hub."""
    hub = settings.get("return_hub")
    if hub:
        return LatLon(float(hub["lat"]), float(hub["lon"])), hub.get("address") or "", True
    return LatLon(job.pickup_lat, job.pickup_lon), job.pickup_address or "", False


def _named(address: str, hub: bool) -> str:
    return address or Phrase(THE_HUB if hub else THE_SHOP)


def bring_back(run: Run, jobs: list[Job], actor: User | None, now: datetime,
               visited: bool = True) -> None:
    """``jobs`` of ``run`` just failed. Those on the bike get a return stop each. The
    drop-off where one failed stays on the run as the record of the attempt, if the
    courier ``visited`` it; their other stops go. When work is left, the run is re-timed
    and judged; the caller closes the run or announces it."""
    ids = {j.id for j in jobs}
    returning = [j for j in jobs if j.picked_up_at is not None]
    if not returning and not any(timing.to_do(s) for s in run.stops if s.job_id not in ids):
        return  # nothing left to ride: the caller closes the run, its stops as they were
    attempted = {s.id for s in run.stops if visited and s.job_id in ids
                 and s.kind == StopKind.DROPOFF and s.job.picked_up_at is not None}
    made = sum(1 for s in run.stops if s.done_at is not None or s.id in attempted)
    ridden = run.distance_m * made // len(run.stops) if run.stops else 0
    for stop in [s for s in run.stops if s.job_id in ids and s.done_at is None
                 and s.id not in attempted and s.kind != StopKind.RETURN]:
        run.stops.remove(stop)
    for job in returning:
        _insert(run, job, now)
    db.session.flush()
    timed = timing.retime(run, now, ridden)
    eta.refresh(run, now)
    for job in returning:
        stop = job.return_stop
        place, hub = stop.place or "", settings.get("return_hub") is not None
        record(actor, "job", "return_planned", job=job, run=run, at=now,
               reason=Phrase(COMING_BACK, place=_named(place, hub),
                             why=job.failure_reason or ""),
               data={"address": place, "lat": stop.lat, "lon": stop.lon, "hub": hub,
                     "planned_at": stop.planned_arrival.isoformat()})
        announce_job(job)
    if returning:
        _judge(run, returning, actor, now, timed.facts)


def _judge(run: Run, jobs: list[Job], actor: User | None, now: datetime,
           facts: gate.RouteFacts) -> None:
    """The gate on the run with its returns: any rule it breaks is recorded (never
    refused: the parcel must come back)."""
    verdict = gate.judge(run.courier, facts, now)
    found = verdict.blocked + verdict.warnings
    if not found:
        return
    record(actor, "run", "rule_warning", run=run, at=now,
           reason=Phrase(OVER_RULES, job=", #".join(str(j.id) for j in jobs),
                         breaches=breaches_said(found), rules=verdict.version.label),
           data={"rules_version": verdict.version.number, "return": [j.id for j in jobs],
                 "warnings": [{"rule": b["rule"], "enforce": b["enforce"],
                               "text": str(b["text"]), "figures": b.get("figures", {})}
                              for b in found]})


def _insert(run: Run, job: Job, now: datetime) -> RunStop:
    """A return stop for ``job`` among the stops still to do, where it costs least."""
    at, address, _ = place_of(job)
    done = [s for s in run.stops if not timing.to_do(s)]
    left = sorted((s for s in run.stops if timing.to_do(s)), key=lambda s: s.seq)
    i = _cheapest(run, left, job, at, now)
    stop = RunStop(job_id=job.id, kind=StopKind.RETURN, lat=at.lat, lon=at.lon,
                   place=address[:255], planned_arrival=now, seq=0)
    order = left[:i] + [stop] + left[i:]
    top = max((s.seq for s in run.stops), default=-1)
    for n, s in enumerate(order, start=top + 1):  # above every seq in use: no clash
        s.seq = n
    run.stops = sorted(done, key=lambda s: s.seq) + order
    return stop


def _cheapest(run: Run, left: list[RunStop], job: Job, at: LatLon, now: datetime) -> int:
    """Where among ``left`` a visit to ``at`` fits best: first keeping within the bike's
    capacity, then within the other deliveries' windows, then adding the least time."""
    courier = run.courier
    start = LatLon(courier.lat, courier.lon) if courier.lat is not None else at
    m = travel_matrix([start] + [LatLon(s.lat, s.lon) for s in left] + [at])
    back = len(left) + 1
    service = {k: int(current_app.config["PICKUP_SERVICE_S" if k == StopKind.PICKUP
                                         else "DROPOFF_SERVICE_S"]) for k in StopKind}
    on_board = list({s.job_id: s.job for s in run.stops
                     if s.kind == StopKind.PICKUP and s.done_at is not None
                     and s.job.status in (JobStatus.PICKED_UP, JobStatus.FAILED)
                     and s.job.returned_at is None}.values())
    best, best_key = len(left), None
    for i in range(len(left) + 1):
        route = [(n + 1, timing.Leg(s.job, s.kind, None)) for n, s in enumerate(left)]
        route.insert(i, (back, timing.Leg(job, StopKind.RETURN, at)))
        t, prev, late = 0, 0, 0
        for idx, leg in route:
            t += m.durations[prev][idx]
            if leg.kind == StopKind.DROPOFF:
                late += max(0, int(t - (leg.job.deliver_by - now).total_seconds()))
            t += service[leg.kind]
            prev = idx
        kg, litres = timing.load_peak([leg for _, leg in route], on_board)
        over = kg > courier.capacity_kg + 1e-9 or litres > courier.capacity_l + 1e-9
        key = (over, late, t)
        if best_key is None or key < best_key:
            best, best_key = i, key
    return best


def returned(job: Job, run: Run, actor: User, now: datetime) -> bool:
    """The courier brought ``job``'s parcel back: its return stop is made, the job keeps
    ``failed`` with ``returned_at`` (compare-and-set: a second tap changes nothing), the
    shop is told (``job.returned``). Returns whether this call made it."""
    stop = next((s for s in open_returns(run) if s.job_id == job.id), None)
    if stop is None:
        return False
    won = db.session.execute(
        update(Job).where(Job.id == job.id, Job.status == JobStatus.FAILED,
                          Job.returned_at.is_(None))
        .values(returned_at=now).execution_options(synchronize_session=False)).rowcount == 1
    if not won:
        return False
    db.session.refresh(job)
    stop.done_at = now
    hub = settings.get("return_hub") is not None
    record(actor, "job", "returned", job=job, run=run, at=now,
           from_status=JobStatus.FAILED, to_status=JobStatus.FAILED,
           reason=Phrase(BROUGHT_BACK, place=_named(stop.place or "", hub)),
           data={"address": stop.place or "", "lat": stop.lat, "lon": stop.lon})
    announce_job(job)
    return True
