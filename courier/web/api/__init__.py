"""The REST API under /api/v1, described by OpenAPI at /api/v1/openapi.json."""

from __future__ import annotations

from flask import Flask, make_response, request
from flask_smorest import Api
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

from courier.extensions import csrf
from courier.schemas import PhraseOut
from courier.validation import flatten as _flatten
from courier.web.answers import error_page, error_response


class ErrorOut(Schema):
    """Every error of the API: a message, and the fields at fault (may be empty); some
    messages also come as a phrase (``courier.texts``) that pages translate."""

    error = fields.String(required=True)
    fields_ = fields.Dict(data_key="fields", keys=fields.String(), required=True)
    error_phrase = fields.Nested(PhraseOut)


class CourierApi(Api):
    """flask-smorest's Api, answering every error as ``{"error", "fields"}``."""

    ERROR_SCHEMA = ErrorOut  # what the description promises for every error

    def handle_http_exception(self, error: HTTPException):
        """Every HTTP error of the app (flask-smorest registers this for all of it): JSON
        on the API's paths, the app's own page in the reader's language elsewhere; the
        headers the error carries (``Allow`` on a 405) are kept."""
        resp = make_response(self._answer(error))
        for name, value in error.get_headers():
            if name.lower() not in ("content-type", "content-length"):
                resp.headers[name] = value
        return resp

    def _answer(self, error: HTTPException):
        if not request.path.startswith("/api/"):
            return error_page(error.code or 500)
        data = getattr(error, "data", None) or {}
        messages = data.get("messages")
        if messages:
            fields = {}
            for location, msgs in messages.items():
                flat = _flatten(msgs)
                fields.update(flat if location in ("json", "query", "form")
                              else {f"{location}.{k}": v for k, v in flat.items()})
            first = next(iter(fields.items()), ("", error.description))
            return error_response(error.code, f"invalid {first[0]}: {first[1]}", fields)
        return error_response(error.code or 500, error.description or error.name)


api = CourierApi()


def register_api(app: Flask) -> None:
    from courier.web.api import courier_api, dispatch_api, jobs_api, runs_api, tracking_api

    api.init_app(app, spec_kwargs={"components": {"securitySchemes": {
        "bearerAuth": {"type": "http", "scheme": "bearer"}}}})
    from courier.web.api import dashboard_api, fairwork_api, reports_api, rules_api

    for module in (jobs_api, courier_api, runs_api, dispatch_api, tracking_api, rules_api,
                   reports_api, fairwork_api, dashboard_api):
        csrf.exempt(module.blp)  # session callers are checked in courier.web.auth
        api.register_blueprint(module.blp, url_prefix="/api/v1")
    _register_shops()
    _register_solidarity()
    _register_shifts()
    _register_federation()
    _register_ledger()
    from courier.web.api import (
        members_api,
        messages_api,
        privacy_api,
        proofs_api,
        push_api,
        schedules_api,
        tokens_api,
        weather_api,
    )

    for module in (tokens_api, members_api, push_api, proofs_api, privacy_api, messages_api,
                   schedules_api, weather_api):
        csrf.exempt(module.blp)  # session callers are checked in courier.web.auth
        api.register_blueprint(module.blp, url_prefix="/api/v1")
    from courier.web.api.spec_rules import state_rules

    state_rules(api.spec, app.config)  # the rules across fields, in JSON Schema


def _register_ledger() -> None:
    """Between partner coops: the mutual-credit ledger, and jobs relayed through a hub."""
    from courier.web.api import ledger_api, relay_api

    for module in (ledger_api, relay_api):
        csrf.exempt(module.blp)  # session callers are checked in courier.web.auth
        api.register_blueprint(module.blp, url_prefix="/api/v1")


def _register_federation() -> None:
    """Partner coops: partnerships, the hand-off rule, jobs handed to partners."""
    from courier.web.api import federation_api

    csrf.exempt(federation_api.blp)  # session callers are checked in courier.web.auth
    api.register_blueprint(federation_api.blp, url_prefix="/api/v1")


def _register_shifts() -> None:
    """Shifts planned ahead and the demand forecast."""
    from courier.web.api import shifts_api

    csrf.exempt(shifts_api.blp)  # session callers are checked in courier.web.auth
    api.register_blueprint(shifts_api.blp, url_prefix="/api/v1")


def _register_solidarity() -> None:
    """Food hubs, partners' deliveries, volunteers, the coop's settings and open data."""
    from courier.web.api import coop_api, hub_api, solidarity_api

    for bp in (hub_api.blp, solidarity_api.blp, coop_api.blp, coop_api.open_blp):
        csrf.exempt(bp)  # session callers are checked in courier.web.auth
        api.register_blueprint(bp, url_prefix="/api/v1")


def _register_shops() -> None:
    """Zones, quotes, pricing, slots, webhooks, statements and the CSV import of jobs."""
    from courier.web.api import (
        import_api,
        pricing_api,
        quotes_api,
        slots_api,
        statements_api,
        webhooks_api,
        zones_api,
    )

    for module in (zones_api, quotes_api, pricing_api, slots_api, webhooks_api, statements_api,
                   import_api):
        csrf.exempt(module.blp)  # session callers are checked in courier.web.auth
        api.register_blueprint(module.blp, url_prefix="/api/v1")
