"""What the plots read from a model: the network once, then states day by day.

Everything comes through :class:`control_graph.query.Model` (for a map of one day, any
:class:`~control_graph.query.reading.MapReading`) and the engine and access records it
returns (:meth:`~control_graph.query.Model.history`); nothing here touches the store.
The network is read once per plot (or once per animation) and the states of every
place and segment on a day are then answered by the engine from its sorted histories,
with what the data leave uncertain or disputed, and each segment's access.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

from control_graph.errors import InvalidArgumentError
from control_graph.model.access import AccessIndex, AccessState
from control_graph.model.dates import parse_date, parse_days
from control_graph.model.network import RoadNetwork
from control_graph.model.records import Bloc, Incident, Party, Place, Road, Segment, Source
from control_graph.model.states import State, Status
from control_graph.model.timeline import By, ControlTimeline
from control_graph.plot.colors import controller_colors
from control_graph.webmap.trust import disputed_on

if TYPE_CHECKING:
    from control_graph.query.reading import MapReading

__all__ = [
    "DateLike",
    "NetworkData",
    "Snapshot",
    "SpanLike",
    "Step",
    "Trust",
    "check_by",
    "latest_change",
    "load_network",
    "parse_span",
    "parse_step",
    "read_incidents",
    "snapshot",
    "source_line",
    "step_days",
    "to_day",
    "trust_notes",
]

DateLike = dt.date | str
SpanLike = dt.timedelta | int | str

_CALENDAR_STEP = re.compile(r"(\d+)\s*(m|y)")


def to_day(value: DateLike, name: str) -> dt.date:
    """A day given as a ``date`` or an ISO string; the error names the argument."""
    try:
        return parse_date(value)
    except InvalidArgumentError as error:
        raise InvalidArgumentError(f"{name}: {error}") from None


def parse_span(value: SpanLike, name: str = "span") -> dt.timedelta:
    """A number of days: a ``timedelta``, an ``int`` of days, or text like ``14d``, ``2w``.

    Examples
    --------
    >>> parse_span("2w").days, parse_span(3).days
    (14, 3)
    >>> parse_span("fortnight")
    Traceback (most recent call last):
    ...
    control_graph.errors.InvalidArgumentError: span: 'fortnight' is not a span like 7d, 2w or 10
    """
    if isinstance(value, dt.timedelta):
        span = value
    elif isinstance(value, bool):
        raise InvalidArgumentError(f"{name}: {value!r} is not a number of days")
    elif isinstance(value, int):
        span = dt.timedelta(days=value)
    else:
        try:
            span = dt.timedelta(days=parse_days(value))
        except InvalidArgumentError as error:
            raise InvalidArgumentError(f"{name}: {error}") from None
    if span.days < 0 or span.seconds or span.microseconds:
        raise InvalidArgumentError(f"{name}: give a whole, non-negative number of days")
    return span


class Step(NamedTuple):
    """A step between two days: a number of days, or of calendar months."""

    days: int = 0
    months: int = 0

    def after(self, start: dt.date, count: int) -> dt.date:
        """The day ``count`` steps after ``start``; a month step keeps the day of the
        month where it can and takes the month's last day where it cannot (31 January,
        then 28 February, then 31 March).

        Examples
        --------
        >>> [str(Step(months=1).after(dt.date(2024, 1, 31), n)) for n in range(3)]
        ['2024-01-31', '2024-02-29', '2024-03-31']
        """
        if not self.months:
            return start + dt.timedelta(days=self.days * count)
        month = start.month - 1 + self.months * count
        year, month = start.year + month // 12, month % 12 + 1
        return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))

    def describe(self) -> str:
        """``"7 days"``, ``"1 month"``, ``"2 years"``."""
        if self.months and self.months % 12 == 0:
            number, unit = self.months // 12, "year"
        elif self.months:
            number, unit = self.months, "month"
        else:
            number, unit = self.days, "day"
        return f"{number} {unit}{'' if number == 1 else 's'}"


def parse_step(value: SpanLike, name: str = "step") -> Step:
    """A step: whatever :func:`parse_span` takes, or calendar months (``1m``, ``3m``) and
    years (``1y``).

    Examples
    --------
    >>> parse_step("1m"), parse_step("1y"), parse_step("2w")
    (Step(days=0, months=1), Step(days=0, months=12), Step(days=14, months=0))
    """
    if isinstance(value, str):
        match = _CALENDAR_STEP.fullmatch(value.strip().lower())
        if match:
            number = int(match.group(1))
            months = number * 12 if match.group(2) == "y" else number
            if months < 1:
                raise InvalidArgumentError(f"{name}: give at least one month")
            return Step(months=months)
    span = parse_span(value, name)
    return Step(days=span.days)


def step_days(
    first: dt.date, last: dt.date, step: Step, limit: int, noun: str = "steps"
) -> list[dt.date]:
    """``first``, then every ``step`` up to ``last``, and ``last`` when no step lands
    on it; at most ``limit`` days (an error beyond, saying how many there would be).

    Examples
    --------
    >>> [str(d) for d in step_days(dt.date(2026, 1, 1), dt.date(2026, 3, 15), Step(months=1), 10)]
    ['2026-01-01', '2026-02-01', '2026-03-01', '2026-03-15']
    """
    if last < first:
        raise InvalidArgumentError(f"--to {last} is before --from {first}")
    if step.days < 1 and step.months < 1:
        raise InvalidArgumentError("step: give at least one day")
    if step.months:
        whole = (last.year - first.year) * 12 + last.month - first.month
        count = whole // step.months + 1
    else:
        count = (last - first).days // step.days + 1
    if count > limit:
        raise InvalidArgumentError(
            f"{count} {noun} from {first} to {last} every {step.describe()}; "
            f"give a longer step (at most {limit} {noun})"
        )
    days = [d for d in (step.after(first, n) for n in range(count)) if d <= last]
    if days[-1] != last:
        days.append(last)
    return days


def check_by(by: str) -> By:
    if by not in ("party", "bloc"):
        raise InvalidArgumentError(f"by must be 'party' or 'bloc', not {by!r}")
    return "bloc" if by == "bloc" else "party"


@dataclass
class NetworkData:
    """The definitions a plot needs, read once from a model."""

    name: str | None
    places: dict[str, Place]
    segments: dict[str, Segment]
    roads: dict[str, Road]
    lengths: dict[str, float]
    parties: dict[str, Party]
    blocs: dict[str, Bloc]
    by: By = "party"
    colors: dict[str, str] = field(default_factory=dict)
    sources: list[Source] = field(default_factory=list)
    #: The network these definitions were read as, for questions that take it again.
    network: RoadNetwork | None = field(default=None, repr=False, compare=False)
    _shared_names: set[str] | None = field(default=None, init=False, repr=False)

    def label_of(self, controller: str) -> str:
        """The name of a party or bloc, for legends."""
        bloc = self.blocs.get(controller) if self.by == "bloc" else None
        record: Bloc | Party | None = bloc or self.parties.get(controller)
        record = record or self.blocs.get(controller)
        return (record.name if record is not None else None) or controller

    def place_name(self, place: str) -> str:
        """A place's name, with its id where another place has the same name."""
        if self._shared_names is None:
            count = Counter((p.name or p.id).lower() for p in self.places.values())
            self._shared_names = {name for name, n in count.items() if n > 1}
        record = self.places.get(place)
        name = (record.name if record is not None else None) or place
        return f"{name} ({place})" if name.lower() in self._shared_names else name

    def segment_label(self, segment: str) -> str:
        """A segment by the names of its ends, joined by an en dash: "Hpakant - Seng Tawng"."""
        record = self.segments[segment]
        return f"{self.place_name(record.start)} \u2013 {self.place_name(record.end)}"

    def element_name(self, kind: str, ident: str) -> str:
        if kind == "place":
            return self.place_name(ident)
        if kind == "segment":
            record = self.segments[ident]
            return record.name or self.segment_label(ident)
        return self.roads[ident].name or ident

    def color_of(self, controller: str) -> str:
        return self.colors.get(controller, "#777777")


