"""Token scopes are given as the documentation writes them, space-separated, or as a
list; both make the same token, and the documentation's own example is accepted."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs" / "production.md"


@pytest.mark.parametrize("scopes", ["jobs:read jobs:write", ["jobs:read", "jobs:write"],
                                    " jobs:read\tjobs:write jobs:read "])
def test_scopes_space_separated_or_as_a_list_make_the_same_token(make_merchant, client,
                                                                 scopes):
    r = make_merchant().post("/tokens", json={"name": "plugin", "scopes": scopes})
    assert r.status_code == 201, r.json
    assert r.json["scopes"] == ["jobs:read", "jobs:write"]
    headers = {"Authorization": f"Bearer {r.json['token']}"}
    assert client.get("/api/v1/jobs", headers=headers).status_code == 200
    r = client.post("/api/v1/dispatch", headers=headers)
    assert r.status_code == 403  # a shop's token; and no dispatch scope anyway


@pytest.mark.parametrize("scopes", ["", "   ", "jobs:delete", "JOBS", 7, ["jobs", 7],
                                    " ".join(["jobs"] * 21), "x" * 41])
def test_malformed_scopes_in_either_form_are_refused_naming_the_field(make_merchant, scopes):
    r = make_merchant().post("/tokens", json={"name": "x", "scopes": scopes})
    assert r.status_code == 422 and "scopes" in r.json["fields"], r.json


def test_the_documented_example_makes_the_token_it_describes(make_courier):
    text = re.sub(r"\s+", " ", DOCS.read_text())
    example = re.search(r"`POST /api/v1/tokens (\{[^`]*\})`", text)
    assert example, "docs/production.md shows how to make a token"
    body = json.loads(example.group(1))
    assert isinstance(body["scopes"], str) and " " in body["scopes"]  # space-separated
    r = make_courier().post("/tokens", json=body)
    assert r.status_code == 201, r.json
    assert r.json["scopes"] == body["scopes"].split()
