"""What the rules leave a courier, now: pure functions over tracked work time.

:func:`courier_limits` turns a rules document and a courier's worked intervals
into :class:`Limits`: blocking rules become hard bounds for the routing problem
(a deadline, a break, caps, a stop count, a run length, or no work at all), and
warning rules become thresholds checked on the planned run afterwards
(:func:`check_route`). :func:`shift_start_breaches` checks going on shift, and
:func:`planned_breaches` a shift planned ahead.

Times are seconds from ``now``; a "day" and a "week" (from Monday) are the
cooperative's local ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from courier.fairwork.intervals import Interval, clip, merge, seconds
from courier.texts import N_, Phrase

DAY_S = 86400
WORKED_DAY = N_("{worked} worked today, {limit} a day")
WORKED_WEEK = N_("{worked} worked this week, {limit} a week")
REST_DUE = N_("{rest} of daily rest due at {time}")
IN_A_ROW = N_("{days} days worked in a row, at most {most}")
PAST_LIMIT = N_("ends {over} past the limit ({why})")
LASTS = N_("lasts {lasts}, over {over}")
STOPS = N_("{stops} stops, over {over}")
CARRIES = N_("carries up to {kg} kg / {l} L, over the cap of {cap_kg} kg / {cap_l} L")
NO_BREAK = N_("rides past {worked} of work without a {pause} break")
REST_BEFORE_SHIFT = N_("{rest} of rest are due before the next shift")
ALREADY_TODAY = N_("{worked} already worked today")
ALREADY_WEEK = N_("{worked} already worked this week")
PLANNED_DAY = N_("{worked} of work that day, at most {limit} a day")
PLANNED_WEEK = N_("{worked} of work that week, at most {limit} a week")
PLANNED_REST = N_("less than {rest} of rest between two working days")


def day_start(t: datetime, tz: ZoneInfo) -> datetime:
    local = t.astimezone(tz)
    return datetime.combine(local.date(), time(0), tz).astimezone(t.tzinfo)


def week_start(t: datetime, tz: ZoneInfo) -> datetime:
    local = t.astimezone(tz)
    monday = local.date() - timedelta(days=local.weekday())
    return datetime.combine(monday, time(0), tz).astimezone(t.tzinfo)


def hm(s: float) -> str:
    """``5 h 30`` / ``45 min``: a duration as people say it."""
    s = max(0, int(round(s)))
    h, m = divmod(s // 60, 60)
    return f"{h} h {m:02d}" if h and m else (f"{h} h" if h else f"{m} min")


@dataclass
class Limits:
    """A courier's bounds for one cycle. ``None`` means no bound."""

    version: int
    deadline_s: int | None = None  # the run must end by then (blocking time rules)
    deadline_why: str = ""
    deadline_rule: str = ""  # which working-time rule sets the deadline
    max_run_s: int | None = None
    max_stops: int | None = None
    caps: tuple[float, float] | None = None  # kg, litres
    break_by_s: int | None = None  # a break must start by then...
    break_s: int = 0  # ...and last this long
    excluded: str | None = None  # why this courier gets no work now
    excluded_rule: str = ""  # the rule that says so
    warn: dict = field(default_factory=dict)  # the same bounds, for warning rules
    worked_today_s: int = 0
    worked_week_s: int = 0
    continuous_s: int = 0
    streak_days: int = 0
    safety: object = None  # the safety rules now (courier.fairwork.safety.Safety)


def _blocks(work: list[Interval], gap_s: int) -> list[Interval]:
    """Work intervals joined when the pause between them is shorter than ``gap_s``."""
    out: list[list] = []
    for s, e in merge(work):
        if out and (s - out[-1][1]).total_seconds() < gap_s:
            out[-1][1] = e
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def _current_block(work: list[Interval], gap_s: int, now: datetime) -> Interval | None:
    blocks = _blocks(clip(work, datetime.min.replace(tzinfo=now.tzinfo), now), gap_s)
    if not blocks or (now - blocks[-1][1]).total_seconds() >= gap_s:
        return None
    return blocks[-1]


def streak(work: list[Interval], now: datetime, tz: ZoneInfo) -> int:
    """Consecutive local days worked just before today."""
    n, day = 0, day_start(now, tz)
    while n < 62:
        prev = day_start(day - timedelta(hours=12), tz)
        if seconds(clip(work, prev, day)) == 0:
            break
        n, day = n + 1, prev
    return n


def _figures(doc: dict, work: list[Interval], now: datetime, tz: ZoneInfo) -> dict:
    wt = doc["working_time"]
    rest = _current_block(work, wt["daily_rest"]["min_s"], now)
    cont = _current_block(work, wt["break"]["duration_s"], now)
    return {
        "today": seconds(clip(work, day_start(now, tz), now)),
        "week": seconds(clip(work, week_start(now, tz), now)),
        "day_opened": rest[0] if rest else now,
        "continuous": seconds(clip(work, cont[0], now)) if cont else 0,
        "streak": streak(work, now, tz),
        "worked_today": seconds(clip(work, day_start(now, tz), now)) > 0,
    }


