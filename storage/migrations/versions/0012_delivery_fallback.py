"""delivery fallback: the channel a reminder went out on, and the Office's notices of failed channels

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24 09:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('deliverynotice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('fallback', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(), nullable=False),
    sa.Column('notified_at', storage.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('person_id', 'day')
    )
    with op.batch_alter_table('deliverynotice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deliverynotice_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deliverynotice_notified_at'), ['notified_at'], unique=False)

    with op.batch_alter_table('reminderdelivery', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('reminderdelivery', schema=None) as batch_op:
        batch_op.drop_column('channel')

    with op.batch_alter_table('deliverynotice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deliverynotice_notified_at'))
        batch_op.drop_index(batch_op.f('ix_deliverynotice_person_id'))

    op.drop_table('deliverynotice')
