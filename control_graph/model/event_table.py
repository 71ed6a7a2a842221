"""Control events kept as columns, for the engine.

A :class:`~control_graph.model.records.ControlEvent` is a tuple of ten fields: with its
order tuple and row id it takes about 250 bytes, so a million of them took 270 MB, the
larger part of an engine over a whole national database. Here each field is an
``array`` of machine integers (days as ordinals, states, ids and claimants as indexes
into small tables): about 60 bytes an event. The engine works on row indexes; an event
is made as a :class:`ControlEvent` only when someone asks for it (an explanation, a
dispute's claims), and then it equals the event that was put in.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import overload

from control_graph.model.records import ControlEvent, Target
from control_graph.model.states import State

__all__ = ["NO_DAY", "EventTable", "StatePairs"]

#: The ordinal kept for "no day" (no ``date_latest``, no ``until``): no date has it.
NO_DAY = 0
#: The id index kept for "no claimant".
NO_CLAIMANT = -1
_TARGETS = (Target.PLACE, Target.SEGMENT, Target.ROAD)
_TARGET_CODES = {target: code for code, target in enumerate(_TARGETS)}
PLACE, SEGMENT, ROAD = range(3)
#: From how many events the early order is sorted with numpy.
NUMPY_SORT_FROM = 100_000


class EventTable(Sequence[ControlEvent]):
    """Control events as parallel columns, in the order they were added.

    A sequence of :class:`ControlEvent` (made on access); the engine reads the columns.

    >>> from control_graph.model.states import held
    >>> day = dt.date(2024, 3, 1)
    >>> event = ControlEvent(day, day, (1, 7), Target.PLACE, "ford", held("north"), key=5)
    >>> table = EventTable([event])
    >>> table[0] == event, len(table), table.state_of(0).controller
    (True, 1, 'north')
    """

    __slots__ = (
        "_claimants",
        "_dates",
        "_id_codes",
        "_ids",
        "_odd_keys",
        "_odd_orders",
        "_order_ends",
        "_orders",
        "_state_codes",
        "_states",
        "claims",
        "day",
        "key",
        "latest",
        "recorded",
        "state",
        "target",
        "target_id",
        "until",
    )

    def __init__(self, events: Iterable[ControlEvent] = ()) -> None:
        #: Day, recorded day, latest day and lapse day of each event, as ordinals
        #: (:data:`NO_DAY` where the event has none).
        self.day = array("i")
        self.recorded = array("i")
        self.latest = array("i")
        self.until = array("i")
        #: The index of each event's state in :meth:`state_of`'s table.
        self.state = array("H")
        #: What each event is about: 0 a place, 1 a segment, 2 a road; and its id's index.
        self.target = array("B")
        self.target_id = array("i")
        #: Each event's key (32-bit numbers until one needs 64).
        self.key = array("i")
        self._claimants = array("i")
        # The order tuples, their numbers one after another (32 bits until one needs
        # 64); an order with a number too large for 64 bits is kept in ``_odd_orders``.
        self._orders = array("i")
        self._order_ends = array("I")
        self._odd_orders: dict[int, tuple[int, ...]] = {}
        # The keys that are not 64-bit numbers: none (an event made in memory, not read
        # from a database), or beyond 64 bits.
        self._odd_keys: dict[int, int | None] = {}
        self._ids: list[str] = []
        self._id_codes: dict[str, int] = {}
        self._states: list[State] = []
        self._state_codes: dict[State, int] = {}
        self._dates: dict[int, dt.date] = {}
        #: How many events are a party's claim (have a claimant): without any, nothing
        #: is ever disputed.
        self.claims = 0
        for event in events:
            self.append(event)

    # -- adding ------------------------------------------------------------------------

    def _id_code(self, ident: str) -> int:
        code = self._id_codes.get(ident)
        if code is None:
            code = self._id_codes[ident] = len(self._ids)
            self._ids.append(ident)
        return code

    def add(
        self,
        date: dt.date,
        recorded: dt.date,
        order: tuple[int, ...],
        target: Target,
        target_id: str,
        state: State,
        date_latest: dt.date | None = None,
        until: dt.date | None = None,
        claimant: str | None = None,
        key: int | None = None,
    ) -> None:
        """Add an event given as the fields of a :class:`ControlEvent`."""
        code = self._state_codes.get(state)
        if code is None:
            code = self._state_codes[state] = len(self._states)
            self._states.append(state)
        index = len(self.day)
        self.day.append(date.toordinal())
        self.recorded.append(recorded.toordinal())
        self.latest.append(NO_DAY if date_latest is None else date_latest.toordinal())
        self.until.append(NO_DAY if until is None else until.toordinal())
        self.state.append(code)
        self.target.append(_TARGET_CODES[target])
        self.target_id.append(self._id_code(target_id))
        if claimant is None:
            self._claimants.append(NO_CLAIMANT)
        else:
            self._claimants.append(self._id_code(claimant))
            self.claims += 1
        if key is None:
            self._odd_keys[index] = None
            key = 0
        try:
            self.key.append(key)
        except OverflowError:
            if self.key.typecode == "i" and -(2**63) <= key < 2**63:
                self.key = array("q", self.key)
            else:
                self._odd_keys[index] = key
                key = 0
            self.key.append(key)
        try:
            self._orders.extend(order)
        except OverflowError:
            del self._orders[self._order_ends[-1] if self._order_ends else 0 :]
            if self._orders.typecode == "i":
                self._orders = array("q", self._orders)
            try:
                self._orders.extend(order)
            except OverflowError:
                del self._orders[self._order_ends[-1] if self._order_ends else 0 :]
                self._odd_orders[index] = tuple(order)
        self._order_ends.append(len(self._orders))

    def append(self, event: ControlEvent) -> None:
        """Add one event."""
        self.add(*event)

    # -- reading -----------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.day)

    @overload
    def __getitem__(self, index: int) -> ControlEvent: ...

    @overload
    def __getitem__(self, index: slice) -> list[ControlEvent]: ...

    def __getitem__(self, index: int | slice) -> ControlEvent | list[ControlEvent]:
        if isinstance(index, slice):
            return [self.event(i) for i in range(len(self))[index]]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("event index out of range")
        return self.event(index)

    def __iter__(self) -> Iterator[ControlEvent]:
        return (self.event(i) for i in range(len(self)))

    def date(self, ordinal: int) -> dt.date:
        """The day of an ordinal, one ``date`` object per day for the whole table."""
        found = self._dates.get(ordinal)
        if found is None:
            found = self._dates[ordinal] = dt.date.fromordinal(ordinal)
        return found

    def _optional_date(self, ordinal: int) -> dt.date | None:
        return None if ordinal == NO_DAY else self.date(ordinal)

    def order(self, index: int) -> tuple[int, ...]:
        """The event's order tuple."""
        odd = self._odd_orders.get(index) if self._odd_orders else None
        if odd is not None:
            return odd
        low = self._order_ends[index - 1] if index else 0
        return tuple(self._orders[low : self._order_ends[index]])

    @property
    def ids(self) -> Sequence[str]:
        """The ids of places, segments, roads and claimants, by the index the columns
        keep (:attr:`target_id`)."""
        return self._ids

    def state_of(self, index: int) -> State:
        """The event's state."""
        return self._states[self.state[index]]

    def id_of(self, index: int) -> str:
        """The id of the place, segment or road the event is about."""
        return self._ids[self.target_id[index]]

    def effective(self, index: int, late: bool) -> int:
        """The ordinal of the day the event takes effect in a reading (its ``date``, or
        in the late reading its ``date_latest`` where it has one)."""
        if late:
            latest = self.latest[index]
            if latest != NO_DAY:
                return latest
        return self.day[index]

    def reading_key(self, index: int, late: bool) -> tuple[int, int, tuple[int, ...]]:
        """The event's sort key in a reading: (day it takes effect, recorded, order)."""
        return (self.effective(index, late), self.recorded[index], self.order(index))

    def event(self, index: int) -> ControlEvent:
        """The event at ``index`` as a :class:`ControlEvent`."""
        claimant = self._claimants[index]
        key = self.key[index]
        return ControlEvent(
            self.date(self.day[index]),
            self.date(self.recorded[index]),
            self.order(index),
            _TARGETS[self.target[index]],
            self._ids[self.target_id[index]],
            self._states[self.state[index]],
            self._optional_date(self.latest[index]),
            self._optional_date(self.until[index]),
            None if claimant == NO_CLAIMANT else self._ids[claimant],
            self._odd_keys.get(index, key) if self._odd_keys else key,
        )

    def early_order(self) -> Sequence[int]:
        """The indexes of every event sorted as the early reading orders them: by day,
        recorded day, then order."""
        count = len(self)
        width = len(self._orders) // count if count else 0
        # numpy sorts a million events in a tenth of a second, but takes a fifth of a
        # second to import: a question about a few elements sorts in Python.
        if count >= NUMPY_SORT_FROM and not self._odd_orders and len(self._orders) == width * count:
            import numpy as np

            ends = np.frombuffer(self._order_ends, dtype=np.uint32)
            if width and (ends == np.arange(width, width * (count + 1), width)).all():
                # Orders all of one width (as the store makes them): sorted as columns.
                wide = self._orders.typecode == "q"
                orders = np.frombuffer(self._orders, dtype=np.int64 if wide else np.int32)
                orders = orders.reshape(count, width)
                keys = [orders[:, column] for column in reversed(range(width))]
                keys.append(np.frombuffer(self.recorded, dtype=np.int32))
                keys.append(np.frombuffer(self.day, dtype=np.int32))
                # As an array, not a list: a million Python ints made at once would
                # leave their memory to the process after they are gone.
                result = array("i")
                result.frombytes(np.lexsort(keys).astype(np.int32).tobytes())
                return result
        return sorted(range(count), key=lambda i: self.reading_key(i, False))


class StatePairs:
    """A segment's endpoint states, one tuple per distinct pair, coded as numbers below
    -1 so that a code can also be an event's (non-negative) index, and -1 no event.

    >>> from control_graph.model.states import CONTESTED, UNKNOWN
    >>> pairs = StatePairs()
    >>> code = pairs.code(UNKNOWN, CONTESTED)
    >>> code, pairs.code(UNKNOWN, CONTESTED), pairs.pair(code) == (UNKNOWN, CONTESTED)
    (-2, -2, True)
    """

    __slots__ = ("_codes", "_pairs")

    def __init__(self) -> None:
        self._pairs: list[tuple[State, State]] = []
        self._codes: dict[tuple[State, State], int] = {}

    def code(self, start: State, end: State) -> int:
        """The code of the pair (below -1)."""
        pair = (start, end)
        found = self._codes.get(pair)
        if found is None:
            self._pairs.append(pair)
            found = self._codes[pair] = -1 - len(self._pairs)
        return found

    def pair(self, code: int) -> tuple[State, State]:
        """The pair with a code."""
        return self._pairs[-code - 2]
