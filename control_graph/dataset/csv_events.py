"""A CSV file of events, validated into the rows that store them.

A large CSV holds a million events, so every row first gets a few cheap checks (plain
ASCII text, known ids, a valid status and confidence, days parsed through the
validator's own cache) and becomes its row at once. Any row that fails one of them goes
through the full :class:`~control_graph.dataset.validate.Validator`, which accepts it or
reports exactly what is wrong: the messages are those of every other import, and only
the common case is fast.

Days are ISO, or in the ``--date-format`` the user gives (:class:`CsvValidator`); a
day-first or month-first date is never guessed, and its error says which option reads
it. A file none of whose places, segments or roads is known gets one message saying to
import the network first, instead of one per row.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from control_graph.dataset.checks import MAX_ID_LENGTH, SLUG, Existing, Record
from control_graph.dataset.csv_reader import CsvOptions, CsvRows
from control_graph.dataset.fields import CONFIDENCES, RECORD_KINDS, STATUSES
from control_graph.dataset.raw import RawEntry
from control_graph.dataset.rows import EventRow, event_of_row, event_row
from control_graph.dataset.validate import Validator
from control_graph.errors import DatasetIssue, InvalidArgumentError
from control_graph.model.dates import parse_date
from control_graph.model.records import Dataset, Event

__all__ = [
    "STREAM_BATCH",
    "CsvEventStream",
    "CsvEvents",
    "CsvValidator",
    "date_format_hint",
    "parse_day",
    "read_csv_events",
]

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
    #: Records left out as stored already with the same content, per section.
    skipped: dict[str, int] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {**super().counts(), "events": len(self.rows)}

    def event_rows(self) -> Iterator[EventRow]:
        """Every event as the values of its row, in file order."""
        for row in self.rows:
            yield event_row(row) if isinstance(row, Event) else row


# A date of numbers only that is not ISO: day, month and year in some order.
_NUMERIC_DAY = re.compile(r"([0-9]{1,4})([/.-])([0-9]{1,2})\2([0-9]{1,4})")


def parse_day(text: str, date_format: str | None = None) -> dt.date:
    """The day a CSV cell names: ISO ``YYYY-MM-DD``, or ``date_format`` when given.

    A day written with numbers in another order is never guessed: the error says which
    ``--date-format`` reads it (both, when the numbers do not tell).

    Examples
    --------
    >>> parse_day("05/02/2024", "%d/%m/%Y"), parse_day("2024-02-05", "%d/%m/%Y")
    (datetime.date(2024, 2, 5), datetime.date(2024, 2, 5))
    >>> parse_day("25/02/2024")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    control_graph.errors.InvalidArgumentError: ...day first: import with --date-format %d/%m/%Y
    """
    if date_format is not None:
        try:
            return dt.datetime.strptime(text, date_format).date()
        except ValueError:
            try:
                return parse_date(text)
            except InvalidArgumentError:
                raise InvalidArgumentError(
                    f"{text!r} does not match the date format {date_format!r}"
                ) from None
    try:
        return parse_date(text)
    except InvalidArgumentError as error:
        hint = date_format_hint(text.strip())
        if hint is None:
            raise
        raise InvalidArgumentError(f"{error}; {hint}") from None


def date_format_hint(text: str) -> str | None:
    """Which ``--date-format`` reads a day written with numbers in another order than
    ISO (``None`` for any other text).

    >>> date_format_hint("02/25/2024")
    'it is month first: import with --date-format %m/%d/%Y'
    """
    match = _NUMERIC_DAY.fullmatch(text)
    if match is None:
        return None
    first, separator, second, last = match.groups()
    if len(first) == 4:
        return f"it is year first: import with --date-format %Y{separator}%m{separator}%d"
    year = "%Y" if len(last) == 4 else "%y"
    day_first = f"%d{separator}%m{separator}{year}"
    month_first = f"%m{separator}%d{separator}{year}"
    if int(first) > 12:
        return f"it is day first: import with --date-format {day_first}"
    if int(second) > 12:
        return f"it is month first: import with --date-format {month_first}"
    return (
        "day or month first? import with --date-format "
        f"{day_first} (day first) or {month_first} (month first)"
    )


class CsvValidator(Validator):
    """The validator of a CSV file: its days are ISO or in the file's ``date_format``
    (see :func:`parse_day`), each distinct text parsed once."""

    def __init__(self, file: str, existing: Existing, date_format: str | None = None) -> None:
        super().__init__(file, existing)
        self.date_format = date_format
        self._csv_days: dict[str, dt.date] = {}

    def day(self, text: str) -> dt.date:
        found = self._csv_days.get(text)
        if found is None:
            found = self._csv_days[text] = parse_day(text, self.date_format)
        return found


#: Where a row's record id is (the full validator's rows are records instead).
_ID = _ROW_KEYS.index("id")


def _fast_row(validator: Validator) -> Callable[[dict[str, str]], EventRow]:
    """The cheap checks, as one function over a row's cells; raises ``ValueError`` (or
    ``KeyError``) for any row the full validator must look at. A row with an id that
    passes has its id checked for form and uniqueness in the file; the caller claims it
    (:meth:`Validator.claim_csv_event_id`), and the batch is compared with the records
    stored (:meth:`CsvEventStream._checked`)."""
    places, segments, roads = (validator.known(k) for k in ("place", "segment", "road"))
    parties, sources = validator.known("party"), validator.known("source")
    day, given = validator.day, validator.has_record_id
    slug = SLUG.fullmatch
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
        # Contract section 4: the id, the rough date's range, lapsing, the claimant.
        ident, latest, until, claimant = (
            get("id"),
            get("date_latest"),
            get("until"),
            get("claimant"),
        )
        if ident is not None and (len(ident) > MAX_ID_LENGTH or not slug(ident) or given(ident)):
            raise ValueError("id")
        date = day(cells["date"])
        latest_day = None if latest is None else day(latest)
        if latest_day is not None and latest_day < date:
            raise ValueError("date_latest")
        until_day = None if until is None else day(until)
        if until_day is not None and until_day <= (latest_day or date):
            raise ValueError("until")
        if claimant is not None and claimant not in parties:
            raise ValueError("claimant")
        return (
            date,
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
            ident,
            latest_day,
            until_day,
            claimant,
        )

    return fast


def read_csv_events(
    path: Path,
    data: bytes | TextIO,
    validator: Validator,
    options: CsvOptions | None = None,
    *,
    stream: bool = False,
) -> Dataset:
    """Check every row of a CSV of events (or of access records); problems go to
    ``validator.issues``. Its days are read as ``validator.day`` reads them (a
    :class:`CsvValidator` for ``options.date_format``).

    With ``stream`` (``data`` is then a text stream), a CSV of events is returned
    unread, as a :class:`CsvEventStream` that checks its rows as they are written."""
    csv_rows = CsvRows(path, data, validator.issues, options)
    references = _References(validator)
    if csv_rows.section == "access":
        access = Dataset()
        keys = RECORD_KINDS["access"].keys
        for row, line, cells in csv_rows:
            references.note(cells)
            entry = RawEntry("access", row - 1, cells, line, label=f"row {row}")
            if validator.check_keys(entry, keys):
                record = validator.validate_access(entry)
                if record is not None:
                    access.access.append(record)
        references.report_missing_network()
        validator.drop_stored_records(access)
        return access
    events = CsvEventStream(csv_rows, validator, references)
    if stream:
        return events
    result = CsvEvents()
    for batch in events.batches():
        result.rows.extend(batch)
    result.skipped = events.skipped
    return result


#: Rows checked together against the database (stored ids) before they are written.
STREAM_BATCH = 20_000


class CsvEventStream(CsvEvents):
    """The events of a CSV file, checked as they are written, in batches: memory stays
    flat however long the file. Rows keep coming after a problem is found (so that every
    problem is listed), but none is yielded: the caller must then raise
    :attr:`problems` and roll back. :meth:`counts` is final once the rows are read."""

    def __init__(self, csv_rows: CsvRows, validator: Validator, references: _References) -> None:
        super().__init__()
        self._csv_rows = csv_rows
        self._validator = validator
        self._references = references
        self.count = 0
        self.read = False

    def counts(self) -> dict[str, int]:
        return {**Dataset.counts(self), "events": self.count}

    def event_rows(self) -> Iterator[EventRow]:
        for batch in self.batches():
            if self._validator.issues:
                continue  # the import fails; read on only to find every problem
            for row in batch:
                yield event_row(row) if isinstance(row, Event) else row

    def batches(self) -> Iterator[list[EventRow | Event]]:
        """The rows that pass, a batch at a time, each batch already checked against
        the records stored (identical ones are left out; see ``skipped``)."""
        validator, references = self._validator, self._references
        fast = _fast_row(validator)
        batch: list[EventRow | Event] = []
        for row, line, cells in self._csv_rows:
            try:
                found = fast(cells)
                ident = found[_ID]
                if ident is not None:
                    validator.claim_csv_event_id(ident, row, line)
                batch.append(found)
            except (KeyError, ValueError):
                # InvalidArgumentError, from a day that is not one, is a ValueError too.
                references.note(cells)
                entry = RawEntry("events", row - 1, cells, line, label=f"row {row}")
                if validator.check_keys(entry, _EVENTS.keys):
                    event = validator.validate_event(entry)
                    if event is not None:
                        batch.append(event)
            if len(batch) >= STREAM_BATCH:
                yield self._checked(batch)
                batch = []
        yield self._checked(batch)
        references.report_missing_network()
        self.read = True

    def _checked(self, batch: list[EventRow | Event]) -> list[EventRow | Event]:
        # Every row accepted names a known place, segment or road.
        self._references.known_targets += len(batch)
        batch, stored = self._stored_as_records(batch)
        with_ids = Dataset(events=[r for r in batch if isinstance(r, Event) and r.id is not None])
        if with_ids.events:
            before = {id(e) for e in with_ids.events}
            for section, n in self._validator.drop_stored_records(with_ids, stored).items():
                self.skipped[section] = self.skipped.get(section, 0) + n
            dropped = before - {id(e) for e in with_ids.events}
            if dropped:
                batch = [r for r in batch if id(r) not in dropped]
        self.count += len(batch)
        return batch

    def _stored_as_records(
        self, batch: list[EventRow | Event]
    ) -> tuple[list[EventRow | Event], dict[str, Record]]:
        """The batch, with each fast row whose id is stored already made into its record,
        which the stored one is then compared with (identical: left out; different: a
        problem, or a new version with ``--replace-changed``); and those stored records."""
        ids = [row[_ID] for row in batch if not isinstance(row, Event) and row[_ID] is not None]
        stored = self._validator.existing.records(ids) if ids else {}
        if not stored:
            return batch, stored
        return [
            event_of_row(row)
            if not isinstance(row, Event) and row[_ID] is not None and row[_ID] in stored
            else row
            for row in batch
        ], stored


_TARGET_KINDS = ("place", "segment", "road")
#: How many distinct unknown places, segments and roads (and no known one) make a CSV
#: one whose network is missing, when the database holds another network.
FOLD_UNKNOWN = 5
_WORDS = {"place": "places", "segment": "segments", "road": "roads", "party": "parties"}


class _References:
    """The places, segments, roads and parties the rows that needed the full validator
    name, so that a file none of whose targets is in the database gets one message
    ("import the network first") instead of one per row."""

    def __init__(self, validator: Validator) -> None:
        self.validator = validator
        self.known_targets = 0
        self.unknown: dict[str, set[str]] = defaultdict(set)
        self.parties_known = False

    def note(self, cells: dict[str, str]) -> None:
        known = self.validator.known
        for kind in _TARGET_KINDS:
            ident = cells.get(kind)
            if ident is not None:
                if ident in known(kind):
                    self.known_targets += 1
                else:
                    self.unknown[kind].add(ident)
        party = cells.get("party")
        if party is not None:
            if party in known("party"):
                self.parties_known = True
            else:
                self.unknown["party"].add(party)

    def report_missing_network(self) -> None:
        """Replace the per-row "unknown place" problems with one when no row names a
        known place, segment or road, and the database holds none at all or the file
        names :data:`FOLD_UNKNOWN` or more (and the "unknown party" ones too, when no
        row names a known party)."""
        unknown = sum(len(self.unknown[kind]) for kind in _TARGET_KINDS)
        if self.known_targets or not unknown:
            return
        # With a network in the database, a few unknown ids are more likely typos, and
        # each gets its own message with a suggestion.
        has_network = any(self.validator.known(kind) for kind in _TARGET_KINDS)
        if has_network and unknown < FOLD_UNKNOWN:
            return
        folded = [kind for kind in _TARGET_KINDS if self.unknown[kind]]
        if not self.parties_known and self.unknown["party"]:
            folded.append("party")
        counts = {kind: len(self.unknown[kind]) for kind in folded}
        named = [f"{n:,} {_WORDS[kind] if n != 1 else kind}" for kind, n in counts.items()]
        examples = sorted(self.unknown[folded[0]])[:3]
        if sum(counts.values()) == 1:
            problem = (
                f"the only {folded[0]} this file names, {examples[0]!r}, is not in the database"
            )
        else:
            listed = ", ".join(repr(e) for e in examples)
            problem = (
                f"none of the {_and(named)} this file names is in the database (such as {listed})"
            )
        message = (
            f"{problem}; import the network (parties, places, segments, roads) from a YAML "
            "or JSON file first, then this file"
        )
        validator = self.validator
        prefixes = tuple(f"unknown {kind} " for kind in folded)
        kept = [
            issue
            for issue in validator.issues
            if not (issue.field in folded and issue.message.startswith(prefixes))
        ]
        more = validator.unlisted > 0
        if more:
            # The problems past the listed ones were counted, not kept: most of them are
            # the same unknown references.
            kept = kept[:-1]
            validator.unlisted = 0
        summary = DatasetIssue(validator.file, "file", None, message)
        validator.issues[:] = [summary, *kept]
        if more:
            validator.issues.append(
                DatasetIssue(
                    validator.file,
                    "file",
                    None,
                    "... and more problems, not listed; import the network, then this "
                    "file again to see them",
                )
            )


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
