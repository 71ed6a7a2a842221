"""Colours for parties, blocs and states, shared by the plots and the web map.

A party's colour comes from the data (``color`` in the dataset). Parties without one
get a colour from a fixed colour-blind-safe palette -- Okabe & Ito's eight colours
without black, then Paul Tol's "muted" scheme -- assigned in order of party id, so the
same data always gets the same colours. A fallback colour too close to a colour the
data already uses is skipped. Grey is kept for ``unknown`` and near-black for
``contested``, so neither can be mistaken for a party.

The colour arithmetic is done here, without matplotlib (the web map must not import
it): ``#rgb``, ``#rrggbb`` and ``#rrggbbaa`` and the colour names a dataset may use
(CSS's named colours and matplotlib's one-letter names), all resolved to ``#rrggbb``.
"""

from __future__ import annotations

import colorsys
import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from control_graph.errors import InvalidArgumentError

if TYPE_CHECKING:
    from control_graph.model.records import Bloc, Party

__all__ = [
    "CONTESTED_COLOR",
    "FALLBACK_PALETTE",
    "UNKNOWN_COLOR",
    "controller_colors",
    "to_hex",
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
#: Contested elements.
CONTESTED_COLOR = "#222222"

# Two colours closer than this (Euclidean distance in RGB, 0..sqrt(3)) read as one.
_TOO_CLOSE = 0.12

# The named colours of CSS Color Level 4 (the names matplotlib accepts too).
_CSS_NAMES = """
aliceblue=f0f8ff antiquewhite=faebd7 aqua=00ffff aquamarine=7fffd4 azure=f0ffff
beige=f5f5dc bisque=ffe4c4 black=000000 blanchedalmond=ffebcd blue=0000ff
blueviolet=8a2be2 brown=a52a2a burlywood=deb887 cadetblue=5f9ea0 chartreuse=7fff00
chocolate=d2691e coral=ff7f50 cornflowerblue=6495ed cornsilk=fff8dc crimson=dc143c
cyan=00ffff darkblue=00008b darkcyan=008b8b darkgoldenrod=b8860b darkgray=a9a9a9
darkgreen=006400 darkgrey=a9a9a9 darkkhaki=bdb76b darkmagenta=8b008b
darkolivegreen=556b2f darkorange=ff8c00 darkorchid=9932cc darkred=8b0000
darksalmon=e9967a darkseagreen=8fbc8f darkslateblue=483d8b darkslategray=2f4f4f
darkslategrey=2f4f4f darkturquoise=00ced1 darkviolet=9400d3 deeppink=ff1493
deepskyblue=00bfff dimgray=696969 dimgrey=696969 dodgerblue=1e90ff firebrick=b22222
floralwhite=fffaf0 forestgreen=228b22 fuchsia=ff00ff gainsboro=dcdcdc ghostwhite=f8f8ff
gold=ffd700 goldenrod=daa520 gray=808080 green=008000 greenyellow=adff2f grey=808080
honeydew=f0fff0 hotpink=ff69b4 indianred=cd5c5c indigo=4b0082 ivory=fffff0 khaki=f0e68c
lavender=e6e6fa lavenderblush=fff0f5 lawngreen=7cfc00 lemonchiffon=fffacd
lightblue=add8e6 lightcoral=f08080 lightcyan=e0ffff lightgoldenrodyellow=fafad2
lightgray=d3d3d3 lightgreen=90ee90 lightgrey=d3d3d3 lightpink=ffb6c1 lightsalmon=ffa07a
lightseagreen=20b2aa lightskyblue=87cefa lightslategray=778899 lightslategrey=778899
lightsteelblue=b0c4de lightyellow=ffffe0 lime=00ff00 limegreen=32cd32 linen=faf0e6
magenta=ff00ff maroon=800000 mediumaquamarine=66cdaa mediumblue=0000cd
mediumorchid=ba55d3 mediumpurple=9370db mediumseagreen=3cb371 mediumslateblue=7b68ee
mediumspringgreen=00fa9a mediumturquoise=48d1cc mediumvioletred=c71585
midnightblue=191970 mintcream=f5fffa mistyrose=ffe4e1 moccasin=ffe4b5
navajowhite=ffdead navy=000080 oldlace=fdf5e6 olive=808000 olivedrab=6b8e23
orange=ffa500 orangered=ff4500 orchid=da70d6 palegoldenrod=eee8aa palegreen=98fb98
paleturquoise=afeeee palevioletred=db7093 papayawhip=ffefd5 peachpuff=ffdab9
peru=cd853f pink=ffc0cb plum=dda0dd powderblue=b0e0e6 purple=800080
rebeccapurple=663399 red=ff0000 rosybrown=bc8f8f royalblue=4169e1 saddlebrown=8b4513
salmon=fa8072 sandybrown=f4a460 seagreen=2e8b57 seashell=fff5ee sienna=a0522d
silver=c0c0c0 skyblue=87ceeb slateblue=6a5acd slategray=708090 slategrey=708090
snow=fffafa springgreen=00ff7f steelblue=4682b4 tan=d2b48c teal=008080 thistle=d8bfd8
tomato=ff6347 turquoise=40e0d0 violet=ee82ee wheat=f5deb3 white=ffffff
whitesmoke=f5f5f5 yellow=ffff00 yellowgreen=9acd32
"""
# matplotlib's one-letter colour names, which a dataset may also use.
_LETTERS = "b=0000ff g=008000 r=ff0000 c=00bfbf m=bf00bf y=bfbf00 k=000000 w=ffffff"
_NAMED: dict[str, str] = dict(pair.split("=") for pair in f"{_CSS_NAMES} {_LETTERS}".split())

RGB = tuple[float, float, float]


def _rgb(color: str) -> RGB:
    """Red, green and blue in 0..1 of a colour name or ``#`` hex code (alpha dropped)."""
    text = color.strip()
    if text.startswith("#"):
        digits = text[1:]
        if len(digits) in (3, 4):
            digits = "".join(d * 2 for d in digits)
        if len(digits) in (6, 8):
            try:
                r, g, b = (int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4))
            except ValueError:
                pass
            else:
                return r, g, b
    else:
        code = _NAMED.get(text) or _NAMED.get(text.lower())
        if code is not None:
            return _rgb(f"#{code}")
    raise InvalidArgumentError(f"{color!r} is not a colour like '#2e7d32' or 'teal'")


