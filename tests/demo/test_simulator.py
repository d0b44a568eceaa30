"""The live demo: simulated couriers ride, work and rest on the app's one clock."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from courier import clock
from courier.demo import seed
from courier.demo.simulator import Simulator, _metres, straight_line_mps
from courier.extensions import db
from courier.models import Courier, Event, Job, JobStatus, Vehicle

START = datetime(2026, 3, 4, 8, 0, tzinfo=UTC)  # 09:00 in Lyon


@pytest.fixture
def app_config(app_config):
    return {**app_config, "DISPATCH_TIME_LIMIT": 0.3}


def _positions() -> dict[int, tuple[float, float]]:
    db.session.expire_all()  # the simulator changed them in a session of its own
    return {c.id: (c.lat, c.lon) for c in db.session.scalars(select(Courier))}


def _simulated() -> list[Courier]:
    emails = [c["email"] for c in seed.CITY["couriers"] if c["simulated"]]
    db.session.expire_all()
    return [c for c in db.session.scalars(select(Courier)) if c.user.email in emails]


def test_riding_time_on_shift_and_pay_move_on_one_clock(app):
    """Today's demo rode ten times faster than the clock that counted hours on shift,
    so pay per hour came out at EUR 134-181: riding now follows the same clock."""
    from courier.dispatch.cycle import run_cycle
    from courier.reports.earnings import earnings

    seed.seed()
    step = 60
    ridden: dict[int, float] = {}
    with clock.using(clock.SimulatedClock(START)) as sim_clock:
        sim = Simulator(app, job_every=240, seed=3)
        for minute in range(150):
            before = _positions()
            sim.tick()
            for cid, here in _positions().items():
                moved = _metres(*before[cid], *here) if before[cid][0] is not None else 0.0
                assert moved <= straight_line_mps(Vehicle.BIKE) * step * 1.01 + 1
                ridden[cid] = ridden.get(cid, 0.0) + moved
            if minute % 2 == 0:
                run_cycle()
                db.session.remove()
            sim_clock.advance(step)
        end = sim_clock.now()
    assert max(ridden.values()) > 2000  # they rode: the bounds below are not empty
    report = earnings(START.date(), START.date(), now=end)
    members = {m["courier_id"]: m for m in report["members"]}
    riders = _simulated()
    assert sum(m["deliveries"] for m in members.values()) >= 5
    for c in riders:
        m = members[c.id]
        assert m["on_shift_s"] == pytest.approx(150 * step, abs=2 * step)  # the clock's time
        assert ridden[c.id] <= straight_line_mps(c.vehicle) * m["on_shift_s"]
        if m["deliveries"]:
            assert 1200 <= m["effective_hourly_cents"] <= 3 * 1200
    for job in db.session.scalars(select(Job).where(Job.status == JobStatus.DELIVERED)):
        run = job.run
        trip = _metres(job.pickup_lat, job.pickup_lon, job.dropoff_lat, job.dropoff_lon)
        riding = (job.delivered_at - job.picked_up_at).total_seconds() + step
        assert trip <= straight_line_mps(run.courier.vehicle) * riding * 1.01


def test_simulated_couriers_take_their_break_go_home_and_rest(app):
    seed.seed()
    with clock.using(clock.SimulatedClock(START)) as sim_clock:
        sim = Simulator(app, job_every=10**9, seed=5)
        for _ in range(12 * 10):  # ten hours in five-minute steps, no work offered
            sim.tick()
            sim_clock.advance(300)
        sim.tick()
        riders = _simulated()
        assert not any(c.on_shift for c in riders)  # home after 5 to 8 hours, resting
        for _ in range(12 * 11):
            sim_clock.advance(300)
            sim.tick()
        assert all(c.on_shift for c in _simulated())  # back after the daily rest
    for c in riders:
        events = db.session.scalars(select(Event).where(Event.courier_id == c.id)
                                    .order_by(Event.at, Event.id)).all()
        actions = [e.action for e in events]
        assert actions[:1] == ["shift_started"] and "shift_ended" in actions
        first_day = events[actions.index("shift_ended")].at - events[0].at
        assert timedelta(hours=5) <= first_day <= timedelta(hours=8, minutes=10)
        breaks = [e for e in events if e.action.startswith("break")]
        if first_day > timedelta(hours=5, minutes=40):  # the rules' break falls due at 6 h
            assert [e.action for e in breaks[:2]] == ["break_started", "break_ended"]
            assert breaks[1].at - breaks[0].at >= timedelta(minutes=30)


def test_the_demo_submits_jobs_on_the_clock_and_gives_up_on_stale_ones(app):
    seed.seed()
    with clock.using(clock.SimulatedClock(START)) as sim_clock:
        sim = Simulator(app, job_every=300, seed=7)
        sim.tick()
        sim_clock.advance(3600)
        sim.tick()
        jobs = db.session.scalars(select(Job)).all()
        assert 5 <= len(jobs) <= 25  # about one every five minutes of the clock
        assert all(START <= j.created_at <= START + timedelta(hours=1) for j in jobs)
        sim_clock.advance(2 * 3600)  # nobody dispatched them: the shops give up
        sim.tick()
    db.session.expire_all()
    assert {j.status for j in jobs} == {JobStatus.CANCELLED}
    cancelled = db.session.scalars(select(Event).where(Event.action == "cancelled")).all()
    assert {e.job_id for e in cancelled} >= {j.id for j in jobs}
    assert {e.reason for e in cancelled} == {"no courier came in time"}
    for e in cancelled:
        assert e.at - db.session.get(Job, e.job_id).deliver_by >= timedelta(minutes=30)


def test_courier_demo_starts_on_a_fresh_database_with_its_past(tmp_path):
    import requests

    from tests.live import LiveServer

    server = LiveServer(f"sqlite:///{tmp_path / 'demo.sqlite'}", command="demo")
    try:
        server.start(timeout=90)
        page = requests.get(server.url + "/login", timeout=10)
        assert page.status_code == 200 and "password" in page.text.lower()
        server.proc.terminate()
        server.proc.wait(timeout=20)
        out = "\n".join(server.tail(1000))
    finally:
        server.stop()
    assert "The coop's past: 28 days" in out and "ana@demo.coop" in out
