"""Loading a dataset file: read it, validate it, and return its records.

:func:`load_dataset` is the whole file format in one call. It needs no database: what
a file refers to must then be defined in the file. The importer passes what the
database already holds (:class:`~control_graph.dataset.checks.Existing`), so that a
file may refer to places an earlier import defined, and definitions stored identically
are skipped. :func:`load_document` validates a dataset built in memory (from an ACLED
export, say) by exactly the same rules.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from control_graph.dataset.checks import Definition, Existing, Record
from control_graph.dataset.csv_reader import CsvOptions
from control_graph.dataset.raw import (
    RawDataset,
    RawEntry,
    detect_format,
    read_bytes,
    read_structured,
    scan_file,
)
from control_graph.errors import DatasetError, InvalidArgumentError
from control_graph.model.records import Dataset, Membership

if TYPE_CHECKING:
    from control_graph.dataset.validate import Validator

__all__ = [
    "NOT_IN_SCENARIOS",
    "LoadedDataset",
    "NothingStored",
    "Origin",
    "load_dataset",
    "load_document",
]

#: What only the reported data may define: a scenario supposes events and places, not
#: new parties, coalitions or sources.
NOT_IN_SCENARIOS = ("parties", "blocs", "sources")


class NothingStored:
    """An empty database: a file loaded on its own must define what it refers to."""

    def ids(self, kind: str) -> set[str]:
        return set()

    def definitions(self, kind: str, ids: Iterable[str]) -> dict[str, Definition]:
        return {}

    def memberships(self) -> list[Membership]:
        return []

    def records(self, ids: Iterable[str]) -> dict[str, Record]:
        return {}


@dataclass
class LoadedDataset:
    """A validated file: its records, and what was skipped as already stored.

    A streamed CSV (``load_dataset(..., stream=True)``) is not read yet: its
    ``dataset`` is a :class:`~control_graph.dataset.csv_events.CsvEventStream` whose rows
    are checked as they are written; :meth:`finish` then raises its problems, and
    :meth:`close` closes the file.
    """

    path: Path
    file_format: str
    data: bytes
    dataset: Dataset
    skipped: dict[str, int] = field(default_factory=dict)
    #: Records whose id is stored with other content, to be replaced: id -> what differs.
    changed: dict[str, str] = field(default_factory=dict)
    #: The SHA-256 of the file, when it was computed without keeping ``data``.
    sha256: str | None = None
    #: About how many rows a streamed file holds (its lines), for a progress bar.
    expected_rows: int | None = None
    _validator: Validator | None = None
    _handle: TextIO | None = None

    @property
    def digest(self) -> str:
        """The SHA-256 of the file, in hex."""
        return self.sha256 or hashlib.sha256(self.data).hexdigest()

    def finish(self) -> None:
        """After a streamed dataset was written: raise every problem its rows had
        (the caller's transaction then rolls back), and take in what was skipped.

        Raises
        ------
        DatasetError
            Listing every problem found.
        """
        validator = self._validator
        if validator is None:
            return
        self.close()
        if validator.issues:
            raise DatasetError(validator.issues, total=validator.problem_count)
        skipped = getattr(self.dataset, "skipped", {})
        self.skipped = dict(skipped)
        self.changed = dict(validator.changed)
        validator.forget_file_ids()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def load_dataset(
    path: str | Path,
    *,
    existing: Existing | None = None,
    in_scenario: bool = False,
    replace_changed: bool = False,
    csv_options: CsvOptions | None = None,
    stream: bool = False,
) -> LoadedDataset:
    """Read and validate a YAML, JSON or CSV dataset file.

    Parameters
    ----------
    path
        The file; its extension says its format (``.yaml``/``.yml``, ``.json``, ``.csv``).
    existing
        What the database it goes into holds (default: nothing).
    in_scenario
        The file goes into a scenario, which may not define parties, blocs or sources.
    replace_changed
        A record whose id is stored with other content is a correction (listed in
        ``changed``), not an error.
    csv_options
        How to read a CSV whose layout is not the format's own (its columns, date
        format, separator); only for CSV files.
    stream
        Leave a CSV of events unread, to be checked as it is written (see
        :class:`LoadedDataset`): for an import inside one transaction, in memory that
        does not grow with the file.

    Raises
    ------
    DatasetError
        Listing every problem found, each naming file, entry, line and field.
    InvalidArgumentError
        When ``csv_options`` are given for a file that is not a CSV.

    Examples
    --------
    >>> import control_graph as cg
    >>> loaded = load_dataset(cg.sample_path())
    >>> loaded.dataset.counts()["places"] > 10
    True
    """
    from control_graph.dataset.validate import Validator

    path = Path(path)
    file_format = detect_format(path)
    if csv_options is not None and csv_options.given and file_format != "csv":
        raise InvalidArgumentError(
            f"{path.name}: columns, date format and delimiter apply to CSV files only"
        )
    if stream and file_format == "csv":
        return _streamed_csv(path, existing, replace_changed, csv_options)
    data = read_bytes(path)
    stored = existing if existing is not None else NothingStored()
    if file_format == "csv":
        from control_graph.dataset.csv_events import CsvValidator

        date_format = csv_options.date_format if csv_options is not None else None
        validator: Validator = CsvValidator(str(path), stored, date_format)
    else:
        validator = Validator(str(path), stored)
    validator.replace_changed = replace_changed
    # A large file makes millions of objects that all live to the end; the cyclic
    # garbage collector would scan them again and again for nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        if file_format == "csv":
            from control_graph.dataset.csv_events import read_csv_events

            dataset: Dataset = read_csv_events(path, data, validator, csv_options)
            skipped: dict[str, int] = dict(getattr(dataset, "skipped", {}))
        else:
            raw = read_structured(path, data, file_format)
            if in_scenario:
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
    finally:
        if collecting:
            gc.enable()
    if validator.issues:
        raise DatasetError(validator.issues, total=validator.problem_count)
    return LoadedDataset(path, file_format, data, dataset, skipped, validator.changed)


def _streamed_csv(
    path: Path,
    existing: Existing | None,
    replace_changed: bool,
    csv_options: CsvOptions | None,
) -> LoadedDataset:
    from control_graph.dataset.csv_events import CsvEventStream, CsvValidator, read_csv_events

    scanned = scan_file(path)  # the hash, and a file known to decode
    date_format = csv_options.date_format if csv_options is not None else None
    validator = CsvValidator(
        str(path), existing if existing is not None else NothingStored(), date_format
    )
    validator.replace_changed = replace_changed
    handle = path.open(encoding="utf-8-sig", newline="")
    try:
        dataset = read_csv_events(path, handle, validator, csv_options, stream=True)
        if validator.issues:  # the header, or (access records) any row
            raise DatasetError(validator.issues, total=validator.problem_count)
    except BaseException:
        handle.close()
        raise
    if not isinstance(dataset, CsvEventStream):  # access records: read whole, and small
        handle.close()
        return LoadedDataset(
            path, "csv", b"", dataset, dict(getattr(dataset, "skipped", {})),
            validator.changed, scanned.sha256,
        )  # fmt: skip
    return LoadedDataset(
        path,
        "csv",
        b"",
        dataset,
        sha256=scanned.sha256,
        expected_rows=max(0, scanned.lines - 1),
        _validator=validator,
        _handle=handle,
    )


#: Where an entry of a document built in memory came from: how messages name it, and
#: its line in the file it was built from (if any).
Origin = tuple[str, int | None]


def load_document(
    document: Mapping[str, Any],
    *,
    file: str | Path,
    file_format: str,
    data: bytes = b"",
    existing: Existing | None = None,
    replace_changed: bool = False,
    origins: Mapping[tuple[str, int], Origin] | None = None,
) -> LoadedDataset:
    """Validate a dataset document built in memory, by the rules of every dataset file.

    ``document`` has the structure of a YAML or JSON dataset (days may be
    :class:`~datetime.date` values). ``file`` names what it was built from in messages,
    and ``file_format`` and ``data`` are recorded with the import. ``origins`` maps an
    entry, ``(section, index)``, to how messages name it and its line in ``file``
    (default: ``event #3``, no line).

    Raises
    ------
    DatasetError
        Listing every problem found.

    Examples
    --------
    >>> import datetime as dt
    >>> document = {
    ...     "places": [{"id": "ford"}],
    ...     "events": [{"date": dt.date(2024, 5, 1), "place": "ford", "status": "contested"}],
    ... }
    >>> load_document(document, file="(built)", file_format="api").dataset.counts()["events"]
    1
    >>> load_document({"events": [{"date": "2024-05-01", "place": "mill"}]},
    ...               file="(built)", file_format="api")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    control_graph.errors.DatasetError: import failed, nothing was written (2 problems):
      (built): event #1, field 'place': unknown place 'mill'
      (built): event #1, field 'party': is required when status is held (the default)
    """
    from control_graph.dataset.validate import Validator

    file = str(file)
    origins = origins or {}
    sections: dict[str, list[RawEntry]] = {}
    for section, items in document.items():
        if not isinstance(items, list):
            continue
        entries = sections[section] = []
        for index, item in enumerate(items):
            label, line = origins.get((section, index), (None, None))
            if isinstance(item, dict):
                entries.append(RawEntry(section, index, dict(item), line, label=label))
            else:
                entries.append(
                    RawEntry(section, index, {}, line, label=label, is_mapping=False, item=item)
                )
    raw = RawDataset(file, RawEntry("file", 0, dict(document)), sections)
    validator = Validator(file, existing if existing is not None else NothingStored())
    validator.replace_changed = replace_changed
    validated = validator.dataset(raw)
    if validator.issues:
        raise DatasetError(validator.issues, total=validator.problem_count)
    return LoadedDataset(
        Path(file), file_format, data, validated.dataset, validated.skipped, validator.changed
    )
