"""What a simulated day was like for the couriers: hours on shift and pay, computed by
the council's earnings report (:func:`courier.reports.earnings.earnings`, which prices
the day with :func:`courier.fairwork.pay.pay_lines` under the rules in force), so the
benchmark's pay spread is the one the council would read for that day.
"""

from __future__ import annotations

import statistics
from datetime import datetime

from courier.bench.day_plan import DAY_START
from courier.fairwork import tracking
from courier.reports.earnings import earnings


def _euros(cents: int | None) -> float | None:
    return None if cents is None else round(cents / 100, 2)


def couriers_figures(end: datetime) -> dict:
    """Hours and pay of every paid courier who worked the day (read at ``end``): the
    fairness figures of the earnings report, and each courier's hours for the charts."""
    day = DAY_START.astimezone(tracking.timezone()).date()
    report = earnings(day, day, now=end)
    fair = report["fairness"]
    paid = [m for m in report["members"] if not m["volunteer"] and m["on_shift_s"] > 0]
    hours = sorted(m["on_shift_s"] / 3600 for m in paid)
    return {
        "couriers_worked": fair["members"],
        "hours_gini": fair["gini_hours"],
        "hours_min": round(hours[0], 2) if hours else None,
        "hours_median": round(statistics.median(hours), 2) if hours else None,
        "hours_max": round(hours[-1], 2) if hours else None,
        "pay_gini": fair["gini_pay"],
        "hourly_min_eur": _euros(fair["hourly_min_cents"]),
        "hourly_median_eur": _euros(fair["hourly_median_cents"]),
        "hourly_max_eur": _euros(fair["hourly_max_cents"]),
        "share_under_floor": fair["share_below_guaranteed"],
        "pay_total_eur": _euros(report["totals"]["total_cents"]),
        "topup_total_eur": _euros(report["totals"]["topup_cents"]),
        "hours_per_courier": [round(h, 3) for h in hours],
    }