def load_network(model: MapReading, *, by: str = "party") -> NetworkData:
    """Read the definitions of ``model`` and the colours of its parties (or blocs)."""
    view = check_by(by)
    network = model.network()  # once: on a national network each read takes a second
    return NetworkData(
        name=network.name,
        places=network.places,
        segments=network.segments,
        roads=network.roads,
        lengths={s: network.length_of(s) for s in network.segments},
        parties=network.parties,
        blocs=network.blocs,
        by=view,
        colors=controller_colors(network.parties.values(), network.blocs.values(), by=view),
        sources=model.sources(),
        network=network,
    )


def latest_change(timeline: ControlTimeline, elements: Iterable[str], by: By) -> dt.date | None:
    """The last day on which any of ``elements`` changed state, or ``None``."""
    last: dt.date | None = None
    for element in elements:
        for change in timeline.element_changes(element, by):
            if last is None or change.date > last:
                last = change.date
    return last


def source_line(
    data: NetworkData, *, as_of: dt.date | None, latest: dt.date | None, base_map: str = ""
) -> str:
    """The credit line under a figure: ``"Source: KNG; data as of 2026-02-07"``.

    The sources are the dataset's (by name, at most three); the data is "as of" the day
    asked for with ``as_of``, else the latest day any source was published or anything
    changed; ``base_map`` credits the geography drawn under a map.

    Examples
    --------
    >>> from control_graph.model.records import Source
    >>> data = NetworkData("x", {}, {}, {}, {}, {}, {}, sources=[Source("kng", "KNG")])
    >>> source_line(data, as_of=None, latest=dt.date(2026, 2, 5), base_map="Natural Earth")
    'Source: KNG; data as of 2026-02-05 \u00b7 Base map: Natural Earth'
    """
    names = [source.name or source.id for source in data.sources]
    credited = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    days = [day for day in (latest, *(s.published for s in data.sources)) if day is not None]
    day = as_of or (max(days) if days else None)
    text = f"Source: {credited or 'not recorded in the dataset'}"
    if day is not None:
        text += f"; data as of {day.isoformat()}"
    if base_map:
        text += f" \u00b7 Base map: {base_map}"
    return text


