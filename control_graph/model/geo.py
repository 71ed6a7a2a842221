"""Segment lengths: given, or great-circle between the endpoints, or 1 km."""

from __future__ import annotations

import math

__all__ = ["EARTH_RADIUS_KM", "great_circle_km", "segment_length_km"]

#: Mean Earth radius (IUGG), the one the contract fixes for derived lengths.
EARTH_RADIUS_KM = 6371.0088


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points given in degrees (haversine).

    >>> round(great_circle_km(10.0, 20.0, 10.1, 20.1), 3)
    15.605
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def segment_length_km(
    given: float | None,
    start: tuple[float, float] | None,
    end: tuple[float, float] | None,
) -> float:
    """The length the contract assigns to a segment.

    ``given`` (a ``length_km``) wins; otherwise the great-circle distance when both
    endpoints have coordinates; otherwise 1.

    >>> segment_length_km(42.0, None, None), segment_length_km(None, (10.0, 20.0), None)
    (42.0, 1.0)
    """
    if given is not None:
        return given
    if start is not None and end is not None:
        return great_circle_km(start[0], start[1], end[0], end[1])
    return 1.0
