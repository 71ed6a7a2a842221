"""Scenarios: named what-if overlays. Adds the scenarios and scenario_suppressions
tables and a nullable scenario_id (``NULL`` = reported data) to the tables a scenario
can add rows to. Existing rows are kept as they are: all of them are reported data.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

OVERLAID = ("events", "imports", "incidents", "places", "roads", "segments")


def upgrade() -> None:
    op.create_table(
        "scenarios",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("base_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("name <> 'reported'", name=op.f("ck_scenarios_name_not_reserved")),
        sa.ForeignKeyConstraint(
            ["base_id"], ["scenarios.id"], name=op.f("fk_scenarios_base_id_scenarios")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scenarios")),
        sa.UniqueConstraint("name", name=op.f("uq_scenarios_name")),
    )
    op.create_table(
        "scenario_suppressions",
        sa.Column("scenario_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_scenario_suppressions_event_id_events")
        ),
        sa.ForeignKeyConstraint(
            ["scenario_id"],
            ["scenarios.id"],
            name=op.f("fk_scenario_suppressions_scenario_id_scenarios"),
        ),
        sa.PrimaryKeyConstraint("scenario_id", "event_id", name=op.f("pk_scenario_suppressions")),
    )
    for table in OVERLAID:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("scenario_id", sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f(f"ix_{table}_scenario_id"), ["scenario_id"])
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_scenario_id_scenarios"),
                "scenarios",
                ["scenario_id"],
                ["id"],
            )


def downgrade() -> None:
    # Scenario rows go with their scenarios; reported rows are kept. Children first.
    mine = "IN (SELECT id FROM {} WHERE scenario_id IS NOT NULL)"
    op.execute("DELETE FROM scenario_suppressions")
    op.execute("DELETE FROM events WHERE scenario_id IS NOT NULL")
    op.execute("DELETE FROM incidents WHERE scenario_id IS NOT NULL")
    op.execute(
        f"DELETE FROM road_segments WHERE road_id {mine.format('roads')}"
        f" OR segment_id {mine.format('segments')}"
    )
    op.execute(
        f"DELETE FROM aliases WHERE place_id {mine.format('places')}"
        f" OR road_id {mine.format('roads')} OR segment_id {mine.format('segments')}"
    )
    for table in ("segments", "roads", "places", "imports"):
        op.execute(f"DELETE FROM {table} WHERE scenario_id IS NOT NULL")
    for table in reversed(OVERLAID):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(
                batch_op.f(f"fk_{table}_scenario_id_scenarios"), type_="foreignkey"
            )
            batch_op.drop_index(batch_op.f(f"ix_{table}_scenario_id"))
            batch_op.drop_column("scenario_id")
    op.drop_table("scenario_suppressions")
    op.drop_table("scenarios")
