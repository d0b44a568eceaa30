"""tracking links: a random token per job for the recipient's public page

Revision ID: 0004_tracking
Revises: 0001
Create Date: 2026-11-28 09:45:00

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
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tracking_token', sa.String(length=64), nullable=True))
    # Jobs made before this revision get a link too.
    conn = op.get_bind()
    jobs = sa.table('jobs', sa.column('id', sa.Integer), sa.column('tracking_token', sa.String))
    for (job_id,) in conn.execute(sa.select(jobs.c.id).where(jobs.c.tracking_token.is_(None))):
        conn.execute(jobs.update().where(jobs.c.id == job_id)
                     .values(tracking_token=secrets.token_urlsafe(24)))
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_jobs_tracking_token'),
                                          ['tracking_token'])


def downgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_jobs_tracking_token'), type_='unique')
        batch_op.drop_column('tracking_token')
