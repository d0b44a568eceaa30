"""Database helpers: SQLite pragmas, schema creation on first start, compare-and-set."""

from __future__ import annotations

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import event, inspect, update

from courier.extensions import db


def init_engine_events(app: Flask) -> None:
    """WAL and a busy timeout make SQLite usable by a web process and its dispatch thread."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, record):
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()


def ensure_schema(app: Flask) -> None:
    """Create or upgrade the schema with the migrations (idempotent)."""
    with app.app_context():
        upgrade()


def schema_is_current() -> bool:
    return "alembic_version" in inspect(db.engine).get_table_names()


def compare_and_set(model, obj_id: int, expected, **values) -> bool:
    """``UPDATE model SET values WHERE id = obj_id AND status IN expected``.

    Returns whether this call won: two concurrent changes of the same row can
    never both see their expected status (row locks are useless on SQLite).
    """
    if not isinstance(expected, list | tuple | set | frozenset):
        expected = (expected,)
    stmt = (update(model).where(model.id == obj_id, model.status.in_(list(expected)))
            .values(**values).execution_options(synchronize_session=False))
    won = db.session.execute(stmt).rowcount == 1
    if won:
        obj = db.session.get(model, obj_id)
        if obj is not None:
            db.session.refresh(obj)
    return won
