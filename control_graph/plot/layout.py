"""Where things go on a map: places without coordinates, and labels that do not overlap.

Positions are ``(x, y) = (lon, lat)``. A place without coordinates is put where its
neighbours pull it (each such place at the mean of its neighbours, repeated until it
settles -- the barycentric embedding), then nudged off anything it landed on. Places in a
part of the network with no coordinates at all are laid out on their own, in a row below
the rest.

Labels are placed greedily, most important first: each tries the eight positions around
its point, nearest first, then rings further out (with a leader line), and takes the
first position that overlaps no label, marker or other obstacle placed so far.
"""

from __future__ import annotations

import math
import zlib
from collections import defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

from control_graph.model.records import Place

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.text import Annotation

__all__ = ["Label", "PlacedLabel", "draw_labels", "layout_labels", "place_positions"]

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


# -- labels ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Label:
    """A label to place: its text, its anchor in data coordinates, how important it is
    (higher first) and the radius in points of the marker it belongs to."""

    text: str
    xy: Point
    priority: float = 0.0
    fontsize: float = 8.0
    bold: bool = False
    marker_radius: float = 4.0


# Nearest positions first, in the cartographers' order of preference: upper right,
# right, lower right, upper left, left, lower left, above, below.
_DIRECTIONS: tuple[Point, ...] = (
    (1, 1),
    (1, 0),
    (1, -1),
    (-1, 1),
    (-1, 0),
    (-1, -1),
    (0, 1),
    (0, -1),
)


def _compass(count: int) -> tuple[Point, ...]:
    """``count`` directions round the compass, starting east, as (cos, sin) pairs."""
    return tuple(
        (round(math.cos(2 * math.pi * k / count), 6), round(math.sin(2 * math.pi * k / count), 6))
        for k in range(count)
    )


# Rings of candidate positions, nearest first: the eight classic ones close to the
# point, then more directions further out (those get a leader line).
_RINGS: tuple[tuple[int, tuple[Point, ...]], ...] = (
    (1, _DIRECTIONS),
    (2, _DIRECTIONS),
    (3, _compass(16)),
    (4, _compass(16)),
    (5, _compass(24)),
    (6, _compass(24)),
)


def _leader(x: float, y: float, cx: float, cy: float, box: np.ndarray) -> np.ndarray:
    """Points along a leader line from a point to its label, outside the label."""
    steps = np.linspace(0.1, 1.0, 12)[:, None]
    points = np.array([x, y]) + steps * np.array([cx - x, cy - y])
    keep = ~(
        (points[:, 0] >= box[0])
        & (points[:, 0] <= box[2])
        & (points[:, 1] >= box[1])
        & (points[:, 1] <= box[3])
    )
    return np.asarray(points[keep])


def _inside(points: np.ndarray, box: np.ndarray) -> int:
    """How many of ``points`` lie inside ``box``."""
    return int(
        (
            (points[:, 0] >= box[0])
            & (points[:, 0] <= box[2])
            & (points[:, 1] >= box[1])
            & (points[:, 1] <= box[3])
        ).sum()
    )


def _overlap(boxes: np.ndarray, count: int, box: np.ndarray) -> float:
    if count == 0:
        return 0.0
    b = boxes[:count]
    w = np.minimum(b[:, 2], box[2]) - np.maximum(b[:, 0], box[0])
    h = np.minimum(b[:, 3], box[3]) - np.maximum(b[:, 1], box[1])
    return float((np.clip(w, 0, None) * np.clip(h, 0, None)).sum())


@dataclass(frozen=True)
class PlacedLabel:
    """Where a label went: its offset in points from its anchor, and whether it is far
    enough out to need a leader line back to its marker."""

    label: Label
    offset: Point
    leader: bool


