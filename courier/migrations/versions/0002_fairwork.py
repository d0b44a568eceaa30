"""fair work: rules versions, contests of decisions and their answers

Revision ID: 0002_fairwork
Revises: 0004_tracking
Create Date: 2026-11-28 09:32:46.333739

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0002_fairwork'
down_revision = '0004_tracking'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rules_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('effective_from', sa.DateTime(), nullable=False),
    sa.Column('rules', sa.JSON(), nullable=False),
    sa.Column('diff', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_rules_versions_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rules_versions')),
    sa.UniqueConstraint('number', name=op.f('uq_rules_versions_number'))
    )
    with op.batch_alter_table('rules_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rules_versions_effective_from'), ['effective_from'], unique=False)

    op.create_table('contests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('courier_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_contests_author_id_users')),
    sa.ForeignKeyConstraint(['courier_id'], ['couriers.id'], name=op.f('fk_contests_courier_id_couriers')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_contests_event_id_events')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contests'))
    )
    with op.batch_alter_table('contests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contests_courier_id'), ['courier_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contests_event_id'), ['event_id'], unique=False)

    op.create_table('contest_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_contest_answers_author_id_users')),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_contest_answers_contest_id_contests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contest_answers'))
    )
    with op.batch_alter_table('contest_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contest_answers_contest_id'), ['contest_id'], unique=False)



def downgrade():
    with op.batch_alter_table('contest_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contest_answers_contest_id'))

    op.drop_table('contest_answers')
    with op.batch_alter_table('contests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contests_event_id'))
        batch_op.drop_index(batch_op.f('ix_contests_courier_id'))

    op.drop_table('contests')
    with op.batch_alter_table('rules_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rules_versions_effective_from'))

    op.drop_table('rules_versions')
