"""A job from inside our zone to inside the partner's, relayed through a hub: our
courier rides to the hub, the partner's from there; the shop and the recipient see one
job, which follows the second leg after the hand-over."""

import pytest
from sqlalchemy import select

from courier.extensions import db
from courier.federation import relay_follow
from courier.models import Event, Handoff, Job, JobStatus, Relay, RelayStatus
from tests.federation.conftest import (
    IN_BOTH,
    IN_LYON,
    IN_VILLEURBANNE,
    courier_at,
    deliver_messages,
    on_duty,
    partner_job,
    ride,
    shop_at,
    submit,
)

HUB = {"name": "Halles du Tonkin", "address": "5 rue du Tonkin", "lat": IN_BOTH[0],
       "lon": IN_BOTH[1]}


@pytest.fixture
def relaying(paired):
    """Lyon takes jobs for Villeurbanne's zone, and hands parcels over at one hub."""
    ca = paired.councils[0]
    on_duty(paired.b, where=IN_BOTH)  # Villeurbanne's courier, near the hub
    r = ca._call("patch", "/federation/settings", json={"outside_zone": True})
    assert r.status_code == 200, r.json
    with paired.a.ctx():
        pid = paired.a.partner().id
    r = ca._call("put", f"/partners/{pid}/relay-hubs", json={"hubs": [HUB]})
    assert r.status_code == 200 and r.json["usable"] == [HUB], r.json
    paired.pid = pid
    return paired


def follow(coop):
    with coop.ctx():
        return relay_follow.relay_events()


def test_a_relayed_job_is_one_job_for_the_shop_carried_in_two_legs(relaying):
    coops = relaying
    shop = shop_at(coops.a)
    job = submit(shop, dropoff=IN_VILLEURBANNE)
    r = coops.a.actor("dispatcher").post(f"/jobs/{job['id']}/relay", json={})
    assert r.status_code == 200 and r.json["status"] == "first_leg", r.json
    leg_id = r.json["leg_job_id"]
    with coops.b.ctx():  # the partner's job starts at the hub
        theirs = partner_job(coops.b)
        assert (theirs.pickup_lat, theirs.pickup_lon) == IN_BOTH
        assert (theirs.dropoff_lat, theirs.dropoff_lon) == IN_VILLEURBANNE
        their_id = theirs.id
    ana = courier_at(coops.a, "Ana Lopez", where=IN_LYON)
    ride(coops.a, ana, leg_id, "picked_up")
    assert follow(coops.a) == 1
    seen = shop.get(f"/jobs/{job['id']}").json
    assert seen["status"] == "with_partner" and seen["events"][-1]["action"] == "picked_up"
    assert ana.post(f"/jobs/{leg_id}/delivered").status_code == 200
    follow(coops.a)
    zoe = on_duty(coops.b)
    ride(coops.b, zoe, their_id, "delivered")
    deliver_messages(coops)
    follow(coops.a)
    seen = shop.get(f"/jobs/{job['id']}").json
    assert seen["status"] == "delivered"
    assert seen["carried_by"]["courier_first_name"] == "Zoé"
    actions = [e["action"] for e in seen["events"]]
    assert actions[:4] == ["created", "handoff_asked", "handed_off", "relayed"]
    assert actions.index("picked_up") < actions.index("relay_at_hub") < actions.index(
        "delivered")
    listed = shop.get("/jobs").json
    assert [j["id"] for j in listed["jobs"]] == [job["id"]]  # the first leg is not the shop's
    with coops.a.ctx():
        rel = db.session.scalars(select(Relay)).one()
        assert rel.status == RelayStatus.DONE and rel.leg_job.price_cents == 0


def test_a_job_no_partner_takes_stays_ours_and_its_first_leg_is_cancelled(relaying):
    coops = relaying
    coops.down("b")
    job = submit(shop_at(coops.a), dropoff=IN_VILLEURBANNE)
    r = coops.a.actor("dispatcher").post(f"/jobs/{job['id']}/relay",
                                         json={"partner_id": coops.pid})
    assert r.status_code == 200 and r.json["status"] == "stopped", r.json
    assert "could not be reached" in r.json["reason"]
    with coops.a.ctx():
        assert db.session.get(Job, job["id"]).status == JobStatus.PENDING
        assert db.session.get(Job, r.json["leg_job_id"]).status == JobStatus.CANCELLED


