"""``courier bench day``: a whole day of live dispatch run through the real app, measured,
beside a greedy baseline living the same day.

Each policy runs on a database of its own (a SQLite file in a temporary folder, or the
empty database of ``--database-url``, emptied between the two), with the app built by
the command's own factory, on a simulated clock (:mod:`courier.bench.day_sim`). The
day is drawn once from the seed (:mod:`courier.bench.day_plan`); the figures are in
:mod:`courier.bench.day_figures`.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import ScriptInfo

from courier.bench.day_figures import figures, missed, table
from courier.bench.day_greedy import greedy_solve
from courier.bench.day_plan import FAIRNESS, OPENING_HOUR, Day, Settings, check, make_day
from courier.bench.day_plot import plot, pyplot
from courier.bench.day_sim import Simulation
from courier.db import empty_all_tables
from courier.extensions import db
from courier.models import User
from courier.routing import solve

POLICIES = ("dispatch", "greedy")


def app_config(url: str, time_limit: float | None = None, hold: int | None = None) -> dict:
    """The app as it ships (offer expiry, speeds, rules), on ``url``, with no
    background cycles: the simulation runs them on its clock. ``time_limit``: the
    dispatch search's seconds per cycle (``DISPATCH_TIME_LIMIT``; None: the app's);
    ``hold``: the seconds a run may be held back to ride with later jobs
    (``DISPATCH_HOLD_S``; None: the app's)."""
    cfg = {"SECRET_KEY": secrets.token_hex(16), "DATABASE_URL": url, "AUTO_MIGRATE": True,
           "DISPATCH_AUTORUN": False}
    if time_limit is not None:
        cfg["DISPATCH_TIME_LIMIT"] = time_limit
    if hold is not None:
        cfg["DISPATCH_HOLD_S"] = hold
    return cfg


def live_policy(make_app: Callable[[dict], Flask], day: Day, policy: str, url: str,
                progress: Callable[[str, float, int], None] | None = None,
                shared: bool = False, time_limit: float | None = None,
                hold: int | None = None) -> dict:
    """Run ``day`` under ``policy`` on the database at ``url`` and return its figures.
    ``shared``: the database is the user's, which must be empty, and is emptied after.
    The greedy baseline offers every job at once: it holds nothing back."""
    app = make_app(app_config(url, time_limit, 0 if policy == "greedy" else hold))
    started, cpu = time.perf_counter(), time.process_time()
    with app.app_context():
        try:
            if shared and db.session.scalar(sa.select(sa.func.count(User.id))):
                raise click.UsageError("--database-url must name an empty database: the "
                                       "benchmark fills it with a day and empties it after")
            report = (lambda t, n: progress(policy, t, n)) if progress else None
            sim = Simulation(day, report, greedy_solve if policy == "greedy" else solve)
            rec = sim.run()
            out = figures(rec, time.perf_counter() - started, time.process_time() - cpu)
            out["dispatch_time_limit_s"] = app.config["DISPATCH_TIME_LIMIT"]
            out["dispatch_hold_s"] = app.config["DISPATCH_HOLD_S"]
        finally:
            db.session.remove()
            if shared:
                empty_all_tables()
            db.engine.dispose()
    return out


def run_day(make_app: Callable[[dict], Flask], settings: Settings,
            database_url: str | None = None, policies=POLICIES,
            progress: Callable[[str, float, int], None] | None = None,
            time_limit: float | None = None, hold: int | None = None) -> dict:
    """Live the day of ``settings`` under each of ``policies``; returns the settings,
    the machine, and each policy's figures."""
    day = make_day(settings)
    out = {"settings": asdict(settings), "machine": machine()}
    with tempfile.TemporaryDirectory(prefix="courier-day-") as folder:
        for policy in policies:
            url = database_url or f"sqlite:///{Path(folder) / (policy + '.sqlite')}"
            out[policy] = live_policy(make_app, day, policy, url, progress,
                                      shared=database_url is not None,
                                      time_limit=time_limit, hold=hold)
    if all(p in out for p in POLICIES):
        a, b = (out[p] for p in POLICIES)
        a["missed"], b["missed"] = missed(a, b), missed(b, a)
    return out


def machine() -> dict:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (None,) * 3
    return {"cpus": os.cpu_count(), "load_1m": load[0], "load_5m": load[1]}


def _progress(policy: str, t: float, sent: int) -> None:
    minutes = int(OPENING_HOUR * 60 + t // 60)
    click.echo(f"\r{policy:>8}: {minutes // 60:02d}:{minutes % 60:02d}, "
               f"{sent} jobs sent   ", nl=False, err=True)


@click.command("day")
@click.option("--jobs", type=int, default=1500, show_default=True,
              help="Jobs the shops send over the day.")
@click.option("--couriers", type=int, default=80, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--decline-rate", type=float, default=0.1, show_default=True,
              help="Share of offers turned down (a third of them left to expire).")
@click.option("--speed-noise", type=float, default=0.2, show_default=True,
              help="Spread of riding time around the matrix's (0.2: about 20 %).")
@click.option("--hours", type=float, default=12.0, show_default=True,
              help="Length of the day, from 08:00.")
@click.option("--cycle-every", type=int, default=30, show_default=True,
              help="Seconds of the day between dispatch cycles (the app's interval).")
@click.option("--time-limit", type=float,
              help="Seconds the dispatch search may take per cycle (DISPATCH_TIME_LIMIT; "
                   "default: the app's).")
@click.option("--hold", type=int,
              help="Seconds dispatch may hold a run back to ride it with jobs still to come "
                   "(DISPATCH_HOLD_S; default: the app's; the greedy baseline holds nothing).")
@click.option("--plot", "plot_dir", type=click.Path(file_okay=False),
              help="Write PNG charts of the day to DIR (needs matplotlib: the bench extra).")
@click.option("--database-url", help="An empty database to run on (PostgreSQL); default: "
                                     "SQLite files in a temporary folder.")
@click.option("--no-greedy", is_flag=True, help="Skip the greedy baseline.")
@click.option("--unplanned", is_flag=True,
              help="Couriers come without booking their shifts ahead (dispatch does not "
                   "know when each one means to stop).")
@click.option("--spread", is_flag=True,
              help="The first day of this benchmark: drop-offs all over Lyon whatever the "
                   "shop, and the city day's staggered shifts (default: each shop delivers "
                   "in its own area, shifts staffed to the day's work).")
@click.option("--fairness", type=click.Choice(FAIRNESS), default="off", show_default=True,
              help="The council's fairness setting for the day: work steered to the "
                   "couriers who have had fewer hours on shift, or less pay, so far.")
@click.option("--fairness-strength", type=int, default=50, show_default=True,
              help="How strongly (0-100), as the rules' fairness.strength.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.pass_context
def day_command(ctx, jobs, couriers, seed, decline_rate, speed_noise, hours, cycle_every,
                time_limit, hold, plot_dir, database_url, no_greedy, unplanned, spread,
                fairness, fairness_strength, as_json) -> None:
    """Live a day of jobs arriving and couriers riding through the real app and
    dispatch, on a simulated clock, and measure it beside a greedy baseline."""
    settings = Settings(jobs=jobs, couriers=couriers, seed=seed, decline_rate=decline_rate,
                        speed_noise=speed_noise, hours=hours, cycle_every=cycle_every,
                        planned=not unplanned, spread=spread, fairness=fairness,
                        fairness_strength=fairness_strength)
    try:
        check(settings)
    except ValueError as err:
        raise click.UsageError(str(err)) from None
    if time_limit is not None and not 0 < time_limit <= 600:
        raise click.UsageError("--time-limit is a number of seconds above 0 (at most 600)")
    if hold is not None and not 0 <= hold <= 3600:
        raise click.UsageError("--hold is a number of seconds from 0 to 3600")
    if plot_dir:
        try:
            pyplot()
        except ImportError as err:
            raise click.UsageError(str(err)) from None
    info = ctx.find_object(ScriptInfo)
    if info is None or info.create_app is None:
        raise click.UsageError("run it as `courier bench day`: it needs the app")
    policies = ("dispatch",) if no_greedy else POLICIES
    quiet = logging.getLogger("courier")  # the cycle's per-offer notes would drown the progress
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        out = run_day(info.create_app, settings, database_url, policies, _progress,
                      time_limit, hold)
    finally:
        quiet.setLevel(level)
    click.echo("", err=True)
    if plot_dir:
        for path in plot(out, plot_dir):
            click.echo(f"wrote {path}", err=True)
    if as_json:
        json.dump(out, sys.stdout, indent=1)
        click.echo()
        return
    m = out["machine"]
    click.echo(f"Lyon{' (spread)' if spread else ''}, {jobs} jobs, {couriers} couriers, "
               f"{hours:g} h from 08:00, seed {seed}, "
               f"decline {decline_rate:g}, speed noise {speed_noise:g}, search "
               f"{out['dispatch']['dispatch_time_limit_s']:g} s per cycle, hold "
               f"{out['dispatch']['dispatch_hold_s']} s, fairness {fairness}"
               f"{f' {fairness_strength}' if fairness != 'off' else ''} "
               f"({m['cpus']} cpus, load {m['load_1m']:.2f})")
    for line in table(out["dispatch"], out.get("greedy")):
        click.echo(line)
