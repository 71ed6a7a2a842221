"""The marks that say how far a figure can be trusted (contract section 4), on maps and
timelines alike.

* **Uncertain** (rough dates allow another state): the early state is drawn as usual
  and hatched with slanting strokes in the colour of the state the late reading gives.
  On a timeline its strokes lean back, where those of a contested stretch lean forward.
* **Disputed** (the deciding report has a rival claim): a black badge with a white
  "?". Black and white is no party's colour, and a question mark is read the same in
  colour, in grey and by a reader who cannot tell red from green.
* **Access** (whether a road can be used, which is not who holds it): black and white
  symbols on the line, each a different shape -- a solid bar across the road for
  *blocked*, a hollow bar for *restricted*, a gunsight for *fire-control*, a coin with
  "$" for *taxed*. None is a filled area of colour, so none can be taken for control.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

import numpy as np
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D
from matplotlib.markers import MarkerStyle
from matplotlib.patches import Patch
from matplotlib.path import Path
from matplotlib.transforms import Affine2D

from control_graph.model.disputes import DEFAULT_DISPUTE_WINDOW
from control_graph.model.records import AccessLevel
from control_graph.model.states import State, Status
from control_graph.plot.colors import CONTESTED_COLOR, UNKNOWN_COLOR
from control_graph.plot.data import NetworkData, Snapshot
from control_graph.plot.network import marker_radius
from control_graph.plot.style import HALO, figure_of, kind_marker, offset_points

__all__ = [
    "ACCESS_ASIDE",
    "ACCESS_DRAWN",
    "ACCESS_LABELS",
    "BADGE_ALONG",
    "INK",
    "NEUTRAL",
    "UNCERTAIN_HATCH",
    "MarksUsed",
    "access_handle",
    "access_marker_styles",
    "describe_state",
    "dispute_handle",
    "dispute_marker_styles",
    "draw_access_marks",
    "draw_dispute_badge",
    "draw_dispute_badges",
    "draw_map_marks",
    "marks_used",
    "state_color",
    "trust_sections",
    "uncertain_handle",
    "uncertain_patch",
    "union",
]

#: Access levels that get a mark, most restrictive first (``open`` is left unmarked).
ACCESS_DRAWN: tuple[AccessLevel, ...] = (
    AccessLevel.BLOCKED,
    AccessLevel.FIRE_CONTROL,
    AccessLevel.TAXED,
    AccessLevel.RESTRICTED,
)
ACCESS_LABELS = {
    AccessLevel.BLOCKED: "blocked",
    AccessLevel.FIRE_CONTROL: "under fire control",
    AccessLevel.TAXED: "taxed (a toll is levied)",
    AccessLevel.RESTRICTED: "restricted (curfew, permits)",
}
#: Where along a segment its marks go (0: its start, 1: its end): access in the middle,
#: or here on a contested segment (whose middle has the front line's cross), and the
#: dispute badge.
ACCESS_ASIDE = 0.64
BADGE_ALONG = 0.8
#: Timeline bars: uncertain stretches are hatched this way, contested ones ``////``.
UNCERTAIN_HATCH = "\\\\\\"
INK = "#111111"
#: The line or bar a legend entry hatches: no state's colour, dark enough for a light
#: hatching colour to show on it.
NEUTRAL = "#A0A0A0"

# A bar across the road, its long side perpendicular to the line (before rotation the
# line runs along x).
_BAR = Path([(-0.2, -0.5), (0.2, -0.5), (0.2, 0.5), (-0.2, 0.5), (-0.2, -0.5)], closed=True)
# A gunsight: a ring and four ticks.
_SIGHT = Path.make_compound_path(
    Path.circle((0.0, 0.0), 0.55),
    *(
        Path([(x0, y0), (x1, y1)], [Path.MOVETO, Path.LINETO])
        for (x0, y0), (x1, y1) in (
            ((0.0, 0.25), (0.0, 1.0)),
            ((0.0, -0.25), (0.0, -1.0)),
            ((0.25, 0.0), (1.0, 0.0)),
            ((-0.25, 0.0), (-1.0, 0.0)),
        )
    ),
)
# Three slanting strokes: the hatching, as a legend handle.
_STROKES = Path(
    [(x + dx, y) for x in (-0.7, 0.0, 0.7) for dx, y in ((-0.3, -0.6), (0.3, 0.6))],
    [Path.MOVETO, Path.LINETO] * 3,
)


class MarksUsed(NamedTuple):
    """Which trust marks a figure draws (its legend lists exactly those)."""

    otherwise: frozenset[State] = frozenset()
    disputed: bool = False
    access: frozenset[AccessLevel] = frozenset()

    def __or__(self, other: object) -> MarksUsed:
        if not isinstance(other, MarksUsed):
            return NotImplemented
        return MarksUsed(
            self.otherwise | other.otherwise,
            self.disputed or other.disputed,
            self.access | other.access,
        )


def marks_used(snap: Snapshot) -> MarksUsed:
    """The marks a map of ``snap`` draws."""
    return MarksUsed(
        frozenset(snap.otherwise.values()),
        bool(snap.disputed),
        frozenset(a.access for a in snap.access.values() if a.access in ACCESS_DRAWN),
    )


def state_color(data: NetworkData, state: State) -> str:
    """The colour a state is drawn in: its holder's, near-black contested, grey unknown."""
    if state.status is Status.HELD and state.controller is not None:
        return data.color_of(state.controller)
    return CONTESTED_COLOR if state.status is Status.CONTESTED else UNKNOWN_COLOR


