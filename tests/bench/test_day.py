"""``courier bench day``: a day lived through the real app, its figures, the greedy
baseline, and the settings it refuses."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from courier import create_app
from courier.__main__ import main
from courier.bench.day import app_config, run_day
from courier.bench.day_coop import JOBS_PER_COURIER_HOUR
from courier.bench.day_figures import figures, percentile
from courier.bench.day_greedy import greedy_solve
from courier.bench.day_plan import Settings, check, draw, make_day
from courier.bench.day_sim import Simulation
from courier.extensions import db
from courier.models import Event, Job, JobStatus, Run, RunStatus, User
from courier.models.shifts import ShiftSignup
from courier.routing import Break, Problem, Shipment, Stop, TimeWindow, Vehicle, solve

TINY = Settings(jobs=20, couriers=4, seed=3, hours=1)


def live(tmp_path, name: str, settings: Settings = TINY, greedy: bool = False):
    """Run ``settings``'s day on a SQLite file of its own; yields the app context open on
    it, the simulation's record and the figures."""
    app = create_app(app_config(f"sqlite:///{tmp_path / name}.sqlite"))
    ctx = app.app_context()
    ctx.push()
    sim = Simulation(make_day(settings), planner=greedy_solve if greedy else solve)
    rec = sim.run()
    return ctx, rec, figures(rec, 0.0)


@pytest.fixture(scope="module")
def tiny_day(tmp_path_factory):
    """One tiny day (20 jobs, 4 couriers, an hour), lived once for the tests that read it."""
    ctx, rec, figs = live(tmp_path_factory.mktemp("day"), "dispatch")
    yield rec, figs
    db.session.remove()
    db.engine.dispose()
    ctx.pop()


def test_a_tiny_day_ends_every_job_delivered_failed_or_pending_with_a_reason(tiny_day):
    rec, figs = tiny_day
    jobs = db.session.scalars(select(Job)).all()
    assert len(jobs) == TINY.jobs
    for job in jobs:
        assert job.status in (JobStatus.DELIVERED, JobStatus.FAILED, JobStatus.PENDING,
                              JobStatus.CANCELLED), job.id
        if job.status in (JobStatus.PENDING, JobStatus.CANCELLED):  # cancelled: given up
            assert job.unassigned_reason, job.id
        if job.status == JobStatus.FAILED:
            assert job.failure_reason == "recipient absent"
        if job.status == JobStatus.CANCELLED:  # by its shop, well past the deadline
            (gave_up,) = db.session.scalars(select(Event).where(
                Event.job_id == job.id, Event.action == "cancelled")).all()
            assert gave_up.actor_id == job.merchant.user_id
            assert gave_up.at >= job.deliver_by + timedelta(minutes=30)
    assert figs["delivered"] > 0, "four couriers deliver something in an hour"
    assert figs["cycles"] > 0 and figs["open_jobs_max"] >= 1


def test_the_figures_add_up(tiny_day):
    rec, figs = tiny_day
    assert (figs["delivered"] + figs["failed"] + figs["never_served"] + figs["unfinished"]
            == figs["jobs"] == TINY.jobs)
    assert figs["given_up"] <= figs["never_served"]
    assert figs["unfinished"] == 0
    assert figs["on_time"] + figs["late"] == figs["delivered"]
    assert sum(r["count"] for r in figs["never_served_reasons"].values()) == figs["never_served"]
    delivered = db.session.scalars(select(Job).where(Job.status == JobStatus.DELIVERED)).all()
    late = [j for j in delivered if rec.door[j.id] > j.deliver_by]
    assert len(late) == figs["late"]
    for j in delivered:  # at the door before the delivery is marked, after the pickup
        assert j.picked_up_at <= rec.door[j.id] <= j.delivered_at
        assert j.delivered_at - rec.door[j.id] == timedelta(seconds=120)
    assert figs["km"] > 0 and figs["km_per_delivery"] == pytest.approx(
        figs["km"] / figs["delivered"], abs=0.01)
    assert 0 < figs["busy_hours"] <= figs["shift_hours"]


