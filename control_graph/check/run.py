"""Running the checks: which rule makes each code's findings, and what it reads.

:class:`Readings` reads what the rules ask for through the model, each reading once and
only when a chosen rule first needs it; :data:`RULES` says which rule function makes the
findings of each code and from which readings; :func:`check_dataset` runs the chosen
ones and orders their findings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar

from control_graph.check import engine
from control_graph.check.catalogue import CODES, Code
from control_graph.check.report import CheckReport, Finding, ordered
from control_graph.check.rules import dates, definitions, events, network, retractions, trust
from control_graph.errors import InvalidArgumentError
from control_graph.model.dates import DateLike, to_day
from control_graph.model.disputes import DEFAULT_DISPUTE_WINDOW

if TYPE_CHECKING:
    from control_graph.model.records import ControlEvent
    from control_graph.model.timeline import ControlTimeline
    from control_graph.query import Model
    from control_graph.store.audit import Audit, DatedRecord, FutureRetraction, StoredEvent

__all__ = ["DEEP", "DEFAULT_STALE_DAYS", "RULES", "Readings", "check_dataset"]

#: Days after which the newest report about an element is old news (``--stale-days``).
DEFAULT_STALE_DAYS = 90

T = TypeVar("T")


def _listed(read: Callable[[Model], T]) -> cached_property[T]:
    """A reading of the model's listings, made on first use and then kept."""
    return cached_property(lambda readings: read(readings.model))


def _audited(read: Callable[[Audit], T]) -> cached_property[T]:
    """A reading through :meth:`Model.audit <control_graph.query.Model.audit>`, made on
    first use and then kept."""

    def once(readings: Readings) -> T:
        with readings.model.audit() as audit:
            return read(audit)

    return cached_property(once)


class Readings:
    """What the rules read about the data a model sees, each read once, on first use.

    The readings about records come from :meth:`Model.audit
    <control_graph.query.Model.audit>`, grouped or filtered in the database; the
    definitions from the model's listings; what answers rest on from the engine that
    :meth:`Model.history <control_graph.query.Model.history>` builds over every event
    that counts. ``used_ids`` are the ids of the parties and of the sources that some
    record names.
    """

    def __init__(
        self,
        model: Model,
        today: dt.date,
        *,
        stale_days: int = DEFAULT_STALE_DAYS,
        dispute_window: int = DEFAULT_DISPUTE_WINDOW,
    ) -> None:
        self.model = model
        self.today = today
        self.stale_days = stale_days
        self.dispute_window = dispute_window
        self._stored: dict[int, StoredEvent] = {}

    @cached_property
    def dated_problems(self) -> list[DatedRecord]:
        with self.model.audit() as audit:
            return audit.dated_problems(self.today)

    @cached_property
    def future_retractions(self) -> list[FutureRetraction]:
        with self.model.audit() as audit:
            return audit.future_retractions(self.today)

    same_day_reports = _audited(lambda audit: audit.same_day_reports())
    late_citations = _audited(lambda audit: audit.late_citations())
    early_segment_reports = _audited(lambda audit: audit.early_segment_reports())
    duplicate_events = _audited(lambda audit: audit.duplicate_events())
    never_known_places = _audited(lambda audit: audit.never_known_places())
    used_ids = _audited(lambda audit: audit.used_ids())
    retractions = _audited(lambda audit: audit.retractions())
    places = _listed(lambda model: model.places())
    segments = _listed(lambda model: model.segments())
    roads = _listed(lambda model: model.roads())
    blocs = _listed(lambda model: model.blocs())
    parties = _listed(lambda model: model.parties())
    sources = _listed(lambda model: model.sources())

    @cached_property
    def timeline(self) -> ControlTimeline:
        """The engine over every event that counts (retracted ones left out)."""
        return self.model.history().timeline

    @cached_property
    def freshness(self) -> list[engine.Freshness]:
        return engine.freshness(self.timeline, self.today)

    @cached_property
    def disputes(self) -> list[engine.OpenDispute]:
        return engine.open_disputes(self.timeline, self.today, self.dispute_window)

    @cached_property
    def contested(self) -> list[engine.StandingReport]:
        return engine.contested_standing(self.timeline, self.today)

    @cached_property
    def roads_against_ends(self) -> list[engine.RoadAgainstEnds]:
        return engine.roads_against_ends(self.timeline)

    def stored(self, found: Iterable[ControlEvent]) -> dict[int, StoredEvent]:
        """The stored events behind the engine's ``found`` events, by row id (read once
        each)."""
        keys = {event.key for event in found if event.key is not None}
        missing = keys - self._stored.keys()
        if missing:
            with self.model.audit() as audit:
                self._stored.update(audit.stored_events(missing))
        return self._stored


