"""Pay per run and per job, and the council's rule on failed attempts: a run's pay is what
its phone showed, its jobs' shares add up to it to the cent, a failed job says what it
earned and why, under the rule in force when it failed (nothing, the ride, or the full
delivery rate); the earnings report pays the same."""

from datetime import UTC, date, datetime, timedelta

import pytest

from courier.extensions import db
from courier.fairwork.estimate import run_pay_cents
from courier.models import Event, Job, JobStatus, Run, RunStatus, RunStop, StopKind
from courier.reports import earnings as reports
from courier.reports.runs import apportion, member_runs
from tests.conftest import LYON
from tests.fairwork.helpers import courier, publish

WED = datetime(2026, 3, 4, 9, tzinfo=UTC)  # 10:00 in Lyon: no night, no Sunday
DAY = date(2026, 3, 4)
NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)


def ridden(courier, shop, *, accepted, outcomes, metres=4000) -> Run:
    """A run done: each job picked up at ``accepted``, then delivered or failed at its time
    (``outcomes``: [("delivered" | "failed", at)]); a failure is an event, as runs write it."""
    end = max(at for _, at in outcomes)
    run = Run(courier_id=courier.id, status=RunStatus.DONE, created_at=accepted,
              expires_at=accepted, accepted_at=accepted, ended_at=end, planned_start=accepted,
              planned_end=end, distance_m=metres)
    db.session.add(run)
    db.session.flush()
    jobs = []
    for kind, at in outcomes:
        ok = kind == "delivered"
        j = Job(merchant_id=shop.user.merchant.id, pickup_lat=LYON[0], pickup_lon=LYON[1],
                status=JobStatus.DELIVERED if ok else JobStatus.FAILED,
                dropoff_lat=LYON[0] + 0.01, dropoff_lon=LYON[1], ready_at=accepted,
                deliver_by=at + timedelta(hours=1), run_id=run.id, courier_id=courier.id,
                delivered_at=at if ok else None, picked_up_at=accepted, created_at=accepted,
                failure_reason=None if ok else "recipient absent")
        db.session.add(j)
        db.session.flush()
        jobs.append((j, at, ok))
        if not ok:
            db.session.add(Event(at=at, subject="job", action="failed", job_id=j.id,
                                 run_id=run.id, courier_id=courier.id,
                                 reason="recipient absent"))
    seq = 0
    for j, _, _ in jobs:
        db.session.add(RunStop(run_id=run.id, seq=seq, job_id=j.id, kind=StopKind.PICKUP,
                               planned_arrival=accepted, lat=LYON[0], lon=LYON[1],
                               done_at=accepted))
        seq += 1
    for j, at, ok in jobs:
        db.session.add(RunStop(run_id=run.id, seq=seq, job_id=j.id, kind=StopKind.DROPOFF,
                               planned_arrival=at, lat=LYON[0], lon=LYON[1],
                               done_at=at if ok else None))
        seq += 1
    db.session.add(Event(at=accepted, subject="run", action="offered", run_id=run.id,
                         courier_id=courier.id, reason="nearest free courier"))
    db.session.commit()
    return run


@pytest.fixture
def council(make_user):
    return make_user("council", "Chloé Council")


@pytest.fixture
def one_run(make_user, make_merchant):
    """Ana's run: 4 km, two jobs picked up; the first delivered, the second failed."""
    ana = courier(make_user, "Ana", since=None)
    run = ridden(ana.courier, make_merchant(), accepted=WED,
                 outcomes=[("delivered", WED + timedelta(minutes=20)),
                           ("failed", WED + timedelta(minutes=40))])
    return ana, run


# rule -> (run: deliveries, failed attempts, distance), (delivered job, failed job) totals.
# 3 stops of 4 done: 3 km at 0.40 (1.20); the failed drop-off counts when its ride is paid.
CASES = {"none": ((250, 0, 120), (250 + 80, 40)),
         "ride": ((250, 0, 160), (250 + 80, 80)),
         "full": ((250, 250, 160), (250 + 80, 250 + 80))}


