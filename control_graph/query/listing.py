"""What is in the database: definitions, events with their ids, incidents, and the
network read once for a plot, an export or a comparison."""

from __future__ import annotations

from control_graph.model.dates import DateLike, to_optional_day
from control_graph.model.network import RoadNetwork
from control_graph.model.records import (
    Bloc,
    Dataset,
    Incident,
    Party,
    Place,
    Road,
    Segment,
    Source,
)
from control_graph.model.stored import Span
from control_graph.model.timeline import ControlTimeline
from control_graph.query.base import ModelBase
from control_graph.query.results import NetworkHistory
from control_graph.store import backup, read, reports, spans
from control_graph.store.reports import EventRecord

__all__ = ["Listing"]


class Listing(ModelBase):
    """The definitions and records a model sees, read through the store."""

    def parties(self) -> list[Party]:
        """Every party, by id."""
        with self._reading() as (conn, overlay):
            return read.read_parties(conn, overlay=overlay)

    def blocs(self) -> list[Bloc]:
        """Every bloc with its memberships, by id."""
        with self._reading() as (conn, overlay):
            return read.read_blocs(conn, overlay=overlay)

    def places(self) -> list[Place]:
        """Every place, by id."""
        with self._reading() as (conn, overlay):
            return read.read_places(conn, overlay=overlay)

    def segments(self) -> list[Segment]:
        """Every segment, by id."""
        with self._reading() as (conn, overlay):
            return read.read_segments(conn, overlay=overlay)

    def roads(self) -> list[Road]:
        """Every road with its segments in order, by id."""
        with self._reading() as (conn, overlay):
            return read.read_roads(conn, overlay=overlay)

    def sources(self) -> list[Source]:
        """Every source, by id."""
        with self._reading() as (conn, overlay):
            return read.read_sources(conn, overlay=overlay)

    def incidents(
        self, *, start: DateLike | None = None, end: DateLike | None = None
    ) -> list[Incident]:
        """Incidents from ``start`` to ``end`` (both inclusive), oldest first."""
        start_day, end_day = to_optional_day(start, "from"), to_optional_day(end, "to")
        with self._reading() as (conn, overlay):
            return reports.read_incidents(conn, start=start_day, end=end_day, overlay=overlay)

    def events(
        self,
        element: str | None = None,
        *,
        start: DateLike | None = None,
        end: DateLike | None = None,
        limit: int | None = None,
    ) -> list[EventRecord]:
        """The events about an element (or all), with the ids suppress_event takes."""
        start_day, end_day = to_optional_day(start, "from"), to_optional_day(end, "to")
        target = self._resolve_element(element) if element is not None else None
        with self._reading() as (conn, overlay):
            return reports.read_events(
                conn, element=target, start=start_day, end=end_day, overlay=overlay, limit=limit
            )

    def dataset_name(self) -> str | None:
        """The names of the datasets imported, joined (for titles), or ``None``."""
        with self._reading() as (conn, _):
            names = read.dataset_names(conn)
        return "; ".join(names) if names else None

    def dataset(self) -> Dataset:
        """Everything this model sees as one dataset (definitions, events in order,
        incidents), ready for :func:`~control_graph.dataset.dump_dataset`.

        Examples
        --------
        >>> import control_graph as cg
        >>> model = cg.open("sqlite://")
        >>> _ = model.import_file(cg.sample_path())
        >>> dataset = model.dataset()
        >>> dataset.events[0].date <= dataset.events[-1].date
        True
        """
        with self._reading() as (conn, overlay):
            return backup.read_dataset(conn, overlay)

    def stale_spans(self) -> tuple[list[Span], list[Span]]:
        """The stored state spans of the reported data that its events no longer give
        (missing, extra); both empty when all is well (``check --deep``)."""
        with self._reading() as (conn, _):
            return spans.stale_spans(conn)

    def stale_holders(self) -> list[tuple[str, int, int]]:
        """The parties whose stored count of the spans naming them is not the count of
        the spans stored: ``(party, stored, counted)``; empty when all is well."""
        with self._reading() as (conn, _):
            return spans.stale_holders(conn)

    def network(self) -> RoadNetwork:
        """The whole road network: places, segments, roads, parties and blocs, with
        segment lengths and the graph."""
        with self._reading() as (conn, overlay):
            return read.read_network(conn, overlay=overlay)

    def history(
        self,
        *,
        as_of: DateLike | None = None,
        min_confidence: str | None = None,
        independent_only: bool = False,
    ) -> NetworkHistory:
        """The whole network, the engine over every event that counts, and the access
        records, read once (for plots, exports, comparisons and many questions in a
        row)."""
        from control_graph.query.asking import make_filters

        filters = make_filters(as_of, min_confidence, independent_only)
        with self._reading() as (conn, overlay):
            network = read.read_network(conn, overlay=overlay)
            events = reports.read_control_events(conn, filters=filters, overlay=overlay)
            access = reports.read_access(conn, filters=filters, overlay=overlay)
        return NetworkHistory(network, network.timeline(events), network.access_index(access))

    def control_timeline(
        self,
        *,
        as_of: DateLike | None = None,
        min_confidence: str | None = None,
        independent_only: bool = False,
    ) -> ControlTimeline:
        """The engine over the whole network, for many questions in a row (scripts)."""
        return self.history(
            as_of=as_of, min_confidence=min_confidence, independent_only=independent_only
        ).timeline
