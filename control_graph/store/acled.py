"""Importing an ACLED export, all in one write transaction.

ACLED is a living dataset: rows are corrected and deleted by ``event_id_cnty``. An
import reads the export (:mod:`control_graph.dataset.acled`), matches its locations to
the stored places, compares each row with what earlier ACLED imports stored under its
id (``acled-<event_id_cnty>``), and writes, as one import:

- rows never seen before (or seen and retracted since);
- a new version of each row whose content changed, retracting the stored one (the
  importer's ``replace_changed`` machinery, so ``--as-of`` an earlier day still sees
  it); a row whose only change is ACLED's upload ``timestamp`` is unchanged;
- a retraction for each stored row the export still has but whose new version lies
  where no place matches;
- with ``sync``, a retraction for each stored ACLED row the export lacks, within the
  export's coverage: its countries, and the days from its earliest to its latest
  ``event_date``. Rows outside that coverage are left as they are (a narrower download
  is not a deletion).

Everything this import adds or retracts is recorded on ``recorded`` (default today): an
answer ``--as-of`` an earlier day sees the data exactly as it stood before.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from control_graph.dataset.acled import (
    ACLED_SOURCE,
    DEFAULT_WITHIN_KM,
    ID_PREFIX,
    AcledRecord,
    AcledRow,
    Conversion,
    PartyMap,
    PlaceIndex,
    acled_changes,
    acled_document,
    changed_fields,
    convert,
    read_acled,
    same_version,
)
from control_graph.dataset.load import load_document
from control_graph.dataset.raw import read_bytes
from control_graph.errors import DatasetError, DatasetIssue, InvalidArgumentError
from control_graph.model.records import Event, Incident
from control_graph.store import orm
from control_graph.store.db import write_transaction
from control_graph.store.importer import ImportReport, write_loaded
from control_graph.store.read import StoredDefinitions, read_places
from control_graph.store.reports import record_of
from control_graph.store.scenarios import Overlay, overlay_for

__all__ = ["AcledReport", "import_acled"]

#: A sync that would retract more than this share of the stored rows in the export's
#: coverage says so: the export was perhaps downloaded with other filters.
SUSPICIOUS_SHARE = 0.5


@dataclass
class AcledReport:
    """What an ACLED import did, and what it could not do with some rows."""

    imported: ImportReport
    #: Rows in the export.
    rows: int
    #: Record ids added for the first time (or again, after a retraction).
    new: list[str] = field(default_factory=list)
    #: Record ids replaced by a new version: id -> what changed.
    changed: dict[str, str] = field(default_factory=dict)
    #: Rows stored already with the same content (perhaps a newer upload timestamp).
    unchanged: int = 0
    #: Record ids retracted: id -> why (gone from the export; moved beyond the places).
    retracted: dict[str, str] = field(default_factory=dict)
    #: Rows written as control events and as incidents (new and changed ones).
    events: int = 0
    incidents: int = 0
    #: How rows were placed: ``how`` -> (rows, locations).
    matched: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: Locations placed otherwise than by their name, to check: location, admin areas,
    #: how, place, km, rows.
    matches_to_check: list[dict[str, Any]] = field(default_factory=list)
    #: Places made from ACLED's coordinates (``create_places``).
    places_created: list[str] = field(default_factory=list)
    #: Locations matching no place (their rows not imported): location, admin areas,
    #: rows, why.
    unplaced: list[dict[str, Any]] = field(default_factory=list)
    #: Actors the party map does not name: actor, rows, territory rows (most first).
    unmapped: list[tuple[str, int, int]] = field(default_factory=list)
    #: Territory rows imported as incidents, not control events, and why.
    not_control: list[dict[str, Any]] = field(default_factory=list)
    #: The export's countries and days (what ``sync`` compares against).
    countries: list[str] = field(default_factory=list)
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    sync: bool = False
    warnings: list[str] = field(default_factory=list)
    #: Everything was done as for an import, then rolled back: nothing is written, and
    #: ``imported.import_id`` is the number the import had in that transaction.
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.imported.as_dict(),
            # A dry run has no import: its number would be another's.
            **({"import_id": None} if self.dry_run else {}),
            "dry_run": self.dry_run,
            "rows": self.rows,
            "new": self.new,
            "changed": [{"id": i, "changed": what} for i, what in self.changed.items()],
            "unchanged": self.unchanged,
            "retracted": [{"id": i, "why": why} for i, why in self.retracted.items()],
            "control_events": self.events,
            "incidents": self.incidents,
            "matched": {
                how: {"rows": rows, "locations": places}
                for how, (rows, places) in self.matched.items()
            },
            "matches_to_check": self.matches_to_check,
            "places_created": self.places_created,
            "unplaced": self.unplaced,
            "unmapped_actors": [
                {"actor": actor, "rows": rows, "territory_rows": territory}
                for actor, rows, territory in self.unmapped
            ],
            "not_control": self.not_control,
            "coverage": {
                "countries": self.countries,
                "from": self.first_day.isoformat() if self.first_day else None,
                "to": self.last_day.isoformat() if self.last_day else None,
            },
            "sync": self.sync,
            "warnings": self.warnings,
        }


class _RolledBack(Exception):
    """Ends a dry run's transaction, carrying what the import would have been."""

    def __init__(self, imported: ImportReport) -> None:
        super().__init__("dry run")
        self.imported = imported


