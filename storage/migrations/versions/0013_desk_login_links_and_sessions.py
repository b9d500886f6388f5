"""desk: one-time login links and browser sessions (only hashes of their secrets)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('desklogintoken',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(), nullable=False),
    sa.Column('expires_at', storage.types.UTCDateTime(), nullable=False),
    sa.Column('used_at', storage.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('desklogintoken', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_desklogintoken_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_desklogintoken_token_hash'), ['token_hash'], unique=True)

    op.create_table('desksession',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(), nullable=False),
    sa.Column('expires_at', storage.types.UTCDateTime(), nullable=False),
    sa.Column('last_seen_at', storage.types.UTCDateTime(), nullable=False),
    sa.Column('ended_at', storage.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('desksession', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_desksession_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_desksession_session_hash'), ['session_hash'], unique=True)



def downgrade() -> None:
    with op.batch_alter_table('desksession', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_desksession_session_hash'))
        batch_op.drop_index(batch_op.f('ix_desksession_person_id'))

    op.drop_table('desksession')
    with op.batch_alter_table('desklogintoken', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_desklogintoken_token_hash'))
        batch_op.drop_index(batch_op.f('ix_desklogintoken_person_id'))

    op.drop_table('desklogintoken')
