"""Who is who: :class:`PartyMap` (ACLED actor names, exact or ``*`` globs, to party ids,
and the ``takers`` of territory rows ACLED leaves open) and :func:`territory_taker` (who
took the territory of a territory row, from the sub-event type and the inter codes; an
ambiguous row is reported, never guessed).
"""

from __future__ import annotations

# The doctests build rows with dt.
import datetime as dt  # noqa: F401
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from control_graph.dataset.acled.reading import _Problems
from control_graph.dataset.acled.row import _ARMED_NON_STATE, _STATE, AcledRow, _key, inter_code
from control_graph.dataset.checks import SLUG
from control_graph.dataset.raw import read_bytes, read_text

__all__ = ["PartyMap", "Taker", "territory_taker"]


@dataclass
class PartyMap:
    """ACLED actor names mapped to party ids.

    Names are exact (compared without regard to case and spaces) or globs with ``*``
    (``"People's Defense Force*"``); an exact name wins, then the first glob in the
    map's order. A name mapped to ``None`` is known but no party (``Civilians
    (Myanmar)``): never reported as unmapped. ``takers`` names, by ``event_id_cnty``,
    the party that took the territory in a row ACLED leaves open.

    Examples
    --------
    >>> parties = PartyMap.from_mapping({
    ...     "Military Forces of Myanmar (2021-)": "saf",
    ...     "People's Defense Force*": "pdf",
    ...     "Civilians (Myanmar)": None,
    ... })
    >>> parties.lookup("military forces of myanmar (2021-)")
    (True, 'saf')
    >>> parties.lookup("People's Defense Force - Pathein"), parties.lookup("Unknown")
    ((True, 'pdf'), (False, None))
    """

    names: dict[str, str | None] = field(default_factory=dict)
    patterns: list[tuple[re.Pattern[str], str | None]] = field(default_factory=list)
    takers: dict[str, str] = field(default_factory=dict)
    #: Where the map came from, for messages.
    file: str = "(party map)"

    @classmethod
    def from_mapping(
        cls,
        mapping: Mapping[str, Any],
        *,
        file: str = "(party map)",
        lines: Mapping[str, int] | None = None,
    ) -> PartyMap:
        """A map from ``{actor name: party id or None, ..., "takers": {event id: party
        id}}``.

        Raises
        ------
        DatasetError
            When a name is not text or a party id is not a valid id.
        """
        lines = lines or {}
        problems = _Problems(file)
        result = cls(file=file)
        for name, party in mapping.items():
            line = lines.get(name)
            if name == "takers" and isinstance(party, dict):
                for event_id, taker in party.items():
                    if not isinstance(taker, str) or not SLUG.fullmatch(taker):
                        problems.add(
                            f"takers {str(event_id)[:40]!r}",
                            None,
                            f"{taker!r} is not a party id",
                            line,
                        )
                    else:
                        result.takers[str(event_id).strip().upper()] = taker
                continue
            if not isinstance(name, str) or not name.strip():
                problems.add("file", None, f"{name!r} is not an actor name", line)
                continue
            if party is not None and (not isinstance(party, str) or not SLUG.fullmatch(party)):
                problems.add(
                    f"actor {name[:60]!r}",
                    None,
                    f"{str(party)[:40]!r} is not a party id (lower-case letters, digits, '.', "
                    "'_' and '-'); write null for an actor that is no party",
                    line,
                )
                continue
            if "*" in name:
                parts = (re.escape(part) for part in _key(name).split("*"))
                result.patterns.append((re.compile(".*".join(parts)), party))
            else:
                result.names[_key(name)] = party
        problems.raise_any()
        return result

    @classmethod
    def read(cls, path: str | Path) -> PartyMap:
        """The map in a YAML file (``actor name: party id`` per line).

        Raises
        ------
        DatasetError
            When the file cannot be read, is not a mapping, or has an invalid entry.
        """
        from control_graph.dataset.yaml_reader import read_yaml

        path = Path(path)
        top, _ = read_yaml(path, read_text(path, read_bytes(path)))
        return cls.from_mapping(top.values, file=str(path), lines=top.lines)

    def lookup(self, actor: str) -> tuple[bool, str | None]:
        """``(mapped, party)``: whether the map names the actor, and its party."""
        key = _key(actor)
        if key in self.names:
            return True, self.names[key]
        for pattern, party in self.patterns:
            if pattern.fullmatch(key):
                return True, party
        return False, None

    def party_ids(self) -> set[str]:
        """Every party id the map names."""
        named = {p for p in self.names.values() if p is not None}
        named |= {p for _, p in self.patterns if p is not None}
        return named | set(self.takers.values())


