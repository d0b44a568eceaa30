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
from dataclasses import dataclass

from courier.bench.city_vroom import riding_seconds, solve_vroom
from courier.bench.verify import violations
from courier.routing import Plan, Problem, solve

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


def run_planner(problem: Problem, time_limit: float, strategy: str, name: str = "") -> Row:
    started = time.perf_counter()
    plan = solve(problem, time_limit=time_limit, strategy=strategy, full_time=True)
    return row(name or f"courier {strategy}", problem, plan, time.perf_counter() - started)


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
