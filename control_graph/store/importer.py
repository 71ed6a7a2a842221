"""Importing a dataset file: load it against the database, write it in one transaction.

The whole import -- validation included -- runs inside one write transaction, so what
validation saw is what the write lands on, and any error (a problem in the file, a
constraint the database refuses, the process being killed) leaves the database exactly
as it was. Imports are serialised (SQLite's write lock, taken at BEGIN; a PostgreSQL
advisory lock), which is also what makes "a later import after an earlier one" a
well-defined order for events of the same day.
"""

from __future__ import annotations

import gc
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from control_graph.dataset.load import load_dataset
from control_graph.dataset.validate import Validator
from control_graph.errors import DatasetError, DatasetIssue, InvalidArgumentError
from control_graph.model.records import Dataset
from control_graph.store import orm
from control_graph.store.db import write_transaction
from control_graph.store.read import StoredDefinitions, imports_of
from control_graph.store.scenarios import overlay_for
from control_graph.store.write import Progress, write_dataset

__all__ = ["ImportReport", "add_events", "import_file"]

#: After an import this large, PostgreSQL's statistics are refreshed.
ANALYZE_AFTER = 10_000


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
            )
            dataset = loaded.dataset
            clashes = _hidden_clashes(conn, dataset, str(loaded.path))
            if clashes:
                raise DatasetError(clashes)
            if on_total is not None:
                on_total(sum(dataset.counts().values()))
            digest = hashlib.sha256(loaded.data).hexdigest()
            earlier = [(ident, at.isoformat()) for ident, at in imports_of(conn, digest)]
            import_id = write_dataset(
                conn,
                dataset,
                file_name=loaded.path.name,
                sha256=digest,
                file_format=loaded.file_format,
                progress=progress,
                scenario_id=overlay.own,
            )
            if conn.dialect.name == "postgresql" and dataset.counts()["events"] > ANALYZE_AFTER:
                # Fresh statistics, or the planner may walk a whole table for one road.
                conn.exec_driver_sql("ANALYZE events")
    finally:
        if collecting:
            gc.enable()
    return ImportReport(
        import_id,
        str(loaded.path),
        loaded.file_format,
        digest,
        dataset.name,
        dataset.counts(),
        loaded.skipped,
        earlier,
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
