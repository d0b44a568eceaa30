"""A hub's order list from CSV: every row or none, a report per failing row, the
cut-off, and a distribution round's jobs in their slots."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from courier.extensions import db
from courier.models import Job
from courier.solidarity.models import RoundOrder

LYON_TZ = ZoneInfo("Europe/Paris")
GOOD = ("client;adresse;lat;lon;poids_kg;creneau;telephone;reference\n"
        "Mme Martin;7 impasse des Lilas;45.7712;4.8301;4,5;10:00-11:00;0611111111;A1\n"
        "Épicerie sociale;2 rue Paul Bert;45.7601;4.8420;12;;;A2\n")


@pytest.fixture
def tomorrow():
    day = (datetime.now(LYON_TZ) + timedelta(days=1)).date()
    return datetime.combine(day, datetime.min.time(), LYON_TZ).replace(hour=9)


def new_round(hub, start, **extra):
    r = hub.post("/hub/rounds", json={"kind": "distribute", "starts_at": start.isoformat(),
                                      "ends_at": (start + timedelta(hours=3)).isoformat(),
                                      **extra})
    assert r.status_code == 201, r.json
    return r.json


def upload(hub, rnd, text, **q):
    query = "?dry_run=true" if q.get("dry_run") else ""
    return hub.post(f"/hub/rounds/{rnd['id']}/orders{query}", data=text.encode(),
                    headers={"Content-Type": "text/csv"})


def test_orders_import_then_release_as_jobs_in_their_slots(hub, tomorrow):
    rnd = new_round(hub, tomorrow, name="Paniers")
    r = upload(hub, rnd, GOOD)
    assert r.status_code == 201, r.json
    assert (r.json["created"], r.json["updated"]) == (2, 0)
    again = upload(hub, rnd, GOOD.replace("4,5", "5"))  # same references: updated
    assert (again.json["created"], again.json["updated"]) == (0, 2)
    orders = db.session.scalars(select(RoundOrder).order_by(RoundOrder.id)).all()
    assert [o.weight_kg for o in orders] == [5.0, 12.0] and orders[0].slot == "10:00-11:00"
    released = hub.post(f"/hub/rounds/{rnd['id']}/release").json
    jobs = {j["recipient"]["name"]: j for j in released["jobs"]}
    assert set(jobs) == {"Mme Martin", "Épicerie sociale"}
    martin = db.session.get(Job, jobs["Mme Martin"]["id"])
    assert martin.ready_at == tomorrow.replace(hour=10).astimezone(UTC)  # its slot
    assert martin.deliver_by == tomorrow.replace(hour=11).astimezone(UTC)
    assert martin.pickup_lat == hub.user.merchant.lat and martin.group_id is None
    other = db.session.get(Job, jobs["Épicerie sociale"]["id"])
    assert other.deliver_by == tomorrow.replace(hour=12).astimezone(UTC)  # the round's end
    r = upload(hub, rnd, GOOD)
    assert r.status_code == 409 and "closed" in r.json["error"]  # released: orders closed


def test_a_bad_file_is_reported_row_by_row_and_nothing_is_imported(hub, tomorrow):
    rnd = new_round(hub, tomorrow)
    bad = ("customer,address,lat,lon,weight_kg,slot,reference\n"
           "Mme Martin,,45.77,4.83,3,10:00-11:00,A1\n"
           ",1 rue X,45.77,4.83,2,,A2\n"
           "M. Paul,,95,4.83,lourd,,A3\n"
           "Mme Li,2 rue Y,,,2,07:00-08:00,A1\n"
           "Mme Rey,3 rue Z,45.76,4.84,1,,\n")
    r = upload(hub, rnd, bad)
    assert r.status_code == 422
    rows = {row["row"]: row["fields"] for row in r.json["rows"]}
    assert set(rows) == {3, 4, 5}
    assert set(rows[3]) == {"customer"}
    assert set(rows[4]) == {"lat", "weight_kg"}
    assert set(rows[5]) >= {"slot", "reference"}  # before the round, and A1 twice
    assert db.session.scalars(select(RoundOrder)).all() == []
    assert upload(hub, rnd, "nom,poids_kg,couleur\nX,1,bleu\n").json["fields"]["file"]
    assert upload(hub, rnd, GOOD, dry_run=True).json["created"] == 2
    assert db.session.scalars(select(RoundOrder)).all() == []  # a dry run writes nothing


def test_orders_close_at_the_cutoff(hub, tomorrow):
    cutoff = datetime.now(UTC) - timedelta(minutes=1)
    rnd = new_round(hub, tomorrow, cutoff_at=cutoff.isoformat())
    r = upload(hub, rnd, GOOD)
    assert r.status_code == 409 and r.json["fields"]["cutoff_at"]
    local = cutoff.astimezone(ZoneInfo("Europe/Paris"))  # the coop's time, as the hub reads it
    assert r.json["error"] == f"orders for this round closed at {local:%Y-%m-%d %H:%M}"


def test_another_hub_cannot_touch_a_round(hub, make_user, tomorrow, dispatcher):
    rnd = new_round(hub, tomorrow)
    other = make_user("merchant", "Autre drive", lat=45.75, lon=4.85, kind="hub")
    assert upload(other, rnd, GOOD).status_code == 403
    assert other.post(f"/hub/rounds/{rnd['id']}/release").status_code == 403
    assert other.get(f"/hub/rounds/{rnd['id']}").status_code == 403
    assert dispatcher.get(f"/hub/rounds/{rnd['id']}").status_code == 200
