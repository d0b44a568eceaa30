"""reasons readable in every language: the template and values of each reason the server
writes (``courier.texts.Phrase``), next to its English sentence, on jobs, runs and events

Revision ID: 0006_phrases
Revises: 0005_solidarity
Create Date: 2026-11-28 18:30:00

Plain nullable ADD COLUMNs (no table rebuild). Reasons written before keep their English
sentence only, which pages show as it is.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0006_phrases'
down_revision = '0005_solidarity'
branch_labels = None
depends_on = None

COLUMNS = (('jobs', 'unassigned_reason_phrase'), ('runs', 'reason_phrase'),
           ('events', 'reason_phrase'))


def upgrade():
    for table, column in COLUMNS:
        op.add_column(table, sa.Column(column, sa.JSON(), nullable=True))


def downgrade():
    for table, column in reversed(COLUMNS):
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column)
