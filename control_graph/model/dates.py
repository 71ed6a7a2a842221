"""Calendar days. Dates are ``datetime.date`` everywhere inside the library; text is
parsed at the edges -- a file loader, the command line's date type, the entry of a
public function -- with :func:`parse_date` (or :func:`to_day`, which names the
argument in its message) and nowhere else."""

from __future__ import annotations

import datetime as dt
import re

from control_graph.errors import InvalidArgumentError

__all__ = ["DateLike", "parse_date", "parse_days", "to_day", "to_optional_day"]

#: What a public function accepts for a day: a ``date``, or ISO text ``YYYY-MM-DD``.
DateLike = dt.date | str

_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DAYS = re.compile(r"(\d+)\s*([dw]?)")


def parse_date(value: object) -> dt.date:
    """Parse an ISO ``YYYY-MM-DD`` day; a ``date`` passes through unchanged.

    Datetimes are refused rather than truncated: a time of day would suggest a
    precision the data does not have.

    Examples
    --------
    >>> parse_date("2026-02-05")
    datetime.date(2026, 2, 5)
    >>> parse_date("5 Feb 2026")
    Traceback (most recent call last):
    ...
    control_graph.errors.InvalidArgumentError: '5 Feb 2026' is not a date of the form YYYY-MM-DD
    """
    if isinstance(value, dt.datetime):
        raise InvalidArgumentError(f"{value!r} has a time of day; give a calendar day YYYY-MM-DD")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _ISO_DAY.fullmatch(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise InvalidArgumentError(f"{value!r} is not a valid calendar day") from None
    raise InvalidArgumentError(f"{value!r} is not a date of the form YYYY-MM-DD")


def to_day(value: DateLike, name: str) -> dt.date:
    """:func:`parse_date` for an argument of a public function: the message names it.

    >>> to_day("2026-02-30", "on")
    Traceback (most recent call last):
    ...
    control_graph.errors.InvalidArgumentError: on: '2026-02-30' is not a valid calendar day
    """
    try:
        return parse_date(value)
    except InvalidArgumentError as error:
        raise InvalidArgumentError(f"{name}: {error}") from None


def to_optional_day(value: DateLike | None, name: str) -> dt.date | None:
    """:func:`to_day`, letting ``None`` (the argument not given) through."""
    return None if value is None else to_day(value, name)


def parse_days(value: str) -> int:
    """Parse a span such as ``14d``, ``2w`` or ``10`` (days) into a number of days.

    >>> parse_days("2w")
    14
    """
    match = _DAYS.fullmatch(value.strip())
    if not match:
        raise InvalidArgumentError(f"{value!r} is not a span like 7d, 2w or 10")
    number, unit = int(match.group(1)), match.group(2)
    return number * 7 if unit == "w" else number
