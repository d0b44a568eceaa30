"""From the database's view of the world to a routing problem, and back.

``snapshot`` gathers what a cycle plans with (pending jobs, couriers free to take
an offer, where and when each one is next free); ``build_problem`` turns it into
:class:`courier.routing.Problem` with times in seconds from ``now``, weights in
grams and volumes in millilitres.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from courier.dispatch import gate, reach, reserve, shifts
from courier.extensions import db
from courier.models import Courier, Event, Job, JobStatus, Run, RunStatus, RunStop, Vehicle
from courier.routing import Problem, Shipment, Stop, TimeWindow
from courier.routing import Vehicle as RoutingVehicle
from courier.routing.geo import LatLon
from courier.routing.matrix import MatrixError
from courier.routing.providers import provider_from_config
from courier.solidarity.dispatching import allowed_couriers

_providers: dict = {}
log = logging.getLogger(__name__)


@dataclass
class Snapshot:
    now: datetime
    jobs: list[Job]
    couriers: list[Courier]  # on shift and free to take an offer
    on_shift: int  # on shift at all, offered or not
    free_from: dict[int, tuple[LatLon, datetime]] = field(default_factory=dict)
    excluded: dict[int, set[int]] = field(default_factory=dict)  # job id -> courier ids
    refused: dict[int, dict[int, str]] = field(default_factory=dict)  # ... -> how
    deciding: list[Courier] = field(default_factory=list)  # on shift, considering an offer
    fits: dict = field(default_factory=dict)  # job id -> courier id -> facts.Fit
    planned: set[int] = field(default_factory=set)  # couriers the plan gives work to
    rules: gate.Context | None = None
    held: dict[int, tuple[Courier, str]] = field(default_factory=dict)  # kept off by the rules
    shift_ends: dict[int, datetime] = field(default_factory=dict)  # planned shifts' ends
    reach: reach.Reach = field(default_factory=lambda: reach.Reach())  # jobs past caps
    trimmed: dict = field(default_factory=dict)  # job id -> (courier id, why, rule): cut back


def snapshot(now: datetime) -> Snapshot:
    """Pending jobs and the couriers who may be offered work now."""
    jobs = db.session.scalars(select(Job).where(Job.status == JobStatus.PENDING)
                              .order_by(Job.deliver_by, Job.id)).all()
    on_shift = db.session.scalars(select(Courier).where(Courier.on_shift.is_(True),
                                                        Courier.lat.is_not(None))
                                  .options(selectinload(Courier.user))  # named in reasons
                                  .order_by(Courier.id)).all()
    runs = db.session.scalars(select(Run).where(
        Run.courier_id.in_([c.id for c in on_shift]),
        Run.status.in_([RunStatus.OFFERED, RunStatus.ACCEPTED]))
        .options(selectinload(Run.stops))).all()
    deciding = {r.courier_id for r in runs if r.status == RunStatus.OFFERED}
    free = [c for c in on_shift if c.id not in deciding]
    snap = Snapshot(now=now, jobs=list(jobs), couriers=free, on_shift=len(on_shift),
                    deciding=[c for c in on_shift if c.id in deciding])
    for c in free:
        snap.free_from[c.id] = (LatLon(c.lat, c.lon), now)
    for r in runs:  # riding an accepted run: free where and when it ends
        if r.status == RunStatus.ACCEPTED and r.courier_id in snap.free_from and r.stops:
            end = r.stops[-1]
            service = timedelta(seconds=current_app.config["DROPOFF_SERVICE_S"])
            riding_until = end.eta + service if end.eta else now  # its live ETA, when late
            when = max(now, r.planned_end, riding_until)
            if when >= snap.free_from[r.courier_id][1]:
                snap.free_from[r.courier_id] = (LatLon(end.lat, end.lon), when)
    snap.refused = recent_refusals(now, [j.id for j in jobs])
    snap.excluded = {job_id: set(who) for job_id, who in snap.refused.items()}
    _apply_rules(snap)
    return snap


def _apply_rules(snap: Snapshot) -> None:
    """The council's rules: hold back couriers who may not work now (limits reached,
    on a break) and keep each one's bounds for :func:`build_problem`."""
    if not snap.jobs:
        return
    snap.rules = gate.context(snap.couriers, snap.now, snap.free_from)
    snap.held = {c.id: (c, snap.rules.held[c.id]) for c in snap.couriers
                 if c.id in snap.rules.held}
    snap.couriers = [c for c in snap.couriers if c.id not in snap.held]
    _planned_shifts(snap)


def _planned_shifts(snap: Snapshot) -> None:
    """A courier riding a shift planned ahead is offered only work that ends by the
    shift's planned end; once free no earlier than that end, nothing more."""
    by_id = {c.id: c for c in snap.couriers}
    for cid, end in shifts.planned_ends(snap.couriers).items():
        if snap.free_from[cid][1] >= end:
            snap.held[cid] = (by_id[cid], shifts.shift_ends_phrase(end))
        else:
            snap.shift_ends[cid] = end
    snap.couriers = [c for c in snap.couriers if c.id not in snap.held]


