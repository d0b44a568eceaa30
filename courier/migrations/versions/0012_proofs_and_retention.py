"""proofs of delivery and retention of recipients' data: the proof each shop asks of its
jobs, the proofs kept (photo, signature, code checked), and the jobs whose recipient's
personal data was erased

Revision ID: 0012_proofs_and_retention
Revises: 0011_return_stops
Create Date: 2026-12-10 10:00:00

New tables only: nothing existing is rewritten.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012_proofs_and_retention'
down_revision = '0011_return_stops'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'proof_policies',
        sa.Column('merchant_id', sa.Integer(), nullable=False),
        sa.Column('required', sa.Enum('none', 'photo', 'signature', 'code', name='proof_rule',
                                      native_enum=False, length=20), nullable=False),
        sa.Column('on_failure', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'],
                                name=op.f('fk_proof_policies_merchant_id_merchants')),
        sa.PrimaryKeyConstraint('merchant_id', name=op.f('pk_proof_policies')))
    op.create_table(
        'proofs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('job_id', sa.Integer(), nullable=False),
        sa.Column('courier_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.Enum('photo', 'signature', 'code', name='proof_kind',
                                  native_enum=False, length=20), nullable=False),
        sa.Column('outcome', sa.String(length=20), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=True),
        sa.Column('content_type', sa.String(length=40), nullable=True),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('removed_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['courier_id'], ['couriers.id'],
                                name=op.f('fk_proofs_courier_id_couriers')),
        sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_proofs_job_id_jobs')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_proofs')))
    op.create_index(op.f('ix_proofs_job_id'), 'proofs', ['job_id'], unique=False)
    op.create_table(
        'redactions',
        sa.Column('job_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('reason', sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_redactions_job_id_jobs')),
        sa.PrimaryKeyConstraint('job_id', name=op.f('pk_redactions')))


def downgrade():
    op.drop_table('redactions')
    op.drop_index(op.f('ix_proofs_job_id'), table_name='proofs')
    op.drop_table('proofs')
    op.drop_table('proof_policies')
