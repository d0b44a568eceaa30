"""A hub's order list from a CSV file, for one round: every row or none, with a
report per failing row.

One row per order, read strictly (:mod:`courier.shops.csvrows`: a quote never closed,
quotes out of place, a NUL, or a row with more or fewer cells than the header is a refused
row, and nothing is imported). Columns (header names, any order; ``,`` ``;`` or tab; UTF-8
with or without BOM): ``customer`` (required), ``address`` or ``lat`` and
``lon``, ``weight_kg`` (required), and optionally ``slot`` (``HH:MM-HH:MM``
within the round), ``phone``, ``volume_l``, ``notes``, ``reference`` (the hub's
order number: importing a file again updates those orders instead of adding
them). French headers are understood too (``client``, ``adresse``,
``poids_kg``, ``creneau``, ``telephone``, ``reference``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from courier.errors import Conflict, DomainError, InvalidInput
from courier.extensions import db
from courier.fairwork.tracking import local, timezone
from courier.models import User, utcnow
from courier.shops import geocoding
from courier.shops.csvrows import read_table
from courier.shops.zones import check_in_service, current_index
from courier.solidarity.models import Round, RoundKind, RoundOrder, RoundStatus
from courier.solidarity.rounds import HHMM, hub_of

COLUMNS = ("reference", "customer", "phone", "address", "lat", "lon", "weight_kg", "volume_l",
           "slot", "notes")
ALIASES = {"client": "customer", "nom": "customer", "adresse": "address",
           "telephone": "phone", "téléphone": "phone", "poids_kg": "weight_kg",
           "poids": "weight_kg", "volume": "volume_l", "creneau": "slot", "créneau": "slot",
           "référence": "reference", "remarques": "notes"}
LIMITS = {"reference": 80, "customer": 120, "phone": 40, "address": 255, "notes": 2000}
MAX_ROWS = 1000


@dataclass
class Report:
    created: int = 0
    updated: int = 0
    rows: list[dict] = field(default_factory=list)  # {"row", "error", "fields"}

    def fail(self, line: int, fields: dict, error: str = "") -> None:
        self.rows.append({"row": line, "fields": fields,
                          "error": error or "; ".join(f"{k}: {v}" for k, v in fields.items())})


def read(text: str) -> tuple[list[tuple[int, dict]], list[tuple[int, str]]]:
    """The rows of the file by column (French headers understood) with their line
    numbers, and the rows that are not CSV, with why."""
    table = read_table(text)
    header = [ALIASES.get(h.lower(), h.lower()) for h in table.header]
    unknown = [h for h in header if h not in COLUMNS]
    if unknown or "customer" not in header or "weight_kg" not in header:
        why = f"unknown column(s): {', '.join(unknown)}" if unknown else \
            "the columns customer and weight_kg are required"
        raise InvalidInput(f"{why}; known: {', '.join(COLUMNS)}", {"file": why})
    rows = [(line, {k: v.strip() for k, v in zip(header, cells, strict=True)})
            for line, cells in table.rows]
    if not rows and not table.broken:
        raise InvalidInput("the file has a header but no rows", {"file": "no rows"})
    if len(rows) > MAX_ROWS:
        raise InvalidInput(f"at most {MAX_ROWS} rows per file", {"file": "too many rows"})
    return rows, table.broken


def _number(v: str, lo: float, hi: float, problems: dict, key: str) -> float | None:
    try:
        x = float(v.replace(",", "."))
    except ValueError:
        problems[key] = "must be a number"
        return None
    if not lo <= x <= hi:
        problems[key] = f"must be between {lo:g} and {hi:g}"
        return None
    return x


def _slot(v: str, rnd: Round, problems: dict) -> str | None:
    if not v:
        return None
    parts = v.replace(" ", "").split("-")
    if len(parts) != 2 or not all(HHMM.match(p) for p in parts) or parts[1] <= parts[0]:
        problems["slot"] = "give HH:MM-HH:MM, e.g. 10:00-12:00"
        return None
    tz = timezone()
    first, last = rnd.starts_at.astimezone(tz), rnd.ends_at.astimezone(tz)
    if parts[0] < f"{first:%H:%M}" or (first.date() == last.date() and parts[1] > f"{last:%H:%M}"):
        problems["slot"] = f"must be within the round, {first:%H:%M}-{last:%H:%M}"
        return None
    return "-".join(parts)


def check_row(row: dict, rnd: Round, index) -> tuple[dict, dict]:
    """The order a row describes, and its problems by column."""
    p: dict = {}
    for key, limit in LIMITS.items():
        if len(row.get(key, "")) > limit:
            p[key] = f"at most {limit} characters"
    if not row.get("customer"):
        p["customer"] = "required"
    weight = _number(row.get("weight_kg", ""), 0, 1000, p, "weight_kg")
    volume = _number(row["volume_l"], 0, 5000, p, "volume_l") if row.get("volume_l") else 0.0
    slot = _slot(row.get("slot", ""), rnd, p)
    lat = lon = None
    if row.get("lat") or row.get("lon"):
        lat = _number(row.get("lat", ""), -90, 90, p, "lat")
        lon = _number(row.get("lon", ""), -180, 180, p, "lon")
    elif not row.get("address"):
        p["address"] = "give an address, or lat and lon"
    elif not p:
        try:
            found = geocoding.geocode(row["address"], "address")
            lat, lon = found.lat, found.lon
        except DomainError as err:
            p.update(err.fields or {"address": err.message})
    if lat is not None and lon is not None and not p:
        try:
            check_in_service([("address", lat, lon, row.get("address", ""))], index)
        except DomainError as err:
            p.update(err.fields)
    order = {"reference": row.get("reference") or None, "customer": row.get("customer", ""),
             "phone": row.get("phone", ""), "address": row.get("address", ""), "lat": lat,
             "lon": lon, "weight_kg": weight, "volume_l": volume, "slot": slot,
             "notes": row.get("notes", "")}
    return order, p


def import_orders(user: User, rnd: Round, text: str, now: datetime | None = None,
                  dry_run: bool = False) -> Report:
    """Check every row, then (if none failed and not ``dry_run``) add or update them."""
    hub = hub_of(user)
    now = now or utcnow()
    if rnd.hub_id != hub.id:
        from courier.errors import Forbidden

        raise Forbidden("this round is another hub's")
    if rnd.kind != RoundKind.DISTRIBUTE:
        raise InvalidInput("orders are imported into distribution rounds; a collection round "
                           "takes its producers", {"round": "a collection round"})
    if rnd.status != RoundStatus.OPEN or rnd.cutoff_at <= now:
        raise Conflict(f"orders for this round closed at {local(rnd.cutoff_at, day=True)}",
                       {"cutoff_at": rnd.cutoff_at.isoformat()})
    report, ready, seen = Report(), [], {}
    index = current_index()
    rows, broken = read(text)
    for line, why in broken:
        report.fail(line, {}, why)
    for line, row in rows:
        order, problems = check_row(row, rnd, index)
        ref = order["reference"]
        if ref and ref in seen:
            problems["reference"] = f"also on row {seen[ref]}"
        elif ref:
            seen[ref] = line
        if problems:
            report.fail(line, problems)
        else:
            ready.append(order)
    if report.rows:
        return report
    existing = {o.reference: o for o in rnd.orders if o.reference}
    report.updated = sum(1 for order in ready if order["reference"] in existing)
    report.created = len(ready) - report.updated
    if dry_run:
        return report
    for order in ready:
        if order["reference"] in existing:
            for k, v in order.items():
                setattr(existing[order["reference"]], k, v)
        else:
            rnd.orders.append(RoundOrder(**order))
    db.session.flush()
    return report
