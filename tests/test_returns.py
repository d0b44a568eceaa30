"""A parcel that could not be delivered comes back: a failed drop-off adds a return stop
to the run (to the shop, or the council's return hub), re-timed and pushed to the phone;
the run ends only once the parcel is back, and the shop hears it."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from courier.extensions import db
from courier.models import Event, WebhookDelivery, WebhookEndpoint
from tests.conftest import LYON


def _ride(dispatcher, courier, *jobs):
    """The courier's run with ``jobs``, accepted, every parcel picked up."""
    (run,) = [r for r in dispatcher.post("/dispatch").json["runs"]
              if r["courier"]["id"] == courier.user.courier.id]
    assert {s["job_id"] for s in run["stops"]} == {j["id"] for j in jobs}
    assert courier.post(f"/runs/{run['id']}/accept").status_code == 200
    for j in jobs:
        assert courier.post(f"/jobs/{j['id']}/picked-up").status_code == 200
    return run


def _left(run: dict) -> list[tuple[str, int]]:
    return [(s["kind"], s["job_id"]) for s in run["stops"] if not s["done_at"]
            and (s["kind"] == "return" or s["job_status"] not in ("failed", "delivered"))]


def _events(action, job_id):
    return db.session.scalars(select(Event).where(Event.action == action,
                                                  Event.job_id == job_id)).all()


def test_a_failed_drop_off_adds_a_return_to_the_shop_pushed_to_the_phone(
        app, make_merchant, make_courier, make_job, dispatcher):
    shop, ana = make_merchant(), make_courier("Ana")
    job = make_job(shop)
    run = _ride(dispatcher, ana, job)
    sock = ana.socket(app)
    sock.get_received()
    r = ana.post(f"/jobs/{job['id']}/failed", json={"reason": "recipient absent"})
    assert r.status_code == 200 and r.json["status"] == "failed"
    assert r.json["return_to"] == {"address": "1 place Bellecour", "lat": LYON[0],
                                   "lon": LYON[1]}
    after = ana.get(f"/runs/{run['id']}").json
    assert after["status"] == "accepted"  # the run goes on until the parcel is back
    (back,) = [s for s in after["stops"] if s["kind"] == "return"]
    assert (back["lat"], back["lon"], back["address"]) == (*LYON, "1 place Bellecour")
    assert back["done_at"] is None and back["planned_arrival"] <= after["planned_end"]
    assert after["distance_m"] > run["distance_m"]  # the ride back counts
    pushed = [m["args"][0] for m in sock.get_received() if m["name"] == "run.updated"]
    assert pushed and [s["kind"] for s in pushed[-1]["stops"]] == ["pickup", "dropoff", "return"]
    (planned,) = _events("return_planned", job["id"])
    assert "coming back to 1 place Bellecour" in planned.reason
    assert "recipient absent" in planned.reason


def test_the_run_ends_only_when_the_parcel_is_back_and_the_shop_sees_it(
        app, make_merchant, make_courier, make_job, dispatcher):
    shop, ana = make_merchant(), make_courier("Ana")
    hook = WebhookEndpoint(merchant_id=shop.user.merchant.id, url="https://hooks.example.org/r",
                           events=["job.returned"], secret="whsec_returns")
    db.session.add(hook)
    db.session.commit()
    job = make_job(shop)
    run = _ride(dispatcher, ana, job)
    ana.post(f"/jobs/{job['id']}/failed", json={"reason": "wrong address"})
    assert shop.get(f"/jobs/{job['id']}").json["returned_at"] is None
    shop_sock = shop.socket(app)
    shop_sock.get_received()
    r = ana.post(f"/jobs/{job['id']}/returned")
    assert r.status_code == 200 and r.json["status"] == "failed" and r.json["returned_at"]
    assert ana.get(f"/runs/{run['id']}").json["status"] == "done"
    seen = shop.get(f"/jobs/{job['id']}").json
    assert seen["returned_at"] == r.json["returned_at"] and seen["planned_return_at"] is None
    live = [m["args"][0] for m in shop_sock.get_received() if m["name"] == "job.updated"]
    assert live and live[-1]["returned_at"]
    (ev,) = _events("returned", job["id"])
    assert ev.reason == "brought back to 1 place Bellecour" and ev.actor_id == ana.user.id
    sent = db.session.scalars(select(WebhookDelivery.event_type).where(
        WebhookDelivery.endpoint_id == hook.id)).all()
    assert sent == ["job.returned"]
    assert ana.post(f"/jobs/{job['id']}/returned").status_code == 409  # back once


def test_a_return_on_the_way_is_made_on_the_way(make_merchant, make_courier, make_job,
                                               dispatcher):
    """West door fails; the shop lies between it and the east door: back on the way."""
    shop, ana = make_merchant(), make_courier("Ana", lat=LYON[0], lon=LYON[1] - 0.012)
    west = make_job(shop, dlat=0.0, dlon=-0.01)
    east = make_job(shop, dlat=0.0, dlon=0.01)
    run = _ride(dispatcher, ana, west, east)
    first = next(s for s in run["stops"] if s["kind"] == "dropoff")
    assert first["job_id"] == west["id"]
    ana.post(f"/jobs/{west['id']}/failed", json={"reason": "refused by recipient"})
    after = ana.get(f"/runs/{run['id']}").json
    assert _left(after) == [("return", west["id"]), ("dropoff", east["id"])]
    assert ana.post(f"/jobs/{west['id']}/returned").status_code == 200
    assert ana.get(f"/runs/{run['id']}").json["status"] == "accepted"  # east still to do
    ana.post(f"/jobs/{east['id']}/delivered")
    assert ana.get(f"/runs/{run['id']}").json["status"] == "done"


