"""What the safety rules leave a courier, now: pure functions, like :mod:`limits`.

:func:`assess` reads the safety section of a rules document (``safety_rules``) against
the weather now, the courier's vehicle, their work so far and the km ridden on their
battery's charge, and gives :class:`Safety`: the weather rules whose threshold is passed
(with the bounds each sets) and the caps on the run's km and climbing. :func:`attach`
hangs it on the courier's :class:`~courier.fairwork.limits.Limits` (a blocking rule that
keeps cargo bikes in holds the courier back); :func:`tighten` folds the blocking bounds
into the limits the routing problem gets; :func:`check` lists a run's breaches, blocking
and warning alike, each naming its rule.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime

from courier.fairwork.intervals import Interval, clip, seconds
from courier.fairwork.limits import Limits, _current_block, hm
from courier.fairwork.rules import TEMPLATE
from courier.fairwork.safety_rules import WEATHER
from courier.texts import N_, Phrase

HOT = N_("{value} °C, above {limit} °C")
WINDY = N_("gusts of {value} km/h, above {limit} km/h")
RAINY = N_("{value} mm/h of rain, above {limit} mm/h")
AGED = N_("{why}, measured {age} ago")
SET_BY_COUNCIL = N_("{why}, as the council set it")
LASTS_IN = N_("lasts {lasts}, over {over} ({why})")
CARRIES_IN = N_("carries up to {kg} kg / {l} L, over the cap of {cap_kg} kg / {cap_l} L "
                "lowered by {pct} ({why})")
NO_BREAK_IN = N_("rides past {worked} of work without a {pause} break ({why})")
CARGO_IN = N_("cargo bikes stay in: {why}")
CARGO_OUT = N_("rides a cargo bike: {why}")
RIDES_KM = N_("rides {km} km, over {limit} km")
CLIMBS = N_("climbs {m} m, over {limit} m")
BATTERY_OUT = N_("rides {km} km with {ridden} km ridden since going on shift, over the "
                 "battery's {left} km ({range} km less a reserve of {reserve})")
NO_ELEVATION = N_("climbing not checked: no elevation source")
_WORDS = {"safety.heat": (HOT, "temperature_c"), "safety.wind": (WINDY, "gusts_kmh"),
          "safety.rain": (RAINY, "rain_mm_h")}


@dataclass(frozen=True)
class Weather:
    """The conditions dispatch goes by: ``None`` where a value is unknown. ``stale``: the
    source is down and these are the last known, ``age_s`` old."""

    temperature_c: float | None = None
    gusts_kmh: float | None = None
    rain_mm_h: float | None = None
    source: str = ""  # "open-meteo", "file" or "override"
    age_s: int = 0
    stale: bool = False


@dataclass
class Passed:
    """A weather rule whose threshold the conditions pass, and what it sets."""

    rule: str
    enforce: str
    why: Phrase
    max_run_s: int | None = None
    break_by_s: int | None = None  # seconds from now
    break_s: int = 0
    continuous_s: int = 0
    caps: tuple[float, float] | None = None
    caps_pct: int = 0
    cargo_stop: bool = False


@dataclass
class Cap:
    """A cap on a run's ``km`` or ``climb`` (metres)."""

    rule: str
    enforce: str
    kind: str  # "km" or "climb"
    limit: float
    figures: dict = field(default_factory=dict)


@dataclass
class Safety:
    passed: list[Passed] = field(default_factory=list)
    caps: list[Cap] = field(default_factory=list)
    climb_unchecked: bool = False  # the climbing rule is on, but no elevation source

    def caps_of(self, kind: str, enforce: str = "block") -> list[Cap]:
        return [c for c in self.caps if c.kind == kind and c.enforce == enforce]