def describe_state(data: NetworkData, state: State) -> str:
    """A state in a legend's words: the holder's name, "contested" or "unknown"."""
    if state.status is Status.HELD and state.controller is not None:
        return data.label_of(state.controller)
    return "contested" if state.status is Status.CONTESTED else "unknown"


# -- drawing on a map ---------------------------------------------------------------------

Point = tuple[float, float]
Spot = tuple[Point, float]


def _to_px(ax: Axes, point: Point) -> np.ndarray:
    return np.asarray(ax.transData.transform(point), dtype=float)


def _along(a: Point, b: Point, t: float) -> Point:
    """The point a fraction ``t`` of the way from ``a`` to ``b``."""
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)


def _angle(ax: Axes, a: Point, b: Point) -> float:
    """The direction from ``a`` to ``b`` on screen, in degrees."""
    (x0, y0), (x1, y1) = _to_px(ax, a), _to_px(ax, b)
    return math.degrees(math.atan2(y1 - y0, x1 - x0))


def _hatch_strokes(
    ax: Axes, a: Point, b: Point, *, spacing: float, half: float, margin: float
) -> list[list[Point]]:
    """Strokes across the line from ``a`` to ``b`` (sizes in points), slanting at 60
    degrees to it, every ``spacing`` points and ``margin`` clear of either end."""
    px = figure_of(ax).dpi / 72
    start, stop = _to_px(ax, a), _to_px(ax, b)
    length = float(np.hypot(*(stop - start)))
    if length <= 0:
        return []
    along = (stop - start) / length
    across = np.array([-along[1], along[0]])
    slant = along * math.cos(math.radians(60)) + across * math.sin(math.radians(60))
    room = length - 2 * margin * px
    count = max(int(room // (spacing * px)) + 1, 1) if room > 0 else 1
    first = (length - (count - 1) * spacing * px) / 2
    back = ax.transData.inverted().transform
    strokes = []
    for k in range(count):
        centre = start + along * (first + k * spacing * px)
        ends = back(np.array([centre - slant * half * px, centre + slant * half * px]))
        strokes.append([(float(x), float(y)) for x, y in ends])
    return strokes


def draw_map_marks(
    ax: Axes,
    data: NetworkData,
    positions: dict[str, Point],
    snap: Snapshot,
    sizes: dict[str, float],
) -> list[Spot]:
    """Hatching, dispute badges and access symbols of one day's map; returns the spots
    they cover (for labels to keep clear of)."""
    _hatch_segments(ax, data, positions, snap, sizes)
    _hatch_places(ax, data, positions, snap, sizes)
    spots: list[Spot] = []
    size = float(np.clip(sizes["front"] * 1.25, 5.0, 9.5))
    # Marks of one level and one angle (to the degree: a tenth of a point at the tip of
    # a bar) are one line of markers, not an artist each: a national map has hundreds.
    groups: dict[tuple[AccessLevel, float], list[Point]] = defaultdict(list)
    for segment, state in snap.access.items():
        if state.access not in ACCESS_DRAWN:
            continue
        a, b = (positions[p] for p in data.segments[segment].ends())
        # The middle is the front line's cross on a contested segment, and a road's
        # name sits beside the first third.
        t = ACCESS_ASIDE if snap.segments[segment].status is Status.CONTESTED else 0.5
        at = _along(a, b, t)
        turned = state.access in (AccessLevel.BLOCKED, AccessLevel.RESTRICTED)
        groups[state.access, float(round(_angle(ax, a, b))) if turned else 0.0].append(at)
        spots.append((at, size * 0.7))
    for (level, angle), points in groups.items():
        draw_access_marks(ax, points, level, size, angle=angle)
    badge = size * 1.3
    px = figure_of(ax).dpi / 72
    # Up and to the right of the place marker, touching it.
    shift = sizes["diameter"] / 2 + badge * 0.3
    on_places: list[Point] = []
    on_segments: list[Point] = []
    to_data = ax.transData.inverted()
    for element in sorted(snap.disputed):
        if element in data.places:
            at = positions[element]
            on_places.append(at)
            x, y = _to_px(ax, at)
            centre = to_data.transform((x + shift * px, y + shift * px))
            spots.append(((float(centre[0]), float(centre[1])), badge * 0.6))
        else:
            a, b = (positions[p] for p in data.segments[element].ends())
            at = _along(a, b, BADGE_ALONG)
            on_segments.append(at)
            spots.append((at, badge * 0.6))
    draw_dispute_badges(ax, on_places, badge, offset=(shift, shift))
    draw_dispute_badges(ax, on_segments, badge)
    return spots


def _hatch_segments(
    ax: Axes,
    data: NetworkData,
    positions: dict[str, Point],
    snap: Snapshot,
    sizes: dict[str, float],
) -> None:
    held = sizes["held"]
    strokes: list[list[Point]] = []
    colors: list[str] = []
    for segment in snap.segments:
        other = snap.otherwise.get(segment)
        if other is None:
            continue
        a, b = (positions[p] for p in data.segments[segment].ends())
        found = _hatch_strokes(
            ax,
            a,
            b,
            spacing=max(held * 3.2, 6.0),
            half=max(held * 1.3, 2.6),
            margin=sizes["diameter"] / 2 + max(held * 1.3, 2.6) * 0.5 + 1.0,
        )
        strokes += found
        colors += [state_color(data, other)] * len(found)
    if strokes:
        width = max(held * 0.6, 1.1)
        ax.add_collection(
            LineCollection(
                strokes,
                colors=colors,
                linewidths=width,
                capstyle="butt",
                zorder=3.4,
                path_effects=[patheffects.withStroke(linewidth=width + 1.4, foreground="white")],
            )
        )


def _hatch_places(
    ax: Axes,
    data: NetworkData,
    positions: dict[str, Point],
    snap: Snapshot,
    sizes: dict[str, float],
) -> None:
    groups: dict[str, list[str]] = {}
    for place in snap.places:
        if place in snap.otherwise:
            groups.setdefault(kind_marker(data.places[place].kind), []).append(place)
    for marker, members in sorted(groups.items()):
        radius = marker_radius(marker, sizes)
        hatched = ax.scatter(
            [positions[p][0] for p in members],
            [positions[p][1] for p in members],
            marker=marker,
            s=(2 * radius) ** 2,
            facecolors="none",
            edgecolors="none",
            linewidths=0,
            hatch="////",
            # Above the place markers (zorder 5), which the label layout counts.
            zorder=5.1,
        )
        hatched.set_hatchcolor([state_color(data, snap.otherwise[p]) for p in members])
        hatched.set_hatch_linewidth(max(radius / 3, 1.0))


def draw_access_marks(
    ax: Axes,
    points: Sequence[Point],
    level: AccessLevel,
    size: float,
    *,
    angle: float = 0.0,
    zorder: float = 4.6,
    transform: Any = None,
) -> None:
    """The symbol of an access level at each of ``points``, turned to a line running at
    ``angle`` degrees (``size`` in points): one artist per layer of the symbol."""
    style: dict[str, Any] = {
        "linestyle": "none",
        "zorder": zorder,
        "clip_on": False,
        "path_effects": HALO,
    }
    if transform is not None:
        style["transform"] = transform
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    for kwargs in access_marker_styles(level, size, angle):
        ax.add_line(Line2D(xs, ys, **style, **kwargs))


def access_marker_styles(level: AccessLevel, size: float, angle: float) -> list[dict[str, Any]]:
    """Line2D marker keywords drawing ``level``'s symbol (one dict per layer)."""
    if level in (AccessLevel.BLOCKED, AccessLevel.RESTRICTED):
        bar = MarkerStyle(_BAR, transform=Affine2D().rotate_deg(angle))
        blocked = level is AccessLevel.BLOCKED
        return [
            {
                "marker": bar,
                "markersize": size * 1.5,
                "markerfacecolor": INK if blocked else "white",
                "markeredgecolor": INK,
                "markeredgewidth": 0.6 if blocked else 1.2,
            }
        ]
    if level is AccessLevel.FIRE_CONTROL:
        return [
            {
                "marker": _SIGHT,
                "markersize": size * 1.25,
                "markerfacecolor": "none",
                "markeredgecolor": INK,
                "markeredgewidth": max(size / 7, 1.0),
            }
        ]
    return [
        {
            "marker": "o",
            "markersize": size,
            "markerfacecolor": "white",
            "markeredgecolor": INK,
            "markeredgewidth": 0.9,
        },
        {
            "marker": "$\\$$",
            "markersize": size * 0.62,
            "markerfacecolor": INK,
            "markeredgecolor": INK,
            "markeredgewidth": 0.2,
        },
    ]


def draw_dispute_badge(
    ax: Axes,
    at: Point,
    size: float,
    *,
    offset: Point = (0.0, 0.0),
    zorder: float = 6.2,
) -> None:
    """A black badge with a white "?" at ``at``, shifted by ``offset`` points."""
    draw_dispute_badges(ax, [at], size, offset=offset, zorder=zorder)


def draw_dispute_badges(
    ax: Axes,
    points: Sequence[Point],
    size: float,
    *,
    offset: Point = (0.0, 0.0),
    zorder: float = 6.2,
) -> None:
    """:func:`draw_dispute_badge` at each of ``points``, as one line per layer: a map
    of a contested province has thousands of badges, and each line of its own parsed
    the "?" glyph again (12 ms a badge)."""
    if not points:
        return
    transform = offset_points(ax, *offset)
    xs, ys = [x for x, _ in points], [y for _, y in points]
    for kwargs in dispute_marker_styles(size):
        ax.add_line(
            Line2D(
                xs,
                ys,
                linestyle="none",
                zorder=zorder,
                clip_on=False,
                transform=transform,
                **kwargs,
            )
        )


def dispute_marker_styles(size: float) -> list[dict[str, Any]]:
    """Line2D marker keywords drawing the "?" badge (one dict per layer)."""
    return [
        {
            "marker": "o",
            "markersize": size,
            "markerfacecolor": INK,
            "markeredgecolor": "white",
            "markeredgewidth": 1.0,
        },
        {
            "marker": "$?$",
            "markersize": size * 0.6,
            "markerfacecolor": "white",
            "markeredgecolor": "white",
            "markeredgewidth": 0.3,
        },
    ]


# -- legends ------------------------------------------------------------------------------


def _handle(styles: Sequence[dict[str, Any]]) -> tuple[Line2D, ...]:
    return tuple(Line2D([], [], linestyle="none", **kwargs) for kwargs in styles)


def access_handle(level: AccessLevel) -> tuple[Line2D, ...]:
    """A legend handle: the symbol on a short grey road."""
    road = Line2D([], [], color="#CCCCCC", linewidth=2.4)
    return (road, *_handle(access_marker_styles(level, 7.5, 0.0)))


def dispute_handle() -> tuple[Line2D, ...]:
    return _handle(dispute_marker_styles(9.0))


def uncertain_handle(color: str) -> tuple[Line2D, ...]:
    """A legend handle for a map: a neutral line hatched in ``color``."""
    road = Line2D([], [], color=NEUTRAL, linewidth=3.0, solid_capstyle="butt")
    strokes = Line2D(
        [],
        [],
        linestyle="none",
        marker=_STROKES,
        markersize=13,
        markerfacecolor="none",
        markeredgecolor=color,
        markeredgewidth=1.6,
    )
    return (road, strokes)


def uncertain_patch(color: str) -> Patch:
    """A legend handle for a timeline: a neutral bar hatched in ``color``."""
    return Patch(
        facecolor=NEUTRAL,
        edgecolor="white",
        hatch=UNCERTAIN_HATCH,
        hatchcolor=color,
        hatch_linewidth=1.6,
    )


def trust_sections(
    data: NetworkData, used: MarksUsed, *, timeline: bool = False
) -> list[tuple[str, list[tuple[Any, str]]]]:
    """The legend sections for the marks used: "How sure" and "Access (not control)"."""
    sure: list[tuple[Any, str]] = []
    for state in sorted(used.otherwise, key=lambda s: (s.status.value, s.controller or "")):
        color = state_color(data, state)
        handle = uncertain_patch(color) if timeline else uncertain_handle(color)
        sure.append((handle, f"uncertain: rough dates allow {describe_state(data, state)}"))
    if used.disputed:
        window = DEFAULT_DISPUTE_WINDOW
        badge: tuple[Any, ...] = dispute_handle()
        if timeline:
            badge = (Patch(facecolor="#E6E6E6", edgecolor=INK, linewidth=1.4), *badge)
        sure.append((badge, f"disputed: a rival claim ({window} days)"))
    access = [
        (access_handle(level), ACCESS_LABELS[level])
        for level in ACCESS_DRAWN
        if level in used.access
    ]
    sections = []
    if sure:
        sections.append(("How sure", sure))
    if access:
        sections.append(("Access (not control)", access))
    return sections


def union(marks: Iterable[MarksUsed]) -> MarksUsed:
    """Every mark any of ``marks`` uses (an animation's legend lists them all)."""
    found = MarksUsed()
    for used in marks:
        found = found | used
    return found
