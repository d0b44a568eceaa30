"""between partner coops: the mutual-credit ledger (ledger_entries) and jobs relayed
through a hub (relays)

Revision ID: 0017_federation_ledger
Revises: 0016_federation
Create Date: 2026-12-12 18:00:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0017_federation_ledger'
down_revision = '0016_federation'
branch_labels = None
depends_on = None


def _fk(col, table, name):
    return sa.ForeignKeyConstraint([col], [f'{table}.id'], name=name)


def upgrade():
    op.create_table(
        'ledger_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('partner_id', sa.Integer(), nullable=False),
        sa.Column('ref', sa.String(length=120), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('side', sa.String(length=8), nullable=False),
        sa.Column('amount_cents', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('handoff_id', sa.Integer(), nullable=True),
        sa.Column('job_key', sa.String(length=80), nullable=False),
        sa.Column('note', sa.String(length=500), nullable=False),
        sa.Column('origin', sa.String(length=8), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        _fk('partner_id', 'partners', 'fk_ledger_entries_partner_id_partners'),
        _fk('handoff_id', 'handoffs', 'fk_ledger_entries_handoff_id_handoffs'),
        _fk('created_by_id', 'users', 'fk_ledger_entries_created_by_id_users'),
        sa.PrimaryKeyConstraint('id', name='pk_ledger_entries'),
        sa.UniqueConstraint('partner_id', 'ref', 'side', name='uq_ledger_entries_line'))
    op.create_index('ix_ledger_entries_partner_id', 'ledger_entries', ['partner_id'])
    op.create_index('ix_ledger_entries_handoff_id', 'ledger_entries', ['handoff_id'])
    op.create_table(
        'relays',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('job_id', sa.Integer(), nullable=False),
        sa.Column('leg_job_id', sa.Integer(), nullable=False),
        sa.Column('partner_id', sa.Integer(), nullable=False),
        sa.Column('handoff_id', sa.Integer(), nullable=True),
        sa.Column('hub', sa.JSON(), nullable=False),
        sa.Column('status', sa.Enum('asking', 'first_leg', 'second_leg', 'done', 'stopped',
                                    name='relay_status', native_enum=False, length=20),
                  nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        _fk('job_id', 'jobs', 'fk_relays_job_id_jobs'),
        _fk('leg_job_id', 'jobs', 'fk_relays_leg_job_id_jobs'),
        _fk('partner_id', 'partners', 'fk_relays_partner_id_partners'),
        _fk('handoff_id', 'handoffs', 'fk_relays_handoff_id_handoffs'),
        _fk('created_by_id', 'users', 'fk_relays_created_by_id_users'),
        sa.PrimaryKeyConstraint('id', name='pk_relays'),
        sa.UniqueConstraint('leg_job_id', name='uq_relays_leg_job_id'))
    op.create_index('ix_relays_job_id', 'relays', ['job_id'])
    op.create_index('ix_relays_partner_id', 'relays', ['partner_id'])


def downgrade():
    op.drop_index('ix_relays_partner_id', table_name='relays')
    op.drop_index('ix_relays_job_id', table_name='relays')
    op.drop_table('relays')
    op.drop_index('ix_ledger_entries_handoff_id', table_name='ledger_entries')
    op.drop_index('ix_ledger_entries_partner_id', table_name='ledger_entries')
    op.drop_table('ledger_entries')
