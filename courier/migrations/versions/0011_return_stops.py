"""a parcel that could not be delivered goes back: when its courier brought it back
(jobs.returned_at), and the address of the place a return stop goes to
(run_stops.place: the shop's pickup place, or the return hub the council set)

Revision ID: 0011_return_stops
Revises: 0010_shop_invoices
Create Date: 2026-12-03 10:00:00

Two plain nullable ADD COLUMNs (no table rebuild). The new stop kind ``return`` needs
no change: stop kinds are stored as text.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011_return_stops'
down_revision = '0010_shop_invoices'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('jobs', sa.Column('returned_at', sa.DateTime(), nullable=True))
    op.add_column('run_stops', sa.Column('place', sa.String(length=255), nullable=True))


def downgrade():
    with op.batch_alter_table('run_stops') as batch:
        batch.drop_column('place')
    with op.batch_alter_table('jobs') as batch:
        batch.drop_column('returned_at')
