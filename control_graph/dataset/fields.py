"""The dataset format in one table: each kind of record and its fields.

Everything else that knows the format derives from :data:`RECORD_KINDS`: the keys a
YAML or JSON entry may have, the columns of a CSV of events, how each field is checked,
and the name of the database column it is stored in. Adding a field to the format is a
change here (and to the record it builds and the ORM table that stores it; a test
checks the three agree).

Examples
--------
>>> RECORD_KINDS["places"].keys
('id', 'name', 'aliases', 'kind', 'lat', 'lon', 'note', 'attributes')
>>> EVENT_CSV_COLUMNS[:4]
('date', 'place', 'segment', 'road')
>>> RECORD_KINDS["events"].field("party").column
'party_id'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "ACCESS_CSV_COLUMNS",
    "ACCESS_LEVELS",
    "ACCESS_TABLE_COLUMNS",
    "CONFIDENCES",
    "EVENT_CSV_COLUMNS",
    "EVENT_TABLE_COLUMNS",
    "FORMAT",
    "INCIDENT_TABLE_COLUMNS",
    "MEMBER_FIELDS",
    "RECORD_KINDS",
    "RETRACTION_TABLE_COLUMNS",
    "SECTION_NOUNS",
    "STATUSES",
    "TOP_KEYS",
    "Field",
    "FieldType",
    "RecordKind",
]

#: The value of a file's ``format`` key, when it has one.
FORMAT = "control-graph/1"


class FieldType(StrEnum):
    """How a field is written in a file, and so how it is checked."""

    ID = "id"  #: the record's own id, a slug
    TEXT = "text"
    NAMES = "names"  #: a list of non-empty texts (aliases)
    DATE = "date"  #: ISO YYYY-MM-DD
    NUMBER = "number"
    COLOR = "color"  #: '#2e7d32' or a colour name
    REFERENCE = "reference"  #: the id of another record (``refers_to``)
    CHOICE = "choice"  #: one of ``choices``
    ATTRIBUTES = "attributes"  #: a mapping of free-form values
    IDS = "ids"  #: a list of ids of other records (``refers_to``)
    NUMBERS = "numbers"  #: a list of numbers or nulls
    MEMBERS = "members"  #: a bloc's memberships (:data:`MEMBER_FIELDS`)


@dataclass(frozen=True)
class Field:
    """One field of a record kind.

    ``key`` is its name in a file (YAML/JSON key, CSV column); ``attribute`` the name of
    the record's attribute it fills (when not the key); ``column`` the database column
    that stores it (``None`` when it is stored otherwise, e.g. aliases in their own
    table).
    """

    key: str
    type: FieldType
    column: str | None = None
    attribute: str | None = None
    refers_to: str | None = None
    choices: tuple[str, ...] = ()
    required: bool = False
    low: float | None = None
    high: float | None = None
    #: Whether a CSV may have it as a column (a mapping cannot be a cell).
    in_csv: bool = True

    @property
    def name(self) -> str:
        """The attribute of the record the field fills."""
        return self.attribute or self.key


@dataclass(frozen=True)
class RecordKind:
    """A section of a dataset file (``places``) and what one of its entries holds."""

    section: str
    noun: str
    fields: tuple[Field, ...]
    #: The kind of id its entries define (``place``), for references; ``None`` for
    #: records without an id of their own.
    defines: str | None = None

    @property
    def keys(self) -> tuple[str, ...]:
        """The keys an entry may have, in the order the format documents them."""
        return tuple(f.key for f in self.fields)

    def field(self, key: str) -> Field:
        """The field called ``key``."""
        for candidate in self.fields:
            if candidate.key == key:
                return candidate
        raise KeyError(key)


#: What an event may assert ("divided" only ever describes a road's summary).
STATUSES = ("held", "contested", "unknown")
CONFIDENCES = ("high", "medium", "low")
#: Whether a road can be used, least to most restrictive (contract section 4.5).
ACCESS_LEVELS = ("open", "restricted", "taxed", "fire-control", "blocked")

_NOTE = Field("note", FieldType.TEXT, "note")
_ATTRIBUTES = Field("attributes", FieldType.ATTRIBUTES, "attributes", in_csv=False)
_ID = Field("id", FieldType.ID, "id", required=True)
_NAME = Field("name", FieldType.TEXT, "name")
_ALIASES = Field("aliases", FieldType.NAMES)
# What an event or incident is about: exactly one of these three.
_TARGETS = (
    Field("place", FieldType.REFERENCE, "place_id", refers_to="place"),
    Field("segment", FieldType.REFERENCE, "segment_id", refers_to="segment"),
    Field("road", FieldType.REFERENCE, "road_id", refers_to="road"),
)
_DATE = Field("date", FieldType.DATE, "date", required=True)
_PARTY = Field("party", FieldType.REFERENCE, "party_id", refers_to="party")
_KIND = Field("kind", FieldType.TEXT, "kind")
_SOURCE = Field("source", FieldType.REFERENCE, "source_id", refers_to="source")
_CONFIDENCE = Field("confidence", FieldType.CHOICE, "confidence", choices=CONFIDENCES)
_RECORDED = Field("recorded", FieldType.DATE, "recorded")
# Contract section 4: ids of records (events, incidents, access records), rough dates,
# reports that lapse, and whose claim a report is.
_RECORD_ID = Field("id", FieldType.ID, "record_id")
_DATE_LATEST = Field("date_latest", FieldType.DATE, "date_latest")
_UNTIL = Field("until", FieldType.DATE, "until_date")
_CLAIMANT = Field("claimant", FieldType.REFERENCE, "claimant_id", refers_to="party")

#: The fields of one membership in a bloc's ``members`` list.
MEMBER_FIELDS = (
    Field("party", FieldType.REFERENCE, "party_id", refers_to="party", required=True),
    Field("from", FieldType.DATE, "start_date", attribute="start"),
    Field("to", FieldType.DATE, "end_date", attribute="end"),
    Field("note", FieldType.TEXT, "note"),
)

#: Every section of a dataset file, in the order they are validated and written.
RECORD_KINDS: Mapping[str, RecordKind] = {
    kind.section: kind
    for kind in (
        RecordKind(
            "parties",
            "party",
            (_ID, _NAME, _ALIASES, Field("color", FieldType.COLOR, "color"), _NOTE, _ATTRIBUTES),
            defines="party",
        ),
        RecordKind(
            "blocs",
            "bloc",
            (_ID, _NAME, _ALIASES, Field("members", FieldType.MEMBERS), _NOTE, _ATTRIBUTES),
            defines="bloc",
        ),
        RecordKind(
            "places",
            "place",
            (
                _ID,
                _NAME,
                _ALIASES,
                Field("kind", FieldType.TEXT, "kind"),
                Field("lat", FieldType.NUMBER, "lat", low=-90, high=90),
                Field("lon", FieldType.NUMBER, "lon", low=-180, high=180),
                _NOTE,
                _ATTRIBUTES,
            ),
            defines="place",
        ),
        RecordKind(
            "roads",
            "road",
            (
                _ID,
                _NAME,
                _ALIASES,
                Field("places", FieldType.IDS, refers_to="place"),
                Field("lengths_km", FieldType.NUMBERS, low=0),
                Field("segments", FieldType.IDS, refers_to="segment"),
                _NOTE,
                _ATTRIBUTES,
            ),
            defines="road",
        ),
        RecordKind(
            "segments",
            "segment",
            (
                _ID,
                _NAME,
                _ALIASES,
                Field(
                    "from",
                    FieldType.REFERENCE,
                    "start_place_id",
                    attribute="start",
                    refers_to="place",
                    required=True,
                ),
                Field(
                    "to",
                    FieldType.REFERENCE,
                    "end_place_id",
                    attribute="end",
                    refers_to="place",
                    required=True,
                ),
                Field("length_km", FieldType.NUMBER, "length_km", low=0),
                _NOTE,
                _ATTRIBUTES,
            ),
            defines="segment",
        ),
        RecordKind(
            "sources",
            "source",
            (
                _ID,
                _NAME,
                Field("url", FieldType.TEXT, "url"),
                Field("published", FieldType.DATE, "published"),
                _NOTE,
                _ATTRIBUTES,
            ),
            defines="source",
        ),
        RecordKind(
            "events",
            "event",
            (
                _DATE,
                *_TARGETS,
                _PARTY,
                Field("status", FieldType.CHOICE, "status", choices=STATUSES),
                _KIND,
                _SOURCE,
                _CONFIDENCE,
                _RECORDED,
                _NOTE,
                _ATTRIBUTES,
                _RECORD_ID,
                _DATE_LATEST,
                _UNTIL,
                _CLAIMANT,
            ),
        ),
        RecordKind(
            "incidents",
            "incident",
            (
                _DATE,
                *_TARGETS,
                _PARTY,
                _KIND,
                _SOURCE,
                _CONFIDENCE,
                _RECORDED,
                _NOTE,
                _ATTRIBUTES,
                _RECORD_ID,
                _DATE_LATEST,
                _CLAIMANT,
            ),
        ),
        RecordKind(
            "access",
            "access record",
            (
                _DATE,
                *_TARGETS[1:],
                Field("access", FieldType.CHOICE, "access", choices=ACCESS_LEVELS, required=True),
                _PARTY,
                _RECORDED,
                _SOURCE,
                _CONFIDENCE,
                _RECORD_ID,
                _NOTE,
                _ATTRIBUTES,
            ),
        ),
        RecordKind(
            "retractions",
            "retraction",
            (
                Field(
                    "event",
                    FieldType.REFERENCE,
                    "record_id",
                    attribute="record",
                    refers_to="record",
                    required=True,
                ),
                Field("recorded", FieldType.DATE, "recorded", required=True),
                _SOURCE,
                _NOTE,
                _ATTRIBUTES,
            ),
        ),
    )
}

#: The sections of a dataset file, each with the noun for one of its entries.
SECTION_NOUNS: Mapping[str, str] = {kind.section: kind.noun for kind in RECORD_KINDS.values()}
#: Every key a dataset file may have at its top.
TOP_KEYS: tuple[str, ...] = ("format", "name", *RECORD_KINDS)
#: The columns a CSV of events may have (contract section 1.3), in the documented order.
EVENT_CSV_COLUMNS: tuple[str, ...] = tuple(f.key for f in RECORD_KINDS["events"].fields if f.in_csv)
#: The columns a CSV of access records may have (contract sections 1.3 and 4.5).
ACCESS_CSV_COLUMNS: tuple[str, ...] = (
    "id",
    "date",
    "segment",
    "road",
    "access",
    "party",
    "source",
    "confidence",
    "recorded",
    "note",
)
assert set(ACCESS_CSV_COLUMNS) == {f.key for f in RECORD_KINDS["access"].fields if f.in_csv}


def _table_columns(section: str) -> tuple[str, ...]:
    return tuple(f.column for f in RECORD_KINDS[section].fields if f.column is not None)


#: The database columns that hold an event's fields, in the order of its fields; the
#: rows the importer writes are tuples in this order.
EVENT_TABLE_COLUMNS: tuple[str, ...] = _table_columns("events")
#: The same for incidents.
INCIDENT_TABLE_COLUMNS: tuple[str, ...] = _table_columns("incidents")
#: The same for access records.
ACCESS_TABLE_COLUMNS: tuple[str, ...] = _table_columns("access")
#: The same for retractions.
RETRACTION_TABLE_COLUMNS: tuple[str, ...] = _table_columns("retractions")
