"""What the web page shows, read once from a model and written as plain JSON values.

The page never computes control itself: every place and segment carries its state
intervals, already cut to the slider's range, as a flat list ``[day, code, day, code,
...]`` -- the day (counted from ``epoch``) on which a state starts and the state's code
(``0`` unknown, ``1`` contested, ``2 + i`` held by ``controllers[i]``) -- so that moving
the slider is a binary search per element. Everything comes through the public
:class:`control_graph.query.Model` API.

How sure each state is (contract section 4) is given the same way, only for the
elements it concerns (sparse objects keyed by index): ``uncertain`` as ``[day, code,
...]`` with the late reading's state where rough dates allow it (``-1``: certain from
that day), ``disputed`` as ``[from, to, ...]`` stretches (``to`` exclusive), and a
segment's ``access`` as ``[day, level, party, ...]``.

This module reads the model and assembles the page's data (:func:`map_data`), with the
reports the panel lists; :mod:`~control_graph.webmap.encoding` encodes the states and
how sure each is, :mod:`~control_graph.webmap.positions` places the places and the
geography around them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from control_graph.colors import CONTESTED_COLOR, UNKNOWN_COLOR, controller_colors
from control_graph.errors import InvalidArgumentError
from control_graph.model.access import AccessState
from control_graph.model.disputes import DEFAULT_DISPUTE_WINDOW
from control_graph.model.timeline import Interval
from control_graph.webmap.encoding import _Codes, _doubts, _encode
from control_graph.webmap.positions import _estimate_positions, _geography, _rounded
from control_graph.webmap.trust import access_changes

if TYPE_CHECKING:
    from control_graph.query import Model

__all__ = ["PLACE_GROUPS", "DateLike", "map_data", "place_group"]

DateLike = dt.date | str
By = Literal["party", "bloc"]

#: Marker groups for place kinds (one legend entry and one shape each), in legend order;
#: a kind not listed is "other".
PLACE_GROUPS: dict[str, tuple[str, ...]] = {
    "town": ("town", "city", "capital", "township"),
    "base": ("base", "airport", "airbase", "air-base", "military-base", "outpost"),
    "checkpoint": ("checkpoint", "gate", "toll-gate", "border-crossing"),
    "village": ("village", "hamlet", "village-tract"),
    "other": (),
}
_GROUP_OF = {kind: group for group, kinds in PLACE_GROUPS.items() for kind in kinds}

#: Keys of a stored event that say what it is about (the element it is filed under) or how
#: it is stored, not what it reports. ``scenario`` stays: it marks a supposed event.
_NOT_REPORTED = {"place", "segment", "road", "suppressed"}
_TILE_URL = re.compile(r"https?://[^\s\"'<>]+")


def place_group(kind: str | None) -> str:
    """The marker group of a place kind: ``town``, ``base``, ``checkpoint``, ``village``
    or ``other``.

    Examples
    --------
    >>> place_group("City"), place_group("airport"), place_group("bridge")
    ('town', 'base', 'other')
    """
    return _GROUP_OF.get((kind or "").strip().lower(), "other")


def _day(value: DateLike | None, name: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidArgumentError(f"{name}: {value!r} is not a date like 2026-02-06") from None


def _check_by(by: str) -> By:
    if by == "party":
        return "party"
    if by == "bloc":
        return "bloc"
    raise InvalidArgumentError(f"by must be 'party' or 'bloc', not {by!r}")


def _plain(value: Any) -> Any:
    """A record's field as a JSON value."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _fields(record: Any, skip: Iterable[str] = ()) -> dict[str, Any]:
    """The fields of a record that have a value (empty ones cost bytes and say nothing)."""
    left_out = set(skip)
    found = {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}
    return {
        k: _plain(v) for k, v in found.items() if k not in left_out and v not in (None, "", (), {})
    }


def _tiles(url: str | None, attribution: str | None) -> dict[str, str] | None:
    if url is None:
        return None
    if not _TILE_URL.fullmatch(url) or not all(f"{{{k}}}" in url for k in "zxy"):
        raise InvalidArgumentError(
            f"tiles: {url!r} is not a tile URL like https://tile.example.org/{{z}}/{{x}}/{{y}}.png"
        )
    host = url.split("/")[2].replace("{s}.", "")
    return {"url": url, "attribution": attribution or f"Map tiles: {host}"}


