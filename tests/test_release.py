"""Accepted work stays with its courier unless they give it back from the phone: a job
not picked up yet goes back to dispatch with the reason, the run is re-timed (or ends),
dispatch sees it live, and the next cycle plans it again with the rest (not for the
courier who gave it back). Declined offers and a courier going off shift put their jobs
back the same way."""

from sqlalchemy import select

from courier.extensions import db
from courier.models import Event


def _accepted(dispatcher, courier):
    (run,) = [r for r in dispatcher.post("/dispatch").json["runs"]
              if r["courier"]["id"] == courier.user.courier.id]
    assert courier.post(f"/runs/{run['id']}/accept").status_code == 200
    return run


def test_giving_back_a_job_not_picked_up_retimes_the_run_and_tells_dispatch(
        app, make_merchant, make_courier, make_job, dispatcher):
    shop, ana = make_merchant(), make_courier("Ana")
    near = make_job(shop, dlat=0.004)
    far = make_job(shop, dlat=0.03, dlon=0.03)
    run = _accepted(dispatcher, ana)
    ana.post(f"/jobs/{near['id']}/picked-up")
    s_ana, s_disp = ana.socket(app), dispatcher.socket(app)
    s_ana.get_received(), s_disp.get_received()
    r = ana.post(f"/jobs/{far['id']}/release", json={"reason": "chain broke"})
    assert r.status_code == 200, r.json
    assert r.json["status"] == "pending" and r.json["courier"] is None
    after = ana.get(f"/runs/{run['id']}").json
    assert after["status"] == "accepted" and {s["job_id"] for s in after["stops"]} == {near["id"]}
    assert after["distance_m"] < run["distance_m"]
    pushed = [m["args"][0] for m in s_ana.get_received() if m["name"] == "run.updated"]
    assert pushed and {s["job_id"] for s in pushed[-1]["stops"]} == {near["id"]}
    board = s_disp.get_received()
    assert any(m["name"] == "job.updated" and m["args"][0]["id"] == far["id"]
               and m["args"][0]["status"] == "pending" for m in board)
    assert any(m["name"] == "run.updated" and m["args"][0]["id"] == run["id"] for m in board)
    (ev,) = db.session.scalars(select(Event).where(Event.action == "released",
                                                   Event.job_id == far["id"])).all()
    assert ev.reason == "given back by Ana: chain broke" and ev.actor_id == ana.user.id
    assert (ev.from_status, ev.to_status) == ("accepted", "pending")


def test_giving_back_the_only_job_ends_the_run_and_the_next_cycle_gives_it_to_another(
        make_merchant, make_courier, make_job, dispatcher):
    shop, ana = make_merchant(), make_courier("Ana")
    job = make_job(shop)
    run = _accepted(dispatcher, ana)
    bob = make_courier("Bob", lat=45.77)
    assert ana.post(f"/jobs/{job['id']}/release", json={"reason": "too far"}).status_code == 200
    assert ana.get(f"/runs/{run['id']}").json["status"] == "cancelled"
    (again,) = dispatcher.post("/dispatch").json["runs"]  # not back to Ana for a while
    assert again["courier"]["id"] == bob.user.courier.id
    assert {s["job_id"] for s in again["stops"]} == {job["id"]}


def test_a_release_needs_a_reason_and_only_work_not_on_the_bike(
        make_merchant, make_courier, make_job, dispatcher):
    shop, ana = make_merchant(), make_courier("Ana")
    a, b = make_job(shop), make_job(shop, dlat=0.004)
    _accepted(dispatcher, ana)
    bob = make_courier("Bob", lat=45.77)
    r = ana.post(f"/jobs/{a['id']}/release", json={})
    assert r.status_code == 422 and "reason" in r.json["fields"]
    r = ana.post(f"/jobs/{a['id']}/release", json={"reason": "  "})
    assert r.status_code == 422 and "reason" in r.json["fields"]
    ana.post(f"/jobs/{a['id']}/picked-up")
    r = ana.post(f"/jobs/{a['id']}/release", json={"reason": "heavy"})
    assert r.status_code == 409 and r.json["fields"]["status"] == "picked_up"
    assert bob.post(f"/jobs/{b['id']}/release", json={"reason": "mine?"}).status_code == 403
    assert shop.post(f"/jobs/{b['id']}/release", json={"reason": "no"}).status_code == 403


def test_an_offline_replay_of_a_release_is_answered_as_done(
        make_merchant, make_courier, make_job, dispatcher):
    shop, ana = make_merchant(), make_courier("Ana")
    job = make_job(shop)
    _accepted(dispatcher, ana)
    for _ in range(2):
        r = ana.post(f"/jobs/{job['id']}/release", json={"reason": "puncture"},
                     headers={"Idempotency-Key": "rel-1"})
        assert r.status_code == 200, r.json
    again = ana.post(f"/jobs/{job['id']}/release", json={"reason": "puncture"})
    assert again.status_code == 409 and again.json["error"] == "you gave this job back"


def test_a_declined_offer_is_planned_again_with_the_new_work(
        make_merchant, make_courier, make_job, dispatcher):
    shop, ana = make_merchant(), make_courier("Ana")
    first = make_job(shop)
    (offer,) = dispatcher.post("/dispatch").json["runs"]
    bob = make_courier("Bob", lat=45.7655)
    newer = make_job(shop, dlat=0.011)
    assert ana.post(f"/runs/{offer['id']}/decline", json={"reason": "tired"}).status_code == 200
    (again,) = dispatcher.post("/dispatch").json["runs"]
    assert again["courier"]["id"] == bob.user.courier.id
    assert {s["job_id"] for s in again["stops"]} == {first["id"], newer["id"]}


def test_going_off_shift_puts_the_offered_jobs_back_with_the_rest(
        make_merchant, make_courier, make_job, dispatcher):
    shop, ana = make_merchant(), make_courier("Ana")
    first = make_job(shop)
    (offer,) = dispatcher.post("/dispatch").json["runs"]
    bob = make_courier("Bob", lat=45.7655)
    newer = make_job(shop, dlat=0.011)
    assert ana.post("/courier/shift", json={"online": False}).status_code == 200
    assert ana.get(f"/runs/{offer['id']}").json["status"] == "declined"
    (again,) = dispatcher.post("/dispatch").json["runs"]
    assert again["courier"]["id"] == bob.user.courier.id
    assert {s["job_id"] for s in again["stops"]} == {first["id"], newer["id"]}
    (ev,) = db.session.scalars(select(Event).where(Event.action == "declined",
                                                   Event.job_id == first["id"])).all()
    assert ev.reason == "went off shift"


def test_an_emergency_stop_puts_work_not_picked_up_back_with_the_rest(
        make_merchant, make_courier, make_job, dispatcher):
    shop, ana = make_merchant(), make_courier("Ana")
    first = make_job(shop)
    _accepted(dispatcher, ana)
    bob = make_courier("Bob", lat=45.7655)
    newer = make_job(shop, dlat=0.011)
    r = ana.post("/courier/shift", json={"online": False, "emergency": True,
                                         "reason": "fell, going home"})
    assert r.status_code == 200
    (again,) = dispatcher.post("/dispatch").json["runs"]
    assert again["courier"]["id"] == bob.user.courier.id
    assert {s["job_id"] for s in again["stops"]} == {first["id"], newer["id"]}
