"""Partners ask for free deliveries; the council names volunteers; the pages of
partners, food hubs and the council's setup."""

from sqlalchemy import select

from courier.extensions import db
from courier.models import Courier, Merchant, MerchantKind, Role, User
from tests.solidarity.conftest import delivery_body
from tests.test_pages import login


def test_a_partners_delivery_is_free_first_and_theirs(partner, ask, dispatcher):
    job = ask(partner, priority="urgent")
    assert job["solidarity"] and job["price_cents"] == 0 and job["priority"] == 100
    assert job["pickup"]["address"] == "12 rue de la Solidarité"  # the partner's own place
    assert job["recipient"]["name"] == "Mme Odette Martin"
    normal = ask(partner, priority="normal")
    assert 0 < normal["priority"] < job["priority"]
    mine = partner.get("/solidarity/deliveries").json
    assert mine["total"] == 2 and {j["id"] for j in mine["jobs"]} == {job["id"], normal["id"]}
    assert partner.get("/jobs").json["total"] == 2
    seen = dispatcher.get("/solidarity/deliveries").json["jobs"]
    assert {j["id"] for j in seen} == {job["id"], normal["id"]}
    assert all(j["redacted"] and j["recipient"]["phone"] == "" for j in seen)


def test_a_retry_with_the_same_key_gives_the_same_delivery(partner):
    body, key = delivery_body(), {"Idempotency-Key": "ccas-2026-0042"}
    first = partner.post("/solidarity/deliveries", json=body, headers=key)
    again = partner.post("/solidarity/deliveries", json=body, headers=key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json["id"] == again.json["id"]
    other = partner.post("/solidarity/deliveries", json={**body, "weight_kg": 9}, headers=key)
    assert other.status_code == 422 and "Idempotency-Key" in other.json["fields"]


def test_a_partner_cancels_their_own_deliveries_only(partner, make_user, ask):
    job = ask(partner)
    other = make_user("partner", "Restos du Cœur", lat=45.75, lon=4.85)
    assert other.post(f"/jobs/{job['id']}/cancel").status_code == 403
    assert other.get(f"/jobs/{job['id']}").status_code == 403
    r = partner.post(f"/jobs/{job['id']}/cancel", json={"reason": "hospitalised"})
    assert r.status_code == 200 and r.json["status"] == "cancelled"


def test_only_partners_ask_for_solidarity_deliveries(partner, make_merchant):
    shop = make_merchant()
    assert shop.post("/solidarity/deliveries", json=delivery_body()).status_code == 403
    assert partner.post("/jobs", json=delivery_body()).status_code == 403
    r = partner.post("/solidarity/deliveries", json={"recipient": {"name": "X"}})
    assert r.status_code == 422 and "dropoff" in r.json["fields"]
    r = partner.post("/solidarity/deliveries", json=delivery_body(priority="vip"))
    assert r.status_code == 422 and "priority" in r.json["fields"]


def test_the_council_names_volunteers_before_their_first_shift(make_user, make_courier):
    council = make_user("council", "Cleo")
    new = make_courier("Vic", on_shift=False)
    cid = new.user.courier.id
    r = council.post(f"/couriers/{cid}/volunteer", json={"volunteer": True})
    assert r.status_code == 200 and r.json["volunteer"] is True
    worked = make_courier("Ana")  # on shift already: their pay history would change
    r = council.post(f"/couriers/{worked.user.courier.id}/volunteer", json={"volunteer": True})
    assert r.status_code == 409
    assert new.post(f"/couriers/{cid}/volunteer", json={"volunteer": False}).status_code == 403


def test_create_user_makes_partners_hubs_and_volunteers(runner):
    for args in (["--role", "partner", "--name", "CCAS"],
                 ["--role", "merchant", "--name", "Drive", "--kind", "hub"],
                 ["--role", "courier", "--name", "Vic", "--volunteer"]):
        r = runner.invoke(args=["create-user", *args])
        assert r.exit_code == 0, r.output
    kinds = {m.name: m.kind for m in db.session.scalars(select(Merchant))}
    assert kinds == {"CCAS": MerchantKind.PARTNER, "Drive": MerchantKind.HUB}
    assert db.session.scalars(select(Courier)).one().volunteer
    assert db.session.scalars(select(User).where(User.name == "CCAS")).one().role == Role.PARTNER
    r = runner.invoke(args=["create-user", "--role", "courier", "--name", "X", "--kind", "hub"])
    assert r.exit_code == 2


def test_each_solidarity_page_is_for_its_people(client, partner, hub, make_merchant,
                                                make_user):
    r = login(client, partner)
    assert r.headers["Location"].endswith("/partner")
    page = client.get("/partner").get_data(as_text=True)
    assert "partner.js" in page and client.get("/hub").status_code == 403
    client.post("/logout", data={"csrf_token": _csrf(client)})
    login(client, hub)
    assert "hub.js" in client.get("/hub").get_data(as_text=True)
    assert 'href="/hub"' in client.get("/shop").get_data(as_text=True)  # the hub's link
    assert client.get("/partner").status_code == 403 and client.get("/setup").status_code == 403
    client.post("/logout", data={"csrf_token": _csrf(client)})
    login(client, make_merchant("Épicerie"))
    assert client.get("/hub").status_code == 403  # a shop is not a hub
    client.post("/logout", data={"csrf_token": _csrf(client)})
    login(client, make_user("council", "Cleo"))
    assert 'href="/setup"' in client.get("/dispatch").get_data(as_text=True)


def _csrf(client):
    import re

    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