def recent_refusals(now: datetime, job_ids: list[int]) -> dict[int, dict[int, str]]:
    """Who declined (or let expire) which of these jobs within the cool-down: job id ->
    courier id -> "declined" or "expired". A courier who gave a job back once accepted
    (``released``) declined it."""
    if not job_ids:
        return {}
    since = now - timedelta(seconds=current_app.config["REOFFER_COOLDOWN"])
    rows = db.session.execute(
        select(RunStop.job_id, Run.courier_id, Run.status).join(Run, RunStop.run_id == Run.id)
        .where(RunStop.job_id.in_(job_ids),
               Run.status.in_([RunStatus.DECLINED, RunStatus.EXPIRED]),
               Run.ended_at >= since).order_by(Run.ended_at)).all()
    out: dict[int, dict[int, str]] = {}
    for job_id, courier_id, status in rows:
        out.setdefault(job_id, {})[courier_id] = status.value
    released = db.session.execute(select(Event.job_id, Event.courier_id).where(
        Event.job_id.in_(job_ids), Event.action == "released", Event.subject == "job",
        Event.courier_id.is_not(None), Event.at >= since)).all()
    for job_id, courier_id in released:
        out.setdefault(job_id, {})[courier_id] = RunStatus.DECLINED.value
    return out


def matrix_provider(osrm: bool = True):
    """The configured matrix provider (OSRM if set, else geodesic), cached per settings."""
    cfg = current_app.config
    url = cfg["OSRM_URL"] if osrm else None
    key = (url, cfg["BIKE_SPEED_KMH"], cfg["DETOUR_FACTOR"])
    if key not in _providers:
        _providers[key] = provider_from_config(
            osrm_url=url, speed_mps=cfg["BIKE_SPEED_KMH"] / 3.6, detour=cfg["DETOUR_FACTOR"])
    return _providers[key]


def travel_matrix(points: list[LatLon]):
    """Travel times and distances between ``points``. If the OSRM server fails, dispatch
    goes on with the geodesic estimate rather than stopping the city."""
    try:
        return matrix_provider().matrix(points)
    except MatrixError as err:
        log.warning("street matrix unavailable, using geodesic estimate: %s", err)
        return matrix_provider(osrm=False).matrix(points)


class Places:
    """Numbers distinct points (to a micro-degree) in the order first seen: the
    location indices of a routing problem, ``points`` being what they index."""

    def __init__(self) -> None:
        self.points: list[LatLon] = []
        self._index: dict[LatLon, int] = {}

    def __call__(self, p: LatLon) -> int:
        p = LatLon(round(p.lat, 6), round(p.lon, 6))
        if p not in self._index:
            self._index[p] = len(self.points)
            self.points.append(p)
        return self._index[p]


def _secs(t: datetime, now: datetime) -> int:
    return max(0, math.floor((t - now).total_seconds()))


def build_problem(snap: Snapshot) -> tuple[Problem, list[LatLon]]:
    """The routing problem of a snapshot, and the points its locations index."""
    cfg = current_app.config
    loc = Places()
    points = loc.points

    vehicles = []
    for c in snap.couriers:
        where, when = snap.free_from[c.id]
        end = snap.shift_ends.get(c.id)
        vehicles.append(RoutingVehicle(
            id=c.id, start=loc(where), time_window=TimeWindow(_secs(when, snap.now))
            if end is None else TimeWindow(_secs(when, snap.now), _secs(end, snap.now)),
            capacity=(round(c.capacity_kg * 1000), round(c.capacity_l * 1000)),
            speed_factor=cfg["CARGO_SPEED_FACTOR"] if c.vehicle == Vehicle.CARGO_BIKE else 1.0))
        if snap.rules is not None:  # working time, breaks, caps, stops, run length, balancing
            vehicles[-1] = gate.vehicle(vehicles[-1], snap.rules.limits[c.id],
                                   snap.rules.cost_factor.get(c.id, 1.0))
    everyone = frozenset(c.id for c in snap.couriers)
    volunteers = frozenset(c.id for c in snap.couriers if c.volunteer)
    shipments = []
    collected: set[tuple] = set()  # (group, place) whose pickup service is counted
    for j in snap.jobs:
        window = TimeWindow(_secs(j.ready_at, snap.now), _secs(j.deliver_by, snap.now))
        excluded = snap.excluded.get(j.id, set())
        pick = loc(LatLon(j.pickup_lat, j.pickup_lon))
        shipments.append(Shipment(
            id=j.id,
            pickup=Stop(pick, window,
                        0 if (j.group_id, pick) in collected else cfg["PICKUP_SERVICE_S"]),
            delivery=Stop(loc(LatLon(j.dropoff_lat, j.dropoff_lon)), window,
                          cfg["DROPOFF_SERVICE_S"]),
            amount=(round(j.weight_kg * 1000), round(j.volume_l * 1000)),
            priority=j.priority,  # solidarity work first when not everything fits
            allowed_vehicles=allowed_couriers(j, everyone, volunteers, excluded),
            group=j.group_id,  # a multi-drop delivery or a collection round: one courier
        ))
        if j.group_id is not None:
            collected.add((j.group_id, pick))
    matrix = travel_matrix(points) if points else None
    problem = Problem(
        shipments=shipments, vehicles=vehicles,
        durations=matrix.durations if matrix else [], distances=matrix.distances if matrix else [],
        balance=snap.rules.balance if snap.rules is not None else 0)
    if snap.rules is not None:  # no job for a courier it would take past their km or climb cap
        problem = reach.exclude(problem, points, snap)
    return reserve.keep_reserve(problem, int(cfg["DISPATCH_RESERVE_S"])), points
