"""tracking links: a random token per job for the recipient's public page

Revision ID: 0004_tracking
Revises: 0001
Create Date: 2026-11-28 09:45:00

A plain ADD COLUMN and a unique index: no table rebuild, so that a SQLite database
with jobs (referenced by runs, stops and events) upgrades in place.
"""
import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0004_tracking'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('jobs', sa.Column('tracking_token', sa.String(length=64), nullable=True))
    # Jobs made before this revision get a link too.
    conn = op.get_bind()
    jobs = sa.table('jobs', sa.column('id', sa.Integer), sa.column('tracking_token', sa.String))
    missing = conn.execute(sa.select(jobs.c.id).where(jobs.c.tracking_token.is_(None))).all()
    for (job_id,) in missing:
        conn.execute(jobs.update().where(jobs.c.id == job_id)
                     .values(tracking_token=secrets.token_urlsafe(24)))
    op.create_index(op.f('ix_jobs_tracking_token'), 'jobs', ['tracking_token'], unique=True)


def downgrade():
    op.drop_index(op.f('ix_jobs_tracking_token'), table_name='jobs')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('tracking_token')
