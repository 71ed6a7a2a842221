"""The questions users ask -- who held it, its timeline, a path, what changed -- answered
from the database through the timeline engine.

:class:`Model` is the handle scripts and the command line use alike; every answer is a
small result object with ``as_dict()`` giving the JSON the command line prints.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from control_graph.errors import InvalidArgumentError
from control_graph.model.dates import parse_date
from control_graph.model.paths import RoadNetwork
from control_graph.model.records import Bloc, Incident, Party, Place, Road, Segment, Source
from control_graph.model.states import State
from control_graph.model.timeline import By, Change, ControlTimeline, ElementType, Interval
from control_graph.store import db, orm
from control_graph.store.fetch import (
    EventRecord,
    NetworkSlice,
    dataset_names,
    fetch_network,
    imports_of,
    read_definitions,
    read_events,
    read_incidents,
    resolve,
)
from control_graph.store.scenarios import (
    REPORTED,
    Overlay,
    ScenarioInfo,
    create_scenario,
    delete_scenario,
    list_scenarios,
    overlay_for,
    suppress_events,
)

if TYPE_CHECKING:
    # Importing reads YAML and validates: loaded when a file is imported, not for a
    # question, so that asking who held a road starts fast.
    from control_graph.store.importer import ImportReport

__all__ = [
    "ChangesResult",
    "Model",
    "PathResult",
    "SegmentState",
    "TimelineResult",
    "WhoHeldResult",
    "open_model",
]

DateLike = dt.date | str


def _day(value: DateLike, name: str) -> dt.date:
    try:
        return parse_date(value)
    except InvalidArgumentError as error:
        raise InvalidArgumentError(f"{name}: {error}") from None


def _optional_day(value: DateLike | None, name: str) -> dt.date | None:
    return None if value is None else _day(value, name)


def _check_by(by: str) -> By:
    if by not in ("party", "bloc"):
        raise InvalidArgumentError(f"by must be 'party' or 'bloc', not {by!r}")
    return by  # type: ignore[return-value]


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


@dataclass(frozen=True)
class SegmentState:
    """One segment's state on a day, with its endpoints."""

    id: str
    start: str
    end: str
    state: State

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "from": self.start, "to": self.end, **self.state.as_dict()}


@dataclass(frozen=True)
class WhoHeldResult:
    """The answer to "who held this element on that day"."""

    element: str
    type: ElementType
    date: dt.date
    state: State
    segments: tuple[SegmentState, ...] = ()
    as_of: dt.date | None = None
    by: By = "party"
    name: str | None = None

    def as_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "element": self.element,
            "type": self.type,
            "name": self.name,
            "date": self.date.isoformat(),
            **self.state.as_dict(),
            "as_of": _iso(self.as_of),
            "by": self.by,
        }
        if self.type != "place":
            result["segments"] = [segment.as_dict() for segment in self.segments]
        return result


@dataclass(frozen=True)
class TimelineResult:
    """The intervals of one element's state."""

    element: str
    type: ElementType
    intervals: tuple[Interval, ...]
    start: dt.date | None = None
    end: dt.date | None = None
    as_of: dt.date | None = None
    by: By = "party"
    name: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "element": self.element,
            "type": self.type,
            "name": self.name,
            "from": _iso(self.start),
            "to": _iso(self.end),
            "as_of": _iso(self.as_of),
            "by": self.by,
            "intervals": [
                {"from": i.start.isoformat(), "to": _iso(i.end), **i.state.as_dict()}
                for i in self.intervals
            ],
        }


@dataclass(frozen=True)
class PathResult:
    """A shortest path on one day, optionally through one party's or bloc's ground."""

    start: str
    end: str
    date: dt.date
    places: tuple[str, ...]
    segments: tuple[str, ...]
    length_km: float
    controller: str | None = None
    by: By = "party"
    as_of: dt.date | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.start,
            "to": self.end,
            "date": self.date.isoformat(),
            "party": self.controller if self.by == "party" else None,
            "bloc": self.controller if self.by == "bloc" else None,
            "as_of": _iso(self.as_of),
            "path": list(self.places),
            "segments": list(self.segments),
            "length_km": self.length_km,
        }


