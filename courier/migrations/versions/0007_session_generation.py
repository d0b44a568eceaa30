"""revocable sessions: each user's session generation, stored in their logged-in pages'
session at login and checked on every request; raising it ends every one of those
sessions at once (logout, a password change, a role change or removal, "log out
everywhere")

Revision ID: 0007_session_generation
Revises: 0006_phrases
Create Date: 2026-12-02 10:00:00

A plain ADD COLUMN with a server default (no table rebuild). Sessions opened before it
carry no generation and end: everyone logs in once more after the upgrade.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0007_session_generation'
down_revision = '0006_phrases'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('users', sa.Column('session_generation', sa.Integer(), nullable=False,
                                     server_default='0'))


def downgrade():
    with op.batch_alter_table('users') as batch:
        batch.drop_column('session_generation')