def courier_limits(doc: dict, version: int, vehicle: str, work: list[Interval],
                   now: datetime, tz: ZoneInfo) -> Limits:
    """The bounds the rules in ``doc`` put on this courier's next run."""
    wt, ld = doc["working_time"], doc["load"]
    f = _figures(doc, work, now, tz)
    lim = Limits(version, worked_today_s=f["today"], worked_week_s=f["week"],
                 continuous_s=f["continuous"], streak_days=f["streak"])
    amplitude_end = f["day_opened"] + timedelta(seconds=DAY_S - wt["daily_rest"]["min_s"])
    deadlines = {
        "working_time.max_day": (wt["max_day"]["limit_s"] - f["today"],
                                 Phrase(WORKED_DAY, worked=hm(f["today"]),
                                        limit=hm(wt["max_day"]["limit_s"]))),
        "working_time.max_week": (wt["max_week"]["limit_s"] - f["week"],
                                  Phrase(WORKED_WEEK, worked=hm(f["week"]),
                                         limit=hm(wt["max_week"]["limit_s"]))),
        "working_time.daily_rest": (int((amplitude_end - now).total_seconds()),
                                    Phrase(REST_DUE, rest=hm(wt["daily_rest"]["min_s"]),
                                           time=f"{amplitude_end.astimezone(tz):%H:%M}")),
    }
    for rule, (left, why) in deadlines.items():
        mode = doc["working_time"][rule.split(".")[1]]["enforce"]
        if mode == "block" and (lim.deadline_s is None or left < lim.deadline_s):
            lim.deadline_s, lim.deadline_why, lim.deadline_rule = max(0, left), why, rule
        elif mode == "warn":
            prev = lim.warn.get("deadline")
            if prev is None or left < prev[0]:
                lim.warn["deadline"] = (left, why, rule)
    if lim.deadline_s is not None and lim.deadline_s <= 0:
        lim.excluded, lim.excluded_rule = lim.deadline_why, lim.deadline_rule
    days = wt["consecutive_days"]
    if f["streak"] >= days["max_days"] and days["enforce"] != "off":
        text = Phrase(IN_A_ROW, days=f["streak"], most=days["max_days"])
        if days["enforce"] == "block":
            lim.excluded, lim.excluded_rule = text, "working_time.consecutive_days"
        else:
            lim.warn["consecutive_days"] = text
    brk = wt["break"]
    if brk["enforce"] != "off":
        by = max(0, brk["after_s"] - f["continuous"])
        if brk["enforce"] == "block":
            lim.break_by_s, lim.break_s = by, brk["duration_s"]
        else:
            lim.warn["break"] = (by, brk["duration_s"])
    for rule, key, value in (
            ("vehicle_caps", "caps", (ld["vehicle_caps"][vehicle]["kg"],
                                      ld["vehicle_caps"][vehicle]["l"])),
            ("max_stops", "max_stops", ld["max_stops"]["limit"]),
            ("max_run", "max_run_s", ld["max_run"]["limit_s"])):
        mode = ld[rule]["enforce"]
        if mode == "block":
            setattr(lim, key, value)
        elif mode == "warn":
            lim.warn[key] = value
    return lim


def shift_start_breaches(doc: dict, work: list[Interval], now: datetime,
                         tz: ZoneInfo) -> list[tuple[str, str, str]]:
    """Rules that going on shift now would break: ``(rule, enforce, text)``."""
    wt = doc["working_time"]
    f = _figures(doc, work, now, tz)
    out = []
    rest = wt["daily_rest"]
    if (now - f["day_opened"]).total_seconds() >= DAY_S - rest["min_s"]:
        out.append(("working_time.daily_rest", rest["enforce"],
                    Phrase(REST_BEFORE_SHIFT, rest=hm(rest["min_s"]))))
    if f["today"] >= wt["max_day"]["limit_s"]:
        out.append(("working_time.max_day", wt["max_day"]["enforce"],
                    Phrase(ALREADY_TODAY, worked=hm(f["today"]))))
    if f["week"] >= wt["max_week"]["limit_s"]:
        out.append(("working_time.max_week", wt["max_week"]["enforce"],
                    Phrase(ALREADY_WEEK, worked=hm(f["week"]))))
    days = wt["consecutive_days"]
    if not f["worked_today"] and f["streak"] >= days["max_days"]:
        out.append(("working_time.consecutive_days", days["enforce"],
                    Phrase(IN_A_ROW, days=f["streak"], most=days["max_days"])))
    return [b for b in out if b[1] != "off"]


