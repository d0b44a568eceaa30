"""When the demo's simulated couriers work: on shift when the rules let them, a break
before the rules' break falls due, home after a day's work, back after the daily rest.

All on the app's clock, through the same operations a courier's phone uses, so the
rules (which may refuse a shift) see exactly what a real courier would do.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from courier.dispatch import operations
from courier.errors import Conflict, DomainError
from courier.fairwork import tracking, versions
from courier.models import User

RETRY = timedelta(minutes=15)  # after a refused shift, try again this much later
BREAK_MARGIN = timedelta(minutes=30)  # a break starts this long before it falls due


class Duty:
    """The shift and break decisions of simulated couriers (kept between ticks)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.breaks: dict[int, datetime] = {}  # courier id -> when the break began
        self.resumed: dict[int, datetime] = {}  # courier id -> when work last resumed
        self.day_s: dict[int, float] = {}  # courier id -> this shift's length of work
        self.not_before: dict[int, datetime] = {}  # courier id -> next try to go on shift

    def on_break(self, courier_id: int) -> bool:
        return courier_id in self.breaks

    def look(self, user: User, now: datetime, busy: bool) -> None:
        """Go on shift, start or end a break, or go home, as due at ``now``. ``busy``:
        the courier holds an offer or a run (nothing changes until it is done)."""
        c = user.courier
        if not c.on_shift:
            self.breaks.pop(c.id, None)
            if now >= self.not_before.get(c.id, now):
                self._go_on_shift(user, now)
            return
        wt = None
        if c.id in self.breaks:
            wt = versions.in_force(now).rules["working_time"]
            if now - self.breaks[c.id] >= timedelta(seconds=wt["break"]["duration_s"]):
                tracking.end_break(user, now)
                del self.breaks[c.id]
                self.resumed[c.id] = now
            return
        if busy or c.shift_started_at is None:
            return
        started = c.shift_started_at
        since = max(started, self.resumed.get(c.id, started))
        length = self.day_s.setdefault(c.id, self.rng.uniform(5, 8) * 3600)
        if (now - started).total_seconds() < length and now - since < timedelta(hours=3):
            return
        wt = wt or versions.in_force(now).rules["working_time"]
        if (now - started).total_seconds() >= length:  # home until the daily rest is over
            operations.set_shift(user, False, now=now)
            self.not_before[c.id] = now + timedelta(seconds=wt["daily_rest"]["min_s"])
            self.day_s.pop(c.id, None)
            return
        due = timedelta(seconds=wt["break"]["after_s"]) - BREAK_MARGIN
        if wt["break"]["enforce"] != "off" and now - since >= due:
            self._start_break(user, now)

    def _go_on_shift(self, user: User, now: datetime) -> None:
        try:
            operations.set_shift(user, True, now=now)
        except DomainError:  # the rules say rest: try again later
            self.not_before[user.courier.id] = now + RETRY
            raise
        self.resumed[user.courier.id] = now

    def _start_break(self, user: User, now: datetime) -> None:
        try:
            tracking.start_break(user, now)
        except Conflict as err:
            if not err.fields.get("on_break"):
                raise
        self.breaks[user.courier.id] = now
