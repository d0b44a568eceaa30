"""Each offer says what the run will pay, computed as the earnings report computes pay:
when the run goes as planned, the report gives exactly the estimate, night bonus included."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from courier import clock
from courier.extensions import db
from courier.fairwork.models import RulesVersion
from courier.fairwork.versions import in_force
from tests.conftest import LYON

PARIS = ZoneInfo("Europe/Paris")


def _received(sock, name):
    return [m["args"][0] for m in sock.get_received() if m["name"] == name]


def _only_run_pay():
    """Hours on shift paid at 0 and no guaranteed minimum: all a member earns is their
    runs' pay (deliveries, km and their night bonus), which the estimate covers."""
    version = in_force(datetime.now(PARIS))
    pay = {**version.rules["pay"], "per_hour_cents": 0, "guaranteed_hourly_cents": 0,
           "night_from_h": 22, "night_bonus_pct": 25}
    db.session.query(RulesVersion).filter_by(id=version.id).update(
        {"rules": {**version.rules, "pay": pay}})
    db.session.commit()


def _job(shop, at, dlat, dlon):
    body = {"dropoff": {"lat": LYON[0] + dlat, "lon": LYON[1] + dlon, "address": "Rue X"},
            "weight_kg": 2, "volume_l": 5, "ready_at": at.isoformat(),
            "deliver_by": (at + timedelta(minutes=90)).isoformat()}
    r = shop.post("/jobs", json=body)
    assert r.status_code == 201, r.json
    return r.json


def test_the_estimate_is_what_the_report_pays_for_a_run_done_as_planned(
        app, make_merchant, make_courier, make_user, dispatcher):
    council, shop = make_user("council"), make_merchant()
    ana = make_courier("Ana", on_shift=False)
    _only_run_pay()
    tomorrow = datetime.now(PARIS).date() + timedelta(days=1)
    start = datetime.combine(tomorrow, time(21, 52), PARIS)  # the run rides into the night
    with clock.using(clock.SimulatedClock(start, speed=0)) as sim:
        assert ana.post("/courier/shift", json={"online": True, "lat": LYON[0] + 0.002,
                                                "lon": LYON[1]}).status_code == 200
        sock = ana.socket(app)
        sock.get_received()
        _job(shop, start, 0.01, 0.01)
        _job(shop, start, 0.012, 0.014)
        dispatcher.post("/dispatch")
        (offer,) = _received(sock, "run.offered")
        estimate = offer["estimated_pay_cents"]
        assert estimate > 2 * 250  # two deliveries, their km, the night bonus
        assert ana.get("/courier/runs").json["runs"][0]["estimated_pay_cents"] == estimate

        assert ana.post(f"/runs/{offer['id']}/accept").status_code == 200
        for stop in offer["stops"]:  # ridden as planned: each stop at its planned time
            due = datetime.fromisoformat(stop["planned_arrival"])
            sim.advance(max(0.0, (due - clock.now()).total_seconds()))
            act = "picked-up" if stop["kind"] == "pickup" else "delivered"
            assert ana.post(f"/jobs/{stop['job_id']}/{act}").status_code == 200
        done = [r for r in _received(sock, "run.updated") if r["status"] == "done"]
        assert done and done[-1]["estimated_pay_cents"] == estimate  # "+EUR x" on the phone

        day = tomorrow.isoformat()
        report = council.get(f"/reports/earnings?from={day}&to={day}"
                             f"&courier={ana.user.courier.id}").json
    (member,) = report["members"]
    assert member["total_cents"] == estimate
    assert member["pay"]["night_bonus"] > 0 and member["pay"]["hours"] == 0


def test_a_failed_delivery_earns_only_the_km_ridden_the_ride_back_included(
        app, make_merchant, make_courier, dispatcher):
    shop, ana = make_merchant(), make_courier("Ana")
    start = datetime.now(PARIS)
    _job(shop, start, 0.01, 0.01)
    (run,) = dispatcher.post("/dispatch").json["runs"]
    job_id = run["stops"][0]["job_id"]
    assert run["estimated_pay_cents"] > 250
    assert ana.post(f"/runs/{run['id']}/accept").status_code == 200
    assert ana.post(f"/jobs/{job_id}/picked-up").status_code == 200
    assert ana.post(f"/jobs/{job_id}/failed", json={"reason": "recipient absent"}
                    ).status_code == 200
    failed = ana.get(f"/runs/{run['id']}").json["estimated_pay_cents"]
    assert ana.post(f"/jobs/{job_id}/returned").status_code == 200  # back at the shop
    done = ana.get(f"/runs/{run['id']}").json
    assert done["status"] == "done" and done["distance_m"] > run["distance_m"]
    assert done["estimated_pay_cents"] == failed > 0  # riding back: the estimate holds
    # km at 0.40 EUR at most, and no delivery
    assert done["estimated_pay_cents"] <= (2 * done["distance_m"] * 40 + 1000) // 2000
