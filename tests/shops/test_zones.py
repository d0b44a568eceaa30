"""Service zones: drawn as GeoJSON, checked strictly, enforced on every stop."""

import json

import pytest

from tests.conftest import LYON, job_body
from tests.shops.conftest import polygon

CITY = polygon(4.80, 45.72, 4.90, 45.80)  # around LYON (45.764, 4.8357)


def test_zone_is_created_and_listed_as_geojson(dispatcher, make_merchant):
    r = dispatcher.post("/zones", json={"name": "Lyon", "geometry": CITY})
    assert r.status_code == 201, r.json
    assert r.json["properties"] == {"name": "Lyon", "active": True}
    listed = make_merchant().get("/zones").json
    assert listed["type"] == "FeatureCollection"
    assert [f["properties"]["name"] for f in listed["features"]] == ["Lyon"]
    assert listed["features"][0]["geometry"]["coordinates"][0][0] == [4.8, 45.72]


def test_without_any_zone_every_stop_is_accepted(make_merchant):
    r = make_merchant().post("/jobs", json=job_body(dlat=2.0))  # 220 km away
    assert r.status_code == 201


@pytest.mark.parametrize("where, body", [
    ("dropoff", job_body(dlat=0.2)),
    ("pickup", {**job_body(), "pickup": {"lat": 45.9, "lon": 4.85, "address": "Far"}}),
])
def test_stop_outside_every_zone_is_refused_naming_it(dispatcher, make_merchant, where, body):
    dispatcher.post("/zones", json={"name": "Lyon", "geometry": CITY})
    shop = make_merchant()
    r = shop.post("/jobs", json=body)
    assert r.status_code == 422, r.json
    assert list(r.json["fields"]) == [where]
    assert r.json["error"].startswith(f"the {where}") and "outside every service zone" in \
        r.json["error"]
    assert shop.get("/jobs").json["total"] == 0


def test_stop_in_any_of_several_zones_is_accepted(dispatcher, make_merchant):
    dispatcher.post("/zones", json={"name": "Lyon", "geometry": CITY})
    dispatcher.post("/zones", json={"name": "Villefranche",
                                    "geometry": polygon(4.68, 45.96, 4.76, 46.02)})
    r = make_merchant().post("/jobs", json=job_body(dlat=45.99 - LYON[0], dlon=4.72 - LYON[1]))
    assert r.status_code == 201, r.json


BOWTIE = {"type": "Polygon", "coordinates": [[[4.8, 45.72], [4.9, 45.8], [4.9, 45.72],
                                              [4.8, 45.8], [4.8, 45.72]]]}
LAT_FIRST_OUT_OF_RANGE = {"type": "Polygon", "coordinates": [[[45.72, 4.8], [45.72, 94.9],
                                                               [45.8, 4.9], [45.72, 4.8]]]}
OPEN_RING = {"type": "Polygon", "coordinates": [[[4.8, 45.72], [4.9, 45.72], [4.9, 45.8],
                                                 [4.8, 45.8], [4.8, 45.73]]]}
SWAPPED = polygon(45.72, 4.80, 45.80, 4.90)  # [lat, lon]: both in range, misses every shop


