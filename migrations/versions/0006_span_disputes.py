"""Whether a rival claim disputes what decides each state span (issue "Scale").

A map or snapshot of a day marks disputed places and segments; without this flag it
read every claimed element's reports up to the day to find out. Spans now end where
the flag changes too; control-graph computes every span again right after this upgrade
(store.db.upgrade, SPANS_REVISION), so the flag is right from the start.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("state_spans") as batch:
        batch.add_column(
            sa.Column("disputed", sa.Boolean(), nullable=False, server_default=sa.text("false"))
        )


def downgrade() -> None:
    with op.batch_alter_table("state_spans") as batch:
        batch.drop_column("disputed")
