"""Ids in batches, one ``IN (...)`` list each, so that no query passes a backend's
limit on bound parameters."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

__all__ = ["CHUNK", "chunks"]

T = TypeVar("T")

#: Ids per IN (...) list; well under every backend's limit on bound parameters.
CHUNK = 900


def chunks(ids: Iterable[T]) -> Iterator[list[T]]:
    """``ids`` in lists of at most :data:`CHUNK`, in their order."""
    batch: list[T] = []
    for ident in ids:
        batch.append(ident)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch
