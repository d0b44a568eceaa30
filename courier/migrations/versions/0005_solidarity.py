"""solidarity logistics: food hubs' producers, round schedules, rounds and their orders;
the coop's settings; on jobs: solidarity, priority and round; on merchants: their kind;
on couriers: volunteer

Revision ID: 0005_solidarity
Revises: 0003_shops
Create Date: 2026-11-28 11:00:00

New columns of existing tables are plain ADD COLUMNs with server defaults (no table
rebuild), so that a SQLite database with jobs upgrades in place.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0005_solidarity'
down_revision = '0003_shops'
branch_labels = None
depends_on = None


def _kind(*values, name):
    return sa.Enum(*values, name=name, native_enum=False, length=20)


def upgrade():
    op.add_column('merchants', sa.Column('kind', _kind('shop', 'hub', 'partner',
                                                       name='merchant_kind'),
                                         server_default='shop', nullable=False))
    op.add_column('couriers', sa.Column('volunteer', sa.Boolean(), server_default=sa.false(),
                                        nullable=False))
    op.add_column('jobs', sa.Column('solidarity', sa.Boolean(), server_default=sa.false(),
                                    nullable=False))
    op.add_column('jobs', sa.Column('priority', sa.Integer(), server_default='0',
                                    nullable=False))
    op.add_column('jobs', sa.Column('round_id', sa.Integer(), nullable=True))
    op.create_index(op.f('ix_jobs_round_id'), 'jobs', ['round_id'], unique=False)

    op.create_table('coop_settings',
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('value', sa.JSON(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_coop_settings'))
    )
    op.create_table('producers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hub_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('address', sa.String(length=255), nullable=False),
    sa.Column('lat', sa.Double(), nullable=False),
    sa.Column('lon', sa.Double(), nullable=False),
    sa.Column('default_kg', sa.Double(), nullable=False),
    sa.Column('default_l', sa.Double(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['hub_id'], ['merchants.id'],
                            name=op.f('fk_producers_hub_id_merchants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_producers')),
    sa.UniqueConstraint('hub_id', 'name', name='uq_producers_hub_name')
    )
    op.create_index(op.f('ix_producers_hub_id'), 'producers', ['hub_id'], unique=False)
    op.create_table('round_schedules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hub_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', _kind('collect', 'distribute', name='round_kind'), nullable=False),
    sa.Column('weekdays', sa.JSON(), nullable=False),
    sa.Column('start', sa.String(length=5), nullable=False),
    sa.Column('end', sa.String(length=5), nullable=False),
    sa.Column('cutoff_hours', sa.Integer(), nullable=False),
    sa.Column('producer_ids', sa.JSON(), nullable=False),
    sa.Column('solidarity', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['hub_id'], ['merchants.id'],
                            name=op.f('fk_round_schedules_hub_id_merchants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_schedules'))
    )
    op.create_index(op.f('ix_round_schedules_hub_id'), 'round_schedules', ['hub_id'],
                    unique=False)
    op.create_table('rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hub_id', sa.Integer(), nullable=False),
    sa.Column('schedule_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', _kind('collect', 'distribute', name='round_kind'), nullable=False),
    sa.Column('solidarity', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('status', _kind('open', 'released', 'cancelled', name='round_status'),
              nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('cutoff_at', sa.DateTime(), nullable=False),
    sa.Column('released_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['hub_id'], ['merchants.id'],
                            name=op.f('fk_rounds_hub_id_merchants')),
    sa.ForeignKeyConstraint(['schedule_id'], ['round_schedules.id'],
                            name=op.f('fk_rounds_schedule_id_round_schedules')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rounds')),
    sa.UniqueConstraint('schedule_id', 'starts_at', name='uq_rounds_schedule_start')
    )
    op.create_index(op.f('ix_rounds_hub_id'), 'rounds', ['hub_id'], unique=False)
    op.create_index('ix_rounds_status_cutoff', 'rounds', ['status', 'cutoff_at'], unique=False)
    op.create_table('round_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('producer_id', sa.Integer(), nullable=True),
    sa.Column('reference', sa.String(length=80), nullable=True),
    sa.Column('customer', sa.String(length=120), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('address', sa.String(length=255), nullable=False),
    sa.Column('lat', sa.Double(), nullable=False),
    sa.Column('lon', sa.Double(), nullable=False),
    sa.Column('weight_kg', sa.Double(), nullable=False),
    sa.Column('volume_l', sa.Double(), nullable=False),
    sa.Column('slot', sa.String(length=11), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_round_orders_job_id_jobs')),
    sa.ForeignKeyConstraint(['producer_id'], ['producers.id'],
                            name=op.f('fk_round_orders_producer_id_producers')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'],
                            name=op.f('fk_round_orders_round_id_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_orders')),
    sa.UniqueConstraint('round_id', 'reference', name='uq_round_orders_reference')
    )
    op.create_index(op.f('ix_round_orders_round_id'), 'round_orders', ['round_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_round_orders_round_id'), table_name='round_orders')
    op.drop_table('round_orders')
    op.drop_index('ix_rounds_status_cutoff', table_name='rounds')
    op.drop_index(op.f('ix_rounds_hub_id'), table_name='rounds')
    op.drop_table('rounds')
    op.drop_index(op.f('ix_round_schedules_hub_id'), table_name='round_schedules')
    op.drop_table('round_schedules')
    op.drop_index(op.f('ix_producers_hub_id'), table_name='producers')
    op.drop_table('producers')
    op.drop_table('coop_settings')
    op.drop_index(op.f('ix_jobs_round_id'), table_name='jobs')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('round_id')
        batch_op.drop_column('priority')
        batch_op.drop_column('solidarity')
    with op.batch_alter_table('couriers', schema=None) as batch_op:
        batch_op.drop_column('volunteer')
    with op.batch_alter_table('merchants', schema=None) as batch_op:
        batch_op.drop_column('kind')
