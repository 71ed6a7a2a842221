"""Partial indexes: scenario rows and event targets are indexed only where set.

With a full index on scenario_id, SQLite (which keeps no statistics unless ANALYZE is
run) chose it to find reported events -- walking every row -- and a question about one
road took ten times longer. Indexes WHERE ... IS NOT NULL are also smaller, so imports
are faster.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

OVERLAID = ("events", "imports", "incidents", "places", "roads", "segments")
TARGETS = (
    ("place_id", "ix_events_place_date"),
    ("segment_id", "ix_events_segment_date"),
    ("road_id", "ix_events_road_date"),
)


def _where(column: str) -> dict[str, object]:
    condition = sa.text(f"{column} IS NOT NULL")
    return {"sqlite_where": condition, "postgresql_where": condition}


def upgrade() -> None:
    for table in OVERLAID:
        op.drop_index(f"ix_{table}_scenario_id", table_name=table)
        op.create_index(
            f"ix_{table}_scenario_rows", table, ["scenario_id"], **_where("scenario_id")
        )
    for column, name in TARGETS:
        op.drop_index(name, table_name="events")
        op.create_index(name, "events", [column, "date"], **_where(column))


def downgrade() -> None:
    for column, name in TARGETS:
        op.drop_index(name, table_name="events")
        op.create_index(name, "events", [column, "date"])
    for table in OVERLAID:
        op.drop_index(f"ix_{table}_scenario_rows", table_name=table)
        op.create_index(f"ix_{table}_scenario_id", table, ["scenario_id"])
