"""Scenarios in the database: named overlays on the reported data.

A scenario adds rows of its own (places, segments, roads, events, incidents, each
carrying its ``scenario_id``) and lists reported events it supposes false. It may be
based on another scenario, and sees everything its bases see -- including events the
reported data receives later. Reported rows are never written by scenario work.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.orm import QueryableAttribute

from control_graph.errors import InvalidArgumentError, UnknownElementError
from control_graph.store import orm

__all__ = [
    "REPORTED",
    "Overlay",
    "ScenarioInfo",
    "create_scenario",
    "delete_scenario",
    "list_scenarios",
    "overlay_for",
    "scenario_exists",
    "suppress_events",
    "unsuppress_events",
]

#: A column in a condition: of a Core table, or of an ORM class.
Column = sa.ColumnElement[Any] | QueryableAttribute[Any]
#: The name that means "no scenario": the data as reported.
REPORTED = "reported"
NAME = re.compile(r"[a-z0-9][a-z0-9._-]*")


@dataclass(frozen=True)
class Overlay:
    """Which rows a question sees: the reported data plus a scenario and its bases.

    ``scenarios`` is the chain from the scenario itself to its oldest base; empty for
    the reported data.
    """

    scenarios: tuple[int, ...] = ()
    name: str = REPORTED

    @property
    def own(self) -> int | None:
        """The id rows written in this overlay get (``None`` for reported data)."""
        return self.scenarios[0] if self.scenarios else None

    def visible(self, column: Column) -> sa.ColumnElement[bool]:
        """A condition on a ``scenario_id`` column: reported rows and the chain's rows."""
        if not self.scenarios:
            return column.is_(None)
        return sa.or_(column.is_(None), column.in_(self.scenarios))

    def not_suppressed(self, event_id: Column) -> sa.ColumnElement[bool]:
        """A condition on ``events.id``: not supposed false by the chain."""
        if not self.scenarios:
            return sa.true()
        suppressed = sa.select(orm.Suppression.event_id).where(
            orm.Suppression.scenario_id.in_(self.scenarios)
        )
        return event_id.not_in(suppressed)


REPORTED_OVERLAY = Overlay()


@dataclass(frozen=True)
class ScenarioInfo:
    """A scenario as listed: its name, base, description and what it holds."""

    name: str
    base: str
    description: str | None
    created_at: dt.datetime
    events: int
    suppressed: int
    places: int
    segments: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "base": self.base,
            "description": self.description,
            "created_at": self.created_at.isoformat(),
            "events": self.events,
            "suppressed": self.suppressed,
            "places": self.places,
            "segments": self.segments,
        }


def _row(conn: Connection, name: str) -> Any:
    row = conn.execute(
        sa.select(orm.Scenario.id, orm.Scenario.base_id).where(orm.Scenario.name == name)
    ).first()
    if row is None:
        known = list(
            conn.execute(sa.select(orm.Scenario.name).order_by(orm.Scenario.name)).scalars()
        )
        raise UnknownElementError(
            f"no scenario is called {name!r}", [(n, "scenario", n) for n in known][:20]
        )
    return row


def scenario_exists(conn: Connection, name: str) -> bool:
    """Whether a scenario called ``name`` exists."""
    query = sa.select(orm.Scenario.id).where(orm.Scenario.name == name)
    return conn.execute(query).first() is not None


def overlay_for(conn: Connection, name: str | None) -> Overlay:
    """The overlay of scenario ``name`` (``None`` or ``"reported"``: the reported data)."""
    if name is None or name == REPORTED:
        return REPORTED_OVERLAY
    row = _row(conn, name)
    chain = [row.id]
    base = row.base_id
    while base is not None:
        chain.append(base)
        base = conn.execute(
            sa.select(orm.Scenario.base_id).where(orm.Scenario.id == base)
        ).scalar_one()
    return Overlay(tuple(chain), name)


def create_scenario(
    conn: Connection, name: str, *, base: str | None = None, description: str | None = None
) -> Overlay:
    """Create scenario ``name`` on top of ``base`` (default: the reported data)."""
    if name == REPORTED or not NAME.fullmatch(name) or len(name) > 200:
        raise InvalidArgumentError(
            f"{name!r} cannot name a scenario: use lower-case letters, digits, '.', '_' and "
            f"'-' (and not {REPORTED!r})"
        )
    if conn.execute(sa.select(orm.Scenario.id).where(orm.Scenario.name == name)).first():
        raise InvalidArgumentError(f"a scenario called {name!r} already exists")
    base_overlay = overlay_for(conn, base)
    conn.execute(
        sa.insert(orm.Scenario),
        {
            "name": name,
            "base_id": base_overlay.own,
            "description": description,
            "created_at": dt.datetime.now(dt.UTC),
        },
    )
    return overlay_for(conn, name)


def list_scenarios(conn: Connection) -> list[ScenarioInfo]:
    """Every scenario, by name, with counts of what it holds itself."""
    names = {
        row.id: row.name for row in conn.execute(sa.select(orm.Scenario.id, orm.Scenario.name))
    }

    def counts(table: Any) -> dict[int, int]:
        rows = conn.execute(
            sa.select(table.scenario_id, sa.func.count())
            .where(table.scenario_id.is_not(None))
            .group_by(table.scenario_id)
        )
        return {scenario_id: count for scenario_id, count in rows}

    events, places, segments = counts(orm.Event), counts(orm.Place), counts(orm.Segment)
    suppressed = counts(orm.Suppression)
    rows = conn.execute(
        sa.select(*orm.Scenario.__table__.columns).order_by(orm.Scenario.name)
    ).all()
    return [
        ScenarioInfo(
            s.name,
            names.get(s.base_id, REPORTED) if s.base_id else REPORTED,
            s.description,
            s.created_at,
            events.get(s.id, 0),
            suppressed.get(s.id, 0),
            places.get(s.id, 0),
            segments.get(s.id, 0),
        )
        for s in rows
    ]