def test_couriers_work_through_the_phone_operations(tiny_day):
    """Every pickup and delivery is an event of the courier carrying the job, and every
    offer answered was answered by its courier."""
    couriers = {u.id: u.courier.id for u in db.session.scalars(select(User)).all()
                if u.courier is not None}
    for job in db.session.scalars(select(Job).where(Job.status == JobStatus.DELIVERED)):
        marks = db.session.scalars(select(Event).where(
            Event.job_id == job.id, Event.action.in_(["picked_up", "delivered"]))).all()
        assert [e.action for e in marks] == ["picked_up", "delivered"]
        assert {couriers[e.actor_id] for e in marks} == {job.courier_id}
    answered = db.session.scalars(select(Run).where(
        Run.status.in_([RunStatus.DONE, RunStatus.DECLINED]))).all()
    assert answered, "offers were made and answered"


def test_couriers_book_their_shifts_ahead_and_going_on_shift_starts_them(tiny_day):
    """The coop's day is planned as slots; every courier who went on shift started the
    slot they booked, so dispatch knew when each one meant to stop."""
    signups = db.session.scalars(select(ShiftSignup)).all()
    on_shift = db.session.scalars(select(Event).where(Event.action == "shift_started")).all()
    assert len(signups) == TINY.couriers and on_shift
    assert {s.courier_id for s in signups if s.started_at is not None} == {
        e.courier_id for e in on_shift}


def test_the_greedy_baseline_lives_the_same_day_one_job_per_offer(tmp_path):
    ctx, _, greedy = live(tmp_path, "greedy", greedy=True)
    try:
        sent = [(j.created_at, j.deliver_by, round(j.dropoff_lat, 6))
                for j in db.session.scalars(select(Job).order_by(Job.id))]
        runs = db.session.scalars(select(Run)).all()
        assert runs and all(len(r.stops) == 2 for r in runs), "no batching"
    finally:
        db.session.remove()
        db.engine.dispose()
        ctx.pop()
    ctx, _, ours = live(tmp_path, "dispatch")
    try:
        again = [(j.created_at, j.deliver_by, round(j.dropoff_lat, 6))
                 for j in db.session.scalars(select(Job).order_by(Job.id))]
    finally:
        db.session.remove()
        db.engine.dispose()
        ctx.pop()
    assert again == sent
    assert greedy["jobs"] == ours["jobs"] == TINY.jobs


def test_greedy_gives_each_job_to_the_nearest_idle_courier_who_makes_it():
    # locations 0 (far), 1 (near), 2 pickup, 3 drop-off; seconds
    d = [[0, 50, 900, 900], [50, 0, 100, 200], [900, 100, 0, 100], [900, 200, 100, 0]]
    window = TimeWindow(0, 600)
    sh = [Shipment("a", Stop(2, window, 60), Stop(3, window, 60), (1,)),
          Shipment("b", Stop(2, window, 60), Stop(3, window, 60), (1,)),
          Shipment("c", Stop(2, window, 60), Stop(3, window, 60), (1,))]
    vehicles = [Vehicle("far", 0, capacity=(5,)), Vehicle("near", 1, capacity=(5,)),
                Vehicle("riding", 1, time_window=TimeWindow(30), capacity=(5,))]
    plan = greedy_solve(Problem(sh, vehicles, d, d))
    assert [(r.vehicle, [s.shipment for s in r.steps if s.type == "pickup"])
            for r in plan.routes] == [("near", ["a"])]
    # "far" cannot reach the pickup and deliver by 600; "riding" is not idle
    assert [u.shipment for u in plan.unassigned] == ["b", "c"]


