"""One ACLED event as an export gives it: :class:`AcledRow`, its record id, and ACLED's
actor types (inter codes) and territory sub-event types.

The rest of :mod:`control_graph.dataset.acled` builds on this module: reading an export
(:mod:`~control_graph.dataset.acled.reading`), the party map and the taker of territory
(:mod:`~control_graph.dataset.acled.parties`), places
(:mod:`~control_graph.dataset.acled.places`), conversion
(:mod:`~control_graph.dataset.acled.conversion`) and comparison with what is stored
(:mod:`~control_graph.dataset.acled.changes`).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["ID_PREFIX", "TERRITORY_TYPES", "AcledRow", "inter_code", "record_id"]

#: Record ids of ACLED rows: ``acled-`` and the lower-cased ``event_id_cnty``.
ID_PREFIX = "acled-"
#: The sub-event types that move territory, and what each says about the taker.
TERRITORY_TYPES = {
    "government regains territory": "regains",
    "non-state actor overtakes territory": "overtakes",
    "non-violent transfer of territory": "transfer",
}

# ACLED's actor types (codebook: inter codes), by number and by label, singular; old
# files and the API write digits, current exports labels (old labels are plural).
_INTER_LABELS = {
    "state force": 1,
    "rebel group": 2,
    "political militia": 3,
    "identity militia": 4,
    "rioter": 5,
    "protester": 6,
    "protestor": 6,
    "civilian": 7,
    "external/other force": 8,
}
_STATE, _EXTERNAL = 1, 8
# Who can take territory from others by force: rebels, militias, foreign forces.
_ARMED_NON_STATE = frozenset({2, 3, 4, _EXTERNAL})
# Who never carries out an armed act: rioters, protesters, civilians.
_UNARMED = frozenset({5, 6, 7})


def _key(text: str) -> str:
    """Names compared without regard to case, spaces, or ``-``/``_`` between words."""
    return " ".join(text.casefold().replace("-", " ").replace("_", " ").split())


_TERRITORY_BY_KEY = {_key(name): how for name, how in TERRITORY_TYPES.items()}


def record_id(event_id_cnty: str) -> str:
    """The record id of an ACLED event.

    >>> record_id("MMR900101")
    'acled-mmr900101'
    """
    return ID_PREFIX + re.sub(r"[^a-z0-9._-]+", "-", event_id_cnty.strip().lower()).strip("-")


@dataclass(frozen=True)
class AcledRow:
    """One ACLED event, as read from an export (text cells stripped, blanks ``None``)."""

    line: int
    event_id: str
    event_date: dt.date
    time_precision: int
    sub_event_type: str
    actor1: str
    location: str
    latitude: float
    longitude: float
    event_type: str | None = None
    disorder_type: str | None = None
    assoc_actor_1: tuple[str, ...] = ()
    inter1: str | None = None
    actor2: str | None = None
    assoc_actor_2: tuple[str, ...] = ()
    inter2: str | None = None
    civilian_targeting: bool = False
    iso: str | None = None
    country: str | None = None
    admin1: str | None = None
    admin2: str | None = None
    admin3: str | None = None
    geo_precision: int | None = None
    source: tuple[str, ...] = ()
    source_scale: str | None = None
    notes: str | None = None
    fatalities: int | None = None
    tags: tuple[str, ...] = ()
    timestamp: int | None = None

    @property
    def id(self) -> str:
        """The record id (:func:`record_id`)."""
        return record_id(self.event_id)

    @property
    def territory(self) -> str | None:
        """``regains``, ``overtakes`` or ``transfer`` for a territory event, else ``None``."""
        return _TERRITORY_BY_KEY.get(_key(self.sub_event_type))

    @property
    def region(self) -> str:
        """The country (or ISO code) the event is in, for the coverage of a sync."""
        return self.country or self.iso or ""

    @property
    def dates(self) -> tuple[dt.date, dt.date | None]:
        """``(date, date_latest)``: the day (precision 1), the week centred on it
        (precision 2: ``event_date`` is the middle of the period), or the calendar month
        (precision 3: ACLED's midpoint, or first or last day, of that month)."""
        day = self.event_date
        if self.time_precision == 2:
            return day - dt.timedelta(days=3), day + dt.timedelta(days=3)
        if self.time_precision == 3:
            last = calendar.monthrange(day.year, day.month)[1]
            return day.replace(day=1), day.replace(day=last)
        return day, None

    def attributes(self) -> dict[str, Any]:
        """What ACLED says about the event, kept with the record (blank values left out)."""
        values: dict[str, Any] = {
            "event_id_cnty": self.event_id,
            "event_date": self.event_date.isoformat(),
            "time_precision": self.time_precision,
            "disorder_type": self.disorder_type,
            "event_type": self.event_type,
            "sub_event_type": self.sub_event_type,
            "actor1": self.actor1,
            "assoc_actor_1": list(self.assoc_actor_1),
            "inter1": self.inter1,
            "actor2": self.actor2,
            "assoc_actor_2": list(self.assoc_actor_2),
            "inter2": self.inter2,
            "civilian_targeting": self.civilian_targeting or None,
            "iso": self.iso,
            "country": self.country,
            "admin1": self.admin1,
            "admin2": self.admin2,
            "admin3": self.admin3,
            "location": self.location,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "geo_precision": self.geo_precision,
            "source": list(self.source),
            "source_scale": self.source_scale,
            "fatalities": self.fatalities,
            "tags": list(self.tags),
            "timestamp": self.timestamp,
        }
        return {k: v for k, v in values.items() if v is not None and v != []}


def inter_code(text: str | None) -> int | None:
    """ACLED's actor type as its number: from a digit, or a label in any case, singular
    or plural (``State forces``, ``Rebel Groups``, ``2``); ``None`` when blank or unknown.

    >>> inter_code("State forces"), inter_code("Rebel Groups"), inter_code("8"), inter_code("")
    (1, 2, 8, None)
    """
    if not text:
        return None
    key = " ".join(text.casefold().split())
    if key.isdigit():
        number = int(key)
        return number if 1 <= number <= 8 else None
    return _INTER_LABELS.get(key.removesuffix("s"), _INTER_LABELS.get(key))