@pytest.mark.parametrize("rule", CASES)
def test_a_failed_attempt_is_paid_as_the_council_rule_says(rule, council, one_run):
    ana, run = one_run
    if rule != "none":  # "none" is the template's
        publish(council, {"pay": {"failed_attempt": rule}}, now=WED - timedelta(days=1))
    (deliveries, failed, distance), (job_a, job_b) = CASES[rule]
    data = member_runs(ana.courier, DAY, DAY, now=NOW)
    (row,) = data["runs"]
    assert (row["pay"]["deliveries"], row["pay"]["failed_attempts"],
            row["pay"]["distance"]) == (deliveries, failed, distance)
    assert row["total_cents"] == run_pay_cents(db.session.get(Run, run.id))  # the phone's
    a, b = row["jobs"]
    assert (a["total_cents"], b["total_cents"]) == (job_a, job_b)
    assert a["total_cents"] + b["total_cents"] == row["total_cents"]
    assert b["failed"] == {"reason": "recipient absent", "failed_attempt": rule,
                           "version": 1 if rule == "none" else 2}
    assert row["decision"]["action"] == "offered"
    assert row["decision"]["reason"] == "nearest free courier"

    member = reports.earnings(DAY, DAY, now=NOW)["members"][0]
    assert member["failed_attempts"] == 1
    assert (member["pay"]["deliveries"], member["pay"]["failed_attempts"],
            member["pay"]["distance"]) == (deliveries, failed, distance)


def test_the_rule_in_force_when_the_attempt_failed_applies(council, one_run):
    """A rule published after the failure does not change what it was paid."""
    ana, _ = one_run
    publish(council, {"pay": {"failed_attempt": "full"}}, now=WED + timedelta(hours=2))
    (row,) = member_runs(ana.courier, DAY, DAY, now=NOW)["runs"]
    assert row["pay"]["failed_attempts"] == 0 and row["jobs"][1]["failed"]["version"] == 1


def test_the_report_says_which_rule_applies_and_hides_an_hourly_rate_over_too_few_hours(
        council, one_run, make_user):
    from tests.fairwork.helpers import shift

    ana, _ = one_run
    publish(council, {"pay": {"failed_attempt": "ride"},
                      "fairness": {"hourly_shown_from_s": 2 * 3600}}, now=WED - timedelta(days=1))
    shift(ana.courier, WED, WED + timedelta(hours=1))
    report = reports.earnings(DAY, DAY, now=NOW)
    assert report["rules"] == {"version": 2, "failed_attempt": "ride",
                               "hourly_shown_from_s": 7200}
    (m,) = report["members"]
    assert m["on_shift_s"] == 3600 and m["effective_hourly_cents"] is None
    assert report["fairness"]["hourly_min_cents"] is None
    publish(council, {"fairness": {"hourly_shown_from_s": 3600}}, now=NOW - timedelta(hours=1))
    (m,) = reports.earnings(DAY, DAY, now=NOW)["members"]
    assert m["effective_hourly_cents"] == 900 + 250 + 160  # over the hour it is computed on


def test_shares_add_up_to_the_total_to_the_cent():
    assert apportion(125, [62.5, 62.5]) == [63, 62]
    assert apportion(100, [1, 1, 1]) == [34, 33, 33]
    assert apportion(0, [1, 2]) == [0, 0]
    assert apportion(7, [0, 0]) == [7, 0]
    assert apportion(5, []) == []


def test_a_member_reads_their_runs_and_no_one_elses(client, one_run, make_user, council):
    ana, run = one_run
    bea = courier(make_user, "Bea", since=None)
    q = f"/reports/runs?from={DAY}&to={DAY}"
    own = ana.get(q)
    assert own.status_code == 200 and [r["run_id"] for r in own.json["runs"]] == [run.id]
    assert ana.get(q + f"&courier={bea.courier.id}").status_code == 403
    assert bea.get(q).json["runs"] == []
    assert council.get(q).status_code == 422  # whose?
    assert council.get(q + f"&courier={ana.courier.id}").json == own.json
    csv = ana.get(q + "&format=csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    rows = [line.split(",") for line in csv.get_data(as_text=True).strip().splitlines()]
    assert rows[0][:3] == ["run_id", "job_id", "status"]
    assert rows[2][2] == "failed" and rows[2][-2] == "recipient absent"
    assert rows[-1][0] == "total" and int(rows[-1][-3]) == own.json["totals"]["total_cents"]
