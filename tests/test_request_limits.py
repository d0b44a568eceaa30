"""Limits at the door: a body over the limit of its kind of request is 413 (JSON on the
API), and a JSON body nested deeper than a small bound is 400 before anything parses it
(2,000 levels were a RecursionError, 500). Both limits are settings."""

from __future__ import annotations

import json

import pytest

from tests.conftest import base_config, job_body

DEEP = b'{"dropoff": ' + b"[" * 2000 + b"]" * 2000 + b"}"


@pytest.mark.parametrize("path", ["/jobs", "/tokens", "/jobs/1/delivered"])
def test_deeply_nested_json_is_refused_before_it_is_parsed(make_merchant, path):
    r = make_merchant().post(path, data=DEEP, content_type="application/json")
    assert r.status_code == 400 and r.is_json
    assert r.json["fields"] == {"_body": "nested more than 32 levels"}


def test_json_as_deep_as_the_bound_is_read(make_merchant):
    nested = json.loads("[" * 31 + "]" * 31)
    r = make_merchant().post("/jobs", json=job_body(notes=nested))  # 32 levels with the body
    assert r.status_code == 422 and "notes" in r.json["fields"]  # read, and refused by type


def test_brackets_inside_strings_do_not_count(make_merchant):
    r = make_merchant().post("/jobs", json=job_body(notes="[" * 1000 + "{" * 1000))
    assert r.status_code == 201, r.json


def test_a_body_over_a_megabyte_is_413_in_json(make_merchant):
    big = job_body(notes="x" * (1024 * 1024))
    r = make_merchant().post("/jobs", json=big)
    assert r.status_code == 413 and r.is_json
    assert r.json["fields"] == {"_body": f"over {1024 * 1024} bytes"}


def test_a_csv_import_has_its_own_larger_limit(make_merchant):
    shop = make_merchant()
    header = "reference,dropoff_lat,dropoff_lon,notes\n"
    rows = "".join(f"r{i},45.76,4.84,{'n' * 1000}\n" for i in range(1500))  # 1.5 MB
    r = shop.post("/jobs/import", data=(header + rows).encode(),
                  headers={"Content-Type": "text/csv"})
    assert r.status_code == 422 and "at most 500 rows" in r.json["error"]  # read, not 413
    r = shop.post("/jobs/import", data=(header + rows * 2).encode(),
                  headers={"Content-Type": "text/csv"})
    assert r.status_code == 413 and r.is_json


def test_a_page_gets_its_413_as_a_page(client):
    r = client.post("/login", data={"email": "a@b.c", "password": "x" * (1100 * 1024)})
    assert r.status_code == 413 and r.mimetype == "text/html"


class TestSettings:
    @pytest.fixture
    def app_config(self, database_url):
        return base_config(database_url, MAX_CONTENT_LENGTH=2000, MAX_JSON_DEPTH=4)

    def test_both_limits_are_settings(self, make_merchant):
        shop = make_merchant()
        r = shop.post("/jobs", json=job_body(notes="x" * 3000))
        assert r.status_code == 413 and r.json["fields"] == {"_body": "over 2000 bytes"}
        r = shop.post("/jobs", json=job_body(notes=[[[[1]]]]))
        assert r.status_code == 400
        assert r.json["fields"] == {"_body": "nested more than 4 levels"}


def test_an_address_over_the_limit_is_414_in_json_on_the_api(make_merchant):
    shop = make_merchant()
    r = shop.get("/jobs?reference=" + "r" * 4100)
    assert r.status_code == 414 and r.is_json
    assert r.json["fields"] == {"_url": "over 4096 characters"}
    assert shop.get("/jobs?limit=5&offset=" + "0" * 4000).status_code == 200


def test_an_address_over_the_limit_is_the_apps_page_elsewhere(client):
    r = client.get("/login?next=" + "x" * 5000, headers={"Accept-Language": "fr"})
    assert r.status_code == 414 and r.mimetype == "text/html"
    assert "Adresse trop longue" in r.get_data(as_text=True)


def test_trace_is_405_with_allow_on_the_api(make_merchant):
    shop = make_merchant()
    r = shop.client.open("/api/v1/jobs", method="TRACE", headers=shop.headers)
    assert r.status_code == 405 and r.is_json
    assert {"GET", "POST"} <= {m.strip() for m in r.headers["Allow"].split(",")}
