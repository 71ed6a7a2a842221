"""Checking one field at a time, collecting every problem.

:class:`FieldChecker` holds what every check needs -- the file's name, the problems
found so far, the ids known -- and one method per kind of field value (text, id, date,
number, reference, ...). A failed check records its problem, naming the file, the
entry, its line and the field, and raises :class:`Skip` so that the caller carries on
with the next field: an analyst fixing a file wants the whole list at once.

A CSV of a million events may come through here once per row, so the checks do no more
than they must: patterns are compiled once, choices are sets, and the costly parts of a
message (close-match suggestions) are only made for the first screenful of problems.
"""

from __future__ import annotations

import datetime as dt
import difflib
import itertools
import math
import re
import reprlib
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any, Protocol

from control_graph.dataset.fields import SECTION_NOUNS, Field, FieldType
from control_graph.dataset.raw import RawEntry
from control_graph.errors import DatasetIssue, InvalidArgumentError
from control_graph.model.dates import parse_date
from control_graph.model.records import (
    Access,
    Bloc,
    Event,
    Incident,
    Membership,
    Party,
    Place,
    Road,
    Segment,
    Source,
)

__all__ = [
    "MAX_ISSUES",
    "SLUG",
    "Definition",
    "Existing",
    "FieldChecker",
    "Record",
    "Skip",
    "field_name",
    "short",
    "suggest",
    "type_name",
]

SLUG = re.compile(r"[a-z0-9][a-z0-9._-]*")
# A road given by places names its segments <road-id>/1, <road-id>/2, ...
SEGMENT_REF = re.compile(r"[a-z0-9][a-z0-9._-]*(?:/[1-9][0-9]*)?")
MAX_ID_LENGTH = 200
#: The longest colour the database stores (parties.color is 50 characters).
MAX_COLOR_LENGTH = 50
COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})|[a-zA-Z]+")
#: Problems kept in full; past this they are only counted (a million bad rows of a CSV
#: must not become a million messages in memory).
MAX_ISSUES = 1000
#: Problems that get a "did you mean" suggestion (a fuzzy search each).
MAX_HINTS = 50
# Neither can be stored: PostgreSQL refuses NUL in text, and no database driver can
# encode a lone surrogate (which JSON "\ud800" and YAML escapes can produce).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_SHORT = reprlib.Repr()
_SHORT.maxstring = 60
_SHORT.maxother = 60
_SHORT.maxlevel = 2
_SHORT.maxlist = _SHORT.maxdict = 4
short = _SHORT.repr

Definition = Party | Bloc | Place | Road | Segment | Source
#: A record with an id of its own that a retraction may name (contract section 4.3).
Record = Event | Incident | Access
# How a kind of reference is named in a message, where not by its own name.
_KIND_WORDS = {"record": "event, incident or access record"}


class Existing(Protocol):
    """What validation needs to know about the database it imports into."""

    def ids(self, kind: str) -> set[str]:
        """Every id of that kind (party, bloc, place, road, segment, source)."""

    def definitions(self, kind: str, ids: Iterable[str]) -> dict[str, Definition]:
        """The stored definitions of those ids that exist."""

    def memberships(self) -> list[Membership]:
        """Every stored bloc membership."""

    def records(self, ids: Iterable[str]) -> dict[str, Record]:
        """The stored events, incidents and access records with those ids."""


class Skip(Exception):
    """The field is invalid; its issue is recorded; carry on with the next field."""


