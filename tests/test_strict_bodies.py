"""Every endpoint refuses, naming it, a field it would not read, in the body as in the
query string, instead of answering 200 and ignoring it.

The walk below covers every operation of the OpenAPI description: an endpoint added
without a strict schema (or reading a body no schema describes) fails it, unless it is
listed in RAW with the reason its own code checks what it reads.
"""

from __future__ import annotations

import re

import pytest

from tests.spec_check import _spec

ODD = "zz_not_a_field"
RAW = {  # operations that read their body themselves, and why an unknown member may pass
    "POST /zones/import": "GeoJSON allows foreign members (RFC 7946, 6.1): QGIS writes `crs`",
    "POST /jobs/import": "a CSV file: its columns are checked (unknown ones refused)",
    "POST /hub/rounds/{round_id}/orders": "a CSV file: its columns are checked",
}
ROLES = ("merchant", "partner", "courier", "dispatcher", "council")


def _operations(app) -> list[tuple[str, str]]:
    return [(method.upper(), path.removeprefix("/api/v1"))
            for path, item in _spec(app)["paths"].items() for method in item
            if method != "parameters" and path != "/api/v1/openapi.json"]


def _url(path: str) -> str:
    path = path.replace("{token}", "nope").replace("{month}", "2025-01")
    return "/api/v1" + re.sub(r"\{[a-z_]+\}", "1", path)


@pytest.fixture
def callers(client, make_user):
    """Anonymous first, then one of each role (with an all-scopes token)."""
    return [lambda **kw: client.open(**kw)] + [
        (lambda actor: lambda **kw: client.open(
            headers={**actor.headers, **kw.pop("headers", {})}, **kw))(make_user(role))
        for role in ROLES]


def _answer(callers, **request):
    """The answer of the first caller the endpoint lets past authorization (or the last)."""
    for call in callers:
        r = call(**request)
        if r.status_code not in (401, 403):
            break
    return r


def _refused(r) -> bool:
    return r.status_code == 422 and ODD in (r.get_json() or {}).get("fields", {})


def test_every_endpoint_refuses_an_unknown_field_in_its_body_or_query(app, callers):
    wrong = []
    assert set(RAW) <= {f"{m} {p}" for m, p in _operations(app)}
    for method, path in _operations(app):
        name = f"{method} {path}"
        r = _answer(callers, path=_url(path) + f"?{ODD}=1", method=method)
        if not _refused(r):
            wrong.append(f"{name} ?{ODD}=1: {r.status_code} {r.get_json()}")
        if method == "GET" or name in RAW:
            continue
        r = _answer(callers, path=_url(path), method=method, json={ODD: 1})
        if not _refused(r):
            wrong.append(f"{name} {{{ODD!r}: 1}}: {r.status_code} {r.get_json()}")
    assert not wrong, "unknown fields not refused by:\n" + "\n".join(wrong)


def test_a_delivery_mark_refuses_the_fields_it_would_ignore(make_courier):
    # the recipient's code is read; a signature is a file of a multipart form, not JSON
    r = make_courier().post("/jobs/1/delivered", json={"signature": "...", "note": "1234",
                                                       "code": "123456"})
    assert r.status_code == 422
    assert r.json["fields"] == {"signature": "Unknown field.", "note": "Unknown field."}
    assert r.json["error"] in ("invalid signature: Unknown field.", "invalid note: Unknown field.")


def test_an_empty_body_is_no_body(make_merchant, make_job):
    shop = make_merchant()
    job = make_job(shop)
    assert shop.post(f"/jobs/{job['id']}/cancel", json={}).status_code == 200
    for body in (b"{}", b"null", b"", b" \n"):
        r = shop.post("/tokens/999/revoke", data=body, content_type="application/json")
        assert r.status_code == 404, (body, r.json)  # past the body check: no token 999


def test_a_body_sent_to_an_endpoint_that_takes_none_is_refused(make_merchant):
    shop = make_merchant()
    r = shop.post("/tokens/999/revoke", data={"why": "lost"})
    assert r.status_code == 422 and r.json["fields"] == {"why": "Unknown field."}
    r = shop.post("/tokens/999/revoke", data=b"[1, 2]", content_type="application/json")
    assert r.status_code == 422 and r.json["fields"] == {"_body": "this endpoint takes no body"}
    r = shop.post("/tokens/999/revoke", data=b"please", content_type="text/plain")
    assert r.status_code == 422 and "_body" in r.json["fields"]


def test_a_form_sent_where_json_is_read_is_refused_not_ignored(make_merchant, make_job):
    shop = make_merchant()
    job = make_job(shop)
    r = shop.post(f"/jobs/{job['id']}/cancel", data={"reason": "closed"})
    assert r.status_code == 415 and r.json["fields"] == {"_body": "not JSON"}
    assert shop.get(f"/jobs/{job['id']}").json["status"] == "pending"


def test_a_misspelt_query_parameter_is_refused_not_ignored(make_merchant):
    r = make_merchant().get("/jobs?stauts=pending")
    assert r.status_code == 422 and r.json["fields"] == {"stauts": "Unknown field."}


@pytest.mark.parametrize("query", ["offset=1&offset=2", "limit=5&limit=6", "limit=null",
                                   "limit=", "offset=1.5"])
def test_list_parameters_take_one_integer_each(make_user, query):
    partner = make_user("partner", lat=45.75, lon=4.84)
    r = partner.get(f"/solidarity/deliveries?{query}")
    assert r.status_code == 422 and r.is_json, r.json
    assert set(r.json["fields"]) == {query.split("=")[0]}
    assert partner.get("/solidarity/deliveries?limit=5&offset=0").status_code == 200


def test_every_query_parameter_that_takes_one_value_refuses_two(app, callers):
    """The walk of every operation again: each query parameter the description does not
    call an array, given twice, is 422 naming it (not read as its first value)."""
    spec, wrong, seen = _spec(app), [], 0
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            for p in op.get("parameters", []):
                if p["in"] != "query" or p.get("schema", {}).get("type") == "array":
                    continue
                seen += 1
                name = p["name"]
                r = _answer(callers, path=_url(path.removeprefix("/api/v1"))
                            + f"?{name}=1&{name}=2", method=method.upper())
                if r.status_code != 422 or name not in (r.get_json() or {}).get("fields", {}):
                    wrong.append(f"{method.upper()} {path} ?{name} twice: {r.status_code} "
                                 f"{r.get_json()}")
    assert seen > 20, seen  # the walk saw the description's query parameters
    assert not wrong, "given twice and not refused:\n" + "\n".join(wrong)