# -- who takes territory ----------------------------------------------------------------------


@dataclass(frozen=True)
class Taker:
    """Who took the territory of a territory row: the actor and its party, or why no
    control event can be made (``problem``)."""

    actor: str | None
    party: str | None
    problem: str | None = None
    #: Whether the problem is that ACLED's row does not say who took it (rather than
    #: that the taker is not mapped to a party).
    unresolved: bool = False


def territory_taker(row: AcledRow, parties: PartyMap) -> Taker:
    """The actor that took territory in a territory row, and its party.

    ACLED's actor order has no meaning, so: *Government regains territory* is taken by
    the side that is state forces; *Non-state actor overtakes territory* by the side that
    is a rebel group, a militia or a foreign force (inter 2, 3, 4 or 8); a row with one
    actor by that actor. Anything else (two non-state actors, two state forces, a
    two-actor *Non-violent transfer of territory*) is unresolved, unless the map's
    ``takers`` name the party for that event. A region-wide location (geo_precision 3)
    is never a place's change of control.

    >>> row = AcledRow(1, "MMR900101", dt.date(2024, 3, 15), 1,
    ...     "Non-state actor overtakes territory", "Military Forces of Myanmar (2021-)",
    ...     "Kamaing", 25.52, 96.7, inter1="State forces",
    ...     actor2="KIA: Kachin Independence Army", inter2="Rebel group")
    >>> territory_taker(row, PartyMap.from_mapping({"KIA: Kachin Independence Army": "kia"}))
    Taker(actor='KIA: Kachin Independence Army', party='kia', problem=None, unresolved=False)
    """
    override = parties.takers.get(row.event_id.upper())
    if override is not None:
        return Taker(None, override)
    if row.geo_precision == 3:
        return Taker(
            None,
            None,
            "ACLED places it only in a region (geo_precision 3), not at the place",
            unresolved=True,
        )
    sides = [(row.actor1, inter_code(row.inter1))]
    if row.actor2:
        sides.append((row.actor2, inter_code(row.inter2)))
    how = row.territory
    if len(sides) == 1:
        candidates = sides
    elif how == "regains":
        candidates = [side for side in sides if side[1] == _STATE]
    elif how == "overtakes":
        candidates = [side for side in sides if side[1] in _ARMED_NON_STATE]
    else:
        candidates = []
    if len(candidates) != 1:
        return Taker(None, None, _unresolved_reason(how, sides), unresolved=True)
    actor = candidates[0][0]
    mapped, party = parties.lookup(actor)
    if not mapped:
        return Taker(actor, None, f"the taker {actor!r} is not in the party map")
    if party is None:
        return Taker(actor, None, f"the taker {actor!r} is mapped to no party")
    return Taker(actor, party)


def _unresolved_reason(how: str | None, sides: list[tuple[str, int | None]]) -> str:
    codes = [code for _, code in sides]
    if None in codes:
        return "an actor type (inter1/inter2) is missing or unknown, so the taker is unclear"
    if how == "regains":
        which = "both sides are" if codes.count(_STATE) == 2 else "neither side is"
        return f"{which} state forces, so ACLED does not say who regained it"
    if how == "overtakes":
        both = sum(code in _ARMED_NON_STATE for code in codes) == 2
        which = "both sides are" if both else "neither side is"
        return f"{which} a non-state or foreign armed group, so ACLED does not say who took it"
    return "two actors and no fighting: ACLED does not say which one took control"