@dataclass(frozen=True)
class _Stored:
    """The latest stored version of an ACLED record, and whether it is retracted now."""

    record: Event | Incident
    import_id: int
    retracted: bool


def import_acled(
    engine: Engine,
    path: str | Path,
    parties: PartyMap,
    *,
    within_km: float = DEFAULT_WITHIN_KM,
    create_places: bool = False,
    sync: bool = False,
    recorded: dt.date | None = None,
    by: str | None = None,
    date_format: str | None = None,
    dry_run: bool = False,
) -> AcledReport:
    """Import an ACLED export into the reported data, all or nothing (see the module's
    docstring for what it writes). With ``dry_run``, everything is done and reported as
    for an import, in a transaction that is then rolled back: nothing is written.

    Raises
    ------
    DatasetError
        When the export or the records made from it have problems (every one is
        listed), or the party map names parties the database lacks; nothing is written.
    """
    path = Path(path)
    if not within_km >= 0:
        raise InvalidArgumentError(f"within: {within_km!r} km is not a distance")
    data = read_bytes(path)
    rows = read_acled(path, data, date_format=date_format)
    day = recorded or dt.date.today()
    try:
        with write_transaction(engine) as conn:
            overlay = overlay_for(conn, None)
            existing = StoredDefinitions(conn, overlay)
            _check_parties(parties, existing.ids("party"))
            index = PlaceIndex(read_places(conn, overlay=overlay), within_km=within_km)
            taken = set(conn.execute(sa.select(orm.Place.id)).scalars())
            conversion = convert(
                rows,
                parties,
                index,
                recorded=day,
                create_places=create_places,
                taken_place_ids=taken,
            )
            stored = _stored_acled(conn, overlay)
            kept, new, changed, unchanged = _compare(conversion.records, stored)
            retractions = _moved_away(conversion, stored, path.name)
            countries = sorted({row.region for row in rows})
            first = min((row.event_date for row in rows), default=None)
            last = max((row.event_date for row in rows), default=None)
            warnings: list[str] = []
            if sync:
                retractions.update(_missing(rows, stored, path.name, warnings))
            used = {record.entry["place"] for record in kept}
            created = [place for ident, place in conversion.places.items() if ident in used]
            document, origins = acled_document(
                kept, created, with_source=ACLED_SOURCE["id"] not in existing.ids("source")
            )
            loaded = load_document(
                document,
                file=path,
                file_format="acled",
                data=data,
                existing=existing,
                replace_changed=True,
                origins=origins,
            )
            imported = write_loaded(
                conn, loaded, overlay, recorded=day, by=by, retractions=retractions
            )
            if dry_run:
                # Leaving the transaction by an exception rolls back every row written in
                # it (places, events, retractions, spans, the import itself), on
                # PostgreSQL as on SQLite.
                raise _RolledBack(imported)
    except _RolledBack as rolled_back:
        imported = rolled_back.imported
    report = AcledReport(
        imported,
        rows=len(rows),
        new=new,
        changed=changed,
        unchanged=unchanged,
        retracted=retractions,
        events=sum(record.section == "events" for record in kept),
        incidents=sum(record.section == "incidents" for record in kept),
        places_created=[place.id for place in created],
        countries=countries,
        first_day=first,
        last_day=last,
        sync=sync,
        warnings=warnings,
        dry_run=dry_run,
    )
    _describe_conversion(report, conversion)
    return report


