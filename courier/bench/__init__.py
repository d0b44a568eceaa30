"""Benchmark commands: ``courier bench ...`` (or ``python -m courier.bench ...``).

The group is ``bench``; each benchmark registers a command on it (``lilim``
here, ``city`` in :mod:`courier.bench.city`).
"""

from __future__ import annotations

import json
import sys

import click


@click.group()
def bench() -> None:
    """Solver benchmarks."""


@bench.command("lilim")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--time-limit", default=10.0, show_default=True, type=float,
              help="Seconds per instance for OR-Tools.")
@click.option("--routes-out", type=click.Path(file_okay=False),
              help="Write each solution in SINTEF's format to DIR/<solver>/<instance>.txt.")
@click.option("--compare-vroom", is_flag=True, help="Also solve every instance with pyvroom.")
@click.option("--vroom-threads", default=2, show_default=True, help="Threads for VROOM.")
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON.")
@click.option("--bks", "bks_file", type=click.Path(dir_okay=False),
              help="Best-known solutions CSV [default: shared/bench/lilim/bks.csv next to "
                   "the repository].")
@click.option("--jobs", default=1, show_default=True, help="Instances solved in parallel.")
@click.option("--strategy", default="vehicles_first", show_default=True,
              type=click.Choice(["vehicles_first", "default"]),
              help="solve() strategy for OR-Tools.")
def lilim(paths, time_limit, routes_out, compare_vroom, vroom_threads, as_json, bks_file, jobs,
          strategy) -> None:
    """Solve Li & Lim PDPTW instances (files or directories), verify every solution
    independently and compare with the best known solutions (vehicles, then distance)."""
    from courier.bench.lilim_run import (
        HEADER,
        default_bks_path,
        format_row,
        format_totals,
        instance_paths,
        load_bks,
        run_all,
        totals,
    )

    files = instance_paths(paths)
    if not files:
        raise click.UsageError("no instance files found")
    try:
        bks = load_bks(bks_file or default_bks_path())
    except ValueError as err:
        raise click.UsageError(f"--bks: {err}") from None
    if bks_file and not bks:
        raise click.UsageError(f"cannot read {bks_file}")
    solvers = ["ortools"] + (["vroom"] if compare_vroom else [])
    if not as_json:
        click.echo(HEADER)
    results = run_all(files, solvers, time_limit, strategy, routes_out, jobs, bks,
                      on_result=None if as_json else lambda r: click.echo(format_row(r)),
                      vroom_threads=vroom_threads)
    summary = {s: totals(rs) for s, rs in results.items()}
    if as_json:
        json.dump({"time_limit": time_limit, "strategy": strategy, "results": results,
                   "totals": summary}, sys.stdout, indent=1)
        click.echo()
    else:
        for t in summary.values():
            click.echo(format_totals(t))
    if any(not r["feasible"] for rs in results.values() for r in rs):
        sys.exit(1)


@bench.command("lilim-generate")
@click.argument("out", type=click.Path(file_okay=False))
@click.option("--pairs", default=200, show_default=True, help="Requests per instance.")
@click.option("--kind", "kinds", multiple=True, default=("r", "c", "rc"), show_default=True,
              type=click.Choice(["r", "c", "rc"]), help="Customer layout (repeatable).")
@click.option("--seeds", default=2, show_default=True, help="Instances per layout.")
@click.option("--horizon", default=1000, show_default=True, help="Depot closing time.")
@click.option("--capacity", default=200, show_default=True)
def lilim_generate(out, pairs, kinds, seeds, horizon, capacity) -> None:
    """Write generated Li & Lim-format instances to OUT, with ``reference.csv`` (the
    feasible plan each was built around: an upper bound) and that plan in SINTEF format."""
    from pathlib import Path

    from courier.bench.lilim import parse, write_sintef
    from courier.bench.lilim_gen import generate

    folder = Path(out)
    (folder / "reference_solutions").mkdir(parents=True, exist_ok=True)
    rows = ["instance,nominal_tasks,vehicles,distance,date,reference,solution_file"]
    for kind in kinds:
        for seed in range(1, seeds + 1):
            g = generate(pairs, seed, kind, capacity=capacity, horizon=horizon)
            (folder / f"{g.name}.txt").write_text(g.text)
            solution = f"reference_solutions/{g.name}.txt"
            write_sintef(folder / solution, parse(folder / f"{g.name}.txt"), g.routes,
                         "courier bench lilim-generate (constructed plan)")
            rows.append(f"{g.name},{2 * pairs},{len(g.routes)},{g.distance:.4f},,"
                        f"constructed,{solution}")
            click.echo(f"{g.name}: {pairs} pairs, constructed with {len(g.routes)} routes")
    (folder / "reference.csv").write_text("\n".join(rows) + "\n")


from courier.bench.city import city_command  # noqa: E402

bench.add_command(city_command)

from courier.bench.day import day_command  # noqa: E402

bench.add_command(day_command)

from courier.bench.federation import federation_command  # noqa: E402

bench.add_command(federation_command)