class FieldChecker:
    """The problems of one file, and a check for each kind of field value."""

    def __init__(self, file: str, existing: Existing) -> None:
        self.file = file
        self.existing = existing
        self.issues: list[DatasetIssue] = []
        #: Problems found after :data:`MAX_ISSUES`, counted but not kept.
        self.unlisted = 0
        self._ids_cache: dict[str, set[str]] = {}
        #: The ids the file defines, by kind (known before any reference is checked).
        self.new_ids: dict[str, set[str]] = defaultdict(set)
        self._days: dict[str, dt.date] = {}

    # -- reporting --------------------------------------------------------------------
    def report(
        self, entry: RawEntry | str, field_name: str | None, message: str, line: int | None = None
    ) -> None:
        if len(self.issues) >= MAX_ISSUES:
            self.unlisted += 1
            summary = DatasetIssue(
                self.file,
                "file",
                None,
                f"... and {self.unlisted:,} more problems, not listed; "
                "fix those above and import again",
            )
            if self.unlisted == 1:
                self.issues.append(summary)
            else:
                self.issues[-1] = summary
            return
        if isinstance(entry, RawEntry):
            label = self.label(entry)
            line = line if line is not None else entry.line_of(field_name)
            if field_name is not None:
                field_name = entry.field_prefix + field_name
        else:
            label = entry
        self.issues.append(DatasetIssue(self.file, label, field_name, message, line))

    @property
    def problem_count(self) -> int:
        """Every problem found, listed in :attr:`issues` or only counted."""
        return len(self.issues) - (1 if self.unlisted else 0) + self.unlisted

    @staticmethod
    def label(entry: RawEntry) -> str:
        if entry.label is not None:
            return entry.label
        if entry.section == "file":
            return "file"
        singular = SECTION_NOUNS.get(entry.section, entry.section)
        ident = entry.values.get("id")
        if isinstance(ident, str) and ident and len(ident) <= 60 and ident.isprintable():
            return f"{singular} '{ident}'"
        return f"{singular} #{entry.index + 1}"

    # -- fields -------------------------------------------------------------------------

    def _fail(self, entry: RawEntry, name: str, message: str) -> Skip:
        self.report(entry, name, message)
        return Skip()

    def _checked_text(self, entry: RawEntry, name: str, value: str) -> str:
        if "\x00" in value or (not value.isascii() and _UNSTORABLE.search(value)):
            raise self._fail(entry, name, unstorable(value))
        return value

    def text(self, entry: RawEntry, name: str, *, required: bool = False) -> str | None:
        value = entry.values.get(name)
        if type(value) is str:
            # _checked_text, inlined: this runs for several fields of every CSV row.
            if "\x00" in value or (not value.isascii() and _UNSTORABLE.search(value)):
                raise self._fail(entry, name, unstorable(value))
            return value
        if value is None:
            if required:
                raise self._fail(entry, name, "is required")
            return None
        raise self._fail(
            entry,
            name,
            f"must be text, not {type_name(value)} {short(value)}; put it in quotes",
        )

    def slug(
        self, entry: RawEntry, name: str, *, required: bool = False, pattern: re.Pattern[str] = SLUG
    ) -> str | None:
        value = self.text(entry, name, required=required)
        if value is None:
            return None
        if len(value) > MAX_ID_LENGTH or not pattern.fullmatch(value):
            raise self._fail(
                entry,
                name,
                f"{short(value)} is not a valid id (lower-case letters, digits, '.', '_' "
                f"and '-', starting with a letter or digit, at most {MAX_ID_LENGTH} characters)",
            )
        return value

    def date(self, entry: RawEntry, name: str, *, required: bool = False) -> dt.date | None:
        value = entry.values.get(name)
        if value is None:
            if required:
                raise self._fail(entry, name, "is required")
            return None
        if not isinstance(value, str):
            # Records made in Python (a scenario's events) give days as dates.
            if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                return value
            raise self._fail(
                entry,
                name,
                f"must be a date YYYY-MM-DD, not {type_name(value)} {short(value)}",
            )
        if len(value) > 40:
            raise self._fail(
                entry, name, f"invalid date: {short(value)} is not of the form YYYY-MM-DD"
            )
        try:
            return self.day(value)
        except InvalidArgumentError as error:
            raise self._fail(entry, name, f"invalid date: {error}") from None

    def day(self, text: str) -> dt.date:
        """The day ``text`` names (:func:`~control_graph.model.dates.parse_date`), each
        distinct text parsed once: a large file repeats the same few thousand days."""
        found = self._days.get(text)
        if found is None:
            found = self._days[text] = parse_date(text)
        return found

    def number(
        self,
        entry: RawEntry,
        name: str,
        *,
        low: float | None = None,
        high: float | None = None,
    ) -> float | None:
        value = entry.values.get(name)
        return None if value is None else self._number(entry, name, value, low, high)

    def _number(
        self, entry: RawEntry, name: str, value: Any, low: float | None, high: float | None
    ) -> float:
        if isinstance(value, str):
            try:
                # Python's float() also takes "1_000"; a file should not.
                if "_" in value:
                    raise ValueError(value)
                value = float(value)
            except ValueError:
                raise self._fail(entry, name, f"{short(value)} is not a number") from None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._fail(entry, name, f"must be a number, not {type_name(value)}")
        try:
            number = float(value)
        except OverflowError:
            raise self._fail(entry, name, "is far too large a number") from None
        if not math.isfinite(number):
            raise self._fail(entry, name, "must be a finite number")
        if low is not None and number < low:
            bound = f"from {low:g} to {high:g}" if high is not None else f"at least {low:g}"
            raise self._fail(entry, name, f"{number:g} is out of range: must be {bound}")
        if high is not None and number > high:
            bound = f"from {low:g} to {high:g}" if low is not None else f"at most {high:g}"
            raise self._fail(entry, name, f"{number:g} is out of range: must be {bound}")
        return number

    def names(self, entry: RawEntry, name: str) -> tuple[str, ...]:
        value = entry.values.get(name)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self._fail(entry, name, "must be a list of names (non-empty text)")
        for i, item in enumerate(value):
            self._checked_text(entry, f"{name}[{i}]", item)
        return tuple(value)

    def id_list(
        self, entry: RawEntry, name: str, pattern: re.Pattern[str] = SLUG
    ) -> tuple[str, ...]:
        value = entry.values.get(name)
        if not isinstance(value, list) or not value:
            raise self._fail(entry, name, "must be a non-empty list of ids")
        bad = False
        for i, item in enumerate(value):
            if (
                not isinstance(item, str)
                or len(item) > MAX_ID_LENGTH
                or not pattern.fullmatch(item)
            ):
                self.report(entry, f"{name}[{i}]", f"{short(item)} is not a valid id")
                bad = True
        if bad:
            raise Skip()
        return tuple(value)

    def attributes(self, entry: RawEntry) -> dict[str, Any]:
        value = entry.values.get("attributes")
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self._fail(entry, "attributes", "must be a mapping of names to values")
        problem = json_problem(value)
        if problem:
            raise self._fail(entry, "attributes", problem)
        return value

    def choice(self, entry: RawEntry, name: str, allowed: Collection[str]) -> str | None:
        value = self.text(entry, name)
        if value is not None and value not in allowed:
            raise self._fail(entry, name, f"{short(value)} is not one of: {', '.join(allowed)}")
        return value

    def color(self, entry: RawEntry, name: str) -> str | None:
        value = self.text(entry, name)
        if value is not None and (len(value) > MAX_COLOR_LENGTH or not COLOR.fullmatch(value)):
            raise self._fail(
                entry, name, f"{short(value)} is not a colour like '#2e7d32' or 'teal'"
            )
        return value

    def check_field(self, entry: RawEntry, field: Field) -> Any:
        """The value of one field of :data:`~control_graph.dataset.fields.RECORD_KINDS`,
        checked as its type says."""
        key = field.key
        match field.type:
            case FieldType.TEXT:
                return self.text(entry, key, required=field.required)
            case FieldType.ID:
                return self.slug(entry, key, required=field.required)
            case FieldType.DATE:
                return self.date(entry, key, required=field.required)
            case FieldType.NUMBER:
                return self.number(entry, key, low=field.low, high=field.high)
            case FieldType.NAMES:
                return self.names(entry, key)
            case FieldType.COLOR:
                return self.color(entry, key)
            case FieldType.CHOICE:
                return self.choice(entry, key, field.choices)
            case FieldType.ATTRIBUTES:
                return self.attributes(entry)
            case FieldType.REFERENCE if field.refers_to is not None:
                return self.reference(entry, key, field.refers_to, required=field.required)
        raise ValueError(f"the field {key!r} ({field.type}) needs a check of its own")

    def gather(
        self, entry: RawEntry, fields: Iterable[Field], *, skip: Collection[str] = ()
    ) -> dict[str, Any]:
        """Check every field (but those in ``skip``), so that all of one entry's problems
        are reported together; the values by attribute name."""
        values: dict[str, Any] = {}
        failed = False
        for field in fields:
            if field.key in skip:
                continue
            try:
                values[field.name] = self.check_field(entry, field)
            except Skip:
                failed = True
        if failed:
            raise Skip()
        return values

    def run_all(self, checks: Mapping[str, Callable[[], Any]]) -> dict[str, Any]:
        """Run every check, so one entry's problems are all reported together."""
        values: dict[str, Any] = {}
        failed = False
        for key, check in checks.items():
            try:
                values[key] = check()
            except Skip:
                failed = True
        if failed:
            raise Skip()
        return values

    # -- references ---------------------------------------------------------------------

    def known(self, kind: str) -> set[str]:
        cached = self._ids_cache.get(kind)
        if cached is None:
            cached = self.existing.ids(kind) | self.new_ids[kind]
            self._ids_cache[kind] = cached
        return cached

    def reference(
        self, entry: RawEntry, name: str, kind: str, *, required: bool = False
    ) -> str | None:
        value = entry.values.get(name)
        # Every id known is a valid one (or its definition failed and was reported).
        if type(value) is str and value in self.known(kind):
            return value
        pattern = SEGMENT_REF if kind == "segment" else SLUG
        value = self.slug(entry, name, required=required, pattern=pattern)
        if value is not None and value not in self.known(kind):
            what = _KIND_WORDS.get(kind, kind)
            raise self._fail(entry, name, f"unknown {what} {value!r}{self.hint(value, kind)}")
        return value

    def hint(self, value: str, kind: str) -> str:
        # Suggestions cost a fuzzy search each: only for the first screenful of problems.
        return suggest(value, self.known(kind)) if len(self.issues) < MAX_HINTS else ""

    # -- the whole file -----------------------------------------------------------------

    def check_keys(self, entry: RawEntry, allowed: tuple[str, ...]) -> bool:
        if not entry.is_mapping:
            what = type_name(entry.item)
            self.report(
                entry, None, f"must be a mapping (key: value), not {what} {short(entry.item)}"
            )
            return False
        ok = True
        for key in entry.values:
            if key not in allowed:
                hint = suggest(key, allowed) if len(self.issues) < MAX_HINTS else ""
                self.report(
                    entry,
                    field_name(key),
                    f"unknown key {short(key)}{hint}; allowed: {', '.join(allowed)}",
                    entry.lines.get(key),
                )
                ok = False
        return ok


