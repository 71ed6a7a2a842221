"""Importing a dataset file: read, validate against the database, write in one transaction.

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
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from control_graph.errors import DatasetError, DatasetIssue, InvalidArgumentError
from control_graph.model.records import Confidence, Dataset, Event, Incident, Target
from control_graph.store import orm
from control_graph.store.db import write_transaction
from control_graph.store.fetch import StoredDefinitions, imports_of, name_key
from control_graph.store.files import RawEntry, detect_format, read_csv_rows, read_structured
from control_graph.store.scenarios import Overlay, overlay_for
from control_graph.store.validate import KEYS, Validator

__all__ = ["ImportReport", "add_events", "import_file", "write_dataset", "write_transaction"]

#: Rows per INSERT batch: large enough to be fast, small enough to report progress.
BATCH = 20_000

Progress = Callable[[int], None]


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

    def as_dict(self) -> dict[str, Any]:
        return {
            "import_id": self.import_id,
            "file": self.file,
            "format": self.file_format,
            "sha256": self.sha256,
            "name": self.dataset_name,
            "added": self.added,
            "skipped": self.skipped,
            "earlier_imports": [{"import_id": i, "at": at} for i, at in self.earlier_imports],
        }


#: After an import this large, PostgreSQL's statistics are refreshed.
ANALYZE_AFTER = 10_000

#: What only the reported data may define: a scenario supposes events and places, not
#: new parties, coalitions or sources.
NOT_IN_SCENARIOS = ("parties", "blocs", "sources")


def _read_and_validate(
    path: Path, data: bytes, file_format: str, conn: Connection, overlay: Overlay
) -> tuple[Dataset, dict[str, int]]:
    validator = Validator(str(path), StoredDefinitions(conn, overlay))
    if file_format == "csv":
        dataset: Dataset = _csv_events(path, data, validator)
        skipped: dict[str, int] = {}
    else:
        raw = read_structured(path, data, file_format)
        if overlay.own is not None:
            for key in NOT_IN_SCENARIOS:
                if raw.top.values.get(key):
                    validator.report(
                        raw.top,
                        key,
                        f"a scenario cannot define {key}; add them "
                        "to the reported data, then refer to them",
                    )
        validated = validator.dataset(raw)
        dataset, skipped = validated.dataset, validated.skipped
    if not validator.issues:
        validator.issues.extend(_hidden_clashes(conn, dataset, str(path)))
    if validator.issues:
        raise DatasetError(validator.issues, total=validator.problem_count)
    return dataset, skipped


@dataclass
class CsvEvents(Dataset):
    """The events of a CSV file, kept as the values to insert: a large file holds a
    million of them, and building a record per row first would double the work."""

    values: list[tuple[Any, ...]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {**super().counts(), "events": len(self.values)}


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_FAST_STATUSES = frozenset(("held", "contested", "unknown"))
_FAST_CONFIDENCES = frozenset(c.value for c in Confidence)


def _csv_events(path: Path, data: bytes, validator: Validator) -> CsvEvents:
    """Check every row of a CSV of events.

    A row that passes a few cheap checks (plain ASCII text, known ids, ISO days, a
    valid status) becomes insert values at once; any other row goes through the full
    :class:`Validator`, which accepts it or reports exactly what is wrong -- so the
    messages are those of every other import, and only the common case is fast.
    """
    places, segments, roads = (validator.known(k) for k in ("place", "segment", "road"))
    parties, sources = validator.known("party"), validator.known("source")
    days: dict[str, dt.date] = {}

    def day(text: str) -> dt.date:
        found = days.get(text)
        if found is None:
            if not _ISO_DAY.fullmatch(text):
                raise ValueError(text)
            found = days[text] = dt.date.fromisoformat(text)
        return found

    def fast(cells: dict[str, str]) -> tuple[Any, ...]:
        for text in cells.values():
            if not text.isascii() or "\x00" in text:
                raise ValueError(text)
        get = cells.get
        place, segment, road = get("place"), get("segment"), get("road")
        if (place is not None) + (segment is not None) + (road is not None) != 1:
            raise ValueError("target")
        if not (place in places or segment in segments or road in roads):
            raise ValueError("reference")
        status, party, source = get("status", "held"), get("party"), get("source")
        confidence, recorded = get("confidence"), get("recorded")
        if status not in _FAST_STATUSES or (party is None and status == "held"):
            raise ValueError("status")
        if (party is not None and party not in parties) or (
            source is not None and source not in sources
        ):
            raise ValueError("reference")
        if confidence is not None and confidence not in _FAST_CONFIDENCES:
            raise ValueError("confidence")
        return (
            day(cells["date"]),
            None if recorded is None else day(recorded),
            place,
            segment,
            road,
            status,
            party,
            get("kind"),
            source,
            confidence,
            get("note"),
            None,
        )

    result = CsvEvents()
    for row, line, cells in read_csv_rows(path, data, validator.issues):
        try:
            result.values.append(fast(cells))
        except (KeyError, ValueError):
            entry = RawEntry("events", row - 1, cells, line, label=f"row {row}")
            if validator.check_keys(entry, KEYS["events"]):
                event = validator.validate_event(entry)
                if event is not None:
                    result.values.append(_event_values(event))
    return result


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
) -> ImportReport:
    """Import a YAML, JSON or CSV dataset file into the database, all or nothing.

    With ``scenario``, everything in the file goes into that scenario, leaving the
    reported data as it is.

    ``on_total`` is told how many rows will be written once the file is validated, and
    ``progress`` how many more were written after each batch (for a progress bar).

    Raises
    ------
    DatasetError
        When the file has problems; every one is listed, nothing is written.
    """
    path = Path(path)
    file_format = detect_format(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise DatasetError(
            [DatasetIssue(str(path), "file", None, f"cannot read: {error.strerror or error}")]
        ) from None
    digest = hashlib.sha256(data).hexdigest()
    # A large import makes millions of objects that all live to the end; the cyclic
    # garbage collector would scan them again and again for nothing (a quarter of the
    # time of a 1M-row CSV).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _import(engine, path, data, file_format, digest, progress, on_total, scenario)
    finally:
        if collecting:
            gc.enable()


def _import(
    engine: Engine,
    path: Path,
    data: bytes,
    file_format: str,
    digest: str,
    progress: Progress | None,
    on_total: Callable[[int], None] | None,
    scenario: str | None,
) -> ImportReport:
    with write_transaction(engine) as conn:
        overlay = overlay_for(conn, scenario)
        dataset, skipped = _read_and_validate(path, data, file_format, conn, overlay)
        if on_total is not None:
            on_total(_row_count(dataset))
        earlier = [(ident, at.isoformat()) for ident, at in imports_of(conn, digest)]
        import_id = write_dataset(
            conn,
            dataset,
            file_name=path.name,
            sha256=digest,
            file_format=file_format,
            progress=progress,
            scenario_id=overlay.own,
        )
        if conn.dialect.name == "postgresql" and dataset.counts()["events"] > ANALYZE_AFTER:
            # Fresh statistics, or the planner may walk a whole table for one road.
            conn.exec_driver_sql("ANALYZE events")
    return ImportReport(
        import_id,
        str(path),
        file_format,
        digest,
        dataset.name,
        dataset.counts(),
        skipped,
        earlier,
    )


def _row_count(dataset: Dataset) -> int:
    return sum(dataset.counts().values())


EVENT_COLUMNS = (
    "scenario_id",
    "import_id",
    "position",
    "date",
    "recorded",
    "place_id",
    "segment_id",
    "road_id",
    "status",
    "party_id",
    "kind",
    "source_id",
    "confidence",
    "note",
    "attributes",
)
INCIDENT_COLUMNS = tuple(c for c in EVENT_COLUMNS if c != "status")


def _targets(target: Target, target_id: str) -> tuple[str | None, str | None, str | None]:
    return (
        target_id if target is Target.PLACE else None,
        target_id if target is Target.SEGMENT else None,
        target_id if target is Target.ROAD else None,
    )


def _event_values(e: Event) -> tuple[Any, ...]:
    """An event as the values of its row, from ``date`` on (see EVENT_COLUMNS)."""
    return (
        e.date,
        e.recorded,
        *_targets(e.target, e.target_id),
        e.state.status.value,
        e.party,
        e.kind,
        e.source,
        e.confidence.value if e.confidence else None,
        e.note,
        json.dumps(e.attributes, ensure_ascii=False) if e.attributes else None,
    )


def _event_rows(
    scenario_id: int | None, import_id: int, dataset: Dataset
) -> Iterator[tuple[Any, ...]]:
    values: Iterable[tuple[Any, ...]] = (
        dataset.values
        if isinstance(dataset, CsvEvents)
        else (_event_values(e) for e in dataset.events)
    )
    for position, row in enumerate(values, start=1):
        yield (scenario_id, import_id, position, *row)


def _incident_rows(
    scenario_id: int | None, import_id: int, incidents: Iterable[Incident]
) -> Iterator[tuple[Any, ...]]:
    for position, i in enumerate(incidents, start=1):
        yield (
            scenario_id,
            import_id,
            position,
            i.date,
            i.recorded,
            *_targets(i.target, i.target_id),
            i.party,
            i.kind,
            i.source,
            i.confidence.value if i.confidence else None,
            i.note,
            json.dumps(i.attributes, ensure_ascii=False) if i.attributes else None,
        )


def _insert_many(
    conn: Connection,
    table: str,
    columns: tuple[str, ...],
    rows: Iterable[tuple[Any, ...]],
    progress: Progress | None,
) -> None:
    """Bulk-insert plain tuples below SQLAlchemy's per-row processing, still inside the
    caller's transaction: COPY on PostgreSQL, executemany on SQLite. Events are the
    bulk of every large import and this is where its time goes."""
    names = ", ".join(columns)
    if conn.dialect.name == "postgresql":
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        count = 0
        with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
                if progress is not None and count % BATCH == 0:
                    progress(BATCH)
        if progress is not None and count % BATCH:
            progress(count % BATCH)
        return
    statement = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"
    dates = [i for i, c in enumerate(columns) if c in ("date", "recorded")]
    batch: list[tuple[Any, ...]] = []

    def flush() -> None:
        conn.exec_driver_sql(statement, batch)
        if progress is not None:
            progress(len(batch))
        batch.clear()

    for row in rows:
        # Stored the way SQLAlchemy's SQLite Date type stores days: ISO text.
        values = list(row)
        for i in dates:
            if values[i] is not None:
                values[i] = values[i].isoformat()
        batch.append(tuple(values))
        if len(batch) == BATCH:
            flush()
    if batch:
        flush()


def _insert(
    conn: Connection, table: Any, rows: Iterable[dict[str, Any]], progress: Progress | None
) -> None:
    batch: list[dict[str, Any]] = []
    statement = sa.insert(table)
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            conn.execute(statement, batch)
            if progress is not None:
                progress(len(batch))
            batch = []
    if batch:
        conn.execute(statement, batch)
        if progress is not None:
            progress(len(batch))


def write_dataset(
    conn: Connection,
    dataset: Dataset,
    *,
    file_name: str,
    sha256: str,
    file_format: str,
    progress: Progress | None = None,
    scenario_id: int | None = None,
) -> int:
    """Write a validated dataset inside the caller's transaction; returns the import id.

    ``scenario_id`` marks every row written as belonging to that scenario."""
    import_id = conn.execute(
        sa.insert(orm.Import).returning(orm.Import.id),
        {
            "file_name": file_name,
            "sha256": sha256,
            "file_format": file_format,
            "dataset_name": dataset.name,
            "imported_at": dt.datetime.now(dt.UTC),
            "counts": dataset.counts(),
            "scenario_id": scenario_id,
        },
    ).scalar_one()
    aliases: list[dict[str, Any]] = []
    overlay = {"scenario_id": scenario_id}

    def named(kind: str, record: Any) -> dict[str, Any]:
        for position, alias in enumerate(record.aliases, start=1):
            owner = dict.fromkeys(("party_id", "bloc_id", "place_id", "road_id", "segment_id"))
            owner[f"{kind}_id"] = record.id
            aliases.append(
                {**owner, "position": position, "alias": alias, "alias_key": name_key(alias)}
            )
        return {
            "id": record.id,
            "name": record.name,
            "name_key": name_key(record.name) if record.name else None,
            "note": record.note,
            "attributes": record.attributes,
            "import_id": import_id,
        }

    _insert(
        conn,
        orm.Party,
        ({**named("party", p), "color": p.color} for p in dataset.parties),
        progress,
    )
    _insert(conn, orm.Bloc, (named("bloc", b) for b in dataset.blocs), progress)
    _insert(
        conn,
        orm.BlocMembership,
        (
            {
                "bloc_id": b.id,
                "position": i,
                "party_id": m.party,
                "start_date": m.start,
                "end_date": m.end,
                "note": m.note,
            }
            for b in dataset.blocs
            for i, m in enumerate(b.members, start=1)
        ),
        None,
    )
    _insert(
        conn,
        orm.Place,
        (
            {**named("place", p), "kind": p.kind, "lat": p.lat, "lon": p.lon, **overlay}
            for p in dataset.places
        ),
        progress,
    )
    _insert(
        conn,
        orm.Road,
        (
            {**named("road", r), "defined_by": "places" if r.places else "segments", **overlay}
            for r in dataset.roads
        ),
        progress,
    )
    _insert(
        conn,
        orm.Segment,
        (
            {
                **named("segment", s),
                "start_place_id": s.start,
                "end_place_id": s.end,
                "length_km": s.length_km,
                "road_id": s.road,
                **overlay,
            }
            for s in dataset.segments
        ),
        progress,
    )
    _insert(
        conn,
        orm.RoadSegment,
        (
            {"road_id": r.id, "position": i, "segment_id": s}
            for r in dataset.roads
            for i, s in enumerate(r.segments, start=1)
        ),
        None,
    )
    _insert(conn, orm.Alias, aliases, None)
    _insert(
        conn,
        orm.Source,
        (
            {
                "id": s.id,
                "name": s.name,
                "url": s.url,
                "published": s.published,
                "note": s.note,
                "attributes": s.attributes,
                "import_id": import_id,
            }
            for s in dataset.sources
        ),
        progress,
    )
    _insert_many(
        conn,
        "events",
        EVENT_COLUMNS,
        _event_rows(scenario_id, import_id, dataset),
        progress,
    )
    _insert_many(
        conn,
        "incidents",
        INCIDENT_COLUMNS,
        _incident_rows(scenario_id, import_id, dataset.incidents),
        progress,
    )
    return import_id


def add_events(engine: Engine, events: list[dict[str, Any]], *, scenario: str) -> int:
    """Add events to a scenario (the keys of a dataset's events), all or nothing; returns
    the id of the import that records them.

    Raises
    ------
    DatasetError
        When an event is invalid (unknown place, held without a party, ...).
    InvalidArgumentError
        When ``scenario`` is the reported data, which only files change.
    """
    with write_transaction(engine) as conn:
        overlay = overlay_for(conn, scenario)
        if overlay.own is None:
            raise InvalidArgumentError(
                "the reported data changes only by importing files; add hypothetical "
                "events to a scenario"
            )
        validator = Validator("(events added)", StoredDefinitions(conn, overlay))
        dataset = Dataset()
        for index, values in enumerate(events):
            # The API takes dates too; the file format's fields are text.
            given = {
                k: v.isoformat() if isinstance(v, dt.date) else v
                for k, v in values.items()
                if v is not None
            }
            entry = RawEntry("events", index, given)
            if validator.check_keys(entry, KEYS["events"]):
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
