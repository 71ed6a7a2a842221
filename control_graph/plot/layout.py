"""Where places go on a map when some have no coordinates.

Positions are ``(x, y) = (lon, lat)``. A place without coordinates is put where its
neighbours pull it (each such place at the mean of its neighbours, repeated until it
settles -- the barycentric embedding), then nudged off anything it landed on. Places in a
part of the network with no coordinates at all are laid out on their own, in a row below
the rest.
"""

from __future__ import annotations

import math
import zlib
from collections import defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from control_graph.model.records import Place

__all__ = ["place_positions"]

Point = tuple[float, float]


def _stable_angle(ident: str) -> float:
    return (zlib.crc32(ident.encode()) % 3600) / 3600 * 2 * math.pi


def place_positions(
    places: Mapping[str, Place], edges: Iterable[tuple[str, str]]
) -> tuple[dict[str, Point], set[str]]:
    """A position for every place, and the ids of those that had no coordinates.

    Examples
    --------
    >>> from control_graph.model.records import Place
    >>> places = {"a": Place("a", lat=10.0, lon=20.0), "b": Place("b", lat=10.0, lon=22.0),
    ...           "m": Place("m")}
    >>> positions, estimated = place_positions(places, [("a", "m"), ("m", "b")])
    >>> positions["m"], estimated
    ((21.0, 10.0), {'m'})
    """
    ids = sorted(places)
    index = {ident: i for i, ident in enumerate(ids)}
    n = len(ids)
    pos = np.zeros((n, 2))
    fixed = np.zeros(n, dtype=bool)
    for i, ident in enumerate(ids):
        place = places[ident]
        if place.lat is not None and place.lon is not None:
            pos[i] = (place.lon, place.lat)
            fixed[i] = True
    pairs = [(index[a], index[b]) for a, b in edges if a in index and b in index and a != b]
    neighbours: list[list[int]] = [[] for _ in range(n)]
    for a, b in pairs:
        neighbours[a].append(b)
        neighbours[b].append(a)
    if fixed.all():
        return {ident: (float(pos[i, 0]), float(pos[i, 1])) for i, ident in enumerate(ids)}, set()

    spacing = _typical_spacing(pos, fixed, pairs)
    reached = _seed_from_fixed(pos, fixed, neighbours)
    _relax(pos, fixed, reached, pairs)
    _lay_out_unreached(pos, fixed, reached, neighbours, spacing)
    _separate(pos, ~fixed, spacing * 0.35, ids, neighbours)
    estimated = {ident for i, ident in enumerate(ids) if not fixed[i]}
    return {ident: (float(pos[i, 0]), float(pos[i, 1])) for i, ident in enumerate(ids)}, estimated


def _typical_spacing(pos: np.ndarray, fixed: np.ndarray, pairs: list[tuple[int, int]]) -> float:
    """The median length of edges between placed points (or a fallback from the extent)."""
    lengths = [float(np.hypot(*(pos[a] - pos[b]))) for a, b in pairs if fixed[a] and fixed[b]]
    lengths = [x for x in lengths if x > 0]
    if lengths:
        return float(np.median(lengths))
    if fixed.sum() >= 2:
        span = pos[fixed].max(axis=0) - pos[fixed].min(axis=0)
        return max(float(span.max()) / max(math.sqrt(fixed.sum()), 1), 1e-3)
    return 0.1


def _seed_from_fixed(pos: np.ndarray, fixed: np.ndarray, neighbours: list[list[int]]) -> np.ndarray:
    """Start each free place at its nearest placed place (breadth-first); mark which
    free places are connected to any placed one."""
    reached = fixed.copy()
    queue = deque(int(i) for i in np.flatnonzero(fixed))
    while queue:
        i = queue.popleft()
        for j in neighbours[i]:
            if not reached[j]:
                reached[j] = True
                pos[j] = pos[i]
                queue.append(j)
    return reached


def _relax(
    pos: np.ndarray, fixed: np.ndarray, reached: np.ndarray, pairs: list[tuple[int, int]]
) -> None:
    """Move each free place to the mean of its neighbours until the layout settles."""
    free = reached & ~fixed
    if not free.any() or not pairs:
        return
    src = np.array([a for a, b in pairs] + [b for a, b in pairs])
    dst = np.array([b for a, b in pairs] + [a for a, b in pairs])
    degree = np.bincount(src, minlength=len(pos)).astype(float)
    movable = free & (degree > 0)
    for _ in range(200):
        sums = np.zeros_like(pos)
        np.add.at(sums, src, pos[dst])
        new = sums[movable] / degree[movable, None]
        shift = float(np.abs(new - pos[movable]).max())
        pos[movable] = new
        if shift < 1e-9:
            break


