"""The states of the map's elements as the page reads them: flat lists of numbers.

Each place's and segment's state intervals, cut to the slider's range, become ``[day,
code, ...]`` (:func:`_encode`, with the codes of :class:`_Codes`: ``0`` unknown, ``1``
contested, ``2 + i`` held by ``controllers[i]``); how sure each state is (contract
section 4) becomes the sparse ``uncertain``, ``disputed``, ``badge`` and ``access``
lists of :func:`_doubts`. :func:`control_graph.webmap.data.map_data` puts them in the
page's data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from control_graph.model.access import AccessIndex, AccessState
from control_graph.model.states import State, Status
from control_graph.model.timeline import ControlTimeline, Interval
from control_graph.webmap.trust import Span, disputed_spans

if TYPE_CHECKING:
    from control_graph.model.records import Place, Segment


class _Codes:
    """State codes: 0 unknown, 1 contested, 2 + i held by the i-th controller."""

    def __init__(self) -> None:
        self.controllers: list[str] = []
        # A network has few distinct states and many elements: look each state up once.
        self._codes: dict[State, int] = {}

    def of(self, state: State) -> int:
        code = self._codes.get(state)
        if code is None:
            if state.status is Status.HELD and state.controller is not None:
                code = 2 + len(self.controllers)
                self.controllers.append(state.controller)
            else:
                code = 1 if state.status is Status.CONTESTED else 0
            self._codes[state] = code
        return code


def _coded(
    intervals: Iterable[tuple[dt.date, dt.date | None, int]],
    epoch: dt.date,
    start: dt.date,
    end: dt.date,
    default: int,
) -> list[int]:
    """``[day, code, ...]``: each day from ``start`` to ``end`` on which the code changes
    (the code on ``start`` first, unless ``default``, which is what the page assumes
    before the first day listed and between intervals)."""
    flat: list[int] = []

    def mark(day: dt.date, code: int) -> None:
        offset = (day - epoch).days
        if flat and flat[-2] == offset:
            flat[-1] = code  # the interval starting where the previous one ended
            if (flat[-3] if len(flat) > 2 else default) == code:
                # ... with the code before it (the engine also splits where the late
                # reading changes, which another list tells).
                del flat[-2:]
        elif (flat[-1] if flat else default) != code:
            flat.extend((offset, code))

    for first, until, code in intervals:
        if until is not None and until <= start:
            continue
        if first > end:
            break
        mark(max(first, start), code)
        if until is not None and until <= end:
            # The default from ``until`` on, unless the next interval starts there.
            mark(until, default)
    return flat


def _encode(
    intervals: Sequence[Interval],
    codes: _Codes,
    epoch: dt.date,
    start: dt.date,
    end: dt.date,
) -> list[int]:
    """The states: ``[day, code, ...]``, unknown (``0``) before the first day listed."""
    return _coded(((i.start, i.end, codes.of(i.state)) for i in intervals), epoch, start, end, 0)


def _encode_uncertain(
    intervals: Sequence[Interval],
    codes: _Codes,
    epoch: dt.date,
    start: dt.date,
    end: dt.date,
) -> list[int]:
    """The late reading's state where it differs: ``[day, code, ...]`` with ``-1`` for
    "certain"; empty when the element is never uncertain within the range."""
    if all(i.otherwise is None for i in intervals):
        return []
    flat = _coded(
        ((i.start, i.end, -1 if i.otherwise is None else codes.of(i.otherwise)) for i in intervals),
        epoch,
        start,
        end,
        -1,
    )
    return flat if any(code >= 0 for code in flat[1::2]) else []


def _encode_spans(spans: Iterable[Span], epoch: dt.date, start: dt.date, end: dt.date) -> list[int]:
    """``[from, to, ...]``: the stretches within the range, ``to`` exclusive (the day
    after ``end`` for one still open)."""
    flat: list[int] = []
    stop = end + dt.timedelta(days=1)
    for first, until in spans:
        if (until is not None and until <= start) or first > end:
            continue
        flat.extend(((max(first, start) - epoch).days, (min(until or stop, stop) - epoch).days))
    return flat


def _encode_access(
    changes: Sequence[tuple[dt.date, AccessState]], epoch: dt.date, start: dt.date, end: dt.date
) -> list[Any]:
    """``[day, level, party, ...]``: a segment's access from each day it changes on
    within the range (the access on ``start`` first)."""
    flat: list[Any] = []
    for i, (day, state) in enumerate(changes):
        following = changes[i + 1][0] if i + 1 < len(changes) else None
        if (following is not None and following <= start) or day > end:
            continue
        flat.extend(((max(day, start) - epoch).days, state.access.value, state.party))
    return flat


def _doubts(
    timeline: ControlTimeline,
    histories: Mapping[str, Sequence[Interval]],
    places: Sequence[Place],
    segments: Sequence[Segment],
    codes: _Codes,
    start: dt.date,
    end: dt.date,
    access: AccessIndex,
    changes: Mapping[str, Sequence[tuple[dt.date, AccessState]]],
) -> dict[str, dict[str, dict[str, list[Any]]]]:
    """How sure each state is, only for the elements it concerns (by index, as text:
    JSON keys): what rough dates leave uncertain, which stretches are disputed (on a
    segment ``badge`` where its own deciding report is, not only an endpoint), and each
    segment's access."""

    def sparse(found: Iterable[tuple[int, list[Any]]]) -> dict[str, list[Any]]:
        return {str(i): flat for i, flat in found if flat}

    def uncertain(ids: Iterable[str]) -> dict[str, list[Any]]:
        return sparse(
            (i, _encode_uncertain(histories[e], codes, start, start, end))
            for i, e in enumerate(ids)
        )

    def disputed(ids: Iterable[str], *, own: bool) -> dict[str, list[Any]]:
        return sparse(
            (i, _encode_spans(disputed_spans(timeline, e, own=own), start, start, end))
            for i, e in enumerate(ids)
        )

    place_ids = [p.id for p in places]
    segment_ids = [s.id for s in segments]
    return {
        "places": {
            "uncertain": uncertain(place_ids),
            "disputed": disputed(place_ids, own=True),
        },
        "segments": {
            "uncertain": uncertain(segment_ids),
            "disputed": disputed(segment_ids, own=False),
            "badge": disputed(segment_ids, own=True),
            "access": sparse(
                (i, _encode_access(changes.get(e, ()), start, start, end))
                for i, e in enumerate(segment_ids)
            )
            if access
            else {},
        },
    }
