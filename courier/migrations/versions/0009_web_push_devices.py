"""web push: members' devices (push subscriptions) and the messages queued for them

Revision ID: 0009_web_push_devices
Revises: 0007_session_generation
Create Date: 2026-12-06 10:00:00

Two new tables, nothing changed in the others.
"""
import sqlalchemy as sa
from alembic import op

import courier.models.base

# revision identifiers, used by Alembic.
revision = '0009_web_push_devices'
down_revision = '0007_session_generation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'push_subscriptions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('endpoint', sa.String(length=1024), nullable=False),
        sa.Column('p256dh', sa.String(length=128), nullable=False),
        sa.Column('auth', sa.String(length=64), nullable=False),
        sa.Column('label', sa.String(length=80), nullable=False),
        sa.Column('created_at', courier.models.base.UTCDateTime(), nullable=False),
        sa.Column('last_sent_at', courier.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_push_subscriptions_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_push_subscriptions')),
        sa.UniqueConstraint('endpoint', name=op.f('uq_push_subscriptions_endpoint')),
    )
    op.create_index(op.f('ix_push_subscriptions_user_id'), 'push_subscriptions', ['user_id'],
                    unique=False)
    op.create_table(
        'push_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('subscription_id', sa.Integer(), nullable=False),
        sa.Column('run_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('urgency', sa.String(length=10), nullable=False),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.Column('expires_at', courier.models.base.UTCDateTime(), nullable=False),
        sa.Column('status', sa.Enum('pending', 'sent', 'dropped', 'failed', name='push_status',
                                    native_enum=False, length=20), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', courier.models.base.UTCDateTime(), nullable=False),
        sa.Column('last_status_code', sa.Integer(), nullable=True),
        sa.Column('created_at', courier.models.base.UTCDateTime(), nullable=False),
        sa.Column('sent_at', courier.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['run_id'], ['runs.id'],
                                name=op.f('fk_push_messages_run_id_runs')),
        sa.ForeignKeyConstraint(['subscription_id'], ['push_subscriptions.id'],
                                name=op.f('fk_push_messages_subscription_id_push_subscriptions'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_push_messages')),
    )
    op.create_index('ix_push_messages_due', 'push_messages', ['status', 'next_attempt_at'],
                    unique=False)
    op.create_index(op.f('ix_push_messages_run_id'), 'push_messages', ['run_id'], unique=False)
    op.create_index(op.f('ix_push_messages_subscription_id'), 'push_messages',
                    ['subscription_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_push_messages_subscription_id'), table_name='push_messages')
    op.drop_index(op.f('ix_push_messages_run_id'), table_name='push_messages')
    op.drop_index('ix_push_messages_due', table_name='push_messages')
    op.drop_table('push_messages')
    op.drop_index(op.f('ix_push_subscriptions_user_id'), table_name='push_subscriptions')
    op.drop_table('push_subscriptions')
