"""events: an index on (courier_id, action, id), so that a courier's last word of a kind
(why they were last told they got no offer, their shifts and breaks) is read without
reading all their events

Revision ID: 0018_events_courier_action
Revises: 0017_federation_ledger
Create Date: 2026-12-05 05:00:00
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0018_events_courier_action'
down_revision = '0017_federation_ledger'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_events_courier_action', 'events', ['courier_id', 'action', 'id'],
                    unique=False)


def downgrade():
    op.drop_index('ix_events_courier_action', table_name='events')
