"""The app's one clock: real time by default, a simulated clock when one is in use."""

from datetime import UTC, datetime, timedelta

import pytest

from courier import clock
from courier.models import Event, utcnow

START = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)


def test_the_app_runs_on_real_time_unless_a_simulated_clock_is_in_use():
    assert clock.current() is None
    assert abs(utcnow() - datetime.now(UTC)) < timedelta(seconds=1)
    with clock.using(clock.SimulatedClock(START)) as sim:
        assert utcnow() == START
        sim.advance(90)
        assert utcnow() == START + timedelta(seconds=90)
    assert clock.current() is None and utcnow().year >= 2025


def test_a_running_simulated_clock_goes_speed_times_as_fast(monkeypatch):
    real = [100.0]
    monkeypatch.setattr(clock.time, "monotonic", lambda: real[0])
    sim = clock.SimulatedClock(START, speed=10)
    real[0] += 3  # three real seconds
    assert sim.now() == START + timedelta(seconds=30)
    sim.advance(5)
    assert sim.now() == START + timedelta(seconds=35)
    with pytest.raises(ValueError):
        sim.advance(-1)


def test_rows_written_on_a_simulated_clock_carry_its_time(app):
    from courier.extensions import db

    with clock.using(clock.SimulatedClock(START)):
        ev = Event(subject="courier", action="shift_started", reason="")
        db.session.add(ev)
        db.session.commit()
    assert db.session.get(Event, ev.id).at == START


def test_work_done_now_and_then_is_due_first_then_once_its_interval_has_passed():
    every = clock.Every()
    assert every.due(600, now=1000.0)
    assert not every.due(600, now=1599.0)
    assert every.due(600, now=1600.0)
    every.reset()
    assert every.due(600, now=1601.0)
