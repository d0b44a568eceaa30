"""The app's one clock: every "now" of the app (events, shifts, breaks, offers, pay,
reports) is :func:`now`, which is the real time unless a simulation has put a
:class:`SimulatedClock` in its place (the demo at ``--speed`` above 1, a benchmark of
a whole day). Riding, time on shift and pay then all move on the same clock: there is
never a second one.

This module imports nothing of the app, so that anything may use it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta


class Every:
    """Work a process does now and then: :meth:`due` is true the first time it is asked,
    then once ``seconds`` have passed (on the monotonic clock) since it last was."""

    def __init__(self) -> None:
        self._at = float("-inf")

    def due(self, seconds: float, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        if now - self._at < seconds:
            return False
        self._at = now
        return True

    def reset(self) -> None:
        """Make it due at the next ask."""
        self._at = float("-inf")


class SimulatedClock:
    """A clock that starts at ``start`` (default: the real time now), runs ``speed``
    times as fast as real time (0: it stands still) and can be moved forward by
    :meth:`advance`. It never goes back."""

    def __init__(self, start: datetime | None = None, speed: float = 0.0):
        if speed < 0:
            raise ValueError("a clock's speed cannot be negative")
        self._start = start or datetime.now(UTC)
        if self._start.tzinfo is None:
            raise ValueError("a clock starts at a time with its time zone")
        self.speed = speed
        self._offset = 0.0  # seconds added by advance()
        self._since = time.monotonic()
        self._lock = threading.Lock()

    def now(self) -> datetime:
        run = (time.monotonic() - self._since) * self.speed
        return self._start + timedelta(seconds=self._offset + run)

    def advance(self, seconds: float) -> datetime:
        """Move the clock ``seconds`` forward; returns the new time."""
        if seconds < 0:
            raise ValueError("a clock cannot go back")
        with self._lock:
            self._offset += seconds
        return self.now()


_clock: SimulatedClock | None = None


def now() -> datetime:
    """The current time, timezone-aware in UTC: the simulated clock's if one is in use."""
    return datetime.now(UTC) if _clock is None else _clock.now()


def current() -> SimulatedClock | None:
    """The simulated clock in use, or None for real time."""
    return _clock


def install(clock: SimulatedClock | None) -> None:
    """Make ``clock`` the app's clock in this process (None: back to real time)."""
    global _clock
    _clock = clock


@contextmanager
def using(clock: SimulatedClock) -> Iterator[SimulatedClock]:
    """Run a block on ``clock``, then go back to the clock used before."""
    before = _clock
    install(clock)
    try:
        yield clock
    finally:
        install(before)
