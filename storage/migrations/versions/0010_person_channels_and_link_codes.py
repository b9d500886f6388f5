"""One person, two channels: the preferred channel per person, and /lienket linking codes.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('person') as batch:
        batch.add_column(sa.Column('preferred_channel', sqlmodel.sql.sqltypes.AutoString(length=16),
                                   server_default='telegram', nullable=False))
    op.create_table('linkcode',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(), nullable=False),
    sa.Column('expires_at', storage.types.UTCDateTime(), nullable=False),
    sa.Column('used_at', storage.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_linkcode_code_hash'), 'linkcode', ['code_hash'], unique=True)
    op.create_index(op.f('ix_linkcode_person_id'), 'linkcode', ['person_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_linkcode_person_id'), table_name='linkcode')
    op.drop_index(op.f('ix_linkcode_code_hash'), table_name='linkcode')
    op.drop_table('linkcode')
    with op.batch_alter_table('person') as batch:
        batch.drop_column('preferred_channel')
