"""Generate larger PDPTW instances in the Li & Lim text format.

The Li & Lim 200- to 1000-task instances are not on disk, so the bench can
make its own. Each instance is built around a plan that is feasible by
construction, the way Li & Lim built theirs from solved Solomon routes:

1. draw customer locations in a 100 x 100 square (``r``: uniform, ``c``:
   around 8 cluster centres, ``rc``: half and half), depot in the centre;
2. build routes one at a time: add a random pair (pickup and delivery location,
   demand 10 to 40 in steps of 10) at random positions of the current route,
   pickup before delivery, as long as the vehicle capacity and the depot's
   closing time allow, then start a new route;
3. give every node a time window of random width (``--tw-min`` to
   ``--tw-max``) around the time the constructed plan serves it.

So the constructed plan respects every window, and its number of routes and
its distance are an upper bound, written as a reference row (same columns as
``bks.csv``) next to the instances.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

SERVICE = 10
DEPOT = (50.0, 50.0)


@dataclass(frozen=True)
class Generated:
    name: str
    text: str  # the instance file
    routes: list[list[int]]  # the constructed plan, node numbers of the file
    distance: float


def _point(rng: random.Random, kind: str, centres) -> tuple[float, float]:
    if kind == "c" or (kind == "rc" and rng.random() < 0.5):
        cx, cy = rng.choice(centres)
        return (min(100.0, max(0.0, round(rng.gauss(cx, 5.0)))),
                min(100.0, max(0.0, round(rng.gauss(cy, 5.0)))))
    return float(rng.randint(0, 100)), float(rng.randint(0, 100))


def _dist(a, b) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


def _schedule(seq, points, demand, capacity, horizon):
    """Service start times along ``seq`` (no waiting), or None if infeasible."""
    t, at, load, times = 0.0, DEPOT, 0, []
    for node in seq:
        t += _dist(at, points[node])
        times.append(t)
        load += demand[node]
        if load > capacity:
            return None
        t += SERVICE
        at = points[node]
    return times if t + _dist(at, DEPOT) <= horizon else None


def generate(pairs: int, seed: int = 1, kind: str = "r", capacity: int = 200,
             horizon: int = 1000, tw_min: int = 30, tw_max: int = 120,
             vehicles: int | None = None) -> Generated:
    """One instance with ``pairs`` pickup-and-delivery requests (see module docstring)."""
    if kind not in ("r", "c", "rc"):
        raise ValueError("kind must be r, c or rc")
    rng = random.Random(f"{kind}-{pairs}-{seed}")
    centres = [(rng.randint(10, 90), rng.randint(10, 90)) for _ in range(8)]
    points, demand, partner = {}, {}, {}
    routes: list[list[int]] = []
    current: list[int] = []
    node = 0
    for _ in range(pairs):
        p, d = node, node + 1
        node += 2
        points[p], points[d] = _point(rng, kind, centres), _point(rng, kind, centres)
        demand[p] = 10 * rng.randint(1, 4)
        demand[d] = -demand[p]
        partner[p], partner[d] = d, p
        for attempt in range(2):
            i = rng.randint(0, len(current))
            j = rng.randint(i, len(current))
            trial = current[:i] + [p] + current[i:j] + [d] + current[j:]
            if _schedule(trial, points, demand, capacity, horizon) is not None:
                current = trial
                break
            if attempt == 0:
                routes.append(current)
                current = []
        else:
            raise ValueError("a pair does not fit in an empty route: raise the horizon")
    routes.append(current)
    routes = [r for r in routes if r]

    # Number the nodes 1..2n in random order, windows around the constructed times.
    order = list(points)
    rng.shuffle(order)
    number = {old: new + 1 for new, old in enumerate(order)}
    window = {}
    for r in routes:
        for old, t in zip(r, _schedule(r, points, demand, capacity, horizon), strict=True):
            width = rng.randint(tw_min, tw_max)
            start = max(0, math.floor(t - rng.uniform(0, width)))
            window[old] = (start, min(horizon, max(start + width, math.ceil(t))))
    fleet = vehicles or max(25, 2 * len(routes))
    name = f"gen_{kind}_{pairs}_{seed}"
    lines = [f"{fleet}\t{capacity}\t1", f"0\t{DEPOT[0]:g}\t{DEPOT[1]:g}\t0\t0\t{horizon}\t0\t0\t0"]
    for old in order:
        x, y = points[old]
        e, lt = window[old]
        pick = number[partner[old]] if demand[old] < 0 else 0
        deliver = number[partner[old]] if demand[old] > 0 else 0
        lines.append(f"{number[old]}\t{x:g}\t{y:g}\t{demand[old]}\t{e}\t{lt}\t{SERVICE}\t"
                     f"{pick}\t{deliver}")
    plan = [[number[n] for n in r] for r in routes]
    distance = sum(_dist(DEPOT, points[r[0]]) + _dist(points[r[-1]], DEPOT)
                   + sum(_dist(points[a], points[b]) for a, b in zip(r, r[1:], strict=False))
                   for r in routes)
    return Generated(name, "\n".join(lines) + "\n", plan, distance)
