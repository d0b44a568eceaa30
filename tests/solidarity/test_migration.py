"""The solidarity revision upgrades a database that already has shops, couriers and
jobs in place: they become plain shops, paid members and paid work."""

from datetime import UTC, datetime

import sqlalchemy as sa
from flask_migrate import upgrade

from courier import create_app
from courier.extensions import db
from tests.conftest import base_config
from tests.pages.test_tracking_migration import ROWS, empty_url  # noqa: F401 (fixture)

COURIER = ("INSERT INTO users (id, role, name, active, created_at) "
           "VALUES (2, 'courier', 'Ana', :t, :now)",
           "INSERT INTO couriers (id, user_id, vehicle, capacity_kg, capacity_l, on_shift) "
           "VALUES (1, 2, 'bike', 15, 40, :f)")


def test_existing_rows_become_shops_members_and_paid_work(empty_url):  # noqa: F811
    app = create_app(base_config(empty_url))
    with app.app_context():
        upgrade(revision="0003_shops")
        now = datetime.now(UTC).replace(tzinfo=None)
        with db.engine.begin() as conn:
            for sql in (*ROWS, *COURIER):
                conn.execute(sa.text(sql), {"t": True, "f": False, "now": now})
        upgrade(revision="0005_solidarity")
        with db.engine.connect() as conn:
            q = conn.execute
            assert q(sa.text("SELECT kind FROM merchants")).scalars().all() == ["shop"]
            assert q(sa.text("SELECT volunteer FROM couriers")).scalars().all() == [False]
            jobs = q(sa.text("SELECT solidarity, priority, round_id FROM jobs")).all()
            assert [tuple(j) for j in jobs] == [(False, 0, None)] * 2
        db.engine.dispose()
