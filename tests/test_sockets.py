"""Live updates over Socket.IO: who may connect, who hears what, and when."""

from courier import outbox
from courier.extensions import db, socketio


def received(client, name):
    return [m["args"][0] for m in client.get_received() if m["name"] == name]


def test_connection_without_credentials_is_refused(app, client):
    anon = socketio.test_client(app, flask_test_client=client)
    assert not anon.is_connected()
    bad = socketio.test_client(app, auth={"token": "ck_forged"})
    assert not bad.is_connected()


def test_logged_in_page_connects_with_its_session_cookie(app, client, make_merchant):
    shop = make_merchant()
    r = client.post("/login", data={"email": shop.user.email, "password": "secret",
                                     "csrf_token": _csrf(client)})
    assert r.status_code == 302
    sock = socketio.test_client(app, flask_test_client=client)
    assert sock.is_connected()
    assert received(sock, "hello")[0]["user_id"] == shop.id


def _csrf(client):
    import re

    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_whole_loop_over_sockets(app, make_merchant, make_courier, dispatcher):
    """Several jobs; two couriers get offers live; one delivers, the other declines,
    and the declined jobs go to someone else in the next cycle."""
    # Two shops 3 km apart, each beside a courier, with deadlines too tight for one
    # courier to serve both.
    shop = make_merchant(lat=45.760, lon=4.830)
    other = make_merchant(lat=45.772, lon=4.860)
    ana = make_courier("Ana", lat=45.760, lon=4.830)
    bob = make_courier("Bob", lat=45.772, lon=4.860)
    s_shop, s_ana, s_bob, s_disp = (a.socket(app) for a in (shop, ana, bob, dispatcher))
    for s in (s_shop, s_ana, s_bob, s_disp):
        assert s.is_connected()
        s.get_received()

    jobs = []
    for who, (lat, lon) in [(shop, (45.757, 4.828)), (shop, (45.758, 4.833)),
                            (other, (45.774, 4.862)), (other, (45.770, 4.858))]:
        r = who.post("/jobs", json={"dropoff": {"lat": lat, "lon": lon},
                                    "deliver_by": _in(minutes=20), "weight_kg": 1})
        assert r.status_code == 201, r.json
        jobs.append(r.json["id"])
    assert {j["id"] for j in received(s_shop, "job.updated")} == set(jobs[:2])

    dispatcher.post("/dispatch")
    (offer_a,) = received(s_ana, "run.offered")
    (offer_b,) = received(s_bob, "run.offered")
    assert offer_a["courier"]["first_name"] == "Ana" and offer_a["stops"]
    assert offer_b["expires_at"] and offer_b["stops"][0]["address"] is not None
    assert len(received(s_disp, "run.offered")) == 2

    # Ana accepts and rides her run.
    ana.post(f"/runs/{offer_a['id']}/accept")
    for stop in offer_a["stops"]:
        action = "picked-up" if stop["kind"] == "pickup" else "delivered"
        assert ana.post(f"/jobs/{stop['job_id']}/{action}").status_code == 200
    ana_jobs = {s["job_id"] for s in offer_a["stops"]}
    assert ana_jobs == set(jobs[:2])
    statuses = {}
    for j in received(s_shop, "job.updated"):  # (a new ETA is told in the same status)
        seen = statuses.setdefault(j["id"], [])
        if not seen or seen[-1] != j["status"]:
            seen.append(j["status"])
    for job_id in ana_jobs:
        assert statuses[job_id][-3:] == ["accepted", "picked_up", "delivered"]

    # Bob declines; Cleo comes on shift beside Bob's shop; the next cycle offers
    # Bob's jobs to the others (Ana is free again), never back to Bob.
    bob.post(f"/runs/{offer_b['id']}/decline", json={"reason": "puncture"})
    assert received(s_bob, "run.cancelled")[0]["id"] == offer_b["id"]
    cleo = make_courier("Cleo", lat=45.7725, lon=4.8605)
    s_cleo = cleo.socket(app)
    dispatcher.post("/dispatch")
    assert received(s_bob, "run.offered") == []
    again = received(s_ana, "run.offered") + received(s_cleo, "run.offered")
    assert {s["job_id"] for r in again for s in r["stops"]} == set(jobs[2:])


def _in(minutes):
    from datetime import UTC, datetime, timedelta

    return (datetime.now(UTC) + timedelta(minutes=minutes)).isoformat()


def test_merchant_hears_only_its_own_jobs(app, make_merchant, make_job):
    a, b = make_merchant(), make_merchant()
    sa, sb = a.socket(app), b.socket(app)
    sa.get_received(), sb.get_received()
    make_job(a)
    assert len(received(sa, "job.updated")) == 1
    assert received(sb, "job.updated") == []


def test_courier_position_reaches_dispatch_but_not_other_couriers(app, make_courier, dispatcher):
    ana, bob = make_courier("Ana"), make_courier("Bob")
    s_disp, s_bob = dispatcher.socket(app), bob.socket(app)
    s_disp.get_received(), s_bob.get_received()
    ana.post("/courier/position", json={"lat": 45.7601, "lon": 4.8401})
    (pos,) = received(s_disp, "courier.position")
    assert (pos["lat"], pos["lon"], pos["name"]) == (45.7601, 4.8401, "Ana")
    assert received(s_bob, "courier.position") == []


def test_messages_go_out_only_after_commit(app, dispatcher):
    sock = dispatcher.socket(app)
    sock.get_received()
    outbox.publish(db.session, "job.updated", {"id": 1}, "dispatch")
    assert received(sock, "job.updated") == []
    db.session.rollback()
    db.session.commit()
    assert received(sock, "job.updated") == []
    outbox.publish(db.session, "job.updated", {"id": 2}, "dispatch")
    db.session.commit()
    assert received(sock, "job.updated") == [{"id": 2}]


def test_refused_action_emits_nothing(app, make_merchant, make_job):
    shop = make_merchant()
    job = make_job(shop)
    shop.post(f"/jobs/{job['id']}/cancel")
    sock = shop.socket(app)
    sock.get_received()
    assert shop.post(f"/jobs/{job['id']}/cancel").status_code == 409
    assert received(sock, "job.updated") == []
