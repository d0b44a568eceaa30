"""The rules in words: a label and a unit for every path of the rules document
(:mod:`courier.fairwork.rules`), so that people read "Maximum working time per day:
10 h → 8 h" where the document says ``working_time.max_day.limit_s 36000 -> 28800``.

Units say how a stored value is shown: seconds as hours or minutes, cents as euros,
percentages, an hour of the day, counts of days or stops, a choice among words, and the
safety rules' degrees, km/h, mm/h, km and metres.
:func:`words` gives the pages everything in the reader's language (their scripts format
values with ``Intl``); :func:`describe` and :func:`change` write the same on the server
(Babel).
"""

from __future__ import annotations

from flask_babel import format_currency, format_decimal, format_percent, get_locale
from flask_babel import lazy_gettext as _l

from courier.fairwork import rules as R

# unit: stored value -> shown value (the pages' scripts do the same)
SCALE = {"h": 3600, "min": 60, "eur": 100}

RULES = {
    "working_time.max_day": _l("Maximum working time per day"),
    "working_time.max_week": _l("Maximum working time per week"),
    "working_time.daily_rest": _l("Minimum daily rest between shifts"),
    "working_time.break": _l("Break after continuous work"),
    "working_time.consecutive_days": _l("Maximum consecutive working days"),
    "load.vehicle_caps": _l("Load caps per vehicle type"),
    "load.max_stops": _l("Maximum stops per run"),
    "load.max_run": _l("Maximum run duration"),
    "pay": _l("Pay scheme"),
    "fairness": _l("Fairness"),
    "safety.heat": _l("Heat"),
    "safety.wind": _l("Strong wind"),
    "safety.rain": _l("Heavy rain"),
    "safety.distance": _l("Maximum distance per run"),
    "safety.climb": _l("Maximum climbing per run"),
    "safety.battery": _l("Electric cargo bike's battery range"),
}

# path -> (label read alone, label inside its rule's group of the form, unit)
FIELDS = {
    "working_time.max_day.limit_s": (RULES["working_time.max_day"], _l("limit"), "h"),
    "working_time.max_week.limit_s": (RULES["working_time.max_week"], _l("limit"), "h"),
    "working_time.daily_rest.min_s": (RULES["working_time.daily_rest"], _l("at least"), "h"),
    "working_time.break.after_s": (_l("Break due after working"), _l("after working"), "h"),
    "working_time.break.duration_s": (_l("Break length"), _l("length"), "min"),
    "working_time.consecutive_days.max_days": (RULES["working_time.consecutive_days"],
                                               _l("at most"), "days"),
    "load.vehicle_caps.bike.kg": (_l("Bike's load cap (weight)"), _l("weight"), "kg"),
    "load.vehicle_caps.bike.l": (_l("Bike's load cap (volume)"), _l("volume"), "l"),
    "load.vehicle_caps.cargo_bike.kg": (_l("Cargo bike's load cap (weight)"), _l("weight"),
                                        "kg"),
    "load.vehicle_caps.cargo_bike.l": (_l("Cargo bike's load cap (volume)"), _l("volume"), "l"),
    "load.max_stops.limit": (RULES["load.max_stops"], _l("at most"), "stops"),
    "load.max_run.limit_s": (RULES["load.max_run"], _l("at most"), "h"),
    "pay.per_delivery_cents": (_l("Pay per delivery"), _l("per delivery"), "eur"),
    "pay.per_km_cents": (_l("Pay per km"), _l("per km"), "eur"),
    "pay.per_hour_cents": (_l("Pay per hour on shift"), _l("per hour on shift"), "eur"),
    "pay.guaranteed_hourly_cents": (_l("Guaranteed hourly minimum"),
                                    _l("guaranteed hourly minimum"), "eur"),
    "pay.night_bonus_pct": (_l("Night bonus"), _l("night bonus"), "pct"),
    "pay.night_from_h": (_l("Night starts at"), _l("night starts at"), "clock"),
    "pay.night_to_h": (_l("Night ends at"), _l("night ends at"), "clock"),
    "pay.sunday_bonus_pct": (_l("Sunday bonus"), _l("Sunday bonus"), "pct"),
    "pay.failed_attempt": (_l("Pay for a failed delivery attempt"), _l("failed attempts"),
                           "choice"),
    "fairness.balance": (_l("Balance work between members"), _l("balancing"), "choice"),
    "fairness.strength": (_l("Strength of the balancing"), _l("strength (0 to 100)"), "number"),
    "fairness.hourly_shown_from_s": (_l("Effective hourly pay shown from"),
                                     _l("hourly pay shown from"), "h"),
}


class _Composed:
    """A label made of two lazy ones, written in the reader's language when shown."""

    def __init__(self, template, part):
        self.template, self.part = template, part

    def __str__(self) -> str:
        return str(self.template).format(what=self.part)


FIELDS.update({
    "safety.heat.above_c": (_l("Heat: from this temperature"), _l("above"), "c"),
    "safety.wind.gusts_above_kmh": (_l("Strong wind: from these gusts"), _l("gusts above"),
                                    "kmh"),
    "safety.rain.above_mm_h": (_l("Heavy rain: from this much rain"), _l("rain above"), "mm_h"),
    "safety.battery.cargo_bike.range_km": (_l("Cargo bike's battery range"), _l("battery range"),
                                           "km"),
    "safety.battery.reserve_pct": (_l("Battery reserve kept"), _l("reserve kept"), "pct"),
})
_WHEN = {"safety.heat": _l("In the heat: {what}"), "safety.wind": _l("In strong wind: {what}"),
         "safety.rain": _l("In heavy rain: {what}")}
