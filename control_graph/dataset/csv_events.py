"""A CSV file of events, validated into the rows that store them.

A large CSV holds a million events, so every row first gets a few cheap checks (plain
ASCII text, known ids, a valid status and confidence, ISO days parsed through the
validator's own cache) and becomes its row at once. Any row that fails one of them goes
through the full :class:`~control_graph.dataset.validate.Validator`, which accepts it or
reports exactly what is wrong: the messages are those of every other import, and only
the common case is fast.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from control_graph.dataset.csv_reader import read_csv_rows
from control_graph.dataset.fields import CONFIDENCES, RECORD_KINDS, STATUSES
from control_graph.dataset.raw import RawEntry
from control_graph.dataset.rows import EventRow, event_row
from control_graph.dataset.validate import Validator
from control_graph.model.records import Dataset

__all__ = ["CsvEvents", "read_csv_events"]

_EVENTS = RECORD_KINDS["events"]
#: The file keys behind each column of an event's row, in row order.
_ROW_KEYS = tuple(f.key for f in _EVENTS.fields if f.column)
_STATUSES = frozenset(STATUSES)
_CONFIDENCES = frozenset(CONFIDENCES)


@dataclass
class CsvEvents(Dataset):
    """The events of a CSV file, kept as the rows to insert: a large file holds a
    million of them, and building a record per row first would double the work."""

    rows: list[EventRow] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {**super().counts(), "events": len(self.rows)}


def _fast_row(validator: Validator) -> Callable[[dict[str, str]], EventRow]:
    """The cheap checks, as one function over a row's cells; raises ``ValueError`` (or
    ``KeyError``) for any row the full validator must look at."""
    places, segments, roads = (validator.known(k) for k in ("place", "segment", "road"))
    parties, sources = validator.known("party"), validator.known("source")
    day = validator.day
    keys = _ROW_KEYS
    assert keys == (
        "date",
        "place",
        "segment",
        "road",
        "party",
        "status",
        "kind",
        "source",
        "confidence",
        "recorded",
        "note",
        "attributes",
    ), "the fast path below reads the event fields in this order"

    def fast(cells: dict[str, str]) -> EventRow:
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
        if status not in _STATUSES or (party is None and status == "held"):
            raise ValueError("status")
        if (party is not None and party not in parties) or (
            source is not None and source not in sources
        ):
            raise ValueError("reference")
        if confidence is not None and confidence not in _CONFIDENCES:
            raise ValueError("confidence")
        return (
            day(cells["date"]),
            place,
            segment,
            road,
            party,
            status,
            get("kind"),
            source,
            confidence,
            None if recorded is None else day(recorded),
            get("note"),
            None,
        )

    return fast


def read_csv_events(path: Path, data: bytes, validator: Validator) -> CsvEvents:
    """Check every row of a CSV of events; problems go to ``validator.issues``."""
    fast = _fast_row(validator)
    result = CsvEvents()
    rows = result.rows
    for row, line, cells in read_csv_rows(path, data, validator.issues):
        try:
            rows.append(fast(cells))
        except (KeyError, ValueError):
            # InvalidArgumentError, from a day that is not one, is a ValueError too.
            entry = RawEntry("events", row - 1, cells, line, label=f"row {row}")
            if validator.check_keys(entry, _EVENTS.keys):
                event = validator.validate_event(entry)
                if event is not None:
                    rows.append(event_row(event))
    return result
