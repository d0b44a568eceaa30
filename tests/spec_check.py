"""Checking API answers against the app's own OpenAPI description."""

from __future__ import annotations

import json

import schemathesis
from flask.testing import FlaskClient

SKIP_RULES = {"/api/v1/openapi.json"}


def _spec(app) -> dict:
    r = app.test_client().get("/api/v1/openapi.json")
    assert r.status_code == 200
    return r.get_json()


class ValidatingClient(FlaskClient):
    """A test client that checks every API answer against the description: an answer
    that breaks it, or a route the description lacks, fails the test making the call."""

    schema = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.checked: list[tuple[str, str, int]] = []

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        request = response.request
        if request.path.startswith("/api/v1/") and request.path not in SKIP_RULES:
            op = self.schema.find_operation_by_path(request.method, request.path)
            assert op is not None, f"{request.method} {request.path} is not described"
            op.validate_response(response)
            self.checked.append((request.method, op.path, response.status_code))
        return response


_loaded: dict[str, object] = {}


def validating_client(app) -> ValidatingClient:
    spec = _spec(app)
    key = json.dumps(spec, sort_keys=True)
    if key not in _loaded:  # the same description for every test: load it once
        _loaded.clear()
        _loaded[key] = schemathesis.openapi.from_dict(spec)
    client_class = type("Validating", (ValidatingClient,), {"schema": _loaded[key]})
    return client_class(app, app.response_class, use_cookies=True)
