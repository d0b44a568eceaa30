"""Every path that gives work to a courier goes through the one gate: a dispatcher's
assignment and reassignment, accepting an offer, going off shift. A blocking rule is
never broken on any of them; a warning rule is overridden only with a reason, recorded
for the council."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from courier.dispatch import operations, overrides, runs
from courier.dispatch.cycle import run_cycle
from courier.errors import Conflict
from courier.extensions import db
from courier.fairwork import tracking
from courier.models import Event, Job, JobStatus, RunStatus
from tests.conftest import LYON
from tests.fairwork.helpers import NOW, H, courier, job, rules


@pytest.fixture
def council(make_user):
    return make_user("council", "Chloé Council")


def test_a_dispatcher_cannot_put_a_job_over_the_bikes_capacity(
        make_merchant, make_courier, make_job, dispatcher):
    shop, bea = make_merchant(), make_courier("Bea", vehicle="bike")
    make_courier("Carl", vehicle="cargo_bike", on_shift=False)  # the coop can carry it
    heavy = make_job(shop, weight_kg=70)
    r = dispatcher.post(f"/jobs/{heavy['id']}/assign",
                        json={"courier_id": bea.user.courier.id, "reason": "she is close"})
    assert r.status_code == 409, r.json
    # over the bike itself, and over the council's cap for bikes: both said
    assert r.json["fields"]["rules"] == ["vehicle.capacity", "load.vehicle_caps"]
    assert r.json["fields"]["rules_version"] == 1
    breach = r.json["fields"]["breaches"][0]
    assert breach["figures"]["kg"] == 70 and breach["figures"]["capacity_kg"] == 15
    assert "over the bike's 15 kg" in r.json["error"]
    assert dispatcher.get(f"/jobs/{heavy['id']}").json["status"] == "pending"


def test_a_dispatcher_cannot_give_work_past_a_blocking_day_limit(make_user, make_merchant,
                                                                 dispatcher, council):
    ana = courier(make_user, since=NOW - timedelta(hours=10, minutes=5))
    j = job(make_merchant(), dlat=0.02)
    rules(council, "working_time.max_day", "block", limit_s=10 * H)
    with pytest.raises(Conflict) as refused:
        overrides.assign_job(dispatcher.user, j, ana.courier, "urgent", now=NOW)
    assert refused.value.fields["rules"] == ["working_time.max_day"]
    assert refused.value.fields["rules_version"] == 2
    assert "10 h worked today, 10 h a day" in refused.value.message  # since midnight
    db.session.rollback()
    assert db.session.get(Job, j.id).status == JobStatus.PENDING


def test_a_warning_rule_is_overridden_with_a_reason_the_council_sees(
        make_user, make_merchant, dispatcher, council):
    ana = courier(make_user)
    j = job(make_merchant(), dlat=0.02)
    rules(council, "load.max_run", "warn", limit_s=300)
    run = overrides.assign_job(dispatcher.user, j, ana.courier, "no one else near", now=NOW)
    db.session.commit()
    (ev,) = db.session.scalars(select(Event).where(Event.action == "rule_warning",
                                                   Event.run_id == run.id)).all()
    assert ev.data["override"] is True and ev.data["rules_version"] == 2
    assert ev.data["warnings"][0]["rule"] == "load.max_run"
    assert "no one else near" in ev.reason and "over 5 min" in ev.reason


def test_the_council_lists_an_overridden_warning(make_merchant, make_courier, make_job,
                                                 dispatcher, council):
    r = council.post("/rules", json={"rules": {"load": {"max_run": {
        "enforce": "warn", "limit_s": 300}}}, "reason": "short runs in winter"})
    assert r.status_code == 201, r.json
    shop, ana = make_merchant(), make_courier("Ana")
    far = make_job(shop, dlat=0.03)
    r = dispatcher.post(f"/jobs/{far['id']}/assign",
                        json={"courier_id": ana.user.courier.id, "reason": "urgent"})
    assert r.status_code == 200, r.json
    today = datetime.now(UTC).date()
    span = f"from={today - timedelta(days=1)}&to={today + timedelta(days=1)}"
    listed = council.get(f"/rules/warnings?{span}").json["warnings"]
    assert [w["run_id"] for w in listed] == [r.json["id"]]


def test_assigning_one_part_of_a_multi_drop_delivery_moves_the_whole_of_it(
        make_merchant, make_courier, dispatcher):
    shop, ana = make_merchant(), make_courier("Ana", vehicle="cargo_bike")
    body = {"dropoffs": [{"lat": LYON[0] + 0.01, "lon": LYON[1], "weight_kg": 2},
                         {"lat": LYON[0] + 0.02, "lon": LYON[1], "weight_kg": 3}]}
    r = shop.post("/jobs", json=body)
    assert r.status_code == 201, r.json
    first = r.json["id"]
    parts = [p["id"] for p in r.json.get("parts", [])] or [first, first + 1]
    r = dispatcher.post(f"/jobs/{parts[1]}/assign",
                        json={"courier_id": ana.user.courier.id, "reason": "round trip"})
    assert r.status_code == 200, r.json
    assert {s["job_id"] for s in r.json["stops"]} == set(parts)
    for p in parts:
        assert dispatcher.get(f"/jobs/{p}").json["status"] == "offered"


def test_reassigning_a_run_to_a_courier_at_the_limit_is_refused(make_user, make_merchant,
                                                                dispatcher, council):
    ana = courier(make_user, "Ana")
    tired = courier(make_user, "Tom", since=NOW - timedelta(hours=10, minutes=30))
    job(make_merchant(), dlat=0.02)
    rules(council, "working_time.max_day", "block", limit_s=10 * H)
    (run,) = run_cycle(now=NOW).runs
    assert run.courier_id == ana.courier.id
    with pytest.raises(Conflict) as refused:
        overrides.reassign_run(dispatcher.user, run, tired.courier, "swap", now=NOW)
    assert refused.value.fields["rules"] == ["working_time.max_day"]


def test_an_offer_cannot_be_accepted_during_a_break(make_user, make_merchant, council):
    ana = courier(make_user)
    job(make_merchant(), dlat=0.02)
    rules(council, "working_time.break", "block", after_s=6 * H, duration_s=30 * 60)
    (run,) = run_cycle(now=NOW).runs
    tracking.start_break(ana.user, now=NOW + timedelta(seconds=10))
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        runs.accept_run(ana.user, run, now=NOW + timedelta(seconds=20))
    assert refused.value.fields["rules"] == ["working_time.break"]
    assert "on a break" in refused.value.message


def test_cancelling_a_job_inside_an_accepted_run_retimes_it_and_tells_the_courier(
        app, make_merchant, make_courier, make_job, dispatcher):
    shop, ana = make_merchant(), make_courier("Ana")
    near = make_job(shop, dlat=0.005)["id"]
    far = make_job(shop, dlat=0.03, dlon=0.03)["id"]
    run = dispatcher.post("/dispatch").json["runs"][0]
    assert {s["job_id"] for s in run["stops"]} == {near, far}
    ana.post(f"/runs/{run['id']}/accept")
    sock = ana.socket(app)
    sock.get_received()
    assert shop.post(f"/jobs/{far}/cancel", json={"reason": "customer away"}).status_code == 200
    after = ana.get(f"/runs/{run['id']}").json
    assert {s["job_id"] for s in after["stops"]} == {near}
    assert after["distance_m"] < run["distance_m"] / 2
    assert after["planned_end"] < run["planned_end"]
    pushed = [m for m in sock.get_received() if m["name"] == "run.updated"]
    assert pushed and {s["job_id"] for s in pushed[-1]["args"][0]["stops"]} == {near}


def test_going_off_shift_with_work_accepted_is_refused_unless_an_emergency(
        make_merchant, make_courier, make_job, dispatcher):
    shop, ana = make_merchant(), make_courier("Ana")
    a, b = make_job(shop)["id"], make_job(shop, dlat=0.004)["id"]
    run = dispatcher.post("/dispatch").json["runs"][0]
    ana.post(f"/runs/{run['id']}/accept")
    ana.post(f"/jobs/{a}/picked-up")
    r = ana.post("/courier/shift", json={"online": False})
    assert r.status_code == 409 and r.json["fields"]["jobs"] == sorted([a, b])
    assert ana.get("/courier/me").json["on_shift"] is True
    r = ana.post("/courier/shift", json={"online": False, "emergency": True})
    assert r.status_code == 422 and "reason" in r.json["fields"]
    r = ana.post("/courier/shift", json={"online": False, "emergency": True,
                                         "reason": "flat tyre, no spare"})
    assert r.status_code == 200 and r.json["on_shift"] is False
    left = [s for s in dispatcher.get(f"/runs/{run['id']}").json["stops"] if not s["done_at"]]
    assert [(s["kind"], s["job_id"]) for s in left] == [("return", a)]  # only the parcel
    assert dispatcher.get(f"/jobs/{b}").json["status"] == "pending"
    failed = dispatcher.get(f"/jobs/{a}").json
    assert failed["status"] == "failed" and "flat tyre" in failed["failure_reason"]
    assert ana.post(f"/jobs/{a}/delivered").status_code in (403, 409)
    assert ana.post(f"/jobs/{a}/returned").status_code == 200  # brought back, off shift
    assert dispatcher.get(f"/runs/{run['id']}").json["status"] == "done"


def test_no_run_stays_accepted_with_an_off_shift_courier_but_to_bring_parcels_back(
        make_user, make_merchant):
    ana = courier(make_user)
    job(make_merchant())
    (run,) = run_cycle(now=NOW).runs
    runs.accept_run(ana.user, run, now=NOW + timedelta(seconds=5))
    db.session.commit()
    with pytest.raises(Conflict):
        operations.set_shift(ana.user, False, now=NOW + timedelta(minutes=1))
    db.session.rollback()
    operations.set_shift(ana.user, False, now=NOW + timedelta(minutes=1), emergency=True,
                         reason="crash")
    db.session.commit()
    db.session.refresh(run)
    assert run.status != RunStatus.ACCEPTED and ana.courier.on_shift is False
