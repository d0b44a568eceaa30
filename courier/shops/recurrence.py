"""A schedule's dates: an iCalendar RRULE (RFC 5545, read by python-dateutil) from a
start in the coop's local wall time, without the dates it skips (EXDATE: holidays, a
day off), until its end (UNTIL or COUNT, or never). Local wall time, so "every weekday at
18:00" stays at 18:00 across the change to summer time."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import MONTHLY, rrule, rrulestr
from flask import current_app

from courier import settings
from courier.errors import InvalidInput

MAX_LENGTH = 500
SCAN_DAYS = 366  # the cap is checked over the rule's first year
CYCLE_YEARS = 400  # the calendar repeats, leap years and weekdays alike, every 400 years
_UNTIL_UTC = re.compile(r"UNTIL=(\d{8}T\d{6})Z", re.IGNORECASE)


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["COOP_TIMEZONE"])


def _local_until(text: str) -> str:
    """An UNTIL in UTC (``...Z``, as RFC 5545 asks) in local wall time, since the start is
    local wall time (dateutil wants both alike)."""
    def convert(m):
        moment = datetime.strptime(m.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
        return "UNTIL=" + moment.astimezone(zone()).strftime("%Y%m%dT%H%M%S")
    return _UNTIL_UTC.sub(convert, text)


def parse(text: str, starts: datetime) -> rrule:
    """The rule of ``text`` (``FREQ=WEEKLY;BYDAY=MO,TU``, with or without ``RRULE:``) from
    ``starts`` (naive, local); refused with 422 naming ``rrule`` when it does not parse."""
    text = (text or "").strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    if not text:
        raise InvalidInput("give the schedule's rule", {"rrule": "required"})
    if len(text) > MAX_LENGTH or "\n" in text or ":" in text:
        raise InvalidInput("give one RRULE, like FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
                           {"rrule": "one RRULE line, without DTSTART or EXDATE"})
    try:
        rule = rrulestr(_local_until(text), dtstart=starts)
    except (ValueError, TypeError, KeyError, AttributeError) as err:
        raise InvalidInput(f"the rule does not parse: {err}",
                           {"rrule": f"not a valid RRULE: {err}"}) from None
    if not isinstance(rule, rrule):
        raise InvalidInput("give one RRULE", {"rrule": "one RRULE only"})
    return rule


def _days_come(rule: rrule) -> bool:
    """Whether the days the rule picks ever come (not "every 30 February"). dateutil
    looks for a rule's first date up to the year 9999, seconds of work for a rule that
    has none; the same days are sought here in 400 years (the calendar's whole cycle,
    leap years and weekdays alike) near that end, every time of day and every period,
    month by month: a few milliseconds. A rule whose days never come there gives no
    date either, or none for more than four centuries."""
    days = {k: v for k, v in rule._original_rule.items()
            if k not in ("byhour", "byminute", "bysecond", "bysetpos")}
    freq = rule._freq
    if freq > MONTHLY:  # weekly or more often: the days are plain filters
        if not any(days.get(k) for k in ("byweekno", "byyearday", "bymonthday",
                                         "byweekday", "byeaster")):
            return True  # every day of the months it names (or the start's weekday)
        freq = MONTHLY  # the same days, a month at a time
    if not _first_in_last_cycles(rule, freq=freq, wkst=rule._wkst, **days):
        return False
    if rule._interval == 1:
        return True
    # Days that exist but that the rule's steps never land on ("every 7 days, on
    # Saturdays" from a Monday): the rule itself, moved by whole cycles, steps exactly as
    # it would here, so its first date near the end is its first in as many centuries.
    return _first_in_last_cycles(rule, freq=rule._freq, interval=rule._interval,
                                 wkst=rule._wkst, **rule._original_rule) is not None


def _first_in_last_cycles(rule: rrule, **parts) -> datetime | None:
    """The first date of a rule made of ``parts``, started as ``rule`` is but whole
    calendar cycles later, one to two cycles before dateutil's last year: what it finds
    there, the rule finds in as many years from its start; and the search ends."""
    start = rule._dtstart
    shift = (datetime.max.year - CYCLE_YEARS - start.year) // CYCLE_YEARS * CYCLE_YEARS
    wide = rrule(dtstart=start.replace(year=start.year + max(shift, 0)), **parts)
    return next(iter(wide), None)


def check(rule: rrule, exdates: list[date]) -> None:
    """Refuse a rule that gives no date at all, or more jobs on one day than the coop's
    cap (``schedule_daily_cap``), naming ``rrule``."""
    if not _days_come(rule):
        raise InvalidInput("the rule's days never come (a date that does not exist, or "
                           "steps that never land on its days?)",
                           {"rrule": "gives no date after the start"})
    cap = int(settings.get("schedule_daily_cap"))
    skip = set(exdates)
    per_day: Counter = Counter()
    first = None
    for moment in rule:
        first = first or moment
        if moment - first > timedelta(days=SCAN_DAYS):
            break
        if moment.date() in skip:
            continue
        per_day[moment.date()] += 1
        if per_day[moment.date()] > cap:
            raise InvalidInput(
                f"the rule makes more than {cap} jobs on {moment.date().isoformat()}, the "
                f"coop's cap for a day", {"rrule": f"more than {cap} jobs a day"})
    if first is None:
        raise InvalidInput("the rule gives no date after its start",
                           {"rrule": "gives no date after the start"})


def occurrences(rule: rrule, exdates: list[date], after: datetime, until: datetime,
                limit: int = 1000) -> list[datetime]:
    """The occurrences (aware, UTC) strictly after ``after`` and up to ``until`` (aware),
    without the skipped dates."""
    tz, skip = zone(), set(exdates)
    start = after.astimezone(tz).replace(tzinfo=None)
    end = until.astimezone(tz).replace(tzinfo=None)
    out = []
    for moment in rule.xafter(start - timedelta(hours=3), inc=True):
        if moment > end + timedelta(hours=3) or len(out) >= limit:
            break
        if moment.date() in skip:
            continue
        aware = moment.replace(tzinfo=tz).astimezone(UTC)
        if after < aware <= until:
            out.append(aware)
    return out
