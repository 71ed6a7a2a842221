"""State spans: what the engine computes for the reported data, kept (issue "Scale").

A question on a day then reads the spans containing it, through two indexes of their
start and end days (recent starts, and long spans), instead of every event. Existing databases are filled in by control-graph right after this
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
        sa.Column("length_days", sa.Integer(), nullable=True),
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
    # The spans containing a day D either started in the month before D (this index,
    # a short range of it) or are long (the next one, a small part of the table): no
    # question reads more than that, whatever the day (store.spans.read_spans_on).
    op.create_index("ix_state_spans_start_day", "state_spans", ["start_day", "end_day"])
    long_spans = sa.text("length_days IS NULL OR length_days > 31")
    op.create_index(
        "ix_state_spans_long",
        "state_spans",
        ["start_day", "end_day"],
        sqlite_where=long_spans,
        postgresql_where=long_spans,
    )
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
    op.drop_index("ix_state_spans_long", table_name="state_spans")
    op.drop_index("ix_events_claimant", table_name="events")
    op.drop_index("ix_state_spans_start_day", table_name="state_spans")
    op.drop_index("ix_state_spans_element", table_name="state_spans")
    op.drop_table("state_spans")
