"""Does the planner end within its time limit at every size? Plans city days of 1 to
2,000 jobs (courier bench city's generator) with ``full_time`` so the whole limit is
used, and prints the solve time against the limit (+5 %, or +0.2 s when larger).

    .venv/bin/python scripts/bench_time_limits.py
"""

from __future__ import annotations

import time

from courier.bench.city import make_city_problem
from courier.routing import solve

SIZES = [(1, 1, 1.0), (10, 3, 1.0), (50, 10, 1.0), (200, 40, 1.0), (200, 40, 4.5),
         (500, 80, 2.0), (2000, 250, 10.0)]


def main() -> None:
    for jobs, couriers, limit in SIZES:
        problem, _ = make_city_problem(jobs, couriers, 0)
        started = time.perf_counter()
        plan = solve(problem, time_limit=limit, full_time=True)
        took = time.perf_counter() - started
        served = sum(1 for r in plan.routes for s in r.steps if s.type == "delivery")
        within = took <= max(limit * 1.05, limit + 0.2)
        print(f"{jobs:5d} jobs {couriers:4d} couriers, limit {limit:4.1f} s: {took:6.2f} s, "
              f"served {served}/{jobs}, {'within' if within else 'OVER THE LIMIT'}")


if __name__ == "__main__":
    main()
