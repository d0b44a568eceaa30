"""``courier bench city``: a synthetic but realistic courier day in Lyon.

The issue's target: 300 jobs and 60 couriers planned in at most 5 s with every
feasible job served. :func:`make_city_problem` builds the day (deterministic
for a seed, so figures can be reproduced and compared), the command solves it
with :func:`courier.routing.solve` on a :class:`GeodesicMatrix` and prints plan
time, jobs served, kilometres and courier hours.

The day: jobs are picked up near real shops and delivered around real
neighbourhoods (:mod:`courier.bench.lyon`), become ready between 08:00 and
18:00 and must be delivered within 1 to 4 hours; they weigh 0-25 kg (mostly
light). Couriers start from home on staggered shifts covering 08:00-20:00;
three in ten ride cargo bikes (80 kg / 250 L, 25% slower), the others bikes
(15 kg / 40 L, 4.2 m/s). Times are seconds from midnight, amounts grams and
millilitres, as in dispatch.
"""

from __future__ import annotations

import json
import math
import random
import time
from dataclasses import asdict, dataclass

import click

from courier.bench.city_vroom import riding_seconds
from courier.bench.lyon import BOUNDS, CITY, NEIGHBOURHOODS, SHOPS
from courier.routing import Problem, Shipment, Stop, TimeWindow, Vehicle, solve
from courier.routing.geo import LatLon
from courier.routing.matrix import GeodesicMatrix, MatrixProvider

HOUR = 3600
BIKE_SPEED_MPS = 4.2  # about 15 km/h, average city riding including lights
DETOUR = 1.3
BIKE = {"kind": "bike", "capacity": (15_000, 40_000), "speed_factor": 1.0}
CARGO = {"kind": "cargo", "capacity": (80_000, 250_000), "speed_factor": 1.25}
# (start, end) in hours; courier i gets SHIFTS[i % 5]; i % 10 in CARGO_SLOTS rides cargo.
SHIFTS = ((8, 14), (14, 20), (8, 16), (12, 20), (10, 18))
CARGO_SLOTS = (2, 5, 8)
# Minutes from ready to deliver-by, with their weights.
WINDOWS = ((60, 20), (120, 45), (180, 20), (240, 15))
PICKUP_SERVICE, DELIVERY_SERVICE = 120, 180
TARGET_SECONDS = 5.0


@dataclass(frozen=True)
class CityMeta:
    """What the generator made, for reports and tests. ``points[k]`` is the
    position of matrix location ``k``; ``kinds[i]`` is vehicle i's bike kind."""

    city: str
    seed: int
    points: tuple[LatLon, ...]
    kinds: tuple[str, ...]


def _jitter(rng: random.Random, centre: LatLon, sigma_m: float) -> LatLon:
    """A point normally scattered around ``centre``, kept inside the city."""
    south, west, north, east = BOUNDS
    dlat = rng.gauss(0, sigma_m) / 111_320
    dlon = rng.gauss(0, sigma_m) / (111_320 * math.cos(math.radians(centre.lat)))
    lat = min(max(centre.lat + dlat, south), north)
    lon = min(max(centre.lon + dlon, west), east)
    return LatLon(round(lat, 6), round(lon, 6))


def _amount(rng: random.Random) -> tuple[int, int]:
    """(grams, millilitres): two thirds under 5 kg, a tenth between 15 and 25 kg."""
    r = rng.random()
    kg = rng.uniform(0.2, 5) if r < 0.65 else rng.uniform(5, 15) if r < 0.9 else rng.uniform(15, 25)
    litres = kg * rng.uniform(1.0, 3.0) + rng.uniform(0.5, 5.0)
    return round(kg * 1000), round(litres * 1000)


def make_city_problem(
    jobs: int,
    couriers: int,
    seed: int = 0,
    provider: MatrixProvider | None = None,
) -> tuple[Problem, CityMeta]:
    """A day of ``jobs`` jobs and ``couriers`` couriers in Lyon; the same
    arguments always give the same problem. ``provider`` defaults to the
    geodesic matrix at bike speed with a 1.3 detour."""
    if jobs < 0 or couriers < 0:
        raise ValueError("jobs and couriers must not be negative")
    rng = random.Random(seed)
    shops, homes = list(SHOPS.values()), list(NEIGHBOURHOODS.values())
    points: list[LatLon] = []
    vehicles, kinds = [], []
    for i in range(couriers):
        spec = CARGO if i % 10 in CARGO_SLOTS else BIKE
        start, end = SHIFTS[i % len(SHIFTS)]
        points.append(_jitter(rng, rng.choice(homes), 600))
        vehicles.append(
            Vehicle(
                id=f"{spec['kind']}-{i}",
                start=len(points) - 1,
                time_window=TimeWindow(start * HOUR, end * HOUR),
                capacity=spec["capacity"],
                max_working_time=(end - start) * HOUR,
                speed_factor=spec["speed_factor"],
            )
        )
        kinds.append(spec["kind"])
    minutes, weights = zip(*WINDOWS, strict=True)
    shipments = []
    for j in range(jobs):
        pickup = _jitter(rng, rng.choice(shops), 250)
        delivery = _jitter(rng, rng.choice(homes), 700)
        ready = 8 * HOUR + 300 * rng.randrange(0, 10 * 12 + 1)  # 08:00-18:00, 5-minute steps
        deliver_by = min(ready + 60 * rng.choices(minutes, weights)[0], 20 * HOUR)
        points += [pickup, delivery]
        shipments.append(
            Shipment(
                id=f"job-{j}",
                pickup=Stop(len(points) - 2, TimeWindow(ready, deliver_by), PICKUP_SERVICE),
                delivery=Stop(len(points) - 1, TimeWindow(ready, deliver_by), DELIVERY_SERVICE),
                amount=_amount(rng),
            )
        )
    provider = provider or GeodesicMatrix(BIKE_SPEED_MPS, DETOUR)
    m = provider.matrix(points)
    problem = Problem(shipments, vehicles, m.durations, m.distances)
    return problem, CityMeta(CITY, seed, tuple(points), tuple(kinds))


