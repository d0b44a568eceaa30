"""Open data: weekly figures at a public URL, only if the coop publishes them, and
nothing in them about any person."""

import csv
import io
import json
import re
from datetime import timedelta

from courier import settings
from courier.extensions import db
from courier.models import Job
from courier.solidarity.opendata import VAN_KG_CO2E_PER_KM
from tests.fairwork.helpers import NOW, courier, delivered

NUMBER_ONLY = re.compile(r"^-?\d+(\.\d+)?$")


def publish(on: bool) -> None:
    settings.put("open_data", on)
    db.session.commit()


def test_figures_are_published_only_when_the_coop_chose_to(client, council):
    assert client.get("/api/v1/open-data/weekly.json").status_code == 404
    assert client.get("/api/v1/open-data/weekly.csv").status_code == 404
    assert client.get("/open-data").status_code == 404
    r = council._call("patch", "/coop", json={"open_data": True})
    assert r.status_code == 200 and r.json["open_data"] is True
    assert client.get("/api/v1/open-data/weekly.json").status_code == 200
    assert client.get("/open-data").status_code == 200


def test_weekly_figures_count_the_work_and_name_nobody(client, make_user, make_merchant,
                                                       partner):
    shop = make_merchant("Épicerie Rosa")
    ana = courier(make_user, "Anaïs Dupont", since=None)
    run = delivered(ana.courier, shop, accepted=NOW - timedelta(hours=1),
                    delivered_at=[NOW - timedelta(minutes=40), NOW - timedelta(minutes=20)],
                    metres=12_000)
    needy = db.session.get(Job, run.stops[0].job_id)
    needy.solidarity, needy.merchant_id = True, partner.user.merchant.id
    needy.recipient_name, needy.recipient_phone = "Mme Odette Martin", "0612345678"
    needy.dropoff_address, needy.weight_kg = "7 impasse des Lilas", 4.0
    db.session.commit()
    publish(True)
    from courier.solidarity import opendata

    data = opendata.weekly(2, now=NOW + timedelta(days=1))
    week = data["weeks"][-1]
    assert week["week"] == "2026-W10" and week["start"] == "2026-03-02"
    assert week["deliveries"] == 2 and week["solidarity_deliveries"] == 1
    assert week["solidarity_share"] == 0.5 and week["kg_carried"] == 4.0
    assert week["km_by_bike"] == 12.0
    assert week["co2_avoided_kg"] == round(12 * VAN_KG_CO2E_PER_KM, 1)
    assert data["weeks"][0]["deliveries"] == 0  # the week before

    assert client.get("/api/v1/open-data/weekly.json?weeks=520").status_code == 422
    body = client.get("/api/v1/open-data/weekly.json?weeks=260").get_data(as_text=True)
    text = client.get("/api/v1/open-data/weekly.csv?weeks=260").get_data(as_text=True)
    page = client.get("/open-data").get_data(as_text=True)
    people = [ana.user.name, "Anaïs", "Dupont", partner.user.name, shop.user.name, "Rosa",
              "Odette", "0612345678", "Lilas", "1 place Bellecour", ana.user.email]
    for where, content in (("json", body), ("csv", text), ("page", page)):
        assert not [p for p in people if p in content], where
    doc = json.loads(body)
    assert set(doc) == {"coop", "city", "timezone", "generated_at", "emission_factor", "weeks"}
    for row in doc["weeks"]:  # counts and sums only: no name, address, phone or position
        assert set(row) == {"week", "start", "deliveries", "solidarity_deliveries",
                            "solidarity_share", "kg_carried", "km_by_bike", "co2_avoided_kg",
                            "hub_rounds"}
    for row in csv.DictReader(io.StringIO(text)):
        assert all(NUMBER_ONLY.match(v) for k, v in row.items() if k not in ("week", "start"))
    lat, lon = str(ana.courier.lat), str(ana.courier.lon)
    assert lat not in body + text and lon not in body + text
