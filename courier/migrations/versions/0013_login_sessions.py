"""one row per logged-in device (login_sessions), deleted when the session ends: logging out
ends that session only; a new password, a role change and "log out everywhere" still end
them all (with the session generation)

Revision ID: 0013_login_sessions
Revises: 0013_live_etas_and_delays
Create Date: 2026-12-05 01:00:00

Sessions opened before it carry no session id and end: everyone logs in once more.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013_login_sessions'
down_revision = '0013_live_etas_and_delays'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'login_sessions',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(), nullable=False),
        sa.Column('user_agent', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name='fk_login_sessions_user_id_users'),
        sa.PrimaryKeyConstraint('id', name='pk_login_sessions'),
    )
    op.create_index('ix_login_sessions_user_id', 'login_sessions', ['user_id'])


def downgrade():
    op.drop_index('ix_login_sessions_user_id', table_name='login_sessions')
    op.drop_table('login_sessions')
