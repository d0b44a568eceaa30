"""Open data: the coop's weekly figures, published only if the coop chose to.

Per local week (Monday to Sunday): deliveries made, of which solidarity work,
kilograms carried, kilometres ridden by bike (runs done, in proportion to their
stops done, as the earnings reports count them), the CO2 a van would have
emitted over those kilometres, and food hubs' rounds released. Nothing about
any person: no name, no address, no phone, no position, no courier's hours;
only counts and sums over the whole coop.

CO2: each km by bike is counted as a km a diesel van would have driven, at
``VAN_KG_CO2E_PER_KM`` (default 0.25023 kg CO2e per km: UK Government GHG
conversion factors for company reporting 2024, Delivery vehicles > Vans >
Average (up to 3.5 tonnes) > Diesel, direct emissions per km; see
docs/solidarity.md). The bike's own emissions are taken as zero.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import func, select

from courier import settings
from courier.errors import NotFound
from courier.extensions import db
from courier.fairwork.tracking import timezone
from courier.models import Job, JobStatus, Run, RunStatus, RunStop, utcnow
from courier.solidarity.models import Round, RoundStatus

VAN_KG_CO2E_PER_KM = 0.25023
SOURCE = ("UK Government GHG conversion factors for company reporting 2024, Delivery vehicles "
          "> Vans > Average (up to 3.5 tonnes) > Diesel, kg CO2e per km")
COLUMNS = ("week", "start", "deliveries", "solidarity_deliveries", "solidarity_share",
           "kg_carried", "km_by_bike", "co2_avoided_kg", "hub_rounds")
MAX_WEEKS = 260


def van_kg_co2e_per_km() -> float:
    """The kg CO2e a diesel van emits per km, as this coop counts it (its config's
    ``VAN_KG_CO2E_PER_KM``, else :data:`VAN_KG_CO2E_PER_KM`): the open data's CO2 avoided
    and the dashboards' (courier.reports.dashboard)."""
    return float(current_app.config.get("VAN_KG_CO2E_PER_KM", VAN_KG_CO2E_PER_KM))


def published() -> bool:
    return bool(settings.get("open_data"))


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def weekly(weeks: int = 12, now: datetime | None = None) -> dict:
    """The figures of the last ``weeks`` local weeks (this one included), oldest first.
    NotFound unless the coop publishes them."""
    if not published():
        raise NotFound("this coop does not publish open data")
    now = now or utcnow()
    tz = timezone()
    weeks = max(1, min(weeks, MAX_WEEKS))
    first = _monday(now.astimezone(tz).date()) - timedelta(weeks=weeks - 1)
    start = datetime.combine(first, time(0), tz)
    rows = {first + timedelta(weeks=i): _empty() for i in range(weeks)}

    def week_of(t: datetime) -> date:
        return _monday(t.astimezone(tz).date())

    for at, weight, solidarity in db.session.execute(select(
            Job.delivered_at, Job.weight_kg, Job.solidarity).where(
            Job.status == JobStatus.DELIVERED, Job.delivered_at >= start)):
        row = rows.get(week_of(at))
        if row is not None:
            row["deliveries"] += 1
            row["solidarity_deliveries"] += int(bool(solidarity))
            row["kg_carried"] += weight or 0.0
    stops = (select(RunStop.run_id, func.count().label("n"),
                    func.count(RunStop.done_at).label("done"))
             .group_by(RunStop.run_id).subquery())
    for ended, metres, n, done in db.session.execute(
            select(Run.ended_at, Run.distance_m, stops.c.n, stops.c.done)
            .join(stops, stops.c.run_id == Run.id)
            .where(Run.status == RunStatus.DONE, Run.ended_at >= start)):
        row = rows.get(week_of(ended))
        if row is not None and n:
            row["metres"] += metres * done // n  # ridden in proportion to the stops done
    for (at,) in db.session.execute(select(Round.released_at).where(
            Round.status == RoundStatus.RELEASED, Round.released_at >= start)):
        row = rows.get(week_of(at))
        if row is not None:
            row["hub_rounds"] += 1
    factor = van_kg_co2e_per_km()
    out = [_finish(monday, row, factor) for monday, row in sorted(rows.items())]
    return {"coop": settings.get("name"), "city": settings.get("city"),
            "timezone": str(tz), "generated_at": now.isoformat(),
            "emission_factor": {"kg_co2e_per_km": factor, "source": SOURCE},
            "weeks": out}


def _empty() -> dict:
    return {"deliveries": 0, "solidarity_deliveries": 0, "kg_carried": 0.0, "metres": 0,
            "hub_rounds": 0}


def _finish(monday: date, row: dict, factor: float) -> dict:
    km = row["metres"] / 1000
    iso = monday.isocalendar()
    return {"week": f"{iso.year}-W{iso.week:02d}", "start": monday.isoformat(),
            "deliveries": row["deliveries"], "solidarity_deliveries": row["solidarity_deliveries"],
            "solidarity_share": round(row["solidarity_deliveries"] / row["deliveries"], 4)
            if row["deliveries"] else 0.0,
            "kg_carried": round(row["kg_carried"], 1), "km_by_bike": round(km, 1),
            "co2_avoided_kg": round(km * factor, 1), "hub_rounds": row["hub_rounds"]}


def to_csv(data: dict) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(COLUMNS)
    for week in data["weeks"]:
        w.writerow([week[c] for c in COLUMNS])
    return buf.getvalue()


def totals(data: dict) -> dict:
    """The sums over the weeks shown (for the public page)."""
    out: dict = defaultdict(float)
    for week in data["weeks"]:
        for key in ("deliveries", "solidarity_deliveries", "kg_carried", "km_by_bike",
                    "co2_avoided_kg", "hub_rounds"):
            out[key] += week[key]
    return {k: round(v, 1) for k, v in out.items()}