def _lay_out_unreached(
    pos: np.ndarray,
    fixed: np.ndarray,
    reached: np.ndarray,
    neighbours: list[list[int]],
    spacing: float,
) -> None:
    """Components without any coordinates: each on a circle (spaced like the rest),
    side by side in a row below everything placed."""
    rest = [int(i) for i in np.flatnonzero(~reached)]
    if not rest:
        return
    seen: set[int] = set()
    components: list[list[int]] = []
    for start in rest:
        if start in seen:
            continue
        seen.add(start)
        component, queue = [], deque([start])
        while queue:
            i = queue.popleft()
            component.append(i)
            for j in neighbours[i]:
                if j not in seen:
                    seen.add(j)
                    queue.append(j)
        components.append(sorted(component))
    if reached.any():
        placed = pos[reached]
        x, top = float(placed[:, 0].min()), float(placed[:, 1].min()) - 2 * spacing
        width = max(float(placed[:, 0].max()) - x, spacing * 4)
    else:
        x, top, width = 0.0, 0.0, spacing * 4 * math.sqrt(len(rest))
    cursor_x, cursor_y, row_height = x, top, 0.0
    for component in components:
        radius = spacing * max(len(component), 1) / (2 * math.pi) if len(component) > 1 else 0.0
        radius = max(radius, spacing / 2) if len(component) > 1 else 0.0
        if cursor_x + 2 * radius > x + width and cursor_x > x:
            cursor_x, cursor_y = x, cursor_y - row_height - spacing
            row_height = 0.0
        centre = (cursor_x + radius, cursor_y - radius)
        for k, i in enumerate(component):
            angle = 2 * math.pi * k / len(component) + math.pi / 2
            pos[i] = (centre[0] + radius * math.cos(angle), centre[1] + radius * math.sin(angle))
        cursor_x += 2 * radius + spacing
        row_height = max(row_height, 2 * radius)


def _open_side(pos: np.ndarray, anchor: int, neighbours: list[list[int]], ident: str) -> np.ndarray:
    """A unit vector from ``anchor`` away from its neighbours (towards open ground),
    turned a little by ``ident`` so that places sharing an anchor spread out."""
    others = [pos[j] for j in neighbours[anchor] if float(np.hypot(*(pos[j] - pos[anchor]))) > 0]
    away = pos[anchor] - np.mean(others, axis=0) if others else np.zeros(2)
    base = math.atan2(away[1], away[0]) if np.hypot(*away) > 0 else _stable_angle(ident)
    angle = base + (_stable_angle(ident) / math.pi - 1.0) * 0.6
    return np.array([math.cos(angle), math.sin(angle)])


def _separate(
    pos: np.ndarray,
    movable: np.ndarray,
    distance: float,
    ids: Sequence[str],
    neighbours: list[list[int]],
) -> None:
    """Push movable places off anything closer than ``distance`` (a few rounds)."""
    if distance <= 0 or not movable.any():
        return
    for _ in range(8):
        cells: dict[tuple[int, int], list[int]] = defaultdict(list)
        keys = np.floor(pos / distance).astype(int)
        for index, (kx, ky) in enumerate(keys):
            cells[(int(kx), int(ky))].append(index)
        moved = False
        for i in (int(k) for k in np.flatnonzero(movable)):
            cx, cy = int(keys[i, 0]), int(keys[i, 1])
            push = np.zeros(2)
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    for j in cells.get((cx + dx, cy + dy), ()):
                        if j == i:
                            continue
                        delta = pos[i] - pos[j]
                        gap = float(np.hypot(*delta))
                        if gap >= distance:
                            continue
                        if gap < distance * 1e-3:
                            # On top of each other (a dead end off a placed place):
                            # move out towards open ground, each its own way.
                            push += distance * _open_side(pos, j, neighbours, ids[i])
                        else:
                            push += delta / gap * (distance - gap)
            norm = float(np.hypot(*push))
            if norm > 0:
                pos[i] += push / norm * min(norm, distance)
                moved = True
        if not moved:
            return
