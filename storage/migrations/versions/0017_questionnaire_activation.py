"""questionnaire versions uploaded on the desk wait for activation

Revision ID: 0017
Revises: 0014
Create Date: 2026-12-08 00:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = '0017'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('questionnairesnapshot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('activated_at', storage.types.UTCDateTime(), nullable=True))
    # Every version stored so far came from the deployed files and has been in use: active since it was stored.
    op.execute("UPDATE questionnairesnapshot SET activated_at = loaded_at")


def downgrade() -> None:
    with op.batch_alter_table('questionnairesnapshot', schema=None) as batch_op:
        batch_op.drop_column('activated_at')
