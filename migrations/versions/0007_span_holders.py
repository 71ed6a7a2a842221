"""The parties the state spans name, counted (issue "Scale").

A map's legend lists every party that holds something at some time; finding them read
every span (0.25 s at a million events, seconds at national scale). The counts are
kept by every write of spans (store.spans); this upgrade counts the spans there are.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "span_holders",
        sa.Column("party_id", sa.String(length=200), nullable=False),
        sa.Column("spans", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("party_id", name=op.f("pk_span_holders")),
    )
    op.execute(
        "INSERT INTO span_holders (party_id, spans)"
        " SELECT party, sum(n) FROM ("
        " SELECT controller AS party, count(*) AS n FROM state_spans"
        " WHERE controller IS NOT NULL GROUP BY controller"
        " UNION ALL"
        " SELECT late_controller AS party, count(*) AS n FROM state_spans"
        " WHERE late_controller IS NOT NULL GROUP BY late_controller"
        ") AS named GROUP BY party"
    )


def downgrade() -> None:
    op.drop_table("span_holders")