def _event_numbers(
    conn: Connection,
    overlay: Overlay,
    refs: Sequence[int | str],
    among: sa.ColumnElement[bool],
) -> tuple[list[int], list[int | str]]:
    """The event numbers ``refs`` name among the events the overlay sees that match
    ``among``: a number itself, a record id every version of it. Returns them in the
    order given (each once), and the refs that name none."""
    e = orm.Event
    numbers = [ref for ref in refs if isinstance(ref, int)]
    record_ids = [ref for ref in refs if isinstance(ref, str)]
    seen = overlay.visible(e.scenario_id)
    found = set(conn.execute(sa.select(e.id).where(e.id.in_(numbers), seen, among)).scalars())
    versions: dict[str | None, list[int]] = defaultdict(list)
    rows = conn.execute(
        sa.select(e.record_id, e.id).where(e.record_id.in_(record_ids), seen, among).order_by(e.id)
    )
    for record_id, number in rows:
        versions[record_id].append(number)
    named: list[int] = []
    missing: list[int | str] = []
    for ref in refs:
        hits = versions.get(ref, []) if isinstance(ref, str) else [ref] if ref in found else []
        named += hits
        if not hits:
            missing.append(ref)
    return list(dict.fromkeys(named)), missing


def _listed(refs: Sequence[int | str]) -> str:
    return ", ".join(repr(ref) if isinstance(ref, str) else str(ref) for ref in refs)


def suppress_events(
    conn: Connection, overlay: Overlay, refs: Sequence[int | str], note: str | None = None
) -> list[int]:
    """Suppose events false in a scenario, all or none; returns the event numbers
    ``refs`` named (numbers, and every version the scenario sees of each record id).

    Raises
    ------
    UnknownElementError
        When the scenario sees no event with one of the numbers or record ids.
    """
    if overlay.own is None:
        raise InvalidArgumentError("events can be suppressed only in a scenario")
    numbers, missing = _event_numbers(conn, overlay, refs, sa.true())
    if missing:
        numbered = [ref for ref in missing if isinstance(ref, int)]
        named = [ref for ref in missing if isinstance(ref, str)]
        what = [
            *([f"numbered {_listed(numbered)}"] if numbered else []),
            *([f"with the id {_listed(named)}"] if named else []),
        ]
        raise UnknownElementError(f"no event {' or '.join(what)} in scenario {overlay.name!r}")
    s = orm.Suppression
    already = set(
        conn.execute(
            sa.select(s.event_id).where(s.scenario_id == overlay.own, s.event_id.in_(numbers))
        ).scalars()
    )
    new = [number for number in numbers if number not in already]
    if new:
        conn.execute(
            sa.insert(s),
            [{"scenario_id": overlay.own, "event_id": number, "note": note} for number in new],
        )
    return numbers


def unsuppress_events(conn: Connection, overlay: Overlay, refs: Sequence[int | str]) -> list[int]:
    """Count events a scenario supposed false again, all or none; returns the event
    numbers ``refs`` named (for a record id, its versions the scenario suppresses).

    Raises
    ------
    UnknownElementError
        When the scenario suppresses no event with one of the numbers or record ids.
    """
    if overlay.own is None:
        raise InvalidArgumentError("events are suppressed only in a scenario")
    s = orm.Suppression
    mine = orm.Event.id.in_(sa.select(s.event_id).where(s.scenario_id == overlay.own))
    numbers, missing = _event_numbers(conn, overlay, refs, mine)
    if missing:
        raise UnknownElementError(
            f"scenario {overlay.name!r} does not suppress event {_listed(missing)}"
        )
    conn.execute(sa.delete(s).where(s.scenario_id == overlay.own, s.event_id.in_(numbers)))
    return numbers


def delete_scenario(conn: Connection, name: str) -> None:
    """Delete a scenario and everything it added. Scenarios based on it must go first."""
    overlay = overlay_for(conn, name)
    own = overlay.own
    children = list(
        conn.execute(sa.select(orm.Scenario.name).where(orm.Scenario.base_id == own)).scalars()
    )
    if children:
        raise InvalidArgumentError(
            f"scenario {name!r} is the base of {', '.join(sorted(children))}; delete those first"
        )
    mine = {
        kind: sa.select(table.id).where(table.scenario_id == own)
        for kind, table in (("place", orm.Place), ("road", orm.Road), ("segment", orm.Segment))
    }
    conn.execute(sa.delete(orm.Suppression).where(orm.Suppression.scenario_id == own))
    conn.execute(sa.delete(orm.Event).where(orm.Event.scenario_id == own))
    conn.execute(sa.delete(orm.Incident).where(orm.Incident.scenario_id == own))
    conn.execute(
        sa.delete(orm.RoadSegment).where(
            sa.or_(
                orm.RoadSegment.road_id.in_(mine["road"]),
                orm.RoadSegment.segment_id.in_(mine["segment"]),
            )
        )
    )
    conn.execute(
        sa.delete(orm.Alias).where(
            sa.or_(
                orm.Alias.place_id.in_(mine["place"]),
                orm.Alias.road_id.in_(mine["road"]),
                orm.Alias.segment_id.in_(mine["segment"]),
            )
        )
    )
    for table in (orm.Segment, orm.Road, orm.Place, orm.Import):
        conn.execute(sa.delete(table).where(table.scenario_id == own))
    conn.execute(sa.delete(orm.Scenario).where(orm.Scenario.id == own))
