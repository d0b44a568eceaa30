"""Database helpers: SQLite pragmas, schema creation on first start, compare-and-set."""

from __future__ import annotations

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import event, func, inspect, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

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

    @event.listens_for(engine, "savepoint")
    def _begin_before_savepoint(conn, name):
        # Python's sqlite3 opens a transaction only before the first write. A
        # SAVEPOINT issued before any write would then start a transaction of its
        # own, and its RELEASE would commit for real, however the outer
        # transaction ends. Begin the outer transaction first (IMMEDIATE: the
        # savepoint is there to write, so take the write lock and honour the busy
        # timeout now rather than fail on upgrading later).
        dbapi_conn = conn.connection.dbapi_connection
        if not dbapi_conn.in_transaction:
            dbapi_conn.execute("BEGIN IMMEDIATE")


MIGRATION_LOCK = 0x636F7572_6D6967  # "cour" "mig": one upgrade at a time per database


def ensure_schema(app: Flask) -> None:
    """Create or upgrade the schema with the migrations (idempotent).

    On PostgreSQL several processes may start at once (web processes, the worker):
    a session advisory lock makes them upgrade one after the other, so the later
    ones find the schema current instead of racing to create the same tables.
    """
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            upgrade()
            return
        with db.engine.connect() as lock_conn:
            lock_conn.execute(select(func.pg_advisory_lock(MIGRATION_LOCK)))
            try:
                upgrade()
            finally:
                lock_conn.execute(select(func.pg_advisory_unlock(MIGRATION_LOCK)))
                lock_conn.commit()


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


def commit_and_keep() -> None:
    """Commit without expiring what the session holds: the objects just written are
    the answer, so serialising them needs no second trip to the database."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


_UPSERTS = {"postgresql": pg_insert, "sqlite": sqlite_insert}
_INSERTS: dict = {}  # (model, dialect, conflict columns) -> statement, built once


def insert_row(model, values: dict, skip_on: tuple[str, ...] = ()):
    """Write one row of ``model`` now, in one statement, and return it as a persistent
    object with every column loaded (Python-side defaults included; a column only the
    database fills is read on first use), without the unit of work: no flush, no
    savepoint. For rows written once and read back at once, on the hot paths (a
    submitted job, an event of the log). Attribute names must be the column names.

    With ``skip_on`` (columns of a unique constraint), a row that would break that
    constraint is not written and None is returned (``ON CONFLICT DO NOTHING``): on
    PostgreSQL a concurrent insert of the same key makes this one wait for that
    transaction to commit (then None) or roll back (then the row goes in).
    """
    dialect = db.session.get_bind().dialect.name
    stmt = _INSERTS.get((model, dialect, skip_on))
    if stmt is None:
        table = model.__table__
        stmt = _UPSERTS[dialect](table)
        if skip_on:
            stmt = stmt.on_conflict_do_nothing(index_elements=list(skip_on))
        stmt = _INSERTS[model, dialect, skip_on] = stmt.returning(table.c.id)
    result = db.session.connection().execute(stmt, values)  # Core: no ORM execution layer
    written = dict(result.last_inserted_params())
    new_id = result.scalar()
    if new_id is None:
        return None
    obj = inspect(model).class_manager.new_instance()  # as the ORM loads a row
    written["id"] = new_id
    for column in model.__table__.columns:  # loaded values, not changes to write
        if column.key in written or column.server_default is None:
            set_committed_value(obj, column.key, written.get(column.key))
        # else: the database's default, read on first use
    make_transient_to_detached(obj)
    db.session.add(obj)
    return obj


def empty_all_tables() -> None:
    """Delete every row of every table (TRUNCATE on PostgreSQL, ids restarted): a scratch
    database emptied for the next test or benchmark run."""
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for t in tables:
                conn.execute(t.delete())
