"""Solidarity work first when couriers are too few; volunteers get solidarity work only,
are never paid, and are still bound by the safety rules."""

from datetime import date, timedelta

import pytest

from courier.dispatch.cycle import run_cycle
from courier.extensions import db
from courier.fairwork import earned
from courier.fairwork.rules import merge
from courier.models import Job
from courier.reports import earnings as reports
from courier.reports.whatif import what_if
from courier.solidarity.deliveries import submit_delivery
from tests.conftest import LYON
from tests.fairwork.helpers import NOW, H, all_off, courier, delivered, job, publish, shift


def partner_job(partner, now=NOW, dlat=0.012, dlon=-0.01, **extra) -> Job:
    data = {"dropoff": {"lat": LYON[0] + dlat, "lon": LYON[1] + dlon},
            "recipient": {"name": "M. Paul", "phone": "0611111111"}, "weight_kg": 3.0,
            "ready_at": now, "deliver_by": now + timedelta(minutes=90), **extra}
    j, _ = submit_delivery(partner.user, data, now=now)
    db.session.commit()
    return j


def offered(result) -> dict[int, set[int]]:
    """Courier id -> the job ids of the run offered to them in this cycle."""
    return {r.courier_id: {s.job_id for s in r.stops} for r in result.runs}


def one_job_per_run(council):
    """Rules v2: a run has at most 2 stops (one job), so two couriers take two jobs."""
    publish(council, merge(all_off(), {"load": {"max_stops": {"enforce": "block",
                                                              "limit": 2}}}))


def test_solidarity_jobs_are_served_first_when_couriers_are_too_few(
        make_user, make_merchant, partner, council):
    ana = courier(make_user, "Ana")
    bea = courier(make_user, "Bea", lat=LYON[0] - 0.002)
    one_job_per_run(council)
    shop = make_merchant()
    # paid work right by the couriers, solidarity work further away: the cheapest plan
    # would take the paid jobs; priority must win
    paid = [job(shop, dlat=0.001 * i, dlon=0.001) for i in (1, 2, 3)]
    needy = [partner_job(partner, dlat=0.02, dlon=-0.015), partner_job(partner, dlat=-0.018)]
    result = run_cycle(now=NOW)
    served = set().union(*offered(result).values())
    assert served == {j.id for j in needy}
    assert set(offered(result)) == {ana.courier.id, bea.courier.id}
    assert {j.id for j, _ in result.unassigned} == {j.id for j in paid}
    assert all(j.priority > 0 and j.price_cents == 0 for j in needy)


def test_a_volunteer_is_never_offered_paid_work(make_user, make_merchant, partner, council):
    vic = courier(make_user, "Vic")
    vic.courier.volunteer = True
    db.session.commit()
    shop = make_merchant()
    paid = job(shop, dlat=0.002)
    result = run_cycle(now=NOW)
    assert result.runs == []  # the only courier is a volunteer: the paid job waits
    assert "volunteers" in dict((j.id, t) for j, t in result.unassigned)[paid.id]
    needy = partner_job(partner, dlat=0.02)
    result = run_cycle(now=NOW)
    assert offered(result) == {vic.courier.id: {needy.id}}


def test_a_volunteer_beside_a_member_gets_only_the_solidarity_jobs(
        make_user, make_merchant, partner):
    vic = courier(make_user, "Vic")
    vic.courier.volunteer = True
    ana = courier(make_user, "Ana", lat=LYON[0] + 0.03)  # far from everything
    db.session.commit()
    shop = make_merchant()
    paid = [job(shop, dlat=0.001 * i) for i in (1, 2)]  # right by the volunteer
    needy = partner_job(partner, dlat=0.01)
    got = offered(run_cycle(now=NOW))
    assert got.get(vic.courier.id, set()) <= {needy.id}
    assert {j.id for j in paid} <= got[ana.courier.id]