def test_the_same_seed_draws_the_same_day_and_luck():
    assert make_day(TINY) == make_day(TINY)
    assert make_day(TINY) != make_day(Settings(**{**TINY.__dict__, "seed": 4}))
    assert draw(1, "offer", 2, 0).random() == draw(1, "offer", 2, 0).random()
    assert draw(1, "offer", 2, 0).random() != draw(1, "offer", 2, 1).random()
    day = make_day(Settings(jobs=2000, couriers=10, seed=0))
    times = [a.at for a in day.arrivals]
    assert times == sorted(times) and times[-1] <= day.length_s - 45 * 60
    lunch = sum(1 for t in times if 3.5 * 3600 <= t < 5.5 * 3600)  # 11:30-13:30
    morning = sum(1 for t in times if 1 * 3600 <= t < 3 * 3600)  # 09:00-11:00
    assert lunch > 1.6 * morning, "the lunch peak is busier"
    starts = sorted({s.start for s in day.shifts})
    ends = sorted({s.end for s in day.shifts})
    assert starts[0] == 0 and ends[-1] == day.length_s, "someone works from open to close"
    for a in day.arrivals:
        assert a.window_s >= 45 * 60 and a.at + a.ready_s + a.window_s <= day.length_s + 1


def test_the_spread_day_keeps_the_city_days_shifts_and_drop_offs_all_over_lyon():
    day = make_day(Settings(jobs=400, couriers=10, seed=0, spread=True))
    assert sorted({s.start for s in day.shifts}) == [0, 2 * 3600, 4 * 3600, 6 * 3600]
    assert {(s.start, s.end) for s in day.shifts} == {
        (0, 6 * 3600), (6 * 3600, 12 * 3600), (0, 8 * 3600), (4 * 3600, 12 * 3600),
        (2 * 3600, 10 * 3600)}  # the city day's 08-14, 14-20, 08-16, 12-20, 10-18
    far = [a for a in day.arrivals if ride_km(day, a) > 3]
    assert len(far) > len(day.arrivals) / 3, "a third and more ride over 3 km"


def ride_km(day, a) -> float:
    from geopy.distance import geodesic
    return geodesic(tuple(day.shops[a.shop][1]), tuple(a.dropoff)).km * 1.3  # the detour


def test_the_coops_shops_deliver_within_their_area():
    day = make_day(Settings(jobs=600, couriers=20, seed=1))
    rides = [ride_km(day, a) for a in day.arrivals]
    assert max(rides) <= 3.0 + 1e-6 and min(rides) >= 0.3 * 1.3 - 1e-6
    assert 1.6 < sum(rides) / len(rides) < 2.4  # evenly over the disc: two thirds of 3 km


def test_the_coops_shifts_are_staffed_to_the_days_work():
    """More couriers ride the lunch and evening peaks than the opening hour, every hour
    has someone, a shift is one stretch of 3 to 10 hours or a lunch and an evening
    stretch of 3 to 5 hours two hours apart at least, and the fleet works the hours the
    forecast asks for the day's jobs."""
    day = make_day(Settings(jobs=1500, couriers=80, seed=0))
    on = [sum(1 for s in day.shifts for a, b in s.stretches if a <= h * 3600 < b)
          for h in range(12)]
    assert min(on) >= 1
    assert on[4] > 4 * on[0] and on[10] > 3 * on[0]  # 12:00 and 18:00 against 08:00
    assert on[4] > on[7] and on[10] > on[1]  # peaks over the quiet hours
    for s in day.shifts:
        if s.later is None:
            assert 3 * 3600 <= s.end - s.start <= 10 * 3600
        else:
            assert {s.end - s.start, s.later[1] - s.later[0]} <= {3 * 3600, 4 * 3600, 5 * 3600}
            assert s.later[0] - s.end >= 2 * 3600
            assert s.end - s.start + s.later[1] - s.later[0] <= 10 * 3600
    assert any(s.later for s in day.shifts), "split shifts staff both peaks"
    worked = sum(b - a for s in day.shifts for a, b in s.stretches)
    assert worked == math.ceil(1500 / JOBS_PER_COURIER_HOUR) * 3600


