"""A job our couriers cannot serve is handed to a partner coop, which carries it as one
of its own; we follow it to the door."""

from sqlalchemy import select

from courier.extensions import db
from courier.models import Handoff, HandoffStatus, Job, JobStatus
from tests.federation.conftest import (
    deliver_messages,
    on_duty,
    partner_job,
    ride,
    shop_at,
    submit,
)


def test_a_dispatcher_hands_a_job_over_and_the_partner_delivers_it(paired):
    coops = paired
    zoe = on_duty(coops.b)
    shop = shop_at(coops.a)
    job = submit(shop)
    dispatcher = coops.a.actor("dispatcher")
    r = dispatcher.post(f"/jobs/{job['id']}/handoff", json={})
    assert r.status_code == 200, r.json
    assert r.json["status"] == "accepted" and r.json["partner"]["name"] == "Villeurbanne"
    price = r.json["price_cents"]
    seen = shop.get(f"/jobs/{job['id']}").json
    assert seen["status"] == "with_partner"
    assert seen["carried_by"]["partner"] == "Villeurbanne"
    with coops.b.ctx():
        theirs = partner_job(coops.b)
        assert theirs.status == JobStatus.PENDING and theirs.price_cents == price
        assert theirs.merchant.kind.value == "coop"
        their_id = theirs.id
    ride(coops.b, zoe, their_id, "picked_up")
    deliver_messages(coops)
    seen = shop.get(f"/jobs/{job['id']}").json
    assert seen["status"] == "with_partner"
    assert seen["carried_by"]["status"] == "picked_up"
    assert seen["carried_by"]["courier_first_name"] == "Zoé"
    assert seen["carried_by"]["eta"]  # the partner's live estimate, told as it rides
    assert zoe.post(f"/jobs/{their_id}/delivered").status_code == 200
    deliver_messages(coops)
    seen = shop.get(f"/jobs/{job['id']}").json
    assert seen["status"] == "delivered" and seen["delivered_at"]
    assert seen["carried_by"] == {"partner": "Villeurbanne", "courier_first_name": "Zoé",
                                  "status": "delivered", "eta": None, "cancelling": False}
    actions = [e["action"] for e in seen["events"]]
    assert actions == ["created", "handoff_asked", "handed_off", "accepted", "picked_up",
                       "delivered"]
    with coops.b.ctx():
        h = db.session.scalars(select(Handoff)).one()
        assert h.status == HandoffStatus.DELIVERED and h.seq >= 3


def test_when_one_partner_does_not_answer_the_next_covering_one_is_asked(paired):
    coops = paired
    with coops.a.ctx():  # a second partner covering the same zone, that never answers
        from courier.federation import signing
        from courier.models import Partner, PartnerStatus

        b = coops.a.partner()
        db.session.add(Partner(name="Caluire", base_url="http://coop-c.test",
                               status=PartnerStatus.ACTIVE, zone=b.zone, terms=b.terms,
                               profile_at=b.profile_at, credit_limit_cents=100_000,
                               our_key_id="k_c_ours", our_secret=signing.new_secret(),
                               their_key_id="k_c", their_secret=signing.new_secret()))
        db.session.commit()
    coops.slow("b")
    shop = shop_at(coops.a)
    job = submit(shop)
    r = coops.a.actor("dispatcher").post(f"/jobs/{job['id']}/handoff", json={})
    assert r.json["status"] == "timed_out" and r.json["partner"]["name"] == "Caluire"
    asked = shop.get(f"/jobs/{job['id']}").json["events"]
    assert [e["action"] for e in asked][1:] == ["handoff_asked", "handoff_timed_out"] * 2
    with coops.a.ctx():
        assert db.session.get(Job, job["id"]).status == JobStatus.PENDING
