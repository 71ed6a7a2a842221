"""Loading a dataset file: read it, validate it, and return its records.

:func:`load_dataset` is the whole file format in one call. It needs no database: what
a file refers to must then be defined in the file. The importer passes what the
database already holds (:class:`~control_graph.dataset.checks.Existing`), so that a
file may refer to places an earlier import defined, and definitions stored identically
are skipped.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from control_graph.dataset.checks import Definition, Existing, Record
from control_graph.dataset.raw import detect_format, read_structured
from control_graph.errors import DatasetError, DatasetIssue
from control_graph.model.records import Dataset, Membership

__all__ = ["NOT_IN_SCENARIOS", "LoadedDataset", "NothingStored", "load_dataset"]

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
    """A validated file: its records, and what was skipped as already stored."""

    path: Path
    file_format: str
    data: bytes
    dataset: Dataset
    skipped: dict[str, int] = field(default_factory=dict)
    #: Records whose id is stored with other content, to be replaced: id -> what differs.
    changed: dict[str, str] = field(default_factory=dict)


def load_dataset(
    path: str | Path,
    *,
    existing: Existing | None = None,
    in_scenario: bool = False,
    replace_changed: bool = False,
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

    Raises
    ------
    DatasetError
        Listing every problem found, each naming file, entry, line and field.

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
    try:
        data = path.read_bytes()
    except OSError as error:
        raise DatasetError(
            [DatasetIssue(str(path), "file", None, f"cannot read: {error.strerror or error}")]
        ) from None
    validator = Validator(str(path), existing if existing is not None else NothingStored())
    validator.replace_changed = replace_changed
    # A large file makes millions of objects that all live to the end; the cyclic
    # garbage collector would scan them again and again for nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        if file_format == "csv":
            from control_graph.dataset.csv_events import read_csv_events

            dataset: Dataset = read_csv_events(path, data, validator)
            skipped: dict[str, int] = {}
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