def check_route(lim: Limits, start_s: int, end_s: int, stops: int, peak: tuple[float, float],
                has_break: bool) -> list[dict]:
    """Breaches of the rules by a planned run, ``[{"rule", "enforce", "text", "figures"}]``
    (times in seconds from now, loads in kg and litres).

    Warning rules are expected here; a blocking rule found here means the run must not
    be given to this courier.
    """
    out = []

    def add(rule, enforce, text, **figures):
        out.append({"rule": rule, "enforce": enforce, "text": text, "figures": figures})

    w = lim.warn
    if lim.deadline_s is not None and end_s > lim.deadline_s:
        add(lim.deadline_rule or "working_time", "block",
            Phrase(PAST_LIMIT, over=hm(end_s - lim.deadline_s), why=lim.deadline_why),
            ends_s=end_s, limit_s=lim.deadline_s)
    if "deadline" in w and end_s > w["deadline"][0]:
        add(w["deadline"][2], "warn", Phrase(PAST_LIMIT, over=hm(end_s - max(0, w["deadline"][0])),
                                             why=w["deadline"][1]),
            ends_s=end_s, limit_s=w["deadline"][0])
    for enforce, bound in (("block", lim.max_run_s), ("warn", w.get("max_run_s"))):
        if bound is not None and end_s - start_s > bound:
            add("load.max_run", enforce, Phrase(LASTS, lasts=hm(end_s - start_s), over=hm(bound)),
                lasts_s=end_s - start_s, limit_s=bound)
    for enforce, bound in (("block", lim.max_stops), ("warn", w.get("max_stops"))):
        if bound is not None and stops > bound:
            add("load.max_stops", enforce, Phrase(STOPS, stops=stops, over=bound),
                stops=stops, limit=bound)
    for enforce, caps in (("block", lim.caps), ("warn", w.get("caps"))):
        if caps is not None and (peak[0] > caps[0] + 1e-9 or peak[1] > caps[1] + 1e-9):
            add("load.vehicle_caps", enforce, Phrase(
                CARRIES, kg=f"{peak[0]:g}", l=f"{peak[1]:g}", cap_kg=f"{caps[0]:g}",
                cap_l=f"{caps[1]:g}"), kg=peak[0], l=peak[1], cap_kg=caps[0], cap_l=caps[1])
    breaks = (("block", (lim.break_by_s, lim.break_s) if lim.break_by_s is not None else None),
              ("warn", w.get("break")))
    for enforce, due in breaks:
        if due is not None and not has_break and end_s > due[0]:
            add("working_time.break", enforce,
                Phrase(NO_BREAK, worked=hm(lim.continuous_s + end_s), pause=hm(due[1])),
                continuous_s=lim.continuous_s + end_s, due_s=due[0])
    if "consecutive_days" in w:
        add("working_time.consecutive_days", "warn", w["consecutive_days"],
            days=lim.streak_days)
    return out


def _days_with_work(work: list[Interval], day: datetime, step: int, tz: ZoneInfo) -> int:
    """Local days with work next to ``day`` (a day's start), going ``step`` (+1 or -1)."""
    n = 0
    while n < 62:
        day = day_start(day + timedelta(hours=36 if step > 0 else -12), tz)
        if seconds(clip(work, day, day_start(day + timedelta(hours=36), tz))) == 0:
            return n
        n += 1
    return n


def planned_breaches(doc: dict, work: list[Interval], slot: Interval,
                     tz: ZoneInfo) -> list[tuple[str, str, str, dict]]:
    """Rules that working ``slot`` as planned would break: ``(rule, enforce, text,
    figures)``. ``work`` is the time already worked and the other shifts planned; the
    hours of a day and a week count all of them, the daily rest and the days in a row look
    both ways from the slot."""
    wt = doc["working_time"]
    every = merge([*work, slot])
    start, end = slot
    out = []
    day0 = day_start(start, tz)
    today = seconds(clip(every, day0, day_start(day0 + timedelta(hours=36), tz)))
    if today > wt["max_day"]["limit_s"]:
        out.append(("working_time.max_day", wt["max_day"]["enforce"], Phrase(
            PLANNED_DAY, worked=hm(today), limit=hm(wt["max_day"]["limit_s"])),
            {"planned_day_s": today, "limit_s": wt["max_day"]["limit_s"]}))
    week0 = week_start(start, tz)
    week = seconds(clip(every, week0, week_start(week0 + timedelta(days=8), tz)))
    if week > wt["max_week"]["limit_s"]:
        out.append(("working_time.max_week", wt["max_week"]["enforce"], Phrase(
            PLANNED_WEEK, worked=hm(week), limit=hm(wt["max_week"]["limit_s"])),
            {"planned_week_s": week, "limit_s": wt["max_week"]["limit_s"]}))
    rest = wt["daily_rest"]
    for s, e in _blocks(every, rest["min_s"]):
        if s <= start and end <= e and (e - s).total_seconds() > DAY_S - rest["min_s"]:
            out.append(("working_time.daily_rest", rest["enforce"],
                        Phrase(PLANNED_REST, rest=hm(rest["min_s"])),
                        {"working_day_s": int((e - s).total_seconds()),
                         "rest_s": rest["min_s"]}))
    days = wt["consecutive_days"]
    row = _days_with_work(every, day0, -1, tz) + 1 + _days_with_work(every, day0, 1, tz)
    if row > days["max_days"]:
        out.append(("working_time.consecutive_days", days["enforce"],
                    Phrase(IN_A_ROW, days=row, most=days["max_days"]),
                    {"days": row, "limit": days["max_days"]}))
    return [b for b in out if b[1] != "off"]
