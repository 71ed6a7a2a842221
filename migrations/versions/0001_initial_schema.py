"""Initial schema: parties, blocs, places, roads, segments, sources, events, incidents
and the record of imports.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-25 14:08:05.726175
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("file_format", sa.String(length=10), nullable=False),
        sa.Column("dataset_name", sa.Text(), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imports")),
    )
    op.create_table(
        "blocs",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("name_key", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_blocs_import_id_imports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blocs")),
    )
    with op.batch_alter_table("blocs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_blocs_name_key"), ["name_key"], unique=False)

    op.create_table(
        "parties",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("name_key", sa.Text(), nullable=True),
        sa.Column("color", sa.String(length=50), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_parties_import_id_imports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parties")),
    )
    with op.batch_alter_table("parties", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_parties_name_key"), ["name_key"], unique=False)

    op.create_table(
        "places",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("name_key", sa.Text(), nullable=True),
        sa.Column("kind", sa.Text(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(lat IS NULL) = (lon IS NULL)", name=op.f("ck_places_lat_lon_together")
        ),
        sa.CheckConstraint(
            "lat IS NULL OR (lat >= -90 AND lat <= 90)", name=op.f("ck_places_lat_range")
        ),
        sa.CheckConstraint(
            "lon IS NULL OR (lon >= -180 AND lon <= 180)", name=op.f("ck_places_lon_range")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_places_import_id_imports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_places")),
    )
    with op.batch_alter_table("places", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_places_name_key"), ["name_key"], unique=False)

    op.create_table(
        "roads",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("name_key", sa.Text(), nullable=True),
        sa.Column("defined_by", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "defined_by IN ('places', 'segments')", name=op.f("ck_roads_defined_by")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_roads_import_id_imports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roads")),
    )
    with op.batch_alter_table("roads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_roads_name_key"), ["name_key"], unique=False)

    op.create_table(
        "sources",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_sources_import_id_imports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sources")),
    )
    op.create_table(
        "bloc_memberships",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("bloc_id", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.String(length=200), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "start_date IS NULL OR end_date IS NULL OR start_date < end_date",
            name=op.f("ck_bloc_memberships_ordered"),
        ),
        sa.ForeignKeyConstraint(
            ["bloc_id"], ["blocs.id"], name=op.f("fk_bloc_memberships_bloc_id_blocs")
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_bloc_memberships_party_id_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bloc_memberships")),
        sa.UniqueConstraint(
            "bloc_id", "position", name=op.f("uq_bloc_memberships_bloc_id_position")
        ),
    )
    with op.batch_alter_table("bloc_memberships", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bloc_memberships_party_id"), ["party_id"], unique=False
        )

    op.create_table(
        "segments",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("name_key", sa.Text(), nullable=True),
        sa.Column("start_place_id", sa.String(length=200), nullable=False),
        sa.Column("end_place_id", sa.String(length=200), nullable=False),
        sa.Column("length_km", sa.Float(), nullable=True),
        sa.Column("road_id", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "length_km IS NULL OR length_km >= 0", name=op.f("ck_segments_length_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["end_place_id"], ["places.id"], name=op.f("fk_segments_end_place_id_places")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_segments_import_id_imports")
        ),
        sa.ForeignKeyConstraint(["road_id"], ["roads.id"], name=op.f("fk_segments_road_id_roads")),
        sa.ForeignKeyConstraint(
            ["start_place_id"], ["places.id"], name=op.f("fk_segments_start_place_id_places")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_segments")),
    )
    with op.batch_alter_table("segments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_segments_end_place_id"), ["end_place_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_segments_name_key"), ["name_key"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_segments_start_place_id"), ["start_place_id"], unique=False
        )

    op.create_table(
        "aliases",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("party_id", sa.String(length=200), nullable=True),
        sa.Column("bloc_id", sa.String(length=200), nullable=True),
        sa.Column("place_id", sa.String(length=200), nullable=True),
        sa.Column("road_id", sa.String(length=200), nullable=True),
        sa.Column("segment_id", sa.String(length=200), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("alias", sa.Text(), nullable=False),
        sa.Column("alias_key", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "(CASE WHEN party_id IS NULL THEN 0 ELSE 1 END + CASE WHEN bloc_id IS NULL THEN 0 ELSE 1 END + CASE WHEN place_id IS NULL THEN 0 ELSE 1 END + CASE WHEN road_id IS NULL THEN 0 ELSE 1 END + CASE WHEN segment_id IS NULL THEN 0 ELSE 1 END) = 1",
            name=op.f("ck_aliases_one_owner"),
        ),
        sa.ForeignKeyConstraint(["bloc_id"], ["blocs.id"], name=op.f("fk_aliases_bloc_id_blocs")),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_aliases_party_id_parties")
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["places.id"], name=op.f("fk_aliases_place_id_places")
        ),
        sa.ForeignKeyConstraint(["road_id"], ["roads.id"], name=op.f("fk_aliases_road_id_roads")),
        sa.ForeignKeyConstraint(
            ["segment_id"], ["segments.id"], name=op.f("fk_aliases_segment_id_segments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aliases")),
    )
    with op.batch_alter_table("aliases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aliases_alias_key"), ["alias_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_aliases_bloc_id"), ["bloc_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aliases_party_id"), ["party_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aliases_place_id"), ["place_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aliases_road_id"), ["road_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aliases_segment_id"), ["segment_id"], unique=False)

    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("recorded", sa.Date(), nullable=True),
        sa.Column("place_id", sa.String(length=200), nullable=True),
        sa.Column("segment_id", sa.String(length=200), nullable=True),
        sa.Column("road_id", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("party_id", sa.String(length=200), nullable=True),
        sa.Column("kind", sa.Text(), nullable=True),
        sa.Column("source_id", sa.String(length=200), nullable=True),
        sa.Column("confidence", sa.String(length=10), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=True),
        sa.CheckConstraint(
            "confidence IS NULL OR confidence IN ('high', 'medium', 'low')",
            name=op.f("ck_events_confidence"),
        ),
        sa.CheckConstraint(
            "status <> 'held' OR party_id IS NOT NULL", name=op.f("ck_events_held_has_party")
        ),
        sa.CheckConstraint(
            "status IN ('held', 'contested', 'unknown')", name=op.f("ck_events_status")
        ),
        sa.CheckConstraint(
            "(CASE WHEN place_id IS NULL THEN 0 ELSE 1 END + CASE WHEN segment_id IS NULL THEN 0 ELSE 1 END + CASE WHEN road_id IS NULL THEN 0 ELSE 1 END) = 1",
            name=op.f("ck_events_one_target"),
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_events_import_id_imports")
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_events_party_id_parties")
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["places.id"], name=op.f("fk_events_place_id_places")
        ),
        sa.ForeignKeyConstraint(["road_id"], ["roads.id"], name=op.f("fk_events_road_id_roads")),
        sa.ForeignKeyConstraint(
            ["segment_id"], ["segments.id"], name=op.f("fk_events_segment_id_segments")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_events_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("import_id", "position", name=op.f("uq_events_import_id_position")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_place_date", ["place_id", "date"], unique=False)
        batch_op.create_index("ix_events_road_date", ["road_id", "date"], unique=False)
        batch_op.create_index("ix_events_segment_date", ["segment_id", "date"], unique=False)

    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("recorded", sa.Date(), nullable=True),
        sa.Column("place_id", sa.String(length=200), nullable=True),
        sa.Column("segment_id", sa.String(length=200), nullable=True),
        sa.Column("road_id", sa.String(length=200), nullable=True),
        sa.Column("party_id", sa.String(length=200), nullable=True),
        sa.Column("kind", sa.Text(), nullable=True),
        sa.Column("source_id", sa.String(length=200), nullable=True),
        sa.Column("confidence", sa.String(length=10), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=True),
        sa.CheckConstraint(
            "confidence IS NULL OR confidence IN ('high', 'medium', 'low')",
            name=op.f("ck_incidents_confidence"),
        ),
        sa.CheckConstraint(
            "(CASE WHEN place_id IS NULL THEN 0 ELSE 1 END + CASE WHEN segment_id IS NULL THEN 0 ELSE 1 END + CASE WHEN road_id IS NULL THEN 0 ELSE 1 END) = 1",
            name=op.f("ck_incidents_one_target"),
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_incidents_import_id_imports")
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_incidents_party_id_parties")
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["places.id"], name=op.f("fk_incidents_place_id_places")
        ),
        sa.ForeignKeyConstraint(["road_id"], ["roads.id"], name=op.f("fk_incidents_road_id_roads")),
        sa.ForeignKeyConstraint(
            ["segment_id"], ["segments.id"], name=op.f("fk_incidents_segment_id_segments")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_incidents_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
        sa.UniqueConstraint("import_id", "position", name=op.f("uq_incidents_import_id_position")),
    )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.create_index("ix_incidents_date", ["date"], unique=False)
        batch_op.create_index(batch_op.f("ix_incidents_place_id"), ["place_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incidents_road_id"), ["road_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incidents_segment_id"), ["segment_id"], unique=False)

    op.create_table(
        "road_segments",
        sa.Column("road_id", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["road_id"], ["roads.id"], name=op.f("fk_road_segments_road_id_roads")
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"], ["segments.id"], name=op.f("fk_road_segments_segment_id_segments")
        ),
        sa.PrimaryKeyConstraint("road_id", "position", name=op.f("pk_road_segments")),
    )
    with op.batch_alter_table("road_segments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_road_segments_segment_id"), ["segment_id"], unique=False
        )


def downgrade() -> None:
    # Dropping a table drops its indexes; children go before the tables they refer to.
    for table in (
        "road_segments",
        "incidents",
        "events",
        "aliases",
        "segments",
        "bloc_memberships",
        "sources",
        "roads",
        "places",
        "parties",
        "blocs",
        "imports",
    ):
        op.drop_table(table)
