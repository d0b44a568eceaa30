"""The web layer: REST API, pages and Socket.IO events."""

from __future__ import annotations

from flask import Flask, jsonify, request
from flask_wtf.csrf import CSRFError

from courier.errors import DomainError
from courier.web.answers import error_page, error_response


def register(app: Flask) -> None:
    from courier.web import pages, public, sockets
    from courier.web.api import register_api

    register_api(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(public.bp)
    from courier.web import council_pages

    app.register_blueprint(council_pages.bp)
    from courier.web import solidarity_pages

    app.register_blueprint(solidarity_pages.bp)  # partner, food hub, setup, open data
    from courier.web import messages_pages

    app.register_blueprint(messages_pages.bp)  # recipients' opt-out, shops' messages, schedules
    from courier.web import federation_ledger

    app.register_blueprint(federation_ledger.bp)  # partner coops read our book (signed)
    from courier.extensions import csrf
    from courier.web import federation_wire

    csrf.exempt(federation_wire.bp)  # partner coops sign their requests instead
    app.register_blueprint(federation_wire.bp)  # /.well-known/courier-coop, /federation/v1
    sockets.register()

    @app.get("/healthz")
    def healthz():
        return jsonify({"status": "ok"})

    @app.errorhandler(DomainError)
    def _domain_error(err: DomainError):
        if request.path.startswith("/api/"):
            return error_response(err.status, err.message, err.fields)
        return error_page(err.status, err.message)

    @app.errorhandler(CSRFError)
    def _csrf_error(err: CSRFError):
        if request.path.startswith("/api/"):
            return error_response(400, f"CSRF check failed: {err.description}",
                                  {"X-CSRFToken": err.description})
        return error_page(400, err.description)
