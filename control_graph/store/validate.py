"""Validation: raw file entries to dataset records, collecting every problem.

Validation never stops at the first problem: an analyst fixing a file wants the whole
list at once. Each problem names the file, the entry, its line (where the format has
lines) and the field. Nothing is written unless the list is empty.

What is already in the database is consulted through :class:`Existing`, so that an
import may refer to places defined by an earlier one, and a definition repeated
identically is skipped while one that differs is an error.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Protocol

from control_graph.errors import DatasetIssue, InvalidArgumentError
from control_graph.model.dates import parse_date
from control_graph.model.records import (
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

__all__ = ["FORMAT", "Existing", "Validated", "Validator"]

FORMAT = "control-graph/1"
SLUG = re.compile(r"[a-z0-9][a-z0-9._-]*")
# A road given by places names its segments <road-id>/1, <road-id>/2, ...
SEGMENT_REF = re.compile(r"[a-z0-9][a-z0-9._-]*(?:/[1-9][0-9]*)?")
MAX_ID_LENGTH = 200
COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})|[a-zA-Z]+")

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
SINGULAR = {
    "parties": "party",
    "blocs": "bloc",
    "places": "place",
    "roads": "road",
    "segments": "segment",
    "sources": "source",
    "events": "event",
    "incidents": "incident",
}
# Which kind of definition a reference field points at.
KIND_OF_SECTION = {
    "parties": "party",
    "blocs": "bloc",
    "places": "place",
    "roads": "road",
    "segments": "segment",
    "sources": "source",
}

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
        self._ids_cache: dict[str, set[str]] = {}
        self.new_ids: dict[str, set[str]] = defaultdict(set)

    # -- reporting --------------------------------------------------------------------

    def report(
        self, entry: RawEntry | str, field_name: str | None, message: str, line: int | None = None
    ) -> None:
        if isinstance(entry, RawEntry):
            label = self.label(entry)
            line = line if line is not None else entry.line_of(field_name)
            if field_name is not None:
                field_name = entry.field_prefix + field_name
        else:
            label = entry
        self.issues.append(DatasetIssue(self.file, label, field_name, message, line))

    @staticmethod
    def label(entry: RawEntry) -> str:
        if entry.label is not None:
            return entry.label
        if entry.section == "file":
            return "file"
        singular = SINGULAR.get(entry.section, entry.section)
        ident = entry.values.get("id")
        if isinstance(ident, str) and ident:
            return f"{singular} '{ident[:60]}'"
        return f"{singular} #{entry.index + 1}"

    # -- fields -------------------------------------------------------------------------

    def _fail(self, entry: RawEntry, name: str, message: str) -> _Skip:
        self.report(entry, name, message)
        return _Skip()

    def text(self, entry: RawEntry, name: str, *, required: bool = False) -> str | None:
        value = entry.values.get(name)
        if value is None:
            if required:
                raise self._fail(entry, name, "is required")
            return None
        if not isinstance(value, str):
            raise self._fail(
                entry, name, f"must be text, not {_type_name(value)} {value!r}; put it in quotes"
            )
        return value

    def slug(
        self, entry: RawEntry, name: str, *, required: bool = False, pattern: re.Pattern[str] = SLUG
    ) -> str | None:
        value = self.text(entry, name, required=required)
        if value is None:
            return None
        if not pattern.fullmatch(value) or len(value) > MAX_ID_LENGTH:
            raise self._fail(
                entry,
                name,
                f"{value[:80]!r} is not a valid id (lower-case letters, digits, '.', '_' "
                f"and '-', starting with a letter or digit, at most {MAX_ID_LENGTH} characters)",
            )
        return value

    def date(self, entry: RawEntry, name: str, *, required: bool = False) -> dt.date | None:
        value = entry.values.get(name)
        if value is None:
            if required:
                raise self._fail(entry, name, "is required")
            return None
        try:
            return parse_date(value)
        except InvalidArgumentError as error:
            raise self._fail(entry, name, f"invalid date: {error}") from None

    def number(
        self,
        entry: RawEntry,
        name: str,
        value: Any = None,
        *,
        low: float | None = None,
        high: float | None = None,
    ) -> float | None:
        value = entry.values.get(name) if value is None else value
        if value is None:
            return None
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                raise self._fail(entry, name, f"{value[:40]!r} is not a number") from None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._fail(entry, name, f"must be a number, not {_type_name(value)}")
        number = float(value)
        if not math.isfinite(number):
            raise self._fail(entry, name, "must be a finite number")
        if (low is not None and number < low) or (high is not None and number > high):
            raise self._fail(entry, name, f"{number} is outside {low}..{high}")
        return number

    def names(self, entry: RawEntry, name: str) -> tuple[str, ...]:
        value = entry.values.get(name)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self._fail(entry, name, "must be a list of names (text)")
        return tuple(value)

    def id_list(
        self, entry: RawEntry, name: str, pattern: re.Pattern[str] = SLUG
    ) -> tuple[str, ...]:
        value = entry.values.get(name)
        if not isinstance(value, list) or not value:
            raise self._fail(entry, name, "must be a non-empty list of ids")
        for item in value:
            if not isinstance(item, str) or not pattern.fullmatch(item):
                raise self._fail(entry, name, f"{item!r} is not a valid id")
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

    def choice(self, entry: RawEntry, name: str, options: Iterable[str]) -> str | None:
        value = self.text(entry, name)
        allowed = list(options)
        if value is not None and value not in allowed:
            raise self._fail(entry, name, f"{value[:40]!r} is not one of: {', '.join(allowed)}")
        return value

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
        pattern = SEGMENT_REF if kind == "segment" else SLUG
        value = self.slug(entry, name, required=required, pattern=pattern)
        if value is not None and value not in self.known(kind):
            raise self._fail(entry, name, f"unknown {kind} {value!r}{self.hint(value, kind)}")
        return value

    def hint(self, value: str, kind: str) -> str:
        # Suggestions cost a fuzzy search each: only for the first screenful of problems.
        return _suggest(value, self.known(kind)) if len(self.issues) < 50 else ""

    # -- the whole file -----------------------------------------------------------------

    def check_keys(self, entry: RawEntry, allowed: tuple[str, ...]) -> bool:
        if "" in entry.values and len(entry.values) == 1:
            self.report(entry, None, f"must be a mapping, not {_type_name(entry.values[''])}")
            return False
        ok = True
        for key in entry.values:
            if key not in allowed:
                self.report(
                    entry,
                    key,
                    f"unknown key {key!r}{_suggest(key, allowed)}; allowed: {', '.join(allowed)}",
                )
                ok = False
        return ok

    def dataset(self, raw: RawDataset) -> Validated:
        top = raw.top
        self.check_keys(top, TOP_KEYS)
        fmt = top.values.get("format")
        if fmt is not None and fmt != FORMAT:
            self.report(top, "format", f"{fmt!r} is not supported; use {FORMAT!r}")
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
                if section == "roads" and isinstance(entry.values.get("places"), list):
                    count = len(entry.values["places"]) - 1
                    owners += [("segment", f"{ident}/{i}") for i in range(1, count + 1)]
                for owner_kind, owner_id in owners:
                    first = seen[owner_kind].get(owner_id)
                    if first is not None:
                        self.report(
                            entry,
                            "id",
                            f"duplicate {owner_kind} id {owner_id!r} "
                            f"(first defined at line {first.line})"
                            if first.line
                            else f"duplicate {owner_kind} id {owner_id!r}",
                        )
                        continue
                    seen[owner_kind][owner_id] = entry
                    self.new_ids[owner_kind].add(owner_id)

    # -- definitions ----------------------------------------------------------------------

    def party(self, entry: RawEntry) -> Party:
        ident = self.slug(entry, "id", required=True)
        color = self.text(entry, "color")
        if color is not None and not COLOR.fullmatch(color):
            raise self._fail(entry, "color", f"{color[:40]!r} is not a colour like '#2e7d32'")
        assert ident is not None
        return Party(
            ident,
            self.text(entry, "name"),
            self.names(entry, "aliases"),
            color,
            self.text(entry, "note"),
            self.attributes(entry),
        )

    def bloc(self, entry: RawEntry) -> Bloc:
        ident = self.slug(entry, "id", required=True)
        assert ident is not None
        members = entry.values.get("members") or []
        if not isinstance(members, list):
            raise self._fail(entry, "members", "must be a list of {party, from, to}")
        memberships = []
        for i, member in enumerate(members):
            where = f"members[{i}]"
            sub = RawEntry(
                entry.section,
                entry.index,
                member if isinstance(member, dict) else {},
                entry.line_of("members"),
                {},
                self.label(entry),
                f"{where}.",
            )
            if not isinstance(member, dict):
                raise self._fail(entry, where, "must be a mapping {party, from, to}")
            for key in member:
                if key not in MEMBER_KEYS:
                    raise self._fail(
                        entry, f"{where}.{key}", f"unknown key; allowed: {', '.join(MEMBER_KEYS)}"
                    )
            party = self.reference(sub, "party", "party", required=True)
            start, end = self.date(sub, "from"), self.date(sub, "to")
            if start is not None and end is not None and start >= end:
                raise self._fail(entry, f"{where}.to", f"{end} is not after from {start}")
            assert party is not None
            note = self.text(sub, "note")
            memberships.append(Membership(party, ident, start, end, note))
        return Bloc(
            ident,
            self.text(entry, "name"),
            self.names(entry, "aliases"),
            tuple(memberships),
            self.text(entry, "note"),
            self.attributes(entry),
        )

    def place(self, entry: RawEntry) -> Place:
        ident = self.slug(entry, "id", required=True)
        assert ident is not None
        lat = self.number(entry, "lat", low=-90, high=90)
        lon = self.number(entry, "lon", low=-180, high=180)
        if (lat is None) != (lon is None):
            missing = "lon" if lon is None else "lat"
            raise self._fail(
                entry,
                missing,
                f"is required when {'lat' if lon is None else 'lon'}"
                " is given (coordinates come in pairs)",
            )
        return Place(
            ident,
            self.text(entry, "name"),
            self.names(entry, "aliases"),
            self.text(entry, "kind"),
            lat,
            lon,
            self.text(entry, "note"),
            self.attributes(entry),
        )

    def source(self, entry: RawEntry) -> Source:
        ident = self.slug(entry, "id", required=True)
        assert ident is not None
        return Source(
            ident,
            self.text(entry, "name"),
            self.text(entry, "url"),
            self.date(entry, "published"),
            self.text(entry, "note"),
            self.attributes(entry),
        )

    def segment(self, entry: RawEntry) -> Segment:
        ident = self.slug(entry, "id", required=True)
        start = self.reference(entry, "from", "place", required=True)
        end = self.reference(entry, "to", "place", required=True)
        length = self.number(entry, "length_km", low=0)
        assert ident is not None and start is not None and end is not None
        return Segment(
            ident,
            start,
            end,
            length,
            self.text(entry, "name"),
            self.names(entry, "aliases"),
            note=self.text(entry, "note"),
            attributes=self.attributes(entry),
        )

    def road(self, entry: RawEntry) -> tuple[Road, list[Segment]]:
        ident = self.slug(entry, "id", required=True)
        assert ident is not None
        has_places, has_segments = "places" in entry.values, "segments" in entry.values
        if has_places == has_segments:
            raise self._fail(
                entry,
                "places",
                "give exactly one of places (to generate segments)"
                " or segments (to chain existing ones)",
            )
        name, aliases = self.text(entry, "name"), self.names(entry, "aliases")
        note, attributes = self.text(entry, "note"), self.attributes(entry)
        if has_segments:
            if "lengths_km" in entry.values:
                raise self._fail(entry, "lengths_km", "only applies to a road given by places")
            segments = self.id_list(entry, "segments", SEGMENT_REF)
            for segment in segments:
                if segment not in self.known("segment"):
                    raise self._fail(
                        entry,
                        "segments",
                        f"unknown segment {segment!r}{self.hint(segment, 'segment')}",
                    )
            return Road(ident, segments, name, aliases, (), note, attributes), []
        places = self.id_list(entry, "places")
        if len(places) < 2:
            raise self._fail(entry, "places", "a road needs at least two places")
        for place in places:
            if place not in self.known("place"):
                raise self._fail(
                    entry, "places", f"unknown place {place!r}{self.hint(place, 'place')}"
                )
        lengths: list[float | None] = [None] * (len(places) - 1)
        if entry.values.get("lengths_km") is not None:
            given = entry.values["lengths_km"]
            if not isinstance(given, list) or len(given) != len(places) - 1:
                raise self._fail(
                    entry,
                    "lengths_km",
                    f"must be a list of {len(places) - 1} lengths, one per segment",
                )
            lengths = [self.number(entry, "lengths_km", value, low=0) for value in given]
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
        given = [t for t in Target if entry.values.get(t.value) is not None]
        if len(given) != 1:
            found = " and ".join(t.value for t in given) or "none"
            raise self._fail(
                entry, "place", f"needs exactly one of place, segment or road (found {found})"
            )
        target = given[0]
        value = self.reference(entry, target.value, target.value)
        assert value is not None
        return target, value

    def _common(self, entry: RawEntry) -> dict[str, Any]:
        """The fields events and incidents share, each checked even if another fails."""
        values: dict[str, Any] = {}
        failed = False
        checks: dict[str, Callable[[], Any]] = {
            "date": lambda: self.date(entry, "date", required=True),
            "target": lambda: self._target(entry),
            "party": lambda: self.reference(entry, "party", "party"),
            "kind": lambda: self.text(entry, "kind"),
            "source": lambda: self.reference(entry, "source", "source"),
            "confidence": lambda: self.choice(entry, "confidence", [c.value for c in Confidence]),
            "recorded": lambda: self.date(entry, "recorded"),
            "note": lambda: self.text(entry, "note"),
            "attributes": lambda: self.attributes(entry),
        }
        for key, check in checks.items():
            try:
                values[key] = check()
            except _Skip:
                failed = True
        if failed:
            raise _Skip()
        return values

    def event(self, entry: RawEntry) -> Event:
        status_failed = False
        try:
            status = self.choice(entry, "status", ["held", "contested", "unknown"]) or "held"
        except _Skip:
            status_failed, status = True, "held"
        values = self._common(entry)
        if status_failed:
            raise _Skip()
        party = values["party"]
        if status == "held" and party is None:
            raise self._fail(entry, "party", "is required when status is held (the default)")
        state = State(Status(status), party if status == "held" else None)
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
            Confidence(confidence) if confidence else None,
            values["recorded"],
            values["note"],
            values["attributes"],
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
            Confidence(confidence) if confidence else None,
            values["recorded"],
            values["note"],
            values["attributes"],
        )

    # -- against the database -----------------------------------------------------------

    def _check_memberships(self, dataset: Dataset, entries: list[RawEntry]) -> None:
        """A party may not be in two blocs on the same day."""
        new_blocs = {bloc.id for bloc in dataset.blocs}
        stored = [m for m in self.existing.memberships() if m.bloc not in new_blocs]
        by_party: dict[str, list[Membership]] = defaultdict(list)
        for membership in stored + [m for bloc in dataset.blocs for m in bloc.members]:
            by_party[membership.party].append(membership)
        lines = {entry.values.get("id"): entry for entry in entries}
        for party, memberships in by_party.items():
            for i, first in enumerate(memberships):
                for second in memberships[i + 1 :]:
                    if first.bloc != second.bloc and _overlap(first, second):
                        entry = lines.get(second.bloc) or lines.get(first.bloc)
                        message = (
                            f"party {party!r} would be in two blocs at once: "
                            f"{first.bloc} {_span(first)} and {second.bloc} {_span(second)}"
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
            (KIND_OF_SECTION[section], entry.values.get("id")): entry
            for section in KIND_OF_SECTION
            for entry in sections.get(section, [])
        }
        for section, kind in KIND_OF_SECTION.items():
            records: list[Definition] = getattr(dataset, section)
            if not records:
                continue
            stored = self.existing.definitions(kind, [r.id for r in records])
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
    }.get(type(value), type(value).__name__)


def _json_problem(value: Any, depth: int = 0) -> str | None:
    if depth > 50:
        return "is nested too deeply"
    if isinstance(value, float) and not math.isfinite(value):
        return "holds a number that is not finite"
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"has a key {key!r} that is not text"
            problem = _json_problem(item, depth + 1)
            if problem:
                return problem
    elif isinstance(value, list):
        for item in value:
            problem = _json_problem(item, depth + 1)
            if problem:
                return problem
    elif not isinstance(value, str | int | float | bool | type(None)):
        return f"holds a value of type {type(value).__name__}, which cannot be stored"
    return None


def _suggest(value: str, options: Iterable[str]) -> str:
    """A 'did you mean' hint for a mistyped id or key."""
    import difflib

    close = difflib.get_close_matches(value, list(options)[:5000], n=3, cutoff=0.75)
    return f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
