"""jobs: the code the recipient gives the courier at the door, when the shop chose it
itself (recipient_code)

Revision ID: 0019_jobs_recipient_code
Revises: 0018_events_courier_action
Create Date: 2026-12-05 07:20:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0019_jobs_recipient_code'
down_revision = '0018_events_courier_action'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('jobs', sa.Column('recipient_code', sa.String(length=12), nullable=True))


def downgrade():
    # In place on SQLite too (3.35+): rebuilding ``jobs`` would drop a table that the
    # events and runs point at.
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE jobs DROP COLUMN recipient_code')
    else:
        op.drop_column('jobs', 'recipient_code')
