"""Dispatch cycles: who gets which jobs, and why the others wait."""

import threading
from datetime import UTC, datetime, timedelta

import pytest

from courier.dispatch.cycle import cycle_lock, run_cycle
from courier.errors import Conflict
from courier.extensions import db
from courier.models import Job, Run
from tests.conftest import LYON


def test_no_courier_on_shift_is_the_reason(make_merchant, make_job, dispatcher):
    shop = make_merchant()
    job = make_job(shop)
    r = dispatcher.post("/dispatch").json
    assert r["runs"] == []
    reason = "not assigned: no courier on shift (rules v1)"
    phrase = {"template": "{reason} ({rules})", "values": {
        "reason": {"template": "not assigned: no courier on shift", "values": {}},
        "rules": {"template": "rules v{number}", "values": {"number": 1}}}}
    assert r["unassigned"] == [{"job_id": job["id"], "reason": reason, "reason_phrase": phrase}]
    detail = dispatcher.get(f"/jobs/{job['id']}").json
    assert detail["unassigned_reason"] == reason
    assert detail["unassigned_reason_phrase"] == phrase  # for pages in other languages
    assert detail["events"][-1]["action"] == "not_assigned"
    assert detail["events"][-1]["reason_phrase"] == phrase


def test_unchanged_reason_is_not_logged_again(make_merchant, make_job, dispatcher):
    job = make_job(make_merchant())
    dispatcher.post("/dispatch")
    dispatcher.post("/dispatch")
    actions = [e["action"] for e in dispatcher.get(f"/jobs/{job['id']}").json["events"]]
    assert actions == ["created", "not_assigned"]


def test_too_heavy_for_every_vehicle_says_so(make_merchant, make_courier, make_job, dispatcher):
    shop = make_merchant()
    make_courier(vehicle="bike")
    make_courier(vehicle="cargo_bike", on_shift=False)  # the coop can carry it, not now
    heavy = make_job(shop, weight_kg=18)
    light = make_job(shop, weight_kg=3)
    r = dispatcher.post("/dispatch").json
    assert [s["job_id"] for s in r["runs"][0]["stops"]] == [light["id"]] * 2
    (miss,) = r["unassigned"]
    assert miss["job_id"] == heavy["id"]
    assert "18 kg is over every on-shift vehicle's capacity (largest 15 kg)" in miss["reason"]
    assert rendered(miss["reason_phrase"]) == miss["reason"]


def test_heavy_job_goes_to_the_cargo_bike(make_merchant, make_courier, make_job, dispatcher):
    shop = make_merchant()
    make_courier("Bea", vehicle="bike", lat=LYON[0], lon=LYON[1])
    cargo = make_courier("Carl", vehicle="cargo_bike", lat=LYON[0] + 0.03, lon=LYON[1])
    heavy = make_job(shop, weight_kg=40)
    (run,) = dispatcher.post("/dispatch").json["runs"]
    assert run["courier"]["id"] == cargo.user.courier.id
    assert {s["job_id"] for s in run["stops"]} == {heavy["id"]}
    assert "cargo bike" in run["reason"]
    parts = run["reason_phrase"]["values"]  # the offer; the rules version; no notes
    assert parts["rest"] == {"template": "rules v{number}", "values": {"number": 1}}
    assert "break" not in run["reason"]  # fresh on shift: no break falls due in this run
    offer = parts["first"]
    assert offer["template"].startswith("offered to {name}: {why}")
    assert offer["values"]["vehicle"] == {"template": "cargo bike", "values": {}}
    assert rendered(run["reason_phrase"]) == run["reason"]


def rendered(phrase) -> str:
    """A stored phrase filled in as English (what a page does with the translations)."""
    return phrase["template"].format(**{k: rendered(v) if isinstance(v, dict) else v
                                        for k, v in phrase["values"].items()})


