"""The SQL an audit is built of: the tables it reads, and the expressions its queries
share (which element a record names, when it became known, whether reports disagree).

SQLAlchemy Core over the ORM tables; everything runs on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from control_graph.store import orm
from control_graph.store.audit.rows import Record

__all__ = [
    "ACCESS",
    "CLASSES",
    "EVENTS",
    "IMPORTS",
    "INCIDENTS",
    "RECORD_TABLES",
    "RETRACTIONS",
    "ROAD_SEGMENTS",
    "SEGMENTS",
    "SOURCES",
    "TARGETS",
    "constant",
    "disagree",
    "known_day",
    "latest_of",
    "state_key",
    "target_id_of",
    "target_type_of",
    "varies",
]

EVENTS = orm.Event.__table__
INCIDENTS = orm.Incident.__table__
ACCESS = orm.AccessRecord.__table__
RETRACTIONS = orm.Retraction.__table__
IMPORTS = orm.Import.__table__
ROAD_SEGMENTS = orm.RoadSegment.__table__
SEGMENTS = orm.Segment.__table__
SOURCES = orm.Source.__table__
RECORD_TABLES: tuple[tuple[Record, sa.FromClause], ...] = (
    ("event", EVENTS),
    ("incident", INCIDENTS),
    ("access", ACCESS),
)
#: The ORM class of each table whose rows a retraction can name.
CLASSES: dict[sa.FromClause, Any] = {
    EVENTS: orm.Event,
    INCIDENTS: orm.Incident,
    ACCESS: orm.AccessRecord,
}
#: The event columns that name its element, with the name of that kind of element.
TARGETS = (
    ("place", EVENTS.c.place_id),
    ("segment", EVENTS.c.segment_id),
    ("road", EVENTS.c.road_id),
)


def constant(text: str) -> Any:
    # Rendered inline, not bound: PostgreSQL cannot always infer the type of a bound
    # parameter inside CASE or UNION. Only fixed words of ours go through here.
    return sa.literal_column(f"'{text}'", sa.String)


def _targets(table: sa.FromClause) -> list[tuple[str, Any]]:
    """The columns of ``table`` that name an element (access records have no place)."""
    return [
        (name, table.c[f"{name}_id"])
        for name in ("place", "segment", "road")
        if f"{name}_id" in table.c
    ]


def target_type_of(table: sa.FromClause) -> Any:
    """The kind of element a row of ``table`` names: ``place``, ``segment`` or ``road``."""
    *named, (last, _) = _targets(table)
    return sa.case(
        *((column.is_not(None), constant(name)) for name, column in named),
        else_=constant(last),
    )


def target_id_of(table: sa.FromClause) -> Any:
    """The id of the element a row of ``table`` names."""
    return sa.func.coalesce(*(column for _, column in _targets(table)))


def latest_of(table: sa.FromClause) -> Any:
    """``date_latest`` where the table has it, else null."""
    return table.c.date_latest if "date_latest" in table.c else sa.null()


def known_day(table: sa.FromClause) -> Any:
    """The day a record became known: ``recorded``, else ``date_latest``, else its date."""
    days = [table.c.recorded, table.c.date]
    if "date_latest" in table.c:
        days.insert(1, table.c.date_latest)
    # Typed, so that SQLite's text comes back as a day.
    return sa.type_coerce(sa.func.coalesce(*days), sa.Date)


def state_key(table: sa.FromClause) -> Any:
    """What an event asserts, as one comparable value: the party matters only when held
    (a party on a contested or unknown event names who is fighting, not who holds)."""
    return sa.case(
        (table.c.status == "held", constant("held:") + table.c.party_id),
        else_=table.c.status,
    )


def varies(value: Any) -> Any:
    """In a group, ``value`` takes more than one value (``NULL`` aside); cheaper than
    counting distinct values, which sorts every group."""
    return sa.func.min(value) != sa.func.max(value)


def disagree(state: Any, source: Any) -> Any:
    """In a group of reports, some pair contradicts: different states, and more than
    one source or a report without one."""
    return sa.and_(
        varies(state),
        sa.or_(varies(source), sa.func.count(source) < sa.func.count()),
    )
