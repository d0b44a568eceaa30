"""Courier: dispatch for bike-courier cooperatives."""

from __future__ import annotations

import os

from flask import Flask

from courier import config as cfg


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app. Settings: defaults, then the instance config, then ``COURIER_*``
    environment variables; a test passes ``test_config`` instead of the last two."""
    app = Flask(__name__, instance_relative_config=True, static_folder=None)
    app.json.sort_keys = False  # answers keep their schemas' order (id and status first)
    app.config.from_mapping(cfg.DEFAULTS)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("COURIER")
    else:
        app.config.from_mapping(test_config)
    cfg.check_values(app.config)
    cfg.check_production(app.config)
    from courier.web import csp

    csp.tile_sources(app.config)  # a TILE_URL the policy cannot name fails before any
    # extension is bound to this app (the shared Socket.IO server among them)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config["SQLALCHEMY_DATABASE_URI"] = cfg.database_uri(app.config, app.instance_path)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", _engine_options(app.config))
    if app.config["ENV"] == "production":
        app.config["SESSION_COOKIE_SECURE"] = True  # production runs behind HTTPS
        app.config["REMEMBER_COOKIE_SECURE"] = True

    _serve_static(app)
    _init_extensions(app)
    from courier.fairwork import estimate

    estimate.init_app(app)  # run payloads carry the run's pay, in every process
    from courier.proofs import policy

    policy.init_app(app)  # a recipient asked for a code at the door is told it in advance
    from courier.web import security

    security.init_app(app)
    from courier.web import admission

    admission.init_app(app)

    from courier.web import register

    register(app)

    from courier.cli import register_commands

    register_commands(app)

    if app.config["AUTO_MIGRATE"]:
        from courier.db import ensure_schema

        ensure_schema(app)
    return app


def _engine_options(config) -> dict:
    uri = config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        return {"connect_args": {"timeout": 30, "check_same_thread": False}}
    return {"pool_pre_ping": True, "pool_size": int(config["DB_POOL_SIZE"]),
            "max_overflow": int(config["DB_MAX_OVERFLOW"])}


def _serve_static(app: Flask) -> None:
    """The top-level ``static/`` folder sits outside the package: name it explicitly."""
    app.static_folder = app.config["STATIC_FOLDER"]
    app.static_url_path = "/static"
    app.add_url_rule("/static/<path:filename>", endpoint="static",
                     view_func=app.send_static_file)


def _init_extensions(app: Flask) -> None:
    from courier import outbox
    from courier.extensions import babel, csrf, db, login_manager, migrate, socketio
    from courier.i18n import select_locale

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"),
                     render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "pages.login"
    babel.init_app(app, locale_selector=select_locale)
    queue = app.config["SOCKETIO_MESSAGE_QUEUE"]
    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        message_queue=queue,
        channel=app.config["SOCKETIO_CHANNEL"],
        cors_allowed_origins=app.config.get("SOCKETIO_CORS_ORIGINS", []),
        manage_session=False,
        # without a queue, no manager left over from an app built before with one
        **({} if queue else {"client_manager": None}),
    )
    outbox.set_sender(lambda name, payload, room: socketio.emit(name, payload, to=room))

    from courier import db as dbmod

    dbmod.init_engine_events(app)