@pytest.mark.parametrize("geometry, field, words", [
    (BOWTIE, "geometry.coordinates", "crosses itself near [4.85, 45.76]"),
    (LAT_FIRST_OUT_OF_RANGE, "geometry.coordinates[0][1]", "looks like [latitude, longitude]"),
    (OPEN_RING, "geometry.coordinates[0]", "not closed"),
    ({"type": "Point", "coordinates": [4.8, 45.7]}, "geometry.type", "not 'Point'"),
    ({"type": "Polygon", "coordinates": [[[4.8, 45.7], [4.9, 45.7], [4.8, 45.7]]]},
     "geometry.coordinates[0]", "at least 4 positions"),
    (SWAPPED, "geometry.coordinates", "look swapped"),
])
def test_invalid_zone_is_refused_clearly_and_zones_stay(dispatcher, make_merchant, geometry,
                                                        field, words):
    make_merchant()  # a shop in Lyon: the reference that reveals swapped coordinates
    dispatcher.post("/zones", json={"name": "Lyon", "geometry": CITY})
    before = dispatcher.get("/zones").json
    r = dispatcher.post("/zones", json={"name": "New", "geometry": geometry})
    assert r.status_code == 422, r.json
    assert words in r.json["fields"][field], r.json
    assert words in r.json["error"]
    r = dispatcher.post("/zones/import", json={
        "type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"name": "Lyon"}, "geometry": geometry}]})
    assert r.status_code == 422
    assert dispatcher.get("/zones").json == before


def test_import_is_all_or_nothing_and_updates_by_name(dispatcher):
    good = {"type": "Feature", "properties": {"name": "Lyon"}, "geometry": CITY}
    bad = {"type": "Feature", "properties": {"name": "Broken"}, "geometry": OPEN_RING}
    r = dispatcher.post("/zones/import", json={"type": "FeatureCollection",
                                               "features": [good, bad]})
    assert r.status_code == 422
    assert "features[1].geometry.coordinates[0] (Broken)" in r.json["fields"]
    assert dispatcher.get("/zones").json["features"] == []
    r = dispatcher.post("/zones/import", json={"type": "FeatureCollection", "features": [good]})
    assert r.json == {"created": 1, "updated": 0, "deactivated": 0}
    other = {"type": "Feature", "properties": {"name": "Villeurbanne"},
             "geometry": polygon(4.86, 45.75, 4.92, 45.79)}
    r = dispatcher.post("/zones/import?replace=true", json={"type": "FeatureCollection",
                                                            "features": [other]})
    assert r.json == {"created": 1, "updated": 0, "deactivated": 1}
    states = {f["properties"]["name"]: f["properties"]["active"]
              for f in dispatcher.get("/zones").json["features"]}
    assert states == {"Lyon": False, "Villeurbanne": True}


def test_index_follows_zone_changes(dispatcher, make_merchant):
    shop = make_merchant()
    r = dispatcher.post("/zones", json={"name": "Small", "geometry": polygon(4.83, 45.76, 4.84,
                                                                             45.77)})
    zone_id = r.json["id"]
    assert shop.post("/jobs", json=job_body()).status_code == 422  # dropoff outside
    assert dispatcher._call("patch", f"/zones/{zone_id}", json={"geometry": CITY}).status_code \
        == 200
    assert shop.post("/jobs", json=job_body()).status_code == 201
    dispatcher._call("patch", f"/zones/{zone_id}", json={"active": False})
    assert shop.post("/jobs", json=job_body(dlat=3)).status_code == 201  # no active zone left


def test_lookup_says_which_zones_cover_a_point(dispatcher, make_merchant):
    dispatcher.post("/zones", json={"name": "Lyon", "geometry": CITY})
    shop = make_merchant()
    assert shop.get(f"/zones/lookup?lat={LYON[0]}&lon={LYON[1]}").json == {
        "zones": ["Lyon"], "in_service": True}
    assert shop.get("/zones/lookup?lat=48.85&lon=2.35").json == {"zones": [],
                                                                 "in_service": False}


def test_shops_and_couriers_cannot_change_zones(make_merchant, make_courier):
    for actor in (make_merchant(), make_courier()):
        assert actor.post("/zones", json={"name": "X", "geometry": CITY}).status_code == 403


def test_cli_imports_and_exports_geojson(runner, tmp_path):
    path = tmp_path / "zones.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Lyon"}, "geometry": CITY}]}))
    r = runner.invoke(args=["zones", "import", str(path)])
    assert r.exit_code == 0, r.output
    assert "1 created" in r.output
    r = runner.invoke(args=["zones", "export"])
    assert r.exit_code == 0, r.output
    exported = json.loads(r.output)
    assert exported["features"][0]["properties"] == {"name": "Lyon", "active": True}
    assert exported["features"][0]["geometry"]["coordinates"] == CITY["coordinates"]


def test_cli_import_of_a_bad_file_lists_every_problem_and_changes_nothing(runner, tmp_path):
    path = tmp_path / "zones.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Ok"}, "geometry": CITY},
        {"type": "Feature", "properties": {"name": "Open"}, "geometry": OPEN_RING},
        {"type": "Feature", "properties": {}, "geometry": CITY}]}))
    r = runner.invoke(args=["zones", "import", str(path)])
    assert r.exit_code == 1
    assert "not closed" in r.output and "features[2].properties.name" in r.output
    assert json.loads(runner.invoke(args=["zones", "export"]).output)["features"] == []
    path.write_text("{not json")
    r = runner.invoke(args=["zones", "import", str(path)])
    assert r.exit_code == 1 and "is not JSON" in r.output


def test_a_retry_gets_its_job_back_even_once_its_stop_left_the_zones(dispatcher, make_merchant):
    shop, body, key = make_merchant(), job_body(dlat=0.2), {"Idempotency-Key": "once"}
    first = shop.post("/jobs", json=body, headers=key)
    assert first.status_code == 201
    dispatcher.post("/zones", json={"name": "Lyon", "geometry": CITY})  # now outside
    again = shop.post("/jobs", json=body, headers=key)
    assert again.status_code == 200 and again.get_json()["id"] == first.get_json()["id"]
    other = shop.post("/jobs", json=body, headers={"Idempotency-Key": "new"})
    assert other.status_code == 422 and "dropoff" in other.get_json()["fields"]
