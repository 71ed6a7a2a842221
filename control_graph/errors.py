"""Exceptions raised by control-graph.

Every error the library raises on purpose derives from :class:`ControlGraphError`, so a
script can catch one class, and the command line can turn any of them into a one-line
message and exit status 2 instead of a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AmbiguousNameError",
    "ControlGraphError",
    "DatabaseBusyError",
    "DatabaseError",
    "DatasetError",
    "DatasetIssue",
    "InvalidArgumentError",
    "NoPathError",
    "UnknownElementError",
]


class ControlGraphError(Exception):
    """Root of every error raised by control-graph."""


class InvalidArgumentError(ControlGraphError, ValueError):
    """An argument to a question is malformed (a bad date, an unknown option value)."""


class UnknownElementError(ControlGraphError, LookupError):
    """No element, party or bloc has the given id, name or alias.

    ``candidates`` lists near matches, ``(id, kind, name)``, that the user may have meant.
    """

    def __init__(self, message: str, candidates: list[tuple[str, str, str]] | None = None) -> None:
        super().__init__(message)
        self.candidates = candidates or []


class AmbiguousNameError(UnknownElementError):
    """More than one element has the given name or alias; ``candidates`` lists them."""


class NoPathError(ControlGraphError):
    """A valid question without an answer: no path joins the two places.

    The command line exits with status 1 for this one, not 2: the question was fine.
    """


@dataclass(frozen=True)
class DatasetIssue:
    """One problem found in a dataset file.

    ``entry`` names the entry the way a person would look for it, e.g. ``events[3]``
    or ``places[2] (id 'lonton')``; ``line`` is the line in the file where the format
    has lines (YAML and CSV), else ``None``.
    """

    file: str
    entry: str
    field: str | None
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        field = f", field '{self.field}'" if self.field else ""
        return f"{where}: {self.entry}{field}: {self.message}"


class DatasetError(ControlGraphError):
    """A dataset file could not be imported; nothing was written.

    ``issues`` holds every problem found (validation collects them all rather than
    stopping at the first), each naming the file, the entry, the line and the field.
    """

    def __init__(self, issues: list[DatasetIssue], *, total: int | None = None) -> None:
        self.issues = list(issues)
        #: How many problems were found; ``issues`` keeps only the first thousand.
        self.total = total if total is not None else len(self.issues)
        shown = "\n".join(f"  {issue}" for issue in self.issues[:50])
        more = self.total - min(len(self.issues), 50)
        tail = f"\n  ... and {more} more" if more > 0 else ""
        count = self.total
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"import failed, nothing was written ({count} {noun}):\n{shown}{tail}")


class DatabaseError(ControlGraphError):
    """The database could not be opened, migrated, read or written."""


class DatabaseBusyError(DatabaseError):
    """Another process held the database for longer than the busy timeout."""
