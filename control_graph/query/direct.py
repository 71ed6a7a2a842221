"""Who held it, its timeline, a path and what changed, answered on the database driver
alone.

A command asks one question and exits: most of its time went to importing SQLAlchemy.
Where the reported data answers with every report counting -- no scenario, no
``--as-of``, ``--min-confidence`` or ``--independent-only`` -- :class:`DirectQuestions`
reads the element's slice (for a path and changes: the network and the stored state
spans) through :mod:`control_graph.store.direct` and answers with the same code as
:class:`~control_graph.query.Model` (:mod:`control_graph.query.answers`).
Each method returns ``None`` where it cannot give the answer (a name that is not one
element's, a filter, a driver error); the caller then asks the Model, which also words
every error. :class:`DirectMaps` reads what a map of one day needs
(:class:`~control_graph.query.reading.MapReading`) and raises :class:`ModelNeeded` where
only the Model can read it; the caller then draws the map again from the Model.

Examples
--------
>>> import control_graph as cg, tempfile, pathlib
>>> url = f"sqlite:///{pathlib.Path(tempfile.mkdtemp()) / 'kachin.db'}"
>>> with cg.open(url) as model:
...     _ = model.import_file(cg.sample_path())
>>> questions = open_questions(url)
>>> questions.who_held("lonton", "2026-02-06").state.controller
'kia'
>>> questions.who_held("lonton", "2026-02-06", as_of="2026-02-07") is None  # the Model's
True
>>> questions.close()
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Self, TypeVar

from control_graph.errors import ControlGraphError
from control_graph.model import disputes
from control_graph.model.dates import DateLike, to_day, to_optional_day
from control_graph.model.network import RoadNetwork
from control_graph.model.records import NO_FILTERS, Incident, Source
from control_graph.model.timeline import ELEMENT_TYPES, ElementType, check_by
from control_graph.query import answers
from control_graph.query.results import (
    ChangesResult,
    DayView,
    NetworkHistory,
    PathResult,
    Report,
    TimelineResult,
    WhoHeldResult,
)
from control_graph.store.direct import DirectReader, DirectReadError, open_direct
from control_graph.store.settings import resolve_url

__all__ = ["DirectMaps", "DirectQuestions", "ModelNeeded", "open_maps", "open_questions"]

#: What an element may be named as.
ELEMENTS = ("place", "segment", "road")


def open_questions(url: str | None = None) -> DirectQuestions | None:
    """Direct questions on the database at ``url`` (resolved as the Model resolves it),
    or ``None`` when only the Model can open it (a new database, a migration, memory)."""
    reader = open_direct(resolve_url(url))
    return None if reader is None else DirectQuestions(reader)


def open_maps(url: str | None = None) -> DirectMaps | None:
    """What maps read, on the database at ``url`` (as :func:`open_questions`)."""
    reader = open_direct(resolve_url(url))
    return None if reader is None else DirectMaps(reader)


class _OnReader:
    """Holds a :class:`DirectReader`, and closes it (also as a context manager)."""

    def __init__(self, reader: DirectReader) -> None:
        self.reader = reader

    def close(self) -> None:
        self.reader.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class DirectQuestions(_OnReader):
    """The reported data, read on the driver; answers ``None`` where the Model must."""

    def _element(self, text: str) -> tuple[ElementType, str] | None:
        found = self.reader.resolve(text, ELEMENTS)
        return None if found is None else (ELEMENT_TYPES[found[0]], found[1])

    def who_held(
        self,
        element: str,
        on: DateLike,
        *,
        as_of: DateLike | None = None,
        by: str = "party",
        min_confidence: str | None = None,
        independent_only: bool = False,
        dispute_window: int = disputes.DEFAULT_DISPUTE_WINDOW,
        explain: bool = False,
    ) -> WhoHeldResult | None:
        """As :meth:`control_graph.query.Model.who_held`, or ``None``."""
        day = to_day(on, "on")
        filters = answers.make_filters(as_of, min_confidence, independent_only)
        view = check_by(by)
        window = answers.dispute_window(dispute_window)
        if filters != NO_FILTERS:
            return None
        try:
            found = self._element(element)
            if found is None:
                return None
            kind, ident = found
            network = self.reader.network_of(kind, ident)
            engine = network.timeline(self.reader.control_events(network, day))
            access = network.access_index(self.reader.access(network, day))
            claims = self._reports(answers.claim_keys(kind, ident, day, window, engine))
            explained = None
            if explain:
                explained = tuple(self._reports(answers.explain_keys(ident, day, view, engine)))
        except DirectReadError:
            return None
        answer = answers.who_held(
            kind,
            ident,
            day,
            view=view,
            window=window,
            filters=filters,
            network=network,
            engine=engine,
            access=access,
        )
        return dataclasses.replace(answer, claims=tuple(claims), explain=explained)

    def _reports(self, found: list[answers.ReportKey]) -> list[Report]:
        """Whole events for the ``(element, key, role)`` the engine found."""
        keys = [key for _, key, _ in found if key is not None]
        records = self.reader.event_records(keys) if keys else {}
        return [
            Report(element, records[key], role) for element, key, role in found if key in records
        ]

    def timeline(
        self,
        element: str,
        *,
        start: DateLike | None = None,
        end: DateLike | None = None,
        as_of: DateLike | None = None,
        by: str = "party",
        min_confidence: str | None = None,
        independent_only: bool = False,
    ) -> TimelineResult | None:
        """As :meth:`control_graph.query.Model.timeline`, or ``None``."""
        start_day, end_day = to_optional_day(start, "from"), to_optional_day(end, "to")
        filters = answers.make_filters(as_of, min_confidence, independent_only)
        view = check_by(by)
        if filters != NO_FILTERS:
            return None
        try:
            found = self._element(element)
            if found is None:
                return None
            kind, ident = found
            network = self.reader.network_of(kind, ident)
            events = self.reader.control_events(network, None)
        except DirectReadError:
            return None
        return answers.timeline(
            kind,
            ident,
            start=start_day,
            end=end_day,
            view=view,
            filters=filters,
            network=network,
            engine=network.timeline(events),
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
        min_confidence: str | None = None,
        independent_only: bool = False,
        passable: bool = False,
    ) -> PathResult | None:
        """As :meth:`control_graph.query.Model.path` (which raises
        :class:`~control_graph.errors.NoPathError` where there is none), or ``None``."""
        if party is not None and bloc is not None:
            return None  # the Model says why
        day = to_day(on, "on")
        filters = answers.make_filters(as_of, min_confidence, independent_only)
        if filters != NO_FILTERS:
            return None
        try:
            ends = [self.reader.resolve(text, ("place",)) for text in (source, target)]
            controller, view = None, check_by("party")
            if party is not None or bloc is not None:
                kind = "party" if party is not None else "bloc"
                found = self.reader.resolve(party or bloc or "", (kind,))
                if found is None:
                    return None
                controller, view = found[1], check_by(kind)
            if ends[0] is None or ends[1] is None:
                return None
            network = self.reader.network()
            states = answers.day_states(day, self.reader.day_readings(day), network)
            entries = self.reader.access(None, day) if passable else []
        except DirectReadError:
            return None
        return answers.path(
            ends[0][1],
            ends[1][1],
            day,
            controller=controller,
            view=view,
            passable=passable,
            filters=filters,
            network=network,
            states=states,
            access=network.access_index(entries),
        )

    def changes(
        self,
        *,
        start: DateLike | None = None,
        end: DateLike | None = None,
        as_of: DateLike | None = None,
        by: str = "party",
        min_confidence: str | None = None,
        independent_only: bool = False,
    ) -> ChangesResult | None:
        """As :meth:`control_graph.query.Model.changes` (by party), or ``None``."""
        start_day, end_day = to_optional_day(start, "from"), to_optional_day(end, "to")
        filters = answers.make_filters(as_of, min_confidence, independent_only)
        if filters != NO_FILTERS or check_by(by) != "party":
            return None
        try:
            changes = self.reader.changes_starting(start_day, end_day)
        except DirectReadError:
            return None
        return answers.stored_changes(changes, start_day, end_day, filters)


class ModelNeeded(ControlGraphError):
    """Only the Model reads this (a filter, a scenario, a name it must word an error for,
    a driver error): draw again from the Model."""


T = TypeVar("T")


class DirectMaps(_OnReader):
    """What a map of one day reads (:class:`~control_graph.query.reading.MapReading`),
    from the reported data with every report counting; :class:`ModelNeeded` elsewhere.

    Examples
    --------
    >>> import control_graph as cg, tempfile, pathlib
    >>> url = f"sqlite:///{pathlib.Path(tempfile.mkdtemp()) / 'kachin.db'}"
    >>> with cg.open(url) as model:
    ...     _ = model.import_file(cg.sample_path())
    >>> with open_maps(url) as maps:
    ...     maps.day("2026-02-06").state("lonton").controller
    'kia'
    """

    def __init__(self, reader: DirectReader) -> None:
        super().__init__(reader)
        self._network: RoadNetwork | None = None

    @staticmethod
    def _unfiltered(
        as_of: DateLike | None, min_confidence: str | None, independent_only: bool
    ) -> None:
        if answers.make_filters(as_of, min_confidence, independent_only) != NO_FILTERS:
            raise ModelNeeded("a filter is read by the Model")

    def _read(self, read: Callable[[], T]) -> T:
        try:
            return read()
        except DirectReadError:
            raise ModelNeeded("the driver could not read this") from None

    def network(self) -> RoadNetwork:
        if self._network is None:
            self._network = self._read(self.reader.network)
        return self._network

    def sources(self) -> list[Source]:
        return self._read(self.reader.sources)

    def resolve(
        self, text: str, kinds: tuple[str, ...] = ("place", "segment", "road")
    ) -> tuple[str, str]:
        found = self._read(lambda: self.reader.resolve(text, kinds))
        if found is None:
            raise ModelNeeded(f"the Model says why {text!r} is not one element")
        return found

    def incidents(
        self, *, start: DateLike | None = None, end: DateLike | None = None
    ) -> list[Incident]:
        raise ModelNeeded("incidents are read by the Model")

    def controllers(
        self,
        *,
        as_of: DateLike | None = None,
        by: str = "party",
        min_confidence: str | None = None,
        independent_only: bool = False,
    ) -> set[str]:
        self._unfiltered(as_of, min_confidence, independent_only)
        view = check_by(by)
        return self._read(
            lambda: answers.held_controllers(
                view, self.reader.held_ever(), self.reader.memberships, self.reader.holds_between
            )
        )

    def day(
        self,
        on: DateLike,
        *,
        as_of: DateLike | None = None,
        by: str = "party",
        min_confidence: str | None = None,
        independent_only: bool = False,
        dispute_window: int = disputes.DEFAULT_DISPUTE_WINDOW,
        network: RoadNetwork | None = None,
    ) -> DayView:
        self._unfiltered(as_of, min_confidence, independent_only)
        if answers.dispute_window(dispute_window) != disputes.DEFAULT_DISPUTE_WINDOW:
            raise ModelNeeded("another dispute window reads the claims")
        day, view = to_day(on, "on"), check_by(by)
        whole = network if network is not None else self.network()

        def read() -> DayView:
            entries = self.reader.access(None, day)
            readings = self.reader.day_readings(day)
            return answers.stored_day(day, view, whole, readings, whole.access_index(entries))

        return self._read(read)

    def last_change(
        self,
        *,
        as_of: DateLike | None = None,
        min_confidence: str | None = None,
        independent_only: bool = False,
    ) -> dt.date | None:
        self._unfiltered(as_of, min_confidence, independent_only)
        return self._read(self.reader.last_change)

    def history(
        self,
        *,
        as_of: DateLike | None = None,
        min_confidence: str | None = None,
        independent_only: bool = False,
    ) -> NetworkHistory:
        raise ModelNeeded("the engine over every report is the Model's")
