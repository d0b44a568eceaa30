"""``courier bench city --compare-vroom``: the planner and VROOM on the same day.

Both solve the same :func:`courier.bench.city.make_city_problem` (same
matrix) in the same run; both plans go through the independent verifier
(:mod:`courier.bench.verify`) and are printed side by side: jobs served,
couriers sent out, km, riding hours, route hours, seconds. Figures to
compare are ratios within one run, never against figures from another day.
"""

from __future__ import annotations

import resource
import time
from dataclasses import dataclass, replace

from courier.bench.city_vroom import riding_seconds, solve_vroom
from courier.bench.verify import violations
from courier.routing import Plan, Problem, solve

#: Cost factors of the fairness rows: the couriers who worked less this week
#: (even numbers here) ride cheaper, the others dearer.
FAVOURED, OTHERS = 0.7, 1.3

HOUR = 3600


@dataclass(frozen=True)
class Row:
    solver: str
    served: int
    couriers: int
    km: float
    riding_h: float
    route_h: float
    seconds: float
    errors: tuple[str, ...]


def row(name: str, problem: Problem, plan: Plan, seconds: float) -> Row:
    return Row(name, len(problem.shipments) - len(plan.unassigned), len(plan.routes),
               round(plan.stats.distance / 1000, 1),
               round(riding_seconds(problem, plan) / HOUR, 1),
               round(sum(r.duration for r in plan.routes) / HOUR, 1), round(seconds, 2),
               tuple(violations(problem, plan)))


def run_planner(problem: Problem, time_limit: float, strategy: str, name: str = "",
                courier_cost: int | None = None) -> tuple[Row, Plan]:
    started = time.perf_counter()
    plan = solve(problem, time_limit=time_limit, strategy=strategy, full_time=True,
                 courier_cost=courier_cost)
    return row(name or f"courier {strategy}", problem, plan, time.perf_counter() - started), plan


def run_vroom(problem: Problem, exploration: int, threads: int) -> Row:
    started = time.perf_counter()
    plan = solve_vroom(problem, exploration, threads)
    return row(f"vroom x{exploration}", problem, plan, time.perf_counter() - started)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


HEADER = (f"{'solver':<24} {'served':>6} {'couriers':>8} {'km':>8} {'riding h':>8} "
          f"{'route h':>8} {'seconds':>8}  verifier")


def format_row(r: Row, base: Row | None = None) -> str:
    verdict = "ok" if not r.errors else f"{len(r.errors)} errors: {r.errors[0]}"
    text = (f"{r.solver:<24} {r.served:>6} {r.couriers:>8} {r.km:>8.1f} {r.riding_h:>8.1f} "
            f"{r.route_h:>8.1f} {r.seconds:>8.2f}  {verdict}")
    if base is not None and base is not r and r.km and r.couriers:
        text += (f"   (km x{base.km / r.km:.3f}, couriers x{base.couriers / r.couriers:.3f} "
                 f"of {base.solver})")
    return text


def with_fairness(problem: Problem) -> Problem:
    vehicles = [replace(v, cost_factor=FAVOURED if i % 2 == 0 else OTHERS)
                for i, v in enumerate(problem.vehicles)]
    return replace(problem, vehicles=vehicles)


def favoured_share(problem: Problem, plan: Plan) -> float:
    """Share of the riding done by the couriers with the lower cost factor."""
    favoured = {v.id for i, v in enumerate(problem.vehicles) if i % 2 == 0}
    ride = {r.vehicle: riding_seconds(problem, Plan((r,), (), plan.stats)) for r in plan.routes}
    total = sum(ride.values())
    return sum(t for v, t in ride.items() if v in favoured) / total if total else 0.0


def compare(day, jobs: int, couriers: int, seed: int, time_limit: float, explorations,
            threads: int, strategies=("default",), courier_costs=(), fairness=False) -> list[Row]:
    """Solve one day with the planner and VROOM and print the rows side by side; ``day``
    makes the day's problem (``courier.bench.city.make_city_problem``)."""
    import click

    started = time.perf_counter()
    problem, meta = day(jobs, couriers, seed)
    matrix = time.perf_counter() - started
    click.echo(f"{meta.city}: {jobs} jobs, {couriers} couriers ({meta.kinds.count('bike')} bikes, "
               f"{meta.kinds.count('cargo')} cargo bikes), seed {seed}, limit {time_limit:g} s, "
               f"matrix {matrix:.2f} s")
    click.echo(HEADER)
    rows: list[Row] = []

    def show(r: Row) -> None:
        rows.append(r)
        click.echo(format_row(r, rows[0]))

    for strategy in strategies:
        for cost in courier_costs or (None,):
            name = f"courier {strategy}" + (f" c{cost}" if cost is not None else "")
            show(run_planner(problem, time_limit, strategy, name, cost)[0])
    if fairness:
        plain_row, plain_plan = rows[0], None
        fair = with_fairness(problem)
        r, plan = run_planner(fair, time_limit, strategies[0], "courier fairness factors")
        show(r)
        _, plain_plan = run_planner(problem, time_limit, strategies[0])
        click.echo(f"riding by the favoured half: {favoured_share(problem, plain_plan):.0%} "
                   f"without factors, {favoured_share(fair, plan):.0%} with "
                   f"({plain_row.solver} row above: without)")
    for level in explorations:
        show(run_vroom(problem, level, threads))
    click.echo(f"peak RSS {peak_rss_mb():.0f} MB")
    return rows
