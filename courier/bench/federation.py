"""``courier bench federation``: a demo day with a lunch peak lived by a coop alone, then
beside a partner coop that takes its overflow (and hands it its own with --mutual), through the real
apps: dispatch, the couriers simulated as ``courier bench day`` does
(:mod:`courier.bench.day_sim`), and the federation itself (the council's rule handing
over a job nobody could serve for ``--pending-minutes``, signed asks and news between
the two apps, the ledger). The partner takes an ask only when one of its couriers can
deliver it in time (its council's ``accept_only_in_time``; ``--accept-any`` turns it off).

Both coops live their own day (their shops, couriers and drop-offs drawn from their own
seed, in the same city): alone, each on its own clock; together, on one clock, each
app on its own database, the federation's work run every ``--cycle-every`` seconds like
a worker beside dispatch. A job is *on time* when its courier marks it delivered by its
``deliver_by``, whoever carried it.
"""

from __future__ import annotations

import json
import logging
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

import click
from flask import Flask
from flask.cli import ScriptInfo
from sqlalchemy import select

from courier import clock
from courier.bench.day import app_config, machine
from courier.bench.day_plan import Settings, check, make_day
from courier.bench.day_sim import Simulation
from courier.bench.federation_pair import federation_work, inside, pair, set_up, wire
from courier.extensions import db
from courier.federation import ledger
from courier.models import Handoff, HandoffStatus, Job, JobStatus, Merchant, MerchantKind, Partner

HOSTS = ("lyon.bench", "partner.bench")


def _app(make_app, folder: Path, name: str, url: str, time_limit: float | None) -> Flask:
    cfg = app_config(f"sqlite:///{folder / (name + '.sqlite')}", time_limit)
    cfg.update(PUBLIC_URL=url, FEDERATION_SCAN_S=0, FEDERATION_TIMEOUT_S=30)
    return make_app(cfg)


def figures(app: Flask) -> dict:
    """The coop's own shops' jobs: on time, late, failed, never served; how many it
    handed over (and how those did), how many it carried for the partner."""
    with inside(app):
        jobs = db.session.scalars(select(Job).join(Merchant, Job.merchant_id == Merchant.id)
                                  .where(Merchant.kind != MerchantKind.COOP)).all()
        out = {"jobs": len(jobs), "on_time": 0, "late": 0, "failed": 0, "never_served": 0}
        for j in jobs:
            if j.status == JobStatus.DELIVERED:
                out["on_time" if j.delivered_at <= j.deliver_by else "late"] += 1
            elif j.status == JobStatus.FAILED:
                out["failed"] += 1
            else:
                out["never_served"] += 1
        given = db.session.scalars(select(Handoff).where(
            Handoff.direction == "out", Handoff.status.in_(
                [HandoffStatus.ACCEPTED, HandoffStatus.DELIVERED, HandoffStatus.FAILED,
                 HandoffStatus.RETURNED]))).all()
        handed = [db.session.get(Job, h.job_id) for h in given]
        out["handed_over"] = len(handed)
        out["refused_by_partner"] = db.session.scalar(select(db.func.count(Handoff.id)).where(
            Handoff.direction == "out", Handoff.status == HandoffStatus.REFUSED))
        out["handed_over_on_time"] = sum(1 for j in handed if j.status == JobStatus.DELIVERED
                                         and j.delivered_at <= j.deliver_by)
        out["carried_for_partner"] = db.session.scalar(select(db.func.count(Handoff.id)).where(
            Handoff.direction == "in", Handoff.status != HandoffStatus.REFUSED))
        p = db.session.scalars(select(Partner)).first()
        out["balance_cents"] = ledger.balance(p) if p is not None else 0
        out["on_time_share"] = round(out["on_time"] / out["jobs"], 4) if out["jobs"] else None
    return out


def alone(make_app, folder: Path, name: str, settings: Settings, limit) -> dict:
    app = _app(make_app, folder, f"{name}-alone", f"http://{name}.alone", limit)
    with inside(app):
        Simulation(make_day(settings)).run()
    out = figures(app)
    with app.app_context():
        db.engine.dispose()
    return out


