"""live ETAs and delay alerts: each stop's estimate of arrival (run_stops.eta), when a
run's estimates were last worked out (runs.etas_at), and a job's last delay alert
(jobs.late_by_s, delay_reason, delay_reason_phrase)

Revision ID: 0013_live_etas_and_delays
Revises: 0012_proofs_and_retention
Create Date: 2026-12-10 10:00:00

Plain ADD COLUMNs, all nullable (no table rebuild): runs ridden at the upgrade show their
planned times until their first estimate.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013_live_etas_and_delays'
down_revision = '0012_proofs_and_retention'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('run_stops', sa.Column('eta', sa.DateTime(), nullable=True))
    op.add_column('runs', sa.Column('etas_at', sa.DateTime(), nullable=True))
    op.add_column('jobs', sa.Column('late_by_s', sa.Integer(), nullable=True))
    op.add_column('jobs', sa.Column('delay_reason', sa.String(length=500), nullable=True))
    op.add_column('jobs', sa.Column('delay_reason_phrase', sa.JSON(), nullable=True))


def downgrade():
    for table, columns in (('jobs', ('delay_reason_phrase', 'delay_reason', 'late_by_s')),
                           ('runs', ('etas_at',)), ('run_stops', ('eta',))):
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.drop_column(column)