def test_unreachable_deadline_is_the_reason(make_merchant, make_courier, dispatcher):
    shop = make_merchant()
    make_courier(lat=LYON[0] + 0.3)  # about 40 km away
    now = datetime.now(UTC)
    r = shop.post("/jobs", json={"dropoff": {"lat": LYON[0] + 0.005, "lon": LYON[1]},
                                 "deliver_by": (now + timedelta(minutes=10)).isoformat()})
    r = dispatcher.post("/dispatch").json
    assert r["runs"] == []
    reason = r["unassigned"][0]["reason"]
    assert "no courier free on shift can deliver it by" in reason
    arrival = reason.split("would arrive at ")[1][:5]  # about 40 km at bike speed: hours late
    late = datetime.combine(now.date(), datetime.strptime(arrival, "%H:%M").time(), UTC)
    assert (late - now) % timedelta(days=1) > timedelta(hours=1)
    assert rendered(r["unassigned"][0]["reason_phrase"]) == r["unassigned"][0]["reason"]


def test_each_courier_gets_at_most_one_run_per_cycle(make_merchant, make_courier, make_job,
                                                     dispatcher):
    shop = make_merchant()
    couriers = [make_courier(lat=LYON[0] + d, lon=LYON[1] + d) for d in (0.0, 0.02)]
    for i in range(6):
        make_job(shop, dlat=0.004 * i, dlon=-0.003 * i, minutes=120)
    r = dispatcher.post("/dispatch").json
    owners = [run["courier"]["id"] for run in r["runs"]]
    assert len(owners) == len(set(owners)) <= len(couriers)
    served = {s["job_id"] for run in r["runs"] for s in run["stops"]}
    assert len(served) + len(r["unassigned"]) == 6
    for run in r["runs"]:  # every pickup comes before its dropoff
        order = [(s["job_id"], s["kind"]) for s in run["stops"]]
        for job_id in {j for j, _ in order}:
            assert order.index((job_id, "pickup")) < order.index((job_id, "dropoff"))


def test_courier_with_open_offer_gets_nothing_more(make_merchant, make_courier, make_job,
                                                   dispatcher):
    shop = make_merchant()
    make_courier()
    make_job(shop)
    assert len(dispatcher.post("/dispatch").json["runs"]) == 1
    make_job(shop)
    r = dispatcher.post("/dispatch").json
    assert r["runs"] == []
    assert "considering an offer" in r["unassigned"][0]["reason"]


def test_riding_courier_is_planned_from_the_end_of_the_current_run(
        make_merchant, make_courier, make_job, dispatcher):
    shop = make_merchant()
    ana = make_courier()
    make_job(shop, dlat=0.02)
    first = dispatcher.post("/dispatch").json["runs"][0]
    ana.post(f"/runs/{first['id']}/accept")
    make_job(shop, dlat=0.021)
    second = dispatcher.post("/dispatch").json["runs"][0]
    first_end = datetime.fromisoformat(first["planned_end"])
    assert datetime.fromisoformat(second["stops"][0]["planned_arrival"]) >= first_end


def test_cycles_never_overlap(app):
    held, release = threading.Event(), threading.Event()

    def hold_the_lock():
        with app.app_context():
            with cycle_lock():
                held.set()
                release.wait(10)
            db.session.rollback()
            db.session.remove()

    other = threading.Thread(target=hold_the_lock)
    other.start()
    assert held.wait(10)
    try:
        with pytest.raises(Conflict, match="already running"):
            run_cycle()
    finally:
        release.set()
        other.join()
    run_cycle()  # free again once the other cycle is over


def test_cycle_writes_runs_and_offers_atomically(make_merchant, make_courier, make_job, app):
    shop = make_merchant()
    make_courier()
    job = make_job(shop)
    result = run_cycle()
    (run,) = result.runs
    db.session.expire_all()
    assert db.session.get(Job, job["id"]).run_id == run.id
    assert len(db.session.get(Run, run.id).stops) == 2


def test_a_problem_the_planner_refuses_fails_the_cycle_not_the_worker(
        make_merchant, make_courier, make_job, dispatcher, monkeypatch, caplog):
    from courier.dispatch import cycle

    def refuse(problem, time_limit):
        raise ValueError("durations: the matrix is not square")

    make_courier("Ana")
    job = make_job(make_merchant())
    monkeypatch.setattr(cycle, "solve", refuse)
    r = dispatcher.post("/dispatch")
    assert r.status_code == 200, r.json
    assert r.json["runs"] == [] and r.json["stats"]["status"] == "failed"
    assert "durations" in r.json["stats"]["error"]
    assert dispatcher.get(f"/jobs/{job['id']}").json["status"] == "pending"
    assert "dispatch cycle failed, 1 jobs left pending" in caplog.text