class _Counting:
    """Why a report does not count in the answers the page shows (contract 4.3), or
    ``None`` when it does."""

    def __init__(
        self, as_of: dt.date | None, min_confidence: str | None, independent_only: bool
    ) -> None:
        self.as_of = as_of
        self.min_confidence = min_confidence
        self.independent_only = independent_only
        self._rank = {"low": 0, "medium": 1, "high": 2}

    def reason(
        self, confidence: str | None, claimant: str | None, retracted: dt.date | None
    ) -> str | None:
        if retracted is not None and (self.as_of is None or retracted <= self.as_of):
            return f"retracted on {retracted.isoformat()}"
        if self.independent_only and claimant:
            return "a side's own claim, and only independent reports count"
        wanted = self._rank.get(self.min_confidence or "low", 0)
        if self._rank.get(confidence or "medium", 1) < wanted:
            return f"{confidence or 'medium'} confidence, below the {self.min_confidence} asked for"
        return None


def _reports(
    model: Model, counting: _Counting
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, list[dict[str, Any]]]]:
    """The events and the incidents about each element, oldest first, as known on
    ``as_of``; each that does not count says why (``not_counted``)."""
    as_of = counting.as_of
    events: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in model.events():
        if record.suppressed:
            continue
        entry = record.as_dict()
        seen = entry.get("recorded") or entry.get("date_latest") or entry["date"]
        if as_of is not None and seen > as_of.isoformat():
            continue
        report = {
            k: v
            for k, v in entry.items()
            if k not in _NOT_REPORTED and k != "retracted" and v is not None
        }
        reason = counting.reason(entry["confidence"], entry["claimant"], record.retracted)
        if reason is not None:
            report["not_counted"] = reason
        events[record.target_id].append(report)
    incidents: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for incident in model.incidents():
        if as_of is not None and (incident.recorded or incident.date) > as_of:
            continue
        report = _fields(incident, ("target", "target_id"))
        confidence = incident.confidence.value if incident.confidence else None
        reason = counting.reason(confidence, incident.claimant, None)
        if reason is not None:
            report["not_counted"] = reason
        incidents[incident.target_id].append(report)
    return dict(events), dict(incidents)


def _access_reports(
    records: Iterable[Any], retracted: Mapping[str, dt.date], counting: _Counting
) -> dict[str, list[dict[str, Any]]]:
    """The access records about each segment or road, oldest first, as known on
    ``as_of``; each that does not count says why (``not_counted``)."""
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in sorted(records, key=lambda r: (r.date, r.recorded or r.date)):
        if counting.as_of is not None and (record.recorded or record.date) > counting.as_of:
            continue
        report = _fields(record, ("target", "target_id"))
        confidence = record.confidence.value if record.confidence else None
        reason = counting.reason(confidence, None, retracted.get(record.id or ""))
        if reason is not None:
            report["not_counted"] = reason
        found[record.target_id].append(report)
    return dict(found)


def _range(
    histories: Iterable[Sequence[Interval]],
    reported: Iterable[dt.date],
) -> tuple[dt.date, dt.date] | None:
    """The first and last day on which anything is reported or changes."""
    days = set(reported)
    for intervals in histories:
        for first, until, *_ in intervals:
            days.add(first)
            if until is not None:
                days.add(until)
    return (min(days), max(days)) if days else None


def _credits(
    model: Model, sources: Mapping[str, dict[str, Any]], as_of: dt.date | None, last: dt.date
) -> str:
    names = sorted({str(s.get("name") or ident) for ident, s in sources.items()})
    shown = "; ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    origin = f"Source: {shown}" if names else "Source: no sources recorded"
    scenario = "" if model.scenario_name is None else f"; scenario {model.scenario_name}"
    return f"{origin}; data as of {(as_of or last).isoformat()}{scenario}"


