"""The day of a local delivery coop, as ``courier bench day`` lives it by default.

Two things make it a coop's day rather than a city-wide plan:

- **Shops deliver in their own part of town.** A drop-off is drawn evenly over the
  disc around its shop whose radius keeps the ride under :data:`DELIVERY_RADIUS_M`
  (3 km, CoopCycle's default delivery perimeter for a shop, ``distance < 3000``) at the
  matrix's detour factor, and never nearer than :data:`MIN_DROP_M`.
- **Shifts are staffed to the demand.** The coop books its slots from the forecast of
  the day's work (here the day's own arrival profile, which is what the forecast
  converges to after a few weeks of the same pattern), so more couriers ride at the
  lunch and evening peaks than at opening (:func:`staffed_shifts`). The courier-hours
  booked are those the forecast asks for: the day's jobs over the deliveries a courier
  makes in an hour on shift (:data:`JOBS_PER_COURIER_HOUR`, as the coop measures it),
  as long as its members can work them. A shift is one stretch of 3 to 10 hours (the
  rules' longest day; a break past 6 h), or, as food delivery coops staff their lunch
  and evening, two stretches of 3 to 5 hours with at least two hours off between them.
"""

from __future__ import annotations

import math
import random

from courier.bench.lyon import BOUNDS
from courier.routing.geo import LatLon
from courier.routing.matrix import ellipsoid_distance

HOUR = 3600
DELIVERY_RADIUS_M = 3000  # the ride from the shop, at most (CoopCycle's default perimeter)
DETOUR = 1.3  # ride over straight line, as the dispatch matrix has it (DETOUR_FACTOR)
MIN_DROP_M = 300
SHIFT_HOURS = range(3, 11)  # one stretch: the rules' day is 10 h at most, a break past 6 h
SPLIT_PART_HOURS = (3, 4, 5)  # or two, lunch and evening, each under the rules' break...
SPLIT_GAP_H = 2  # ...with this much time off between them
# Deliveries a courier makes per hour on shift, as the coop measures it: what this
# benchmark's dispatch does on this day (1500 jobs, 80 couriers: 2.3-2.4), and at the top
# of what bike couriers do (the demo's 1.3-1.5 ride the city day's longer legs).
JOBS_PER_COURIER_HOUR = 2.3
WORK_LAG_S = 3600  # a job's work falls in the hour after it is sent (offer, ride, door)


def local_dropoff(rng: random.Random, shop: LatLon) -> LatLon:
    """A drop-off evenly spread over the shop's delivery area (see the module
    docstring), inside the city."""
    radius = DELIVERY_RADIUS_M / DETOUR
    south, west, north, east = BOUNDS
    for _ in range(50):
        r = math.sqrt(rng.uniform(MIN_DROP_M ** 2, radius ** 2))
        a = rng.uniform(0, 2 * math.pi)
        lat = shop.lat + r * math.cos(a) / 111_320
        lon = shop.lon + r * math.sin(a) / (111_320 * math.cos(math.radians(shop.lat)))
        p = LatLon(round(lat, 6), round(lon, 6))
        if (south <= lat <= north and west <= lon <= east
                and ellipsoid_distance(shop, p) * DETOUR <= DELIVERY_RADIUS_M):
            return p
    return shop  # (never met in Lyon: half the disc at least is in the city)


def hourly_work(weights: list[float], length_s: int) -> list[float]:
    """The share of the day's work in each of its hours: each minute's arrivals
    (``weights``, one per minute sent) spread over the :data:`WORK_LAG_S` after it."""
    hours = math.ceil(length_s / HOUR)
    work = [0.0] * hours
    lag = WORK_LAG_S // 60
    for m, w in enumerate(weights):
        for k in range(m, m + lag):
            work[min(k // 60, hours - 1)] += w / lag
    total = sum(work) or 1.0
    return [w / total for w in work]


def shift_options(hours: int) -> list[tuple[tuple[int, int], ...]]:
    """The shifts a courier may take on a day of ``hours`` (in hours from opening): one
    stretch of :data:`SHIFT_HOURS`, or two of :data:`SPLIT_PART_HOURS` with at least
    :data:`SPLIT_GAP_H` between them (lunch and evening)."""
    singles = [((s, s + n),) for n in SHIFT_HOURS if n <= hours for s in range(hours - n + 1)]
    splits = [((a, a + n1), (c, c + n2)) for n1 in SPLIT_PART_HOURS for n2 in SPLIT_PART_HOURS
              for a in range(hours) for c in range(a + n1 + SPLIT_GAP_H, hours - n2 + 1)
              if n1 + n2 <= max(SHIFT_HOURS)]
    return singles + splits or [((0, hours),)]


def courier_hours(jobs: int) -> int:
    """The courier-hours the forecast asks for ``jobs`` in a day."""
    return math.ceil(jobs / JOBS_PER_COURIER_HOUR)


def staffed_shifts(couriers: int, work: list[float], hours_wanted: int
                   ) -> list[tuple[tuple[int, int], ...]]:
    """Each courier's shift (its stretches, in hours from opening), staffed to ``work``
    (the share of the day's work in each hour) with ``hours_wanted`` courier-hours (as
    near as ``couriers`` can work them): the shifts of :func:`shift_options` that give
    the hour worst served the most couriers for its work, and among those the nearest to
    couriers in proportion to the work every hour, with as few split shifts as that
    allows (a small integer program, solved exactly in two steps)."""
    from ortools.sat.python import cp_model

    hours = len(work)
    options = shift_options(hours)
    size = [sum(b - a for a, b in o) for o in options]
    budget = min(max(hours_wanted, couriers * min(size)), couriers * max(size))
    share = [round(w * 1000) for w in work]  # thousandths of the day's work

    def model():
        m = cp_model.CpModel()
        x = [m.NewIntVar(0, couriers, f"x{i}") for i in range(len(options))]
        m.Add(sum(x) == couriers)
        m.Add(sum(k * n for k, n in zip(x, size, strict=True)) == budget)
        on = [sum(k for k, o in zip(x, options, strict=True) if any(a <= h < b for a, b in o))
              for h in range(hours)]
        return m, x, on

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1  # one worker: the same answer every time
    m, x, on = model()  # 1. the most couriers per share of the work in the worst hour
    per_work = m.NewIntVar(0, couriers * 10**4, "per_work")
    for h in range(hours):
        m.Add(on[h] * 10**4 >= per_work * share[h])
    m.Maximize(per_work)
    if solver.Solve(m) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise ValueError("no shifts can staff this day")
    best = solver.Value(per_work)
    m, x, on = model()  # 2. that, nearest to the work every hour, fewest split shifts
    gaps = []
    for h in range(hours):
        m.Add(on[h] * 10**4 >= best * share[h])
        wanted = round(min(share[h] * budget / 100, 10 * couriers))  # in tenths
        gap = m.NewIntVar(0, 10 * couriers, f"gap{h}")
        m.Add(10 * on[h] - wanted <= gap)
        m.Add(wanted - 10 * on[h] <= gap)
        gaps.append(gap)
    m.Minimize(100 * sum(gaps) + sum(k for k, o in zip(x, options, strict=True) if len(o) > 1))
    solver.Solve(m)
    return sorted(o for k, o in zip(x, options, strict=True) for _ in range(solver.Value(k)))
