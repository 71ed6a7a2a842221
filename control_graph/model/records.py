"""The things a dataset defines, as plain immutable values.

These are what the import produces after validation and what the timeline engine
consumes; they know nothing of how they are stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any, NamedTuple, TypeVar

from control_graph.model.states import State

__all__ = [
    "NO_FILTERS",
    "Access",
    "AccessLevel",
    "Bloc",
    "Confidence",
    "ControlEvent",
    "Dataset",
    "Event",
    "Filters",
    "Incident",
    "Membership",
    "Party",
    "Place",
    "Retraction",
    "Road",
    "Segment",
    "Source",
    "Target",
    "built",
]

Attributes = dict[str, Any]


class Confidence(StrEnum):
    """How sure the source (or the analyst) is of an event."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Target(StrEnum):
    """What an event is about: exactly one place, segment or road."""

    PLACE = "place"
    SEGMENT = "segment"
    ROAD = "road"


@dataclass(frozen=True)
class Party:
    id: str
    name: str | None = None
    aliases: tuple[str, ...] = ()
    color: str | None = None
    note: str | None = None
    attributes: Attributes = field(default_factory=dict)


@dataclass(frozen=True)
class Membership:
    """A party's membership of a bloc from ``start`` (inclusive) to ``end`` (exclusive);
    ``None`` means open on that side."""

    party: str
    bloc: str
    start: dt.date | None = None
    end: dt.date | None = None
    note: str | None = None

    def covers(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)


@dataclass(frozen=True)
class Bloc:
    id: str
    name: str | None = None
    aliases: tuple[str, ...] = ()
    members: tuple[Membership, ...] = ()
    note: str | None = None
    attributes: Attributes = field(default_factory=dict)


@dataclass(frozen=True)
class Place:
    id: str
    name: str | None = None
    aliases: tuple[str, ...] = ()
    kind: str | None = None
    lat: float | None = None
    lon: float | None = None
    note: str | None = None
    attributes: Attributes = field(default_factory=dict)

    @property
    def coordinates(self) -> tuple[float, float] | None:
        return None if self.lat is None or self.lon is None else (self.lat, self.lon)


@dataclass(frozen=True)
class Segment:
    """An edge between two places. ``length_km`` is the length given in the data, if any;
    the effective length comes from :func:`control_graph.model.geo.segment_length_km`."""

    id: str
    start: str
    end: str
    length_km: float | None = None
    name: str | None = None
    aliases: tuple[str, ...] = ()
    road: str | None = None
    position: int | None = None
    note: str | None = None
    attributes: Attributes = field(default_factory=dict)

    def ends(self) -> tuple[str, str]:
        """The ids of the places it joins, ``(from, to)``."""
        return self.start, self.end


@dataclass(frozen=True)
class Road:
    """A named route: an ordered chain of segments. ``places`` is set when the road was
    defined by its places (and generated its own segments)."""

    id: str
    segments: tuple[str, ...]
    name: str | None = None
    aliases: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    note: str | None = None
    attributes: Attributes = field(default_factory=dict)


@dataclass(frozen=True)
class Source:
    id: str
    name: str | None = None
    url: str | None = None
    published: dt.date | None = None
    note: str | None = None
    attributes: Attributes = field(default_factory=dict)


@dataclass(frozen=True)
class Event:
    """A control assertion as written in a dataset."""

    date: dt.date
    target: Target
    target_id: str
    state: State
    party: str | None = None
    kind: str | None = None
    source: str | None = None
    confidence: Confidence | None = None
    recorded: dt.date | None = None
    note: str | None = None
    attributes: Attributes = field(default_factory=dict)
    #: Contract section 4: the record's id, the latest day it may have happened, the
    #: day from which it no longer applies, and the party whose claim it is.
    id: str | None = None
    date_latest: dt.date | None = None
    until: dt.date | None = None
    claimant: str | None = None

    @property
    def effective_recorded(self) -> dt.date:
        """When it became known: ``recorded``, else ``date_latest``, else ``date``."""
        return self.recorded or self.date_latest or self.date


@dataclass(frozen=True)
class Incident:
    """Something that happened without changing control (an airstrike, a clash)."""

    date: dt.date
    target: Target
    target_id: str
    party: str | None = None
    kind: str | None = None
    source: str | None = None
    confidence: Confidence | None = None
    recorded: dt.date | None = None
    note: str | None = None
    attributes: Attributes = field(default_factory=dict)
    id: str | None = None
    date_latest: dt.date | None = None
    claimant: str | None = None


