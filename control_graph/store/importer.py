"""Importing a dataset file: load it against the database, write it in one transaction.

The whole import -- validation included -- runs inside one write transaction, so what
validation saw is what the write lands on, and any error (a problem in the file, a
constraint the database refuses, the process being killed) leaves the database exactly
as it was. Imports are serialised (SQLite's write lock, taken at BEGIN; a PostgreSQL
advisory lock), which is also what makes "a later import after an earlier one" a
well-defined order for events of the same day.
"""

from __future__ import annotations

import datetime as dt
import gc
import getpass
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from control_graph.dataset.csv_reader import CsvOptions
from control_graph.dataset.load import LoadedDataset, load_dataset
from control_graph.dataset.validate import Validator
from control_graph.errors import (
    DatasetError,
    DatasetIssue,
    InvalidArgumentError,
    UnknownElementError,
)
from control_graph.model.records import Dataset
from control_graph.store import orm
from control_graph.store.db import write_transaction
from control_graph.store.read import StoredDefinitions, imports_of
from control_graph.store.reports import record_ids as record_ids_of
from control_graph.store.scenarios import Overlay, overlay_for
from control_graph.store.write import Progress, write_dataset

__all__ = [
    "ImportReport",
    "add_events",
    "current_user",
    "import_file",
    "retract",
    "undo_import",
    "write_loaded",
]

#: After an import this large, PostgreSQL's statistics are refreshed.
ANALYZE_AFTER = 10_000
#: The tables PostgreSQL analyses after an import of many of a section's records.
_ANALYZED = {
    "events": ("events",),
    "places": ("places", "aliases"),
    "segments": ("segments", "road_segments"),
    "roads": ("roads", "segments", "road_segments"),
    "incidents": ("incidents",),
    "access": ("access_records",),
}
#: From this many places and segments touched, an import's spans are computed over
#: integer columns of the events (store.spans.materialise_bulk) rather than records.
BULK_SPANS_FROM = 2_000


@dataclass
class ImportReport:
    """What an import added, and what it skipped as already stored."""

    import_id: int
    file: str
    file_format: str
    sha256: str
    dataset_name: str | None
    added: dict[str, int]
    skipped: dict[str, int] = field(default_factory=dict)
    #: Earlier imports of a file with the same content (events are appended again).
    earlier_imports: list[tuple[int, str]] = field(default_factory=list)
    #: Records whose stored versions this import retracted and replaced: id -> what differs.
    replaced: dict[str, str] = field(default_factory=dict)
    by: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "import_id": self.import_id,
            "file": self.file,
            "format": self.file_format,
            "sha256": self.sha256,
            "name": self.dataset_name,
            "by": self.by,
            "added": self.added,
            "skipped": self.skipped,
            "replaced": [{"id": i, "differs": what} for i, what in self.replaced.items()],
            "earlier_imports": [{"import_id": i, "at": at} for i, at in self.earlier_imports],
        }


def _hidden_clashes(conn: Connection, dataset: Dataset, file: str) -> list[DatasetIssue]:
    """New ids already taken by rows this import cannot see (another scenario's, or a
    scenario's when importing reported data): ids are unique across the database."""
    issues = []
    for kind, table, records in (
        ("place", orm.Place, dataset.places),
        ("road", orm.Road, dataset.roads),
        ("segment", orm.Segment, dataset.segments),
    ):
        ids = [r.id for r in records]
        for start in range(0, len(ids), 900):
            rows = conn.execute(
                sa.select(table.id, orm.Scenario.name)
                .join(orm.Scenario, orm.Scenario.id == table.scenario_id, isouter=True)
                .where(table.id.in_(ids[start : start + 900]))
            )
            for ident, owner in rows:
                where = f"scenario {owner!r}" if owner else "the reported data"
                issues.append(
                    DatasetIssue(
                        file,
                        f"{kind} '{ident}'",
                        "id",
                        f"the id is already used by {where}; choose another",
                    )
                )
    return issues