def test_a_courier_on_a_split_shift_goes_off_after_lunch_and_back_for_the_evening(tmp_path):
    settings = Settings(jobs=40, couriers=2, seed=0, hours=12, decline_rate=0)
    day = make_day(settings)
    (split,) = [s for s in day.shifts if s.later]
    ctx, _, _ = live(tmp_path, "split", settings)
    try:
        courier = db.session.scalars(select(User).where(
            User.email == f"courier{split.index}@day.bench")).one().courier
        moves = db.session.scalars(select(Event).where(
            Event.courier_id == courier.id,
            Event.action.in_(["shift_started", "shift_ended"])).order_by(Event.id)).all()
        assert [e.action for e in moves] == ["shift_started", "shift_ended"] * 2
        back = moves[2].at
        assert back >= day.at(split.later[0]) and moves[1].at <= day.at(split.later[0])
    finally:
        db.session.remove()
        db.engine.dispose()
        ctx.pop()


@pytest.mark.parametrize("args, words", [
    (["--couriers", "0"], "at least one courier"),
    (["--decline-rate", "1.5"], "between 0 and 1"),
    (["--decline-rate", "-0.1"], "between 0 and 1"),
    (["--hours", "0"], "1 to 16 hours"),
    (["--speed-noise", "1"], "speed noise"),
    (["--jobs", "-3"], "cannot be negative"),
])
def test_impossible_settings_are_refused(args, words):
    r = CliRunner().invoke(main, ["bench", "day", *args])
    assert r.exit_code == 2, r.output
    assert words in r.output


def test_check_accepts_the_defaults_and_the_issue_size():
    check(Settings())
    check(Settings(jobs=1500, couriers=80, decline_rate=0, speed_noise=0))
    with pytest.raises(ValueError):
        check(Settings(cycle_every=0))


def test_percentile_is_nearest_rank():
    assert percentile([], 50) is None
    assert percentile([3, 1, 2, 4], 50) == 2
    assert percentile(list(range(1, 101)), 99) == 99


@pytest.mark.slow
def test_a_full_small_day_runs_both_policies(tmp_path):
    out = run_day(create_app, Settings(jobs=120, couriers=12, seed=1, hours=4))
    for policy in ("dispatch", "greedy"):
        f = out[policy]
        assert f["jobs"] == 120 and f["unfinished"] == 0
        assert f["delivered"] + f["failed"] + f["never_served"] == 120


def test_couriers_take_the_rules_break_and_turn_no_offer_down_for_it(tmp_path):
    """A courier on a seven-hour shift takes the rules' 30-minute break before six hours
    of work, and, with no declines drawn, never turns an offer down to take it."""
    settings = Settings(jobs=16, couriers=1, seed=1, hours=7, decline_rate=0, speed_noise=0)
    ctx, rec, figs = live(tmp_path, "break", settings)
    try:
        starts = db.session.scalars(select(Event).where(Event.action.in_(
            ["shift_started", "break_started", "break_ended"])).order_by(Event.id)).all()
        assert [e.action for e in starts] == ["shift_started", "break_started", "break_ended"]
        on, brk, back = (e.at for e in starts)
        assert timedelta(hours=5) <= brk - on <= timedelta(hours=6)
        assert back - brk >= timedelta(minutes=30)
        assert rec.offers["decline"] == rec.offers["lapse"] == 0
        assert figs["delivered"] + figs["failed"] > 0
    finally:
        db.session.remove()
        db.engine.dispose()
        ctx.pop()


def test_greedy_gives_no_job_to_a_courier_whose_break_falls_due_before_it_is_done():
    d = [[0, 100, 200], [100, 0, 100], [200, 100, 0]]
    window = TimeWindow(0, 3600)
    job = Shipment("a", Stop(1, window, 60), Stop(2, window, 60), (1,))
    tired = Vehicle("tired", 0, capacity=(5,),
                    breaks=(Break("rest", (TimeWindow(0, 120),), 1800),))
    fresh = Vehicle("fresh", 0, capacity=(5,),
                    breaks=(Break("rest", (TimeWindow(0, 3000),), 1800),))
    assert [u.shipment for u in greedy_solve(Problem([job], [tired], d, d)).unassigned] == ["a"]
    assert [r.vehicle for r in greedy_solve(Problem([job], [fresh], d, d)).routes] == ["fresh"]