class AccessLevel(StrEnum):
    """Whether a road can be used, least to most restrictive (contract section 4.5)."""

    OPEN = "open"
    RESTRICTED = "restricted"
    TAXED = "taxed"
    FIRE_CONTROL = "fire-control"
    BLOCKED = "blocked"

    @property
    def rank(self) -> int:
        """0 for open up to 4 for blocked."""
        return list(AccessLevel).index(self)


@dataclass(frozen=True)
class Access:
    """Whether one can use a segment (or each segment of a road), and who imposes it."""

    date: dt.date
    target: Target
    target_id: str
    access: AccessLevel
    party: str | None = None
    recorded: dt.date | None = None
    source: str | None = None
    confidence: Confidence | None = None
    id: str | None = None
    note: str | None = None
    attributes: Attributes = field(default_factory=dict)


@dataclass(frozen=True)
class Retraction:
    """A record (event, incident or access record, by id) withdrawn from ``recorded`` on."""

    record: str
    recorded: dt.date
    source: str | None = None
    note: str | None = None
    attributes: Attributes = field(default_factory=dict)


class Filters(NamedTuple):
    """Which reports count for an answer (contract sections 2 and 4.3).

    ``as_of``: only what was recorded on or before that day (and retractions recorded
    by then); ``min_confidence``: nothing below that level (none given counts as
    medium); ``independent_only``: no report that is a side's own claim.
    """

    as_of: dt.date | None = None
    min_confidence: Confidence | None = None
    independent_only: bool = False

    def as_dict(self) -> dict[str, Any]:
        """As the keys of an answer's JSON."""
        return {
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "min_confidence": self.min_confidence.value if self.min_confidence else None,
            "independent_only": self.independent_only,
        }

    def confidences(self) -> tuple[str, ...] | None:
        """The confidence values that count, or ``None`` when all do."""
        if self.min_confidence is None:
            return None
        ranks = {Confidence.LOW: 0, Confidence.MEDIUM: 1, Confidence.HIGH: 2}
        least = ranks[self.min_confidence]
        return tuple(c.value for c, rank in ranks.items() if rank >= least)


#: No filter: every report counts (but retracted ones).
NO_FILTERS = Filters()


class ControlEvent(NamedTuple):
    """What the timeline engine needs of an event.

    Events are ordered by ``(date, recorded, order)`` (in the late reading by
    ``date_latest`` where given, then the same); ``order`` is the position of the event
    among all imports (an earlier import first, then position in the file).
    ``recorded`` is the effective one: as given, else ``date_latest``, else ``date``.
    The event applies from its day up to the day before ``until`` (contract 4.1);
    ``claimant`` is the party whose claim it is (``None``: an independent report);
    ``key`` lets the store find the whole record again (for explanations).
    """

    date: dt.date
    recorded: dt.date
    order: tuple[int, ...]
    target: Target
    target_id: str
    state: State
    date_latest: dt.date | None = None
    until: dt.date | None = None
    claimant: str | None = None
    key: int | None = None


@dataclass
class Dataset:
    """Everything one dataset file defines, validated, in file order."""

    name: str | None = None
    parties: list[Party] = field(default_factory=list)
    blocs: list[Bloc] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    roads: list[Road] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    access: list[Access] = field(default_factory=list)
    retractions: list[Retraction] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """How many of each thing the dataset holds."""
        return {
            "parties": len(self.parties),
            "blocs": len(self.blocs),
            "places": len(self.places),
            "roads": len(self.roads),
            "segments": len(self.segments),
            "sources": len(self.sources),
            "events": len(self.events),
            "incidents": len(self.incidents),
            "access": len(self.access),
            "retractions": len(self.retractions),
        }


_Definition = TypeVar("_Definition", "Place", "Segment", "Road")


def built(kind: type[_Definition], values: Iterable[dict[str, Any]]) -> list[_Definition]:
    """Frozen definitions from the values of all their fields, as ``kind(**value)``
    would make them but without the frozen ``__init__`` setting each field through
    ``object.__setattr__``: reading a national network's 170,000 definitions took
    0.36 s that way, 0.05 s this way. Every dict must give every field, no more (the
    first is checked; a store reads all of them in one shape).

    >>> built(Segment, [{f.name: None for f in fields(Segment)} | {"id": "s"}])[0].id
    's'
    """
    names = {f.name for f in fields(kind)}
    found: list[_Definition] = []
    new = object.__new__
    for value in values:
        if not found and value.keys() != names:
            raise TypeError(f"{kind.__name__} fields {sorted(names)}, not {sorted(value)}")
        record = new(kind)
        record.__dict__.update(value)
        found.append(record)
    return found