def type_name(value: Any) -> str:
    return {
        bool: "true/false",
        int: "a number",
        float: "a number",
        list: "a list",
        dict: "a mapping",
        str: "text",
        type(None): "nothing",
    }.get(type(value), type(value).__name__)


def field_name(key: str) -> str:
    """A key from a file as a field name in a message: as typed when it can be shown."""
    return key if len(key) <= 60 and key.isprintable() else short(key)


def unstorable(value: str) -> str:
    what = "a NUL character" if "\x00" in value else "an unpaired surrogate (broken UTF-16)"
    return f"contains {what}, which cannot be stored: {short(value)}"


def json_problem(value: Any, depth: int = 0) -> str | None:
    if depth > 50:
        return "is nested too deeply"
    if isinstance(value, str):
        if "\x00" in value or (not value.isascii() and _UNSTORABLE.search(value)):
            return unstorable(value)
    elif isinstance(value, float) and not math.isfinite(value):
        return "holds a number that is not finite"
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"has a key {short(key)} that is not text"
            problem = json_problem(key, depth + 1) or json_problem(item, depth + 1)
            if problem:
                return problem
    elif isinstance(value, list):
        for item in value:
            problem = json_problem(item, depth + 1)
            if problem:
                return problem
    elif not isinstance(value, int | float | bool | type(None)):
        return f"holds a value of type {type(value).__name__}, which cannot be stored"
    return None


def suggest(value: str, options: Iterable[str]) -> str:
    """A 'did you mean' hint for a mistyped id or key."""
    if len(value) > MAX_ID_LENGTH:
        return ""
    close = difflib.get_close_matches(
        value, list(itertools.islice(options, 5000)), n=3, cutoff=0.75
    )
    return f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