@dataclass(frozen=True)
class CityResult:
    """The benchmark's figures (what ``--json`` prints)."""

    city: str
    jobs: int
    couriers: int
    bikes: int
    cargo_bikes: int
    seed: int
    time_limit: float
    matrix_seconds: float
    solve_seconds: float
    plan_seconds: float
    served: int
    feasible: int
    status: str
    couriers_used: int
    km: float
    courier_hours: float
    riding_hours: float
    target_met: bool


def run_city(jobs: int, couriers: int, seed: int = 0, time_limit: float = 4.5) -> CityResult:
    """Generate, solve and measure one city day."""
    started = time.perf_counter()
    problem, meta = make_city_problem(jobs, couriers, seed)
    matrix_done = time.perf_counter()
    plan = solve(problem, time_limit=time_limit)
    done = time.perf_counter()
    infeasible = sum(1 for u in plan.unassigned if u.reason != "no_room")
    feasible = jobs - infeasible
    served = jobs - len(plan.unassigned)
    return CityResult(
        city=meta.city,
        jobs=jobs,
        couriers=couriers,
        bikes=meta.kinds.count("bike"),
        cargo_bikes=meta.kinds.count("cargo"),
        seed=seed,
        time_limit=time_limit,
        matrix_seconds=round(matrix_done - started, 3),
        solve_seconds=round(done - matrix_done, 3),
        plan_seconds=round(done - started, 3),
        served=served,
        feasible=feasible,
        status=plan.stats.status,
        couriers_used=len(plan.routes),
        km=round(sum(r.distance for r in plan.routes) / 1000, 1),
        courier_hours=round(sum(r.duration for r in plan.routes) / HOUR, 1),
        riding_hours=round(riding_seconds(problem, plan) / HOUR, 1),
        target_met=done - started <= TARGET_SECONDS and served == feasible,
    )


@click.command("city")
@click.option("--jobs", type=click.IntRange(min=0), default=300, show_default=True)
@click.option("--couriers", type=click.IntRange(min=0), default=60, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0, min_open=True),
    default=4.5,
    show_default=True,
    help="Solver time limit in seconds (the matrix comes on top).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option("--compare-vroom", is_flag=True,
              help="Also solve the day with VROOM (pyvroom) and verify both plans, side by side.")
@click.option("--exploration", multiple=True, type=click.IntRange(0, 5), default=(1, 5),
              show_default=True, help="VROOM exploration levels (repeatable).")
@click.option("--vroom-threads", default=2, show_default=True)
@click.option("--strategy", "strategies", multiple=True, default=("default",),
              show_default=True, type=click.Choice(["default", "vehicles_first", "ortools"]),
              help="solve() strategies for the comparison (repeatable).")
@click.option("--courier-cost", "courier_costs", multiple=True, type=int,
              help="Weights of a courier sent out for the comparison (repeatable).")
@click.option("--fairness", is_flag=True,
              help="Comparison: also plan with the fairness rules' cost factors (0.7 for the "
                   "couriers who worked less, 1.3 for the others) and show who rides.")
def city_command(jobs: int, couriers: int, seed: int, time_limit: float, as_json: bool,
                 compare_vroom: bool, exploration, vroom_threads: int, strategies,
                 courier_costs, fairness: bool) -> None:
    """Plan a synthetic day in Lyon and print time, service, km and hours."""
    if compare_vroom:
        from courier.bench.city_compare import compare

        compare(make_city_problem, jobs, couriers, seed, time_limit, exploration,
                vroom_threads, strategies, courier_costs, fairness)
        return
    r = run_city(jobs, couriers, seed, time_limit)
    if as_json:
        click.echo(json.dumps(asdict(r), indent=2))
        return
    click.echo(
        f"{r.city}: {r.jobs} jobs, {r.couriers} couriers "
        f"({r.bikes} bikes, {r.cargo_bikes} cargo bikes), seed {r.seed}"
    )
    click.echo(
        f"plan time      {r.plan_seconds:.2f} s (matrix {r.matrix_seconds:.2f} s, "
        f"solve {r.solve_seconds:.2f} s, limit {r.time_limit:g} s)"
    )
    click.echo(f"jobs served    {r.served}/{r.jobs} ({r.served}/{r.feasible} feasible)")
    click.echo(f"status         {r.status}, {r.couriers_used} couriers used")
    click.echo(f"distance       {r.km:.1f} km")
    click.echo(f"courier hours  {r.courier_hours:.1f} h ({r.riding_hours:.1f} h riding)")
    verdict = "met" if r.target_met else "NOT met"
    click.echo(f"target         {verdict} (<= {TARGET_SECONDS:g} s, every feasible job served)")
