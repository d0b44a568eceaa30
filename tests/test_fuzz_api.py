"""A bounded schemathesis run against the live app (`courier run` in a child process):
inputs generated from the OpenAPI description, valid and invalid, for every operation,
by a caller allowed to use it. No answer may be a server error or break the description.

COURIER_FUZZ_EXAMPLES (default 10 per operation and mode) makes a deeper run."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from courier.accounts import issue_token
from courier.extensions import db
from tests.live import LiveServer
from tests.test_authz_matrix import ANYONE, EXPECTATIONS, OK

EXAMPLES = int(os.environ.get("COURIER_FUZZ_EXAMPLES", "10"))
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def live(app, database_url):
    server = LiveServer(database_url, env={"COURIER_DISPATCH_TIME_LIMIT": "0.2"}).start()
    yield server
    server.stop()


def _caller(name: str, actors: dict) -> dict:
    """A fresh token of the first role allowed to call ``name`` (none if public)."""
    row = EXPECTATIONS[name]["who"]
    if row["anonymous"] == OK:
        return {}
    role = next(r for r in ANYONE if row[r] == OK)
    token = issue_token(actors[role].user, name="fuzz")
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_generated_requests_never_get_a_server_error(mode, live, make_merchant, make_courier,
                                                     make_user, dispatcher, make_job):
    shop = make_user("merchant", "Hub", lat=45.76, lon=4.83, kind="hub")  # a shop and a hub
    actors = {"merchant": shop, "courier": make_courier(), "dispatcher": dispatcher,
              "council": make_user("council"),
              "partner": make_user("partner", lat=45.75, lon=4.84)}
    make_job(shop)
    spec = live_spec(live)
    schema = schemathesis.openapi.from_dict(spec)
    for result in schema.get_all_operations():
        op = result.ok()
        name = f"{op.method.upper()} {op.path.removeprefix('/api/v1')}"
        try:
            fuzz(op, mode, live.url, _caller(name, actors))
        except Unsatisfiable:
            assert mode == GenerationMode.NEGATIVE, name  # nothing in it can be made invalid
        except Exception:
            print("\n".join(live.tail()))  # the server's side of the failure
            raise


def fuzz(op, mode: GenerationMode, base_url: str, headers: dict) -> None:
    """Send ``EXAMPLES`` generated requests to one operation and check every answer."""

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=op.as_strategy(generation_mode=mode))
    def check(case):
        case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS, timeout=30)

    check()


def live_spec(live) -> dict:
    import requests

    return requests.get(live.url + "/api/v1/openapi.json", timeout=10).json()