def _check_parties(parties: PartyMap, known: set[str]) -> None:
    missing = sorted(parties.party_ids() - known)
    if missing:
        raise DatasetError(
            [
                DatasetIssue(
                    parties.file,
                    f"party {party!r}",
                    None,
                    "is not in the database; import the parties (a YAML or JSON dataset) "
                    "before the ACLED export, or correct the map",
                )
                for party in missing
            ]
        )


def _stored_acled(conn: Connection, overlay: Overlay) -> dict[str, _Stored]:
    """The latest stored version of every ACLED record (events and incidents whose id
    starts ``acled-``), and whether it is retracted now."""
    latest: dict[str, tuple[tuple[int, int], Event | Incident]] = {}
    for section, table in (("events", orm.Event), ("incidents", orm.Incident)):
        query = sa.select(*table.__table__.columns).where(
            table.record_id.like(ID_PREFIX + "%"), overlay.visible(table.scenario_id)
        )
        for row in conn.execute(query):
            order = (row.import_id, row.position)
            if row.record_id not in latest or latest[row.record_id][0] < order:
                record = record_of(section, row)
                assert isinstance(record, Event | Incident)
                latest[row.record_id] = (order, record)
    r = orm.Retraction
    by_id: dict[str, list[int | None]] = defaultdict(list)
    query = sa.select(r.record_id, r.before_import).where(
        r.record_id.like(ID_PREFIX + "%"), overlay.visible(r.scenario_id)
    )
    for ident, before in conn.execute(query):
        if ident is not None:
            by_id[ident].append(before)
    undone = set(
        conn.execute(
            sa.select(r.import_ref).where(r.import_ref.is_not(None), overlay.visible(r.scenario_id))
        ).scalars()
    )
    stored = {}
    for ident, ((import_id, _), record) in latest.items():
        retracted = import_id in undone or any(
            before is None or import_id < before for before in by_id.get(ident, [])
        )
        stored[ident] = _Stored(record, import_id, retracted)
    return stored


def _compare(
    records: Iterable[AcledRecord], stored: Mapping[str, _Stored]
) -> tuple[list[AcledRecord], list[str], dict[str, str], int]:
    """The records to write (new, or changed: a new version), and those unchanged."""
    kept: list[AcledRecord] = []
    new: list[str] = []
    changed: dict[str, str] = {}
    unchanged = 0
    for record in records:
        ident = record.row.id
        before = stored.get(ident)
        if before is None or before.retracted:
            new.append(ident)
        elif same_version(before.record, record):
            unchanged += 1
            continue
        else:
            changed[ident] = changed_fields(before.record, record)
        kept.append(record)
    return kept, new, changed, unchanged


def _moved_away(conversion: Conversion, stored: Mapping[str, _Stored], file: str) -> dict[str, str]:
    """Stored rows the export still has, changed so that no place matches them now."""
    retract = {}
    for row, _ in conversion.unplaced:
        before = stored.get(row.id)
        if before is None or before.retracted:
            continue
        what = acled_changes(before.record, row)
        if what:
            retract[row.id] = (
                f"changed in the ACLED export {file} ({', '.join(what)}); its location "
                f"{row.location!r} matches no place"
            )
    return retract


