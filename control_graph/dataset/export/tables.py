"""The plain data every export writes: each place and segment, and its states.

An :class:`ExportTable` is built once from the network and its timeline engine
(:func:`history_table` for every state interval, :func:`snapshot_table` for one day)
and then written by any of the format modules, so that the GeoJSON, the GeoPackage,
the KML, the graphs and the CSV all say the same thing in the same words. The columns
(:func:`columns`) are one list with one type each; every format derives its fields
from it.

Nothing here reads a database or imports a format library.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from control_graph.model.access import AccessIndex, AccessState
from control_graph.model.network import RoadNetwork
from control_graph.model.records import Filters, Incident, Target
from control_graph.model.states import State, Status
from control_graph.model.timeline import By, ControlTimeline, Interval

__all__ = [
    "Column",
    "Element",
    "ExportTable",
    "IncidentRow",
    "Palette",
    "StateRow",
    "columns",
    "elements_of",
    "history_table",
    "incident_rows",
    "last_day",
    "snapshot_table",
]

ElementKind = Literal["place", "segment"]
ColumnType = Literal["str", "int", "float", "bool", "date"]
#: A point as GeoJSON, KML and GDAL want it: longitude first, then latitude (WGS 84).
LonLat = tuple[float, float]


class Column(NamedTuple):
    """One property of an exported feature or row, and its type."""

    name: str
    type: ColumnType


@dataclass(frozen=True)
class Element:
    """A place or segment as the exports describe it.

    ``points`` is ``(lon, lat)`` of a place, or of a segment's two ends; empty when a
    place, or either end of a segment, has no coordinates (map formats leave it out).
    ``length_km`` is a segment's effective length (given, great-circle, or 1).
    """

    id: str
    type: ElementKind
    name: str | None = None
    kind: str | None = None
    road: str | None = None
    start: str | None = None
    end: str | None = None
    length_km: float | None = None
    points: tuple[LonLat, ...] = ()


@dataclass(frozen=True)
class StateRow:
    """One state of an element: a stretch of days ``[start, end)`` (``end`` ``None``
    when still open), or in a snapshot the state on the day with the stretch it is part
    of (``start`` ``None`` when the element was never known by then).

    ``reports`` counts the reports (control events that count under the export's
    filters) about the element dated within the stretch, ``sources`` the distinct
    sources they cite; ``access`` is a segment's access on a snapshot's day.
    """

    element: Element
    state: State
    start: dt.date | None
    end: dt.date | None
    otherwise: State | None = None
    reports: int = 0
    sources: int = 0
    access: AccessState | None = None


@dataclass(frozen=True)
class Palette:
    """The colour (``#rrggbb``) and name of every controller, and of the other states."""

    colors: Mapping[str, str]
    names: Mapping[str, str]
    contested: str
    unknown: str
    #: For a controller the data give no colour (none is missing when the palette comes
    #: from :func:`control_graph.colors.controller_colors`).
    other: str = "#777777"

    def color(self, state: State) -> str:
        """The colour of a state.

        >>> palette = Palette({"kia": "#2e7d32"}, {}, contested="#222222", unknown="#bbbbbb")
        >>> palette.color(State(Status.HELD, "kia")), palette.color(State(Status.UNKNOWN))
        ('#2e7d32', '#bbbbbb')
        """
        if state.status is Status.HELD and state.controller is not None:
            return self.colors.get(state.controller, self.other)
        if state.status is Status.CONTESTED:
            return self.contested
        return self.unknown

    def name(self, state: State) -> str | None:
        """The controller's name (its id when it has none), ``None`` unless held."""
        if state.controller is None:
            return None
        return self.names.get(state.controller) or state.controller


_PLACE_COLUMNS = (Column("element", "str"), Column("type", "str"), Column("name", "str"))
_DEFINITION_COLUMNS = (
    Column("kind", "str"),
    Column("road", "str"),
    Column("from", "str"),
    Column("to", "str"),
    Column("length_km", "float"),
)
_STATE_COLUMNS = (
    Column("by", "str"),
    Column("status", "str"),
    Column("controller", "str"),
    Column("controller_name", "str"),
    Column("color", "str"),
    Column("uncertain", "bool"),
    Column("otherwise_status", "str"),
    Column("otherwise_controller", "str"),
    Column("reports", "int"),
    Column("sources", "int"),
)


def columns(*, snapshot: bool) -> tuple[Column, ...]:
    """The properties of a feature (or columns of a row), in order.

    A history has ``start``, ``end`` and ``open``; a snapshot has ``date``, ``since``
    and ``until`` (the stretch the day's state belongs to), ``access`` and
    ``access_by``.

    >>> [c.name for c in columns(snapshot=False)][:8]
    ['element', 'type', 'name', 'kind', 'road', 'from', 'to', 'length_km']
    >>> [c.name for c in columns(snapshot=True)][-2:]
    ['access', 'access_by']
    """
    when: tuple[Column, ...] = (Column("start", "date"), Column("end", "date"))
    extra: tuple[Column, ...] = ()
    if snapshot:
        when = (Column("date", "date"), Column("since", "date"), Column("until", "date"))
        extra = (Column("access", "str"), Column("access_by", "str"))
    else:
        when += (Column("open", "bool"),)
    return _PLACE_COLUMNS + _DEFINITION_COLUMNS + when + _STATE_COLUMNS + extra


@dataclass(frozen=True)
class ExportTable:
    """Every state of every place and segment an export writes, with what it needs to
    say how they were chosen and how to draw them.

    ``day`` is the snapshot's day (``None``: the whole history); ``open_end`` the day
    after the last day with data, which the map formats write as the end of a state
    still in force (see :func:`last_day`).
    """

    elements: tuple[Element, ...]
    rows: tuple[StateRow, ...]
    palette: Palette
    by: By = "party"
    day: dt.date | None = None
    open_end: dt.date | None = None
    title: str = "control-graph"
    scenario: str = "reported"
    filters: Filters = field(default_factory=Filters)

    @property
    def snapshot(self) -> bool:
        return self.day is not None

    def columns(self) -> tuple[Column, ...]:
        """:func:`columns` of this table."""
        return columns(snapshot=self.snapshot)

    def located(self, kind: ElementKind) -> list[StateRow]:
        """The rows of ``kind`` whose element has coordinates (what a map shows)."""
        return [r for r in self.rows if r.element.type == kind and r.element.points]

    def left_out(self) -> dict[str, int]:
        """How many places and segments a map leaves out for want of coordinates."""
        return {
            f"{kind}s": sum(1 for e in self.elements if e.type == kind and not e.points)
            for kind in ("place", "segment")
        }

    def properties(self, row: StateRow, *, close_open: bool = True) -> dict[str, Any]:
        """The values of :meth:`columns` for ``row`` (dates as ``date``, absent values
        ``None``). With ``close_open``, a state still in force ends on
        :attr:`open_end` (``open`` says so); otherwise its ``end`` is ``None``."""
        element, state, other = row.element, row.state, row.otherwise
        values: dict[str, Any] = {
            "element": element.id,
            "type": element.type,
            "name": element.name,
            "kind": element.kind,
            "road": element.road,
            "from": element.start,
            "to": element.end,
            "length_km": None if element.length_km is None else round(element.length_km, 3),
        }
        if self.day is not None:
            values.update(date=self.day, since=row.start, until=row.end)
        else:
            end = row.end if row.end is not None or not close_open else self.open_end
            values.update(start=row.start, end=end, open=row.end is None)
        values.update(
            {
                "by": self.by,
                "status": state.status.value,
                "controller": state.controller,
                "controller_name": self.palette.name(state),
                "color": self.palette.color(state),
                "uncertain": other is not None,
                "otherwise_status": None if other is None else other.status.value,
                "otherwise_controller": None if other is None else other.controller,
                "reports": row.reports,
                "sources": row.sources,
            }
        )
        if self.day is not None:
            access = row.access
            values["access"] = None if access is None else access.access.value
            values["access_by"] = None if access is None else access.party
        return values


# -- building the tables ---------------------------------------------------------------------


def elements_of(network: RoadNetwork) -> tuple[Element, ...]:
    """Every place, then every segment, of ``network``, by id.

    >>> from control_graph.model.records import Place, Segment
    >>> network = RoadNetwork(
    ...     [Place("a", lat=10.0, lon=20.0), Place("b", lat=10.1, lon=20.1), Place("c")],
    ...     [Segment("ab", "a", "b"), Segment("bc", "b", "c")],
    ... )
    >>> [(e.id, e.points) for e in elements_of(network)]  # doctest: +NORMALIZE_WHITESPACE
    [('a', ((20.0, 10.0),)), ('b', ((20.1, 10.1),)), ('c', ()),
     ('ab', ((20.0, 10.0), (20.1, 10.1))), ('bc', ())]
    """
    found: list[Element] = []
    points: dict[str, LonLat] = {}
    for place in sorted(network.places.values(), key=lambda p: p.id):
        point = () if place.lat is None or place.lon is None else ((place.lon, place.lat),)
        if point:
            points[place.id] = point[0]
        found.append(Element(place.id, "place", place.name, kind=place.kind, points=point))
    for segment in sorted(network.segments.values(), key=lambda s: s.id):
        ends = (points.get(segment.start), points.get(segment.end))
        found.append(
            Element(
                segment.id,
                "segment",
                segment.name,
                road=segment.road,
                start=segment.start,
                end=segment.end,
                length_km=network.length_of(segment.id),
                points=(ends[0], ends[1]) if ends[0] and ends[1] else (),
            )
        )
    return tuple(found)


class _Reports:
    """The counted reports about one element, by date, and the source each cites."""

    def __init__(
        self, timeline: ControlTimeline, element: Element, sources: Mapping[int, str | None]
    ) -> None:
        lists = timeline.events.places if element.type == "place" else timeline.events.segments
        # The early reading orders events by date first; sorting again costs nothing then.
        self._events = sorted(lists.get(element.id, []), key=lambda e: e.date)
        self._days = [event.date for event in self._events]
        self._sources = sources

    def count(self, start: dt.date | None, end: dt.date | None) -> tuple[int, int]:
        """``(reports, sources)`` of the events dated within ``[start, end)``."""
        if start is None:
            return 0, 0
        first = bisect_left(self._days, start)
        last = len(self._days) if end is None else bisect_left(self._days, end)
        within = self._events[first:last]
        cited = {self._sources.get(e.key) for e in within if e.key is not None}
        cited.discard(None)
        return len(within), len(cited)


def history_table(
    network: RoadNetwork,
    timeline: ControlTimeline,
    palette: Palette,
    *,
    by: By = "party",
    sources: Mapping[int, str | None] | None = None,
    also: Iterable[dt.date] = (),
    title: str = "control-graph",
    scenario: str = "reported",
    filters: Filters | None = None,
) -> ExportTable:
    """One row per state interval of every place and segment (as ``timeline
    --by``), in element order.

    ``sources`` maps each event's ``key`` to the source it cites (for the ``sources``
    count). ``open_end`` is the day after :func:`last_day` (``also``: more days with
    data, such as incidents').

    Examples
    --------
    >>> from control_graph.model.records import ControlEvent, Place, Segment, Target
    >>> from control_graph.model.states import held
    >>> day = dt.date(2024, 1, 1)
    >>> network = RoadNetwork([Place("a"), Place("b")], [Segment("ab", "a", "b")])
    >>> events = [ControlEvent(day, day, (i,), Target.PLACE, p, held("n"))
    ...           for i, p in enumerate("ab")]
    >>> palette = Palette({"n": "#0072b2"}, {}, contested="#222222", unknown="#bbbbbb")
    >>> table = history_table(network, network.timeline(events), palette)
    >>> [(r.element.id, r.state.controller, r.end) for r in table.rows]
    [('a', 'n', None), ('b', 'n', None), ('ab', 'n', None)]
    >>> table.open_end
    datetime.date(2024, 1, 2)
    """
    elements = elements_of(network)
    rows: list[StateRow] = []
    for element in elements:
        reports = _Reports(timeline, element, sources or {})
        for interval in timeline.intervals(element.id, by=by):
            count, cited = reports.count(interval.start, interval.end)
            rows.append(
                StateRow(
                    element,
                    interval.state,
                    interval.start,
                    interval.end,
                    interval.otherwise,
                    count,
                    cited,
                )
            )
    last = last_day(timeline, rows, also)
    return ExportTable(
        elements,
        tuple(rows),
        palette,
        by,
        None,
        None if last is None else last + dt.timedelta(days=1),
        title,
        scenario,
        filters or Filters(),
    )


def _interval_on(intervals: Sequence[Interval], day: dt.date) -> Interval | None:
    for interval in intervals:
        if interval.start <= day and (interval.end is None or day < interval.end):
            return interval
    return None


def snapshot_table(
    network: RoadNetwork,
    timeline: ControlTimeline,
    access: AccessIndex,
    palette: Palette,
    day: dt.date,
    *,
    by: By = "party",
    sources: Mapping[int, str | None] | None = None,
    title: str = "control-graph",
    scenario: str = "reported",
    filters: Filters | None = None,
) -> ExportTable:
    """One row per place and segment: its state on ``day`` (as ``who-held``), the
    stretch of days that state belongs to, and a segment's access.

    Examples
    --------
    >>> from control_graph.model.records import ControlEvent, Place, Segment, Target
    >>> from control_graph.model.states import held
    >>> start = dt.date(2024, 1, 1)
    >>> network = RoadNetwork([Place("a"), Place("b")], [Segment("ab", "a", "b")])
    >>> events = [ControlEvent(start, start, (1,), Target.PLACE, "a", held("n"))]
    >>> palette = Palette({}, {}, contested="#222222", unknown="#bbbbbb")
    >>> table = snapshot_table(network, network.timeline(events), AccessIndex([]), palette,
    ...                        dt.date(2024, 2, 1))
    >>> [(r.element.id, r.state.status.value, r.start) for r in table.rows]
    [('a', 'held', datetime.date(2024, 1, 1)), ('b', 'unknown', None), ('ab', 'unknown', None)]
    """
    elements = elements_of(network)
    rows: list[StateRow] = []
    for element in elements:
        interval = _interval_on(timeline.intervals(element.id, end=day, by=by), day)
        start, end = (interval.start, interval.end) if interval else (None, None)
        count, cited = _Reports(timeline, element, sources or {}).count(start, end)
        rows.append(
            StateRow(
                element,
                timeline.state(element.id, day, by),
                start,
                end,
                timeline.otherwise(element.id, day, by),
                count,
                cited,
                access.on(element.id, day) if element.type == "segment" else None,
            )
        )
    return ExportTable(
        elements,
        tuple(rows),
        palette,
        by,
        day,
        None,
        title,
        scenario,
        filters or Filters(),
    )


def last_day(
    timeline: ControlTimeline, rows: Iterable[StateRow] = (), also: Iterable[dt.date] = ()
) -> dt.date | None:
    """The last day with data: the latest day on which a counted report is dated,
    may have happened, lapses or was recorded, or a state begins or ends; ``also``
    adds days (incidents, access records). ``None`` when there is none.

    The map formats end a state still in force on the day after it (``open: true``
    says so): QGIS's temporal controller takes its full range from the largest start
    or end, so a state still in force is then shown up to the last day with data.

    >>> from control_graph.model.records import Place
    >>> network = RoadNetwork([Place("a")], [])
    >>> last_day(network.timeline([])) is None
    True
    >>> last_day(network.timeline([]), also=[dt.date(2024, 5, 1)])
    datetime.date(2024, 5, 1)
    """
    days: set[dt.date] = set(also)
    for lists in (timeline.events.places, timeline.events.segments):
        for events in lists.values():
            for event in events:
                days.update((event.date, event.recorded))
                if event.date_latest is not None:
                    days.add(event.date_latest)
                if event.until is not None:
                    days.add(event.until)
    for row in rows:
        if row.start is not None:
            days.add(row.start)
        if row.end is not None:
            days.add(row.end)
    return max(days) if days else None


# -- incidents --------------------------------------------------------------------------------


@dataclass(frozen=True)
class IncidentRow:
    """An incident and where to draw it: its place, the middle of its segment, or the
    middle of its road's middle segment (``None`` without coordinates)."""

    incident: Incident
    point: LonLat | None

    def properties(self) -> dict[str, Any]:
        """Its fields as columns (see :data:`INCIDENT_COLUMNS`)."""
        i = self.incident
        return {
            "id": i.id,
            "date": i.date,
            "date_latest": i.date_latest,
            "type": i.target.value,
            "element": i.target_id,
            "kind": i.kind,
            "party": i.party,
            "claimant": i.claimant,
            "source": i.source,
            "confidence": None if i.confidence is None else i.confidence.value,
            "recorded": i.recorded,
            "note": i.note,
        }


#: The columns of an incident.
INCIDENT_COLUMNS = (
    Column("id", "str"),
    Column("date", "date"),
    Column("date_latest", "date"),
    Column("type", "str"),
    Column("element", "str"),
    Column("kind", "str"),
    Column("party", "str"),
    Column("claimant", "str"),
    Column("source", "str"),
    Column("confidence", "str"),
    Column("recorded", "date"),
    Column("note", "str"),
)


def _middle(points: tuple[LonLat, ...]) -> LonLat | None:
    if not points:
        return None
    return (
        sum(p[0] for p in points) / len(points),
        sum(p[1] for p in points) / len(points),
    )


def incident_rows(
    incidents: Iterable[Incident],
    elements: Iterable[Element],
    roads: Mapping[str, Sequence[str]],
) -> list[IncidentRow]:
    """Each incident with the point it is drawn at.

    >>> day = dt.date(2024, 1, 1)
    >>> elements = [Element("s", "segment", points=((20.0, 10.0), (21.0, 11.0)))]
    >>> rows = incident_rows([Incident(day, Target.ROAD, "r")], elements, {"r": ("s",)})
    >>> rows[0].point
    (20.5, 10.5)
    """
    by_id = {e.id: e for e in elements}
    found: list[IncidentRow] = []
    for incident in incidents:
        about = incident.target_id
        if incident.target is Target.ROAD:
            segments = roads.get(about, ())
            about = segments[len(segments) // 2] if segments else ""
        element = by_id.get(about)
        found.append(IncidentRow(incident, _middle(element.points) if element else None))
    return found
