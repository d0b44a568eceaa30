"""Addresses are geocoded through the configured provider (a local server that
answers like Nominatim, Photon or Pelias): cached, rate-limited, and refused
rather than guessed."""

import time

import pytest

from courier.extensions import db
from courier.models import GeocodeResult
from tests.conftest import LYON, job_body
from tests.shops.http import LocalServer

HOUSE = {"lat": "45.7578", "lon": "4.8320", "display_name": "12, Rue Mercière, Lyon",
         "class": "place", "type": "house", "addresstype": "place"}


def nominatim(lat, lon, name, kind="building"):
    return {"lat": str(lat), "lon": str(lon), "display_name": name, "class": "building",
            "type": "yes", "addresstype": kind}


@pytest.fixture
def provider(app):
    """A fake geocoder: ``provider.answers[query] = [results]`` (Nominatim's JSON)."""

    def answer(req):
        if req.query.get("q") == "slow":
            time.sleep(0.6)
        if req.path == "/search":
            return 200, provider.answers.get(req.query.get("q"), [])
        if req.path == "/api":  # Photon
            return 200, {"type": "FeatureCollection", "features": [
                {"type": "Feature", "geometry": {"type": "Point", "coordinates": [4.832, 45.758]},
                 "properties": {"name": "Rue Mercière", "housenumber": "12", "type": "house",
                                "city": "Lyon", "country": "France"}}]}
        if req.path == "/v1/search":  # Pelias
            return 200, {"type": "FeatureCollection", "features": [
                {"type": "Feature", "geometry": {"type": "Point", "coordinates": [4.832, 45.758]},
                 "properties": {"name": "12 Rue Mercière", "layer": "address",
                                "label": "12 Rue Mercière, Lyon, France"}}]}
        return 404, {"error": "unknown path"}

    with LocalServer(answer) as srv:
        srv.answers = {"12 rue merciere, lyon": [HOUSE]}
        provider = srv
        app.config.update(GEOCODER="nominatim", GEOCODER_URL=srv.url, GEOCODER_MIN_DELAY=0.0,
                          GEOCODER_TIMEOUT=2.0)
        yield srv


def address_job(address, **kw):
    body = job_body(**kw)
    body["dropoff"] = {"address": address}
    return body


def test_address_is_geocoded_once_then_read_from_the_cache(make_merchant, provider):
    shop = make_merchant()
    r = shop.post("/jobs", json=address_job("12 rue merciere, lyon"))
    assert r.status_code == 201, r.json
    assert (r.json["dropoff"]["lat"], r.json["dropoff"]["lon"]) == (45.7578, 4.832)
    assert r.json["dropoff"]["address"] == "12 rue merciere, lyon"
    (asked,) = provider.requests
    assert asked.query["q"] == "12 rue merciere, lyon" and asked.query["format"] == "json"
    assert asked.headers["user-agent"] == "courier-coop-dispatch"
    again = shop.post("/jobs", json=address_job("  12 Rue MERCIERE,   Lyon "))
    assert again.status_code == 201
    assert len(provider.requests) == 1  # answered from the database
    assert db.session.query(GeocodeResult).count() == 1


@pytest.mark.parametrize("answers, words", [
    ([], "no place found"),
    ([nominatim(45.7578, 4.832, "Rue de la République, Lyon"),
      nominatim(45.7700, 4.8800, "Rue de la République, Villeurbanne")], "ambiguous"),
    ([nominatim(45.7578, 4.832, "Lyon, France", kind="city")], "too vague"),
])
def test_failed_or_ambiguous_lookup_is_422_and_no_job(make_merchant, provider, answers, words):
    provider.answers["somewhere"] = answers
    shop = make_merchant()
    r = shop.post("/jobs", json=address_job("somewhere"))
    assert r.status_code == 422, r.json
    assert words in r.json["error"] and "dropoff.address" in r.json["fields"]
    assert shop.get("/jobs").json["total"] == 0
    assert db.session.query(GeocodeResult).count() == 0


def test_results_close_together_are_one_place(make_merchant, provider):
    provider.answers["rue mercière"] = [nominatim(45.7578, 4.832, "Rue Mercière (north)"),
                                        nominatim(45.7570, 4.8322, "Rue Mercière (south)")]
    assert make_merchant().post("/jobs", json=address_job("rue mercière")).status_code == 201


def test_without_a_geocoder_coordinates_are_required(make_merchant):
    r = make_merchant().post("/jobs", json=address_job("12 rue merciere, lyon"))
    assert r.status_code == 422
    assert "no geocoder" in r.json["fields"]["dropoff.lat"]


def test_address_or_coordinates_are_required(make_merchant):
    body = job_body()
    body["dropoff"] = {"address": " "}
    r = make_merchant().post("/jobs", json=body)
    assert r.status_code == 422 and "dropoff.lat" in r.json["fields"]


def test_a_provider_that_does_not_answer_in_time_is_a_503(app, make_merchant, provider):
    app.config["GEOCODER_TIMEOUT"] = 0.2
    r = make_merchant().post("/jobs", json=address_job("slow"))
    assert r.status_code == 503, r.json
    assert "did not answer in time" in r.json["error"]


def test_the_providers_rate_limit_is_kept(app, make_merchant, provider):
    app.config["GEOCODER_MIN_DELAY"] = 0.3
    provider.answers["1 rue a"] = [nominatim(45.757, 4.832, "1 rue A")]
    provider.answers["2 rue b"] = [nominatim(45.758, 4.833, "2 rue B")]
    shop = make_merchant()
    shop.post("/jobs", json=address_job("1 rue a"))
    shop.post("/jobs", json=address_job("2 rue b"))
    first, second = provider.requests
    assert second.at - first.at >= 0.29


@pytest.mark.parametrize("name", ["photon", "pelias"])
def test_photon_and_pelias_are_understood(app, make_merchant, provider, name):
    app.config["GEOCODER"] = name
    r = make_merchant().post("/jobs", json=address_job("12 Rue Mercière"))
    assert r.status_code == 201, r.json
    assert (r.json["dropoff"]["lat"], r.json["dropoff"]["lon"]) == (45.758, 4.832)
    assert provider.requests[0].path == {"photon": "/api", "pelias": "/v1/search"}[name]


def test_pickup_elsewhere_than_the_shop_is_geocoded_and_the_shop_address_is_not(
        make_merchant, provider):
    shop = make_merchant()
    body = job_body()
    body["pickup"] = {"address": "1 place Bellecour"}  # the shop's own address
    r = shop.post("/jobs", json=body)
    assert (r.json["pickup"]["lat"], r.json["pickup"]["lon"]) == LYON
    assert provider.requests == []
    body["pickup"] = {"address": "12 rue merciere, lyon"}
    r = shop.post("/jobs", json=body)
    assert r.status_code == 201 and r.json["pickup"]["lat"] == 45.7578


def test_quotes_geocode_too(make_merchant, provider):
    r = make_merchant().post("/quotes", json=address_job("12 rue merciere, lyon"))
    assert r.status_code == 200, r.json
    assert r.json["dropoffs"][0]["lat"] == 45.7578
