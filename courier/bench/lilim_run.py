"""Run the Li & Lim benchmark: solve, verify, compare with the best known solutions.

One instance per process when ``jobs > 1`` (each OR-Tools search is single
threaded, so one process per core). Times are wall clock around ``solve()``
(model building included), or around VROOM's solve for the comparison rows.
"""

from __future__ import annotations

import csv
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from courier.bench.lilim import parse, routes_of, to_problem, verify, write_sintef


def default_bks_path() -> Path:
    """``shared/bench/lilim/bks.csv`` next to the repository (its root's sibling)."""
    root = Path(__file__).resolve().parents[2]
    return root.parent / "shared" / "bench" / "lilim" / "bks.csv"


def load_bks(path: Path | None) -> dict[str, tuple[int, float]]:
    """Instance name -> (vehicles, distance) of the best known solution."""
    if path is None or not Path(path).is_file():
        return {}
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        missing = {"instance", "vehicles", "distance"} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: no column {', '.join(sorted(missing))} in the header")
        try:
            return {row["instance"]: (int(row["vehicles"]), float(row["distance"]))
                    for row in reader}
        except (TypeError, ValueError) as err:
            raise ValueError(f"{path}, line {reader.line_num}: {err}") from None


def instance_paths(paths) -> list[Path]:
    """Files as given, directories expanded to their ``*.txt`` files, sorted."""
    out: list[Path] = []
    for p in map(Path, paths):
        out.extend(sorted(p.glob("*.txt")) if p.is_dir() else [p])
    return out


def run_one(path: str, solver: str, time_limit: float, strategy: str,
            routes_out: str | None, vroom_threads: int = 2) -> dict:
    """Solve and verify one instance; a plain dict so it crosses process boundaries."""
    inst = parse(path)
    started = time.perf_counter()
    if solver == "vroom":
        from courier.bench.vroom_lilim import solve_vroom

        routes = solve_vroom(inst, threads=vroom_threads)
        elapsed = time.perf_counter() - started
    else:
        from courier.routing import solve

        plan = solve(to_problem(inst), time_limit, strategy=strategy, full_time=True)
        elapsed = time.perf_counter() - started
        routes = routes_of(plan)
    verdict = verify(inst, routes)
    if routes_out:
        folder = Path(routes_out) / solver
        folder.mkdir(parents=True, exist_ok=True)
        write_sintef(folder / f"{inst.name}.txt", inst, routes,
                     "courier bench lilim, " + ("VROOM" if solver == "vroom" else "OR-Tools"))
    return {"instance": inst.name, "solver": solver, "pairs": inst.pairs,
            "vehicles": verdict.vehicles, "distance": round(verdict.distance, 4),
            "feasible": verdict.feasible, "errors": list(verdict.errors),
            "time": round(elapsed, 3)}


def attach_bks(result: dict, bks: dict[str, tuple[int, float]]) -> dict:
    """Add BKS vehicles/distance and the distance gap (same vehicle count only)."""
    ref = bks.get(result["instance"])
    result["bks_vehicles"], result["bks_distance"], result["gap"] = None, None, None
    if ref:
        result["bks_vehicles"], result["bks_distance"] = ref
        if result["feasible"] and result["vehicles"] == ref[0]:
            result["gap"] = round(100.0 * (result["distance"] - ref[1]) / ref[1], 3)
    return result


def totals(results: list[dict]) -> dict:
    """Totals row: vehicles, instances at the BKS vehicle count, mean gap on those."""
    with_bks = [r for r in results if r["bks_vehicles"] is not None]
    at_bks = [r for r in with_bks if r["feasible"] and r["vehicles"] <= r["bks_vehicles"]]
    gaps = [r["gap"] for r in at_bks if r["gap"] is not None]
    return {
        "solver": results[0]["solver"] if results else "",
        "instances": len(results),
        "feasible": sum(r["feasible"] for r in results),
        "vehicles": sum(r["vehicles"] for r in results),
        "bks_vehicles": sum(r["bks_vehicles"] for r in with_bks),
        "with_bks": len(with_bks),
        "at_bks_vehicles": len(at_bks),
        "mean_gap": round(sum(gaps) / len(gaps), 3) if gaps else None,
        "mean_time": round(sum(r["time"] for r in results) / len(results), 3) if results else 0,
        "max_time": max((r["time"] for r in results), default=0),
    }


def run_all(paths: list[Path], solvers: list[str], time_limit: float, strategy: str,
            routes_out: str | None, jobs: int, bks: dict, on_result=None,
            vroom_threads: int = 2) -> dict[str, list[dict]]:
    """Run every (solver, instance); ``on_result`` sees each result, in order."""
    tasks = [(str(p), s, time_limit, strategy, routes_out, vroom_threads)
             for s in solvers for p in paths]
    out: dict[str, list[dict]] = {s: [] for s in solvers}
    if jobs > 1:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            results = pool.map(run_one, *zip(*tasks, strict=True))
            for r in results:
                out[r["solver"]].append(attach_bks(r, bks))
                if on_result:
                    on_result(r)
    else:
        for task in tasks:
            r = attach_bks(run_one(*task), bks)
            out[r["solver"]].append(r)
            if on_result:
                on_result(r)
    return out


HEADER = (f"{'solver':8} {'instance':12} {'pairs':>5} {'veh':>4} {'distance':>10} "
          f"{'bks_veh':>7} {'bks_dist':>10} {'gap_%':>7} {'time_s':>7}  feasible")


def format_row(r: dict) -> str:
    def opt(x, fmt):
        return format(x, fmt) if x is not None else "-"

    return (f"{r['solver']:8} {r['instance']:12} {r['pairs']:5d} {r['vehicles']:4d} "
            f"{r['distance']:10.2f} {opt(r['bks_vehicles'], '7d'):>7} "
            f"{opt(r['bks_distance'], '10.2f'):>10} {opt(r['gap'], '7.2f'):>7} "
            f"{r['time']:7.2f}  {'yes' if r['feasible'] else 'NO: ' + '; '.join(r['errors'][:2])}")


def format_totals(t: dict) -> str:
    gap = f"{t['mean_gap']:.2f} %" if t["mean_gap"] is not None else "-"
    return (f"{t['solver']:8} TOTAL: {t['vehicles']} vehicles (BKS {t['bks_vehicles']}), "
            f"{t['at_bks_vehicles']}/{t['with_bks']} at the BKS vehicle count, mean gap on "
            f"those {gap}, mean time {t['mean_time']:.2f} s (max {t['max_time']:.2f} s), "
            f"feasible {t['feasible']}/{t['instances']}")
