"""The database schema, as a typed SQLAlchemy 2 ORM.

The schema itself is created and upgraded by the Alembic migrations in ``migrations/``;
these classes must describe exactly the same tables (a test runs ``alembic check``).
Rules that can be stated in the database are stated there too (foreign keys, unique
ids, check constraints on statuses and confidences, exactly one target per event), so a
row written by hand cannot break them either.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from control_graph.store.rows import DAY_COLUMNS, LONG_SPANS

__all__ = [
    "AccessRecord",
    "Alias",
    "Base",
    "Bloc",
    "BlocMembership",
    "Event",
    "Import",
    "Incident",
    "Party",
    "Place",
    "Retraction",
    "Road",
    "RoadSegment",
    "Scenario",
    "Segment",
    "Source",
    "SpanHolder",
    "StateSpan",
    "Suppression",
    "declare_partial_indexes",
]

# Stable constraint names, so migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ID = String(200)
STATUSES = "'held', 'contested', 'unknown'"
CONFIDENCES = "'high', 'medium', 'low'"
ACCESS_LEVELS = "'open', 'restricted', 'taxed', 'fire-control', 'blocked'"
LATEST_NOT_BEFORE_DATE = "date_latest IS NULL OR date_latest >= date"
ONE_TARGET = (
    "(CASE WHEN place_id IS NULL THEN 0 ELSE 1 END"
    " + CASE WHEN segment_id IS NULL THEN 0 ELSE 1 END"
    " + CASE WHEN road_id IS NULL THEN 0 ELSE 1 END) = 1"
)


#: Partial indexes -- only rows where a column is set: most rows are reported data (no
#: scenario) and most events name one target, so the indexes stay small, and SQLite's
#: planner, without statistics, cannot mistake the index on scenario_id for a good way
#: to find reported rows. ``(table, index, columns, the column that must be set)``.
#: Spans longer than LONG_SPAN_DAYS (or open) have an index of their own (LONG_SPANS).
#: They are attached to the tables by :func:`declare_partial_indexes`, not here: their
#: dialect options load every SQL dialect, which a question on SQLite should not pay
#: for at start-up. The migrations create them; Alembic's comparison (migrations/env.py
#: and the schema test) declares them first.
PARTIAL_INDEXES: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("imports", "ix_imports_scenario_rows", ("scenario_id",), "scenario_id IS NOT NULL"),
    ("places", "ix_places_scenario_rows", ("scenario_id",), "scenario_id IS NOT NULL"),
    ("roads", "ix_roads_scenario_rows", ("scenario_id",), "scenario_id IS NOT NULL"),
    ("segments", "ix_segments_scenario_rows", ("scenario_id",), "scenario_id IS NOT NULL"),
    ("events", "ix_events_scenario_rows", ("scenario_id",), "scenario_id IS NOT NULL"),
    ("incidents", "ix_incidents_scenario_rows", ("scenario_id",), "scenario_id IS NOT NULL"),
    (
        "access_records",
        "ix_access_records_scenario_rows",
        ("scenario_id",),
        "scenario_id IS NOT NULL",
    ),
    ("retractions", "ix_retractions_scenario_rows", ("scenario_id",), "scenario_id IS NOT NULL"),
    ("events", "ix_events_record_id", ("record_id",), "record_id IS NOT NULL"),
    ("incidents", "ix_incidents_record_id", ("record_id",), "record_id IS NOT NULL"),
    ("access_records", "ix_access_records_record_id", ("record_id",), "record_id IS NOT NULL"),
    ("events", "ix_events_place_date", ("place_id", "date"), "place_id IS NOT NULL"),
    ("events", "ix_events_segment_date", ("segment_id", "date"), "segment_id IS NOT NULL"),
    ("events", "ix_events_road_date", ("road_id", "date"), "road_id IS NOT NULL"),
    ("events", "ix_events_claimant", ("claimant_id",), "claimant_id IS NOT NULL"),
    (
        "access_records",
        "ix_access_records_segment_date",
        ("segment_id", "date"),
        "segment_id IS NOT NULL",
    ),
    ("access_records", "ix_access_records_road_date", ("road_id", "date"), "road_id IS NOT NULL"),
    ("retractions", "ix_retractions_import_ref", ("import_ref",), "import_ref IS NOT NULL"),
    # Spans longer than a month, or open: see store.spans.read_day. With the columns a
    # day's reading groups them by, and the length the condition tests, so that the
    # index alone answers (migration 0008).
    (
        "state_spans",
        "ix_state_spans_long",
        ("start_day", "end_day", *DAY_COLUMNS, "element_id", "length_days"),
        LONG_SPANS,
    ),
)


def declare_partial_indexes() -> None:
    """Attach :data:`PARTIAL_INDEXES` to the tables of :class:`Base` (once)."""
    tables = Base.metadata.tables
    for table, name, columns, where in PARTIAL_INDEXES:
        if any(index.name == name for index in tables[table].indexes):
            continue
        condition = text(where)
        Index(
            name,
            *(tables[table].c[column] for column in columns),
            sqlite_where=condition,
            postgresql_where=condition,
        )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Import(Base):
    """One file loaded into the database: what, when, and how much it added."""

    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    file_name: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    file_format: Mapped[str] = mapped_column(String(10))
    dataset_name: Mapped[str | None] = mapped_column(Text)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    counts: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: The scenario this belongs to; ``None`` for the reported data.
    scenario_id: Mapped[int | None] = mapped_column(ForeignKey("scenarios.id"))
    #: Who imported it: the operating-system user, or the name given with ``--by``.
    imported_by: Mapped[str | None] = mapped_column(Text)


class Scenario(Base):
    """A named what-if overlay on the reported data (or on another scenario).

    Its extra places, segments, roads, events and incidents carry its id; the events it
    supposes false are listed in :class:`Suppression`. Reported rows are never changed.
    """

    __tablename__ = "scenarios"
    __table_args__ = (CheckConstraint("name <> 'reported'", name="name_not_reserved"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(ID, unique=True)
    base_id: Mapped[int | None] = mapped_column(ForeignKey("scenarios.id"))
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Suppression(Base):
    """An event a scenario supposes false: the scenario answers as if it were absent."""

    __tablename__ = "scenario_suppressions"

    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id"), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), primary_key=True)
    note: Mapped[str | None] = mapped_column(Text)


class Party(Base):
    __tablename__ = "parties"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str | None] = mapped_column(Text)
    name_key: Mapped[str | None] = mapped_column(Text, index=True)
    color: Mapped[str | None] = mapped_column(String(50))
    note: Mapped[str | None] = mapped_column(Text)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON)
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id"))


class Bloc(Base):
    __tablename__ = "blocs"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str | None] = mapped_column(Text)
    name_key: Mapped[str | None] = mapped_column(Text, index=True)
    note: Mapped[str | None] = mapped_column(Text)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON)
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id"))


class BlocMembership(Base):
    """A party's membership of a bloc, from ``start`` (inclusive) to ``end`` (exclusive)."""

    __tablename__ = "bloc_memberships"
    __table_args__ = (
        CheckConstraint(
            "start_date IS NULL OR end_date IS NULL OR start_date < end_date", name="ordered"
        ),
        UniqueConstraint("bloc_id", "position"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    bloc_id: Mapped[str] = mapped_column(ForeignKey("blocs.id"))
    position: Mapped[int] = mapped_column(Integer)
    party_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), index=True)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)