class Together:
    """Both coops' days on one clock, each sim in its own app's context."""

    def __init__(self, apps: list[Flask], days: list, every_s: int):
        self.apps, self.every = apps, every_s
        self.sims = [Simulation(d) for d in days]
        self.clock = self.sims[0].clock
        for s in self.sims[1:]:
            s.clock = self.clock
        self.arrivals = [list(d.arrivals) for d in days]
        self.next_cycle = [0] * len(days)
        self.over = [False] * len(days)

    def run(self, pending_minutes: int, mutual: bool, accept_any: bool = False) -> None:
        with clock.using(self.clock):
            for app, sim in zip(self.apps, self.sims, strict=True):
                with inside(app):
                    sim._populate()
            for app, name in zip(self.apps, ("Lyon", "Partner"), strict=True):
                set_up(app, name)
            pair(*self.apps, *(f"http://{h}" for h in HOSTS), pending_minutes, mutual,
                 accept_any)
            next_fed = 0
            while not all(self.over):
                when = self._next(next_fed)
                for k, (app, sim) in enumerate(zip(self.apps, self.sims, strict=True)):
                    if not self.over[k]:
                        with inside(app):
                            self._step(k, sim, when)
                day = self.sims[0].day
                if day.at(next_fed) <= when:
                    next_fed += self.every
                    federation_work(self.apps)

    def _next(self, next_fed: int) -> datetime:
        times = [self.sims[0].day.at(next_fed)]
        for k, (app, sim) in enumerate(zip(self.apps, self.sims, strict=True)):
            if self.over[k]:
                continue
            with inside(app):
                times += [d for d, _ in (x for x in (sim._due(g) for g in sim.agents) if x)]
            times.append(sim.day.at(self.next_cycle[k]))
            if self.arrivals[k]:
                times.append(sim.day.at(self.arrivals[k][0].at))
        when = max(min(times), self.clock.now())
        if when > self.clock.now():
            self.clock.advance((when - self.clock.now()).total_seconds())
        return when

    def _step(self, k: int, sim: Simulation, when: datetime) -> None:
        arrivals = self.arrivals[k]
        while arrivals and sim.day.at(arrivals[0].at) <= when:
            sim._submit(arrivals.pop(0))
        due = [x for x in (sim._due(g) for g in sim.agents) if x is not None]
        for d, agent in sorted(due, key=lambda x: (x[0], x[1].shift.index)):
            if d <= when:
                sim._act(agent, when)
        if sim.day.at(self.next_cycle[k]) <= when:
            self.next_cycle[k] += sim.s.cycle_every
            t = (when - sim.day.at(0)).total_seconds()
            if sim._over(t, sim.day.length_s, arrivals):
                self.over[k] = True
                return
            sim._cycle(when)


def together(make_app, folder: Path, ours: Settings, theirs: Settings, limit,
             pending_minutes: int, mutual: bool = False, accept_any: bool = False
             ) -> tuple[dict, dict, dict]:
    """Both coops' figures, and how long the asked coop took to answer each ask."""
    apps = [_app(make_app, folder, f"{h.split('.')[0]}-together", f"http://{h}", limit)
            for h in HOSTS]
    router = wire(dict(zip(HOSTS, apps, strict=True)))
    Together(apps, [make_day(ours), make_day(theirs)], ours.cycle_every).run(
        pending_minutes, mutual, accept_any)
    lyon, partner = (figures(app) for app in apps)
    for app in apps:
        with app.app_context():
            db.engine.dispose()
    asks = sorted(router.asks)
    timing = {"asks": len(asks),
              "mean_ms": round(1000 * sum(asks) / len(asks), 1) if asks else None,
              "max_ms": round(1000 * asks[-1], 1) if asks else None}
    return lyon, partner, timing


ROWS = (("jobs", "jobs sent by its shops"), ("on_time", "delivered on time"),
        ("on_time_share", "on-time share"), ("late", "delivered late"),
        ("failed", "failed (recipient absent)"), ("never_served", "never served"),
        ("refused_by_partner", "asks the partner refused"),
        ("handed_over", "handed to the partner"), ("handed_over_on_time", "  of which on time"),
        ("carried_for_partner", "carried for the partner"),
        ("balance_cents", "ledger balance, cents (+: the partner owes it)"))


