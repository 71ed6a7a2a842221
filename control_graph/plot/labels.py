"""Labels a reader can trust: each beside its own marker, or joined to it by a leader line.

Labels are placed most important first. Each tries the eight positions around its
marker (nearest first, in the cartographers' order of preference), then rings further
out, where a leader line joins it to its marker. A position is taken only when all of
these hold, measured in display space:

- the label stays inside the map, and overlaps no label placed before it, no marker
  (its own included) and no other symbol;
- beside its marker, no other marker is nearly as close to the label as its own (so a
  reader cannot pair it with a neighbour); further out, no other marker is close to it;
- a leader line crosses no other leader line, no label and no marker on its way.

A label with no such position is left out: fewer labels rather than wrong ones. Then
:func:`label_problems` measures the drawn figure against the same rules, for tests.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.font_manager import FontProperties
from matplotlib.text import Annotation

from control_graph.plot.fonts import font_families
from control_graph.plot.style import figure_of

__all__ = [
    "Label",
    "PlacedLabel",
    "draw_labels",
    "label_problems",
    "layout_labels",
    "segments_hit_box",
]

Point = tuple[float, float]

#: The gids of the annotations drawing labels and leader lines (label_problems finds
#: them by these, and leaves the other texts of a figure alone).
LABEL_GID = "place-label"
LEADER_GID = "label-leader"
#: Room around a label's text, in points (its white halo).
_PAD = 1.3


@dataclass(frozen=True)
class Label:
    """A label to place: its text, its marker's position in data coordinates, how
    important it is (higher first) and the radius in points of its marker."""

    text: str
    xy: Point
    priority: float = 0.0
    fontsize: float = 8.0
    bold: bool = False
    marker_radius: float = 4.0


@dataclass(frozen=True)
class PlacedLabel:
    """Where a label went: the offset in points of its centre from its marker, and
    where its leader line leaves it (an offset in points), or ``None`` beside it."""

    label: Label
    offset: Point
    leader: Point | None = None


# Positions beside the marker in the cartographers' order of preference: upper right,
# right, lower right, upper left, left, lower left, above, below.
_BESIDE: tuple[Point, ...] = ((1, 1), (1, 0), (1, -1), (-1, 1), (-1, 0), (-1, -1), (0, 1), (0, -1))


def _compass(count: int) -> tuple[Point, ...]:
    return tuple(
        (math.cos(2 * math.pi * k / count), math.sin(2 * math.pi * k / count)) for k in range(count)
    )


# Rings of candidate positions, nearest first: beside the marker, then further out
# (those get a leader line), in more directions the further out they are.
_RINGS: tuple[tuple[float, tuple[Point, ...]], ...] = (
    (0.0, _BESIDE),
    (1.4, _compass(16)),
    (2.4, _compass(16)),
    (3.6, _compass(24)),
    (5.0, _compass(24)),
)


class _Scene:
    """What is on the map so far, in display pixels: labels, leader lines, circles."""

    def __init__(self, centres: np.ndarray, radii: np.ndarray, markers: int, bounds: Any) -> None:
        self.centres, self.radii = centres, radii
        self.markers = markers  # the first ``markers`` circles are place markers
        self.boxes = np.zeros((0, 4))
        self.leaders = np.zeros((0, 4))
        # How many circle centres lie in each pixel of the axes, summed from the lower
        # left (an integral image): a box that holds a centre certainly touches its
        # circle, which settles most positions on a crowded map in a few lookups.
        self.origin = (math.floor(bounds.x0), math.floor(bounds.y0))
        width = max(math.ceil(bounds.x1) - self.origin[0], 1)
        height = max(math.ceil(bounds.y1) - self.origin[1], 1)
        solid = centres[radii > 0]
        counts, _, _ = np.histogram2d(
            solid[:, 1] - self.origin[1],
            solid[:, 0] - self.origin[0],
            bins=(height, width),
            range=((0, height), (0, width)),
        )
        self.summed = np.zeros((height + 1, width + 1))
        self.summed[1:, 1:] = counts.cumsum(axis=0).cumsum(axis=1)

    def nearby(self, x: float, y: float, reach: float) -> np.ndarray:
        close = np.abs(self.centres[:, 0] - x) <= reach + self.radii
        close &= np.abs(self.centres[:, 1] - y) <= reach + self.radii
        return np.flatnonzero(close)

    def hold_centres(self, boxes: np.ndarray) -> np.ndarray:
        """Which boxes (rows of x0, y0, x1, y1) certainly hold some circle's centre:
        counted over the whole pixels inside each box, so never wrongly."""
        high_x, high_y = self.summed.shape[1] - 1, self.summed.shape[0] - 1
        x0 = np.clip(np.ceil(boxes[:, 0] - self.origin[0]), 0, high_x).astype(int)
        y0 = np.clip(np.ceil(boxes[:, 1] - self.origin[1]), 0, high_y).astype(int)
        x1 = np.clip(np.floor(boxes[:, 2] - self.origin[0]), 0, high_x).astype(int)
        y1 = np.clip(np.floor(boxes[:, 3] - self.origin[1]), 0, high_y).astype(int)
        x1, y1 = np.maximum(x1, x0), np.maximum(y1, y0)
        s = self.summed
        inside = s[y1, x1] - s[y0, x1] - s[y1, x0] + s[y0, x0]
        return np.asarray(inside > 0)


def layout_labels(
    ax: Axes,
    labels: Sequence[Label],
    *,
    markers: Sequence[tuple[Point, float]] = (),
    obstacles: Sequence[tuple[Point, float]] = (),
) -> list[PlacedLabel]:
    """Place each label where it is unambiguous and overlaps nothing; leave out the rest.

    Call it once the axes limits and aspect are final: positions are worked out in
    display space and kept as offsets in points from each marker, so they survive a
    change of dpi. ``markers`` are the ``(xy, radius in points)`` of place markers
    without a label (each label's own marker is added); ``obstacles`` are other
    symbols to keep clear of (incidents, the scale bar).
    """
    if not labels:
        return []
    ax.apply_aspect()
    figure = figure_of(ax)
    renderer: Any = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    px = figure.dpi / 72.0
    to_px = ax.transData.transform
    bounds = ax.bbox
    circles = [(label.xy, label.marker_radius) for label in labels] + list(markers)
    centres = to_px(np.array([xy for xy, _ in circles] + [xy for xy, _ in obstacles], dtype=float))
    radii = np.array([r for _, r in circles] + [r for _, r in obstacles], dtype=float) * px
    scene = _Scene(centres.reshape(-1, 2), radii, len(circles), bounds)
    families = font_families()
    placed: list[PlacedLabel] = []
    order = sorted(range(len(labels)), key=lambda i: (-labels[i].priority, labels[i].text))
    for i in order:
        label = labels[i]
        prop = FontProperties(
            family=families, size=label.fontsize, weight="bold" if label.bold else "normal"
        )
        width, height, _ = renderer.get_text_width_height_descent(label.text, prop, ismath=False)
        half = np.array([width / 2, height / 2]) + _PAD * px
        found = _position(scene, i, half, bounds, label.fontsize * px)
        if found is None:
            continue
        (cx, cy), leader = found
        x, y = scene.centres[i]
        box = np.array([cx - half[0], cy - half[1], cx + half[0], cy + half[1]])
        scene.boxes = np.vstack([scene.boxes, box])
        start: Point | None = None
        if leader is not None:
            scene.leaders = np.vstack([scene.leaders, leader])
            start = ((leader[2] - x) / px, (leader[3] - y) / px)
        placed.append(PlacedLabel(label, ((cx - x) / px, (cy - y) / px), start))
    return placed


def _candidates() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every candidate position in the order tried: its ring's distance (in ems), its
    direction, and whether it is beside the marker (ring 0)."""
    rings = [ring for ring, directions in _RINGS for _ in directions]
    directions = [d for _, ds in _RINGS for d in ds]
    ring = np.array(rings, dtype=float)
    dx, dy = (np.array(v, dtype=float) for v in zip(*directions, strict=True))
    return ring, dx, dy, ring == 0


_CANDIDATES = _candidates()


def _position(
    scene: _Scene, index: int, half: np.ndarray, bounds: Any, em: float
) -> tuple[Point, np.ndarray | None] | None:
    """The first free, unambiguous position for label ``index``, and its leader line.

    Every candidate position is tested at once against what does not depend on the
    others (bounds, labels and leader lines placed, nearby markers); only those that
    pass are then tried in order for their leader line. On a crowded map most labels
    find no place at all, so testing position by position cost a few numpy calls on
    tiny arrays for each of a hundred positions.
    """
    x, y = (float(v) for v in scene.centres[index])
    own = float(scene.radii[index])
    gap = own + 1.5 * em / 8
    reach = gap + 6 * em + 2 * float(half.max())
    near = scene.nearby(x, y, reach)
    others = near[near != index]
    marker_others = others[others < scene.markers]
    hx, hy = float(half[0]), float(half[1])
    ring, dx, dy, beside = _CANDIDATES
    distance = gap + ring * em
    cx = x + dx * (distance + hx)
    cy = y + dy * (distance * np.where(beside & (dx != 0), 0.6, 1.0) + hy)
    boxes = np.stack([cx - hx, cy - hy, cx + hx, cy + hy], axis=1)
    # Each test keeps the candidates that pass it; the cheap ones go first.
    keep = np.flatnonzero(
        (bounds.x0 <= boxes[:, 0])
        & (boxes[:, 2] <= bounds.x1)
        & (bounds.y0 <= boxes[:, 1])
        & (boxes[:, 3] <= bounds.y1)
    )
    keep = keep[~scene.hold_centres(boxes[keep])]
    if keep.size and scene.boxes.size:
        overlap = _boxes_overlap(scene.boxes[None, :, :], boxes[keep][:, None, :])
        keep = keep[~overlap.any(axis=1)]
    if keep.size:
        touching = _box_distances(boxes[keep], scene.centres[near]) < scene.radii[near]
        keep = keep[~touching.any(axis=1)]
    if keep.size and scene.leaders.size:
        hit = segments_hit_box(scene.leaders[:, None, :], boxes[keep][None, :, :])
        keep = keep[~hit.any(axis=0)]
    if keep.size:
        own_distance = _box_distances(boxes[keep], scene.centres[[index]])[:, 0]
        limit = np.where(beside[keep], own_distance * 1.5 + 0.5 * em, em)
        others_distance = _box_distances(boxes[keep], scene.centres[marker_others])
        keep = keep[~(others_distance < limit[:, None]).any(axis=1)]
    for k in keep:
        centre = (float(cx[k]), float(cy[k]))
        if beside[k]:
            return centre, None
        leader = _leader(x, y, own, centre[0], centre[1], half)
        if not _leader_blocked(scene, leader, others):
            return centre, leader
    return None


def _leader(
    x: float, y: float, radius: float, cx: float, cy: float, half: np.ndarray
) -> np.ndarray:
    """The leader line from the marker's edge to the label box's edge, as x0, y0, x1, y1."""
    dx, dy = cx - x, cy - y
    length = math.hypot(dx, dy)
    ux, uy = dx / length, dy / length
    # Where the line from the label's centre towards the marker leaves the label box.
    t = min(half[0] / abs(ux) if ux else math.inf, half[1] / abs(uy) if uy else math.inf)
    return np.array([x + ux * radius, y + uy * radius, cx - ux * t, cy - uy * t])


def _leader_blocked(scene: _Scene, leader: np.ndarray, others: np.ndarray) -> bool:
    if scene.boxes.size and segments_hit_box(leader[None, :], scene.boxes).any():
        return True
    if scene.leaders.size and _segments_cross(leader, scene.leaders).any():
        return True
    centres, radii = scene.centres[others], scene.radii[others]
    return bool((_point_segment_distance(centres, leader) < radii + 1.0).any())


# -- geometry in display space (vectorised) -------------------------------------------


def _boxes_overlap(boxes: np.ndarray, box: np.ndarray) -> np.ndarray:
    """Whether boxes overlap, rows of ``x0, y0, x1, y1`` broadcast against each other
    (many boxes and one, or ``(1, n, 4)`` against ``(m, 1, 4)``)."""
    return np.asarray(
        (boxes[..., 0] < box[..., 2])
        & (box[..., 0] < boxes[..., 2])
        & (boxes[..., 1] < box[..., 3])
        & (box[..., 1] < boxes[..., 3])
    )


def _box_distance(box: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Distance from each point to the box (0 inside it)."""
    return np.asarray(_box_distances(box[None, :], points)[0])


def _box_distances(boxes: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Distance from each point to each box, as (boxes, points) (0 inside)."""
    px, py = points[None, :, 0], points[None, :, 1]
    x0, y0, x1, y1 = (boxes[:, k, None] for k in range(4))
    dx = np.maximum(np.maximum(x0 - px, px - x1), 0.0)
    dy = np.maximum(np.maximum(y0 - py, py - y1), 0.0)
    return np.asarray(np.hypot(dx, dy))


def _point_segment_distance(points: np.ndarray, segment: np.ndarray) -> np.ndarray:
    a, b = segment[:2], segment[2:]
    ab = b - a
    t = np.clip(((points - a) @ ab) / max(float(ab @ ab), 1e-12), 0.0, 1.0)
    return np.asarray(np.hypot(*(points - (a + t[:, None] * ab)).T))


def _segments_cross(segment: np.ndarray, segments: np.ndarray) -> np.ndarray:
    """Which of ``segments`` cross ``segment`` (touching at an end does not count)."""

    def side(ax: Any, ay: Any, bx: Any, by: Any, px: Any, py: Any) -> Any:
        return (bx - ax) * (py - ay) - (by - ay) * (px - ax)

    x0, y0, x1, y1 = segment
    sx0, sy0, sx1, sy1 = segments.T
    d1 = side(x0, y0, x1, y1, sx0, sy0)
    d2 = side(x0, y0, x1, y1, sx1, sy1)
    d3 = side(sx0, sy0, sx1, sy1, x0, y0)
    d4 = side(sx0, sy0, sx1, sy1, x1, y1)
    return np.asarray((d1 * d2 < 0) & (d3 * d4 < 0))


def segments_hit_box(segments: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """For segments ``(x0, y0, x1, y1)`` against boxes ``(x0, y0, x1, y1)`` (one of
    them may be a single row, or both arrays that broadcast, such as ``(n, 1, 4)`` and
    ``(1, m, 4)``): does each segment meet each box?

    Liang-Barsky, vectorised: the part of each segment inside each box is non-empty.
    """
    segments = np.atleast_2d(segments)
    boxes = np.atleast_2d(boxes)
    x0, y0, x1, y1 = (segments[..., k] for k in range(4))
    dx, dy = x1 - x0, y1 - y0
    low = np.zeros(np.broadcast(x0, boxes[..., 0]).shape)
    high = np.ones_like(low)
    checks = (
        (-dx, x0 - boxes[..., 0]),
        (dx, boxes[..., 2] - x0),
        (-dy, y0 - boxes[..., 1]),
        (dy, boxes[..., 3] - y0),
    )
    ok = np.ones_like(low, dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        for p, q in checks:
            p = np.broadcast_to(p, low.shape)
            q = np.broadcast_to(q, low.shape)
            parallel = p == 0
            ok &= ~(parallel & (q < 0))
            t = np.where(parallel, 0.0, q / np.where(parallel, 1.0, p))
            low = np.where(~parallel & (p < 0), np.maximum(low, t), low)
            high = np.where(~parallel & (p > 0), np.minimum(high, t), high)
    return np.asarray(ok & (low < high))


# -- drawing and checking ---------------------------------------------------------------


def draw_labels(
    ax: Axes,
    placed: Iterable[PlacedLabel],
    *,
    zorder: float = 7,
    text_style: Mapping[str, Any] | None = None,
) -> list[Annotation]:
    """Add the labels :func:`layout_labels` placed to ``ax`` (any number of times, e.g.
    once per animation frame), with their leader lines under them."""
    families = font_families()
    annotations = []
    for item in placed:
        label = item.label
        if item.leader is not None:
            leader = ax.annotate(
                "",
                xy=label.xy,
                xytext=item.leader,
                textcoords="offset points",
                zorder=zorder - 0.5,
                arrowprops={
                    "arrowstyle": "-",
                    "color": "#666666",
                    "lw": 0.6,
                    "shrinkA": 0,
                    "shrinkB": label.marker_radius,
                },
            )
            leader.set_gid(LEADER_GID)
        text = ax.annotate(
            label.text,
            xy=label.xy,
            xytext=item.offset,
            textcoords="offset points",
            ha="center",
            va="center",
            fontsize=label.fontsize,
            fontweight="bold" if label.bold else "normal",
            fontfamily=families,
            zorder=zorder,
            **dict(text_style or {}),
        )
        text.set_gid(LABEL_GID)
        annotations.append(text)
    return annotations


def label_problems(ax: Axes, markers: Sequence[tuple[Point, float]]) -> list[str]:
    """Check the labels drawn in ``ax`` (after drawing) against the rules above.

    ``markers`` are every place marker, ``(xy, radius in points)``. Each label is an
    annotation with :data:`LABEL_GID` whose ``xy`` is its own marker; a leader line is
    one with :data:`LEADER_GID`. Returns one sentence per broken rule (none when all hold).
    """
    figure = figure_of(ax)
    renderer: Any = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    px = figure.dpi / 72.0
    texts = [t for t in ax.texts if isinstance(t, Annotation) and t.get_gid() == LABEL_GID]
    leaders = [t for t in ax.texts if isinstance(t, Annotation) and t.get_gid() == LEADER_GID]
    centres = ax.transData.transform(np.array([xy for xy, _ in markers], dtype=float))
    radii = np.array([r for _, r in markers]) * px
    problems: list[str] = []
    boxes = []
    for text in texts:
        extent = text.get_window_extent(renderer)
        boxes.append(np.array([extent.x0, extent.y0, extent.x1, extent.y1]))
    lines = []
    for leader in leaders:
        start = ax.transData.transform(leader.xy)
        lines.append(np.array([*_leader_end(leader), *start]))
    with_leader = {tuple(np.round(leader.xy, 9)) for leader in leaders}
    for i, (text, box) in enumerate(zip(texts, boxes, strict=True)):
        name = text.get_text()
        shrunk = box + np.array([1, 1, -1, -1]) * 0.5 * px
        for other, other_box in zip(texts[i + 1 :], boxes[i + 1 :], strict=True):
            if _boxes_overlap(other_box[None, :], shrunk)[0]:
                problems.append(f"{name!r} overlaps {other.get_text()!r}")
        touching = _box_distance(shrunk, centres) < radii
        if touching.any():
            problems.append(f"{name!r} covers {int(touching.sum())} marker(s)")
        own = ax.transData.transform(text.xy)
        own_index = int(np.argmin(np.hypot(*(centres - own).T)))
        distances = _box_distance(box, centres)
        mine = distances[own_index]
        rest = np.delete(distances, own_index)
        if tuple(np.round(text.xy, 9)) in with_leader:
            continue
        if mine > 2.5 * float(text.get_fontsize()) * px:
            problems.append(f"{name!r} is {mine / px:.0f} pt from its marker, with no leader")
        if rest.size and rest.min() <= mine:
            problems.append(f"{name!r} is as close to another marker as to its own")
    for i, (leader, line) in enumerate(zip(leaders, lines, strict=True)):
        if len(lines) > i + 1 and _segments_cross(line, np.array(lines[i + 1 :])).any():
            problems.append("two leader lines cross")
        own = ax.transData.transform(leader.xy)
        mine = np.hypot(*(centres - own).T) < 0.5
        # The line as drawn: it stops at the edge of its own marker.
        towards = line[2:] - line[:2]
        edge = line[2:] - towards / max(float(np.hypot(*towards)), 1e-9) * radii[mine].max(
            initial=0.0
        )
        through = _point_segment_distance(centres[~mine], np.array([*line[:2], *edge]))
        if (through < radii[~mine]).any():
            problems.append(
                f"a leader line runs over {int((through < radii[~mine]).sum())} marker(s)"
            )
        others = [b for t, b in zip(texts, boxes, strict=True) if tuple(t.xy) != tuple(leader.xy)]
        if others and segments_hit_box(line, np.array(others)).any():
            problems.append("a leader line runs through another label")
    return problems


def _leader_end(leader: Annotation) -> np.ndarray:
    """The leader's end at its label, in display pixels."""
    ax = leader.axes
    assert isinstance(ax, Axes)
    figure = figure_of(ax)
    start = ax.transData.transform(leader.xy)
    dx, dy = leader.xyann
    return np.asarray(start + np.array([dx, dy]) * figure.dpi / 72.0)