def _missing(
    rows: list[AcledRow], stored: Mapping[str, _Stored], file: str, warnings: list[str]
) -> dict[str, str]:
    """With sync: the stored ACLED rows the export lacks, within its coverage."""
    if not rows:
        warnings.append("the export has no rows, so --sync retracted nothing")
        return {}
    in_file = {row.id for row in rows}
    countries = {row.region for row in rows}
    first = min(row.event_date for row in rows)
    last = max(row.event_date for row in rows)
    retract: dict[str, str] = {}
    covered = outside = 0
    for ident, version in stored.items():
        attributes = version.record.attributes
        if version.retracted or "event_id_cnty" not in attributes:
            continue
        region = attributes.get("country") or attributes.get("iso") or ""
        try:
            day = dt.date.fromisoformat(str(attributes.get("event_date")))
        except ValueError:
            continue
        if region not in countries or not first <= day <= last:
            outside += 1
            continue
        covered += 1
        if ident not in in_file:
            retract[ident] = (
                f"not in the ACLED export {file} of the same countries and days "
                "(deleted by ACLED, or merged into another event)"
            )
    if outside:
        warnings.append(
            f"{outside} ACLED rows in the database lie outside this export's coverage "
            f"({', '.join(sorted(countries))}, {first} to {last}); --sync left them as they are"
        )
    if covered and len(retract) > SUSPICIOUS_SHARE * covered:
        warnings.append(
            f"this export lacks {len(retract)} of the {covered} ACLED rows stored for its "
            "countries and days: was it downloaded with the same filters as before?"
        )
    return retract


def _describe_conversion(report: AcledReport, conversion: Conversion) -> None:
    """The parts of the report that describe matching and mapping."""
    rows: Counter[str] = Counter()
    locations: dict[str, set[tuple[Any, ...]]] = defaultdict(set)
    to_check: dict[tuple[Any, ...], dict[str, Any]] = {}
    for record in conversion.records:
        row, match = record.row, record.match
        where = (row.location, row.admin1, row.admin2, row.admin3)
        rows[match.how] += 1
        locations[match.how].add(where)
        if match.how != "name":
            found = to_check.setdefault(
                (*where, match.place),
                {
                    "location": row.location,
                    "admin": _admin(row),
                    "how": match.how,
                    "place": match.place,
                    "km": match.km,
                    "rows": 0,
                },
            )
            found["rows"] += 1
    report.matched = {how: (rows[how], len(locations[how])) for how in rows}
    report.matches_to_check = sorted(to_check.values(), key=lambda m: (-m["rows"], m["location"]))
    unplaced: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row, match in conversion.unplaced:
        entry = unplaced.setdefault(
            (row.location, row.admin1, row.admin2, row.admin3),
            {"location": row.location, "admin": _admin(row), "rows": 0, "why": match.detail},
        )
        entry["rows"] += 1
    report.unplaced = sorted(unplaced.values(), key=lambda u: (-u["rows"], u["location"]))
    report.unmapped = sorted(
        (
            (actor, count, conversion.unmapped_territory[actor])
            for actor, count in conversion.unmapped.items()
        ),
        key=lambda item: (-item[2], -item[1], item[0]),
    )
    report.not_control = [
        {
            "id": record.row.id,
            "event_id_cnty": record.row.event_id,
            "sub_event_type": record.row.sub_event_type,
            "place": record.entry["place"],
            "actors": [a for a in (record.row.actor1, record.row.actor2) if a],
            "why": record.taker.problem if record.taker else None,
        }
        for record in conversion.not_control
    ]


def _admin(row: AcledRow) -> str:
    return " / ".join(a for a in (row.admin1, row.admin2, row.admin3) if a)