def table(out: dict) -> list[str]:
    lines = ["| figure | Lyon alone | Lyon with partner | partner alone | partner with Lyon |",
             "| --- | ---: | ---: | ---: | ---: |"]
    for key, words in ROWS:
        cells = [out[s][c].get(key) for s in ("alone", "together") for c in ("lyon", "partner")]
        a, b, c, d = cells[0], cells[2], cells[1], cells[3]
        lines.append(f"| {words} | {a} | {b} | {c} | {d} |")
    return lines


@click.command("federation")
@click.option("--jobs", type=int, default=220, show_default=True, help="Lyon's jobs.")
@click.option("--couriers", type=int, default=12, show_default=True, help="Lyon's couriers.")
@click.option("--partner-jobs", type=int, default=80, show_default=True)
@click.option("--partner-couriers", type=int, default=10, show_default=True)
@click.option("--hours", type=float, default=6.0, show_default=True,
              help="From 08:00: six hours hold the lunch peak (11:30-13:30).")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Lyon's day; the partner's is drawn from the next seed.")
@click.option("--pending-minutes", type=int, default=10, show_default=True,
              help="The councils' rule: a job nobody can serve this long is handed over.")
@click.option("--mutual", is_flag=True,
              help="The partner's council turns the rule on too: its overflow comes to Lyon.")
@click.option("--accept-any", is_flag=True,
              help="The councils take every partner's ask they can price, whether or not a "
                   "courier of theirs can deliver it in time (accept_only_in_time off).")
@click.option("--cycle-every", type=int, default=30, show_default=True)
@click.option("--time-limit", type=float, default=1.0, show_default=True,
              help="Seconds the dispatch search may take per cycle.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def federation_command(ctx, jobs, couriers, partner_jobs, partner_couriers, hours, seed,
                       pending_minutes, mutual, accept_any, cycle_every, time_limit,
                       as_json) -> None:
    """Jobs served on time on a demo day with a lunch peak, by a coop alone and beside a
    partner coop taking its overflow."""
    ours = Settings(jobs=jobs, couriers=couriers, seed=seed, hours=hours,
                    cycle_every=cycle_every)
    theirs = Settings(jobs=partner_jobs, couriers=partner_couriers, seed=seed + 1,
                      hours=hours, cycle_every=cycle_every)
    try:
        check(ours)
        check(theirs)
    except ValueError as err:
        raise click.UsageError(str(err)) from None
    if not 1 <= pending_minutes <= 240:
        raise click.UsageError("--pending-minutes is 1 to 240")
    info = ctx.find_object(ScriptInfo)
    if info is None or info.create_app is None:
        raise click.UsageError("run it as `courier bench federation`: it needs the app")
    quiet = logging.getLogger("courier")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="courier-federation-") as tmp:
            folder = Path(tmp)
            out = {"lyon": asdict(ours), "partner": asdict(theirs), "machine": machine(),
                   "pending_minutes": pending_minutes, "mutual": mutual,
                   "accept_any": accept_any,
                   "alone": {"lyon": alone(info.create_app, folder, "lyon", ours, time_limit),
                             "partner": alone(info.create_app, folder, "partner", theirs,
                                              time_limit)}}
            lyon, partner, timing = together(info.create_app, folder, ours, theirs,
                                             time_limit, pending_minutes, mutual, accept_any)
            out["together"] = {"lyon": lyon, "partner": partner}
            out["asks"] = timing
    finally:
        quiet.setLevel(level)
    out["wall_s"] = round(time.perf_counter() - started, 1)
    if as_json:
        json.dump(out, sys.stdout, indent=1)
        click.echo()
        return
    m = out["machine"]
    click.echo(f"Lyon {jobs} jobs / {couriers} couriers, partner {partner_jobs} jobs / "
               f"{partner_couriers} couriers, {hours:g} h from 08:00 (lunch peak "
               f"11:30-13:30), seed {seed}, hand-over after {pending_minutes} min"
               f"{' both ways' if mutual else ' by Lyon'}"
               f"{', every ask taken' if accept_any else ''}, "
               f"{out['wall_s']} s ({m['cpus']} cpus, load {m['load_1m']:.2f})")
    for line in table(out):
        click.echo(line)
    t = out["asks"]
    if t["asks"]:
        click.echo(f"{t['asks']} asks answered, {t['mean_ms']} ms each on average "
                   f"(at most {t['max_ms']} ms)")
