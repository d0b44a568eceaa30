"""Transactions hold on both databases: a savepoint never commits on its own."""

from datetime import timedelta

from sqlalchemy import func, select

from courier.extensions import db
from courier.models import Job, utcnow


def _job(merchant):
    now = utcnow()
    return Job(merchant=merchant, pickup_lat=45.76, pickup_lon=4.83, dropoff_lat=45.75,
               dropoff_lon=4.85, ready_at=now, deliver_by=now + timedelta(hours=1))


def test_savepoint_before_any_write_is_undone_by_the_outer_rollback(app, make_merchant):
    merchant = make_merchant().user.merchant
    with db.session.begin_nested():
        db.session.add(_job(merchant))
    assert db.session.scalar(select(func.count()).select_from(Job)) == 1
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0


def test_rolled_back_savepoint_keeps_the_outer_work(app, make_merchant):
    merchant = make_merchant().user.merchant
    db.session.add(_job(merchant))
    db.session.flush()
    try:
        with db.session.begin_nested():
            db.session.add(_job(merchant))
            raise RuntimeError("refused")
    except RuntimeError:
        pass
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Job)) == 1