def map_data(
    model: Model,
    *,
    start: DateLike | None = None,
    end: DateLike | None = None,
    as_of: DateLike | None = None,
    by: str = "party",
    tiles: str | None = None,
    tiles_attribution: str | None = None,
    title: str | None = None,
    geography: bool = True,
    basemap: str | Path | None = None,
    min_confidence: str | None = None,
    independent_only: bool = False,
) -> dict[str, Any]:
    """Everything the interactive map shows, as JSON-ready values.

    Parameters
    ----------
    model
        The model to read (reported data or a scenario).
    start, end
        The slider's first and last day (``date`` or ISO text); by default the first
        and last day on which anything is reported or changes.
    as_of
        Answer as the data stood on that day: later records count for nothing.
    by
        ``"party"`` or ``"bloc"``: colour by party, or by the bloc a party belonged to.
    tiles, tiles_attribution
        A web map tile URL with ``{z}``, ``{x}`` and ``{y}`` (and optionally ``{s}``)
        drawn under the network when the reader is online, and the credit it needs.
    title
        The page's title; by default the dataset's name.
    geography
        Draw land, coastlines, borders and first-level boundaries (states, regions)
        under the network, from the Natural Earth data shipped with control-graph.
    basemap
        A file of the analyst's own boundaries (GeoJSON, or any format GDAL reads when
        ``pyogrio`` is installed) drawn over that geography.
    min_confidence
        Count no report (event, incident, access record) below this confidence:
        ``"low"``, ``"medium"`` or ``"high"``; a report without one counts as medium.
        The panel still lists them, each saying why it does not count.
    independent_only
        Count no report that is a side's own claim (has a ``claimant``).

    Examples
    --------
    >>> import control_graph as cg
    >>> model = cg.open("sqlite://")
    >>> _ = model.import_file(cg.sample_path())
    >>> data = map_data(model, start="2025-12-01", end="2026-02-07")
    >>> data["epoch"], data["start"], data["end"]
    ('2025-12-01', 0, 68)
    >>> index = data["segments"]["id"].index("gwaykhar-road/3")
    >>> states = data["segments"]["states"][index]
    >>> [data["controllers"][code - 2]["id"] for code in states[1::2] if code >= 2]
    ['saf', 'kia']
    """
    view = _check_by(by)
    as_of_day = _day(as_of, "as_of")
    start_day, end_day = _day(start, "start"), _day(end, "end")
    tile_layer = _tiles(tiles, tiles_attribution)

    # The network, its engine and the access records, read once.
    network, timeline, access = model.history(
        as_of=as_of_day, min_confidence=min_confidence, independent_only=independent_only
    )
    counting = _Counting(as_of_day, min_confidence, bool(independent_only))
    places = list(network.places.values())
    segments = list(network.segments.values())
    roads = list(network.roads.values())
    parties = list(network.parties.values())
    blocs = list(network.blocs.values())
    histories = {
        element: timeline.intervals(element, by=view)
        for element in (*(p.id for p in places), *(s.id for s in segments))
    }
    events, incidents = _reports(model, counting)
    access_records: dict[str, list[dict[str, Any]]] = {}
    changes: dict[str, list[tuple[dt.date, AccessState]]] = {}
    if access or min_confidence is not None or independent_only:
        # Every access record's day is a day on which some segment's access may change;
        # the panel lists them all, also those the filters leave out.
        dataset = model.dataset()
        retracted: dict[str, dt.date] = {}
        for retraction in dataset.retractions:
            day = retracted.get(retraction.record)
            retracted[retraction.record] = min(day or retraction.recorded, retraction.recorded)
        access_records = _access_reports(dataset.access, retracted, counting)
        changes = access_changes(access, dataset.access, {r.id: r.segments for r in roads})
    entries = [
        entry
        for found in (*events.values(), *incidents.values(), *access_records.values())
        for entry in found
    ]
    reported = [dt.date.fromisoformat(entry["date"]) for entry in entries]
    # The slider runs to the day the data were last brought up to date, where that is known.
    reported += [
        dt.date.fromisoformat(entry["recorded"]) for entry in entries if "recorded" in entry
    ]
    span = _range(histories.values(), reported)
    if span is None:  # nothing ever happens: the slider has one day
        span = (as_of_day or dt.date.today(),) * 2
    first, last = span
    start_day = start_day or (first if end_day is None or first <= end_day else end_day)
    end_day = end_day or max(last, start_day)
    if end_day < start_day:
        raise InvalidArgumentError(f"start {start_day} is after end {end_day}")

    codes = _Codes()
    positions, estimated = _estimate_positions(places, segments)
    place_index = {p.id: i for i, p in enumerate(places)}

    def encode(element: str) -> list[int]:
        return _encode(histories[element], codes, start_day, start_day, end_day)

    place_states = [encode(p.id) for p in places]
    segment_states = [encode(s.id) for s in segments]
    doubts = _doubts(
        timeline, histories, places, segments, codes, start_day, end_day, access, changes
    )
    colors = controller_colors(parties, blocs, by=view)
    names = {p.id: p.name or p.id for p in parties}
    if view == "bloc":
        names.update({b.id: b.name or b.id for b in blocs})
    road_index = {r.id: i for i, r in enumerate(roads)}
    sources = {s.id: _fields(s, ("id",)) for s in model.sources()}

    return {
        "format": "control-graph-webmap/1",
        "title": title or model.dataset_name() or "control-graph map",
        "credits": _credits(model, sources, as_of_day, last),
        "by": view,
        "as_of": None if as_of_day is None else as_of_day.isoformat(),
        "epoch": start_day.isoformat(),
        "start": 0,
        "end": (end_day - start_day).days,
        # Whether some states began before the slider's first day (and are shown from it).
        "clipped": any(found and found[0][0] < start_day for found in histories.values()),
        "colors": {"unknown": UNKNOWN_COLOR.lower(), "contested": CONTESTED_COLOR.lower()},
        "controllers": [
            {"id": c, "name": names.get(c, c), "color": colors.get(c, "#777777")}
            for c in codes.controllers
        ],
        "parties": {p.id: p.name or p.id for p in parties},
        "places": {
            "id": [p.id for p in places],
            "name": [p.name or p.id for p in places],
            "kind": [p.kind or "" for p in places],
            "group": [place_group(p.kind) for p in places],
            "lon": [_rounded(positions.get(p.id), 0) for p in places],
            "lat": [_rounded(positions.get(p.id), 1) for p in places],
            "estimated": sorted(place_index[i] for i in estimated),
            "states": place_states,
            "uncertain": doubts["places"]["uncertain"],
            "disputed": doubts["places"]["disputed"],
            "info": _info(places, ("id", "name", "kind", "lat", "lon")),
        },
        "segments": {
            "id": [s.id for s in segments],
            "a": [place_index[s.start] for s in segments],
            "b": [place_index[s.end] for s in segments],
            "name": [s.name or "" for s in segments],
            "road": [road_index.get(s.road, -1) if s.road else -1 for s in segments],
            "km": [round(network.length_of(s.id), 1) for s in segments],
            "states": segment_states,
            "uncertain": doubts["segments"]["uncertain"],
            "disputed": doubts["segments"]["disputed"],
            "badge": doubts["segments"]["badge"],
            "access": doubts["segments"]["access"],
            "info": _info(segments, ("id", "name", "start", "end", "road", "length_km")),
        },
        "roads": [
            {"id": r.id, "name": r.name or r.id, **_fields(r, ("id", "name", "segments", "places"))}
            for r in roads
        ],
        "events": events,
        "incidents": incidents,
        "access": access_records,
        "trust": {
            "min_confidence": min_confidence,
            "independent_only": bool(independent_only),
            "dispute_window": DEFAULT_DISPUTE_WINDOW,
        },
        "sources": sources,
        "tiles": tile_layer,
        "geography": _geography(positions.values(), basemap) if geography else None,
    }


def _info(records: Sequence[Any], skip: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Notes, aliases and attributes by id, only for the records that have any."""
    left_out = set(skip)
    found = {}
    for record in records:
        extra = _fields(record, left_out)
        if extra:
            found[record.id] = extra
    return found