def _why(rule: str, r: dict, weather: Weather) -> Phrase | None:
    template, key = _WORDS[rule]
    value = getattr(weather, key)
    limit = r[WEATHER[rule]]
    if value is None or value <= limit:
        return None
    why = Phrase(template, value=f"{value:g}", limit=f"{limit:g}")
    if weather.source == "override":
        return Phrase(SET_BY_COUNCIL, why=why)
    return Phrase(AGED, why=why, age=hm(weather.age_s)) if weather.stale else why


def section(doc: dict) -> dict:
    """The safety section of ``doc``, or the template's (all off) for a document stored
    before it existed."""
    return doc.get("safety") or TEMPLATE["safety"]


def assess(doc: dict, vehicle: str, weather: Weather | None, work: list[Interval],
           now: datetime, ridden_km: float = 0.0, climb_on: bool = False) -> Safety:
    """The safety rules of ``doc`` for a courier on ``vehicle`` now (``work``: their
    worked intervals; ``ridden_km``: ridden since going on shift)."""
    out, s = Safety(), section(doc)
    for rule in WEATHER:
        r = s[rule.split(".")[1]]
        why = _why(rule, r, weather) if weather is not None and r["enforce"] != "off" else None
        if why is None:
            continue
        p = Passed(rule, r["enforce"], why, max_run_s=r["max_run_s"] or None,
                   caps_pct=r["caps_pct"],
                   cargo_stop=r["cargo_bikes"] == "stop" and vehicle == "cargo_bike")
        if r["caps_pct"]:
            cap = doc["load"]["vehicle_caps"][vehicle]
            k = 1 - r["caps_pct"] / 100
            p.caps = (round(cap["kg"] * k, 3), round(cap["l"] * k, 3))
        if r["break_every_s"]:
            block = _current_block(work, r["break_s"], now)
            p.continuous_s = seconds(clip(work, block[0], now)) if block else 0
            p.break_by_s, p.break_s = max(0, r["break_every_s"] - p.continuous_s), r["break_s"]
        out.passed.append(p)
    dist, climb, battery = s["distance"], s["climb"], s["battery"]
    if dist["enforce"] != "off":
        out.caps.append(Cap("safety.distance", dist["enforce"], "km", dist[vehicle]["km"]))
    if climb["enforce"] != "off":
        if climb_on:
            out.caps.append(Cap("safety.climb", climb["enforce"], "climb", climb[vehicle]["m"]))
        else:
            out.climb_unchecked = True
    if battery["enforce"] != "off" and vehicle == "cargo_bike":
        full = battery["cargo_bike"]["range_km"]
        usable = full * (1 - battery["reserve_pct"] / 100)
        out.caps.append(Cap("safety.battery", battery["enforce"], "km",
                            max(0.0, usable - ridden_km),
                            {"range_km": full, "reserve_pct": battery["reserve_pct"],
                             "ridden_km": round(ridden_km, 1)}))
    return out


def attach(lim: Limits, safety: Safety) -> Limits:
    """``lim`` with ``safety``; a blocking rule that keeps cargo bikes in holds the courier
    back (unless another rule already does)."""
    lim.safety = safety
    for p in safety.passed:
        if p.enforce == "block" and p.cargo_stop and lim.excluded is None:
            lim.excluded, lim.excluded_rule = Phrase(CARGO_IN, why=p.why), p.rule
    return lim


def tighten(lim: Limits) -> Limits:
    """A copy of ``lim`` with the blocking weather rules' bounds in it (the shortest run,
    the lowest caps, the earliest break): what the routing problem must respect."""
    safety = lim.safety
    blocking = [p for p in (safety.passed if safety else []) if p.enforce == "block"]
    if not blocking:
        return lim
    out = dataclasses.replace(lim)
    for p in blocking:
        if p.max_run_s is not None:
            out.max_run_s = p.max_run_s if out.max_run_s is None else min(out.max_run_s,
                                                                           p.max_run_s)
        if p.caps is not None:
            out.caps = p.caps if out.caps is None else (min(out.caps[0], p.caps[0]),
                                                        min(out.caps[1], p.caps[1]))
        if p.break_by_s is not None:
            if out.break_by_s is None:
                out.break_by_s, out.break_s = p.break_by_s, p.break_s
            else:  # one break, as early as either is due and as long as either asks
                out.break_by_s = min(out.break_by_s, p.break_by_s)
                out.break_s = max(out.break_s, p.break_s)
    return out