def test_a_first_leg_that_fails_calls_the_partner_off_and_the_job_is_ours_again(relaying):
    coops = relaying
    job = submit(shop_at(coops.a), dropoff=IN_VILLEURBANNE)
    r = coops.a.actor("dispatcher").post(f"/jobs/{job['id']}/relay", json={})
    leg_id = r.json["leg_job_id"]
    ana = courier_at(coops.a, "Ana Lopez", where=IN_LYON)
    ride(coops.a, ana, leg_id, "failed", reason="le point de relais est fermé")
    follow(coops.a)
    deliver_messages(coops)
    with coops.b.ctx():  # the second leg is called off at the partner
        first = db.session.scalars(select(Handoff).where(Handoff.direction == "in")
                                   .order_by(Handoff.id)).first()
        assert first.leg == "second" and first.job.status == JobStatus.CANCELLED
    with coops.a.ctx():
        rel = db.session.scalars(select(Relay)).one()
        assert rel.status == RelayStatus.STOPPED and "fermé" in rel.reason
        actions = db.session.scalars(select(Event.action).where(
            Event.job_id == job["id"]).order_by(Event.id)).all()
        # ours again, then handed whole by the council's rule (outside our zone)
        assert actions.index("handoff_withdrawing") < len(actions) - 1
        assert actions[-2:] == ["handoff_asked", "handed_off"]


def test_a_job_is_not_relayed_twice_nor_when_it_is_not_pending(relaying):
    coops = relaying
    job = submit(shop_at(coops.a), dropoff=IN_VILLEURBANNE)
    dispatcher = coops.a.actor("dispatcher")
    assert dispatcher.post(f"/jobs/{job['id']}/relay", json={}).status_code == 200
    again = dispatcher.post(f"/jobs/{job['id']}/relay", json={})
    assert again.status_code == 409 and "pending" in again.json["error"]


def test_a_relay_hub_outside_either_zone_is_refused_naming_it(relaying):
    far = {**HUB, "lat": IN_VILLEURBANNE[0], "lon": IN_VILLEURBANNE[1]}  # not in Lyon's zone
    r = relaying.councils[0]._call("put", f"/partners/{relaying.pid}/relay-hubs",
                                   json={"hubs": [HUB, far]})
    assert r.status_code == 422 and r.json["fields"] == {"hubs.1": "outside our zone"}
    hubs = relaying.councils[0].get(f"/partners/{relaying.pid}/relay-hubs").json
    assert hubs["configured"] == [HUB]


def test_without_a_hub_a_job_cannot_be_relayed(paired):
    paired.councils[0]._call("patch", "/federation/settings", json={"outside_zone": True})
    job = submit(shop_at(paired.a), dropoff=IN_VILLEURBANNE)
    r = paired.a.actor("dispatcher").post(f"/jobs/{job['id']}/relay", json={})
    assert r.status_code == 409 and r.json["fields"] == {"partner": "no relay fits"}


def test_the_board_is_told_which_pending_jobs_a_relay_fits(relaying):
    coops = relaying
    shop = shop_at(coops.a)
    far = submit(shop, dropoff=IN_VILLEURBANNE)
    near = submit(shop, dropoff=IN_LYON)  # no partner covers it
    dispatcher = coops.a.actor("dispatcher")
    r = dispatcher.get("/relays/possible")
    assert r.status_code == 200, r.json
    assert [j["job_id"] for j in r.json["jobs"]] == [far["id"]]
    (fits,) = r.json["jobs"]
    assert fits["hub"]["name"] == HUB["name"] and fits["partner"] == "Villeurbanne"
    assert near["id"] != far["id"]
    assert dispatcher.post(f"/jobs/{far['id']}/relay", json={}).status_code == 200
    assert dispatcher.get("/relays/possible").json["jobs"] == []  # relayed: not pending
