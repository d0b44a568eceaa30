"""Two coops pair: an invitation code, keys exchanged, both councils approve; either
may pause, resume or end; each publishes its profile at /.well-known/courier-coop."""

from courier.extensions import db
from courier.models import Event, PartnerInvitation, PartnerStatus
from tests.federation.conftest import (
    LYON_ZONE,
    VILLEURBANNE_ZONE,
    deliver_messages,
    draw_zone,
    pair,
)


def test_the_well_known_profile_publishes_name_zone_takes_and_prices(coops):
    draw_zone(coops.a, "Lyon centre", LYON_ZONE)
    coops.a.actor("courier", vehicle="cargo_bike", lat=45.76, lon=4.83)
    r = coops.a.client.get("/.well-known/courier-coop")
    assert r.status_code == 200
    doc = r.json
    assert doc["protocol"] == "courier-federation/1"
    assert doc["name"] == "Lyon" and doc["url"] == "http://coop-a.test"
    assert doc["zone"]["features"][0]["geometry"] == LYON_ZONE
    assert doc["takes"]["vehicles"] == [{"kind": "cargo_bike", "max_kg": 80.0, "max_l": 250.0}]
    assert doc["prices"]["strategy"] == "default" and doc["prices"]["base_cents"] > 0


def test_two_councils_pair_with_a_code_and_both_approvals(coops):
    draw_zone(coops.b, "Villeurbanne", VILLEURBANNE_ZONE)
    pair(coops)
    for coop, other in ((coops.a, "Villeurbanne"), (coops.b, "Lyon")):
        with coop.ctx():
            p = coop.partner()
            assert p.status == PartnerStatus.ACTIVE and p.name == other
            assert p.we_approved_at and p.they_approved_at
            assert p.credit_limit_cents == 100_000
    with coops.a.ctx():
        p = coops.a.partner()
        assert p.zone["features"][0]["geometry"] == VILLEURBANNE_ZONE
        key_a, their_b = p.our_key_id, p.their_key_id
    with coops.b.ctx():
        p = coops.b.partner()
        assert (p.their_key_id, p.our_key_id) == (key_a, their_b)


def test_the_invitation_is_stored_hashed_and_works_once(coops):
    ca, cb = coops.a.actor("council"), coops.b.actor("council")
    code = ca.post("/federation/invitations").json["code"]
    with coops.a.ctx():
        inv = db.session.scalars(db.select(PartnerInvitation)).one()
        assert code not in inv.code_hash and len(inv.code_hash) == 64
    assert cb.post("/partners", json={"url": coops.a.url, "code": code}).status_code == 201
    other = coops.b.actor("council")
    with coops.b.ctx():
        db.session.execute(db.text("DELETE FROM partners"))
        db.session.commit()
    again = other.post("/partners", json={"url": coops.a.url, "code": code})
    assert again.status_code == 409
    assert "invalid_code" in again.json["fields"]["code"]


def test_a_wrong_code_is_refused_and_recorded(coops):
    cb = coops.b.actor("council")
    r = cb.post("/partners", json={"url": coops.a.url, "code": "coop-guessed"})
    assert r.status_code == 409 and r.json["fields"] == {"code": "invalid_code"}
    with coops.a.ctx():
        ev = db.session.scalars(db.select(Event).where(Event.subject == "federation")).one()
        assert ev.action == "refused" and ev.data["reason"] == "invalid_code"


def test_only_the_council_pairs(coops):
    shop = coops.a.actor("merchant")
    dispatcher = coops.a.actor("dispatcher")
    assert shop.post("/federation/invitations").status_code == 403
    assert dispatcher.post("/federation/invitations").status_code == 403


def test_a_pause_stops_new_hand_offs_both_ways_and_only_the_pauser_resumes(coops):
    ca, cb = pair(coops)
    with coops.a.ctx():
        pid_a = coops.a.partner().id
    with coops.b.ctx():
        pid_b = coops.b.partner().id
    assert ca.post(f"/partners/{pid_a}/pause", json={"reason": "holidays"}).status_code == 200
    deliver_messages(coops)
    with coops.b.ctx():
        p = coops.b.partner()
        assert p.status == PartnerStatus.PAUSED and p.status_by == "them"
    r = cb.post(f"/partners/{pid_b}/resume", json={})
    assert r.status_code == 409 and "only it can resume" in r.json["error"]
    assert ca.post(f"/partners/{pid_a}/resume", json={}).status_code == 200
    deliver_messages(coops)
    with coops.b.ctx():
        assert coops.b.partner().status == PartnerStatus.ACTIVE
    assert cb.post(f"/partners/{pid_b}/end", json={"reason": "moving"}).status_code == 200
    deliver_messages(coops)
    with coops.a.ctx():
        assert coops.a.partner().status == PartnerStatus.ENDED
        actions = db.session.scalars(db.select(Event.action).where(
            Event.subject == "federation").order_by(Event.id)).all()
        assert {"paused", "resumed", "ended_by_partner"} <= set(actions)


def test_guessing_invitation_codes_is_slowed_down(coops):
    answers = [coops.a.client.post("/federation/v1/connect", json={
        "code": f"coop-guess-{n}", "url": "http://coop-x.test", "key_id": "k_x",
        "secret": "fcs_x"}) for n in range(11)]
    assert [r.status_code for r in answers[:10]] == [403] * 10
    assert answers[10].status_code == 429 and answers[10].json["reason"] == "rate_limited"