def check(lim: Limits, start_s: int, end_s: int, peak: tuple[float, float],
          has_break: bool, km: float, climb_m: float | None) -> list[dict]:
    """Breaches of the safety rules by a planned run, ``[{"rule", "enforce", "text",
    "figures"}]``, as :func:`courier.fairwork.limits.check_route` gives them."""
    safety = lim.safety
    if safety is None:
        return []
    out = []

    def add(rule, enforce, text, **figures):
        out.append({"rule": rule, "enforce": enforce, "text": text, "figures": figures})

    lasts = end_s - start_s
    for p in safety.passed:
        if p.max_run_s is not None and lasts > p.max_run_s:
            add(p.rule, p.enforce, Phrase(LASTS_IN, lasts=hm(lasts), over=hm(p.max_run_s),
                                          why=p.why), lasts_s=lasts, limit_s=p.max_run_s)
        if p.caps is not None and (peak[0] > p.caps[0] + 1e-9 or peak[1] > p.caps[1] + 1e-9):
            add(p.rule, p.enforce, Phrase(
                CARRIES_IN, kg=f"{peak[0]:g}", l=f"{peak[1]:g}", cap_kg=f"{p.caps[0]:g}",
                cap_l=f"{p.caps[1]:g}", pct=f"{p.caps_pct}\u00a0%", why=p.why),
                kg=peak[0], l=peak[1], cap_kg=p.caps[0], cap_l=p.caps[1])
        if p.break_by_s is not None and not has_break and end_s > p.break_by_s:
            add(p.rule, p.enforce, Phrase(NO_BREAK_IN, worked=hm(p.continuous_s + end_s),
                                          pause=hm(p.break_s), why=p.why),
                continuous_s=p.continuous_s + end_s, due_s=p.break_by_s)
        if p.cargo_stop and p.enforce == "warn":
            add(p.rule, "warn", Phrase(CARGO_OUT, why=p.why), vehicle="cargo_bike")
    for c in safety.caps:
        if c.kind == "km" and km > c.limit + 1e-9:
            if c.rule == "safety.battery":
                f = c.figures
                add(c.rule, c.enforce, Phrase(
                    BATTERY_OUT, km=f"{km:.1f}", ridden=f"{f['ridden_km']:.1f}",
                    left=f"{c.limit:.1f}", range=f"{f['range_km']:g}",
                    reserve=f"{f['reserve_pct']}\u00a0%"),
                    km=round(km, 2), limit_km=round(c.limit, 2), **f)
            else:
                add(c.rule, c.enforce, Phrase(RIDES_KM, km=f"{km:.1f}",
                                              limit=f"{round(c.limit, 1):g}"),
                    km=round(km, 2), limit_km=c.limit)
        elif c.kind == "climb" and climb_m is not None and climb_m > c.limit + 1e-9:
            add(c.rule, c.enforce, Phrase(CLIMBS, m=f"{climb_m:.0f}", limit=f"{c.limit:g}"),
                climb_m=round(climb_m, 1), limit_m=c.limit)
    return out


def caps_left(lim: Limits) -> tuple[float | None, float | None]:
    """The blocking caps on a run's km and climbing (the lowest of each), ``None`` when
    none: what a planned run is cut back to."""
    safety = lim.safety
    if safety is None:
        return None, None
    km = [c.limit for c in safety.caps_of("km")]
    climb = [c.limit for c in safety.caps_of("climb")]
    return (min(km) if km else None), (min(climb) if climb else None)
