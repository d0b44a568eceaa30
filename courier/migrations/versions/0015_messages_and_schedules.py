"""messages to recipients (message_policies, recipient_messages, message_opt_outs; a job's
recipient_email and recipient_lang) and shops' recurring jobs (job_schedules)

Revision ID: 0015_messages_and_schedules
Revises: 0014_shift_slots_planned
Create Date: 2026-12-10 12:00:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015_messages_and_schedules'
down_revision = '0014_shift_slots_planned'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('jobs', sa.Column('recipient_email', sa.String(length=254), nullable=True))
    op.add_column('jobs', sa.Column('recipient_lang', sa.String(length=8), nullable=True))
    op.create_table(
        'message_policies',
        sa.Column('merchant_id', sa.Integer(), nullable=False),
        sa.Column('kinds', sa.JSON(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'],
                                name='fk_message_policies_merchant_id_merchants'),
        sa.PrimaryKeyConstraint('merchant_id', name='pk_message_policies'))
    op.create_table(
        'recipient_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('job_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('channel', sa.String(length=10), nullable=False),
        sa.Column('to', sa.String(length=254), nullable=True),
        sa.Column('to_hash', sa.String(length=64), nullable=False),
        sa.Column('lang', sa.String(length=8), nullable=False),
        sa.Column('subject', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=True),
        sa.Column('status', sa.Enum('pending', 'sending', 'sent', 'failed', 'limited',
                                    'opted_out', 'dropped', name='recipient_message_status',
                                    native_enum=False, length=20), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
        sa.Column('last_error', sa.String(length=500), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name='fk_recipient_messages_job_id_jobs'),
        sa.PrimaryKeyConstraint('id', name='pk_recipient_messages'),
        sa.UniqueConstraint('job_id', 'kind', 'channel', name='uq_recipient_messages_once'))
    op.create_index('ix_recipient_messages_job_id', 'recipient_messages', ['job_id'])
    op.create_index('ix_recipient_messages_due', 'recipient_messages',
                    ['status', 'next_attempt_at'])
    op.create_index('ix_recipient_messages_to_sent', 'recipient_messages', ['to_hash', 'sent_at'])
    op.create_table(
        'message_opt_outs',
        sa.Column('to_hash', sa.String(length=64), nullable=False),
        sa.Column('channel', sa.String(length=10), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('to_hash', name='pk_message_opt_outs'))
    op.create_table(
        'job_schedules',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uid', sa.String(length=16), nullable=False),
        sa.Column('merchant_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('rrule', sa.String(length=500), nullable=False),
        sa.Column('starts', sa.String(length=19), nullable=False),
        sa.Column('exdates', sa.JSON(), nullable=False),
        sa.Column('window_minutes', sa.Integer(), nullable=False),
        sa.Column('job', sa.JSON(), nullable=False),
        sa.Column('paused', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('made_until', sa.DateTime(), nullable=True),
        sa.Column('last_error', sa.String(length=500), nullable=True),
        sa.Column('last_error_at', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'],
                                name='fk_job_schedules_merchant_id_merchants'),
        sa.PrimaryKeyConstraint('id', name='pk_job_schedules'),
        sa.UniqueConstraint('uid', name='uq_job_schedules_uid'))
    op.create_index('ix_job_schedules_merchant_id', 'job_schedules', ['merchant_id'])


def downgrade():
    op.drop_index('ix_job_schedules_merchant_id', table_name='job_schedules')
    op.drop_table('job_schedules')
    op.drop_table('message_opt_outs')
    for name in ('ix_recipient_messages_to_sent', 'ix_recipient_messages_due',
                 'ix_recipient_messages_job_id'):
        op.drop_index(name, table_name='recipient_messages')
    op.drop_table('recipient_messages')
    op.drop_table('message_policies')
    with op.batch_alter_table('jobs') as batch:
        batch.drop_column('recipient_lang')
        batch.drop_column('recipient_email')
