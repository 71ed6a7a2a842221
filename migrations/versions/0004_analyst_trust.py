"""Analyst trust (contract section 4): ids, rough dates, lapsing reports and claimants
on events and incidents; access records; retractions (of records by id, of the versions
a correction replaces, of whole imports undone); who made each import.

Existing rows get NULL in every new column, which reads as before: no id, an exact date,
a report that does not lapse, an independent source. Every existing database therefore
gives the same answers after the upgrade.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ACCESS_LEVELS = "'open', 'restricted', 'taxed', 'fire-control', 'blocked'"
CONFIDENCES = "'high', 'medium', 'low'"
LATEST = "date_latest IS NULL OR date_latest >= date"


def _where(column: str) -> dict[str, object]:
    condition = sa.text(f"{column} IS NOT NULL")
    return {"sqlite_where": condition, "postgresql_where": condition}


def _record_columns(batch: BatchOperations, table: str, *, until: bool) -> None:
    batch.add_column(sa.Column("record_id", sa.String(length=200), nullable=True))
    batch.add_column(sa.Column("date_latest", sa.Date(), nullable=True))
    if until:
        batch.add_column(sa.Column("until_date", sa.Date(), nullable=True))
    batch.add_column(sa.Column("claimant_id", sa.String(length=200), nullable=True))
    batch.create_foreign_key(
        op.f(f"fk_{table}_claimant_id_parties"), "parties", ["claimant_id"], ["id"]
    )
    batch.create_check_constraint(op.f(f"ck_{table}_date_latest_order"), LATEST)
    if until:
        batch.create_check_constraint(
            op.f(f"ck_{table}_until_order"),
            "until_date IS NULL OR until_date > COALESCE(date_latest, date)",
        )


def upgrade() -> None:
    with op.batch_alter_table("imports") as batch_op:
        batch_op.add_column(sa.Column("imported_by", sa.Text(), nullable=True))
    for table, until in (("events", True), ("incidents", False)):
        with op.batch_alter_table(table) as batch_op:
            _record_columns(batch_op, table, until=until)
        op.create_index(f"ix_{table}_record_id", table, ["record_id"], **_where("record_id"))
    op.create_table(
        "access_records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("scenario_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("segment_id", sa.String(length=200), nullable=True),
        sa.Column("road_id", sa.String(length=200), nullable=True),
        sa.Column("access", sa.String(length=20), nullable=False),
        sa.Column("party_id", sa.String(length=200), nullable=True),
        sa.Column("recorded", sa.Date(), nullable=True),
        sa.Column("source_id", sa.String(length=200), nullable=True),
        sa.Column("confidence", sa.String(length=10), nullable=True),
        sa.Column("record_id", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=True),
        sa.CheckConstraint(f"access IN ({ACCESS_LEVELS})", name=op.f("ck_access_records_access")),
        sa.CheckConstraint(
            f"confidence IS NULL OR confidence IN ({CONFIDENCES})",
            name=op.f("ck_access_records_confidence"),
        ),
        sa.CheckConstraint(
            "(CASE WHEN segment_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN road_id IS NULL THEN 0 ELSE 1 END) = 1",
            name=op.f("ck_access_records_one_target"),
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_access_records_import_id_imports")
        ),
        sa.ForeignKeyConstraint(
            ["scenario_id"], ["scenarios.id"], name=op.f("fk_access_records_scenario_id_scenarios")
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"], ["segments.id"], name=op.f("fk_access_records_segment_id_segments")
        ),
        sa.ForeignKeyConstraint(
            ["road_id"], ["roads.id"], name=op.f("fk_access_records_road_id_roads")
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_access_records_party_id_parties")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_access_records_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_records")),
        sa.UniqueConstraint(
            "import_id", "position", name=op.f("uq_access_records_import_id_position")
        ),
    )
    op.create_index(
        "ix_access_records_record_id", "access_records", ["record_id"], **_where("record_id")
    )
    for column in ("segment_id", "road_id"):
        target = column.removesuffix("_id")
        op.create_index(
            f"ix_access_records_{target}_date", "access_records", [column, "date"], **_where(column)
        )
    op.create_index(
        "ix_access_records_scenario_rows",
        "access_records",
        ["scenario_id"],
        **_where("scenario_id"),
    )
    op.create_table(
        "retractions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("scenario_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.String(length=200), nullable=True),
        sa.Column("recorded", sa.Date(), nullable=False),
        sa.Column("source_id", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=True),
        sa.Column("import_ref", sa.Integer(), nullable=True),
        sa.Column("before_import", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "record_id IS NOT NULL OR import_ref IS NOT NULL",
            name=op.f("ck_retractions_names_what_it_retracts"),
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_retractions_import_id_imports")
        ),
        sa.ForeignKeyConstraint(
            ["import_ref"], ["imports.id"], name=op.f("fk_retractions_import_ref_imports")
        ),
        sa.ForeignKeyConstraint(
            ["before_import"], ["imports.id"], name=op.f("fk_retractions_before_import_imports")
        ),
        sa.ForeignKeyConstraint(
            ["scenario_id"], ["scenarios.id"], name=op.f("fk_retractions_scenario_id_scenarios")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_retractions_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retractions")),
        sa.UniqueConstraint(
            "import_id", "position", name=op.f("uq_retractions_import_id_position")
        ),
    )
    op.create_index("ix_retractions_record_id", "retractions", ["record_id"])
    op.create_index(
        "ix_retractions_import_ref", "retractions", ["import_ref"], **_where("import_ref")
    )
    op.create_index(
        "ix_retractions_scenario_rows", "retractions", ["scenario_id"], **_where("scenario_id")
    )


def downgrade() -> None:
    op.drop_index("ix_retractions_scenario_rows", table_name="retractions")
    op.drop_index("ix_retractions_import_ref", table_name="retractions")
    op.drop_index("ix_retractions_record_id", table_name="retractions")
    op.drop_table("retractions")
    for name in (
        "ix_access_records_scenario_rows",
        "ix_access_records_road_date",
        "ix_access_records_segment_date",
        "ix_access_records_record_id",
    ):
        op.drop_index(name, table_name="access_records")
    op.drop_table("access_records")
    for table, until in (("incidents", False), ("events", True)):
        op.drop_index(f"ix_{table}_record_id", table_name=table)
        with op.batch_alter_table(table) as batch_op:
            if until:
                batch_op.drop_constraint(op.f(f"ck_{table}_until_order"), type_="check")
            batch_op.drop_constraint(op.f(f"ck_{table}_date_latest_order"), type_="check")
            batch_op.drop_constraint(op.f(f"fk_{table}_claimant_id_parties"), type_="foreignkey")
            batch_op.drop_column("claimant_id")
            if until:
                batch_op.drop_column("until_date")
            batch_op.drop_column("date_latest")
            batch_op.drop_column("record_id")
    with op.batch_alter_table("imports") as batch_op:
        batch_op.drop_column("imported_by")
