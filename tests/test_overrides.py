"""Dispatch overrides the plan: a job to a chosen courier, a run to another courier."""

from sqlalchemy import select

from courier.extensions import db
from courier.models import Event


def _offer(dispatcher, courier):
    r = dispatcher.post("/dispatch").json
    return next(run for run in r["runs"] if run["courier"]["id"] == courier.user.courier.id)


def test_dispatcher_assigns_a_pending_job_with_a_reason(app, make_merchant, make_courier,
                                                        make_job, dispatcher):
    shop, ana = make_merchant(), make_courier("Ana")
    job = make_job(shop)
    sock = ana.socket(app)
    sock.get_received()
    cid = ana.user.courier.id
    r = dispatcher.post(f"/jobs/{job['id']}/assign", json={"courier_id": cid, "reason": ""})
    assert r.status_code == 422 and "reason" in r.json["fields"]
    r = dispatcher.post(f"/jobs/{job['id']}/assign",
                        json={"courier_id": cid, "reason": "she knows the customer"})
    assert r.status_code == 200, r.json
    assert r.json["status"] == "offered"
    assert [s["kind"] for s in r.json["stops"]] == ["pickup", "dropoff"]
    assert "Dana Dispatch: she knows the customer" in r.json["reason"]
    assert [m["name"] for m in sock.get_received()] == ["run.offered"]
    ev = db.session.scalars(select(Event).where(Event.run_id == r.json["id"],
                                                Event.subject == "run")).one()
    assert ev.actor_id == dispatcher.id and ev.data["override"] is True


def test_moving_a_run_cancels_it_and_offers_the_same_jobs_to_another(
        app, make_merchant, make_courier, make_job, dispatcher):
    shop, ana = make_merchant(), make_courier("Ana")
    jobs = [make_job(shop)["id"], make_job(shop, dlat=0.005)["id"]]
    run = _offer(dispatcher, ana)
    ana.post(f"/runs/{run['id']}/accept")
    bob = make_courier("Bob")
    r = dispatcher.post(f"/runs/{run['id']}/reassign",
                        json={"courier_id": bob.user.courier.id, "reason": "Ana's chain broke"})
    assert r.status_code == 200, r.json
    assert {s["job_id"] for s in r.json["stops"]} == set(jobs)
    assert ana.get(f"/runs/{run['id']}").json["status"] == "cancelled"
    assert bob.post(f"/runs/{r.json['id']}/accept").json["status"] == "accepted"
    assert ana.post(f"/jobs/{jobs[0]}/picked-up").status_code == 403


def test_jobs_on_a_bike_do_not_move(make_merchant, make_courier, make_job, dispatcher):
    shop, ana = make_merchant(), make_courier("Ana")
    job = make_job(shop)
    run = _offer(dispatcher, ana)
    ana.post(f"/runs/{run['id']}/accept")
    ana.post(f"/jobs/{job['id']}/picked-up")
    bob = make_courier("Bob")
    body = {"courier_id": bob.user.courier.id, "reason": "rebalance"}
    assert dispatcher.post(f"/runs/{run['id']}/reassign", json=body).status_code == 409
    assert dispatcher.post(f"/jobs/{job['id']}/assign", json=body).status_code == 409
    assert ana.get(f"/runs/{run['id']}").json["status"] == "accepted"


def test_taking_one_job_off_an_offer_leaves_the_rest(make_merchant, make_courier, make_job,
                                                     dispatcher):
    shop, ana = make_merchant(), make_courier("Ana")
    a, b = make_job(shop)["id"], make_job(shop, dlat=0.004)["id"]
    run = _offer(dispatcher, ana)
    bob = make_courier("Bob")
    r = dispatcher.post(f"/jobs/{b}/assign",
                        json={"courier_id": bob.user.courier.id, "reason": "closer"})
    assert r.status_code == 200
    left = ana.get(f"/runs/{run['id']}").json
    assert left["status"] == "offered"
    assert {s["job_id"] for s in left["stops"]} == {a}


def test_overrides_need_dispatch_and_a_courier_on_shift(make_merchant, make_courier, make_job,
                                                        dispatcher):
    shop = make_merchant()
    off = make_courier("Otto", on_shift=False)
    job = make_job(shop)
    body = {"courier_id": off.user.courier.id, "reason": "x"}
    assert shop.post(f"/jobs/{job['id']}/assign", json=body).status_code == 403
    assert dispatcher.post(f"/jobs/{job['id']}/assign", json=body).status_code == 409
    body["courier_id"] = 9999
    assert dispatcher.post(f"/jobs/{job['id']}/assign", json=body).status_code == 404
