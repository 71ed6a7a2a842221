"""Which reports count for an answer, decided in SQL so that only those leave the
database: what a scenario sees (its rows and its bases', less the events it supposes
false), what was recorded by ``--as-of``, ``--min-confidence``, ``--independent-only``,
and retractions (contract sections 2 and 4.3).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm
from sqlalchemy.engine import Connection

from control_graph.model.records import Filters
from control_graph.store import orm
from control_graph.store.scenarios import Overlay

__all__ = ["TABLES", "counted", "effective_recorded", "layers", "retracted", "standing"]

#: The ORM class of each section of records.
TABLES: dict[str, Any] = {
    "events": orm.Event,
    "incidents": orm.Incident,
    "access": orm.AccessRecord,
}


def layers(overlay: Overlay) -> dict[int, int]:
    """Each scenario of the overlay and its layer in the order of events: reported data
    is layer 0, then each base scenario, the scenario itself on top (it wins ties)."""
    return {sid: len(overlay.scenarios) - i for i, sid in enumerate(overlay.scenarios)}


def effective_recorded(table: Any) -> Any:
    """When a report became known: ``recorded``, else ``date_latest``, else ``date``."""
    if hasattr(table, "date_latest"):
        return sa.func.coalesce(table.recorded, table.date_latest, table.date)
    return sa.func.coalesce(table.recorded, table.date)


def _retracted_at_all(
    conn: Connection, overlay: Overlay, as_of: dt.date | None
) -> tuple[bool, list[int]]:
    """Whether any record is retracted by id, and the imports undone (as of ``as_of``)."""
    r = orm.Retraction
    conditions = [overlay.visible(r.scenario_id)]
    if as_of is not None:
        conditions.append(r.recorded <= as_of)
    # Any retraction by id matters, also one recorded after ``as_of``: a correction's
    # new version does not count before it.
    by_id = conn.execute(
        sa.select(r.id).where(r.record_id.is_not(None), overlay.visible(r.scenario_id)).limit(1)
    )
    undone = conn.execute(
        sa.select(r.import_ref).where(r.import_ref.is_not(None), *conditions).distinct()
    ).scalars()
    return by_id.first() is not None, sorted(i for i in undone if i is not None)


def standing(r: Any, overlay: Overlay, as_of: dt.date | None) -> list[Any]:
    """Conditions for a retraction ``r`` (an alias of the table) that counts as of
    ``as_of`` (``None``: as things stand): the overlay sees it, it was recorded by then,
    and the import that holds it was not undone by then. Undoing an import undoes what
    it withdrew as well as what it added: undoing a correction brings the corrected
    version back. An undo itself cannot be undone (see ``undo_import``), so one level
    is the whole rule."""
    undo = sa.orm.aliased(orm.Retraction)
    undo_when = [undo.import_ref == r.import_id, overlay.visible(undo.scenario_id)]
    conditions = [overlay.visible(r.scenario_id)]
    if as_of is not None:
        conditions.append(r.recorded <= as_of)
        undo_when.append(undo.recorded <= as_of)
    conditions.append(~sa.exists().where(*undo_when))
    return conditions


def _retracted_by_id(table: Any, overlay: Overlay, as_of: dt.date | None) -> Any:
    r = sa.orm.aliased(orm.Retraction)
    when = standing(r, overlay, as_of)
    return sa.and_(
        table.record_id.is_not(None),
        sa.exists().where(
            r.record_id == table.record_id,
            sa.or_(r.before_import.is_(None), table.import_id < r.before_import),
            *when,
        ),
    )


def retracted(table: Any, overlay: Overlay, as_of: dt.date | None) -> Any:
    """A condition: the row has been retracted (by ``as_of``, when given) -- by its
    record id, or with its whole import. For queries that cannot look at the
    retractions first (see :func:`counted`)."""
    r = orm.Retraction
    when = [overlay.visible(r.scenario_id)]
    if as_of is not None:
        when.append(r.recorded <= as_of)
    undone = sa.exists().where(r.import_ref == table.import_id, *when)
    return sa.or_(_retracted_by_id(table, overlay, as_of), undone)


def counted(section: str, filters: Filters, overlay: Overlay, conn: Connection) -> list[Any]:
    """Conditions for the rows of ``section`` (events, incidents, access) that count.

    Retracted rows do not: by their record id (every version, or those imported before
    a correction), or with their whole import (undone). The retractions are looked at
    first, so that a database without any pays nothing for them per row.
    """
    table = TABLES[section]
    conditions = [overlay.visible(table.scenario_id)]
    any_by_id, undone = _retracted_at_all(conn, overlay, filters.as_of)
    if undone:
        conditions.append(table.import_id.not_in(undone))
    if any_by_id:
        conditions.append(~_retracted_by_id(table, overlay, filters.as_of))
        if filters.as_of is not None:
            # A correction's new version counts from the day the correction was
            # recorded, as the versions it replaces count until then.
            r = orm.Retraction
            conditions.append(
                ~sa.exists().where(
                    r.record_id == table.record_id,
                    r.before_import == table.import_id,
                    r.recorded > filters.as_of,
                    overlay.visible(r.scenario_id),
                )
            )
    if section == "events":
        conditions.append(overlay.not_suppressed(table.id))
    if filters.as_of is not None:
        conditions.append(effective_recorded(table) <= filters.as_of)
    allowed = filters.confidences()
    if allowed is not None:
        conditions.append(sa.func.coalesce(table.confidence, "medium").in_(allowed))
    if filters.independent_only and hasattr(table, "claimant_id"):
        conditions.append(table.claimant_id.is_(None))
    return conditions
