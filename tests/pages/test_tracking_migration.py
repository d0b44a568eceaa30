"""Upgrading a database that already holds jobs (with events pointing at them): the
tracking-link revision adds a unique token to every job, on SQLite and PostgreSQL."""

import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy.engine import make_url

from courier import create_app
from courier.extensions import db
from tests.conftest import PG_URL, _pg_admin, base_config


@pytest.fixture
def empty_url(database_url, tmp_path):
    """A new, empty database of the same kind as this run's."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'old.sqlite'}"
        return
    name = f"courier_mig_{uuid.uuid4().hex[:8]}"
    admin = _pg_admin(PG_URL)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield make_url(PG_URL).set(drivername="postgresql+psycopg", database=name).render_as_string(
        hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


ROWS = [
    "INSERT INTO users (id, role, name, active, created_at) "
    "VALUES (1, 'merchant', 'Rosa', :t, :now)",
    "INSERT INTO merchants (id, user_id, name, address) VALUES (1, 1, 'Rosa', '')",
    *[f"INSERT INTO jobs (id, merchant_id, status, pickup_address, pickup_lat, pickup_lon, "
      f"dropoff_address, dropoff_lat, dropoff_lon, ready_at, deliver_by, weight_kg, volume_l, "
      f"recipient_name, recipient_phone, notes, created_at, updated_at) VALUES ({i}, 1, "
      f"'delivered', '', 45.76, 4.83, '', 45.77, 4.84, :now, :now, 1, 1, '', '', '', :now, :now)"
      for i in (1, 2)],
    "INSERT INTO events (id, at, subject, job_id, action, reason) "
    "VALUES (1, :now, 'job', 1, 'created', '')",
]


def test_jobs_made_before_tracking_links_each_get_one(empty_url):
    app = create_app(base_config(empty_url))
    with app.app_context():
        upgrade(revision="0001")
        now = datetime.now(UTC).replace(tzinfo=None)
        with db.engine.begin() as conn:
            for sql in ROWS:
                conn.execute(sa.text(sql), {"t": True, "now": now})
        upgrade(revision="0004_tracking")
        with db.engine.connect() as conn:
            tokens = conn.execute(sa.text("SELECT tracking_token FROM jobs")).scalars().all()
            assert conn.execute(sa.text("SELECT count(*) FROM events")).scalar() == 1
        assert len(tokens) == len(set(tokens)) == 2
        assert all(len(t) >= 32 for t in tokens)
        upgrade()  # and on to the newest revision, data and all
        db.engine.dispose()
