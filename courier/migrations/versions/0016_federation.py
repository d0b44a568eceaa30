"""federation between coops: partners, partner_invitations, handoffs, federation_messages;
a job's carried_by_partner_id

Revision ID: 0016_federation
Revises: 0015_messages_and_schedules
Create Date: 2026-12-12 12:00:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016_federation'
down_revision = '0015_messages_and_schedules'
branch_labels = None
depends_on = None


def _enum(name, *values):
    return sa.Enum(*values, name=name, native_enum=False, length=20)


def _fk(col, table, name):
    return sa.ForeignKeyConstraint([col], [f'{table}.id'], name=name)


def upgrade():
    op.create_table(
        'partners',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('base_url', sa.String(length=255), nullable=False),
        sa.Column('status', _enum('partner_status', 'invited', 'active', 'paused', 'ended'),
                  nullable=False),
        sa.Column('invited_by', sa.String(length=10), nullable=False),
        sa.Column('our_key_id', sa.String(length=40), nullable=False),
        sa.Column('our_secret', sa.String(length=100), nullable=False),
        sa.Column('their_key_id', sa.String(length=40), nullable=False),
        sa.Column('their_secret', sa.String(length=100), nullable=False),
        sa.Column('their_prev_key_id', sa.String(length=40), nullable=True),
        sa.Column('their_prev_secret', sa.String(length=100), nullable=True),
        sa.Column('their_prev_until', sa.DateTime(), nullable=True),
        sa.Column('we_approved_at', sa.DateTime(), nullable=True),
        sa.Column('they_approved_at', sa.DateTime(), nullable=True),
        sa.Column('status_by', sa.String(length=10), nullable=True),
        sa.Column('zone', sa.JSON(), nullable=True),
        sa.Column('terms', sa.JSON(), nullable=True),
        sa.Column('profile_at', sa.DateTime(), nullable=True),
        sa.Column('credit_limit_cents', sa.Integer(), server_default='0', nullable=False),
        sa.Column('merchant_id', sa.Integer(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        _fk('created_by_id', 'users', 'fk_partners_created_by_id_users'),
        _fk('merchant_id', 'merchants', 'fk_partners_merchant_id_merchants'),
        sa.PrimaryKeyConstraint('id', name='pk_partners'),
        sa.UniqueConstraint('base_url', name='uq_partners_base_url'),
        sa.UniqueConstraint('our_key_id', name='uq_partners_our_key_id'),
        sa.UniqueConstraint('their_key_id', name='uq_partners_their_key_id'))
    op.create_index('ix_partners_their_prev_key_id', 'partners', ['their_prev_key_id'])
    op.create_table(
        'partner_invitations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.Column('partner_id', sa.Integer(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        _fk('created_by_id', 'users', 'fk_partner_invitations_created_by_id_users'),
        _fk('partner_id', 'partners', 'fk_partner_invitations_partner_id_partners'),
        sa.PrimaryKeyConstraint('id', name='pk_partner_invitations'),
        sa.UniqueConstraint('code_hash', name='uq_partner_invitations_code_hash'))
    op.create_table(
        'handoffs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('partner_id', sa.Integer(), nullable=False),
        sa.Column('job_id', sa.Integer(), nullable=True),
        sa.Column('direction', sa.String(length=3), nullable=False),
        sa.Column('remote_ref', sa.String(length=64), nullable=True),
        sa.Column('idempotency_key', sa.String(length=80), nullable=False),
        sa.Column('price_cents', sa.Integer(), nullable=True),
        sa.Column('status', _enum('handoff_status', 'asked', 'accepted', 'refused', 'timed_out',
                                  'delivered', 'failed', 'returned', 'cancelled'),
                  nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.Column('leg', sa.String(length=10), nullable=False),
        sa.Column('asked_by', sa.String(length=20), nullable=False),
        sa.Column('remote_status', sa.String(length=20), nullable=True),
        sa.Column('courier_first_name', sa.String(length=60), nullable=True),
        sa.Column('eta', sa.DateTime(), nullable=True),
        sa.Column('proof', sa.JSON(), nullable=True),
        sa.Column('seq', sa.Integer(), server_default='0', nullable=False),
        sa.Column('event_cursor', sa.Integer(), server_default='0', nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('answered_at', sa.DateTime(), nullable=True),
        _fk('job_id', 'jobs', 'fk_handoffs_job_id_jobs'),
        _fk('partner_id', 'partners', 'fk_handoffs_partner_id_partners'),
        sa.PrimaryKeyConstraint('id', name='pk_handoffs'),
        sa.UniqueConstraint('partner_id', 'direction', 'idempotency_key',
                            name='uq_handoffs_partner_key'))
    op.create_index('ix_handoffs_job_id', 'handoffs', ['job_id'])
    op.create_index('ix_handoffs_partner_id', 'handoffs', ['partner_id'])
    op.create_index('ix_handoffs_status', 'handoffs', ['direction', 'status'])
    op.create_table(
        'federation_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('partner_id', sa.Integer(), nullable=False),
        sa.Column('handoff_id', sa.Integer(), nullable=True),
        sa.Column('direction', sa.String(length=3), nullable=False),
        sa.Column('message_id', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=True),
        sa.Column('path', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('status', _enum('federation_msg_state', 'pending', 'sent', 'failed', 'applied',
                                  'buffered', 'refused'), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
        sa.Column('last_error', sa.String(length=500), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('done_at', sa.DateTime(), nullable=True),
        _fk('handoff_id', 'handoffs', 'fk_federation_messages_handoff_id_handoffs'),
        _fk('partner_id', 'partners', 'fk_federation_messages_partner_id_partners'),
        sa.PrimaryKeyConstraint('id', name='pk_federation_messages'),
        sa.UniqueConstraint('partner_id', 'direction', 'message_id',
                            name='uq_federation_messages_once'))
    op.create_index('ix_federation_messages_due', 'federation_messages',
                    ['direction', 'status', 'next_attempt_at'])
    op.create_index('ix_federation_messages_handoff_id', 'federation_messages', ['handoff_id'])
    op.create_index('ix_federation_messages_partner_id', 'federation_messages', ['partner_id'])
    # Not a batch on SQLite: rebuilding ``jobs`` there would drop a table that the events
    # and runs point at. SQLite adds the column with its reference in place.
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE jobs ADD COLUMN carried_by_partner_id INTEGER '
                   'CONSTRAINT fk_jobs_carried_by_partner_id_partners REFERENCES partners (id)')
    else:
        op.add_column('jobs', sa.Column('carried_by_partner_id', sa.Integer(), nullable=True))
        op.create_foreign_key('fk_jobs_carried_by_partner_id_partners', 'jobs', 'partners',
                              ['carried_by_partner_id'], ['id'])


def downgrade():
    with op.batch_alter_table('jobs') as batch_op:
        batch_op.drop_constraint('fk_jobs_carried_by_partner_id_partners', type_='foreignkey')
        batch_op.drop_column('carried_by_partner_id')
    op.drop_table('federation_messages')
    op.drop_table('handoffs')
    op.drop_table('partner_invitations')
    op.drop_table('partners')
