"""Rules about the network: segments and roads that lead nowhere, places that no path
reaches or no map can draw, and places whose state is never known."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence

from control_graph.check.catalogue import CODES, Code, Severity
from control_graph.check.report import Finding
from control_graph.check.words import names, plural
from control_graph.model.records import Place, Road, Segment
from control_graph.model.stored import Span

__all__ = [
    "disconnected_place",
    "missing_coordinates",
    "place_never_known",
    "road_gap",
    "self_loop_segment",
    "separate_component",
    "stale_spans",
]


def self_loop_segment(segments: Iterable[Segment]) -> Iterator[Finding]:
    """Segments joining a place to itself.

    >>> [f.element for f in self_loop_segment([Segment("s", "a", "a"), Segment("t", "a", "b")])]
    ['s']
    """
    for s in segments:
        if s.start == s.end:
            yield Finding(
                Code.SELF_LOOP_SEGMENT,
                Severity.WARNING,
                f"Segment {s.id} joins {s.start} to itself: it leads nowhere, and its state "
                "is derived from one place. Probably a wrong 'from' or 'to'.",
                s.id,
                "segment",
                related=(s.start,),
            )


def road_gap(roads: Iterable[Road], segments: Iterable[Segment]) -> Iterator[Finding]:
    """Consecutive segments of a road that share no place (in either direction)."""
    ends = {s.id: s.ends() for s in segments}
    for road in roads:
        for a, b in itertools.pairwise(road.segments):
            if a in ends and b in ends and not set(ends[a]) & set(ends[b]):
                yield Finding(
                    Code.ROAD_GAP,
                    Severity.WARNING,
                    f"Road {road.id}: consecutive segments {a} ({' - '.join(ends[a])}) and "
                    f"{b} ({' - '.join(ends[b])}) share no place, so the road has a gap. A "
                    "segment is missing from its list or they are out of order.",
                    road.id,
                    "road",
                    related=(a, b),
                )


def _linked(segments: Iterable[Segment]) -> set[str]:
    """The places a segment joins to another place."""
    return {place for s in segments if s.start != s.end for place in s.ends()}


def disconnected_place(places: Iterable[Place], segments: Iterable[Segment]) -> Iterator[Finding]:
    """Places on no segment joining them to another place."""
    linked = _linked(segments)
    for place in places:
        if place.id not in linked:
            yield Finding(
                Code.DISCONNECTED_PLACE,
                Severity.WARNING,
                f"Place {place.id} is on no segment joining it to another place: no path "
                "reaches it and its state affects no segment or road. Add the segment "
                "that leads to it, unless it is meant to stand alone.",
                place.id,
                "place",
            )


def separate_component(places: Iterable[Place], segments: Iterable[Segment]) -> Iterator[Finding]:
    """Groups of joined places apart from the main network (the largest group; of
    groups equally large, the one whose first place comes first by id).

    Places on no segment are ``disconnected-place`` instead, not groups of one.
    """
    import networkx as nx  # here, not at the top: most commands never need it

    graph = nx.Graph()
    graph.add_nodes_from(p.id for p in places)
    graph.add_edges_from(s.ends() for s in segments if s.start != s.end)
    groups = sorted(sorted(group) for group in nx.connected_components(graph) if len(group) > 1)
    if len(groups) < 2:
        return
    main = max(groups, key=len)
    for group in groups:
        if group is main:
            continue
        yield Finding(
            Code.SEPARATE_COMPONENT,
            Severity.INFO,
            f"{plural(len(group), 'place')} ({names(group)}) form a network of their "
            f"own, not joined to the main one ({plural(len(main), 'place')}): no path "
            "leads from one to the other. Fine if they are meant to be apart.",
            group[0],
            "place",
            related=tuple(group),
            details={"size": len(group), "main_size": len(main)},
        )


def missing_coordinates(places: Iterable[Place], segments: Iterable[Segment]) -> Iterator[Finding]:
    """Places without coordinates joined to places that have them: a warning when some
    of those segments have no length (they count as 1 km), info otherwise."""
    located = {p.id for p in places if p.coordinates is not None}
    touching: dict[str, list[Segment]] = defaultdict(list)
    for s in segments:
        for here, there in ((s.start, s.end), (s.end, s.start)):
            if here not in located and there in located:
                touching[here].append(s)
    for place in sorted(touching):
        near = touching[place]
        unmeasured = [s.id for s in near if s.length_km is None]
        neighbours = sorted({s.end if s.start == place else s.start for s in near})
        if unmeasured:
            one = len(unmeasured) == 1
            effect = (
                f"{names(unmeasured)} {'has' if one else 'have'} no length given, so "
                f"{'it counts' if one else 'each counts'} as 1 km in path lengths"
            )
            severity = Severity.WARNING
        else:
            effect = "lengths are given, so paths are right, but maps cannot show it"
            severity = Severity.INFO
        yield Finding(
            Code.MISSING_COORDINATES,
            severity,
            f"Place {place} has no coordinates but is joined to places that have them "
            f"({names(neighbours)}): {effect}. Add lat and lon, or lengths.",
            place,
            "place",
            related=tuple(s.id for s in near),
            details={"unmeasured_segments": unmeasured},
        )


def place_never_known(places: Iterable[str]) -> Iterator[Finding]:
    """The places (ids) that no event says are held or contested."""
    for place in places:
        yield Finding(
            Code.PLACE_NEVER_KNOWN,
            Severity.INFO,
            f"Place {place} never has a known state (no event says it is held or "
            "contested): it is unknown on every day, and so is every segment ending there "
            "that has no event of its own.",
            place,
            "place",
        )


def stale_spans(
    missing: Sequence[Span],
    extra: Sequence[Span],
    holders: Sequence[tuple[str, int, int]] = (),
) -> Iterator[Finding]:
    """The state spans stored for the reported data that the events no longer give (and
    those they give that are not stored), one finding per element: derived data out of
    step, which answers of whole-network questions would then repeat. ``holders``: the
    parties whose count of spans naming them is wrong (the legend of a map reads it)."""
    by_element: dict[str, list[int]] = {}
    for found, index in ((missing, 0), (extra, 1)):
        for span in found:
            by_element.setdefault(span.element, [0, 0])[index] += 1
    kinds = {span.element: span.type for span in (*missing, *extra)}
    for element, (absent, surplus) in sorted(by_element.items()):
        yield Finding(
            Code.STALE_SPANS,
            CODES[Code.STALE_SPANS].severity,
            f"the stored state spans of {element} differ from what its reports give "
            f"({absent} missing, {surplus} not given by the reports); whole-network "
            "questions (path, changes, maps) answer from them: run check --deep --repair",
            element=element,
            type=kinds[element],
            details={"missing": absent, "extra": surplus},
        )
    for party, stored, counted in holders:
        yield Finding(
            Code.STALE_SPANS,
            CODES[Code.STALE_SPANS].severity,
            f"the stored count of state spans naming {party} is {stored}, but {counted} "
            "spans name it; a map's legend lists the parties from these counts: run "
            "check --deep --repair",
            element=party,
            type="party",
            details={"stored": stored, "counted": counted},
        )
