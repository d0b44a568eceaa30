"""A dry run of an import creates nothing, and says so: 200 (not 201, which means
"created") with what the import would create, as the OpenAPI description states."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from courier.extensions import db
from courier.models import Job
from tests.shops.test_import import GOOD, post_csv
from tests.spec_check import _spec, validating_client


@pytest.fixture
def client(app):
    """Every answer is also checked against the OpenAPI description."""
    return validating_client(app)


def test_a_dry_run_of_a_job_import_answers_200_with_what_would_be_created(make_merchant):
    shop = make_merchant()
    r = post_csv(shop, GOOD, "?dry_run=true")
    assert r.status_code == 200, r.json
    assert (r.json["dry_run"], r.json["created"], r.json["would_create"]) == (True, 0, 3)
    assert r.json["jobs"] == [] and len(r.json["deliveries"]) == 2
    assert db.session.query(Job).count() == 0
    r = post_csv(shop, GOOD)
    assert r.status_code == 201 and r.json["created"] == 3 and "would_create" not in r.json
    again = post_csv(shop, GOOD, "?dry_run=true")  # every reference is imported already
    assert again.status_code == 200
    assert (again.json["would_create"], again.json["existing"]) == (0, 3)


def test_a_dry_run_of_a_round_s_orders_answers_200(make_merchant):
    from courier.models import MerchantKind

    hub = make_merchant()
    hub.user.merchant.kind = MerchantKind.HUB
    db.session.commit()
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    rnd = hub.post("/hub/rounds", json={"kind": "distribute", "starts_at": start.isoformat(),
                                        "ends_at": (start + timedelta(hours=3)).isoformat()})
    assert rnd.status_code == 201, rnd.json
    text = "reference,customer,address,lat,lon,weight_kg\nA1,Ana,1 rue X,45.76,4.84,3\n"
    url = f"/hub/rounds/{rnd.json['id']}/orders"
    r = hub.post(url + "?dry_run=true", data=text.encode(), headers={"Content-Type": "text/csv"})
    assert r.status_code == 200, r.json
    assert (r.json["dry_run"], r.json["created"], r.json["orders"]) == (True, 1, 0)
    r = hub.post(url, data=text.encode(), headers={"Content-Type": "text/csv"})
    assert r.status_code == 201 and r.json["orders"] == 1


@pytest.mark.parametrize("path", ["/api/v1/jobs/import", "/api/v1/hub/rounds/{round_id}/orders"])
def test_the_description_says_a_dry_run_answers_200(app, path):
    answers = _spec(app)["paths"][path]["post"]["responses"]
    assert "dry run" in answers["200"]["description"].lower()
    assert "201" in answers