def import_file(
    engine: Engine,
    path: str | Path,
    *,
    progress: Progress | None = None,
    on_total: Callable[[int], None] | None = None,
    scenario: str | None = None,
    replace_changed: bool = False,
    recorded: dt.date | None = None,
    by: str | None = None,
    csv_options: CsvOptions | None = None,
) -> ImportReport:
    """Import a YAML, JSON or CSV dataset file into the database, all or nothing.

    With ``scenario``, everything in the file goes into that scenario, leaving the
    reported data as it is. With ``replace_changed``, a record whose id is stored with
    other content retracts the stored versions (as of ``recorded``, default today) and
    is added as the new version, in the same transaction. ``by`` names who imports
    (default: the operating-system user). ``csv_options`` say how to read a CSV whose
    layout is not the format's own.

    ``on_total`` is told how many rows will be written once the file is validated, and
    ``progress`` how many more were written after each batch (for a progress bar).

    Raises
    ------
    DatasetError
        When the file has problems; every one is listed, nothing is written.
    """
    # A large import makes millions of objects that all live to the end; the cyclic
    # garbage collector would scan them again and again for nothing (a quarter of the
    # time of a 1M-row CSV).
    collecting = gc.isenabled()
    gc.disable()
    try:
        with write_transaction(engine) as conn:
            overlay = overlay_for(conn, scenario)
            loaded = load_dataset(
                path,
                existing=StoredDefinitions(conn, overlay),
                in_scenario=overlay.own is not None,
                replace_changed=replace_changed,
                csv_options=csv_options,
                stream=True,
            )
            try:
                return write_loaded(
                    conn,
                    loaded,
                    overlay,
                    progress=progress,
                    on_total=on_total,
                    recorded=recorded,
                    by=by,
                )
            finally:
                loaded.close()
    finally:
        if collecting:
            gc.enable()


def write_loaded(
    conn: Connection,
    loaded: LoadedDataset,
    overlay: Overlay,
    *,
    progress: Progress | None = None,
    on_total: Callable[[int], None] | None = None,
    recorded: dt.date | None = None,
    by: str | None = None,
    retractions: Mapping[str, str] | None = None,
) -> ImportReport:
    """Write a loaded dataset inside the caller's write transaction, as one import.

    The stored versions of the records it replaces (``loaded.changed``) are retracted
    as of ``recorded`` (default today), and so are the records in ``retractions`` (id
    -> note): versions imported before this import, so that a later import may add the
    record again.

    Raises
    ------
    DatasetError
        When a new id is taken by rows this import cannot see (another scenario's).
    """
    dataset = loaded.dataset
    clashes = _hidden_clashes(conn, dataset, str(loaded.path))
    if clashes:
        raise DatasetError(clashes)
    if on_total is not None:
        # A streamed CSV is counted as it is read: its lines are the estimate.
        expected = sum(dataset.counts().values()) + (loaded.expected_rows or 0)
        on_total(expected)
    digest = loaded.digest
    earlier = [(ident, at.isoformat()) for ident, at in imports_of(conn, digest)]
    who = by or current_user()
    import_id = write_dataset(
        conn,
        dataset,
        file_name=loaded.path.name,
        sha256=digest,
        file_format=loaded.file_format,
        progress=progress,
        scenario_id=overlay.own,
        imported_by=who,
        expected_events=loaded.expected_rows,
    )
    streamed = loaded.expected_rows is not None
    loaded.finish()  # a streamed CSV's problems, found as it was written
    notes = {
        ident: f"replaced by import #{import_id} ({what} changed)"
        for ident, what in loaded.changed.items()
    }
    notes.update(retractions or {})
    if notes:
        _write_retractions(
            conn,
            [
                {"record_id": ident, "before_import": import_id, "note": note}
                for ident, note in notes.items()
            ],
            import_id=import_id,
            scenario_id=overlay.own,
            recorded=recorded or dt.date.today(),
        )
    counts = dataset.counts()
    if notes or streamed:
        # The import's counts say what it withdrew too, not only what the file held
        # (and a streamed file's events are counted once read).
        counts["retractions"] += len(retractions or {})
        if loaded.changed:
            counts["corrected"] = len(loaded.changed)
        conn.execute(sa.update(orm.Import).where(orm.Import.id == import_id).values(counts=counts))
    bulk = _update_spans(conn, import_id, overlay.own)
    if conn.dialect.name == "postgresql":
        # Fresh statistics, or the planner may walk a whole table for one road (and
        # take a month's spans for a few thousand rows, not a quarter of a million).
        written = dataset.counts()
        large = [
            table
            for section, tables in _ANALYZED.items()
            if written.get(section, 0) > ANALYZE_AFTER
            for table in tables
        ]
        for table in dict.fromkeys([*large, *(["state_spans"] if bulk else [])]):
            conn.exec_driver_sql(f"ANALYZE {table}")
    return ImportReport(
        import_id,
        str(loaded.path),
        loaded.file_format,
        digest,
        dataset.name,
        dataset.counts(),
        loaded.skipped,
        earlier,
        dict(loaded.changed),
        who,
    )


