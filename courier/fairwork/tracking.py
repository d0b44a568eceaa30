"""Time tracking: shifts, breaks and council corrections, all in the event log.

Shift start and end are the ``shift_started``/``shift_ended`` events written by
:func:`courier.dispatch.operations.set_shift`; breaks are ``break_started`` /
``break_ended``; a council correction is a ``time_corrected`` event that adds,
moves or voids one interval. Nothing is ever overwritten: the intervals are
worked out from the events each time, corrections applied in order.

An interval is known by the id of the event that opened it (or of the
correction that added it); corrections name it as their ``target``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from courier.errors import Conflict, Forbidden, InvalidInput, NotFound
from courier.extensions import db
from courier.fairwork.intervals import Interval, merge, subtract
from courier.journal import record
from courier.models import Courier, Event, Role, User, utcnow

SHIFT, BREAK = "shift", "break"
ACTIONS = ("shift_started", "shift_ended", "break_started", "break_ended", "time_corrected")


def timezone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("COOP_TIMEZONE", "Europe/Paris"))


def local(t: datetime, day: bool = False) -> str:
    """``t`` as the coop's members read it: the time in its time zone ("14:05"), with
    the date when ``day`` ("2026-03-10 14:05")."""
    return f"{t.astimezone(timezone()):{'%Y-%m-%d %H:%M' if day else '%H:%M'}}"


@dataclass
class Tracked:
    """One courier's intervals. Open ones end at ``now``."""

    shifts: dict[int, list] = field(default_factory=dict)  # key -> [start, end | None]
    breaks: dict[int, list] = field(default_factory=dict)
    on_break: bool = False

    def closed(self, kind: str, now: datetime) -> list[Interval]:
        table = self.shifts if kind == SHIFT else self.breaks
        out = [(s, e if e is not None else now) for s, e in table.values() if s < now]
        return sorted((s, min(e, now)) for s, e in out if min(e, now) > s)

    def work(self, now: datetime) -> list[Interval]:
        """Time on shift, breaks taken out."""
        return subtract(merge(self.closed(SHIFT, now)), merge(self.closed(BREAK, now)))


def load(courier_ids: list[int], since: datetime | None) -> dict[int, Tracked]:
    """The intervals of these couriers from events since ``since`` (a week earlier is
    read too, so that a shift opened before ``since`` is seen; None: all)."""
    out = {cid: Tracked() for cid in courier_ids}
    if not courier_ids:
        return out
    q = select(Event).where(Event.subject == "courier", Event.courier_id.in_(courier_ids),
                            Event.action.in_(ACTIONS))
    if since is not None:
        q = q.where(Event.at >= since - timedelta(days=7))
    rows = db.session.scalars(q.order_by(Event.at, Event.id)).all()
    opened: dict[tuple[int, str], int] = {}
    corrections = []
    for ev in rows:
        t = out[ev.courier_id]
        if ev.action == "time_corrected":
            corrections.append(ev)
            continue
        kind, what = ev.action.split("_")
        table = t.shifts if kind == SHIFT else t.breaks
        key = (ev.courier_id, kind)
        if what == "started" and key not in opened:
            table[ev.id] = [ev.at, None]
            opened[key] = ev.id
        elif what == "ended" and key in opened:
            table[opened.pop(key)][1] = ev.at
            if kind == SHIFT and (ev.courier_id, BREAK) in opened:  # off shift ends a break
                t.breaks[opened.pop((ev.courier_id, BREAK))][1] = ev.at
    for cid, kind in opened:
        if kind == BREAK:
            out[cid].on_break = True
    for ev in sorted(corrections, key=lambda e: e.id):
        _apply(out[ev.courier_id], ev)
    return out


def _apply(t: Tracked, ev: Event) -> None:
    d = ev.data or {}
    table = t.shifts if d.get("kind") == SHIFT else t.breaks
    target = d.get("target")
    if d.get("void"):
        table.pop(target, None)
        return
    start = datetime.fromisoformat(d["start"]) if d.get("start") else None
    end = datetime.fromisoformat(d["end"]) if d.get("end") else None
    if target is None:
        table[ev.id] = [start, end]
    elif target in table:
        old = table[target]
        table[target] = [start or old[0], end or old[1]]


def _record(actor: User | None, courier: Courier, action: str, at: datetime, reason: str = "",
            data: dict | None = None) -> Event:
    db.session.flush()  # the change the event describes is written first
    return record(actor, "courier", action, courier=courier, reason=reason, data=data, at=at)


def _courier(user: User) -> Courier:
    if user.role != Role.COURIER or user.courier is None:
        raise Forbidden("only couriers can do this")
    return user.courier


def start_break(user: User, now: datetime | None = None) -> Event:
    """The courier starts a break: no offers until it ends."""
    courier, now = _courier(user), now or utcnow()
    if not courier.on_shift:
        raise Conflict("a break is taken on shift", {"on_shift": False})
    if load([courier.id], now)[courier.id].on_break:
        raise Conflict("you are already on a break", {"on_break": True})
    return _record(user, courier, "break_started", now)


def end_break(user: User, now: datetime | None = None) -> Event:
    courier, now = _courier(user), now or utcnow()
    if not load([courier.id], now)[courier.id].on_break:
        raise Conflict("you are not on a break", {"on_break": False})
    return _record(user, courier, "break_ended", now)


def on_break(courier_ids: list[int], now: datetime) -> set[int]:
    return {cid for cid, t in load(courier_ids, now).items() if t.on_break}


def correct(user: User, courier: Courier, kind: str, reason: str, *, target: int | None = None,
            start: datetime | None = None, end: datetime | None = None, void: bool = False,
            now: datetime | None = None) -> Event:
    """A council correction of a courier's time: add an interval (no ``target``),
    move one (``target`` and a new ``start`` and/or ``end``) or void one."""
    if user.role != Role.COUNCIL:
        raise Forbidden("only the council corrects tracked time")
    if kind not in (SHIFT, BREAK):
        raise InvalidInput("kind must be shift or break", {"kind": "must be shift or break"})
    if not reason or not reason.strip():
        raise InvalidInput("say why the time is corrected", {"reason": "required"})
    now = now or utcnow()
    if target is not None:
        known = load([courier.id], None)[courier.id]
        if target not in (known.shifts if kind == SHIFT else known.breaks):
            raise NotFound(f"no {kind} {target} for this courier", {"target": "unknown"})
    elif void:
        raise InvalidInput("name the interval to void", {"target": "required to void"})
    elif start is None or end is None:
        raise InvalidInput("an added interval needs a start and an end",
                           {"start": "required", "end": "required"})
    if start and end and end <= start:
        raise InvalidInput("end must be after start", {"end": "must be after start"})
    data = {"kind": kind, "target": target, "void": void,
            "start": start.isoformat() if start else None,
            "end": end.isoformat() if end else None}
    return _record(user, courier, "time_corrected", now, reason.strip(), data)
