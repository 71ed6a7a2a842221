"""The long spans' index holds what a day's reading of them needs (issue "Scale").

A day's spans are the month's recent ones and the long ones that started before it
(store/direct.py, ``DirectReader._containing``). The long ones lie all over the table,
so each row found through the index was a page read from the table: on a network of
25,000 places and segments a day's 6,700 long spans took 55 ms of the 150 ms read.
With the readings' columns in the index (and the length its condition tests) (it holds the long spans only, an eighth of
them: 10 MB more at a million events) the index alone answers.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_LONG_SPANS = sa.text("length_days IS NULL OR length_days > 31")
# Written out rather than imported from control_graph.store.rows (DAY_COLUMNS): a
# migration must keep doing what it did when the code that reads the index changes.
_READINGS = (
    "element_type",
    "status",
    "controller",
    "own",
    "late_status",
    "late_controller",
    "late_own",
    "disputed",
    "element_id",
    "length_days",  # the index's own condition: without it SQLite reads the table
)


def _long_index(columns: list[str]) -> None:
    op.drop_index("ix_state_spans_long", table_name="state_spans")
    op.create_index(
        "ix_state_spans_long",
        "state_spans",
        columns,
        sqlite_where=_LONG_SPANS,
        postgresql_where=_LONG_SPANS,
    )


def upgrade() -> None:
    _long_index(["start_day", "end_day", *_READINGS])


def downgrade() -> None:
    _long_index(["start_day", "end_day"])
