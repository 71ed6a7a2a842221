"""How names are compared."""

from __future__ import annotations

__all__ = ["name_key"]


def name_key(name: str) -> str:
    """How names are compared: without regard to case or repeated spaces (the form
    stored beside every name and alias).

    >>> name_key("  Hpakant-Indawgyi   Route ")
    'hpakant-indawgyi route'
    """
    return " ".join(name.casefold().split())
