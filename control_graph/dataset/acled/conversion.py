"""ACLED rows as dataset records: :func:`convert` makes each row a control event (a
territory row with a known, mapped taker) or an incident at its place, and
:func:`acled_document` the dataset document of the records, which
:func:`~control_graph.dataset.load.load_document` validates by every rule of the format.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from control_graph.dataset.acled.parties import PartyMap, Taker, territory_taker
from control_graph.dataset.acled.places import PlaceIndex, PlaceMatch
from control_graph.dataset.acled.row import _UNARMED, AcledRow, _key, inter_code
from control_graph.dataset.load import Origin
from control_graph.model.records import Place

__all__ = [
    "ACLED_SOURCE",
    "AcledRecord",
    "Conversion",
    "acled_document",
    "convert",
    "incident_party",
]

#: The source every ACLED record cites (created on the first import, reused after).
ACLED_SOURCE: Mapping[str, str] = {
    "id": "acled",
    "name": "ACLED (Armed Conflict Location & Event Data)",
    "url": "https://acleddata.com",
    "note": "Cite ACLED as its attribution policy asks, with the export's access date "
    "and filters: https://epo.acleddata.com/terms-of-use-and-attribution-policy",
}


@dataclass
class AcledRecord:
    """One ACLED row as the entry of a dataset document (``events`` or ``incidents``)."""

    row: AcledRow
    section: str
    entry: dict[str, Any]
    match: PlaceMatch
    taker: Taker | None = None


@dataclass
class Conversion:
    """An export's rows as records, and what could not be made of them."""

    records: list[AcledRecord] = field(default_factory=list)
    #: Places made for locations nothing matched (``--create-places``), by id.
    places: dict[str, Place] = field(default_factory=dict)
    #: Rows whose location matched no place, with how (``how`` is ``none``).
    unplaced: list[tuple[AcledRow, PlaceMatch]] = field(default_factory=list)
    #: Actors (actor1/actor2) the party map does not name: rows, and territory rows.
    unmapped: Counter[str] = field(default_factory=Counter)
    unmapped_territory: Counter[str] = field(default_factory=Counter)
    #: Territory rows made incidents, with why (ambiguous taker, unmapped taker, region).
    not_control: list[AcledRecord] = field(default_factory=list)

    @property
    def rows(self) -> Iterator[AcledRow]:
        yield from (record.row for record in self.records)
        yield from (row for row, _ in self.unplaced)


def incident_party(row: AcledRow, parties: PartyMap) -> str | None:
    """The party behind an incident, where ACLED says who acted: the perpetrator of
    *Violence against civilians* (always actor 1), the only actor, or the one armed side
    facing civilians, protesters or rioters."""
    sides = [(row.actor1, inter_code(row.inter1))]
    if row.actor2:
        sides.append((row.actor2, inter_code(row.inter2)))
    if len(sides) == 1 or _key(row.event_type or "") == "violence against civilians":
        actor: str | None = row.actor1
    else:
        armed = [name for name, code in sides if code not in _UNARMED]
        actor = armed[0] if len(armed) == 1 and len(sides) - len(armed) == 1 else None
    return None if actor is None else parties.lookup(actor)[1]


def convert(
    rows: Iterable[AcledRow],
    parties: PartyMap,
    places: PlaceIndex,
    *,
    recorded: dt.date,
    create_places: bool = False,
    taken_place_ids: set[str] | None = None,
) -> Conversion:
    """Every row as a control event or an incident at its place (see the module's
    docstring and docs/acled.md), recorded on ``recorded``.

    With ``create_places``, a location no place matches becomes a place (its id not in
    ``taken_place_ids``); otherwise its rows are left out and listed in ``unplaced``.
    """
    result = Conversion()
    taken = set(taken_place_ids or ())
    for row in rows:
        territory = row.territory is not None
        for actor in (row.actor1, row.actor2):
            if actor and not parties.lookup(actor)[0]:
                result.unmapped[actor] += 1
                if territory:
                    result.unmapped_territory[actor] += 1
        match = places.match(row)
        if match.how == "none" and create_places:
            place, match = places.create(row, taken)
            result.places[place.id] = place
        if match.place is None:
            result.unplaced.append((row, match))
            continue
        date, latest = row.dates
        attributes = row.attributes()
        attributes["place_match"] = match.how
        if match.km is not None:
            attributes["place_km"] = match.km
        entry: dict[str, Any] = {
            "id": row.id,
            "date": date,
            "date_latest": latest,
            "place": match.place,
            "kind": row.sub_event_type,
            "source": ACLED_SOURCE["id"],
            "recorded": recorded,
            "note": row.notes,
            "attributes": attributes,
        }
        taker = territory_taker(row, parties) if territory else None
        if taker is not None:
            if taker.actor is not None:
                attributes["taker"] = taker.actor
            if taker.problem is not None:
                attributes["not_control"] = taker.problem
        if taker is not None and taker.party is not None:
            record = AcledRecord(row, "events", {**entry, "party": taker.party}, match, taker)
        else:
            party = incident_party(row, parties)
            record = AcledRecord(row, "incidents", {**entry, "party": party}, match, taker)
            if taker is not None:
                result.not_control.append(record)
        record.entry = {k: v for k, v in record.entry.items() if v is not None}
        result.records.append(record)
    return result


def acled_document(
    records: Iterable[AcledRecord], places: Iterable[Place], *, with_source: bool
) -> tuple[dict[str, Any], dict[tuple[str, int], Origin]]:
    """The dataset document of some converted rows (and the places they need), with the
    origin of each entry (``ACLED event MMR12345`` and its line) for messages."""
    document: dict[str, Any] = {"events": [], "incidents": []}
    origins: dict[tuple[str, int], Origin] = {}
    for record in records:
        entries = document[record.section]
        origins[(record.section, len(entries))] = (
            f"ACLED event {record.row.event_id}",
            record.row.line,
        )
        entries.append(record.entry)
    document["places"] = [
        {
            "id": p.id,
            "name": p.name,
            "lat": p.lat,
            "lon": p.lon,
            "attributes": p.attributes,
        }
        for p in places
    ]
    if with_source:
        document["sources"] = [dict(ACLED_SOURCE)]
    return document, origins
