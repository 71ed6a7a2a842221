"""What a map reads, as a protocol: the :class:`~control_graph.query.Model` reads it, and
so does :class:`~control_graph.query.direct.DirectMaps` on the database driver alone.

A map of one day needs the network, the day's states, the parties its legend lists,
the sources and the last change for its credit line, and sometimes incidents or a road's
name resolved; an animation also the engine over every report (``history``). Plots take
any object with these methods, so that ``control-graph plot map`` draws the reported
data without importing SQLAlchemy, and scripts keep passing a Model.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from control_graph.model import disputes
from control_graph.model.dates import DateLike
from control_graph.model.network import RoadNetwork
from control_graph.model.records import Incident, Source
from control_graph.query.results import DayView, NetworkHistory

__all__ = ["MapReading"]


class MapReading(Protocol):
    """The reads of a map (each method as :class:`~control_graph.query.Model` has it)."""

    def network(self) -> RoadNetwork: ...

    def sources(self) -> list[Source]: ...

    def resolve(
        self, text: str, kinds: tuple[str, ...] = ("place", "segment", "road")
    ) -> tuple[str, str]: ...

    def incidents(
        self, *, start: DateLike | None = None, end: DateLike | None = None
    ) -> list[Incident]: ...

    def controllers(
        self,
        *,
        as_of: DateLike | None = None,
        by: str = "party",
        min_confidence: str | None = None,
        independent_only: bool = False,
    ) -> set[str]: ...

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
    ) -> DayView: ...

    def last_change(
        self,
        *,
        as_of: DateLike | None = None,
        min_confidence: str | None = None,
        independent_only: bool = False,
    ) -> dt.date | None: ...

    def history(
        self,
        *,
        as_of: DateLike | None = None,
        min_confidence: str | None = None,
        independent_only: bool = False,
    ) -> NetworkHistory: ...