def _hex(rgb: RGB) -> str:
    return "#" + "".join(format(round(value * 255), "02x") for value in rgb)


def to_hex(color: str) -> str:
    """A colour name or hex code as ``#rrggbb``, in lower case.

    Examples
    --------
    >>> to_hex("#2E7D32"), to_hex("teal"), to_hex("#abc")
    ('#2e7d32', '#008080', '#aabbcc')
    """
    return _hex(_rgb(color))


def _close(a: str, b: str) -> bool:
    return math.dist(_rgb(a), _rgb(b)) < _TOO_CLOSE


def _extra(index: int) -> str:
    """Colours beyond the palette: golden-angle hues at two lightnesses (still distinct)."""
    hue = (index * 0.381966) % 1.0
    light = 0.45 if index % 2 == 0 else 0.62
    return _hex(colorsys.hls_to_rgb(hue, light, 0.65))


def _fill(wanted: Sequence[str], colors: dict[str, str]) -> None:
    """Give each id in ``wanted`` without a colour the next free fallback colour."""
    used = [*colors.values(), UNKNOWN_COLOR, CONTESTED_COLOR]
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


def _given(party: Party) -> str | None:
    if not party.color:
        return None
    try:
        return to_hex(party.color)
    except InvalidArgumentError as error:
        raise InvalidArgumentError(f"party {party.id}: {error}") from None


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
    given = {p.id: color for p in party_list if (color := _given(p)) is not None}
    colors = dict(given)
    _fill([p.id for p in party_list], colors)
    if by != "bloc":
        return colors
    taken: set[str] = set()
    bloc_colors: dict[str, str] = {}
    bloc_list = sorted(blocs, key=lambda b: b.id)
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
