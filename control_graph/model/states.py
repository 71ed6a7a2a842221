"""Control states: who holds an element on a given day.

A state is a small immutable value, ``State(status, controller)``. ``controller`` is the
party (or bloc) id when the status is ``held`` and ``None`` otherwise.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

__all__ = ["CONTESTED", "UNKNOWN", "State", "Status", "held"]


class Status(StrEnum):
    """The status of a place, segment or road on one day.

    ``divided`` only describes roads: every segment is held, by more than one party.
    """

    HELD = "held"
    CONTESTED = "contested"
    UNKNOWN = "unknown"
    DIVIDED = "divided"


class State(NamedTuple):
    """The state of an element on one day.

    Examples
    --------
    >>> held("kia")
    State(status=<Status.HELD: 'held'>, controller='kia')
    >>> held("kia").is_known, UNKNOWN.is_known
    (True, False)
    """

    status: Status
    controller: str | None = None

    @property
    def is_known(self) -> bool:
        """True when held or contested: something is known about who is there."""
        return self.status is not Status.UNKNOWN

    def describe(self) -> str:
        """The state in words: ``held by kia``, ``contested``, ``unknown``.

        >>> held("kia").describe(), CONTESTED.describe()
        ('held by kia', 'contested')
        """
        if self.status is Status.HELD:
            return f"held by {self.controller}"
        return self.status.value

    def as_dict(self) -> dict[str, str | None]:
        """The ``{"status": ..., "controller": ...}`` pair used in JSON output."""
        return {"status": self.status.value, "controller": self.controller}


UNKNOWN = State(Status.UNKNOWN, None)
CONTESTED = State(Status.CONTESTED, None)


def held(controller: str) -> State:
    """The state of an element held by ``controller`` (a party or bloc id)."""
    return State(Status.HELD, controller)
