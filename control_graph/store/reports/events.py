"""Stored events as ``events`` lists them: with their row ids, the scenario that holds
them, and whether they are suppressed or retracted."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from control_graph.model.records import Event, Target
from control_graph.store import orm
from control_graph.store.reports.counting import effective_recorded, standing
from control_graph.store.reports.records import record_of
from control_graph.store.scenarios import REPORTED_OVERLAY, Overlay

__all__ = ["EventRecord", "read_events"]


@dataclass(frozen=True)
class EventRecord:
    """A stored event with its row id (which ``scenario suppress`` takes).

    ``record`` is the event as a dataset holds it; ``retracted`` the day of its earliest
    retraction, if any.
    """

    id: int
    record: Event
    scenario: str | None
    suppressed: bool = False
    retracted: dt.date | None = None

    @property
    def date(self) -> dt.date:
        return self.record.date

    @property
    def target(self) -> Target:
        return self.record.target

    @property
    def target_id(self) -> str:
        return self.record.target_id

    @property
    def status(self) -> str:
        return self.record.state.status.value

    @property
    def party(self) -> str | None:
        return self.record.party

    @property
    def kind(self) -> str | None:
        return self.record.kind

    @property
    def source(self) -> str | None:
        return self.record.source

    @property
    def note(self) -> str | None:
        return self.record.note

    def as_dict(self) -> dict[str, Any]:
        e = self.record
        return {
            "id": self.id,
            "record_id": e.id,
            "date": e.date.isoformat(),
            "date_latest": e.date_latest.isoformat() if e.date_latest else None,
            "until": e.until.isoformat() if e.until else None,
            "recorded": e.recorded.isoformat() if e.recorded else None,
            e.target.value: e.target_id,
            "status": e.state.status.value,
            "party": e.party,
            "claimant": e.claimant,
            "kind": e.kind,
            "source": e.source,
            "confidence": e.confidence.value if e.confidence else None,
            "note": e.note,
            "scenario": self.scenario,
            "suppressed": self.suppressed,
            "retracted": self.retracted.isoformat() if self.retracted else None,
        }


def read_events(
    conn: Connection,
    *,
    element: tuple[str, str] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    overlay: Overlay = REPORTED_OVERLAY,
    limit: int | None = None,
) -> list[EventRecord]:
    """Events about an element (a segment includes its roads' events, a road its
    segments'), or all, in the contract's order; suppressed and retracted ones are
    marked, not left out."""
    e = orm.Event
    r = orm.Retraction
    retracted_on = (
        sa.select(sa.func.min(r.recorded))
        .where(
            sa.or_(
                sa.and_(
                    r.record_id == e.record_id,
                    sa.or_(r.before_import.is_(None), e.import_id < r.before_import),
                ),
                r.import_ref == e.import_id,
            ),
            *standing(r, overlay, None),
        )
        .scalar_subquery()
    )
    query = (
        sa.select(
            *e.__table__.columns,
            orm.Scenario.name.label("scenario_name"),
            retracted_on.label("retracted_on"),
        )
        .join(orm.Scenario, orm.Scenario.id == e.scenario_id, isouter=True)
        .where(overlay.visible(e.scenario_id))
        .order_by(e.date, effective_recorded(e), e.import_id, e.position)
    )
    if element is not None:
        kind, ident = element
        if kind == "place":
            query = query.where(e.place_id == ident)
        elif kind == "segment":
            roads = sa.select(orm.RoadSegment.road_id).where(orm.RoadSegment.segment_id == ident)
            query = query.where(sa.or_(e.segment_id == ident, e.road_id.in_(roads)))
        else:
            segments = sa.select(orm.RoadSegment.segment_id).where(orm.RoadSegment.road_id == ident)
            query = query.where(sa.or_(e.road_id == ident, e.segment_id.in_(segments)))
    if start is not None:
        query = query.where(e.date >= start)
    if end is not None:
        query = query.where(e.date <= end)
    if limit is not None:
        query = query.limit(limit)
    suppressed: set[int] = set()
    if overlay.scenarios:
        suppressed = set(
            conn.execute(
                sa.select(orm.Suppression.event_id).where(
                    orm.Suppression.scenario_id.in_(overlay.scenarios)
                )
            ).scalars()
        )
    found = []
    for row in conn.execute(query):
        record = record_of("events", row)
        assert isinstance(record, Event)
        when = row.retracted_on
        if isinstance(when, str):
            when = dt.date.fromisoformat(when)
        found.append(EventRecord(row.id, record, row.scenario_name, row.id in suppressed, when))
    return found
