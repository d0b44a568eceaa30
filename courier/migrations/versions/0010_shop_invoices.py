"""shops' invoices: one number per shop and month, sequential across the coop, given the
first time the month's invoice is asked for and kept

Revision ID: 0010_shop_invoices
Revises: 0009_web_push_devices
Create Date: 2026-12-05 10:00:00
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0010_shop_invoices'
down_revision = '0009_web_push_devices'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'invoices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('merchant_id', sa.Integer(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('issued_at', sa.DateTime(), nullable=False),
        sa.Column('issued_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'],
                                name=op.f('fk_invoices_merchant_id_merchants')),
        sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'],
                                name=op.f('fk_invoices_issued_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_invoices')),
        sa.UniqueConstraint('merchant_id', 'month', name='uq_invoices_merchant_month'),
        sa.UniqueConstraint('number', name=op.f('uq_invoices_number')),
    )
    op.create_index(op.f('ix_invoices_merchant_id'), 'invoices', ['merchant_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_invoices_merchant_id'), table_name='invoices')
    op.drop_table('invoices')