@dataclass(frozen=True)
class ChangesResult:
    """Every change of state of places and segments in a window."""

    changes: tuple[Change, ...]
    start: dt.date | None = None
    end: dt.date | None = None
    as_of: dt.date | None = None
    by: By = "party"

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": _iso(self.start),
            "to": _iso(self.end),
            "as_of": _iso(self.as_of),
            "by": self.by,
            "changes": [
                {
                    "date": c.date.isoformat(),
                    "element": c.element,
                    "type": c.type,
                    "from": c.before.as_dict(),
                    "to": c.after.as_dict(),
                }
                for c in self.changes
            ],
        }


@dataclass
class Model:
    """A control-graph database, and the questions it answers.

    Open one with :func:`control_graph.open`. Each question reads only what it needs
    from the database, so a model always answers from the data as it is now.

    Examples
    --------
    >>> import control_graph as cg
    >>> model = cg.open("sqlite://")
    >>> model.import_file(cg.sample_path()).added["events"] > 10
    True
    >>> model.who_held("gwaykhar-road", "2026-02-06").as_dict()["type"]
    'road'
    """

    engine: Engine
    #: The scenario this model answers in; ``None`` for the reported data.
    scenario_name: str | None = None
    _names: dict[tuple[str, ...], dict[str, tuple[str, str]]] = field(
        default_factory=dict, repr=False
    )

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def label(self) -> str:
        """``reported`` or the scenario's name."""
        return self.scenario_name or REPORTED

    @contextmanager
    def _reading(self) -> Iterator[tuple[Connection, Overlay]]:
        with db.translate_errors(self.engine), self.engine.connect() as conn:
            yield conn, overlay_for(conn, self.scenario_name)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> Model:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- data in ------------------------------------------------------------------------

    def import_file(
        self,
        path: str | Path,
        *,
        progress: Callable[[int], None] | None = None,
        on_total: Callable[[int], None] | None = None,
    ) -> ImportReport:
        """Import a dataset file (YAML, JSON or CSV), all or nothing.

        In a scenario, the file's places, segments, roads, events and incidents go into
        the scenario; the reported data is left as it is.
        """
        self._names.clear()
        from control_graph.store.importer import import_file

        return import_file(
            self.engine, path, progress=progress, on_total=on_total, scenario=self.scenario_name
        )

    def has_imported(self, path: str | Path) -> bool:
        """Whether a file with exactly this content was imported before."""
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        with db.translate_errors(self.engine), self.engine.connect() as conn:
            return bool(imports_of(conn, digest))

    # -- scenarios ------------------------------------------------------------------------

    def scenario(
        self,
        name: str,
        *,
        base: str | None = None,
        description: str | None = None,
        create: bool = True,
    ) -> Model:
        """The model of scenario ``name``, created if it does not exist (and ``create``).

        A new scenario is based on ``base`` (a scenario name or ``"reported"``); by
        default on this model's own data. The reported data is never changed by work in
        a scenario; a scenario sees what its base receives later.

        Examples
        --------
        >>> import control_graph as cg
        >>> reported = cg.open("sqlite://")
        >>> _ = reported.import_file(cg.sample_path())
        >>> what_if = reported.scenario("hepu-retaken", description="KIA retakes Hepu in August")
        >>> _ = what_if.add_event("2025-08-01", place="hepu", party="kia", kind="hypothesis")
        >>> what_if.who_held("hepu", "2025-12-01").state.controller
        'kia'
        >>> reported.who_held("hepu", "2025-12-01").state.controller
        'saf'
        """
        if name == REPORTED:
            return Model(self.engine, None)
        # Opening a scenario only reads; the write lock is taken only to create one, so
        # a question asked in a scenario never waits behind an import.
        with self._reading() as (conn, _):
            exists = conn.execute(
                sa.select(orm.Scenario.id).where(orm.Scenario.name == name)
            ).first()
            if exists is None and not create:
                overlay_for(conn, name)  # raises, listing the scenarios there are
        if exists is None:
            with db.write_transaction(self.engine) as conn:
                create_scenario(
                    conn,
                    name,
                    base=base if base is not None else self.scenario_name,
                    description=description,
                )
        return Model(self.engine, name)

    def scenarios(self) -> list[ScenarioInfo]:
        """Every scenario in the database, by name."""
        with self._reading() as (conn, _):
            return list_scenarios(conn)

    def delete_scenario(self, name: str) -> None:
        """Delete a scenario and all it added (never reported data)."""
        with db.write_transaction(self.engine) as conn:
            delete_scenario(conn, name)

    def add_event(
        self,
        on: DateLike,
        *,
        place: str | None = None,
        segment: str | None = None,
        road: str | None = None,
        party: str | None = None,
        status: str = "held",
        kind: str | None = None,
        source: str | None = None,
        confidence: str | None = None,
        recorded: DateLike | None = None,
        note: str | None = None,
    ) -> int:
        """Add a hypothetical event to this scenario; returns its import id.

        Ids are taken as given here (no name lookup), exactly as in a dataset file.
        """
        event = {
            "date": on,
            "place": place,
            "segment": segment,
            "road": road,
            "party": party,
            "status": status,
            "kind": kind,
            "source": source,
            "confidence": confidence,
            "recorded": recorded,
            "note": note,
        }
        return self.add_events([event])

    def add_events(self, events: list[dict[str, Any]]) -> int:
        """Add several hypothetical events (dataset keys) at once, all or nothing."""
        if self.scenario_name is None:
            raise InvalidArgumentError(
                "the reported data changes only by importing files; open a scenario with "
                "model.scenario(name) to add hypothetical events"
            )
        from control_graph.store.importer import add_events

        return add_events(self.engine, events, scenario=self.scenario_name)

    def suppress_event(self, event_id: int, *, note: str | None = None) -> None:
        """Suppose an event false in this scenario: answers are as if it were absent."""
        if self.scenario_name is None:
            raise InvalidArgumentError("events can be suppressed only in a scenario")
        with db.write_transaction(self.engine) as conn:
            suppress_events(conn, overlay_for(conn, self.scenario_name), [event_id], note)

    def events(
        self,
        element: str | None = None,
        *,
        start: DateLike | None = None,
        end: DateLike | None = None,
        limit: int | None = None,
    ) -> list[EventRecord]:
        """The events about an element (or all), with the ids suppress_event takes."""
        start_day, end_day = _optional_day(start, "from"), _optional_day(end, "to")
        target = self._resolve_element(element) if element is not None else None
        with self._reading() as (conn, overlay):
            return read_events(
                conn, element=target, start=start_day, end=end_day, overlay=overlay, limit=limit
            )

    # -- what is in the database --------------------------------------------------------

    def _read(self, kind: str) -> list[Any]:
        with self._reading() as (conn, overlay):
            return read_definitions(conn, kind, overlay=overlay)

    def parties(self) -> list[Party]:
        """Every party, by id."""
        return self._read("party")

    def blocs(self) -> list[Bloc]:
        """Every bloc with its memberships, by id."""
        return self._read("bloc")

    def places(self) -> list[Place]:
        """Every place, by id."""
        return self._read("place")

    def segments(self) -> list[Segment]:
        """Every segment, by id."""
        return self._read("segment")

    def roads(self) -> list[Road]:
        """Every road with its segments in order, by id."""
        return self._read("road")

    def sources(self) -> list[Source]:
        """Every source, by id."""
        return self._read("source")

    def incidents(
        self, *, start: DateLike | None = None, end: DateLike | None = None
    ) -> list[Incident]:
        """Incidents from ``start`` to ``end`` (both inclusive), oldest first."""
        start_day, end_day = _optional_day(start, "from"), _optional_day(end, "to")
        with self._reading() as (conn, overlay):
            return read_incidents(conn, start=start_day, end=end_day, overlay=overlay)

    def dataset_name(self) -> str | None:
        """The names of the datasets imported, joined (for titles), or ``None``."""
        with db.translate_errors(self.engine), self.engine.connect() as conn:
            names = dataset_names(conn)
        return "; ".join(names) if names else None

    # -- names --------------------------------------------------------------------------

    def resolve(
        self, text: str, kinds: tuple[str, ...] = ("place", "segment", "road")
    ) -> tuple[str, str]:
        """``(kind, id)`` of the element (or party, bloc) an id, name or alias means."""
        cache = self._names.setdefault(kinds, {})
        if text not in cache:
            with self._reading() as (conn, overlay):
                cache[text] = resolve(conn, text, kinds, overlay)
        return cache[text]

    def _resolve_element(self, text: str) -> tuple[ElementType, str]:
        kind, ident = self.resolve(text)
        assert kind in ("place", "segment", "road")
        return kind, ident  # type: ignore[return-value]

    def _fetch(
        self,
        element: tuple[str, str] | None,
        until: dt.date | None,
        as_of: dt.date | None,
    ) -> NetworkSlice:
        with self._reading() as (conn, overlay):
            return fetch_network(conn, element=element, until=until, as_of=as_of, overlay=overlay)

    @staticmethod
    def _timeline(network: NetworkSlice, as_of: dt.date | None) -> ControlTimeline:
        return ControlTimeline(
            places=network.places,
            segments={s.id: (s.start, s.end) for s in network.segments.values()},
            roads=network.roads,
            events=network.events,
            memberships=network.memberships,
            as_of=as_of,
        )

    def control_timeline(self, *, as_of: DateLike | None = None) -> ControlTimeline:
        """The engine over the whole network, for many questions in a row (scripts)."""
        as_of_day = _optional_day(as_of, "as_of")
        return self._timeline(self._fetch(None, None, as_of_day), as_of_day)

    def network(self) -> RoadNetwork:
        """The whole road network as a graph with segment lengths."""
        network = self._fetch(None, dt.date.min, None)
        return RoadNetwork(network.places.values(), network.segments.values())

    def snapshot(self, on: DateLike, *, as_of: DateLike | None = None, by: str = "party") -> Any:
        """The network on one day as a ``networkx.MultiGraph``.

        Nodes are place ids, edges are keyed by segment id; each carries ``status`` and
        ``controller`` for that day, besides ``lat``/``lon``/``kind`` (places) and
        ``length`` in km (segments). The graph is a copy: change it freely.

        Examples
        --------
        >>> import control_graph as cg
        >>> model = cg.open("sqlite://")
        >>> _ = model.import_file(cg.sample_path())
        >>> graph = model.snapshot("2026-02-06")
        >>> graph.nodes["lonton"]["controller"]
        'kia'
        >>> graph.edges["hepu", "lonton", "gwaykhar-road/3"]["status"]
        'held'
        """
        day = _day(on, "on")
        as_of_day = _optional_day(as_of, "as_of")
        view = _check_by(by)
        network = self._fetch(None, day, as_of_day)
        timeline = self._timeline(network, as_of_day)
        graph = RoadNetwork(network.places.values(), network.segments.values()).graph.copy()
        for place, data in graph.nodes(data=True):
            data.update(timeline.place_state(place, day, view).as_dict())
        for _start, _end, segment, data in graph.edges(keys=True, data=True):
            data.update(timeline.segment_state(segment, day, view).as_dict())
        graph.graph.update({"date": day.isoformat(), "by": view, "scenario": self.label})
        return graph

    # -- questions ----------------------------------------------------------------------

    def who_held(
        self,
        element: str,
        on: DateLike,
        *,
        as_of: DateLike | None = None,
        by: str = "party",
    ) -> WhoHeldResult:
        """The state of a road, segment or place on a day.

        Parameters
        ----------
        element
            Id, name or alias of a road, segment or place.
        on
            The day asked about.
        as_of
            Answer from the data as it stood then (events recorded on or before it).
        by
            ``"party"`` or ``"bloc"`` (report each party as its bloc on that day).
        """
        day = _day(on, "on")
        as_of_day = _optional_day(as_of, "as_of")
        view = _check_by(by)
        kind, ident = self._resolve_element(element)
        network = self._fetch((kind, ident), day, as_of_day)
        timeline = self._timeline(network, as_of_day)
        segments: tuple[SegmentState, ...] = ()
        if kind == "road":
            road = timeline.road_state(ident, day, view)
            state = road.state
            segments = tuple(
                SegmentState(sid, *network.segments[sid].ends(), s) for sid, s in road.segments
            )
        elif kind == "segment":
            state = timeline.segment_state(ident, day, view)
            segments = (SegmentState(ident, *network.segments[ident].ends(), state),)
        else:
            state = timeline.place_state(ident, day, view)
        return WhoHeldResult(
            ident, kind, day, state, segments, as_of_day, view, self._name(network, kind, ident)
        )

    def timeline(
        self,
        element: str,
        *,
        start: DateLike | None = None,
        end: DateLike | None = None,
        as_of: DateLike | None = None,
        by: str = "party",
    ) -> TimelineResult:
        """The intervals of an element's state, from the first day it is known.

        ``start``/``end`` keep the intervals overlapping those days (both inclusive)
        and move an earlier start up to ``start``.
        """
        start_day, end_day = _optional_day(start, "from"), _optional_day(end, "to")
        as_of_day = _optional_day(as_of, "as_of")
        view = _check_by(by)
        kind, ident = self._resolve_element(element)
        network = self._fetch((kind, ident), end_day, as_of_day)
        timeline = self._timeline(network, as_of_day)
        intervals = timeline.intervals(ident, start=start_day, end=end_day, by=view)
        return TimelineResult(
            ident,
            kind,
            tuple(intervals),
            start_day,
            end_day,
            as_of_day,
            view,
            self._name(network, kind, ident),
        )

    def path(
        self,
        source: str,
        target: str,
        on: DateLike,
        *,
        party: str | None = None,
        bloc: str | None = None,
        as_of: DateLike | None = None,
    ) -> PathResult:
        """The shortest path (by length) between two places on a day.

        With ``party`` or ``bloc``, every place and segment on it, ends included, must
        be held by that party or bloc on the day.

        Raises
        ------
        NoPathError
            When there is no such path.
        """
        if party is not None and bloc is not None:
            raise InvalidArgumentError("give a party or a bloc, not both")
        day = _day(on, "on")
        as_of_day = _optional_day(as_of, "as_of")
        _, start = self.resolve(source, ("place",))
        _, end = self.resolve(target, ("place",))
        controller, view = None, "party"
        if party is not None:
            controller = self.resolve(party, ("party",))[1]
        elif bloc is not None:
            controller, view = self.resolve(bloc, ("bloc",))[1], "bloc"
        network = self._fetch(None, day, as_of_day)
        timeline = self._timeline(network, as_of_day)
        graph = RoadNetwork(network.places.values(), network.segments.values())
        route = graph.shortest_path(
            start, end, timeline=timeline, day=day, controller=controller, by=_check_by(view)
        )
        return PathResult(
            start,
            end,
            day,
            route.places,
            route.segments,
            route.length_km,
            controller,
            _check_by(view),
            as_of_day,
        )

    def changes(
        self,
        *,
        start: DateLike | None = None,
        end: DateLike | None = None,
        as_of: DateLike | None = None,
        by: str = "party",
    ) -> ChangesResult:
        """Every change of state of places and segments, by date then element id."""
        start_day, end_day = _optional_day(start, "from"), _optional_day(end, "to")
        as_of_day = _optional_day(as_of, "as_of")
        view = _check_by(by)
        network = self._fetch(None, end_day, as_of_day)
        timeline = self._timeline(network, as_of_day)
        found = timeline.changes(start=start_day, end=end_day, by=view)
        return ChangesResult(tuple(found), start_day, end_day, as_of_day, view)

    @staticmethod
    def _name(network: NetworkSlice, kind: str, ident: str) -> str | None:
        if kind == "place":
            return network.places[ident].name
        if kind == "segment":
            return network.segments[ident].name
        return network.road_names.get(ident)


def open_model(url: str | None = None, *, migrate: bool = True) -> Model:
    """Open (creating or upgrading as needed) the database at ``url``.

    ``url`` is a SQLAlchemy URL; without one, ``$CONTROL_GRAPH_DB`` or the SQLite file
    ``control_graph.db`` in the current directory.
    """
    return Model(db.connect(url, migrate=migrate))