def layout_labels(
    ax: Axes,
    labels: Sequence[Label],
    *,
    obstacles: Sequence[tuple[Point, float]] = (),
    drop_overlapping: bool = False,
) -> list[PlacedLabel]:
    """Find a place for each label where it overlaps nothing, most important first.

    Call it once the axes limits and aspect are final: positions are worked out in
    display space and kept as offsets in points from each anchor, so they survive a
    change of dpi. ``obstacles`` are ``(xy, radius in points)`` pairs to keep clear of
    (markers, symbols); each label's own marker is one. A label with no free position
    takes the least crowded one, or is left out with ``drop_overlapping``.
    """
    if not labels:
        return []
    ax.apply_aspect()
    figure = ax.get_figure()
    assert figure is not None
    px_per_pt = figure.dpi / 72.0
    to_px = ax.transData.transform
    bounds = ax.bbox

    anchors = to_px(np.array([label.xy for label in labels], dtype=float))
    all_obstacles = [(label.xy, label.marker_radius) for label in labels] + list(obstacles)
    centres = to_px(np.array([xy for xy, _ in all_obstacles], dtype=float))
    radii = np.array([r for _, r in all_obstacles]) * px_per_pt
    blocked = np.column_stack(
        [centres[:, 0] - radii, centres[:, 1] - radii, centres[:, 0] + radii, centres[:, 1] + radii]
    )
    placed = np.zeros((len(labels), 4))
    count = 0
    # Points along the leader lines drawn so far: labels keep off them, and new leader
    # lines keep off labels (a crossing costs about as much as a small overlap).
    leader_points = np.zeros((0, 2))
    crossing = 40.0 * px_per_pt**2
    measure = TextToPath()
    result: list[PlacedLabel] = []
    order = sorted(range(len(labels)), key=lambda i: (-labels[i].priority, labels[i].text))
    for i in order:
        label = labels[i]
        width_pt, _, _ = measure.get_text_width_height_descent(
            label.text,
            FontProperties(size=label.fontsize, weight="bold" if label.bold else "normal"),
            ismath=False,
        )
        half_w = (width_pt / 2 + 1.5) * px_per_pt
        half_h = (label.fontsize * 0.62 + 0.5) * px_per_pt
        x, y = anchors[i]
        gap = (label.marker_radius + 1.0) * px_per_pt
        best: tuple[float, float, float, int] | None = None
        for ring, directions in _RINGS:
            reach = gap * (1 + 1.8 * (ring - 1))
            for dx, dy in directions:
                cx = x + dx * (reach + half_w)
                cy = y + dy * (reach * (0.6 if abs(dx) > 0.5 else 1.0) + half_h)
                box = np.array([cx - half_w, cy - half_h, cx + half_w, cy + half_h])
                outside = (
                    max(bounds.x0 - box[0], 0)
                    + max(box[2] - bounds.x1, 0)
                    + max(bounds.y0 - box[1], 0)
                    + max(box[3] - bounds.y1, 0)
                ) * (4 * half_h)
                score = _overlap(placed, count, box) + _overlap(blocked, len(blocked), box)
                score += outside + (ring - 1) * 1e-3
                if leader_points.size:
                    score += _inside(leader_points, box) * crossing
                if ring > 1:
                    line = _leader(x, y, cx, cy, box)
                    score += sum(_inside(line, b) for b in placed[:count]) * crossing
                if best is None or score < best[0] - 1e-9:
                    best = (score, cx, cy, ring)
            if best is not None and best[0] < 1e-2:
                break
        assert best is not None
        score, cx, cy, ring = best
        if score >= 1e-2 and drop_overlapping:
            continue
        box = np.array([cx - half_w, cy - half_h, cx + half_w, cy + half_h])
        placed[count] = box
        count += 1
        if ring > 1:
            leader_points = np.vstack([leader_points, _leader(x, y, cx, cy, box)])
        offset = (float(cx - x) / px_per_pt, float(cy - y) / px_per_pt)
        result.append(PlacedLabel(label, offset, ring > 1))
    return result


def draw_labels(
    ax: Axes,
    placed: Iterable[PlacedLabel],
    *,
    zorder: float = 7,
    text_style: Mapping[str, Any] | None = None,
) -> list[Annotation]:
    """Add the labels :func:`layout_labels` placed to ``ax`` (any number of times, e.g.
    once per animation frame). Leader lines go under every label, so a label's white
    outline hides any line that crosses it."""
    annotations = []
    for item in placed:
        label = item.label
        if item.leader:
            ax.annotate(
                "",
                xy=label.xy,
                xytext=item.offset,
                textcoords="offset points",
                zorder=zorder - 0.5,
                arrowprops={
                    "arrowstyle": "-",
                    "color": "#777777",
                    "lw": 0.5,
                    "shrinkA": 0,
                    "shrinkB": label.marker_radius + 0.5,
                },
            )
        annotations.append(
            ax.annotate(
                label.text,
                xy=label.xy,
                xytext=item.offset,
                textcoords="offset points",
                ha="center",
                va="center",
                fontsize=label.fontsize,
                fontweight="bold" if label.bold else "normal",
                zorder=zorder,
                **dict(text_style or {}),
            )
        )
    return annotations