def test_dispatch_cannot_give_paid_work_to_a_volunteer(make_courier, make_merchant, make_job,
                                                       dispatcher):
    vic = make_courier("Vic")
    vic.user.courier.volunteer = True
    ana = make_courier("Ana")
    db.session.commit()
    j = make_job(make_merchant())
    r = dispatcher.post(f"/jobs/{j['id']}/assign", json={"courier_id": vic.user.courier.id,
                                                          "reason": "closest"})
    assert r.status_code == 409 and "volunteer" in r.json["error"]
    run = dispatcher.post(f"/jobs/{j['id']}/assign", json={"courier_id": ana.user.courier.id,
                                                            "reason": "closest"}).json
    r = dispatcher.post(f"/runs/{run['id']}/reassign", json={"courier_id": vic.user.courier.id,
                                                               "reason": "Ana is late"})
    assert r.status_code == 409 and "volunteer" in r.json["error"]


@pytest.fixture
def week(make_user, make_merchant):
    """A volunteer and a member who did the same work on 4 March 2026."""
    shop = make_merchant()
    vic = courier(make_user, "Vic", since=None)
    ana = courier(make_user, "Ana", since=None)
    vic.courier.volunteer = True
    db.session.commit()
    for c in (vic, ana):
        shift(c.courier, NOW - 2 * timedelta(hours=1), NOW)
        delivered(c.courier, shop, accepted=NOW - timedelta(hours=1),
                  delivered_at=[NOW - timedelta(minutes=30)], metres=4000)
    return vic, ana


def test_a_volunteers_pay_is_zero_in_every_report(week, make_user):
    vic, ana = week
    council = make_user("council", "Cleo")
    day = date(2026, 3, 4)
    full = reports.earnings(day, day, now=NOW + timedelta(hours=1))
    rows = {m["name"]: m for m in full["members"]}
    assert rows["Ana"]["total_cents"] > 0 and not rows["Ana"]["volunteer"]
    v = rows["Vic"]
    assert v["volunteer"] and v["total_cents"] == 0 and v["topup_cents"] == 0
    assert set(v["pay"].values()) == {0} and v["lines"] == [] and v["guaranteed_cents"] == 0
    assert v["on_shift_s"] == 2 * H and v["deliveries"] == 1  # the work is still counted...
    totals = full["totals"]  # ...apart from the paid members' time
    assert totals["on_shift_s"] == 2 * H and totals["deliveries"] == 1
    assert totals["volunteers"] == {"members": 1, "deliveries": 1, "km_ridden": 4.0,
                                    "on_shift_s": 2 * H, "active_s": 30 * 60,
                                    "total_cents": 0}
    assert totals["total_cents"] == rows["Ana"]["total_cents"]
    assert full["fairness"]["members"] == 1  # pay fairness is among the paid
    q = "/reports/earnings?from=2026-03-04&to=2026-03-04"
    lines = council.get(q + "&format=csv").get_data(as_text=True).strip().splitlines()
    vic_line = next(line for line in lines if ",Vic," in line).split(",")
    assert vic_line[-1] == "yes" and set(vic_line[8:16]) == {"0"}
    assert lines[-1].split(",")[1] == "volunteers" and lines[-1].split(",")[6] == "2.0"
    own = vic.get(q).json  # the volunteer's own view
    assert own["members"][0]["total_cents"] == 0
    assert earned.so_far([vic.courier.id], NOW - timedelta(days=1), NOW)[
        vic.courier.id]["total_cents"] == 0
    replay = what_if(day, day, {"pay": {"per_hour_cents": 2000}}, step=600, time_limit=0.2,
                     now=NOW + timedelta(days=7))
    for key in ("actual", "replayed_current", "proposed"):
        paid = {m["name"]: m["total_cents"] for m in replay[key]["members"]}
        assert paid["Vic"] == 0 and paid["Ana"] > 0, key


@pytest.mark.parametrize("enforce", ["off", "block"])
def test_a_volunteers_hours_are_still_capped(make_user, partner, council, enforce):
    vic = courier(make_user, "Vic", since=NOW - timedelta(hours=9, minutes=55))  # 5 min left
    vic.courier.volunteer = True
    db.session.commit()
    publish(council, merge(all_off(), {"working_time": {"max_day": {
        "enforce": enforce, "limit_s": 10 * H}}}))
    needy = partner_job(partner, dlat=0.02)
    result = run_cycle(now=NOW)
    if enforce == "off":
        assert offered(result) == {vic.courier.id: {needy.id}}
    else:
        assert result.runs == []
        assert "rules v2" in dict((j.id, t) for j, t in result.unassigned)[needy.id]
