"""The OpenAPI description at /api/v1/openapi.json tells the truth: it lists every
route of the API and nothing else, and every answer of the API matches it (here along
a whole day; the authorization matrix checks every answer it gets the same way)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import job_body
from tests.spec_check import SKIP_RULES, _spec, validating_client


def _rules(app) -> set[tuple[str, str]]:
    out = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule in SKIP_RULES:
            continue
        path = re.sub(r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-z_]+)>", r"{\1}", rule.rule)
        out |= {(m, path) for m in rule.methods - {"HEAD", "OPTIONS"}}
    return out


def _described(spec) -> set[tuple[str, str]]:
    return {(m.upper(), path) for path, item in spec["paths"].items() for m in item
            if m != "parameters"}


def test_every_api_route_is_described(app):
    missing = _rules(app) - _described(_spec(app))
    assert not missing, f"routes missing from the OpenAPI description: {sorted(missing)}"


def test_the_description_has_no_route_the_app_lacks(app):
    extra = _described(_spec(app)) - _rules(app)
    assert not extra, f"described but not served: {sorted(extra)}"


def test_every_error_answer_is_described_as_error_and_fields(app):
    spec = _spec(app)
    error = spec["components"]["responses"]["DEFAULT_ERROR"]["content"]["application/json"]
    schema = spec["components"]["schemas"][error["schema"]["$ref"].rsplit("/", 1)[1]]
    assert set(schema["required"]) == {"error", "fields"}
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method != "parameters":
                assert "default" in op["responses"], f"{method} {path}: no error response"


@pytest.fixture
def client(app):
    return validating_client(app)


def test_answers_along_a_whole_day_match_the_description(client, make_merchant, make_courier,
                                                        make_user, dispatcher):
    """Every operation, with its successes and its errors, checked against the spec."""
    shop, other = make_merchant(), make_merchant()
    xena, yann = make_courier("Xena"), make_courier("Yann", lat=45.77)
    council = make_user("council", "Cleo Council")
    anon = client
    job = shop.post("/jobs", json=job_body(), headers={"Idempotency-Key": "k1"}).json
    assert shop.post("/jobs", json=job_body(), headers={"Idempotency-Key": "k1"}).status_code \
        == 422  # same key, other body (another deliver_by)
    shop.post("/jobs", json={"dropoff": {"lat": 95}})
    anon.post("/api/v1/jobs", json=job_body())
    for actor in (shop, dispatcher, council):
        actor.get("/jobs"), actor.get("/jobs?status=pending"), actor.get(f"/jobs/{job['id']}")
    shop.get("/jobs?status=lost"), other.get(f"/jobs/{job['id']}"), shop.get("/jobs/999999")
    dispatcher.post("/dispatch"), council.get("/couriers"), dispatcher.get("/runs")
    runs = xena.get("/courier/runs").json["runs"] + yann.get("/courier/runs").json["runs"]
    assert runs, "the cycle offered the job"
    run = runs[0]
    rider = xena if run["courier"]["first_name"] == "Xena" else yann
    spare = yann if rider is xena else xena
    spare.post(f"/runs/{run['id']}/accept"), rider.get(f"/runs/{run['id']}")
    moved = dispatcher.post(f"/runs/{run['id']}/reassign",
                            json={"courier_id": spare.user.courier.id, "reason": "closer"}).json
    spare.post(f"/runs/{moved['id']}/decline", json={"reason": "puncture"})
    again = dispatcher.post(f"/jobs/{job['id']}/assign",
                            json={"courier_id": rider.user.courier.id, "reason": "r"}).json
    rider.post(f"/runs/{again['id']}/accept"), rider.post(f"/runs/{again['id']}/accept")
    rider.post(f"/jobs/{job['id']}/delivered")  # 409: not picked up yet
    rider.post(f"/jobs/{job['id']}/picked-up"), rider.post(f"/jobs/{job['id']}/delivered")
    second = shop.post("/jobs", json=job_body()).json
    shop.post(f"/jobs/{second['id']}/cancel", json={"reason": "closed"})
    shop.post(f"/jobs/{second['id']}/cancel"), rider.post(f"/jobs/{second['id']}/failed",
                                                          json={"reason": "x"})
    rider.post("/courier/position", json={"lat": 45.76, "lon": 4.84}), rider.get("/courier/me")
    rider.post("/courier/shift", json={"online": False})
    rider.post("/courier/position", json={"lat": 45.76, "lon": 4.84})  # 409: off shift
    made = shop.post("/tokens", json={"name": "plugin", "scopes": ["jobs:write"]}).json
    shop.get("/tokens"), shop.post(f"/tokens/{made['id']}/revoke"), other.post("/tokens", json={})
    from courier.extensions import db
    from courier.models import Job

    tracking = db.session.get(Job, job["id"]).tracking_token
    anon.get(f"/api/v1/track/{tracking}"), anon.get("/api/v1/track/nope")
    statuses = {code for _, _, code in client.checked}
    assert {200, 201, 401, 403, 404, 409, 422} <= statuses
