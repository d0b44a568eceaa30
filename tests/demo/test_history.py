"""The demo coop's last four weeks: seeded once, in seconds, and plausible for a bike
coop in every report (earnings, fairness, the what-if replay, the members' pages)."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from courier.demo import history, seed
from courier.demo.history import seed_history
from courier.extensions import db
from courier.fairwork.models import Contest, RulesVersion
from courier.models import Event, Job, JobStatus, Run, RunStatus

NOW = datetime(2026, 3, 18, 15, 0, tzinfo=UTC)  # a Wednesday afternoon in Lyon
TZ = ZoneInfo("Europe/Paris")
TODAY = NOW.astimezone(TZ).date()
MONTH = (TODAY - timedelta(days=28), TODAY - timedelta(days=1))
WEEK = (TODAY - timedelta(days=7), TODAY - timedelta(days=1))
GUARANTEED = 1200  # the template's guaranteed hourly pay, cents (1300 after the change)


@pytest.fixture
def past(app):
    seed.seed()
    done = seed_history(now=NOW)
    assert done is not None
    return done


def _earnings(first, last):
    from courier.reports.earnings import earnings

    return earnings(first, last, now=NOW)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_past_gives_every_member_plausible_pay_hours_and_deliveries(past):
    report = _earnings(*MONTH)
    assert past.days == 28 and {m["name"].split()[0] for m in report["members"]} == {
        "Ana", "Bruno", "Chloé", "Dylan", "Emma"}
    for m in report["members"]:
        hours = m["on_shift_s"] / 3600
        assert 30 <= hours <= 4 * 40, m["name"]  # part-time to full-time over four weeks
        assert GUARANTEED <= m["effective_hourly_cents"] <= 3 * GUARANTEED, m["name"]
        assert 0.5 <= m["deliveries"] / hours <= 6, m["name"]
        assert 1 <= m["km_ridden"] / m["deliveries"] <= 10, m["name"]  # Lyon's shops to places
        assert m["active_s"] < m["on_shift_s"]
        assert m["total_cents"] == sum(line["cents"] for line in m["lines"])
    totals = report["totals"]
    assert totals["total_cents"] == sum(m["total_cents"] for m in report["members"])
    fair = report["fairness"]
    assert fair["members"] == 5 and 0 < fair["gini_hours"] < 0.5 and fair["gini_pay"] < 0.5
    assert GUARANTEED <= fair["hourly_min_cents"] <= fair["hourly_median_cents"] \
        <= fair["hourly_max_cents"] <= 3 * GUARANTEED
    assert fair["share_below_guaranteed"] < 0.5


def test_pay_is_under_the_rules_version_in_force_when_the_work_was_done(past):
    v2 = db.session.scalars(select(RulesVersion).where(RulesVersion.number == 2)).one()
    changed = datetime.combine(TODAY - timedelta(days=14), time(0), TZ)
    assert past.rules_change == 2 and v2.effective_from == changed
    assert v2.created_at < v2.effective_from and v2.created_by.email == "council@demo.coop"
    assert {c["path"] for c in v2.diff} == {"pay.per_hour_cents", "pay.guaranteed_hourly_cents",
                                            "load.max_run.enforce", "load.max_run.limit_s"}
    before = _earnings(MONTH[0], TODAY - timedelta(days=15))
    after = _earnings(TODAY - timedelta(days=14), MONTH[1])
    assert before["versions"] == [1] and after["versions"] == [2]
    for report, rate in ((before, 900), (after, 1000)):
        for m in report["members"]:
            hours = [x for x in m["lines"] if x["component"] == "hours"]
            assert sum(x["cents"] for x in hours) == pytest.approx(
                sum(x["quantity"] for x in hours) * rate / 3600, abs=len(hours))


def test_the_past_holds_offers_declined_and_lapsed_warnings_and_contests(past):
    statuses = dict(db.session.execute(select(Run.status, func.count()).group_by(Run.status)).all())
    assert statuses[RunStatus.DONE] > 300
    assert 0 < statuses[RunStatus.DECLINED] + statuses[RunStatus.EXPIRED] < 0.15 * past.runs
    jobs = dict(db.session.execute(select(Job.status, func.count()).group_by(Job.status)).all())
    assert jobs[JobStatus.DELIVERED] > 0.85 * past.jobs
    assert not set(jobs) & {JobStatus.PENDING, JobStatus.OFFERED, JobStatus.ACCEPTED}
    warnings = db.session.scalars(select(Event).where(Event.action == "rule_warning")).all()
    changed = datetime.combine(TODAY - timedelta(days=14), time(0), TZ)
    assert 1 <= len(warnings) <= 40
    assert all(w.at >= changed and w.data["rules_version"] == 2 for w in warnings)
    assert all("load.max_run" in w.reason and w.reason_phrase for w in warnings)
    contests = db.session.scalars(select(Contest)).all()
    assert len(contests) == 4 and sum(1 for c in contests if c.answers) == 2
    assert all(c.event.courier_id == c.courier_id and c.created_at < NOW for c in contests)
    ana = db.session.scalars(select(Contest).join(Contest.author)).first()
    assert ana.author.email == "ana@demo.coop"  # the courier a visitor plays has one


def test_shifts_and_breaks_read_as_the_time_tracking_reads_them(past):
    from courier.fairwork import tracking

    ids = [c for (c,) in db.session.execute(select(Event.courier_id).where(
        Event.action == "shift_started").distinct())]
    tracked = tracking.load(ids, None)
    for t in tracked.values():
        assert not t.on_break and all(e is not None for _, e in t.shifts.values())
        for s, e in t.shifts.values():
            assert timedelta(hours=2) < e - s < timedelta(hours=10)
        for s, e in t.breaks.values():
            assert e - s == timedelta(minutes=30)
    assert sum(len(t.breaks) for t in tracked.values()) >= 20


def test_seeding_again_writes_nothing_twice(past):
    counts = [_count(m) for m in (Job, Run, Event, Contest, RulesVersion)]
    assert history.already_seeded()
    assert seed_history(now=NOW + timedelta(days=3)) is None
    assert [_count(m) for m in (Job, Run, Event, Contest, RulesVersion)] == counts


def test_the_past_stops_where_the_database_has_work_of_its_own(app):
    seed.seed()
    own = NOW - timedelta(days=10)
    db.session.add(Event(at=own, subject="courier", action="shift_started", reason=""))
    db.session.commit()
    done = seed_history(now=NOW)
    assert done.days == 18
    assert done.rules_change is None  # work already done stays under the rules of its time
    last = db.session.scalar(select(func.max(Event.at)).where(Event.at < own))
    assert last < datetime.combine(own.astimezone(TZ).date(), time(0), TZ)


def test_the_past_is_the_same_for_the_same_seed(app):
    from courier.demo import past as P
    from courier.demo.history import _setup

    seed.seed()
    users = {u.email: u for u in db.session.scalars(select(seed.User))}
    setup = _setup(TZ, users)
    days = [TODAY - timedelta(days=k) for k in range(7, 0, -1)]

    def summary(p):
        return [(j.created, j.status, j.run) for j in p.jobs], [
            (s.courier, s.start, s.end, s.breaks) for s in p.shifts]

    assert summary(P.generate(setup, days, 1)) == summary(P.generate(setup, days, 1))
    assert summary(P.generate(setup, days, 1)) != summary(P.generate(setup, days, 2))


def test_the_what_if_replays_last_week_of_the_past(past):
    from courier.reports.whatif import what_if

    out = what_if(*WEEK, {"pay": {"per_km_cents": 60}}, step=600, time_limit=0.05, now=NOW)
    actual, replayed, proposed = out["actual"], out["replayed_current"], out["proposed"]
    assert actual["jobs"] > 100 and actual["served"] > 0.85 * actual["jobs"]
    assert replayed["served"] > 0.8 * actual["jobs"] and replayed["km"] > 0
    assert proposed["total_cents"] > replayed["total_cents"]  # more per km, same rides
    for m in proposed["members"]:
        hours = m["on_shift_s"] / 3600
        assert GUARANTEED <= m["total_cents"] / hours <= 3 * GUARANTEED, m["name"]


def test_members_and_the_council_read_the_past_through_the_api(past, client):
    from courier.accounts import issue_token
    from courier.models import User

    def get(email, path):
        user = db.session.scalars(select(User).where(User.email == email)).one()
        token = issue_token(user)
        db.session.commit()
        return client.get("/api/v1" + path, headers={"Authorization": f"Bearer {token}"})

    q = f"/reports/earnings?from={MONTH[0]}&to={MONTH[1]}"
    council = get("council@demo.coop", q)
    assert council.status_code == 200 and len(council.json["members"]) == 5
    ana = get("ana@demo.coop", q)
    assert ana.status_code == 200 and ana.json["members"][0]["deliveries"] > 20
    assert len(ana.json["distribution"]["effective_hourly_cents"]) == 5
    contests = get("council@demo.coop", "/contests").json["contests"]
    assert len(contests) == 4 and sum(1 for c in contests if c["status"] == "open") == 2
    mine = get("ana@demo.coop", "/contests").json["contests"]
    assert [c["status"] for c in mine] == ["answered"]
    decisions = get("ana@demo.coop", "/courier/decisions").json
    assert len(decisions["decisions"]) > 10 and decisions["contested"] == [mine[0]["event"]["id"]]
