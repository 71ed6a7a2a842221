"""What every reading of an audit shares: the connection, the overlay it reads, and
which rows of a table that overlay sees and counts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from control_graph.store import orm
from control_graph.store.audit.tables import CLASSES, EVENTS, RETRACTIONS
from control_graph.store.reports import retracted
from control_graph.store.scenarios import REPORTED_OVERLAY, Overlay

__all__ = ["AuditBase"]


class AuditBase:
    """The connection and overlay of an :class:`~control_graph.store.audit.Audit`, and
    the conditions and sets its readings share."""

    def __init__(self, conn: Connection, overlay: Overlay = REPORTED_OVERLAY) -> None:
        self.conn = conn
        self.overlay = overlay

    def _visible(self, table: sa.FromClause) -> list[Any]:
        """Conditions for the rows of ``table`` that the overlay sees, retracted or not."""
        conditions = [self.overlay.visible(table.c.scenario_id)]
        if table is EVENTS:
            conditions.append(self.overlay.not_suppressed(table.c.id))
        return conditions

    def _seen(self, table: sa.FromClause) -> list[Any]:
        """Conditions for the rows of ``table`` (events, incidents or access records)
        that count: seen by the overlay and not retracted."""
        return [*self._visible(table), ~retracted(CLASSES[table], self.overlay, None)]

    def _suppressed(self) -> set[int]:
        """The ids of the events the overlay's scenarios suppose false."""
        if not self.overlay.scenarios:
            return set()
        s = orm.Suppression.__table__
        query = sa.select(s.c.event_id).where(s.c.scenario_id.in_(self.overlay.scenarios))
        return set(self.conn.execute(query).scalars())

    def _withdrawn(self) -> Callable[[str | None, int], bool]:
        """Whether a row (by its record id and import) is retracted, as
        :func:`~control_graph.store.reports.retracted` says in SQL: named by id (every
        version, or a correction's, those imported before it), or its import undone."""
        r = RETRACTIONS
        by_id: dict[str, list[int | None]] = {}
        undone: set[int] = set()
        query = sa.select(r.c.record_id, r.c.before_import, r.c.import_ref, r.c.import_id).where(
            self.overlay.visible(r.c.scenario_id)
        )
        rows = list(self.conn.execute(query))
        undone = {row.import_ref for row in rows if row.import_ref is not None}
        for record_id, before, _import_ref, import_id in rows:
            # Undoing an import undoes the retractions it held too.
            if record_id is not None and import_id not in undone:
                by_id.setdefault(record_id, []).append(before)

        def withdrawn(record_id: str | None, import_id: int) -> bool:
            if import_id in undone:
                return True
            befores = by_id.get(record_id, ()) if record_id is not None else ()
            return any(before is None or import_id < before for before in befores)

        return withdrawn
