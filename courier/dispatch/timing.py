"""A run ridden in a given order from where its courier is: when each stop is reached,
when the run ends, how far it goes and what it carries at most. Manual runs are timed
here, a run is re-timed when a job leaves it, and the gate judges a run by these facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app

from courier.dispatch import terrain
from courier.dispatch.planning import travel_matrix
from courier.dispatch.runfacts import RouteFacts
from courier.models import OPEN_JOB_STATUSES, Courier, Job, Run, RunStop, StopKind
from courier.routing.geo import LatLon

PLANNED_BREAKS = [-1]  # an offer's own plan of breaks, already judged when it was made


@dataclass
class Leg:
    job: Job
    kind: StopKind
    at: LatLon


@dataclass
class Timed:
    arrivals: list[datetime]  # one per leg
    end: datetime
    distance_m: int
    facts: RouteFacts


def _service(kind: StopKind) -> int:
    """Time spent at a stop: a pickup's, or a drop-off's (a return is one)."""
    key = "PICKUP_SERVICE_S" if kind == StopKind.PICKUP else "DROPOFF_SERVICE_S"
    return int(current_app.config[key])


def load_peak(legs: list[Leg], on_board: list[Job]) -> tuple[float, float]:
    """The most carried at once (kg, litres) riding ``legs`` with ``on_board`` from the
    start: a pickup loads its job, a drop-off or a return unloads it."""
    kg = sum(j.weight_kg for j in on_board)
    litres = sum(j.volume_l for j in on_board)
    peak = (kg, litres)
    for leg in legs:
        sign = 1 if leg.kind == StopKind.PICKUP else -1
        kg, litres = kg + sign * leg.job.weight_kg, litres + sign * leg.job.volume_l
        peak = (max(peak[0], round(kg, 6)), max(peak[1], round(litres, 6)))
    return peak


def time_legs(courier: Courier, legs: list[Leg], now: datetime,
              on_board: list[Job] = ()) -> Timed:
    """Ride ``legs`` in order from the courier's position at ``now`` (``on_board``: jobs
    already picked up, carried from the start)."""
    points = [LatLon(courier.lat, courier.lon)] + [leg.at for leg in legs]
    matrix = travel_matrix(points) if legs else None
    t, dist, arrivals = now, 0, []
    for i, leg in enumerate(legs):
        t += timedelta(seconds=int(matrix.durations[i][i + 1]))
        dist += int(matrix.distances[i][i + 1])
        arrivals.append(t)
        t += timedelta(seconds=_service(leg.kind))
    end_s = int((t - now).total_seconds())
    return Timed(arrivals, t, dist, RouteFacts(0, end_s, len(legs), load_peak(legs, on_board), [],
                                               dist / 1000, terrain.climb_of(points)))


def pickups_then_dropoffs(jobs: list[Job]) -> list[Leg]:
    """A manual run's order: every pickup (one per place), then every drop-off."""
    return ([Leg(j, StopKind.PICKUP, LatLon(j.pickup_lat, j.pickup_lon)) for j in jobs]
            + [Leg(j, StopKind.DROPOFF, LatLon(j.dropoff_lat, j.dropoff_lon)) for j in jobs])


def to_do(stop: RunStop) -> bool:
    """Whether ``stop`` is still to be ridden: not made, and its job still open (a failed
    job's stops are over, but for the return of its parcel)."""
    return stop.done_at is None and (stop.kind == StopKind.RETURN
                                     or stop.job.status in OPEN_JOB_STATUSES)


def _open_stops(run: Run) -> list:
    return [s for s in sorted(run.stops, key=lambda s: s.seq) if to_do(s)]


def _left(run: Run) -> tuple[list[Leg], list[Job]]:
    """What is left of ``run``: its stops still to do, in their order, and the jobs
    already on the bike for them (a failed parcel until its return)."""
    left = _open_stops(run)
    on_board = list({s.job_id: s.job for s in run.stops
                     if s.kind == StopKind.PICKUP and s.done_at is not None
                     and any(o.job_id == s.job_id for o in left)}.values())
    return [Leg(s.job, s.kind, LatLon(s.lat, s.lon)) for s in left], on_board


def remaining(run: Run, now: datetime) -> Timed:
    """What is left of ``run`` from now, timed anew from where its courier is."""
    legs, on_board = _left(run)
    return time_legs(run.courier, legs, now, on_board)


def planned(run: Run, now: datetime) -> RouteFacts:
    """What is left of ``run`` from now as it was planned: its planned end, its stops and
    load, its breaks as the offer planned them, its km (no travel times asked again) and
    its climbing from where its courier is."""
    legs, on_board = _left(run)
    end_s = max(0, int((run.planned_end - now).total_seconds()))
    here = [LatLon(run.courier.lat, run.courier.lon)] if run.courier.lat is not None else []
    return RouteFacts(0, end_s, len(legs), load_peak(legs, on_board), PLANNED_BREAKS,
                      (run.distance_m or 0) / 1000,
                      terrain.climb_of(here + [leg.at for leg in legs]))


def retime(run: Run, now: datetime, ridden_m: int | None = None) -> Timed:
    """Plan what is left of ``run`` again from the courier's position: the times of its
    stops not done, its end, and its distance (``ridden_m``, what was ridden, else that
    in proportion to the stops done, plus what is left). Returns what is left, timed
    (the gate judges it)."""
    left = _open_stops(run)
    timed = remaining(run, now)
    for stop, at in zip(left, timed.arrivals, strict=True):
        stop.planned_arrival = at
    if ridden_m is None:
        done = len(run.stops) - len(left)
        ridden_m = run.distance_m * done // (done + len(left)) if run.stops and done else 0
    run.planned_end, run.distance_m = timed.end, ridden_m + timed.distance_m
    return timed