Rule = Callable[[Readings], Iterable[Finding]]
#: The rule that makes each code's findings, given the readings.
RULES: Mapping[Code, Rule] = {
    Code.CONTRADICTORY_REPORTS: lambda r: events.contradictory_reports(r.same_day_reports),
    Code.UNRESOLVED_DISPUTE: lambda r: trust.unresolved_dispute(
        r.disputes,
        r.stored(event for found in r.disputes for event in found.claims),
        r.today,
        r.dispute_window,
    ),
    Code.ROAD_EVENT_CONTRADICTS_ENDS: lambda r: trust.road_event_contradicts_ends(
        r.roads_against_ends, r.stored(found.event for found in r.roads_against_ends)
    ),
    Code.CONTESTED_WITHOUT_UNTIL: lambda r: trust.contested_without_until(
        r.contested, r.stored(found.event for found in r.contested), r.today, r.stale_days
    ),
    Code.EVENT_IN_FUTURE: lambda r: dates.event_in_future(r.dated_problems, r.today),
    Code.RECORDED_IN_FUTURE: lambda r: dates.recorded_in_future(
        r.dated_problems, r.today, r.future_retractions
    ),
    Code.RECORDED_BEFORE_DATE: lambda r: dates.recorded_before_date(r.dated_problems),
    Code.EVENT_AFTER_SOURCE: lambda r: dates.event_after_source(r.late_citations),
    Code.EVENT_BEFORE_FIRST_STATE: lambda r: events.event_before_first_state(
        r.early_segment_reports
    ),
    Code.RETRACTION_BEFORE_RECORD: lambda r: retractions.retraction_before_record(r.retractions),
    Code.DUPLICATE_EVENT: lambda r: events.duplicate_event(r.duplicate_events),
    Code.REPEATED_RETRACTION: lambda r: retractions.repeated_retraction(r.retractions),
    Code.STALE_ELEMENT: lambda r: trust.stale_element(r.freshness, r.today, r.stale_days),
    Code.SELF_LOOP_SEGMENT: lambda r: network.self_loop_segment(r.segments),
    Code.ROAD_GAP: lambda r: network.road_gap(r.roads, r.segments),
    Code.DISCONNECTED_PLACE: lambda r: network.disconnected_place(r.places, r.segments),
    Code.SEPARATE_COMPONENT: lambda r: network.separate_component(r.places, r.segments),
    Code.MISSING_COORDINATES: lambda r: network.missing_coordinates(r.places, r.segments),
    Code.OVERLAPPING_BLOC_MEMBERSHIP: lambda r: definitions.overlapping_bloc_membership(r.blocs),
    Code.EMPTY_BLOC: lambda r: definitions.empty_bloc(r.blocs),
    Code.PLACE_NEVER_KNOWN: lambda r: network.place_never_known(r.never_known_places),
    Code.UNUSED_PARTY: lambda r: definitions.unused_party(r.parties, r.used_ids[0], r.blocs),
    Code.UNUSED_SOURCE: lambda r: definitions.unused_source(r.sources, r.used_ids[1]),
    Code.STALE_SPANS: lambda r: network.stale_spans(
        *r.model.stale_spans(), r.model.stale_holders()
    ),
}
#: Checks that recompute everything, run only when asked for (``deep``).
DEEP = frozenset({Code.STALE_SPANS})


def check_dataset(
    model: Model,
    *,
    today: DateLike | None = None,
    only: Iterable[str] | None = None,
    stale_days: int = DEFAULT_STALE_DAYS,
    dispute_window: int = DEFAULT_DISPUTE_WINDOW,
    deep: bool = False,
) -> CheckReport:
    """Check the data in a database for contradictions, impossible dates, holes, and
    answers that rest on old, disputed or lasting reports.

    Parameters
    ----------
    model
        The database to check. A model opened on a scenario checks what that scenario's
        answers come from: the reported data, the scenario's rows and its bases', less
        the events it supposes false.
    today
        The day after which a date is in the future, and on which answers are checked
        for old news and open disputes (default: the computer's today).
    only
        Run only these checks (codes of :class:`~control_graph.check.Code`); default: all.
    stale_days
        Days after which a report is old news: an element whose newest report is older
        is ``stale-element``, and a contested report without ``until`` older than that
        which still decides is ``contested-without-until``.
    dispute_window
        Days before a deciding report within which a differing claim disputes it (as
        ``who-held --dispute-window``), for ``unresolved-dispute``.
    deep
        Also recompute every state span from the events and compare it with what is
        stored (``stale-spans``): slow on a large database.

    Returns
    -------
    CheckReport
        The findings, by code (in the order of :data:`~control_graph.check.CODES`),
        element and date.

    Raises
    ------
    InvalidArgumentError
        When ``today`` is not a day, ``only`` names a code that does not exist, or
        ``stale_days`` or ``dispute_window`` is not a whole number of days >= 0.

    Examples
    --------
    >>> import control_graph as cg
    >>> model = cg.open("sqlite://")
    >>> _ = model.import_file(cg.sample_path())
    >>> report = check_dataset(model, today="2026-03-01", stale_days=1000)
    >>> report.counts()["place-never-known"]
    8
    >>> check_dataset(model, today="2026-02-01", only=["event-in-future"]).counts()
    {'event-in-future': 15}
    """
    day = dt.date.today() if today is None else to_day(today, "today")
    chosen = _chosen(only, deep)
    readings = Readings(
        model,
        day,
        stale_days=_days(stale_days, "stale_days"),
        dispute_window=_days(dispute_window, "dispute_window"),
    )
    findings = [finding for code in chosen for finding in RULES[code](readings)]
    return CheckReport(ordered(findings), day, chosen)


def _days(value: int, name: str) -> int:
    """A whole number of days >= 0, or an error naming the argument."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidArgumentError(f"{name} must be a whole number of days >= 0: {value!r}")
    return value


def _chosen(only: Iterable[str] | None, deep: bool) -> tuple[Code, ...]:
    """The codes to check, in the order of :data:`CODES` (the deep ones with ``deep``)."""
    if only is None:
        return tuple(code for code in CODES if deep or code not in DEEP)
    chosen: set[Code] = set()
    for text in only:
        try:
            chosen.add(Code(text))
        except ValueError:
            known = ", ".join(code.value for code in CODES)
            raise InvalidArgumentError(
                f"no check is called {text!r}; the checks: {known}"
            ) from None
    return tuple(code for code in CODES if code in chosen)