def test_parcels_go_to_the_council_s_return_hub_when_it_sets_one(
        make_user, make_merchant, make_courier, make_job, dispatcher):
    council = make_user("council", "Carla Council")
    hub = {"address": "Hub, 5 rue du Dépôt", "lat": 45.75, "lon": 4.84}
    r = council._call("put", "/return-hub", json={"return_hub": hub})
    assert r.status_code == 200 and r.json["return_hub"] == hub
    assert dispatcher._call("put", "/return-hub", json={"return_hub": None}).status_code == 403
    bad = council._call("put", "/return-hub", json={"return_hub": {"lat": 95, "lon": 4.8}})
    assert bad.status_code == 422 and "lat" in str(bad.json["fields"])
    shop, ana = make_merchant(), make_courier("Ana")
    job = make_job(shop)
    run = _ride(dispatcher, ana, job)
    ana.post(f"/jobs/{job['id']}/failed", json={"reason": "parcel damaged"})
    (back,) = [s for s in ana.get(f"/runs/{run['id']}").json["stops"] if s["kind"] == "return"]
    assert (back["address"], back["lat"], back["lon"]) == (hub["address"], 45.75, 4.84)
    assert ana.get("/return-hub").json["return_hub"] == hub
    assert council._call("put", "/return-hub", json={"return_hub": None}).json == {
        "return_hub": None}


def test_a_return_that_breaks_a_blocking_rule_is_added_and_recorded_for_the_council(
        make_user, make_merchant, make_courier, make_job, dispatcher):
    """On a break the gate holds the courier back: the parcel still comes back, and the
    breach is a rule warning with its reason."""
    council = make_user("council", "Carla Council")
    shop, ana = make_merchant(), make_courier("Ana")
    job = make_job(shop)
    run = _ride(dispatcher, ana, job)
    assert ana.post("/courier/break", json={"on": True}).status_code == 200
    assert ana.post(f"/jobs/{job['id']}/failed", json={"reason": "recipient absent"}
                    ).status_code == 200
    assert _left(ana.get(f"/runs/{run['id']}").json) == [("return", job["id"])]
    today = datetime.now(UTC).date()
    span = f"from={today - timedelta(days=1)}&to={today + timedelta(days=1)}"
    warnings = council.get(f"/rules/warnings?{span}").json["warnings"]
    (w,) = [w for w in warnings if w["run_id"] == run["id"]]
    assert w["reason"].startswith(f"return of #{job['id']} added though it breaks on a break")
    assert "the parcel must come back" in w["reason"]


def test_an_offline_replay_of_failed_and_returned_adds_one_return_and_brings_it_back_once(
        make_merchant, make_courier, make_job, dispatcher):
    shop, ana = make_merchant(), make_courier("Ana")
    job = make_job(shop)
    run = _ride(dispatcher, ana, job)
    for key in ("a-1", "a-1"):
        r = ana.post(f"/jobs/{job['id']}/failed", json={"reason": "recipient absent"},
                     headers={"Idempotency-Key": key})
        assert r.status_code == 200
    stops = ana.get(f"/runs/{run['id']}").json["stops"]
    assert [s["kind"] for s in stops].count("return") == 1
    for key in ("b-1", "b-1"):
        r = ana.post(f"/jobs/{job['id']}/returned", headers={"Idempotency-Key": key})
        assert r.status_code == 200 and r.json["returned_at"]
    assert len(_events("returned", job["id"])) == 1


def test_a_job_failed_before_pickup_leaves_the_run_with_nothing_to_bring_back(
        make_merchant, make_courier, make_job, dispatcher):
    shop, ana = make_merchant(), make_courier("Ana")
    a, b = make_job(shop), make_job(shop, dlat=0.004)
    (run,) = dispatcher.post("/dispatch").json["runs"]
    ana.post(f"/runs/{run['id']}/accept")
    ana.post(f"/jobs/{b['id']}/picked-up")
    assert ana.post(f"/jobs/{a['id']}/failed", json={"reason": "shop closed"}).json[
        "return_to"] is None
    after = ana.get(f"/runs/{run['id']}").json
    assert {s["job_id"] for s in after["stops"]} == {b["id"]}  # its stops left the run
    assert ana.post(f"/jobs/{a['id']}/returned").status_code == 409


def test_a_run_with_a_parcel_coming_back_cannot_be_moved_to_another_courier(
        make_merchant, make_courier, make_job, dispatcher):
    shop, ana = make_merchant(), make_courier("Ana")
    job = make_job(shop)
    run = _ride(dispatcher, ana, job)
    bob = make_courier("Bob", lat=45.77)
    ana.post(f"/jobs/{job['id']}/failed", json={"reason": "recipient absent"})
    r = dispatcher.post(f"/runs/{run['id']}/reassign",
                        json={"courier_id": bob.user.courier.id, "reason": "closer"})
    assert r.status_code == 409 and r.json["fields"]["jobs"] == [job["id"]]
    assert _left(ana.get(f"/runs/{run['id']}").json) == [("return", job["id"])]