class Trust(NamedTuple):
    """Which reports a plot counts, as the questions take it (contract section 4.3):
    none below ``min_confidence`` (``low``, ``medium`` or ``high``; a report without
    one counts as medium), and with ``independent_only`` none that is a side's own
    claim."""

    min_confidence: str | None = None
    independent_only: bool = False

    def counts(self, confidence: str | None, claimant: str | None) -> bool:
        """Whether a report of this confidence and claimant counts.

        >>> Trust("medium").counts("low", None), Trust(independent_only=True).counts(None, "kia")
        (False, False)
        """
        if self.independent_only and claimant is not None:
            return False
        if self.min_confidence is None:
            return True
        rank = _CONFIDENCE_RANK
        return rank.get(confidence or "medium", 1) >= rank.get(self.min_confidence, 1)


_CONFIDENCE_RANK = {"low": 0, "medium": 1, "high": 2}


def trust_notes(trust: Trust) -> list[str]:
    """What a subtitle says about the reports left out.

    >>> trust_notes(Trust("high", True))
    ['high-confidence reports only', 'independent reports only']
    """
    notes = []
    if trust.min_confidence == "medium":
        notes.append("low-confidence reports left out")
    elif trust.min_confidence == "high":
        notes.append("high-confidence reports only")
    if trust.independent_only:
        notes.append("independent reports only")
    return notes


def read_incidents(
    model: MapReading,
    start: dt.date,
    end: dt.date,
    as_of: dt.date | None,
    trust: Trust | None = None,
) -> list[Incident]:
    """Incidents from ``start`` to ``end`` (inclusive), as known on ``as_of``, that
    count under ``trust``."""
    trust = trust or Trust()
    return [
        incident
        for incident in model.incidents(start=start, end=end)
        if (as_of is None or (incident.recorded or incident.date) <= as_of)
        and trust.counts(incident.confidence, incident.claimant)
    ]


_NOTHING: Mapping[str, State] = MappingProxyType({})
_NO_ACCESS: Mapping[str, AccessState] = MappingProxyType({})


class Snapshot(NamedTuple):
    """The state of every place and segment on one day; ``otherwise`` the late
    reading's state of those the rough dates leave uncertain, ``disputed`` those whose
    own deciding report has a rival, ``access`` each segment's access where recorded."""

    day: dt.date
    places: dict[str, State]
    segments: dict[str, State]
    otherwise: Mapping[str, State] = _NOTHING
    disputed: frozenset[str] = frozenset()
    access: Mapping[str, AccessState] = _NO_ACCESS

    def controllers(self) -> set[str]:
        """Every party (or bloc) holding something on the day."""
        states = (*self.places.values(), *self.segments.values())
        return {s.controller for s in states if s.status is Status.HELD and s.controller}


def snapshot(
    timeline: ControlTimeline,
    data: NetworkData,
    day: dt.date,
    *,
    places: list[str] | None = None,
    segments: list[str] | None = None,
    access: AccessIndex | None = None,
) -> Snapshot:
    """The states on ``day`` of the given places and segments (default: all), with
    what is uncertain or disputed that day, and access from ``access``."""
    by = data.by
    place_ids = list(data.places if places is None else places)
    segment_ids = list(data.segments if segments is None else segments)
    elements = (*place_ids, *segment_ids)
    otherwise = {
        element: other
        for element in elements
        if (other := timeline.otherwise(element, day, by)) is not None
    }
    found = {} if access is None or not access else {s: access.on(s, day) for s in segment_ids}
    return Snapshot(
        day,
        {p: timeline.place_state(p, day, by) for p in place_ids},
        {s: timeline.segment_state(s, day, by) for s in segment_ids},
        otherwise,
        frozenset(e for e in elements if disputed_on(timeline, e, day)),
        {s: state for s, state in found.items() if state is not None},
    )
