"""Where an event happened: :class:`PlaceIndex` matches an ACLED location to a place (by
name or alias, within the admin area when the place records one, else by distance), and
:func:`new_place` makes a place for a location nothing matches (``--create-places``).
"""

from __future__ import annotations

# The doctests build rows with dt.
import datetime as dt  # noqa: F401
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from control_graph.dataset.acled.row import AcledRow, _key
from control_graph.errors import InvalidArgumentError
from control_graph.model.geo import great_circle_km
from control_graph.model.records import Place

__all__ = ["DEFAULT_WITHIN_KM", "NAME_MATCH_KM", "PlaceIndex", "PlaceMatch", "new_place"]

#: How far (km) a place may lie from ACLED's coordinates to be matched by distance.
DEFAULT_WITHIN_KM = 5.0
#: How far (km) a place with the location's name may lie from ACLED's coordinates and
#: still be that location: ACLED codes an event "near" a town to the town, and a vague
#: one to a town standing for its district; a namesake farther away is another place.
NAME_MATCH_KM = 50.0


@dataclass(frozen=True)
class PlaceMatch:
    """How an ACLED location was matched to a place.

    ``how`` is ``name`` (by name or alias), ``name+distance`` (several places have the
    name; one lies within reach), ``distance`` (the nearest place within reach),
    ``created`` (a new place from ACLED's coordinates), or ``none``; ``km`` the distance
    from ACLED's coordinates to the place, where both have them; ``detail`` why nothing
    matched.
    """

    how: str
    place: str | None = None
    km: float | None = None
    detail: str | None = None


class PlaceIndex:
    """The places an ACLED location may be, looked up by name and by distance.

    A place is a location's namesake when its name, an alias or its id equals the
    location (without regard to case, spaces and hyphens; for ``City - District``, the
    city too), unless the place records an admin area (``attributes`` ``admin1``,
    ``admin2``, ``admin3``, as places made by ``--create-places`` do) that differs, or
    has coordinates more than :data:`NAME_MATCH_KM` away. Otherwise the nearest place
    within ``within_km`` (whose admin area, if it records one, is the row's).

    Examples
    --------
    >>> index = PlaceIndex([Place("kamaing", "Kamaing", lat=25.52, lon=96.70)], within_km=5)
    >>> row = AcledRow(1, "MMR900101", dt.date(2024, 3, 15), 1, "Armed clash", "x",
    ...                "Kamaing", 25.53, 96.71)
    >>> index.match(row).how, index.match(row).place
    ('name', 'kamaing')
    """

    def __init__(self, places: Iterable[Place], *, within_km: float = DEFAULT_WITHIN_KM) -> None:
        if not within_km >= 0:
            raise InvalidArgumentError(f"within: {within_km!r} km is not a distance")
        self.within_km = within_km
        self.by_name: dict[str, list[Place]] = {}
        located: list[tuple[float, float, Place]] = []
        for place in places:
            for name in dict.fromkeys(_key(n) for n in (place.id, place.name, *place.aliases) if n):
                self.by_name.setdefault(name, []).append(place)
            if place.lat is not None and place.lon is not None:
                located.append((place.lat, place.lon, place))
        located.sort(key=lambda item: item[0])
        self._located = located
        self._latitudes = [lat for lat, _, _ in located]
        self._cache: dict[tuple[Any, ...], PlaceMatch] = {}

    def create(self, row: AcledRow, taken: set[str]) -> tuple[Place, PlaceMatch]:
        """A new place for the location of a row nothing matches (:func:`new_place`),
        then found for that location by name (not by distance, so that what a row
        matches does not depend on the rows before it)."""
        place = new_place(row, taken)
        self.by_name.setdefault(_key(place.name or place.id), []).append(place)
        match = self._cache[self._location(row)] = PlaceMatch("created", place.id, 0.0)
        return place, match

    def match(self, row: AcledRow) -> PlaceMatch:
        """The place of an ACLED row (cached per location and coordinates)."""
        key = self._location(row)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._match(row)
        return found

    @staticmethod
    def _location(row: AcledRow) -> tuple[Any, ...]:
        return (_key(row.location), row.admin1, row.admin2, row.admin3, row.latitude, row.longitude)

    def _match(self, row: AcledRow) -> PlaceMatch:
        names = [_key(row.location)]
        # Big cities are coded "City - District".
        for dash in (" - ", " \u2013 ", " \u2014 "):
            if dash in row.location:
                names.append(_key(row.location.split(dash)[0]))
        far: list[tuple[float, Place]] = []
        candidates: dict[str, tuple[Place, float | None]] = {}
        for name in names:
            for place in self.by_name.get(name, []):
                if not _same_area(place, row):
                    continue
                km = self._km(place, row)
                if km is not None and km > NAME_MATCH_KM:
                    far.append((km, place))
                else:
                    candidates.setdefault(place.id, (place, km))
        if len(candidates) == 1:
            ((place, km),) = candidates.values()
            return PlaceMatch("name", place.id, _round(km))
        if len(candidates) > 1:
            near = [
                (km, p) for p, km in candidates.values() if km is not None and km <= self.within_km
            ]
            if len(near) == 1:
                return PlaceMatch("name+distance", near[0][1].id, _round(near[0][0]))
            ids = ", ".join(sorted(candidates))
            return PlaceMatch(
                "none",
                detail=f"{len(candidates)} places are called {row.location!r} ({ids}) and "
                f"{'none' if not near else 'more than one'} lies within {self.within_km:g} km",
            )
        nearest = self._nearest(row)
        if nearest is not None and nearest[0] <= self.within_km:
            return PlaceMatch("distance", nearest[1].id, _round(nearest[0]))
        details = []
        if far:
            km, place = min(far, key=lambda item: item[0])
            details.append(f"the place called so, {place.id!r}, is {km:.0f} km away")
        if nearest is not None:
            details.append(f"the nearest place, {nearest[1].id!r}, is {nearest[0]:.1f} km away")
        return PlaceMatch("none", detail="; ".join(details) or "no place has the name")

    @staticmethod
    def _km(place: Place, row: AcledRow) -> float | None:
        if place.lat is None or place.lon is None:
            return None
        return great_circle_km(place.lat, place.lon, row.latitude, row.longitude)

    def _nearest(self, row: AcledRow) -> tuple[float, Place] | None:
        """The nearest place with coordinates, looking a little beyond reach (to say how
        far the nearest one is)."""
        from bisect import bisect_left, bisect_right

        reach = max(self.within_km * 4, 20.0) / 111.0
        start = bisect_left(self._latitudes, row.latitude - reach)
        end = bisect_right(self._latitudes, row.latitude + reach)
        best: tuple[float, Place] | None = None
        for lat, lon, place in self._located[start:end]:
            if not _same_area(place, row):
                continue
            km = great_circle_km(lat, lon, row.latitude, row.longitude)
            if best is None or km < best[0]:
                best = (km, place)
        return best


