"""A CSV file of events, validated into the rows that store them.

A large CSV holds a million events, so every row first gets a few cheap checks (plain
ASCII text, known ids, a valid status and confidence, ISO days parsed through the
validator's own cache) and becomes its row at once. Any row that fails one of them goes
through the full :class:`~control_graph.dataset.validate.Validator`, which accepts it or
reports exactly what is wrong: the messages are those of every other import, and only
the common case is fast.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from control_graph.dataset.csv_reader import CsvRows
from control_graph.dataset.fields import CONFIDENCES, RECORD_KINDS, STATUSES
from control_graph.dataset.raw import RawEntry
from control_graph.dataset.rows import EventRow, event_row
from control_graph.dataset.validate import Validator
from control_graph.model.records import Dataset, Event

__all__ = ["CsvEvents", "read_csv_events"]

_EVENTS = RECORD_KINDS["events"]
#: The file keys behind each column of an event's row, in row order.
_ROW_KEYS = tuple(f.key for f in _EVENTS.fields if f.column)
_SLOW_KEYS_IN_ORDER = ("id", "date_latest", "until", "claimant")
_STATUSES = frozenset(STATUSES)
_CONFIDENCES = frozenset(CONFIDENCES)


@dataclass
class CsvEvents(Dataset):
    """The events of a CSV file, kept as the rows to insert: a large file holds a
    million of them, and building a record per row first would double the work. A row
    that needed the full validator stays the record it made."""

    rows: list[EventRow | Event] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {**super().counts(), "events": len(self.rows)}

    def event_rows(self) -> Iterator[EventRow]:
        """Every event as the values of its row, in file order."""
        for row in self.rows:
            yield event_row(row) if isinstance(row, Event) else row


# Cells only the full validator handles: ids (unique, perhaps stored already) and the
# other keys of contract section 4.
_SLOW_KEYS = frozenset(_SLOW_KEYS_IN_ORDER)


def _fast_row(validator: Validator) -> Callable[[dict[str, str]], EventRow]:
    """The cheap checks, as one function over a row's cells; raises ``ValueError`` (or
    ``KeyError``) for any row the full validator must look at."""
    places, segments, roads = (validator.known(k) for k in ("place", "segment", "road"))
    parties, sources = validator.known("party"), validator.known("source")
    day = validator.day
    assert (
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
        *_SLOW_KEYS_IN_ORDER,
    ) == _ROW_KEYS, "the fast path below reads the event fields in this order"

    def fast(cells: dict[str, str]) -> EventRow:
        for text in cells.values():
            if not text.isascii() or "\x00" in text:
                raise ValueError(text)
        if not _SLOW_KEYS.isdisjoint(cells):
            raise ValueError("section 4")
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
            None,
            None,
            None,
            None,
        )

    return fast


def read_csv_events(path: Path, data: bytes, validator: Validator) -> Dataset:
    """Check every row of a CSV of events (or of access records); problems go to
    ``validator.issues``."""
    csv_rows = CsvRows(path, data, validator.issues)
    if csv_rows.section == "access":
        access = Dataset()
        keys = RECORD_KINDS["access"].keys
        for row, line, cells in csv_rows:
            entry = RawEntry("access", row - 1, cells, line, label=f"row {row}")
            if validator.check_keys(entry, keys):
                record = validator.validate_access(entry)
                if record is not None:
                    access.access.append(record)
        validator.drop_stored_records(access)
        return access
    fast = _fast_row(validator)
    result = CsvEvents()
    rows = result.rows
    for row, line, cells in csv_rows:
        try:
            rows.append(fast(cells))
        except (KeyError, ValueError):
            # InvalidArgumentError, from a day that is not one, is a ValueError too.
            entry = RawEntry("events", row - 1, cells, line, label=f"row {row}")
            if validator.check_keys(entry, _EVENTS.keys):
                event = validator.validate_event(entry)
                if event is not None:
                    rows.append(event)
    with_ids = Dataset(events=[r for r in rows if isinstance(r, Event) and r.id is not None])
    if with_ids.events:
        before = {id(e) for e in with_ids.events}
        validator.drop_stored_records(with_ids)
        dropped = before - {id(e) for e in with_ids.events}
        if dropped:
            result.rows = [r for r in rows if id(r) not in dropped]
    return result
