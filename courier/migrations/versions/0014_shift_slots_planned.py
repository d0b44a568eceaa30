"""shifts planned ahead: the slots published per day and vehicle kind with the riders
wanted (shift_slots), and members' sign-ups to them (shift_signups)

Revision ID: 0014_shift_slots_planned
Revises: 0013_login_sessions
Create Date: 2026-12-05 01:10:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0014_shift_slots_planned'
down_revision = '0013_login_sessions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'shift_slots',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('starts_at', sa.DateTime(), nullable=False),
        sa.Column('ends_at', sa.DateTime(), nullable=False),
        sa.Column('vehicle', sa.Enum('bike', 'cargo_bike', name='vehicle', native_enum=False,
                                     length=20), nullable=False),
        sa.Column('riders', sa.Integer(), nullable=False),
        sa.Column('note', sa.String(length=200), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('cancelled_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name='fk_shift_slots_created_by_id_users'),
        sa.PrimaryKeyConstraint('id', name='pk_shift_slots'),
    )
    op.create_index('ix_shift_slots_starts_at', 'shift_slots', ['starts_at'])
    op.create_table(
        'shift_signups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('slot_id', sa.Integer(), nullable=False),
        sa.Column('courier_id', sa.Integer(), nullable=False),
        sa.Column('signed_at', sa.DateTime(), nullable=False),
        sa.Column('rank_s', sa.Integer(), nullable=False),
        sa.Column('late_signup', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('offered_to_id', sa.Integer(), nullable=True),
        sa.Column('released_at', sa.DateTime(), nullable=True),
        sa.Column('started_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['slot_id'], ['shift_slots.id'],
                                name='fk_shift_signups_slot_id_shift_slots'),
        sa.ForeignKeyConstraint(['courier_id'], ['couriers.id'],
                                name='fk_shift_signups_courier_id_couriers'),
        sa.ForeignKeyConstraint(['offered_to_id'], ['couriers.id'],
                                name='fk_shift_signups_offered_to_id_couriers'),
        sa.PrimaryKeyConstraint('id', name='pk_shift_signups'),
    )
    op.create_index('ix_shift_signups_slot_id', 'shift_signups', ['slot_id'])
    op.create_index('ix_shift_signups_courier_id', 'shift_signups', ['courier_id'])


def downgrade():
    op.drop_index('ix_shift_signups_courier_id', table_name='shift_signups')
    op.drop_index('ix_shift_signups_slot_id', table_name='shift_signups')
    op.drop_table('shift_signups')
    op.drop_index('ix_shift_slots_starts_at', table_name='shift_slots')
    op.drop_table('shift_slots')