_WEATHER_PARAMS = {
    "max_run_s": (_l("longest run (0: unchanged)"), "min"),
    "break_every_s": (_l("a break every (0: none)"), "min"),
    "break_s": (_l("break length"), "min"),
    "caps_pct": (_l("load caps lowered by"), "pct"),
    "cargo_bikes": (_l("cargo bikes"), "choice"),
}
for _rule, _when in _WHEN.items():
    for _key, (_short, _unit) in _WEATHER_PARAMS.items():
        FIELDS[f"{_rule}.{_key}"] = (_Composed(_when, _short), _short, _unit)
for _vehicle, (_far, _high) in {
        "bike": (_l("Bike: most km per run"), _l("Bike: most climbing per run")),
        "cargo_bike": (_l("Cargo bike: most km per run"),
                       _l("Cargo bike: most climbing per run"))}.items():
    FIELDS[f"safety.distance.{_vehicle}.km"] = (_far, _l("at most"), "km")
    FIELDS[f"safety.climb.{_vehicle}.m"] = (_high, _l("at most"), "m")
ENFORCE_FIELD = _l("enforcement")
ENFORCED = _l("{rule}, enforcement")
GROUPS = {"bike": _l("bike"), "cargo_bike": _l("cargo bike")}
CHOICES = {
    "enforce": {"block": _l("block"), "warn": _l("warn"), "off": _l("off")},
    "balance": {"off": _l("off"), "hours": _l("fewer hours first"),
                "pay": _l("lower pay first"), "hourly": _l("lower pay per hour first")},
    "failed_attempt": {"none": _l("nothing"), "ride": _l("the ride only"),
                       "full": _l("the full delivery rate")},
    "cargo_bikes": {"ride": _l("ride"), "stop": _l("stay in")},
}
# unit -> how a value is written after its number
SHOWN = {"l": "L", "c": "°C", "kmh": "km/h", "mm_h": "mm/h", "km": "km", "m": "m"}
# unit -> (one, other): "1 day", "6 days" (the pages pick with Intl.PluralRules)
COUNTS = {"days": (_l("{n} day"), _l("{n} days")), "stops": (_l("{n} stop"), _l("{n} stops"))}
CHANGE = _l("{label}: {old} → {new}")


def _field(path: str) -> tuple:
    """``(label, field label, unit)`` of a path of the rules document."""
    if path in FIELDS:
        return FIELDS[path]
    rule, _, key = path.rpartition(".")
    if key == "enforce" and rule in RULES:
        return str(ENFORCED).format(rule=RULES[rule]), ENFORCE_FIELD, "choice"
    raise KeyError(path)


def label(path: str) -> str:
    """The words for a rule (``load.max_run``) or one of its values (``pay.per_km_cents``);
    the path itself if it is unknown (a document older than these words)."""
    if path in RULES:
        return str(RULES[path])
    try:
        return str(_field(path)[0])
    except KeyError:
        return path


def _choices(path: str) -> dict:
    return CHOICES[path.rsplit(".", 1)[-1]]


def describe(path: str, value) -> str:
    """``value`` of ``path`` as people read it, in the current language: "8 h", "2,50 €"."""
    try:
        unit = _field(path)[2]
    except KeyError:
        return str(value)
    if value is None:
        return "–"
    if unit == "choice":
        return str(_choices(path).get(value, value))
    if unit == "eur":
        return format_currency(value / 100, "EUR")
    if unit == "pct":
        return format_percent(value / 100)
    if unit == "clock":
        return f"{int(value):02d}:00"
    if unit in COUNTS:
        one, other = COUNTS[unit]
        return str(one if get_locale().plural_form(value) == "one" else other).format(
            n=format_decimal(value))
    shown = value / SCALE.get(unit, 1)
    return f"{format_decimal(round(shown, 2))}\u00a0{SHOWN.get(unit, unit)}"


def change(c: dict) -> str:
    """One change of a diff (``{"path", "from", "to"}``) in words."""
    return str(CHANGE).format(label=label(c["path"]), old=describe(c["path"], c["from"]),
                              new=describe(c["path"], c["to"]))


def words() -> dict:
    """Everything the pages need to write the rules in the reader's language: rules and
    fields with their unit and bounds (in stored units), choices, group names."""
    fields = {}
    for path, spec in R._FIELDS.items():
        text, short, unit = _field(path)
        entry = {"label": str(text), "field": str(short), "unit": unit}
        if spec[0] == "enum":
            entry["choices"] = {k: str(v) for k, v in _choices(path).items()}
        else:
            entry["min"], entry["max"] = spec[1], spec[2]
        fields[path] = entry
    return {"rules": {k: str(v) for k, v in RULES.items()}, "fields": fields,
            "groups": {k: str(v) for k, v in GROUPS.items()}, "shown": SHOWN,
            "counts": {k: [str(one), str(other)] for k, (one, other) in COUNTS.items()}}