class Place(Base):
    __tablename__ = "places"
    __table_args__ = (
        CheckConstraint("(lat IS NULL) = (lon IS NULL)", name="lat_lon_together"),
        CheckConstraint("lat IS NULL OR (lat >= -90 AND lat <= 90)", name="lat_range"),
        CheckConstraint("lon IS NULL OR (lon >= -180 AND lon <= 180)", name="lon_range"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str | None] = mapped_column(Text)
    name_key: Mapped[str | None] = mapped_column(Text, index=True)
    kind: Mapped[str | None] = mapped_column(Text)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON)
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id"))
    #: The scenario this belongs to; ``None`` for the reported data.
    scenario_id: Mapped[int | None] = mapped_column(ForeignKey("scenarios.id"))


class Road(Base):
    """A named route. ``defined_by`` says whether the file gave its places (and the road
    generated its own segments) or chained existing segments."""

    __tablename__ = "roads"
    __table_args__ = (CheckConstraint("defined_by IN ('places', 'segments')", name="defined_by"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str | None] = mapped_column(Text)
    name_key: Mapped[str | None] = mapped_column(Text, index=True)
    defined_by: Mapped[str] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(Text)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON)
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id"))
    #: The scenario this belongs to; ``None`` for the reported data.
    scenario_id: Mapped[int | None] = mapped_column(ForeignKey("scenarios.id"))


