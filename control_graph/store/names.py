"""Finding what a user means: an element, party or bloc by id, name or alias.

Names are compared without regard to case or repeated spaces (:func:`name_key`, the
form stored beside every name and alias); ``kind:id`` picks one kind when a place and
a road share an id; an ambiguous or unknown name lists the candidates.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from control_graph.errors import AmbiguousNameError, UnknownElementError
from control_graph.model.names import name_key
from control_graph.store import orm
from control_graph.store.scenarios import REPORTED_OVERLAY, Overlay

__all__ = ["ALIAS_COLUMN", "NAMED_TABLES", "OVERLAID", "holds_nothing", "name_key", "resolve"]

#: The tables of the kinds of definition that have ids (and names, but sources).
NAMED_TABLES: dict[str, Any] = {
    "party": orm.Party,
    "bloc": orm.Bloc,
    "place": orm.Place,
    "road": orm.Road,
    "segment": orm.Segment,
    "source": orm.Source,
}
#: Where each kind's aliases are: the column of the alias table naming its owner.
ALIAS_COLUMN = {
    "party": orm.Alias.party_id,
    "bloc": orm.Alias.bloc_id,
    "place": orm.Alias.place_id,
    "road": orm.Alias.road_id,
    "segment": orm.Alias.segment_id,
}
#: The kinds of definition a scenario may add (their tables have a scenario_id).
OVERLAID = {"place", "road", "segment"}


def holds_nothing(conn: Connection) -> bool:
    """Whether the database holds no place, segment or road at all (a new database)."""
    return all(
        conn.execute(sa.select(table.id).limit(1)).first() is None
        for table in (orm.Place, orm.Segment, orm.Road)
    )


def resolve(
    conn: Connection,
    text: str,
    kinds: Sequence[str] = ("place", "segment", "road"),
    overlay: Overlay = REPORTED_OVERLAY,
) -> tuple[str, str]:
    """Find the element (or party, bloc) a user means: ``(kind, id)``.

    An exact id wins; otherwise a name or alias, compared without regard to case, that
    exactly one element has. ``kind:id`` (``road:ford``) picks one kind when a place and
    a road share an id.

    Raises
    ------
    AmbiguousNameError
        When several elements have that name; ``candidates`` lists them.
    UnknownElementError
        When none has; ``candidates`` lists similar names.
    """

    def visible(kind: str) -> Any:
        return overlay.visible(NAMED_TABLES[kind].scenario_id) if kind in OVERLAID else sa.true()

    prefix, _, rest = text.partition(":")
    if rest and prefix in kinds:
        kinds, text = (prefix,), rest
    by_id = [
        (kind, text)
        for kind in kinds
        if conn.execute(
            sa.select(NAMED_TABLES[kind].id).where(NAMED_TABLES[kind].id == text, visible(kind))
        ).first()
    ]
    if len(by_id) == 1:
        return by_id[0]
    key = name_key(text)
    found: dict[tuple[str, str], str] = {}
    for kind in kinds:
        table = NAMED_TABLES[kind]
        if hasattr(table, "name_key"):
            for ident, name in conn.execute(
                sa.select(table.id, table.name).where(table.name_key == key, visible(kind))
            ):
                found[(kind, ident)] = name or ident
        if kind in ALIAS_COLUMN:
            column = ALIAS_COLUMN[kind]
            for ident, name in conn.execute(
                sa.select(column, table.name)
                .join(table, table.id == column)
                .where(orm.Alias.alias_key == key, visible(kind))
            ):
                found[(kind, ident)] = name or ident
    for kind, ident in by_id:
        found[(kind, ident)] = ident
    if len(found) == 1:
        return next(iter(found))
    what = " or ".join(kinds) if len(kinds) < 3 else "place, segment or road"
    if found:
        candidates = sorted((ident, kind, name) for (kind, ident), name in found.items())
        hint = "give an id" if len(by_id) < 2 else f"write {by_id[0][0]}:{text} or similar"
        raise AmbiguousNameError(
            f"{text!r} is the name of {len(found)} different elements; {hint}", candidates
        )
    raise UnknownElementError(
        f"no {what} has the id or name {text!r}", _similar(conn, key, kinds, visible)
    )


def _similar(
    conn: Connection, key: str, kinds: Sequence[str], visible: Any
) -> list[tuple[str, str, str]]:
    """A few elements whose id or name contains part of what was typed: roads first, and
    the road of every segment found beside it (a reader looking for "Gwaykhar" wants
    the road, not only its numbered segments)."""
    fragment = key[: max(3, len(key) // 2)].replace("%", "").replace("_", "")
    if not fragment:
        return []
    pattern = f"%{fragment}%"
    found: dict[str, list[tuple[str, str, str]]] = {}
    roads_of_segments: set[str] = set()
    for kind in kinds:
        table = NAMED_TABLES[kind]
        conditions = [table.id.like(pattern)]
        if hasattr(table, "name_key"):
            conditions.append(table.name_key.like(pattern))
        columns = [table.id, table.name]
        if kind == "segment":
            columns.append(table.road_id)
        for row in conn.execute(
            sa.select(*columns).where(sa.or_(*conditions), visible(kind)).limit(8)
        ):
            found.setdefault(kind, []).append((row[0], kind, row[1] or row[0]))
            if kind == "segment" and row[2] is not None:
                roads_of_segments.add(row[2])
    if "road" in kinds and roads_of_segments:
        listed = {ident for ident, _, _ in found.get("road", [])}
        r = NAMED_TABLES["road"]
        missing = sorted(roads_of_segments - listed)
        for ident, name in conn.execute(sa.select(r.id, r.name).where(r.id.in_(missing))):
            found.setdefault("road", []).append((ident, "road", name or ident))
    ordered = sorted(kinds, key=lambda kind: kind != "road")
    return [candidate for kind in ordered for candidate in found.get(kind, [])][:12]
