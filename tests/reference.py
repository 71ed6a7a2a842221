"""A day-by-day reading of contract sections 2 and 4, written to be obviously right.

Every question re-reads every report for every day; nothing is precomputed. The property
tests compare the engine (and the whole model, through a database) with it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from control_graph.model.states import CONTESTED, UNKNOWN, State, Status, held

RANK = {"low": 0, "medium": 1, "high": 2}
ACCESS_RANK = {"open": 0, "restricted": 1, "taxed": 2, "fire-control": 3, "blocked": 4}


@dataclass(frozen=True)
class Report:
    """An event as a dataset holds it, with its place in the order of events."""

    position: int
    date: dt.date
    target: str  # "place", "segment" or "road"
    target_id: str
    state: State
    party: str | None = None
    date_latest: dt.date | None = None
    until: dt.date | None = None
    recorded: dt.date | None = None
    claimant: str | None = None
    confidence: str | None = None
    id: str | None = None

    @property
    def known(self) -> dt.date:
        return self.recorded or self.date_latest or self.date


@dataclass(frozen=True)
class AccessReport:
    position: int
    date: dt.date
    target: str  # "segment" or "road"
    target_id: str
    access: str
    party: str | None = None
    recorded: dt.date | None = None
    confidence: str | None = None
    id: str | None = None

    @property
    def known(self) -> dt.date:
        return self.recorded or self.date


@dataclass
class World:
    places: list[str]
    segments: dict[str, tuple[str, str]]
    roads: dict[str, list[str]]
    memberships: list[tuple[str, str, dt.date | None, dt.date | None]]  # party, bloc, from, to
    events: list[Report]
    access: list[AccessReport] = field(default_factory=list)
    #: record id -> the days of its retractions
    retractions: dict[str, list[dt.date]] = field(default_factory=dict)


@dataclass(frozen=True)
class Ask:
    """How a question is asked."""

    as_of: dt.date | None = None
    min_confidence: str | None = None
    independent_only: bool = False
    by: str = "party"
    window: int = 7


class Reference:
    def __init__(self, world: World, ask: Ask) -> None:
        self.world = world
        self.ask = ask
        self.events = [
            e for e in world.events if self._counts(e.id, e.known, e.confidence, e.claimant)
        ]
        self.access = [a for a in world.access if self._counts(a.id, a.known, a.confidence, None)]

    def _counts(
        self, ident: str | None, known: dt.date, confidence: str | None, claimant: str | None
    ) -> bool:
        ask = self.ask
        retracted = self.world.retractions.get(ident or "", [])
        if ask.as_of is None:
            if retracted:
                return False
        else:
            if known > ask.as_of or any(day <= ask.as_of for day in retracted):
                return False
        if ask.min_confidence and RANK[confidence or "medium"] < RANK[ask.min_confidence]:
            return False
        return not (ask.independent_only and claimant is not None)

    # -- one reading ----------------------------------------------------------------------

    @staticmethod
    def effective(event: Report, late: bool) -> dt.date:
        return (event.date_latest or event.date) if late else event.date

    def about(self, kind: str, element: str) -> list[Report]:
        if kind == "place":
            return [e for e in self.events if e.target == "place" and e.target_id == element]
        return [
            e
            for e in self.events
            if (e.target == "segment" and e.target_id == element)
            or (e.target == "road" and element in self.world.roads.get(e.target_id, []))
        ]

    def decider(self, kind: str, element: str, day: dt.date, late: bool) -> Report | None:
        in_force = [
            e
            for e in self.about(kind, element)
            if self.effective(e, late) <= day and (e.until is None or day < e.until)
        ]
        if not in_force:
            return None
        return max(in_force, key=lambda e: (self.effective(e, late), e.known, e.position))

    def place(self, place: str, day: dt.date, late: bool) -> State:
        event = self.decider("place", place, day, late)
        return UNKNOWN if event is None else event.state

    def last_change(self, place: str, day: dt.date, late: bool) -> dt.date | None:
        first = min((e.date for e in self.events), default=day)
        d = day
        while d >= first:
            if self.place(place, d, late) != self.place(place, d - dt.timedelta(days=1), late):
                return d
            d -= dt.timedelta(days=1)
        return None

    def basis(self, segment: str, day: dt.date, late: bool) -> Report | tuple[State, State]:
        start, end = self.world.segments[segment]
        ends = (self.place(start, day, late), self.place(end, day, late))
        own = self.decider("segment", segment, day, late)
        if own is None:
            return ends
        changes = [c for c in (self.last_change(p, day, late) for p in (start, end)) if c]
        latest = max(changes, default=dt.date.min)
        if self.effective(own, late) >= latest or not (ends[0].is_known and ends[1].is_known):
            return own
        return ends

    def bloc_of(self, party: str, day: dt.date) -> str:
        for who, bloc, start, end in self.world.memberships:
            if who == party and (start is None or start <= day) and (end is None or day < end):
                return bloc
        return party

    def view(self, state: State, day: dt.date) -> State:
        if self.ask.by == "bloc" and state.status is Status.HELD and state.controller:
            return held(self.bloc_of(state.controller, day))
        return state

    @staticmethod
    def derive(start: State, end: State) -> State:
        if start.status is Status.HELD and start == end:
            return start
        if start.is_known and end.is_known:
            return CONTESTED
        return UNKNOWN

    def segment(self, segment: str, day: dt.date, late: bool) -> State:
        basis = self.basis(segment, day, late)
        if isinstance(basis, Report):
            return self.view(basis.state, day)
        return self.derive(self.view(basis[0], day), self.view(basis[1], day))

    def road(self, road: str, day: dt.date, late: bool) -> State:
        states = [self.segment(s, day, late) for s in self.world.roads[road]]
        controllers = {s.controller for s in states if s.status is Status.HELD}
        if states and all(s.status is Status.HELD for s in states) and len(controllers) == 1:
            return states[0]
        if any(s.status is Status.CONTESTED for s in states):
            return CONTESTED
        if not states or any(s.status is Status.UNKNOWN for s in states):
            return UNKNOWN
        return State(Status.DIVIDED, None)

    def kind_of(self, element: str) -> str:
        if element in self.world.places:
            return "place"
        if element in self.world.segments:
            return "segment"
        return "road"

    def state(self, element: str, day: dt.date, late: bool = False) -> State:
        kind = self.kind_of(element)
        if kind == "place":
            return self.view(self.place(element, day, late), day)
        if kind == "segment":
            return self.segment(element, day, late)
        return self.road(element, day, late)

    def otherwise(self, element: str, day: dt.date) -> State | None:
        early, late = self.state(element, day), self.state(element, day, late=True)
        return late if late != early else None

    # -- disputes and explanations ----------------------------------------------------------

    def deciding(self, element: str, day: dt.date, late: bool = False) -> Report | None:
        kind = self.kind_of(element)
        if kind == "place":
            return self.decider("place", element, day, late)
        if kind == "road":  # a road's answer has no deciding event of its own
            return None
        basis = self.basis(element, day, late)
        return basis if isinstance(basis, Report) else None

    def rivals(self, element: str, day: dt.date) -> list[Report]:
        decider = self.deciding(element, day)
        if decider is None or decider.state.status is Status.UNKNOWN:
            return []
        first = decider.date - dt.timedelta(days=self.ask.window)
        return [
            e
            for e in self.about(self.kind_of(element), element)
            if e is not decider
            and first <= e.date <= decider.date
            and (e.until is None or day < e.until)
            and e.state != decider.state
            and e.state.status is not Status.UNKNOWN
            and e.claimant != decider.claimant
        ]

    def disputed(self, element: str, day: dt.date) -> bool:
        kind = self.kind_of(element)
        if kind == "road":
            return any(self.disputed(s, day) for s in self.world.roads[element])
        if kind == "segment" and self.deciding(element, day) is None:
            return any(self.disputed(p, day) for p in self.world.segments[element])
        return bool(self.rivals(element, day))

    def claims(self, element: str, day: dt.date) -> list[Report]:
        rivals = self.rivals(element, day)
        if not rivals:
            return []
        decider = self.deciding(element, day)
        assert decider is not None
        return sorted([decider, *rivals], key=lambda e: (e.date, e.known, e.position))

    def explain(self, element: str, day: dt.date) -> list[tuple[str, str, int]]:
        """``(element, role, position)`` of the reports behind the answer."""

        def behind(el: str, late: bool, own: str, ends: str) -> list[tuple[str, str, Report]]:
            kind = self.kind_of(el)
            if kind == "road":
                return [x for s in self.world.roads[el] for x in behind(s, late, own, ends)]
            decider = self.deciding(el, day, late)
            if decider is not None:
                return [(el, own, decider)]
            if kind == "place":
                return []
            found = []
            for p in self.world.segments[el]:
                event = self.decider("place", p, day, late)
                if event is not None:
                    found.append((p, ends, event))
            return found

        entries = behind(element, False, "own", "endpoint")
        if self.otherwise(element, day) is not None:
            entries += behind(element, True, "otherwise", "otherwise")
        seen: dict[tuple[str, int], tuple[str, str, Report]] = {}
        for el, role, event in entries:
            seen.setdefault((el, event.position), (el, role, event))
        roles = {"own": 0, "endpoint": 1, "otherwise": 2}
        ordered = sorted(
            seen.values(), key=lambda x: (x[0], roles[x[1]], x[2].date, x[2].known, x[2].position)
        )
        return [(el, role, event.position) for el, role, event in ordered]

    # -- access --------------------------------------------------------------------------------

    def access_on(self, segment: str, day: dt.date) -> tuple[str, str | None] | None:
        found = [
            a
            for a in self.access
            if a.date <= day
            and (
                (a.target == "segment" and a.target_id == segment)
                or (a.target == "road" and segment in self.world.roads.get(a.target_id, []))
            )
        ]
        if not found:
            return None
        last = max(found, key=lambda a: (a.date, a.known, a.position))
        return last.access, last.party

    # -- intervals and changes ----------------------------------------------------------------

    def intervals(
        self, element: str, days: list[dt.date]
    ) -> list[tuple[dt.date, dt.date | None, State, State | None]]:
        values = [(self.state(element, d), self.otherwise(element, d)) for d in days]
        found: list[tuple[dt.date, dt.date | None, State, State | None]] = []
        for day, value, previous in zip(days, values, [None, *values[:-1]], strict=True):
            if value == previous:
                continue
            if not found and value == (UNKNOWN, None):
                continue
            if found:
                found[-1] = (*found[-1][:1], day, *found[-1][2:])  # type: ignore[assignment]
            found.append((day, None, *value))
        return found