def add_events(engine: Engine, events: list[dict[str, Any]], *, scenario: str) -> int:
    """Add events to a scenario (the keys of a dataset's events, with days as ``date``
    values), all or nothing; returns the id of the import that records them.

    Raises
    ------
    DatasetError
        When an event is invalid (unknown place, held without a party, ...).
    InvalidArgumentError
        When ``scenario`` is the reported data, which only files change.
    """
    from control_graph.dataset.fields import RECORD_KINDS
    from control_graph.dataset.raw import RawEntry

    with write_transaction(engine) as conn:
        overlay = overlay_for(conn, scenario)
        if overlay.own is None:
            raise InvalidArgumentError(
                "the reported data changes only by importing files; add hypothetical "
                "events to a scenario"
            )
        validator = Validator("(events added)", StoredDefinitions(conn, overlay))
        dataset = Dataset()
        keys = RECORD_KINDS["events"].keys
        for index, values in enumerate(events):
            entry = RawEntry("events", index, {k: v for k, v in values.items() if v is not None})
            if validator.check_keys(entry, keys):
                event = validator.validate_event(entry)
                if event is not None:
                    dataset.events.append(event)
        if validator.issues:
            raise DatasetError(validator.issues, total=validator.problem_count)
        text = json.dumps(events, default=str, sort_keys=True, ensure_ascii=False)
        return write_dataset(
            conn,
            dataset,
            file_name="(events added)",
            sha256=hashlib.sha256(text.encode()).hexdigest(),
            file_format="api",
            scenario_id=overlay.own,
        )


