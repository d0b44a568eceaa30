"""Transactions hold on both databases: a savepoint never commits on its own."""

from datetime import timedelta

from sqlalchemy import func, select

from courier.db import insert_row
from courier.extensions import db
from courier.models import Job, JobStatus, utcnow


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


def _fields(merchant, **extra):
    now = utcnow()
    return dict(merchant_id=merchant.id, pickup_lat=45.76, pickup_lon=4.83, dropoff_lat=45.75,
                dropoff_lon=4.85, ready_at=now, deliver_by=now + timedelta(hours=1), **extra)


def test_insert_row_returns_a_clean_persistent_object_with_the_column_defaults(
        app, make_merchant):
    merchant = make_merchant().user.merchant
    job = insert_row(Job, _fields(merchant, idempotency_key="k1"))
    assert job in db.session and job.id is not None
    assert not db.session.dirty and not db.session.new  # nothing left to write
    assert job.status == JobStatus.PENDING and job.tracking_token and job.created_at
    assert job.run_id is None and job.merchant is merchant
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Job, job.id)
    assert (stored.tracking_token, stored.idempotency_key) == (job.tracking_token, "k1")


def test_insert_row_skips_a_row_that_breaks_the_named_unique_constraint(app, make_merchant):
    merchant = make_merchant().user.merchant
    first = insert_row(Job, _fields(merchant, idempotency_key="k1"),
                       skip_on=("merchant_id", "idempotency_key"))
    again = insert_row(Job, _fields(merchant, idempotency_key="k1"),
                       skip_on=("merchant_id", "idempotency_key"))
    other = insert_row(Job, _fields(merchant, idempotency_key=None),
                       skip_on=("merchant_id", "idempotency_key"))
    db.session.commit()
    assert first is not None and again is None and other is not None
    assert db.session.scalar(select(func.count()).select_from(Job)) == 2