class Segment(Base):
    """An edge between two places; ``road_id`` is set when a road generated it."""

    __tablename__ = "segments"
    __table_args__ = (
        CheckConstraint("length_km IS NULL OR length_km >= 0", name="length_not_negative"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str | None] = mapped_column(Text)
    name_key: Mapped[str | None] = mapped_column(Text, index=True)
    start_place_id: Mapped[str] = mapped_column(ForeignKey("places.id"), index=True)
    end_place_id: Mapped[str] = mapped_column(ForeignKey("places.id"), index=True)
    length_km: Mapped[float | None] = mapped_column(Float)
    road_id: Mapped[str | None] = mapped_column(ForeignKey("roads.id"))
    note: Mapped[str | None] = mapped_column(Text)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON)
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id"))
    #: The scenario this belongs to; ``None`` for the reported data.
    scenario_id: Mapped[int | None] = mapped_column(ForeignKey("scenarios.id"))


class RoadSegment(Base):
    """The ordered chain of segments that makes up a road."""

    __tablename__ = "road_segments"

    road_id: Mapped[str] = mapped_column(ForeignKey("roads.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    segment_id: Mapped[str] = mapped_column(ForeignKey("segments.id"), index=True)


class Alias(Base):
    """Another name of a party, bloc, place, road or segment (exactly one of them)."""

    __tablename__ = "aliases"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN party_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN bloc_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN place_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN road_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN segment_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_owner",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    party_id: Mapped[str | None] = mapped_column(ForeignKey("parties.id"), index=True)
    bloc_id: Mapped[str | None] = mapped_column(ForeignKey("blocs.id"), index=True)
    place_id: Mapped[str | None] = mapped_column(ForeignKey("places.id"), index=True)
    road_id: Mapped[str | None] = mapped_column(ForeignKey("roads.id"), index=True)
    segment_id: Mapped[str | None] = mapped_column(ForeignKey("segments.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    alias: Mapped[str] = mapped_column(Text)
    alias_key: Mapped[str] = mapped_column(Text, index=True)


class Source(Base):
    __tablename__ = "sources"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    published: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON)
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id"))


class Event(Base):
    """A control assertion about exactly one place, segment or road.

    Events are ordered by ``(date, recorded, import_id, position)``: the import an event
    came in and its place in that file break ties between reports of the same day.
    ``recorded`` is kept as given; when absent it counts as the event's date.
    """

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint(f"status IN ({STATUSES})", name="status"),
        CheckConstraint(f"confidence IS NULL OR confidence IN ({CONFIDENCES})", name="confidence"),
        CheckConstraint("status <> 'held' OR party_id IS NOT NULL", name="held_has_party"),
        CheckConstraint(ONE_TARGET, name="one_target"),
        CheckConstraint(LATEST_NOT_BEFORE_DATE, name="date_latest_order"),
        CheckConstraint(
            "until_date IS NULL OR until_date > COALESCE(date_latest, date)", name="until_order"
        ),
        UniqueConstraint("import_id", "position"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id"))
    #: The scenario this belongs to; ``None`` for the reported data.
    scenario_id: Mapped[int | None] = mapped_column(ForeignKey("scenarios.id"))
    position: Mapped[int] = mapped_column(Integer)
    date: Mapped[dt.date] = mapped_column(Date)
    recorded: Mapped[dt.date | None] = mapped_column(Date)
    place_id: Mapped[str | None] = mapped_column(ForeignKey("places.id"))
    segment_id: Mapped[str | None] = mapped_column(ForeignKey("segments.id"))
    road_id: Mapped[str | None] = mapped_column(ForeignKey("roads.id"))
    status: Mapped[str] = mapped_column(String(10))
    party_id: Mapped[str | None] = mapped_column(ForeignKey("parties.id"))
    kind: Mapped[str | None] = mapped_column(Text)
    source_id: Mapped[str | None] = mapped_column(ForeignKey("sources.id"))
    confidence: Mapped[str | None] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(Text)
    attributes: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: Contract section 4: the record's own id, the latest day it may have happened,
    #: the first day it no longer applies, and whose claim it is.
    record_id: Mapped[str | None] = mapped_column(ID)
    date_latest: Mapped[dt.date | None] = mapped_column(Date)
    until_date: Mapped[dt.date | None] = mapped_column(Date)
    claimant_id: Mapped[str | None] = mapped_column(ForeignKey("parties.id"))


class Incident(Base):
    """Something that happened at a place, segment or road without changing control."""

    __tablename__ = "incidents"
    __table_args__ = (
        CheckConstraint(f"confidence IS NULL OR confidence IN ({CONFIDENCES})", name="confidence"),
        CheckConstraint(ONE_TARGET, name="one_target"),
        CheckConstraint(LATEST_NOT_BEFORE_DATE, name="date_latest_order"),
        UniqueConstraint("import_id", "position"),
        Index("ix_incidents_date", "date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id"))
    #: The scenario this belongs to; ``None`` for the reported data.
    scenario_id: Mapped[int | None] = mapped_column(ForeignKey("scenarios.id"))
    position: Mapped[int] = mapped_column(Integer)
    date: Mapped[dt.date] = mapped_column(Date)
    recorded: Mapped[dt.date | None] = mapped_column(Date)
    place_id: Mapped[str | None] = mapped_column(ForeignKey("places.id"), index=True)
    segment_id: Mapped[str | None] = mapped_column(ForeignKey("segments.id"), index=True)
    road_id: Mapped[str | None] = mapped_column(ForeignKey("roads.id"), index=True)
    party_id: Mapped[str | None] = mapped_column(ForeignKey("parties.id"))
    kind: Mapped[str | None] = mapped_column(Text)
    source_id: Mapped[str | None] = mapped_column(ForeignKey("sources.id"))
    confidence: Mapped[str | None] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(Text)
    attributes: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    record_id: Mapped[str | None] = mapped_column(ID)
    date_latest: Mapped[dt.date | None] = mapped_column(Date)
    claimant_id: Mapped[str | None] = mapped_column(ForeignKey("parties.id"))


class AccessRecord(Base):
    """Whether a segment (or each segment of a road) can be used, and who imposes it."""

    __tablename__ = "access_records"
    __table_args__ = (
        CheckConstraint(f"access IN ({ACCESS_LEVELS})", name="access"),
        CheckConstraint(f"confidence IS NULL OR confidence IN ({CONFIDENCES})", name="confidence"),
        CheckConstraint(
            "(CASE WHEN segment_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN road_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_target",
        ),
        UniqueConstraint("import_id", "position"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id"))
    scenario_id: Mapped[int | None] = mapped_column(ForeignKey("scenarios.id"))
    position: Mapped[int] = mapped_column(Integer)
    date: Mapped[dt.date] = mapped_column(Date)
    segment_id: Mapped[str | None] = mapped_column(ForeignKey("segments.id"))
    road_id: Mapped[str | None] = mapped_column(ForeignKey("roads.id"))
    access: Mapped[str] = mapped_column(String(20))
    party_id: Mapped[str | None] = mapped_column(ForeignKey("parties.id"))
    recorded: Mapped[dt.date | None] = mapped_column(Date)
    source_id: Mapped[str | None] = mapped_column(ForeignKey("sources.id"))
    confidence: Mapped[str | None] = mapped_column(String(10))
    record_id: Mapped[str | None] = mapped_column(ID)
    note: Mapped[str | None] = mapped_column(Text)
    attributes: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Retraction(Base):
    """Records withdrawn: they count in no answer as of the retraction's ``recorded``
    day, nor without ``--as-of``.

    A retraction names records by their id (``record_id``: every version of that
    record, or with ``before_import`` only the versions imported before that import: a
    correction), or names an import whose every record it withdraws (``import_ref``:
    an import undone). ``record_id`` names a record of any of three tables, so it is
    checked on import rather than by a foreign key.
    """

    __tablename__ = "retractions"
    __table_args__ = (
        CheckConstraint(
            "record_id IS NOT NULL OR import_ref IS NOT NULL", name="names_what_it_retracts"
        ),
        UniqueConstraint("import_id", "position"),
        Index("ix_retractions_record_id", "record_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id"))
    scenario_id: Mapped[int | None] = mapped_column(ForeignKey("scenarios.id"))
    position: Mapped[int] = mapped_column(Integer)
    record_id: Mapped[str | None] = mapped_column(ID)
    recorded: Mapped[dt.date] = mapped_column(Date)
    source_id: Mapped[str | None] = mapped_column(ForeignKey("sources.id"))
    note: Mapped[str | None] = mapped_column(Text)
    attributes: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    import_ref: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))
    before_import: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))


class StateSpan(Base):
    """What the engine computed for the reported data: a place's or segment's state in
    both readings over a stretch of days (see :mod:`control_graph.model.stored`).

    Derived data: rewritten inside every import, retraction and undo for the elements
    they touch, so it never disagrees with the events (``check --deep`` recomputes and
    compares). A question on a day reads the spans containing it through the index of
    their end and start days.
    """

    __tablename__ = "state_spans"
    __table_args__ = (
        Index("ix_state_spans_element", "element_id", "start_day"),
        Index("ix_state_spans_start_day", "start_day", "end_day"),
        CheckConstraint("end_day IS NULL OR end_day > start_day", name="ordered"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    element_id: Mapped[str] = mapped_column(ID)
    element_type: Mapped[str] = mapped_column(String(10))
    start_day: Mapped[dt.date] = mapped_column(Date)
    end_day: Mapped[dt.date | None] = mapped_column(Date)
    #: ``end_day - start_day``, ``None`` while open: what the long-span index selects.
    length_days: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))
    controller: Mapped[str | None] = mapped_column(ID)
    own: Mapped[bool | None] = mapped_column(Boolean)
    late_status: Mapped[str] = mapped_column(String(10))
    late_controller: Mapped[str | None] = mapped_column(ID)
    late_own: Mapped[bool | None] = mapped_column(Boolean)
    before_status: Mapped[str] = mapped_column(String(10))
    before_controller: Mapped[str | None] = mapped_column(ID)
    #: Whether a rival claim disputes the deciding report (default window; migration 0006).
    disputed: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))


class SpanHolder(Base):
    """Each party that the state spans name, and how often: what a map's legend lists
    (every party holding something at some time) without reading every span.

    Derived data, kept with the spans: ``spans`` counts the spans naming the party as
    controller plus those naming it as the late reading's controller; every write of
    spans adds what it writes and subtracts what it deletes (migration 0007).
    """

    __tablename__ = "span_holders"

    party_id: Mapped[str] = mapped_column(ID, primary_key=True)
    spans: Mapped[int] = mapped_column(Integer)
