"""The OpenAPI description states the rules the request schemas check across fields, so
that what it calls valid is what the API accepts: a place is ``lat`` and ``lon`` or an
address (with a geocoder), for a job's places and a hub's producers alike, a pickup both
coordinates or neither, a job ``dropoff`` or ``dropoffs`` (with ``dropoffs``, nothing the
drop-offs carry given for the job) and a slot or times, not both; the federation's
settings one at least; a nested object that may be null that object or null, no other."""

from __future__ import annotations

import jsonschema
import pytest
from marshmallow import ValidationError

from courier import create_app
from courier.shops.requests import JobIn, PickupIn, PlaceIn
from courier.web.api.dispatch_api import ReturnHubIn
from courier.web.api.federation_api import SettingsIn
from courier.web.api.hub_api import ProducerIn
from tests.conftest import base_config

PLACES = [{"lat": 45.7, "lon": 4.8}, {"address": "1 rue A"}, {"lat": 45.7, "lon": 4.8,
          "address": "1 rue A"}, {"lat": 45.7, "address": "1 rue A"}, {"lon": 4.8},
          {"address": "  "}, {"address": ""}, {}]
PICKUPS = [{}, {"lat": 45.7, "lon": 4.8}, {"address": "1 rue A"}, {"lat": 45.7},
           {"lon": 4.8, "address": "x"}]
HERE = {"lat": 45.7, "lon": 4.8}
JOBS = [{"dropoff": HERE}, {"dropoffs": [HERE, HERE]}, {"dropoff": HERE, "dropoffs": [HERE, HERE]},
        {}, {"dropoff": HERE, "slot": "morning"},
        {"dropoff": HERE, "slot": "morning", "ready_at": "2030-01-01T10:00:00+00:00"},
        {"dropoff": HERE, "slot": "morning", "deliver_by": "2030-01-01T10:00:00+00:00"},
        {"dropoffs": [HERE, HERE], "weight_kg": 2}, {"dropoffs": [HERE, HERE], "weight_kg": 0},
        {"dropoffs": [HERE, HERE], "volume_l": 3.5}, {"dropoffs": [HERE, HERE], "notes": "x"},
        {"dropoffs": [HERE, HERE], "notes": ""}, {"dropoffs": [HERE, HERE], "recipient": {}},
        {"dropoff": HERE, "weight_kg": 2, "notes": "x", "recipient": {"name": "Rita"}}]


def described(database_url, **config) -> dict:
    app = create_app(base_config(database_url, **config))
    return app.test_client().get("/api/v1/openapi.json").json


def validator(spec: dict, name: str):
    """A validator of the component ``name`` (its ``#/components/...`` references
    resolved from its own root)."""
    schema = {**spec["components"]["schemas"][name], "components": spec["components"]}
    return jsonschema.Draft4Validator(schema)


def accepted(schema, body) -> bool:
    try:
        schema.load(body)
    except ValidationError:
        return False
    return True


@pytest.fixture(scope="module")
def with_geocoder(database_url):
    return described(database_url, GEOCODER="nominatim", GEOCODER_URL="http://127.0.0.1:9")


@pytest.mark.parametrize("body", PLACES, ids=str)
def test_a_place_is_described_as_the_api_reads_it_with_a_geocoder(with_geocoder, body):
    assert validator(with_geocoder, "PlaceIn").is_valid(body) == accepted(PlaceIn(), body)


def test_without_a_geocoder_a_place_is_described_with_its_coordinates(database_url):
    place = validator(described(database_url), "PlaceIn")
    assert place.is_valid({"lat": 45.7, "lon": 4.8, "address": "1 rue A"})
    assert not place.is_valid({"address": "1 rue A"})  # the API would say: no geocoder


@pytest.mark.parametrize("body", PICKUPS, ids=str)
def test_a_pickup_is_described_as_the_api_reads_it(with_geocoder, body):
    assert validator(with_geocoder, "PickupIn").is_valid(body) == accepted(PickupIn(), body)


@pytest.mark.parametrize("body", JOBS, ids=str)
def test_a_job_is_described_as_the_api_reads_it(with_geocoder, body):
    assert validator(with_geocoder, "JobIn").is_valid(body) == accepted(JobIn(), body)


@pytest.mark.parametrize("body", PLACES, ids=str)
def test_a_producer_is_described_as_the_api_reads_it_with_a_geocoder(with_geocoder, body):
    body = {"name": "Ferme du Lac", **body}
    assert validator(with_geocoder, "ProducerIn").is_valid(body) == accepted(ProducerIn(), body)
    assert not validator(with_geocoder, "ProducerIn").is_valid({k: v for k, v in body.items()
                                                                 if k != "name"})


def test_without_a_geocoder_a_producer_is_described_with_its_coordinates(database_url):
    producer = validator(described(database_url), "ProducerIn")
    assert producer.is_valid({"name": "Ferme", "lat": 45.7, "lon": 4.8})
    assert not producer.is_valid({"name": "Ferme", "address": "1 rue A"})  # no geocoder
    assert not producer.is_valid({"lat": 45.7, "lon": 4.8})  # a name is required


def as_json_schema(schema):
    """OpenAPI 3.0's ``nullable: true`` as JSON Schema says it: the schema, or null."""
    if isinstance(schema, list):
        return [as_json_schema(v) for v in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: as_json_schema(v) for k, v in schema.items() if k != "nullable"}
    return {"anyOf": [out, {"type": "null"}]} if schema.get("nullable") else out


def nullable_validator(spec: dict, name: str):
    return jsonschema.Draft4Validator(as_json_schema(
        {**spec["components"]["schemas"][name], "components": spec["components"]}))


HUB = {"lat": 45.7, "lon": 4.8}


@pytest.mark.parametrize("body", [{"return_hub": None}, {"return_hub": {}},
                                  {"return_hub": HUB}, {"return_hub": {"address": "Hub"}},
                                  {"return_hub": {**HUB, "address": "Hub"}}, {}], ids=str)
def test_a_return_hub_is_described_as_null_or_a_hub_and_nothing_else(database_url, body):
    assert nullable_validator(described(database_url), "ReturnHubIn").is_valid(body) == \
        accepted(ReturnHubIn(), body)


@pytest.mark.parametrize("body", [{}, {"hours": None}, {"hours": {}}, {"auto_handoff": True},
                                  {"hours": {"from": "10:00", "to": "12:00"}},
                                  {"hours": {"from": "10:00"}}], ids=str)
def test_the_federations_settings_are_described_as_the_api_reads_them(database_url, body):
    reads = accepted(SettingsIn(), body) and bool(body)  # the view: one setting at least
    assert nullable_validator(described(database_url), "SettingsIn").is_valid(body) == reads
