"""Readings about retractions: what withdraws each version of a record retracted by id,
and the retractions recorded after a day."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from control_graph.store.audit.base import AuditBase
from control_graph.store.audit.rows import FutureRetraction, RetractionRow
from control_graph.store.audit.tables import (
    IMPORTS,
    RECORD_TABLES,
    RETRACTIONS,
    constant,
    known_day,
    target_id_of,
    target_type_of,
)

__all__ = ["RetractionReadings"]

#: What each reading says of a retraction itself: the day it was recorded, its source,
#: and where it was imported from (with ``IMPORTS`` joined).
_OWN = (
    RETRACTIONS.c.recorded,
    RETRACTIONS.c.source_id,
    RETRACTIONS.c.import_id,
    RETRACTIONS.c.position,
    IMPORTS.c.file_name,
)


class RetractionReadings(AuditBase):
    """:meth:`retractions` and :meth:`future_retractions`."""

    def retractions(self) -> list[RetractionRow]:
        """What withdraws each stored version of the records that some retraction by id
        names: those retractions (and the corrections that name them too), and the undo
        of the version's import, if any. By record id, then by ``recorded`` day and where
        the retraction was imported (so the one that counts, the earliest, comes first).

        The versions of imports undone that no retraction names by id are not read:
        nothing here is about them.
        """
        r = RETRACTIONS
        how = sa.case(
            (r.c.before_import.is_(None), constant("retraction")), else_=constant("correction")
        )
        # A retraction whose own import is undone does not count.
        undoer = RETRACTIONS.alias("undoer")
        found: list[RetractionRow] = []
        imports: dict[tuple[str, int], int] = {}
        for record, table in RECORD_TABLES:
            query = (
                sa.select(
                    r.c.record_id,
                    constant(record),
                    table.c.id,
                    target_type_of(table),
                    target_id_of(table),
                    table.c.date,
                    known_day(table),
                    how,
                    *_OWN,
                    table.c.import_id.label("version_import"),
                )
                .join(
                    table,
                    sa.and_(
                        table.c.record_id == r.c.record_id,
                        sa.or_(r.c.before_import.is_(None), table.c.import_id < r.c.before_import),
                    ),
                )
                .join(IMPORTS, IMPORTS.c.id == r.c.import_id)
                .where(
                    self.overlay.visible(r.c.scenario_id),
                    *self._visible(table),
                    ~sa.exists().where(undoer.c.import_ref == r.c.import_id),
                )
            )
            for row in self.conn.execute(query):
                found.append(RetractionRow(*row[:-1]))
                imports[(record, row.id)] = row.version_import
        undo = (
            sa.select(r.c.import_ref, *_OWN)
            .join(IMPORTS, IMPORTS.c.id == r.c.import_id)
            .where(r.c.import_ref.is_not(None), self.overlay.visible(r.c.scenario_id))
        )
        undone: dict[int, list[Any]] = {}
        for undoing in self.conn.execute(undo):
            undone.setdefault(undoing.import_ref, []).append(undoing)
        versions = {(x.record, x.version): x for x in found}
        for (record, version), x in versions.items():
            for u in undone.get(imports[(record, version)], ()):
                found.append(
                    x._replace(
                        how="undo",
                        recorded=u.recorded,
                        source=u.source_id,
                        import_id=u.import_id,
                        position=u.position,
                        file=u.file_name,
                    )
                )
        found.sort(key=lambda x: (x.record_id, x.recorded, x.import_id, x.position, x.version))
        return found

    def future_retractions(self, today: dt.date) -> list[FutureRetraction]:
        """Retractions (by id, corrections, undone imports) recorded after ``today``, in
        the order they were imported."""
        r = RETRACTIONS
        query = (
            sa.select(r.c.record_id, r.c.import_ref, *_OWN)
            .join(IMPORTS, IMPORTS.c.id == r.c.import_id)
            .where(r.c.recorded > today, self.overlay.visible(r.c.scenario_id))
            .order_by(r.c.import_id, r.c.position)
        )
        return [FutureRetraction(*row) for row in self.conn.execute(query)]
