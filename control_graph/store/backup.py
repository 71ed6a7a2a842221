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
* a retraction by id applies to every version, so it is written for each;
* undoing an import undoes what it withdrew too (a correction, a retraction): a version
  counted again from the day of the undo is written once more as ``<id>.r<n>``,
  recorded that day (so among reports of the same day it sorts as recorded then).
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
                r.import_id,
            )
            .where(overlay.visible(r.scenario_id))
            .order_by(r.import_id, r.position)
        )
    )
    undone = {row.import_ref: _day(row.recorded) for row in retractions if row.import_ref}
    versions: dict[str, list[tuple[str, Any, Record]]] = defaultdict(list)
    for item in found:
        if item[2].id is not None:
            versions[item[2].id].append(item)
    # What withdraws each version, as (from, until or None, the retraction row or None):
    # a retraction whose own import was undone withdraws only until the undo.
    spells: dict[int, list[tuple[dt.date, dt.date | None, Any]]] = defaultdict(list)
    corrections: dict[str, list[tuple[int, dt.date]]] = defaultdict(list)
    for row in retractions:
        if row.record_id is None:
            continue
        until = undone.get(row.import_id)
        if row.before_import is not None:
            corrections[row.record_id].append((row.before_import, _day(row.recorded)))
        for _section, item, _record in versions.get(row.record_id, []):
            if row.before_import is None or item.import_id < row.before_import:
                spells[id(item)].append((_day(row.recorded), until, row))

    written: dict[int, Record] = {}  # id(row) -> the record as written
    for ident, items in versions.items():
        items.sort(key=lambda item: (item[1].import_id, item[1].position))
        for k, (_section, row, record) in enumerate(items):
            added = [day for before, day in corrections.get(ident, []) if row.import_id == before]
            changes: dict[str, Any] = {}
            if k < len(items) - 1:
                changes["id"] = f"{ident}.v{k + 1}"
            if added:
                changes["recorded"] = max(added)
            if changes:
                record = dataclasses.replace(record, **changes)
            written[id(row)] = record
    counter = 0
    for _section, row, record in found:
        if row.import_id in undone:
            record = written.get(id(row), record)
            if record.id is None:
                counter += 1
                record = dataclasses.replace(record, id=f"import-{row.import_id}-{counter}")
            written[id(row)] = record
            spells[id(row)].append((undone[row.import_id], None, None))

    def standing_by_id(origin: Any) -> bool:
        return bool(
            origin is not None and origin.before_import is None and origin.import_id not in undone
        )

    retracted: list[Retraction] = []
    restored: list[tuple[str, Any, Record]] = []
    last_id: dict[int, str] = {}  # id(row) -> the id of its last piece
    for section, row, _record in found:
        record = written.get(id(row), _record)
        if not spells.get(id(row)) or record.id is None:
            continue
        pieces = _pieces(spells[id(row)])
        for k, (start, end, origin) in enumerate(pieces):
            shown = record
            if k:  # counted again from the day the withdrawing import was undone
                recorded = max(start, _effective_recorded(record))
                shown = dataclasses.replace(record, id=f"{record.id}.r{k}", recorded=recorded)
                restored.append((section, row, shown))
            last_id[id(row)] = shown.id or ""
            if end is not None and not standing_by_id(origin):
                retracted.append(_retraction(shown.id or "", end, origin))
    # Retractions by id that stand are written as they are, source and note with them,
    # one for each version they withdraw.
    for origin in retractions:
        if origin.record_id is None or not standing_by_id(origin):
            continue
        for _section, item, _record in versions.get(origin.record_id, []):
            ident = last_id.get(id(item), written.get(id(item), _record).id or origin.record_id)
            retracted.append(
                Retraction(
                    ident,
                    _day(origin.recorded),
                    origin.source_id,
                    origin.note,
                    origin.attributes or {},
                )
            )

    final = [(section, row, written.get(id(row), record)) for section, row, record in found]
    final.extend(restored)

    def records(section: str) -> list[tuple[Any, Record]]:
        return [(row, record) for s, row, record in final if s == section]

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
        retractions=retracted,
    )


def _effective_recorded(record: Record) -> dt.date:
    if isinstance(record, Event):
        return record.recorded or record.date_latest or record.date
    return record.recorded or record.date


def _pieces(
    spells: list[tuple[dt.date, dt.date | None, Any]],
) -> list[tuple[dt.date, dt.date | None, Any]]:
    """The stretches in which a version counts, each as (from, withdrawn on or None,
    the retraction row that withdraws it or None): the first from the beginning, each
    later one from the end of a withdrawal that was undone."""
    spells = sorted(spells, key=lambda spell: spell[0])
    pieces: list[tuple[dt.date, dt.date | None, Any]] = []
    counting_from = dt.date.min
    index = 0
    while True:
        if index == len(spells):
            pieces.append((counting_from, None, None))
            return pieces
        start, until, origin = spells[index]
        pieces.append((counting_from, start, origin))
        # Withdrawn from ``start``; overlapping withdrawals extend it.
        while index < len(spells) and spells[index][0] <= (until or dt.date.max):
            if spells[index][1] is None:
                return pieces
            until = max(until or dt.date.min, spells[index][1] or dt.date.max)
            index += 1
        if until is None:
            return pieces
        counting_from = until


def _retraction(ident: str, day: dt.date, origin: Any) -> Retraction:
    if origin is None:
        return Retraction(ident, day, note="import undone")
    if origin.before_import is not None:
        return Retraction(ident, day, note="corrected")
    return Retraction(ident, day, origin.source_id, origin.note, origin.attributes or {})
