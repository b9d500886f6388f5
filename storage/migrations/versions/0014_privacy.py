"""privacy requests, erasures and the daily retention cleanup

Revision ID: 0014
Revises: 0015
Create Date: 2026-12-07 20:49:22
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = '0014'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('retentionrun',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('owner', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('started_at', storage.types.UTCDateTime(), nullable=False),
    sa.Column('finished_at', storage.types.UTCDateTime(), nullable=True),
    sa.Column('removed', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('day')
    )
    op.create_table('privacyrequest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(), nullable=False),
    sa.Column('answer_by', sa.Date(), nullable=False),
    sa.Column('due_by', sa.Date(), nullable=False),
    sa.Column('acknowledged_at', storage.types.UTCDateTime(), nullable=True),
    sa.Column('acknowledged_by', sa.Integer(), nullable=True),
    sa.Column('done_at', storage.types.UTCDateTime(), nullable=True),
    sa.Column('done_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['acknowledged_by'], ['person.id'], ),
    sa.ForeignKeyConstraint(['done_by'], ['person.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('privacyrequest', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_privacyrequest_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_privacyrequest_state'), ['state'], unique=False)

    op.create_table('personerasure',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('erased_at', storage.types.UTCDateTime(), nullable=False),
    sa.Column('erased_by', sa.Integer(), nullable=True),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['erased_by'], ['person.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['request_id'], ['privacyrequest.id'], ),
    sa.PrimaryKeyConstraint('person_id')
    )


def downgrade() -> None:
    op.drop_table('personerasure')
    with op.batch_alter_table('privacyrequest', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_privacyrequest_state'))
        batch_op.drop_index(batch_op.f('ix_privacyrequest_person_id'))

    op.drop_table('privacyrequest')
    op.drop_table('retentionrun')
