"""``courier bench forecast`` (registered on the bench group by ``courier.__main__``,
since the benchmarks do not import the demo): the demand forecast (:mod:`courier.reports.forecast`)
back-tested on the demo's simulated past (:mod:`courier.demo.past`, the four weeks the
demo seeds), against the naive forecast of the same hour a week earlier.

Each day that has a week of history before it is forecast from the days before it only,
hour by hour over the coop's working hours (those with a job in the history); the mean
absolute error per hour of both forecasts is printed, with their ratio.
"""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import click

from courier.config import DEFAULTS
from courier.demo import past as P
from courier.demo.seed import CITY
from courier.models import CAPACITY, Vehicle
from courier.reports.forecast import ALPHA, backtest, hourly


def _setup(tz: ZoneInfo) -> P.Setup:
    couriers = [dict(c, capacity_kg=CAPACITY[Vehicle(c["vehicle"])][0]) for c in CITY["couriers"]]
    return P.Setup(tz, couriers, CITY["shops"], CITY["places"],
                   speed_mps=DEFAULTS["BIKE_SPEED_KMH"] / 3.6, detour=DEFAULTS["DETOUR_FACTOR"],
                   cargo_factor=DEFAULTS["CARGO_SPEED_FACTOR"],
                   pickup_s=DEFAULTS["PICKUP_SERVICE_S"], dropoff_s=DEFAULTS["DROPOFF_SERVICE_S"],
                   offer_ttl=DEFAULTS["OFFER_TTL"], cooldown_s=DEFAULTS["REOFFER_COOLDOWN"])


def run(days: int, seed: int, end: date, alpha: float) -> dict:
    """One back-test: the demo's past of ``days`` days before ``end`` for ``seed``."""
    tz = ZoneInfo(DEFAULTS["COOP_TIMEZONE"])
    span = [end - timedelta(days=k) for k in range(days, 0, -1)]
    past = P.generate(_setup(tz), span, seed)
    counts = hourly((j.created for j in past.jobs), tz)
    hours = sorted({h for _, h in counts})
    result = backtest(counts, span[0], span[7:], alpha=alpha, hours=hours)
    return {"seed": seed, "jobs": len(past.jobs), "hours_open": len(hours), **result}


@click.command("forecast")
@click.option("--days", default=28, show_default=True, type=click.IntRange(14, 120),
              help="Days of simulated past (the demo seeds 28).")
@click.option("--seeds", default=5, show_default=True, type=click.IntRange(1, 50),
              help="Pasts simulated (seeds 1..N), each back-tested.")
@click.option("--end", default="2026-11-30", show_default=True,
              type=click.DateTime(formats=["%Y-%m-%d"]), help="The day after the past.")
@click.option("--alpha", default=ALPHA, show_default=True, type=click.FloatRange(0.01, 1),
              help="Weight of each older week relative to the next (1: plain mean).")
def forecast_command(days, seeds, end, alpha) -> None:
    """Back-test the demand forecast on the demo's simulated past: mean absolute error
    per hour against the naive same-hour-last-week forecast."""
    click.echo(f"{'seed':>4} {'jobs':>5} {'hours':>6} {'model MAE':>10} {'naive MAE':>10} "
               f"{'ratio':>6}")
    totals = {"hours": 0, "model": 0.0, "naive": 0.0}
    for seed in range(1, seeds + 1):
        r = run(days, seed, end.date(), alpha)
        click.echo(f"{seed:>4} {r['jobs']:>5} {r['hours']:>6} {r['model_mae']:>10.3f} "
                   f"{r['naive_mae']:>10.3f} {r['model_mae'] / r['naive_mae']:>6.2f}")
        totals["hours"] += r["hours"]
        totals["model"] += r["model_mae"] * r["hours"]
        totals["naive"] += r["naive_mae"] * r["hours"]
    model, naive = totals["model"] / totals["hours"], totals["naive"] / totals["hours"]
    click.echo(f"{'all':>4} {'':>5} {totals['hours']:>6} {model:>10.3f} {naive:>10.3f} "
               f"{model / naive:>6.2f}")
    click.echo(f"jobs per hour forecast over the working hours of days {8}..{days}, each "
               f"from the days before it; alpha {alpha:g}, up to 8 weeks")
