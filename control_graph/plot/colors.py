"""Colours for parties, blocs and states.

A party's colour comes from the data (``color`` in the dataset). Parties without one
get a colour from a fixed colour-blind-safe palette -- Okabe & Ito's eight colours
without black, then Paul Tol's "muted" scheme -- assigned in order of party id, so the
same data always gets the same colours. A fallback colour too close to a colour the
data already uses is skipped. Grey is kept for ``unknown`` and near-black for
``contested``, so neither can be mistaken for a party.
"""

from __future__ import annotations

import colorsys
import math
from collections.abc import Iterable, Sequence

from matplotlib.colors import to_hex, to_rgb

from control_graph.model.records import Bloc, Party

__all__ = [
    "CONTESTED_COLOR",
    "FALLBACK_PALETTE",
    "UNKNOWN_COLOR",
    "controller_colors",
]

#: Okabe & Ito (2008) without black, then Paul Tol's "muted" scheme (2021).
FALLBACK_PALETTE: tuple[str, ...] = (
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#332288",
    "#88CCEE",
    "#44AA99",
    "#117733",
    "#999933",
    "#DDCC77",
    "#CC6677",
    "#882255",
    "#AA4499",
)

#: Elements nobody is known to hold (Paul Tol's "bad data" grey).
UNKNOWN_COLOR = "#BBBBBB"
#: Contested elements and the front-line mark drawn on contested segments.
CONTESTED_COLOR = "#222222"

# Two colours closer than this (Euclidean distance in RGB, 0..sqrt(3)) read as one.
_TOO_CLOSE = 0.12


def _close(a: str, b: str) -> bool:
    ra, rb = to_rgb(a), to_rgb(b)
    return bool(math.dist(ra, rb) < _TOO_CLOSE)


def _reserved() -> list[str]:
    return [UNKNOWN_COLOR, CONTESTED_COLOR]


def _extra(index: int) -> str:
    """Colours beyond the palette: golden-angle hues at two lightnesses (still distinct)."""
    hue = (index * 0.381966) % 1.0
    light = 0.45 if index % 2 == 0 else 0.62
    return to_hex(colorsys.hls_to_rgb(hue, light, 0.65))


def _fill(wanted: Sequence[str], colors: dict[str, str]) -> None:
    """Give each id in ``wanted`` without a colour the next free fallback colour."""
    used = [*colors.values(), *_reserved()]
    candidates = iter(FALLBACK_PALETTE)
    extra = 0
    for ident in wanted:
        if ident in colors:
            continue
        for candidate in candidates:
            if not any(_close(candidate, u) for u in used):
                break
        else:
            while True:
                candidate = _extra(extra)
                extra += 1
                if not any(_close(candidate, u) for u in used):
                    break
        colors[ident] = to_hex(candidate)
        used.append(candidate)


def controller_colors(
    parties: Iterable[Party], blocs: Iterable[Bloc] = (), *, by: str = "party"
) -> dict[str, str]:
    """A colour (``#rrggbb``) for every party and, with ``by="bloc"``, every bloc.

    Parties keep the colour the data gives them; the others get fallback colours in
    order of id. A bloc takes the colour of its first member (in data order) that has
    one, unless an earlier bloc (by id) took it; otherwise a fallback colour.

    Examples
    --------
    >>> from control_graph.model.records import Party
    >>> colors = controller_colors([Party("b"), Party("a", color="#0072b2")])
    >>> colors["a"], colors["b"]
    ('#0072b2', '#e69f00')
    """
    party_list = sorted(parties, key=lambda p: p.id)
    colors: dict[str, str] = {p.id: to_hex(p.color) for p in party_list if p.color}
    _fill([p.id for p in party_list], colors)
    if by != "bloc":
        return colors
    bloc_list = sorted(blocs, key=lambda b: b.id)
    given = {p.id: to_hex(p.color) for p in party_list if p.color}
    taken: set[str] = set()
    bloc_colors: dict[str, str] = {}
    for bloc in bloc_list:
        for member in bloc.members:
            color = given.get(member.party)
            if color is not None and color not in taken:
                bloc_colors[bloc.id] = color
                taken.add(color)
                break
    merged = {**colors, **bloc_colors}
    _fill([b.id for b in bloc_list], merged)
    return merged
