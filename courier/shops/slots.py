"""Delivery slots a shop offers its customers: its opening hours cut into slots
(e.g. two hours), a same-day cut-off, a minimum notice, closed dates.

Slots are computed, not stored. A slot's id is its start on the shop's clock,
with the UTC offset (``2026-12-01T10:00+01:00``): unambiguous across daylight
saving changes. A job that names a slot gets the slot as its window.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app
from sqlalchemy import select

from courier.errors import Forbidden, InvalidInput
from courier.extensions import db
from courier.models import Merchant, Role, SlotSchedule, User, utcnow
from courier.shops.rules import DAYS

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
DEFAULTS = {"slot_minutes": 120, "opening_hours": {}, "same_day_cutoff": None,
            "min_notice_minutes": 60, "days_ahead": 7, "closed_dates": [], "timezone": None}


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime

    @property
    def id(self) -> str:
        return self.start.isoformat(timespec="minutes")


def _hhmm(v) -> time | None:
    return time(int(v[:2]), int(v[3:])) if isinstance(v, str) and _HHMM.match(v) else None


def _bad(problems: dict):
    first = next(iter(problems.items()))
    return InvalidInput(f"invalid slot schedule: {first[0]}: {first[1]}", problems)


def validate(data: dict) -> dict:
    """The complete, checked settings of a schedule, or InvalidInput naming each field."""
    if not isinstance(data, dict):
        raise _bad({"_body": "an object is required"})
    problems: dict[str, str] = {}
    for key in set(data) - set(DEFAULTS):
        problems[key] = f"unknown field; known: {', '.join(DEFAULTS)}"
    s = {**DEFAULTS, **data}
    for key, lo, hi in (("slot_minutes", 15, 720), ("min_notice_minutes", 0, 2880),
                        ("days_ahead", 0, 60)):
        v = s[key]
        if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
            problems[key] = f"a whole number from {lo} to {hi}"
    hours = s["opening_hours"]
    if not isinstance(hours, dict) or set(hours) - set(DAYS):
        problems["opening_hours"] = f"an object with keys among {', '.join(DAYS)}"
    else:
        for day, spans in hours.items():
            _check_spans(spans, f"opening_hours.{day}", problems)
    if s["same_day_cutoff"] is not None and _hhmm(s["same_day_cutoff"]) is None:
        problems["same_day_cutoff"] = "HH:MM, or null for none"
    dates = s["closed_dates"]
    if not isinstance(dates, list) or not all(isinstance(d, str) for d in dates):
        problems["closed_dates"] = "a list of YYYY-MM-DD dates"
    else:
        for i, d in enumerate(dates):
            try:
                date.fromisoformat(d)
            except ValueError:
                problems[f"closed_dates[{i}]"] = "a date as YYYY-MM-DD"
    if s["timezone"] is not None:
        try:
            ZoneInfo(str(s["timezone"]))
        except (ZoneInfoNotFoundError, ValueError):
            problems["timezone"] = "an IANA time zone such as Europe/Paris, or null"
    if problems:
        raise _bad(problems)
    return s


def _check_spans(spans, path: str, problems: dict) -> None:
    if not isinstance(spans, list):
        problems[path] = "a list of [\"HH:MM\", \"HH:MM\"] opening spans"
        return
    last = None
    for i, span in enumerate(spans):
        pair = [_hhmm(v) for v in span] if isinstance(span, list) and len(span) == 2 else None
        if not pair or None in pair:
            problems[f"{path}[{i}]"] = "[\"HH:MM\", \"HH:MM\"] (opening, closing)"
        elif pair[0] >= pair[1]:
            problems[f"{path}[{i}]"] = "closes before it opens"
        elif last is not None and pair[0] < last:
            problems[f"{path}[{i}]"] = "overlaps or comes before the previous span"
        else:
            last = pair[1]


def set_schedule(user: User, data: dict) -> SlotSchedule:
    """The shop sets (or replaces) its delivery slots."""
    if user.role != Role.MERCHANT or user.merchant is None:
        raise Forbidden("only a shop has delivery slots")
    settings = validate(data)
    schedule = schedule_of(user.merchant)
    if schedule is None:
        schedule = SlotSchedule(merchant_id=user.merchant.id, settings=settings)
        db.session.add(schedule)
    else:
        schedule.settings = settings
        schedule.updated_at = utcnow()
    db.session.flush()
    return schedule


def schedule_of(merchant: Merchant) -> SlotSchedule | None:
    return db.session.scalars(select(SlotSchedule).where(
        SlotSchedule.merchant_id == merchant.id)).first()


def _zone(settings: dict) -> ZoneInfo:
    return ZoneInfo(settings.get("timezone") or current_app.config["COOP_TIMEZONE"])


def slots_on(settings: dict, day: date) -> list[Slot]:
    """Every slot of ``day`` by the opening hours, offered or not."""
    if day.isoformat() in settings["closed_dates"]:
        return []
    tz, step = _zone(settings), timedelta(minutes=settings["slot_minutes"])
    out = []
    for opening, closing in settings["opening_hours"].get(DAYS[day.weekday()], []):
        t = datetime.combine(day, _hhmm(opening), tz)
        end = datetime.combine(day, _hhmm(closing), tz)
        while t + step <= end:
            out.append(Slot(t, t + step))
            t += step
    return out


def _refusal(settings: dict, slot: Slot, now: datetime) -> str | None:
    """Why ``slot`` is not offered at ``now``, or None if it is."""
    tz = _zone(settings)
    local_now = now.astimezone(tz)
    day = slot.start.astimezone(tz).date()
    if slot.start <= now:
        return "this slot has already started"
    notice = settings["min_notice_minutes"]
    if slot.start < now + timedelta(minutes=notice):
        return f"this slot needs {notice} minutes' notice"
    cutoff = _hhmm(settings["same_day_cutoff"]) if settings["same_day_cutoff"] else None
    if cutoff and day == local_now.date() and local_now.time() >= cutoff:
        return f"same-day slots close at {settings['same_day_cutoff']}"
    if (day - local_now.date()).days > settings["days_ahead"]:
        return f"slots are offered {settings['days_ahead']} days ahead at most"
    return None


def offered(settings: dict, now: datetime, days: int | None = None) -> list[Slot]:
    """The slots a customer can book at ``now``."""
    tz = _zone(settings)
    today = now.astimezone(tz).date()
    horizon = settings["days_ahead"] if days is None else min(days, settings["days_ahead"])
    return [s for n in range(horizon + 1) for s in slots_on(settings, today + timedelta(days=n))
            if _refusal(settings, s, now) is None]


def resolve(merchant: Merchant, slot_id, now: datetime) -> Slot:
    """The slot a job names, if the shop offers it now; otherwise 422 saying why."""
    schedule = schedule_of(merchant)
    if schedule is None or not schedule.settings["opening_hours"]:
        raise InvalidInput("this shop offers no delivery slots: give ready_at and deliver_by",
                           {"slot": "the shop has no slots"})
    try:
        start = datetime.fromisoformat(str(slot_id))
    except ValueError:
        start = None
    if start is None or start.tzinfo is None:
        raise InvalidInput("slot: not a slot id; use one from GET /api/v1/slots "
                           "(e.g. 2026-12-01T10:00+01:00)", {"slot": "not a slot id"})
    settings = schedule.settings
    day = start.astimezone(_zone(settings)).date()
    match = next((s for s in slots_on(settings, day) if s.start == start), None)
    if match is None:
        raise InvalidInput(f"no delivery slot starts at {slot_id} (shop closed or not a slot "
                           f"boundary)", {"slot": "no such slot"})
    why = _refusal(settings, match, now)
    if why:
        raise InvalidInput(f"slot {match.id} can no longer be booked: {why}", {"slot": why})
    return match


def listing(user: User, now: datetime | None = None, days: int | None = None) -> list[Slot]:
    if user.role != Role.MERCHANT or user.merchant is None:
        raise Forbidden("only a shop has delivery slots")
    schedule = schedule_of(user.merchant)
    return [] if schedule is None else offered(schedule.settings, now or utcnow(), days)