def _same_area(place: Place, row: AcledRow) -> bool:
    for level in ("admin1", "admin2", "admin3"):
        recorded = place.attributes.get(level)
        given = getattr(row, level)
        if isinstance(recorded, str) and given and _key(recorded) != _key(given):
            return False
    return True


def _round(km: float | None) -> float | None:
    return None if km is None else round(km, 1)


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def new_place(row: AcledRow, taken: set[str]) -> Place:
    """A place for an ACLED location no place matches, at ACLED's coordinates, with an
    id from its name not in ``taken`` (then added to it).

    >>> row = AcledRow(1, "MMR900101", dt.date(2024, 3, 15), 1, "Armed clash", "x",
    ...                "Nam Hkam", 25.1, 96.2, admin1="Kachin", admin3="Hpakant")
    >>> new_place(row, {"nam-hkam"}).id
    'nam-hkam-hpakant'
    """
    base = _slug(row.location) or "place"
    options = [base] + [f"{base}-{_slug(a)}" for a in (row.admin3, row.admin2, row.admin1) if a]
    ident = next((o for o in options if o not in taken), None)
    number = 2
    while ident is None or ident in taken:
        ident, number = f"{base}-{number}", number + 1
    taken.add(ident)
    attributes: dict[str, Any] = {
        "admin1": row.admin1,
        "admin2": row.admin2,
        "admin3": row.admin3,
        "country": row.country,
        "geo_precision": row.geo_precision,
        "created_from": f"ACLED event {row.event_id}",
    }
    return Place(
        ident,
        row.location,
        lat=row.latitude,
        lon=row.longitude,
        attributes={k: v for k, v in attributes.items() if v is not None},
    )
