"""The OpenAPI description says what the API answers, as Schemathesis found it did not:
a report asked as CSV is a documented 200 beside the JSON one, and PATCH /coop, which
changes nothing without a body, does not claim to need one."""

from __future__ import annotations

import pytest

from tests.spec_check import _spec


@pytest.mark.parametrize("path, component", [("/api/v1/reports/earnings", "EarningsOut"),
                                             ("/api/v1/reports/runs", "RunsOut")])
def test_a_report_is_described_as_json_or_csv(app, path, component):
    content = _spec(app)["paths"][path]["get"]["responses"]["200"]["content"]
    assert content["application/json"]["schema"]["$ref"].endswith("/" + component)
    assert content["text/csv"]["schema"] == {"type": "string"}


def test_a_report_asked_as_csv_comes_as_csv(make_user):
    council = make_user("council")
    r = council.get("/reports/earnings?format=csv&from=2026-11-01&to=2026-11-30")
    assert r.status_code == 200 and r.mimetype == "text/csv", r.data[:200]


def test_patch_coop_without_a_body_is_described_and_answered_as_no_change(app, make_user):
    assert _spec(app)["paths"]["/api/v1/coop"]["patch"]["requestBody"]["required"] is False
    council = make_user("council")
    before = council.get("/coop").json
    r = council.client.patch("/api/v1/coop", headers=council.headers)
    assert r.status_code == 200 and r.json == before, r.json
