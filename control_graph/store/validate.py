"""Validation: raw file entries to dataset records, collecting every problem.

Validation never stops at the first problem: an analyst fixing a file wants the whole
list at once. Each problem names the file, the entry, its line (where the format has
lines) and the field. Nothing is written unless the list is empty.

What is already in the database is consulted through :class:`Existing`, so that an
import may refer to places defined by an earlier one, and a definition repeated
identically is skipped while one that differs is an error.

A CSV of a million events goes through :meth:`Validator.validate_event` once per row,
so the per-row path does no more than it must: patterns are compiled once, choices are
sets, absent optional fields cost a dictionary lookup, and the costly parts of a
message (close-match suggestions) are only made for the first screenful of problems.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import functools
import itertools
import math
import re
import reprlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Protocol

from control_graph.errors import DatasetIssue, InvalidArgumentError
from control_graph.model.dates import parse_date
from control_graph.model.records import (
    SECTION_NOUNS,
    Bloc,
    Confidence,
    Dataset,
    Event,
    Incident,
    Membership,
    Party,
    Place,
    Road,
    Segment,
    Source,
    Target,
)
from control_graph.model.states import State, Status
from control_graph.store.files import RawDataset, RawEntry

__all__ = ["FORMAT", "KEYS", "MAX_ISSUES", "Existing", "Validated", "Validator"]

FORMAT = "control-graph/1"
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

TOP_KEYS = (
    "format",
    "name",
    "parties",
    "blocs",
    "places",
    "roads",
    "segments",
    "sources",
    "events",
    "incidents",
)
COMMON = ("note", "attributes")
KEYS: dict[str, tuple[str, ...]] = {
    "parties": ("id", "name", "aliases", "color", *COMMON),
    "blocs": ("id", "name", "aliases", "members", *COMMON),
    "places": ("id", "name", "aliases", "kind", "lat", "lon", *COMMON),
    "roads": ("id", "name", "aliases", "places", "lengths_km", "segments", *COMMON),
    "segments": ("id", "name", "aliases", "from", "to", "length_km", *COMMON),
    "sources": ("id", "name", "url", "published", *COMMON),
    "events": (
        "date",
        "place",
        "segment",
        "road",
        "party",
        "status",
        "kind",
        "source",
        "confidence",
        "recorded",
        *COMMON,
    ),
    "incidents": (
        "date",
        "place",
        "segment",
        "road",
        "party",
        "kind",
        "source",
        "confidence",
        "recorded",
        *COMMON,
    ),
}
MEMBER_KEYS = ("party", "from", "to", "note")
SINGULAR = SECTION_NOUNS
# Which kind of definition a reference field points at.
KIND_OF_SECTION = {
    "parties": "party",
    "blocs": "bloc",
    "places": "place",
    "roads": "road",
    "segments": "segment",
    "sources": "source",
}
_TARGETS = tuple((target, target.value) for target in Target)
# What an event may assert; "divided" only ever describes a road's summary.
_STATUS_OF = {s.value: s for s in (Status.HELD, Status.CONTESTED, Status.UNKNOWN)}
_CONFIDENCE_OF = {confidence.value: confidence for confidence in Confidence}

Definition = Party | Bloc | Place | Road | Segment | Source


class Existing(Protocol):
    """What validation needs to know about the database it imports into."""

    def ids(self, kind: str) -> set[str]:
        """Every id of that kind (party, bloc, place, road, segment, source)."""

    def definitions(self, kind: str, ids: Iterable[str]) -> dict[str, Definition]:
        """The stored definitions of those ids that exist."""

    def memberships(self) -> list[Membership]:
        """Every stored bloc membership."""


@dataclass
class Validated:
    """A validated dataset: what to write, and what was skipped as already stored."""

    dataset: Dataset
    skipped: dict[str, int] = field(default_factory=dict)


class _Skip(Exception):
    """The field is invalid; its issue is recorded; carry on with the next field."""


class Validator:
    """Checks one file's entries and turns them into records."""

    def __init__(self, file: str, existing: Existing) -> None:
        self.file = file
        self.existing = existing
        self.issues: list[DatasetIssue] = []
        #: Problems found after :data:`MAX_ISSUES`, counted but not kept.
        self.unlisted = 0
        #: The problems that are definitions differing from those stored under their ids.
        self.conflicts: list[DatasetIssue] = []
        self._ids_cache: dict[str, set[str]] = {}
        self.new_ids: dict[str, set[str]] = defaultdict(set)
        # (result, key in the entry or None when always checked, check, its arguments):
        # built once, not per event.
        self._common_checks: tuple[tuple[str, str | None, Callable[..., Any], tuple[Any, ...]], ...]
        self._common_checks = (
            ("date", None, functools.partial(self.date, required=True), ("date",)),
            ("target", None, self._target, ()),
            ("party", "party", self.reference, ("party", "party")),
            ("kind", "kind", self.text, ("kind",)),
            ("source", "source", self.reference, ("source", "source")),
            ("confidence", "confidence", self.choice, ("confidence", _CONFIDENCE_OF)),
            ("recorded", "recorded", self.date, ("recorded",)),
            ("note", "note", self.text, ("note",)),
            ("attributes", "attributes", self.attributes, ()),
        )

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
        singular = SINGULAR.get(entry.section, entry.section)
        ident = entry.values.get("id")
        if isinstance(ident, str) and ident and len(ident) <= 60 and ident.isprintable():
            return f"{singular} '{ident}'"
        return f"{singular} #{entry.index + 1}"

    # -- fields -------------------------------------------------------------------------

    def _fail(self, entry: RawEntry, name: str, message: str) -> _Skip:
        self.report(entry, name, message)
        return _Skip()

    def _checked_text(self, entry: RawEntry, name: str, value: str) -> str:
        if "\x00" in value or (not value.isascii() and _UNSTORABLE.search(value)):
            raise self._fail(entry, name, _unstorable(value))
        return value

    def text(self, entry: RawEntry, name: str, *, required: bool = False) -> str | None:
        value = entry.values.get(name)
        if type(value) is str:
            # _checked_text, inlined: this runs for several fields of every CSV row.
            if "\x00" in value or (not value.isascii() and _UNSTORABLE.search(value)):
                raise self._fail(entry, name, _unstorable(value))
            return value
        if value is None:
            if required:
                raise self._fail(entry, name, "is required")
            return None
        raise self._fail(
            entry,
            name,
            f"must be text, not {_type_name(value)} {_SHORT.repr(value)}; put it in quotes",
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
                f"{_SHORT.repr(value)} is not a valid id (lower-case letters, digits, '.', '_' "
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
            raise self._fail(
                entry,
                name,
                f"must be a date YYYY-MM-DD, not {_type_name(value)} {_SHORT.repr(value)}",
            )
        if len(value) > 40:
            raise self._fail(
                entry, name, f"invalid date: {_SHORT.repr(value)} is not of the form YYYY-MM-DD"
            )
        try:
            return parse_date(value)
        except InvalidArgumentError as error:
            raise self._fail(entry, name, f"invalid date: {error}") from None

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
                raise self._fail(entry, name, f"{_SHORT.repr(value)} is not a number") from None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._fail(entry, name, f"must be a number, not {_type_name(value)}")
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
                self.report(entry, f"{name}[{i}]", f"{_SHORT.repr(item)} is not a valid id")
                bad = True
        if bad:
            raise _Skip()
        return tuple(value)

    def attributes(self, entry: RawEntry) -> dict[str, Any]:
        value = entry.values.get("attributes")
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self._fail(entry, "attributes", "must be a mapping of names to values")
        problem = _json_problem(value)
        if problem:
            raise self._fail(entry, "attributes", problem)
        return value

    def choice(self, entry: RawEntry, name: str, allowed: Mapping[str, Any]) -> str | None:
        value = self.text(entry, name)
        if value is not None and value not in allowed:
            raise self._fail(
                entry, name, f"{_SHORT.repr(value)} is not one of: {', '.join(allowed)}"
            )
        return value

    def _gather(self, checks: Mapping[str, Callable[[], Any]]) -> dict[str, Any]:
        """Run every check, so one entry's problems are all reported together."""
        values: dict[str, Any] = {}
        failed = False
        for key, check in checks.items():
            try:
                values[key] = check()
            except _Skip:
                failed = True
        if failed:
            raise _Skip()
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
            raise self._fail(entry, name, f"unknown {kind} {value!r}{self.hint(value, kind)}")
        return value

    def hint(self, value: str, kind: str) -> str:
        # Suggestions cost a fuzzy search each: only for the first screenful of problems.
        return _suggest(value, self.known(kind)) if len(self.issues) < MAX_HINTS else ""

    # -- the whole file -----------------------------------------------------------------

    def check_keys(self, entry: RawEntry, allowed: tuple[str, ...]) -> bool:
        if not entry.is_mapping:
            what = _type_name(entry.item)
            self.report(
                entry, None, f"must be a mapping (key: value), not {what} {_SHORT.repr(entry.item)}"
            )
            return False
        ok = True
        for key in entry.values:
            if key not in allowed:
                hint = _suggest(key, allowed) if len(self.issues) < MAX_HINTS else ""
                self.report(
                    entry,
                    _field_name(key),
                    f"unknown key {_SHORT.repr(key)}{hint}; allowed: {', '.join(allowed)}",
                    entry.lines.get(key),
                )
                ok = False
        return ok

    def dataset(self, raw: RawDataset) -> Validated:
        top = raw.top
        self.check_keys(top, TOP_KEYS)
        fmt = top.values.get("format")
        if fmt is not None and fmt != FORMAT:
            self.report(top, "format", f"{_SHORT.repr(fmt)} is not supported; use {FORMAT!r}")
        name = None
        with contextlib.suppress(_Skip):
            name = self.text(top, "name")
        for key in TOP_KEYS[2:]:
            if key in top.values and not isinstance(top.values[key], list | type(None)):
                self.report(top, key, f"must be a list, not {_type_name(top.values[key])}")
        sections = {key: raw.sections.get(key, []) for key in KEYS if key in top.values}
        dataset = Dataset(name=name)
        self._collect_ids(sections)
        builders: dict[str, Callable[[RawEntry], Any]] = {
            "parties": self.party,
            "blocs": self.bloc,
            "places": self.place,
            "sources": self.source,
            "segments": self.segment,
            "roads": self.road,
        }
        for section, build in builders.items():
            for entry in sections.get(section, []):
                if not self.check_keys(entry, KEYS[section]):
                    continue
                try:
                    built = build(entry)
                except _Skip:
                    continue
                if section == "roads":
                    road, generated = built
                    dataset.roads.append(road)
                    dataset.segments.extend(generated)
                else:
                    getattr(dataset, section).append(built)
        for entry in sections.get("events", []):
            if self.check_keys(entry, KEYS["events"]):
                with contextlib.suppress(_Skip):
                    dataset.events.append(self.event(entry))
        for entry in sections.get("incidents", []):
            if self.check_keys(entry, KEYS["incidents"]):
                with contextlib.suppress(_Skip):
                    dataset.incidents.append(self.incident(entry))
        self._check_memberships(dataset, sections.get("blocs", []))
        skipped = self._drop_stored(dataset, sections)
        return Validated(dataset, skipped)

    def _collect_ids(self, sections: Mapping[str, list[RawEntry]]) -> None:
        """Record every id the file defines (before references are checked, so order in
        the file does not matter) and report duplicates."""
        seen: dict[str, dict[str, RawEntry]] = defaultdict(dict)
        for section, kind in KIND_OF_SECTION.items():
            for entry in sections.get(section, []):
                ident = entry.values.get("id")
                if not isinstance(ident, str):
                    continue
                owners = [(kind, ident)]
                places = entry.values.get("places")
                if section == "roads" and isinstance(places, list):
                    owners += [("segment", f"{ident}/{i}") for i in range(1, len(places))]
                for owner_kind, owner_id in owners:
                    first = seen[owner_kind].get(owner_id)
                    if first is None:
                        seen[owner_kind][owner_id] = entry
                        self.new_ids[owner_kind].add(owner_id)
                        continue
                    where = (
                        f"line {first.line}"
                        if first.line
                        else f"{first.section} #{first.index + 1}"
                    )
                    generated = (
                        f" (generated by road {first.values['id']!r})"
                        if first.section == "roads" and owner_kind == "segment"
                        else ""
                    )
                    self.report(
                        entry,
                        "id",
                        f"duplicate {owner_kind} id {_SHORT.repr(owner_id)} "
                        f"(first defined at {where}{generated})",
                    )

    # -- definitions ----------------------------------------------------------------------

    def _color(self, entry: RawEntry) -> str | None:
        color = self.text(entry, "color")
        if color is not None and (len(color) > MAX_COLOR_LENGTH or not COLOR.fullmatch(color)):
            raise self._fail(
                entry,
                "color",
                f"{_SHORT.repr(color)} is not a colour like '#2e7d32' or 'teal'",
            )
        return color

    def party(self, entry: RawEntry) -> Party:
        v = self._gather(
            {
                "id": lambda: self.slug(entry, "id", required=True),
                "name": lambda: self.text(entry, "name"),
                "aliases": lambda: self.names(entry, "aliases"),
                "color": lambda: self._color(entry),
                "note": lambda: self.text(entry, "note"),
                "attributes": lambda: self.attributes(entry),
            }
        )
        return Party(v["id"], v["name"], v["aliases"], v["color"], v["note"], v["attributes"])

    def _member(self, entry: RawEntry, bloc: str | None, index: int, member: Any) -> Membership:
        where = f"members[{index}]"
        if not isinstance(member, dict):
            raise self._fail(
                entry, where, f"must be a mapping {{party, from, to}}, not {_type_name(member)}"
            )
        sub = RawEntry(
            entry.section,
            entry.index,
            member,
            entry.lines.get(where, entry.line_of("members")),
            {
                key: entry.lines[f"{where}.{key}"]
                for key in member
                if f"{where}.{key}" in entry.lines
            },
            self.label(entry),
            f"{where}.",
        )
        unknown = [key for key in member if key not in MEMBER_KEYS]
        for key in unknown:
            hint = _suggest(key, MEMBER_KEYS) if len(self.issues) < MAX_HINTS else ""
            self.report(
                sub,
                _field_name(key),
                f"unknown key {_SHORT.repr(key)}{hint}; allowed: {', '.join(MEMBER_KEYS)}",
                sub.lines.get(key),
            )
        v = self._gather(
            {
                "party": lambda: self.reference(sub, "party", "party", required=True),
                "from": lambda: self.date(sub, "from"),
                "to": lambda: self.date(sub, "to"),
                "note": lambda: self.text(sub, "note"),
            }
        )
        if unknown:
            raise _Skip()
        start, end = v["from"], v["to"]
        if start is not None and end is not None and start >= end:
            raise self._fail(sub, "to", f"{end} is not after from {start} (to is exclusive)")
        return Membership(v["party"], bloc or "", start, end, v["note"])

    def bloc(self, entry: RawEntry) -> Bloc:
        failed = False
        try:
            ident = self.slug(entry, "id", required=True)
        except _Skip:
            failed, ident = True, None
        members = entry.values.get("members")
        memberships = []
        if members is not None and not isinstance(members, list):
            self.report(entry, "members", "must be a list of {party, from, to}")
            failed = True
        for i, member in enumerate(members if isinstance(members, list) else []):
            try:
                memberships.append(self._member(entry, ident, i, member))
            except _Skip:
                failed = True
        try:
            v = self._gather(
                {
                    "name": lambda: self.text(entry, "name"),
                    "aliases": lambda: self.names(entry, "aliases"),
                    "note": lambda: self.text(entry, "note"),
                    "attributes": lambda: self.attributes(entry),
                }
            )
        except _Skip:
            failed = True
        if failed or ident is None:
            raise _Skip()
        return Bloc(ident, v["name"], v["aliases"], tuple(memberships), v["note"], v["attributes"])

    def place(self, entry: RawEntry) -> Place:
        v = self._gather(
            {
                "id": lambda: self.slug(entry, "id", required=True),
                "name": lambda: self.text(entry, "name"),
                "aliases": lambda: self.names(entry, "aliases"),
                "kind": lambda: self.text(entry, "kind"),
                "lat": lambda: self.number(entry, "lat", low=-90, high=90),
                "lon": lambda: self.number(entry, "lon", low=-180, high=180),
                "note": lambda: self.text(entry, "note"),
                "attributes": lambda: self.attributes(entry),
            }
        )
        lat, lon = v["lat"], v["lon"]
        if (lat is None) != (lon is None):
            given, missing = ("lat", "lon") if lon is None else ("lon", "lat")
            raise self._fail(
                entry, missing, f"is required when {given} is given (coordinates come in pairs)"
            )
        return Place(
            v["id"], v["name"], v["aliases"], v["kind"], lat, lon, v["note"], v["attributes"]
        )

    def source(self, entry: RawEntry) -> Source:
        v = self._gather(
            {
                "id": lambda: self.slug(entry, "id", required=True),
                "name": lambda: self.text(entry, "name"),
                "url": lambda: self.text(entry, "url"),
                "published": lambda: self.date(entry, "published"),
                "note": lambda: self.text(entry, "note"),
                "attributes": lambda: self.attributes(entry),
            }
        )
        return Source(v["id"], v["name"], v["url"], v["published"], v["note"], v["attributes"])

    def segment(self, entry: RawEntry) -> Segment:
        v = self._gather(
            {
                "id": lambda: self.slug(entry, "id", required=True),
                "from": lambda: self.reference(entry, "from", "place", required=True),
                "to": lambda: self.reference(entry, "to", "place", required=True),
                "length_km": lambda: self.number(entry, "length_km", low=0),
                "name": lambda: self.text(entry, "name"),
                "aliases": lambda: self.names(entry, "aliases"),
                "note": lambda: self.text(entry, "note"),
                "attributes": lambda: self.attributes(entry),
            }
        )
        return Segment(
            v["id"],
            v["from"],
            v["to"],
            v["length_km"],
            v["name"],
            v["aliases"],
            note=v["note"],
            attributes=v["attributes"],
        )

    def _road_segments(self, entry: RawEntry) -> tuple[str, ...]:
        if "lengths_km" in entry.values:
            raise self._fail(entry, "lengths_km", "only applies to a road given by places")
        segments = self.id_list(entry, "segments", SEGMENT_REF)
        bad = False
        for i, segment in enumerate(segments):
            if segment not in self.known("segment"):
                hint = self.hint(segment, "segment")
                self.report(entry, f"segments[{i}]", f"unknown segment {segment!r}{hint}")
                bad = True
        if bad:
            raise _Skip()
        return segments

    def _road_places(self, entry: RawEntry) -> tuple[tuple[str, ...], list[float | None]]:
        places = self.id_list(entry, "places")
        if len(places) < 2:
            raise self._fail(entry, "places", "a road needs at least two places")
        bad = False
        for i, place in enumerate(places):
            if place not in self.known("place"):
                hint = self.hint(place, "place")
                self.report(entry, f"places[{i}]", f"unknown place {place!r}{hint}")
                bad = True
        lengths: list[float | None] = [None] * (len(places) - 1)
        given = entry.values.get("lengths_km")
        if given is not None:
            if not isinstance(given, list) or len(given) != len(places) - 1:
                raise self._fail(
                    entry,
                    "lengths_km",
                    f"must be a list of {len(places) - 1} lengths, one per segment"
                    " (null where unknown)",
                )
            for i, length in enumerate(given):
                try:
                    if length is not None:
                        lengths[i] = self._number(entry, f"lengths_km[{i}]", length, 0, None)
                except _Skip:
                    bad = True
        if bad:
            raise _Skip()
        return places, lengths

    def road(self, entry: RawEntry) -> tuple[Road, list[Segment]]:
        has_places, has_segments = "places" in entry.values, "segments" in entry.values

        def neither_or_both() -> None:
            raise self._fail(
                entry,
                "places",
                "give exactly one of places (to generate segments)"
                " or segments (to chain existing ones)",
            )

        checks: dict[str, Callable[[], Any]] = {
            "id": lambda: self.slug(entry, "id", required=True),
            "name": lambda: self.text(entry, "name"),
            "aliases": lambda: self.names(entry, "aliases"),
            "note": lambda: self.text(entry, "note"),
            "attributes": lambda: self.attributes(entry),
        }
        if has_places == has_segments:
            checks["places"] = neither_or_both
        elif has_segments:
            checks["segments"] = lambda: self._road_segments(entry)
        else:
            checks["places"] = lambda: self._road_places(entry)
        v = self._gather(checks)
        ident, name, aliases = v["id"], v["name"], v["aliases"]
        note, attributes = v["note"], v["attributes"]
        if has_segments:
            return Road(ident, v["segments"], name, aliases, (), note, attributes), []
        places, lengths = v["places"]
        generated = [
            Segment(
                f"{ident}/{i}", places[i - 1], places[i], lengths[i - 1], road=ident, position=i
            )
            for i in range(1, len(places))
        ]
        road = Road(ident, tuple(s.id for s in generated), name, aliases, places, note, attributes)
        return road, generated

    # -- events and incidents -------------------------------------------------------------

    def _target(self, entry: RawEntry) -> tuple[Target, str]:
        values = entry.values
        given = [(target, key) for target, key in _TARGETS if values.get(key) is not None]
        if len(given) != 1:
            found = " and ".join(key for _, key in given) or "none"
            raise self._fail(
                entry, "place", f"needs exactly one of place, segment or road (found {found})"
            )
        target, key = given[0]
        value = self.reference(entry, key, key)
        assert value is not None
        return target, value

    def _common(self, entry: RawEntry) -> dict[str, Any]:
        """The fields events and incidents share, each checked even if another fails."""
        values = entry.values
        result: dict[str, Any] = {}
        failed = False
        for key, present, check, arguments in self._common_checks:
            if present is not None and values.get(present) is None:
                result[key] = None
                continue
            try:
                result[key] = check(entry, *arguments)
            except _Skip:
                failed = True
        if failed:
            raise _Skip()
        return result

    def event(self, entry: RawEntry) -> Event:
        status_failed = False
        try:
            status = self.choice(entry, "status", _STATUS_OF) or "held"
        except _Skip:
            status_failed, status = True, "held"
        failed = status_failed
        values: dict[str, Any] = {}
        try:
            values = self._common(entry)
        except _Skip:
            failed = True
        if not status_failed and status == "held" and entry.values.get("party") is None:
            explicit = "" if entry.values.get("status") is not None else " (the default)"
            self.report(entry, "party", f"is required when status is held{explicit}")
            failed = True
        if failed:
            raise _Skip()
        party = values["party"]
        state = State(_STATUS_OF[status], party if status == "held" else None)
        confidence = values["confidence"]
        target, target_id = values["target"]
        return Event(
            values["date"],
            target,
            target_id,
            state,
            party,
            values["kind"],
            values["source"],
            _CONFIDENCE_OF[confidence] if confidence else None,
            values["recorded"],
            values["note"],
            values["attributes"] or {},
        )

    def validate_event(self, entry: RawEntry) -> Event | None:
        """The event, or ``None`` after recording its problems."""
        try:
            return self.event(entry)
        except _Skip:
            return None

    def incident(self, entry: RawEntry) -> Incident:
        values = self._common(entry)
        confidence = values["confidence"]
        target, target_id = values["target"]
        return Incident(
            values["date"],
            target,
            target_id,
            values["party"],
            values["kind"],
            values["source"],
            _CONFIDENCE_OF[confidence] if confidence else None,
            values["recorded"],
            values["note"],
            values["attributes"] or {},
        )

    # -- against the database -----------------------------------------------------------

    def _check_memberships(self, dataset: Dataset, entries: list[RawEntry]) -> None:
        """A party may not be in two blocs on the same day."""
        new_blocs = {bloc.id for bloc in dataset.blocs}
        stored = [m for m in self.existing.memberships() if m.bloc not in new_blocs]
        by_party: dict[str, list[Membership]] = defaultdict(list)
        for membership in stored + [m for bloc in dataset.blocs for m in bloc.members]:
            by_party[membership.party].append(membership)
        by_id = {
            entry.values["id"]: entry
            for entry in entries
            if isinstance(entry.values.get("id"), str)
        }
        for party, memberships in by_party.items():
            for i, first in enumerate(memberships):
                for second in memberships[i + 1 :]:
                    if first.bloc != second.bloc and _overlap(first, second):
                        entry = by_id.get(second.bloc) or by_id.get(first.bloc)
                        stored_note = (
                            "" if first.bloc in new_blocs else " (already in the database)"
                        )
                        message = (
                            f"party {party!r} would be in two blocs at once: "
                            f"{first.bloc} {_span(first)}{stored_note} and "
                            f"{second.bloc} {_span(second)}"
                        )
                        if entry is not None:
                            self.report(entry, "members", message)
                        else:
                            self.report("blocs", "members", message)

    def _drop_stored(
        self, dataset: Dataset, sections: Mapping[str, list[RawEntry]]
    ) -> dict[str, int]:
        """Remove definitions already stored identically; report those that differ."""
        skipped: dict[str, int] = {}
        entries = {
            (KIND_OF_SECTION[section], entry.values["id"]): entry
            for section in KIND_OF_SECTION
            for entry in sections.get(section, [])
            if isinstance(entry.values.get("id"), str)
        }
        for section, kind in KIND_OF_SECTION.items():
            records: list[Definition] = getattr(dataset, section)
            if not records:
                continue
            stored = self.existing.definitions(kind, [r.id for r in records])
            if not stored:
                continue
            keep: list[Definition] = []
            for record in records:
                before = stored.get(record.id)
                if before is None:
                    keep.append(record)
                    continue
                if before != record:
                    entry = entries.get((kind, record.id))
                    if entry is None and isinstance(record, Segment) and record.road:
                        entry = entries.get(("road", record.road))
                    differs = _differences(before, record)
                    message = (
                        f"{kind} {record.id!r} is already in the database with a "
                        f"different {differs}; change the id or make them agree"
                    )
                    if entry is not None:
                        self.report(entry, "id", message)
                    else:
                        self.report(section, "id", message)
                    if not self.unlisted:
                        self.conflicts.append(self.issues[-1])
                skipped[section] = skipped.get(section, 0) + 1
            setattr(dataset, section, keep)
        return skipped


def _overlap(a: Membership, b: Membership) -> bool:
    a_start, b_start = a.start or dt.date.min, b.start or dt.date.min
    a_end, b_end = a.end or dt.date.max, b.end or dt.date.max
    return a_start < b_end and b_start < a_end


def _span(m: Membership) -> str:
    return f"({m.start or 'always'} to {m.end or 'open'})"


def _differences(before: Definition, after: Definition) -> str:
    names = [f.name for f in fields(before) if getattr(before, f.name) != getattr(after, f.name)]
    return ", ".join(names) or "definition"


def _type_name(value: Any) -> str:
    return {
        bool: "true/false",
        int: "a number",
        float: "a number",
        list: "a list",
        dict: "a mapping",
        str: "text",
        type(None): "nothing",
    }.get(type(value), type(value).__name__)


def _field_name(key: str) -> str:
    """A key from a file as a field name in a message: as typed when it can be shown."""
    return key if len(key) <= 60 and key.isprintable() else _SHORT.repr(key)


def _unstorable(value: str) -> str:
    what = "a NUL character" if "\x00" in value else "an unpaired surrogate (broken UTF-16)"
    return f"contains {what}, which cannot be stored: {_SHORT.repr(value)}"


def _json_problem(value: Any, depth: int = 0) -> str | None:
    if depth > 50:
        return "is nested too deeply"
    if isinstance(value, str):
        if "\x00" in value or (not value.isascii() and _UNSTORABLE.search(value)):
            return _unstorable(value)
    elif isinstance(value, float) and not math.isfinite(value):
        return "holds a number that is not finite"
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"has a key {_SHORT.repr(key)} that is not text"
            problem = _json_problem(key, depth + 1) or _json_problem(item, depth + 1)
            if problem:
                return problem
    elif isinstance(value, list):
        for item in value:
            problem = _json_problem(item, depth + 1)
            if problem:
                return problem
    elif not isinstance(value, int | float | bool | type(None)):
        return f"holds a value of type {type(value).__name__}, which cannot be stored"
    return None


def _suggest(value: str, options: Iterable[str]) -> str:
    """A 'did you mean' hint for a mistyped id or key."""
    if len(value) > MAX_ID_LENGTH:
        return ""
    close = difflib.get_close_matches(
        value, list(itertools.islice(options, 5000)), n=3, cutoff=0.75
    )
    return f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
