"""Input no database could store or no calendar holds: a 4xx naming the field, never a
server error (found by the schemathesis run, pinned here)."""

from __future__ import annotations

import pytest

from tests.conftest import job_body


@pytest.mark.parametrize("text", ["a\x00b", "\ud800"])
def test_unstorable_characters_in_a_body_are_refused_naming_the_field(make_merchant, text):
    shop = make_merchant()
    r = shop.post("/jobs", json=job_body(recipient={"name": text}))
    assert r.status_code == 422 and r.json["fields"] == {
        "recipient.name": "contains a character that is not allowed"}
    r = shop.post("/jobs", json=job_body(notes=text))
    assert r.status_code == 422 and "notes" in r.json["fields"]
    assert shop.get("/jobs").json["total"] == 0


def test_a_nul_byte_in_a_query_or_a_form_is_refused(make_merchant, client):
    shop = make_merchant()
    assert shop.get("/jobs?status=a%00").status_code == 422
    r = client.post("/login", data={"email": "a\x00@x.coop", "password": "x"})
    assert r.status_code == 400


@pytest.mark.parametrize("path", [
    "/jobs/12758942135578301300736", "/jobs/2147483648", "/runs/99999999999999999999",
    "/tokens/9223372036854775808/revoke", "/rules/versions/30930623067"])
def test_ids_beyond_any_row_are_not_found(make_merchant, make_courier, dispatcher, path):
    actor = {"jobs": make_merchant(), "runs": dispatcher, "tokens": make_courier(),
             "rules": dispatcher}[path.split("/")[1]]
    call = actor.post if path.endswith("revoke") else actor.get
    assert call(path).status_code == 404


def test_a_page_offset_beyond_reason_is_refused(make_merchant):
    r = make_merchant().get("/jobs?offset=100000000000000000000")
    assert r.status_code == 422 and "offset" in r.json["fields"]


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:30:00-05:00"])
def test_dates_outside_any_working_day_are_refused(make_merchant, when):
    r = make_merchant().post("/jobs", json=job_body(ready_at=when))
    assert r.status_code == 422 and "ready_at" in r.json["fields"]


def test_a_value_the_database_refuses_is_the_requests_fault(database_url):
    """Whatever validation misses and the database refuses (a number beyond its range)
    is answered 422, not 500, and nothing is written."""
    import sqlalchemy as sa

    from courier import create_app
    from courier.extensions import db
    from tests.conftest import base_config

    app = create_app(base_config(database_url))

    @app.get("/api/v1/_probe/<n>")
    def probe(n):
        db.session.execute(sa.text("SELECT CAST(:n AS INTEGER) + 2147483647"), {"n": int(n)})
        return {}

    with app.app_context():
        r = app.test_client().get("/api/v1/_probe/1")
        if database_url.startswith("postgresql"):
            assert r.status_code == 422 and r.json["error"].startswith("a value is out of range")
        r = app.test_client().get(f"/api/v1/_probe/{2**70}")
        assert r.status_code == 422
        db.engine.dispose()