def current_user() -> str | None:
    """The operating-system user, for the record of who imported what."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (containers)
        return None


def _write_retractions(
    conn: Connection,
    rows: list[dict[str, Any]],
    *,
    import_id: int,
    scenario_id: int | None,
    recorded: dt.date,
    first_position: int = 1,
) -> None:
    """Retraction rows for an import that has its own records first (their positions
    follow them)."""
    r = orm.Retraction
    taken = conn.execute(
        sa.select(sa.func.coalesce(sa.func.max(r.position), 0)).where(r.import_id == import_id)
    ).scalar_one()
    conn.execute(
        sa.insert(r),
        [
            {
                "import_id": import_id,
                "scenario_id": scenario_id,
                "position": taken + position,
                "recorded": recorded,
                "record_id": None,
                "import_ref": None,
                "before_import": None,
                "source_id": None,
                "note": None,
                "attributes": None,
                **row,
            }
            for position, row in enumerate(rows, start=first_position)
        ],
    )


def retract(
    engine: Engine,
    record_ids: list[str],
    *,
    scenario: str | None = None,
    recorded: dt.date | None = None,
    note: str | None = None,
    by: str | None = None,
) -> int:
    """Retract records (events, incidents, access records) by id, as of ``recorded``
    (default today), in an import of their own; returns its id.

    Raises
    ------
    UnknownElementError
        When no record has one of the ids (nothing is written).
    """
    if not record_ids:
        raise InvalidArgumentError("give the ids of the records to retract")
    with write_transaction(engine) as conn:
        overlay = overlay_for(conn, scenario)
        known = record_ids_of(conn, overlay)
        missing = [ident for ident in dict.fromkeys(record_ids) if ident not in known]
        if missing:
            raise UnknownElementError(
                "no event, incident or access record has the id "
                + ", ".join(repr(m) for m in missing)
            )
        wanted = list(dict.fromkeys(record_ids))
        import_id = _bookkeeping_import(
            conn, "(retract)", wanted, overlay.own, by, {"retractions": len(wanted)}
        )
        _write_retractions(
            conn,
            [{"record_id": ident, "note": note} for ident in dict.fromkeys(record_ids)],
            import_id=import_id,
            scenario_id=overlay.own,
            recorded=recorded or dt.date.today(),
        )
        _update_spans(conn, import_id, overlay.own)
        return import_id


def undo_import(
    engine: Engine,
    undone: int,
    *,
    scenario: str | None = None,
    recorded: dt.date | None = None,
    note: str | None = None,
    by: str | None = None,
) -> int:
    """Retract everything import ``undone`` added (events, incidents, access records),
    and withdraw the retractions it held (a correction's or a file's: the versions they
    retracted count again), as of ``recorded`` (default today); the history is kept: an
    answer ``--as-of`` an earlier day still sees the import. Returns the id of the import
    that records the undo.

    Raises
    ------
    InvalidArgumentError
        When there is no such import in this scenario (or the reported data), or it is
        undone already.
    """
    with write_transaction(engine) as conn:
        overlay = overlay_for(conn, scenario)
        row = conn.execute(
            sa.select(orm.Import.id, orm.Import.scenario_id).where(orm.Import.id == undone)
        ).first()
        if row is None or row.scenario_id != overlay.own:
            where = f"scenario {overlay.name!r}" if overlay.own else "the reported data"
            raise InvalidArgumentError(f"there is no import #{undone} in {where}")
        r = orm.Retraction
        if conn.execute(sa.select(r.id).where(r.import_ref == undone)).first() is not None:
            raise InvalidArgumentError(f"import #{undone} is undone already")
        undoes = conn.execute(
            sa.select(r.import_ref).where(r.import_id == undone, r.import_ref.is_not(None))
        ).first()
        if undoes is not None:
            # One level keeps the rule simple to state and to query (reports.standing).
            raise InvalidArgumentError(
                f"import #{undone} undoes import #{undoes.import_ref}, and an undo cannot be "
                f"undone: import the file of import #{undoes.import_ref} again instead"
            )
        added = sum(
            conn.execute(
                sa.select(sa.func.count()).select_from(table).where(table.import_id == undone)
            ).scalar_one()
            for table in (orm.Event, orm.Incident, orm.AccessRecord)
        )
        import_id = _bookkeeping_import(
            conn, f"(undo import #{undone})", [undone], overlay.own, by, {"retractions": added}
        )
        _write_retractions(
            conn,
            [{"import_ref": undone, "note": note}],
            import_id=import_id,
            scenario_id=overlay.own,
            recorded=recorded or dt.date.today(),
        )
        _update_spans(conn, import_id, overlay.own)
        return import_id


def _bookkeeping_import(
    conn: Connection,
    name: str,
    content: list[Any],
    scenario_id: int | None,
    by: str | None,
    counts: dict[str, int],
) -> int:
    text = json.dumps([name, content], sort_keys=True)
    return conn.execute(
        sa.insert(orm.Import).returning(orm.Import.id),
        {
            "file_name": name,
            "sha256": hashlib.sha256(text.encode()).hexdigest(),
            "file_format": "command",
            "dataset_name": None,
            "imported_at": dt.datetime.now(dt.UTC),
            "counts": counts,
            "scenario_id": scenario_id,
            "imported_by": by or current_user(),
        },
    ).scalar_one()


def _update_spans(conn: Connection, import_id: int, scenario_id: int | None) -> bool:
    """Recompute the state spans of what an import (or a retraction, an undo) touched:
    derived data, written in the same transaction so that it never disagrees with the
    events. Only the reported data keeps spans; scenarios are computed when asked.
    Whether they were computed in bulk (many elements)."""
    if scenario_id is not None:
        return False
    from control_graph.store.spans import materialise, materialise_bulk, touched_by_import

    places, segments = touched_by_import(conn, import_id)
    if len(places) + len(segments) < BULK_SPANS_FROM:
        materialise(conn, places, segments)
        return False
    held = _count(conn, orm.Place), _count(conn, orm.Segment)
    every = (len(places), len(segments)) == held
    # Touching most of the network (a network file, a national CSV), reading all of it
    # at once is cheaper than reading the touched part in thousands of small batches.
    whole = 2 * (len(places) + len(segments)) >= sum(held)
    materialise_bulk(conn, places, segments, every=every, whole=whole)
    return True


def _count(conn: Connection, table: Any) -> int:
    query = sa.select(sa.func.count()).select_from(table).where(table.scenario_id.is_(None))
    return int(conn.execute(query).scalar_one())
