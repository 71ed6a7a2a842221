"""Comparing a converted row with the record an earlier import stored:
:func:`same_version` (nothing but the upload changed), :func:`changed_fields` and
:func:`acled_changes` (what did, in ACLED's words or ours). The store decides from them
what is new, changed or gone (:mod:`control_graph.store.acled`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from control_graph.dataset.acled.conversion import AcledRecord
from control_graph.dataset.acled.row import AcledRow
from control_graph.model.records import Event, Incident

__all__ = ["acled_changes", "changed_fields", "same_version"]

# Fields that change with every upload of an unchanged event (ACLED's), and how a row
# found its place (a place created by one import is found by name by the next; the
# place itself is compared).
_VOLATILE = frozenset({"timestamp", "place_match", "place_km"})


class _Version(NamedTuple):
    """What a record says, as compared between imports."""

    section: str
    date: dt.date
    date_latest: dt.date | None
    place: str | None
    party: str | None
    status: str | None
    kind: str | None
    source: str | None
    note: str | None
    attributes: dict[str, Any]


def _version(record: Event | Incident | AcledRecord) -> _Version:
    if isinstance(record, AcledRecord):
        entry = record.entry
        version = _Version(
            record.section,
            entry["date"],
            entry.get("date_latest"),
            entry["place"],
            entry.get("party"),
            "held" if record.section == "events" else None,
            entry.get("kind"),
            entry.get("source"),
            entry.get("note"),
            entry["attributes"],
        )
    else:
        version = _Version(
            "events" if isinstance(record, Event) else "incidents",
            record.date,
            record.date_latest,
            record.target_id if record.target.value == "place" else None,
            record.party,
            record.state.status.value if isinstance(record, Event) else None,
            record.kind,
            record.source,
            record.note,
            record.attributes,
        )
    kept = {k: v for k, v in version.attributes.items() if k not in _VOLATILE}
    return version._replace(attributes=kept)


def same_version(stored: Event | Incident, record: AcledRecord) -> bool:
    """Whether a stored record says what a row now says, but for when it was uploaded
    and recorded: ACLED re-uploads unchanged events with a new timestamp."""
    return _version(stored) == _version(record)


def changed_fields(stored: Event | Incident, record: AcledRecord) -> str:
    """What differs between a stored record and a row's new record, in ACLED's words
    where ACLED changed the event (``fatalities, notes``), else in ours (``place``,
    ``party``: the party map or the places changed), and whether it is now a control
    event rather than an incident (or the reverse).
    """
    old, new = _version(stored), _version(record)
    names = acled_changes(stored, record.row)
    if not names:
        names = [name for name in ("place", "party") if getattr(old, name) != getattr(new, name)]
        names = names or ["how the party map or the places read it"]
    if old.section != new.section:
        kinds = {"events": "a control event", "incidents": "an incident"}
        names.append(f"now {kinds[new.section]}, not {kinds[old.section]}")
    return ", ".join(names)


# What a conversion adds to ACLED's own fields.
_OURS = frozenset({"place_match", "place_km", "taker", "not_control"})


def acled_changes(stored: Event | Incident, row: AcledRow) -> list[str]:
    """The ACLED columns whose values differ between a stored record and a row of a
    newer export (``notes`` included), but for the upload ``timestamp``.

    >>> row = AcledRow(1, "MMR900101", dt.date(2024, 3, 15), 1, "Armed clash", "x",
    ...                "Kamaing", 25.52, 96.7, fatalities=3, notes="On 15 March ...")
    >>> from control_graph.model.records import Target
    >>> stored = Incident(dt.date(2024, 3, 15), Target.PLACE, "kamaing",
    ...                   note="On 15 March ...", attributes={**row.attributes(), "fatalities": 2})
    >>> acled_changes(stored, row)
    ['fatalities']
    """
    before = stored.attributes
    after = row.attributes()
    names = [
        key
        for key in dict.fromkeys((*before, *after))
        if key not in _VOLATILE and key not in _OURS and before.get(key) != after.get(key)
    ]
    if stored.note != row.notes:
        names.append("notes")
    return names
