"""ACLED exports (acleddata.com) as an ordinary control-graph dataset document.

ACLED publishes one CSV row per event, keyed by ``event_id_cnty``; rows are corrected
and deleted over time. This module knows the file alone (the store decides what is new,
changed or gone; see :mod:`control_graph.store.acled`):

- :func:`read_acled` reads an export: headers matched by name in any order, dates in the
  formats ACLED has used, inter codes as digits or labels; pre-2019 and monadic files are
  refused with a message saying why.
- :class:`PartyMap` maps ACLED actor names (exact, or with ``*`` globs) to party ids,
  and may name the taker of a territory event ACLED leaves open (``takers``).
- :func:`territory_taker` finds who takes territory: ACLED's actor order has no meaning,
  so the taker comes from the sub-event type and the inter codes, and an ambiguous row is
  reported, never guessed.
- :class:`PlaceIndex` matches ACLED locations to places: by name or alias (within the
  admin area, when the place records one), else by distance.
- :func:`convert` makes each row a control event (territory rows with a known, mapped
  taker) or an incident, and :func:`acled_document` the dataset document that
  :func:`~control_graph.dataset.load.load_document` validates by every rule of the format.

docs/acled.md describes the rules for users.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from control_graph.dataset.checks import MAX_ISSUES, SLUG
from control_graph.dataset.csv_events import date_format_hint
from control_graph.dataset.csv_reader import check_date_format, sniff_delimiter
from control_graph.dataset.load import Origin
from control_graph.dataset.raw import file_error, read_text
from control_graph.errors import DatasetError, DatasetIssue, InvalidArgumentError
from control_graph.model.dates import parse_date
from control_graph.model.geo import great_circle_km
from control_graph.model.records import Event, Incident, Place

__all__ = [
    "ACLED_SOURCE",
    "DEFAULT_WITHIN_KM",
    "ID_PREFIX",
    "NAME_MATCH_KM",
    "REQUIRED_COLUMNS",
    "TERRITORY_TYPES",
    "AcledRecord",
    "AcledRow",
    "Conversion",
    "PartyMap",
    "PlaceIndex",
    "PlaceMatch",
    "Taker",
    "acled_changes",
    "acled_document",
    "changed_fields",
    "convert",
    "incident_party",
    "inter_code",
    "new_place",
    "parse_acled_date",
    "read_acled",
    "record_id",
    "same_version",
    "territory_taker",
]

#: Record ids of ACLED rows: ``acled-`` and the lower-cased ``event_id_cnty``.
ID_PREFIX = "acled-"
#: The columns an export must have.
REQUIRED_COLUMNS = (
    "event_id_cnty",
    "event_date",
    "sub_event_type",
    "actor1",
    "location",
    "latitude",
    "longitude",
)
#: The sub-event types that move territory, and what each says about the taker.
TERRITORY_TYPES = {
    "government regains territory": "regains",
    "non-state actor overtakes territory": "overtakes",
    "non-violent transfer of territory": "transfer",
}
#: How far (km) a place may lie from ACLED's coordinates to be matched by distance.
DEFAULT_WITHIN_KM = 5.0
#: How far (km) a place with the location's name may lie from ACLED's coordinates and
#: still be that location: ACLED codes an event "near" a town to the town, and a vague
#: one to a town standing for its district; a namesake farther away is another place.
NAME_MATCH_KM = 50.0
#: The source every ACLED record cites (created on the first import, reused after).
ACLED_SOURCE: Mapping[str, str] = {
    "id": "acled",
    "name": "ACLED (Armed Conflict Location & Event Data)",
    "url": "https://acleddata.com",
    "note": "Cite ACLED as its attribution policy asks, with the export's access date "
    "and filters: https://epo.acleddata.com/terms-of-use-and-attribution-policy",
}

# ACLED's actor types (codebook: inter codes), by number and by label, singular; old
# files and the API write digits, current exports labels (old labels are plural).
_INTER_LABELS = {
    "state force": 1,
    "rebel group": 2,
    "political militia": 3,
    "identity militia": 4,
    "rioter": 5,
    "protester": 6,
    "protestor": 6,
    "civilian": 7,
    "external/other force": 8,
}
_STATE, _EXTERNAL = 1, 8
# Who can take territory from others by force: rebels, militias, foreign forces.
_ARMED_NON_STATE = frozenset({2, 3, 4, _EXTERNAL})
# Who never carries out an armed act: rioters, protesters, civilians.
_UNARMED = frozenset({5, 6, 7})
# Date formats ACLED's exports have used (research note, docs/acled.md).
_NAMED_MONTH_FORMATS = ("%d %B %Y", "%d-%B-%Y", "%d-%b-%y", "%d %b %Y", "%d-%b-%Y")
_SEPT = re.compile(r"(?<=[0-9 -])Sept(?=[ -])", re.IGNORECASE)
_FIRST_YEAR = 1997


def _key(text: str) -> str:
    """Names compared without regard to case, spaces, or ``-``/``_`` between words."""
    return " ".join(text.casefold().replace("-", " ").replace("_", " ").split())


_TERRITORY_BY_KEY = {_key(name): how for name, how in TERRITORY_TYPES.items()}


def record_id(event_id_cnty: str) -> str:
    """The record id of an ACLED event.

    >>> record_id("MMR900101")
    'acled-mmr900101'
    """
    return ID_PREFIX + re.sub(r"[^a-z0-9._-]+", "-", event_id_cnty.strip().lower()).strip("-")


# -- reading an export ----------------------------------------------------------------------


@dataclass(frozen=True)
class AcledRow:
    """One ACLED event, as read from an export (text cells stripped, blanks ``None``)."""

    line: int
    event_id: str
    event_date: dt.date
    time_precision: int
    sub_event_type: str
    actor1: str
    location: str
    latitude: float
    longitude: float
    event_type: str | None = None
    disorder_type: str | None = None
    assoc_actor_1: tuple[str, ...] = ()
    inter1: str | None = None
    actor2: str | None = None
    assoc_actor_2: tuple[str, ...] = ()
    inter2: str | None = None
    civilian_targeting: bool = False
    iso: str | None = None
    country: str | None = None
    admin1: str | None = None
    admin2: str | None = None
    admin3: str | None = None
    geo_precision: int | None = None
    source: tuple[str, ...] = ()
    source_scale: str | None = None
    notes: str | None = None
    fatalities: int | None = None
    tags: tuple[str, ...] = ()
    timestamp: int | None = None

    @property
    def id(self) -> str:
        """The record id (:func:`record_id`)."""
        return record_id(self.event_id)

    @property
    def territory(self) -> str | None:
        """``regains``, ``overtakes`` or ``transfer`` for a territory event, else ``None``."""
        return _TERRITORY_BY_KEY.get(_key(self.sub_event_type))

    @property
    def region(self) -> str:
        """The country (or ISO code) the event is in, for the coverage of a sync."""
        return self.country or self.iso or ""

    @property
    def dates(self) -> tuple[dt.date, dt.date | None]:
        """``(date, date_latest)``: the day (precision 1), the week centred on it
        (precision 2: ``event_date`` is the middle of the period), or the calendar month
        (precision 3: ACLED's midpoint, or first or last day, of that month)."""
        day = self.event_date
        if self.time_precision == 2:
            return day - dt.timedelta(days=3), day + dt.timedelta(days=3)
        if self.time_precision == 3:
            last = calendar.monthrange(day.year, day.month)[1]
            return day.replace(day=1), day.replace(day=last)
        return day, None

    def attributes(self) -> dict[str, Any]:
        """What ACLED says about the event, kept with the record (blank values left out)."""
        values: dict[str, Any] = {
            "event_id_cnty": self.event_id,
            "event_date": self.event_date.isoformat(),
            "time_precision": self.time_precision,
            "disorder_type": self.disorder_type,
            "event_type": self.event_type,
            "sub_event_type": self.sub_event_type,
            "actor1": self.actor1,
            "assoc_actor_1": list(self.assoc_actor_1),
            "inter1": self.inter1,
            "actor2": self.actor2,
            "assoc_actor_2": list(self.assoc_actor_2),
            "inter2": self.inter2,
            "civilian_targeting": self.civilian_targeting or None,
            "iso": self.iso,
            "country": self.country,
            "admin1": self.admin1,
            "admin2": self.admin2,
            "admin3": self.admin3,
            "location": self.location,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "geo_precision": self.geo_precision,
            "source": list(self.source),
            "source_scale": self.source_scale,
            "fatalities": self.fatalities,
            "tags": list(self.tags),
            "timestamp": self.timestamp,
        }
        return {k: v for k, v in values.items() if v is not None and v != []}


def inter_code(text: str | None) -> int | None:
    """ACLED's actor type as its number: from a digit, or a label in any case, singular
    or plural (``State forces``, ``Rebel Groups``, ``2``); ``None`` when blank or unknown.

    >>> inter_code("State forces"), inter_code("Rebel Groups"), inter_code("8"), inter_code("")
    (1, 2, 8, None)
    """
    if not text:
        return None
    key = " ".join(text.casefold().split())
    if key.isdigit():
        number = int(key)
        return number if 1 <= number <= 8 else None
    return _INTER_LABELS.get(key.removesuffix("s"), _INTER_LABELS.get(key))


def parse_acled_date(text: str, date_format: str | None = None) -> dt.date:
    """An ``event_date`` in any format ACLED has used: ISO (current exports and the API),
    ``05 February 2024``, ``05-February-2024``, ``5-Feb-24`` and ``30-Sept-24`` (a file
    re-saved by Excel). Numeric day/month orders are never guessed: give ``date_format``.

    >>> parse_acled_date("2024-02-05"), parse_acled_date("5-Feb-24")
    (datetime.date(2024, 2, 5), datetime.date(2024, 2, 5))
    >>> parse_acled_date("30-Sept-24"), parse_acled_date("05 February 2024")
    (datetime.date(2024, 9, 30), datetime.date(2024, 2, 5))
    >>> parse_acled_date("05/02/2024", "%d/%m/%Y")
    datetime.date(2024, 2, 5)
    """
    text = text.strip()
    if date_format is not None:
        try:
            return dt.datetime.strptime(text, date_format).date()
        except ValueError:
            pass
    try:
        return parse_date(text)
    except InvalidArgumentError:
        pass
    named = _SEPT.sub("Sep", text)
    for candidate in _NAMED_MONTH_FORMATS:
        try:
            return dt.datetime.strptime(named, candidate).date()
        except ValueError:
            continue
    if date_format is not None:
        raise InvalidArgumentError(f"{text!r} does not match the date format {date_format!r}")
    hint = date_format_hint(text)
    raise InvalidArgumentError(
        f"{text!r} is not a date ACLED writes (2024-02-05, 05 February 2024, 5-Feb-24)"
        + (f"; {hint}" if hint else "")
    )


class _Problems:
    """The problems of one export, the first thousand kept."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.issues: list[DatasetIssue] = []
        self.total = 0

    def add(self, entry: str, name: str | None, message: str, line: int | None) -> None:
        self.total += 1
        if len(self.issues) < MAX_ISSUES:
            self.issues.append(DatasetIssue(self.file, entry, name, message, line))

    def raise_any(self) -> None:
        if self.total:
            raise DatasetError(self.issues, total=self.total)


def _split(text: str | None) -> tuple[str, ...]:
    """A cell holding several values separated by semicolons."""
    return tuple(part.strip() for part in (text or "").split(";") if part.strip())


def _row(
    cells: dict[str, str],
    line: int,
    number: int,
    problems: _Problems,
    *,
    decimal_comma: bool,
    date_format: str | None,
) -> AcledRow | None:
    """One row's cells as an :class:`AcledRow`, or ``None`` after reporting its problems."""
    get = cells.get
    event_id = get("event_id_cnty")
    entry = f"event {event_id}" if event_id else f"row {number}"
    failed = False

    def fail(name: str, message: str) -> None:
        nonlocal failed
        problems.add(entry, name, message, line)
        failed = True

    def required(name: str) -> str:
        value = get(name)
        if value is None:
            fail(name, "is required")
            return ""
        return value

    def integer(name: str, low: int | None = None, high: int | None = None) -> int | None:
        text = get(name)
        if text is None:
            return None
        try:
            value = int(text)
        except ValueError:
            fail(name, f"{text[:40]!r} is not a whole number")
            return None
        if (low is not None and value < low) or (high is not None and value > high):
            fail(name, f"{value} is not from {low} to {high}")
            return None
        return value

    def coordinate(name: str, limit: float) -> float:
        text = required(name)
        if not text:
            return 0.0
        try:
            # A file saved by a spreadsheet in a comma-decimal locale separates cells
            # with ";" and writes 25,6083.
            value = float(text.replace(",", ".") if decimal_comma else text)
        except ValueError:
            fail(name, f"{text[:40]!r} is not a number")
            return 0.0
        if not -limit <= value <= limit:
            fail(name, f"{value:g} is out of range: must be from {-limit:g} to {limit:g}")
        return value

    required("event_id_cnty")
    if event_id is not None and not SLUG.fullmatch(record_id(event_id)[len(ID_PREFIX) :]):
        fail("event_id_cnty", f"{event_id[:40]!r} is not an ACLED event id such as MMR12345")
    day = dt.date.min
    date_text = required("event_date")
    if date_text:
        try:
            day = parse_acled_date(date_text, date_format)
        except InvalidArgumentError as error:
            fail("event_date", str(error))
        else:
            year = integer("year")
            if year is not None and year != day.year:
                fail("event_date", f"{date_text!r} is not in the year the row gives ({year})")
            elif day.year < _FIRST_YEAR:
                fail("event_date", f"{date_text!r} is before {_FIRST_YEAR}, ACLED's first year")
    precision = integer("time_precision", 1, 3)
    geo_precision = integer("geo_precision", 1, 3)
    fatalities = integer("fatalities", 0)
    timestamp = integer("timestamp", 0)
    latitude = coordinate("latitude", 90)
    longitude = coordinate("longitude", 180)
    sub_event_type, actor1, location = (
        required(name) for name in ("sub_event_type", "actor1", "location")
    )
    if failed or event_id is None:
        return None
    return AcledRow(
        line=line,
        event_id=event_id,
        event_date=day,
        time_precision=precision or 1,
        sub_event_type=sub_event_type,
        actor1=actor1,
        location=location,
        latitude=latitude,
        longitude=longitude,
        event_type=get("event_type"),
        disorder_type=get("disorder_type"),
        assoc_actor_1=_split(get("assoc_actor_1")),
        inter1=get("inter1"),
        actor2=get("actor2"),
        assoc_actor_2=_split(get("assoc_actor_2")),
        inter2=get("inter2"),
        # "Civilians targeted" in the codebook, "Civilian targeting" in real files.
        civilian_targeting=get("civilian_targeting") is not None,
        iso=get("iso"),
        country=get("country"),
        admin1=get("admin1"),
        admin2=get("admin2"),
        admin3=get("admin3"),
        geo_precision=geo_precision,
        source=_split(get("source")),
        source_scale=get("source_scale"),
        notes=cells.get("notes"),
        fatalities=fatalities,
        tags=_split(get("tags")),
        timestamp=timestamp,
    )


def read_acled(path: str | Path, data: bytes, *, date_format: str | None = None) -> list[AcledRow]:
    """The rows of an ACLED export (CSV; ``,``, ``;`` or tab separated), all checked.

    Headers are matched by name without regard to case or order; unknown columns are
    ignored. ``date_format`` reads numeric dates a spreadsheet rewrote
    (``"%d/%m/%Y"``), which are never guessed.

    Raises
    ------
    DatasetError
        Listing every problem: a missing column, a file from before ACLED's 2019 event
        types, a monadic export (one row per actor), an invalid row.

    Examples
    --------
    >>> header = "event_id_cnty,event_date,sub_event_type,actor1,location,latitude,longitude"
    >>> row = "MMR900101,2024-03-15,Armed clash,Military Forces of Myanmar (2021-),Kamaing,25,96"
    >>> rows = read_acled("x.csv", f"{header}\\n{row}\\n".encode())
    >>> rows[0].id, rows[0].event_date, rows[0].territory
    ('acled-mmr900101', datetime.date(2024, 3, 15), None)
    """
    file = str(path)
    if date_format is not None:
        check_date_format(date_format)
    text = read_text(Path(file), data)
    if "\x00" in text:
        raise file_error(
            file, "contains a NUL character", text.count("\n", 0, text.index("\x00")) + 1
        )
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    problems = _Problems(file)
    rows: list[AcledRow] = []
    first_line: dict[str, int] = {}
    try:
        header = next(reader, None)
        if header is None:
            return []
        names = [name.strip().casefold() for name in header]
        missing = [name for name in REQUIRED_COLUMNS if name not in names]
        if "sub_event_type" in missing and "event_type" in names:
            raise file_error(
                file,
                "no sub_event_type column: this is an ACLED file from before March 2019, "
                "whose event types (such as 'Battle-No change of territory') this import "
                "does not read; download the events again from ACLED",
                1,
            )
        if missing:
            raise file_error(
                file,
                f"not an ACLED export: it lacks the column(s) {', '.join(missing)} "
                f"(an export has {', '.join(REQUIRED_COLUMNS)} and more)",
                1,
            )
        width = len(names)
        next_line = reader.line_num + 1
        number = 0
        for cells_in_row in reader:
            line, next_line = next_line, reader.line_num + 1
            if not any(cell.strip() for cell in cells_in_row):
                continue
            number += 1
            if len(cells_in_row) > width and any(c.strip() for c in cells_in_row[width:]):
                problems.add(
                    f"row {number}",
                    None,
                    f"has {len(cells_in_row)} cells but the header has {width} columns",
                    line,
                )
                continue
            cells = {
                name: cell.strip()
                for name, cell in zip(names, cells_in_row, strict=False)
                if cell.strip()
            }
            if "notes" in cells:
                # Notes keep their text as ACLED wrote it.
                cells["notes"] = cells_in_row[names.index("notes")]
            row = _row(
                cells,
                line,
                number,
                problems,
                decimal_comma=delimiter == ";",
                date_format=date_format,
            )
            if row is None:
                continue
            first = first_line.setdefault(row.id, line)
            if first != line:
                problems.add(
                    f"event {row.event_id}",
                    "event_id_cnty",
                    f"appears again (first on line {first}): a monadic export, with one "
                    "row per actor? Download the default (dyadic) export, one row per event",
                    line,
                )
                continue
            rows.append(row)
    except csv.Error as error:
        raise file_error(file, f"unreadable CSV: {error}", next_line) from None
    problems.raise_any()
    return rows


# -- the party map ----------------------------------------------------------------------------


@dataclass
class PartyMap:
    """ACLED actor names mapped to party ids.

    Names are exact (compared without regard to case and spaces) or globs with ``*``
    (``"People's Defense Force*"``); an exact name wins, then the first glob in the
    map's order. A name mapped to ``None`` is known but no party (``Civilians
    (Myanmar)``): never reported as unmapped. ``takers`` names, by ``event_id_cnty``,
    the party that took the territory in a row ACLED leaves open.

    Examples
    --------
    >>> parties = PartyMap.from_mapping({
    ...     "Military Forces of Myanmar (2021-)": "saf",
    ...     "People's Defense Force*": "pdf",
    ...     "Civilians (Myanmar)": None,
    ... })
    >>> parties.lookup("military forces of myanmar (2021-)")
    (True, 'saf')
    >>> parties.lookup("People's Defense Force - Pathein"), parties.lookup("Unknown")
    ((True, 'pdf'), (False, None))
    """

    names: dict[str, str | None] = field(default_factory=dict)
    patterns: list[tuple[re.Pattern[str], str | None]] = field(default_factory=list)
    takers: dict[str, str] = field(default_factory=dict)
    #: Where the map came from, for messages.
    file: str = "(party map)"

    @classmethod
    def from_mapping(
        cls,
        mapping: Mapping[str, Any],
        *,
        file: str = "(party map)",
        lines: Mapping[str, int] | None = None,
    ) -> PartyMap:
        """A map from ``{actor name: party id or None, ..., "takers": {event id: party
        id}}``.

        Raises
        ------
        DatasetError
            When a name is not text or a party id is not a valid id.
        """
        lines = lines or {}
        problems = _Problems(file)
        result = cls(file=file)
        for name, party in mapping.items():
            line = lines.get(name)
            if name == "takers" and isinstance(party, dict):
                for event_id, taker in party.items():
                    if not isinstance(taker, str) or not SLUG.fullmatch(taker):
                        problems.add(
                            f"takers {str(event_id)[:40]!r}",
                            None,
                            f"{taker!r} is not a party id",
                            line,
                        )
                    else:
                        result.takers[str(event_id).strip().upper()] = taker
                continue
            if not isinstance(name, str) or not name.strip():
                problems.add("file", None, f"{name!r} is not an actor name", line)
                continue
            if party is not None and (not isinstance(party, str) or not SLUG.fullmatch(party)):
                problems.add(
                    f"actor {name[:60]!r}",
                    None,
                    f"{str(party)[:40]!r} is not a party id (lower-case letters, digits, '.', "
                    "'_' and '-'); write null for an actor that is no party",
                    line,
                )
                continue
            if "*" in name:
                parts = (re.escape(part) for part in _key(name).split("*"))
                result.patterns.append((re.compile(".*".join(parts)), party))
            else:
                result.names[_key(name)] = party
        problems.raise_any()
        return result

    @classmethod
    def read(cls, path: str | Path) -> PartyMap:
        """The map in a YAML file (``actor name: party id`` per line).

        Raises
        ------
        DatasetError
            When the file cannot be read, is not a mapping, or has an invalid entry.
        """
        from control_graph.dataset.yaml_reader import read_yaml

        path = Path(path)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise file_error(str(path), f"cannot read: {error.strerror or error}") from None
        top, _ = read_yaml(path, read_text(path, data))
        return cls.from_mapping(top.values, file=str(path), lines=top.lines)

    def lookup(self, actor: str) -> tuple[bool, str | None]:
        """``(mapped, party)``: whether the map names the actor, and its party."""
        key = _key(actor)
        if key in self.names:
            return True, self.names[key]
        for pattern, party in self.patterns:
            if pattern.fullmatch(key):
                return True, party
        return False, None

    def party_ids(self) -> set[str]:
        """Every party id the map names."""
        named = {p for p in self.names.values() if p is not None}
        named |= {p for _, p in self.patterns if p is not None}
        return named | set(self.takers.values())


# -- who takes territory ----------------------------------------------------------------------


@dataclass(frozen=True)
class Taker:
    """Who took the territory of a territory row: the actor and its party, or why no
    control event can be made (``problem``)."""

    actor: str | None
    party: str | None
    problem: str | None = None
    #: Whether the problem is that ACLED's row does not say who took it (rather than
    #: that the taker is not mapped to a party).
    unresolved: bool = False


def territory_taker(row: AcledRow, parties: PartyMap) -> Taker:
    """The actor that took territory in a territory row, and its party.

    ACLED's actor order has no meaning, so: *Government regains territory* is taken by
    the side that is state forces; *Non-state actor overtakes territory* by the side that
    is a rebel group, a militia or a foreign force (inter 2, 3, 4 or 8); a row with one
    actor by that actor. Anything else (two non-state actors, two state forces, a
    two-actor *Non-violent transfer of territory*) is unresolved, unless the map's
    ``takers`` name the party for that event. A region-wide location (geo_precision 3)
    is never a place's change of control.

    >>> row = AcledRow(1, "MMR900101", dt.date(2024, 3, 15), 1,
    ...     "Non-state actor overtakes territory", "Military Forces of Myanmar (2021-)",
    ...     "Kamaing", 25.52, 96.7, inter1="State forces",
    ...     actor2="KIA: Kachin Independence Army", inter2="Rebel group")
    >>> territory_taker(row, PartyMap.from_mapping({"KIA: Kachin Independence Army": "kia"}))
    Taker(actor='KIA: Kachin Independence Army', party='kia', problem=None, unresolved=False)
    """
    override = parties.takers.get(row.event_id.upper())
    if override is not None:
        return Taker(None, override)
    if row.geo_precision == 3:
        return Taker(
            None,
            None,
            "ACLED places it only in a region (geo_precision 3), not at the place",
            unresolved=True,
        )
    sides = [(row.actor1, inter_code(row.inter1))]
    if row.actor2:
        sides.append((row.actor2, inter_code(row.inter2)))
    how = row.territory
    if len(sides) == 1:
        candidates = sides
    elif how == "regains":
        candidates = [side for side in sides if side[1] == _STATE]
    elif how == "overtakes":
        candidates = [side for side in sides if side[1] in _ARMED_NON_STATE]
    else:
        candidates = []
    if len(candidates) != 1:
        return Taker(None, None, _unresolved_reason(how, sides), unresolved=True)
    actor = candidates[0][0]
    mapped, party = parties.lookup(actor)
    if not mapped:
        return Taker(actor, None, f"the taker {actor!r} is not in the party map")
    if party is None:
        return Taker(actor, None, f"the taker {actor!r} is mapped to no party")
    return Taker(actor, party)


def _unresolved_reason(how: str | None, sides: list[tuple[str, int | None]]) -> str:
    codes = [code for _, code in sides]
    if None in codes:
        return "an actor type (inter1/inter2) is missing or unknown, so the taker is unclear"
    if how == "regains":
        which = "both sides are" if codes.count(_STATE) == 2 else "neither side is"
        return f"{which} state forces, so ACLED does not say who regained it"
    if how == "overtakes":
        both = sum(code in _ARMED_NON_STATE for code in codes) == 2
        which = "both sides are" if both else "neither side is"
        return f"{which} a non-state or foreign armed group, so ACLED does not say who took it"
    return "two actors and no fighting: ACLED does not say which one took control"


# -- places -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlaceMatch:
    """How an ACLED location was matched to a place.

    ``how`` is ``name`` (by name or alias), ``name+distance`` (several places have the
    name; one lies within reach), ``distance`` (the nearest place within reach),
    ``created`` (a new place from ACLED's coordinates), or ``none``; ``km`` the distance
    from ACLED's coordinates to the place, where both have them; ``detail`` why nothing
    matched.
    """

    how: str
    place: str | None = None
    km: float | None = None
    detail: str | None = None


class PlaceIndex:
    """The places an ACLED location may be, looked up by name and by distance.

    A place is a location's namesake when its name, an alias or its id equals the
    location (without regard to case, spaces and hyphens; for ``City - District``, the
    city too), unless the place records an admin area (``attributes`` ``admin1``,
    ``admin2``, ``admin3``, as places made by ``--create-places`` do) that differs, or
    has coordinates more than :data:`NAME_MATCH_KM` away. Otherwise the nearest place
    within ``within_km`` (whose admin area, if it records one, is the row's).

    Examples
    --------
    >>> index = PlaceIndex([Place("kamaing", "Kamaing", lat=25.52, lon=96.70)], within_km=5)
    >>> row = AcledRow(1, "MMR900101", dt.date(2024, 3, 15), 1, "Armed clash", "x",
    ...                "Kamaing", 25.53, 96.71)
    >>> index.match(row).how, index.match(row).place
    ('name', 'kamaing')
    """

    def __init__(self, places: Iterable[Place], *, within_km: float = DEFAULT_WITHIN_KM) -> None:
        if not within_km >= 0:
            raise InvalidArgumentError(f"within: {within_km!r} km is not a distance")
        self.within_km = within_km
        self.by_name: dict[str, list[Place]] = {}
        located: list[tuple[float, float, Place]] = []
        for place in places:
            for name in dict.fromkeys(_key(n) for n in (place.id, place.name, *place.aliases) if n):
                self.by_name.setdefault(name, []).append(place)
            if place.lat is not None and place.lon is not None:
                located.append((place.lat, place.lon, place))
        located.sort(key=lambda item: item[0])
        self._located = located
        self._latitudes = [lat for lat, _, _ in located]
        self._cache: dict[tuple[Any, ...], PlaceMatch] = {}

    def create(self, row: AcledRow, taken: set[str]) -> tuple[Place, PlaceMatch]:
        """A new place for the location of a row nothing matches (:func:`new_place`),
        then found for that location by name (not by distance, so that what a row
        matches does not depend on the rows before it)."""
        place = new_place(row, taken)
        self.by_name.setdefault(_key(place.name or place.id), []).append(place)
        match = self._cache[self._location(row)] = PlaceMatch("created", place.id, 0.0)
        return place, match

    def match(self, row: AcledRow) -> PlaceMatch:
        """The place of an ACLED row (cached per location and coordinates)."""
        key = self._location(row)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._match(row)
        return found

    @staticmethod
    def _location(row: AcledRow) -> tuple[Any, ...]:
        return (_key(row.location), row.admin1, row.admin2, row.admin3, row.latitude, row.longitude)

    def _match(self, row: AcledRow) -> PlaceMatch:
        names = [_key(row.location)]
        # Big cities are coded "City - District".
        for dash in (" - ", " \u2013 ", " \u2014 "):
            if dash in row.location:
                names.append(_key(row.location.split(dash)[0]))
        far: list[tuple[float, Place]] = []
        candidates: dict[str, tuple[Place, float | None]] = {}
        for name in names:
            for place in self.by_name.get(name, []):
                if not _same_area(place, row):
                    continue
                km = self._km(place, row)
                if km is not None and km > NAME_MATCH_KM:
                    far.append((km, place))
                else:
                    candidates.setdefault(place.id, (place, km))
        if len(candidates) == 1:
            ((place, km),) = candidates.values()
            return PlaceMatch("name", place.id, _round(km))
        if len(candidates) > 1:
            near = [
                (km, p) for p, km in candidates.values() if km is not None and km <= self.within_km
            ]
            if len(near) == 1:
                return PlaceMatch("name+distance", near[0][1].id, _round(near[0][0]))
            ids = ", ".join(sorted(candidates))
            return PlaceMatch(
                "none",
                detail=f"{len(candidates)} places are called {row.location!r} ({ids}) and "
                f"{'none' if not near else 'more than one'} lies within {self.within_km:g} km",
            )
        nearest = self._nearest(row)
        if nearest is not None and nearest[0] <= self.within_km:
            return PlaceMatch("distance", nearest[1].id, _round(nearest[0]))
        details = []
        if far:
            km, place = min(far, key=lambda item: item[0])
            details.append(f"the place called so, {place.id!r}, is {km:.0f} km away")
        if nearest is not None:
            details.append(f"the nearest place, {nearest[1].id!r}, is {nearest[0]:.1f} km away")
        return PlaceMatch("none", detail="; ".join(details) or "no place has the name")

    @staticmethod
    def _km(place: Place, row: AcledRow) -> float | None:
        if place.lat is None or place.lon is None:
            return None
        return great_circle_km(place.lat, place.lon, row.latitude, row.longitude)

    def _nearest(self, row: AcledRow) -> tuple[float, Place] | None:
        """The nearest place with coordinates, looking a little beyond reach (to say how
        far the nearest one is)."""
        from bisect import bisect_left, bisect_right

        reach = max(self.within_km * 4, 20.0) / 111.0
        start = bisect_left(self._latitudes, row.latitude - reach)
        end = bisect_right(self._latitudes, row.latitude + reach)
        best: tuple[float, Place] | None = None
        for lat, lon, place in self._located[start:end]:
            if not _same_area(place, row):
                continue
            km = great_circle_km(lat, lon, row.latitude, row.longitude)
            if best is None or km < best[0]:
                best = (km, place)
        return best


def _same_area(place: Place, row: AcledRow) -> bool:
    for level in ("admin1", "admin2", "admin3"):
        recorded = place.attributes.get(level)
        given = getattr(row, level)
        if isinstance(recorded, str) and given and _key(recorded) != _key(given):
            return False
    return True


def _round(km: float | None) -> float | None:
    return None if km is None else round(km, 1)


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def new_place(row: AcledRow, taken: set[str]) -> Place:
    """A place for an ACLED location no place matches, at ACLED's coordinates, with an
    id from its name not in ``taken`` (then added to it).

    >>> row = AcledRow(1, "MMR900101", dt.date(2024, 3, 15), 1, "Armed clash", "x",
    ...                "Nam Hkam", 25.1, 96.2, admin1="Kachin", admin3="Hpakant")
    >>> new_place(row, {"nam-hkam"}).id
    'nam-hkam-hpakant'
    """
    base = _slug(row.location) or "place"
    options = [base] + [f"{base}-{_slug(a)}" for a in (row.admin3, row.admin2, row.admin1) if a]
    ident = next((o for o in options if o not in taken), None)
    number = 2
    while ident is None or ident in taken:
        ident, number = f"{base}-{number}", number + 1
    taken.add(ident)
    attributes: dict[str, Any] = {
        "admin1": row.admin1,
        "admin2": row.admin2,
        "admin3": row.admin3,
        "country": row.country,
        "geo_precision": row.geo_precision,
        "created_from": f"ACLED event {row.event_id}",
    }
    return Place(
        ident,
        row.location,
        lat=row.latitude,
        lon=row.longitude,
        attributes={k: v for k, v in attributes.items() if v is not None},
    )


# -- rows to records --------------------------------------------------------------------------


@dataclass
class AcledRecord:
    """One ACLED row as the entry of a dataset document (``events`` or ``incidents``)."""

    row: AcledRow
    section: str
    entry: dict[str, Any]
    match: PlaceMatch
    taker: Taker | None = None


@dataclass
class Conversion:
    """An export's rows as records, and what could not be made of them."""

    records: list[AcledRecord] = field(default_factory=list)
    #: Places made for locations nothing matched (``--create-places``), by id.
    places: dict[str, Place] = field(default_factory=dict)
    #: Rows whose location matched no place, with how (``how`` is ``none``).
    unplaced: list[tuple[AcledRow, PlaceMatch]] = field(default_factory=list)
    #: Actors (actor1/actor2) the party map does not name: rows, and territory rows.
    unmapped: Counter[str] = field(default_factory=Counter)
    unmapped_territory: Counter[str] = field(default_factory=Counter)
    #: Territory rows made incidents, with why (ambiguous taker, unmapped taker, region).
    not_control: list[AcledRecord] = field(default_factory=list)

    @property
    def rows(self) -> Iterator[AcledRow]:
        yield from (record.row for record in self.records)
        yield from (row for row, _ in self.unplaced)


def incident_party(row: AcledRow, parties: PartyMap) -> str | None:
    """The party behind an incident, where ACLED says who acted: the perpetrator of
    *Violence against civilians* (always actor 1), the only actor, or the one armed side
    facing civilians, protesters or rioters."""
    sides = [(row.actor1, inter_code(row.inter1))]
    if row.actor2:
        sides.append((row.actor2, inter_code(row.inter2)))
    if len(sides) == 1 or _key(row.event_type or "") == "violence against civilians":
        actor: str | None = row.actor1
    else:
        armed = [name for name, code in sides if code not in _UNARMED]
        actor = armed[0] if len(armed) == 1 and len(sides) - len(armed) == 1 else None
    return None if actor is None else parties.lookup(actor)[1]


def convert(
    rows: Iterable[AcledRow],
    parties: PartyMap,
    places: PlaceIndex,
    *,
    recorded: dt.date,
    create_places: bool = False,
    taken_place_ids: set[str] | None = None,
) -> Conversion:
    """Every row as a control event or an incident at its place (see the module's
    docstring and docs/acled.md), recorded on ``recorded``.

    With ``create_places``, a location no place matches becomes a place (its id not in
    ``taken_place_ids``); otherwise its rows are left out and listed in ``unplaced``.
    """
    result = Conversion()
    taken = set(taken_place_ids or ())
    for row in rows:
        territory = row.territory is not None
        for actor in (row.actor1, row.actor2):
            if actor and not parties.lookup(actor)[0]:
                result.unmapped[actor] += 1
                if territory:
                    result.unmapped_territory[actor] += 1
        match = places.match(row)
        if match.how == "none" and create_places:
            place, match = places.create(row, taken)
            result.places[place.id] = place
        if match.place is None:
            result.unplaced.append((row, match))
            continue
        date, latest = row.dates
        attributes = row.attributes()
        attributes["place_match"] = match.how
        if match.km is not None:
            attributes["place_km"] = match.km
        entry: dict[str, Any] = {
            "id": row.id,
            "date": date,
            "date_latest": latest,
            "place": match.place,
            "kind": row.sub_event_type,
            "source": ACLED_SOURCE["id"],
            "recorded": recorded,
            "note": row.notes,
            "attributes": attributes,
        }
        taker = territory_taker(row, parties) if territory else None
        if taker is not None:
            if taker.actor is not None:
                attributes["taker"] = taker.actor
            if taker.problem is not None:
                attributes["not_control"] = taker.problem
        if taker is not None and taker.party is not None:
            record = AcledRecord(row, "events", {**entry, "party": taker.party}, match, taker)
        else:
            party = incident_party(row, parties)
            record = AcledRecord(row, "incidents", {**entry, "party": party}, match, taker)
            if taker is not None:
                result.not_control.append(record)
        record.entry = {k: v for k, v in record.entry.items() if v is not None}
        result.records.append(record)
    return result


def acled_document(
    records: Iterable[AcledRecord], places: Iterable[Place], *, with_source: bool
) -> tuple[dict[str, Any], dict[tuple[str, int], Origin]]:
    """The dataset document of some converted rows (and the places they need), with the
    origin of each entry (``ACLED event MMR12345`` and its line) for messages."""
    document: dict[str, Any] = {"events": [], "incidents": []}
    origins: dict[tuple[str, int], Origin] = {}
    for record in records:
        entries = document[record.section]
        origins[(record.section, len(entries))] = (
            f"ACLED event {record.row.event_id}",
            record.row.line,
        )
        entries.append(record.entry)
    document["places"] = [
        {
            "id": p.id,
            "name": p.name,
            "lat": p.lat,
            "lon": p.lon,
            "attributes": p.attributes,
        }
        for p in places
    ]
    if with_source:
        document["sources"] = [dict(ACLED_SOURCE)]
    return document, origins


# -- comparing with what is stored ------------------------------------------------------------

# Fields that change with every upload of an unchanged event (ACLED's), and how a row
# found its place (a place created by one import is found by name by the next; the
# place itself is compared).
_VOLATILE = frozenset({"timestamp", "place_match", "place_km"})


class _Version(NamedTuple):
    """What a record says, as compared between imports."""

    section: str
    date: dt.date
    date_latest: dt.date | None
    place: str | None
    party: str | None
    status: str | None
    kind: str | None
    source: str | None
    note: str | None
    attributes: dict[str, Any]


def _version(record: Event | Incident | AcledRecord) -> _Version:
    if isinstance(record, AcledRecord):
        entry = record.entry
        version = _Version(
            record.section,
            entry["date"],
            entry.get("date_latest"),
            entry["place"],
            entry.get("party"),
            "held" if record.section == "events" else None,
            entry.get("kind"),
            entry.get("source"),
            entry.get("note"),
            entry["attributes"],
        )
    else:
        version = _Version(
            "events" if isinstance(record, Event) else "incidents",
            record.date,
            record.date_latest,
            record.target_id if record.target.value == "place" else None,
            record.party,
            record.state.status.value if isinstance(record, Event) else None,
            record.kind,
            record.source,
            record.note,
            record.attributes,
        )
    kept = {k: v for k, v in version.attributes.items() if k not in _VOLATILE}
    return version._replace(attributes=kept)


def same_version(stored: Event | Incident, record: AcledRecord) -> bool:
    """Whether a stored record says what a row now says, but for when it was uploaded
    and recorded: ACLED re-uploads unchanged events with a new timestamp."""
    return _version(stored) == _version(record)


def changed_fields(stored: Event | Incident, record: AcledRecord) -> str:
    """What differs between a stored record and a row's new record, in ACLED's words
    where ACLED changed the event (``fatalities, notes``), else in ours (``place``,
    ``party``: the party map or the places changed), and whether it is now a control
    event rather than an incident (or the reverse).
    """
    old, new = _version(stored), _version(record)
    names = acled_changes(stored, record.row)
    if not names:
        names = [name for name in ("place", "party") if getattr(old, name) != getattr(new, name)]
        names = names or ["how the party map or the places read it"]
    if old.section != new.section:
        kinds = {"events": "a control event", "incidents": "an incident"}
        names.append(f"now {kinds[new.section]}, not {kinds[old.section]}")
    return ", ".join(names)


# What a conversion adds to ACLED's own fields.
_OURS = frozenset({"place_match", "place_km", "taker", "not_control"})


def acled_changes(stored: Event | Incident, row: AcledRow) -> list[str]:
    """The ACLED columns whose values differ between a stored record and a row of a
    newer export (``notes`` included), but for the upload ``timestamp``.

    >>> row = AcledRow(1, "MMR900101", dt.date(2024, 3, 15), 1, "Armed clash", "x",
    ...                "Kamaing", 25.52, 96.7, fatalities=3, notes="On 15 March ...")
    >>> from control_graph.model.records import Target
    >>> stored = Incident(dt.date(2024, 3, 15), Target.PLACE, "kamaing",
    ...                   note="On 15 March ...", attributes={**row.attributes(), "fatalities": 2})
    >>> acled_changes(stored, row)
    ['fatalities']
    """
    before = stored.attributes
    after = row.attributes()
    names = [
        key
        for key in dict.fromkeys((*before, *after))
        if key not in _VOLATILE and key not in _OURS and before.get(key) != after.get(key)
    ]
    if stored.note != row.notes:
        names.append("notes")
    return names
