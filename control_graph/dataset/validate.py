"""Validation: raw file entries to dataset records, collecting every problem.

Each record kind is checked field by field as :data:`~control_graph.dataset.fields.RECORD_KINDS`
describes it (see :class:`~control_graph.dataset.checks.FieldChecker`), then by the rules
that join fields (a held event needs a party, coordinates come in pairs, a road is
given by places or by segments). Nothing is written unless the list of problems is
empty.

What is already in the database is consulted through
:class:`~control_graph.dataset.checks.Existing`, so that an import may refer to places
defined by an earlier one, and a definition repeated identically is skipped while one
that differs is an error.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from control_graph.dataset.checks import (
    MAX_HINTS,
    SEGMENT_REF,
    Definition,
    Existing,
    FieldChecker,
    Record,
    Skip,
    field_name,
    short,
    suggest,
    type_name,
)
from control_graph.dataset.fields import (
    FORMAT,
    MEMBER_FIELDS,
    RECORD_KINDS,
    TOP_KEYS,
    RecordKind,
)
from control_graph.dataset.raw import RawDataset, RawEntry
from control_graph.model.records import (
    Access,
    AccessLevel,
    Bloc,
    Confidence,
    Dataset,
    Event,
    Incident,
    Membership,
    Party,
    Place,
    Retraction,
    Road,
    Segment,
    Source,
    Target,
)
from control_graph.model.states import State, Status

__all__ = ["Validated", "Validator"]

_TARGETS = tuple((target, target.value) for target in Target)
_ACCESS_TARGETS = ((Target.SEGMENT, "segment"), (Target.ROAD, "road"))
_TARGET_KEYS = frozenset(target.value for target in Target)
# What an event may assert; "divided" only ever describes a road's summary.
_STATUS_OF = {s.value: s for s in (Status.HELD, Status.CONTESTED, Status.UNKNOWN)}
_CONFIDENCE_OF = {confidence.value: confidence for confidence in Confidence}
_MEMBER_KEYS = tuple(f.key for f in MEMBER_FIELDS)


@dataclass
class Validated:
    """A validated dataset: what to write, and what was skipped as already stored."""

    dataset: Dataset
    skipped: dict[str, int] = field(default_factory=dict)


class Validator(FieldChecker):
    """Checks one file's entries and turns them into records."""

    def __init__(self, file: str, existing: Existing) -> None:
        super().__init__(file, existing)
        #: The problems that are definitions differing from those stored under their ids.
        self.conflicts: list[Any] = []
        events, incidents = RECORD_KINDS["events"], RECORD_KINDS["incidents"]
        # Built once, not per event: the fields checked by type alone.
        self._event_fields = tuple(
            f for f in events.fields if f.key not in _TARGET_KEYS and f.key != "status"
        )
        self._incident_fields = tuple(f for f in incidents.fields if f.key not in _TARGET_KEYS)
        access = RECORD_KINDS["access"]
        self._access_fields = tuple(f for f in access.fields if f.key not in _TARGET_KEYS)
        #: Where each record id of the file was first given (ids are unique among events,
        #: incidents and access records).
        # Where each record id was given: enough of its entry to name it in a message,
        # not the entry (whose cells, for a million rows of a CSV, took a gigabyte).
        self._record_ids: dict[str, _Place | int] = {}
        #: Whether a record stored under the same id with other content is replaced (its
        #: stored versions retracted) rather than refused.
        self.replace_changed = False
        #: The ids of the records replaced, with what differs.
        self.changed: dict[str, str] = {}

    # -- the whole file -----------------------------------------------------------------

    def dataset(self, raw: RawDataset) -> Validated:
        top = raw.top
        self.check_keys(top, TOP_KEYS)
        fmt = top.values.get("format")
        if fmt is not None and fmt != FORMAT:
            self.report(top, "format", f"{short(fmt)} is not supported; use {FORMAT!r}")
        name = None
        with contextlib.suppress(Skip):
            name = self.text(top, "name")
        for key in RECORD_KINDS:
            if key in top.values and not isinstance(top.values[key], list | type(None)):
                self.report(top, key, f"must be a list, not {type_name(top.values[key])}")
        sections = {key: raw.sections.get(key, []) for key in RECORD_KINDS if key in top.values}
        dataset = Dataset(name=name)
        self._collect_ids(sections)
        builders: dict[str, Callable[[RawEntry], Any]] = {
            "parties": self.party,
            "blocs": self.bloc,
            "places": self.place,
            "sources": self.source,
            "segments": self.segment,
            "roads": self.road,
            "events": self.event,
            "incidents": self.incident,
            "access": self.access,
            "retractions": self.retraction,
        }
        for section, build in builders.items():
            for entry in sections.get(section, []):
                if not self.check_keys(entry, RECORD_KINDS[section].keys):
                    continue
                try:
                    built = build(entry)
                except Skip:
                    continue
                if section == "roads":
                    road, generated = built
                    dataset.roads.append(road)
                    dataset.segments.extend(generated)
                else:
                    getattr(dataset, section).append(built)
        self._check_memberships(dataset, sections.get("blocs", []))
        skipped = self._drop_stored(dataset, sections)
        skipped.update(self.drop_stored_records(dataset))
        return Validated(dataset, skipped)

    def _collect_ids(self, sections: Mapping[str, list[RawEntry]]) -> None:
        """Record every id the file defines (before references are checked, so order in
        the file does not matter) and report duplicates."""
        seen: dict[str, dict[str, RawEntry]] = defaultdict(dict)
        for section, record_kind in RECORD_KINDS.items():
            kind = record_kind.defines
            if kind is None:
                continue
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
                        f"duplicate {owner_kind} id {short(owner_id)} "
                        f"(first defined at {where}{generated})",
                    )

    # -- definitions ----------------------------------------------------------------------

    def _fields(self, entry: RawEntry, section: str, *, skip: tuple[str, ...] = ()) -> Any:
        return self.gather(entry, RECORD_KINDS[section].fields, skip=skip)

    def party(self, entry: RawEntry) -> Party:
        return Party(**self._fields(entry, "parties"))

    def _member(self, entry: RawEntry, bloc: str | None, index: int, member: Any) -> Membership:
        where = f"members[{index}]"
        if not isinstance(member, dict):
            raise self._fail(
                entry, where, f"must be a mapping {{party, from, to}}, not {type_name(member)}"
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
        unknown = [key for key in member if key not in _MEMBER_KEYS]
        for key in unknown:
            hint = suggest(key, _MEMBER_KEYS) if len(self.issues) < MAX_HINTS else ""
            self.report(
                sub,
                field_name(key),
                f"unknown key {short(key)}{hint}; allowed: {', '.join(_MEMBER_KEYS)}",
                sub.lines.get(key),
            )
        v = self.gather(sub, MEMBER_FIELDS)
        if unknown:
            raise Skip()
        start, end = v["start"], v["end"]
        if start is not None and end is not None and start >= end:
            raise self._fail(sub, "to", f"{end} is not after from {start} (to is exclusive)")
        return Membership(v["party"], bloc or "", start, end, v["note"])

    def bloc(self, entry: RawEntry) -> Bloc:
        failed = False
        try:
            ident = self.slug(entry, "id", required=True)
        except Skip:
            failed, ident = True, None
        members = entry.values.get("members")
        memberships = []
        if members is not None and not isinstance(members, list):
            self.report(entry, "members", "must be a list of {party, from, to}")
            failed = True
        for i, member in enumerate(members if isinstance(members, list) else []):
            try:
                memberships.append(self._member(entry, ident, i, member))
            except Skip:
                failed = True
        try:
            v = self._fields(entry, "blocs", skip=("id", "members"))
        except Skip:
            failed = True
        if failed or ident is None:
            raise Skip()
        return Bloc(ident, members=tuple(memberships), **v)

    def place(self, entry: RawEntry) -> Place:
        v = self._fields(entry, "places")
        lat, lon = v["lat"], v["lon"]
        if (lat is None) != (lon is None):
            given, missing = ("lat", "lon") if lon is None else ("lon", "lat")
            raise self._fail(
                entry, missing, f"is required when {given} is given (coordinates come in pairs)"
            )
        return Place(**v)

    def source(self, entry: RawEntry) -> Source:
        return Source(**self._fields(entry, "sources"))

    def segment(self, entry: RawEntry) -> Segment:
        return Segment(**self._fields(entry, "segments"))

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
            raise Skip()
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
                except Skip:
                    bad = True
        if bad:
            raise Skip()
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
            "fields": lambda: self._fields(
                entry, "roads", skip=("places", "lengths_km", "segments")
            ),
        }
        if has_places == has_segments:
            checks["places"] = neither_or_both
        elif has_segments:
            checks["segments"] = lambda: self._road_segments(entry)
        else:
            checks["places"] = lambda: self._road_places(entry)
        v = self.run_all(checks)
        common = v["fields"]
        if has_segments:
            return Road(segments=v["segments"], **common), []
        ident = common["id"]
        places, lengths = v["places"]
        generated = [
            Segment(
                f"{ident}/{i}", places[i - 1], places[i], lengths[i - 1], road=ident, position=i
            )
            for i in range(1, len(places))
        ]
        road = Road(segments=tuple(s.id for s in generated), places=places, **common)
        return road, generated

    # -- events and incidents -------------------------------------------------------------

    def _target(
        self, entry: RawEntry, targets: tuple[tuple[Target, str], ...] = _TARGETS
    ) -> tuple[Target, str]:
        values = entry.values
        given = [(target, key) for target, key in targets if values.get(key) is not None]
        if len(given) != 1:
            found = " and ".join(key for _, key in given) or "none"
            names = " or ".join(key for _, key in targets)
            names = names.replace(" or ", ", ", len(targets) - 2)
            raise self._fail(entry, targets[0][1], f"needs exactly one of {names} (found {found})")
        target, key = given[0]
        value = self.reference(entry, key, key)
        assert value is not None
        return target, value

    def _about(
        self,
        entry: RawEntry,
        fields: Any,
        targets: tuple[tuple[Target, str], ...] = _TARGETS,
    ) -> dict[str, Any]:
        """The fields events and incidents share, each checked even if another fails."""
        failed = False
        try:
            values = self.gather(entry, fields)
        except Skip:
            failed, values = True, {}
        try:
            values["target"] = self._target(entry, targets)
        except Skip:
            failed = True
        if failed:
            raise Skip()
        confidence = values["confidence"]
        values["confidence"] = _CONFIDENCE_OF[confidence] if confidence else None
        self._check_dates(entry, values)
        self._claim_id(entry, values.get("id"))
        return values

    def _check_dates(self, entry: RawEntry, values: dict[str, Any]) -> None:
        """``date_latest`` on or after ``date``; ``until`` after both (contract 4.1)."""
        date, latest, until = values["date"], values.get("date_latest"), values.get("until")
        if latest is not None and latest < date:
            raise self._fail(
                entry, "date_latest", f"{latest} is before date {date} (the range must run forward)"
            )
        if until is not None and until <= (latest or date):
            which = "date_latest" if latest is not None else "date"
            raise self._fail(
                entry,
                "until",
                f"{until} is not after {which} {latest or date} "
                "(until is the first day the report no longer applies)",
            )

    def _claim_id(self, entry: RawEntry, ident: str | None) -> None:
        """A record id is given once in a file, across events, incidents and access."""
        if ident is None:
            return
        found = self._record_ids.get(ident)
        if found is not None:
            first = _entry_at(ident, found)
            where = first.line and f"line {first.line}"
            where = where or f"{self.label(first)}"
            raise self._fail(entry, "id", f"duplicate id {short(ident)} (first given at {where})")
        self._record_ids[ident] = (
            entry.section,
            entry.index,
            entry.line,
            entry.lines.get("id"),
            entry.label,
        )
        self.new_ids["record"].add(ident)

    def forget_file_ids(self) -> None:
        """Forget the record ids the file gave, once all of it is checked: nothing asks
        after them then, and a million ids of a CSV held 70 MB through the rest of its
        import (the state spans, the longest part of it)."""
        self._record_ids.clear()
        self.new_ids.clear()
        self._ids_cache.clear()

    def has_record_id(self, ident: str) -> bool:
        """Whether the file gave this record id already."""
        return ident in self._record_ids

    def claim_csv_event_id(self, ident: str, row: int, line: int | None) -> None:
        """Claim the id of the CSV event at ``row`` (on ``line``), checked elsewhere
        (dataset/csv_events.py) as :meth:`_claim_id` would check it."""
        # One int, not a tuple and a label: a CSV may give a million ids.
        self._record_ids[ident] = row << 32 | (line or 0)
        self.new_ids["record"].add(ident)

    def event(self, entry: RawEntry) -> Event:
        status_failed = False
        try:
            status = self.choice(entry, "status", _STATUS_OF) or "held"
        except Skip:
            status_failed, status = True, "held"
        failed = status_failed
        values: dict[str, Any] = {}
        try:
            values = self._about(entry, self._event_fields)
        except Skip:
            failed = True
        if not status_failed and status == "held" and entry.values.get("party") is None:
            explicit = "" if entry.values.get("status") is not None else " (the default)"
            self.report(entry, "party", f"is required when status is held{explicit}")
            failed = True
        if failed:
            raise Skip()
        party = values["party"]
        target, target_id = values.pop("target")
        state = State(_STATUS_OF[status], party if status == "held" else None)
        return Event(target=target, target_id=target_id, state=state, **values)

    def validate_event(self, entry: RawEntry) -> Event | None:
        """The event, or ``None`` after recording its problems."""
        try:
            return self.event(entry)
        except Skip:
            return None

    def incident(self, entry: RawEntry) -> Incident:
        values = self._about(entry, self._incident_fields)
        target, target_id = values.pop("target")
        return Incident(target=target, target_id=target_id, **values)

    def access(self, entry: RawEntry) -> Access:
        values = self._about(entry, self._access_fields, targets=_ACCESS_TARGETS)
        target, target_id = values.pop("target")
        values["access"] = AccessLevel(values["access"])
        return Access(target=target, target_id=target_id, **values)

    def validate_access(self, entry: RawEntry) -> Access | None:
        """The access record, or ``None`` after recording its problems."""
        try:
            return self.access(entry)
        except Skip:
            return None

    def retraction(self, entry: RawEntry) -> Retraction:
        return Retraction(**self._fields(entry, "retractions"))

    def drop_stored_records(
        self, dataset: Dataset, known: Mapping[str, Record] | None = None
    ) -> dict[str, int]:
        """Leave out records whose id is stored with identical content; report those
        stored with other content (contract section 4.3) -- or, when replacing changed
        records, keep them as new versions and list their ids in :attr:`changed`.
        ``known``: stored records read already, by id (not read again)."""
        everything: list[Record] = [*dataset.events, *dataset.incidents, *dataset.access]
        records = [r for r in everything if r.id is not None]
        if not records:
            return {}
        known = known or {}
        ids = [r.id for r in records if r.id is not None]
        stored = {i: known[i] for i in ids if i in known}
        unknown = [i for i in ids if i not in known]
        if unknown:
            stored.update(self.existing.records(unknown))
        if not stored:
            return {}
        identical: set[int] = set()
        for record in records:
            assert record.id is not None
            before = stored.get(record.id)
            if before is None:
                continue
            if before == record:
                identical.add(id(record))
                continue
            if self.replace_changed:
                self.changed[record.id] = _record_differences(before, record)
                continue
            place = self._record_ids.get(record.id)
            entry = None if place is None else _entry_at(record.id, place)
            message = (
                f"the id {record.id!r} is already in the database with a different "
                f"{_record_differences(before, record)}; import with --replace-changed to "
                "retract the stored version and add this one, or give it a new id"
            )
            if entry is not None:
                self.report(entry, "id", message)
            else:
                self.report(_SECTION_OF[type(record)], "id", message)
        skipped: dict[str, int] = {}
        for section in ("events", "incidents", "access"):
            kept = [r for r in getattr(dataset, section) if id(r) not in identical]
            if len(kept) != len(getattr(dataset, section)):
                skipped[section] = len(getattr(dataset, section)) - len(kept)
                setattr(dataset, section, kept)
        return skipped

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
        kinds: dict[str, RecordKind] = {s: k for s, k in RECORD_KINDS.items() if k.defines}
        entries = {
            (kind.defines, entry.values["id"]): entry
            for section, kind in kinds.items()
            for entry in sections.get(section, [])
            if isinstance(entry.values.get("id"), str)
        }
        for section, record_kind in kinds.items():
            kind = record_kind.defines
            assert kind is not None
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


_SECTION_OF: dict[type, str] = {Event: "events", Incident: "incidents", Access: "access"}


def _record_differences(before: Record, after: Record) -> str:
    if type(before) is not type(after):
        return f"kind of record ({_SECTION_OF[type(before)][:-1]})"
    return _differences(before, after)


def _differences(before: Definition | Record, after: Definition | Record) -> str:
    names = [f.name for f in fields(before) if getattr(before, f.name) != getattr(after, f.name)]
    return ", ".join(names) or "definition"


#: Where a record id was given: its entry's section, index, line, the line of its
#: ``id`` key, and label; or, for a CSV's event, ``row << 32 | line``.
_Place = tuple[str, int, int | None, int | None, str | None]


def _entry_at(ident: str, place: _Place | int) -> RawEntry:
    """An entry standing for the one that gave ``ident``, for messages about it."""
    if isinstance(place, int):
        row, on_line = place >> 32, place & 0xFFFFFFFF
        place = ("events", row - 1, on_line or None, None, f"row {row}")
    section, index, line, id_line, label = place
    lines = {} if id_line is None else {"id": id_line}
    return RawEntry(section, index, {"id": ident}, line, lines, label)
