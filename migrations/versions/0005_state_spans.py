"""State spans: what the engine computes for the reported data, kept (issue "Scale").

A question on a day then reads the spans containing it, through an index of their end
and start days, instead of every event. Existing databases are filled in by control-graph right after this
upgrade (store.db.ensure_schema), from their events, so their answers stay the same.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "state_spans",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("element_id", sa.String(length=200), nullable=False),
        sa.Column("element_type", sa.String(length=10), nullable=False),
        sa.Column("start_day", sa.Date(), nullable=False),
        sa.Column("end_day", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("controller", sa.String(length=200), nullable=True),
        sa.Column("own", sa.Boolean(), nullable=True),
        sa.Column("late_status", sa.String(length=10), nullable=False),
        sa.Column("late_controller", sa.String(length=200), nullable=True),
        sa.Column("late_own", sa.Boolean(), nullable=True),
        sa.Column("before_status", sa.String(length=10), nullable=False),
        sa.Column("before_controller", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "end_day IS NULL OR end_day > start_day", name=op.f("ck_state_spans_ordered")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_state_spans")),
    )
    op.create_index("ix_state_spans_element", "state_spans", ["element_id", "start_day"])
    op.create_index("ix_state_spans_start_day", "state_spans", ["start_day"])
    # The spans containing a day D end after D (or never) and start on or before it:
    # scanned from the end, the index holds both days, so no span row is read in vain.
    op.create_index("ix_state_spans_days", "state_spans", ["end_day", "start_day"])
    # Disputes need two claimants: a question first looks for any claimed element.
    condition = sa.text("claimant_id IS NOT NULL")
    op.create_index(
        "ix_events_claimant",
        "events",
        ["claimant_id"],
        sqlite_where=condition,
        postgresql_where=condition,
    )


def downgrade() -> None:
    op.drop_index("ix_state_spans_days", table_name="state_spans")
    op.drop_index("ix_events_claimant", table_name="events")
    op.drop_index("ix_state_spans_start_day", table_name="state_spans")
    op.drop_index("ix_state_spans_element", table_name="state_spans")
    op.drop_table("state_spans")
