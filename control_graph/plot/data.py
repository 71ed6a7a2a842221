"""What the plots read from a model: the network once, then states day by day.

Everything comes through :class:`control_graph.query.Model` and the engine it returns
(:meth:`~control_graph.query.Model.control_timeline`); nothing here touches the store.
The network is read once per plot (or once per animation) and the states of every place
and segment on a day are then answered by the engine from its sorted histories.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from control_graph.errors import InvalidArgumentError
from control_graph.model.dates import parse_date, parse_days
from control_graph.model.records import Bloc, Incident, Party, Place, Road, Segment
from control_graph.model.states import State, Status
from control_graph.model.timeline import By, ControlTimeline
from control_graph.plot.colors import controller_colors

if TYPE_CHECKING:
    from control_graph.query import Model

__all__ = [
    "DateLike",
    "NetworkData",
    "Snapshot",
    "SpanLike",
    "check_by",
    "load_network",
    "parse_span",
    "read_incidents",
    "snapshot",
    "to_day",
]

DateLike = dt.date | str
SpanLike = dt.timedelta | int | str


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


def load_network(model: Model, *, by: str = "party") -> NetworkData:
    """Read the definitions of ``model`` and the colours of its parties (or blocs)."""
    view = check_by(by)
    network = model.network()
    segments = {s.id: s for s in model.segments()}
    parties = {p.id: p for p in model.parties()}
    blocs = {b.id: b for b in model.blocs()}
    return NetworkData(
        name=model.dataset_name(),
        places={p.id: p for p in model.places()},
        segments=segments,
        roads={r.id: r for r in model.roads()},
        lengths={s: network.length_of(s) for s in segments},
        parties=parties,
        blocs=blocs,
        by=view,
        colors=controller_colors(parties.values(), blocs.values(), by=view),
    )


def read_incidents(
    model: Model, start: dt.date, end: dt.date, as_of: dt.date | None
) -> list[Incident]:
    """Incidents from ``start`` to ``end`` (inclusive), as known on ``as_of``."""
    found = model.incidents(start=start, end=end)
    if as_of is None:
        return found
    return [i for i in found if (i.recorded or i.date) <= as_of]


class Snapshot(NamedTuple):
    """The state of every place and segment on one day."""

    day: dt.date
    places: dict[str, State]
    segments: dict[str, State]

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
) -> Snapshot:
    """The states on ``day`` of the given places and segments (default: all)."""
    by = data.by
    return Snapshot(
        day,
        {p: timeline.place_state(p, day, by) for p in (data.places if places is None else places)},
        {
            s: timeline.segment_state(s, day, by)
            for s in (data.segments if segments is None else segments)
        },
    )
