"""Fonts for place names in every script, with matplotlib's per-glyph fallback.

matplotlib's DejaVu Sans covers Latin, Greek and Cyrillic; the Noto fonts shipped in
``control_graph/data/fonts`` (OFL 1.1, see the README there) add Myanmar, Arabic and
Thai. matplotlib (3.6 and later) takes each glyph from the first family in
``font.family`` that has it, and from 3.11 shapes text with libraqm, so Burmese stacks
and reorders and Arabic joins and runs right to left.

The plots draw inside :func:`script_fonts`, which puts the fallbacks after the
user's own families for the texts made inside it, without changing matplotlib's
settings outside it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache, wraps
from importlib import resources
from typing import ParamSpec, TypeVar

import matplotlib as mpl
from matplotlib import font_manager

__all__ = ["FALLBACK_FAMILIES", "font_families", "script_fonts", "with_script_fonts"]

#: The shipped fallback families, in the order matplotlib tries them.
FALLBACK_FAMILIES = ("Noto Sans Myanmar", "Noto Sans Arabic", "Noto Sans Thai")

P = ParamSpec("P")
R = TypeVar("R")


@lru_cache(maxsize=1)
def _register() -> None:
    """Add the shipped fonts to matplotlib's font manager (once per process)."""
    folder = resources.files("control_graph") / "data" / "fonts"
    for item in sorted(folder.iterdir(), key=lambda entry: entry.name):
        if item.name.endswith(".ttf"):
            with resources.as_file(item) as path:
                font_manager.fontManager.addfont(str(path))


def font_families() -> list[str]:
    """The user's ``font.family`` followed by the shipped fallbacks (registered first).

    Examples
    --------
    >>> font_families()[-3:]
    ['Noto Sans Myanmar', 'Noto Sans Arabic', 'Noto Sans Thai']
    """
    _register()
    own = [name for name in mpl.rcParams["font.family"] if name not in FALLBACK_FAMILIES]
    return [*own, *FALLBACK_FAMILIES]


@contextmanager
def script_fonts() -> Iterator[list[str]]:
    """Texts made inside this context fall back to the shipped fonts; yields the families."""
    families = font_families()
    with mpl.rc_context({"font.family": families}):
        yield families


def with_script_fonts(function: Callable[P, R]) -> Callable[P, R]:
    """Run ``function`` (a plot) inside :func:`script_fonts`."""

    @wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with script_fonts():
            return function(*args, **kwargs)

    return wrapper
