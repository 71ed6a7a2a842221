"""Everything a model sees as one dataset: the backup and hand-over format.

A database keeps history a dataset file cannot hold as such: several versions of a
record (a correction stores the new one and retracts the old ones from the day it was
recorded) and whole imports undone. :func:`read_dataset` expresses both with what the
format has -- ids and retractions by id -- so that the file, imported into a new
database, gives the same answers to every question, ``--as-of`` included:

* the current version of a record keeps its id; each earlier version gets the id
  ``<id>.v<n>`` and a retraction from the day the correction was recorded, and the
  version a correction added is given that day as its ``recorded`` (it was not known
  before);
* the records of an undone import keep their ids, or get ``import-<n>-<k>``, with a
  retraction from the day of the undo;
* a retraction by id applies to every version, so it is written for each.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from control_graph.model.records import Access, Dataset, Event, Incident, Retraction
from control_graph.store import orm, reports
from control_graph.store.read import (
    dataset_names,
    read_blocs,
    read_parties,
    read_places,
    read_roads,
    read_segments,
    read_sources,
)
from control_graph.store.scenarios import REPORTED_OVERLAY, Overlay

__all__ = ["read_dataset"]

Record = Event | Incident | Access
_SECTIONS = (("events", orm.Event), ("incidents", orm.Incident), ("access", orm.AccessRecord))


def _day(value: Any) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def read_dataset(conn: Connection, overlay: Overlay = REPORTED_OVERLAY) -> Dataset:
    """Everything the overlay sees, as one dataset: definitions by id, events in the
    contract's order (less those a scenario supposes false), incidents, access records,
    and retractions expressing corrections and undone imports (see the module)."""
    layer = reports.layers(overlay)
    # Every record with where it came from: (section, row, record).
    found: list[tuple[str, Any, Record]] = []
    for section, table in _SECTIONS:
        conditions = [overlay.visible(table.scenario_id)]
        if table is orm.Event:
            conditions.append(overlay.not_suppressed(table.id))
        for row in conn.execute(sa.select(*table.__table__.columns).where(*conditions)):
            found.append((section, row, reports.record_of(section, row)))
    r = orm.Retraction
    retractions = list(
        conn.execute(
            sa.select(
                r.record_id,
                r.recorded,
                r.source_id,
                r.note,
                r.attributes,
                r.import_ref,
                r.before_import,
            )
            .where(overlay.visible(r.scenario_id))
            .order_by(r.import_id, r.position)
        )
    )
    versions: dict[str, list[tuple[str, Any, Record]]] = defaultdict(list)
    for item in found:
        if item[2].id is not None:
            versions[item[2].id].append(item)
    corrections: dict[str, list[tuple[int, dt.date]]] = defaultdict(list)
    for row in retractions:
        if row.record_id is not None and row.before_import is not None:
            corrections[row.record_id].append((row.before_import, _day(row.recorded)))
    undone = {row.import_ref: _day(row.recorded) for row in retractions if row.import_ref}

    written: dict[int, Record] = {}  # id(row) -> the record as written
    extra: list[Retraction] = []
    for ident, items in versions.items():
        items.sort(key=lambda item: (item[1].import_id, item[1].position))
        for k, (_section, row, record) in enumerate(items):
            retired = [day for before, day in corrections.get(ident, []) if row.import_id < before]
            added = [day for before, day in corrections.get(ident, []) if row.import_id == before]
            changes: dict[str, Any] = {}
            if k < len(items) - 1:
                changes["id"] = f"{ident}.v{k + 1}"
            if added:
                changes["recorded"] = max(added)
            if changes:
                record = dataclasses.replace(record, **changes)
            if retired:
                extra.append(Retraction(record.id or ident, min(retired), note="corrected"))
            written[id(row)] = record
    counter = 0
    for _section, row, record in found:
        if row.import_id in undone:
            record = written.get(id(row), record)
            if record.id is None:
                counter += 1
                record = dataclasses.replace(record, id=f"import-{row.import_id}-{counter}")
            written[id(row)] = record
            extra.append(Retraction(record.id or "", undone[row.import_id], note="import undone"))
    by_id: list[Retraction] = []
    for row in retractions:
        if row.record_id is None or row.before_import is not None:
            continue
        for _section, item, record in versions.get(row.record_id, []):
            shown = written.get(id(item), record)
            by_id.append(
                Retraction(
                    shown.id or row.record_id,
                    _day(row.recorded),
                    row.source_id,
                    row.note,
                    row.attributes or {},
                )
            )

    def records(section: str) -> list[tuple[Any, Record]]:
        return [(row, written.get(id(row), record)) for s, row, record in found if s == section]

    events = records("events")
    events.sort(
        key=lambda item: (
            item[1].date,
            item[1].recorded or item[1].date_latest or item[1].date,  # type: ignore[union-attr]
            layer.get(item[0].scenario_id, 0),
            item[0].import_id,
            item[0].position,
        )
    )
    incidents = sorted(
        records("incidents"), key=lambda i: (i[0].date, i[0].import_id, i[0].position)
    )
    access = sorted(records("access"), key=lambda a: (a[0].date, a[0].import_id, a[0].position))
    return Dataset(
        name="; ".join(dataset_names(conn)) or None,
        parties=read_parties(conn, overlay=overlay),
        blocs=read_blocs(conn, overlay=overlay),
        places=read_places(conn, overlay=overlay),
        roads=read_roads(conn, overlay=overlay),
        segments=read_segments(conn, overlay=overlay),
        sources=read_sources(conn, overlay=overlay),
        events=[record for _, record in events if isinstance(record, Event)],
        incidents=[record for _, record in incidents if isinstance(record, Incident)],
        access=[record for _, record in access if isinstance(record, Access)],
        retractions=[*by_id, *extra],
    )
