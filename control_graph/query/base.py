"""What every part of :class:`~control_graph.query.Model` shares: the database, the
scenario it answers in, reading and writing transactions, and name lookup."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Self

from sqlalchemy.engine import Connection, Engine

from control_graph.errors import UnknownElementError
from control_graph.model.timeline import ELEMENT_TYPES, ElementType
from control_graph.store import db
from control_graph.store.names import holds_nothing, resolve
from control_graph.store.scenarios import REPORTED, Overlay, overlay_for

if TYPE_CHECKING:
    from control_graph.store.audit import Audit

__all__ = ["ModelBase"]


class ModelBase:
    """A database, seen as the reported data or as one scenario."""

    def __init__(self, engine: Engine, scenario_name: str | None = None) -> None:
        self.engine = engine
        #: The scenario this model answers in; ``None`` for the reported data.
        self.scenario_name = scenario_name
        self._names: dict[tuple[str, ...], dict[str, tuple[str, str]]] = {}

    def __repr__(self) -> str:
        return f"Model({self.url!r}, scenario={self.label!r})"

    @property
    def url(self) -> str:
        """The database URL, without its password."""
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def label(self) -> str:
        """``reported`` or the scenario's name."""
        return self.scenario_name or REPORTED

    @property
    def schema_revision(self) -> str:
        """The schema revision this version of control-graph creates and reads."""
        return db.HEAD_REVISION

    @contextmanager
    def _reading(self) -> Iterator[tuple[Connection, Overlay]]:
        with db.translate_errors(self.engine), self.engine.connect() as conn:
            yield conn, overlay_for(conn, self.scenario_name)

    @contextmanager
    def _writing(self) -> Iterator[tuple[Connection, Overlay]]:
        with db.write_transaction(self.engine) as conn:
            yield conn, overlay_for(conn, self.scenario_name)

    @contextmanager
    def audit(self) -> Iterator[Audit]:
        """The data-quality readings of what this model sees (for ``control-graph check``)."""
        from control_graph.store.audit import Audit

        with self._reading() as (conn, overlay):
            yield Audit(conn, overlay)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- names --------------------------------------------------------------------------

    def resolve(
        self, text: str, kinds: tuple[str, ...] = ("place", "segment", "road")
    ) -> tuple[str, str]:
        """``(kind, id)`` of the element (or party, bloc) an id, name or alias means.

        Raises
        ------
        UnknownElementError
            When nothing has that id or name (``candidates`` lists similar ones).
        AmbiguousNameError
            When several elements have that name (``candidates`` lists them).
        """
        cache = self._names.setdefault(kinds, {})
        if text not in cache:
            with self._reading() as (conn, overlay):
                try:
                    cache[text] = resolve(conn, text, kinds, overlay)
                except UnknownElementError:
                    if holds_nothing(conn):
                        raise UnknownElementError(self._empty_message()) from None
                    raise
        return cache[text]

    def _empty_message(self) -> str:
        url = self.engine.url
        if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
            path = Path(url.database)
            where = (
                f"the database {path.name} in this folder"
                if path.resolve().parent == Path.cwd().resolve()
                else f"the database {path}"
            )
        else:
            where = f"the database {self.url}"
        return (
            f"{where} holds no data; run `control-graph quickstart` to load the sample, "
            "or `control-graph import FILE`"
        )

    def _resolve_element(self, text: str) -> tuple[ElementType, str]:
        kind, ident = self.resolve(text)
        return ELEMENT_TYPES[kind], ident
