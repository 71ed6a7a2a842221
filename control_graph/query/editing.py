"""Changing what a model holds: importing files, and scenarios with their hypothetical
events and suppressions. The reported data changes only by importing files."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from control_graph.errors import InvalidArgumentError
from control_graph.model.dates import DateLike, to_optional_day
from control_graph.query.base import ModelBase
from control_graph.store import read, scenarios
from control_graph.store.read import ImportInfo
from control_graph.store.scenarios import REPORTED, ScenarioInfo

if TYPE_CHECKING:
    # Importing reads YAML and validates: loaded when a file is imported, not for a
    # question, so that asking who held a road starts fast.
    from control_graph.store.acled import AcledReport
    from control_graph.store.importer import ImportReport

__all__ = ["Editing"]


class Editing(ModelBase):
    """Imports and scenarios."""

    def import_file(
        self,
        path: str | Path,
        *,
        progress: Callable[[int], None] | None = None,
        on_total: Callable[[int], None] | None = None,
        replace_changed: bool = False,
        recorded: DateLike | None = None,
        by: str | None = None,
        columns: Mapping[str, str] | None = None,
        date_format: str | None = None,
        delimiter: str | None = None,
    ) -> ImportReport:
        """Import a dataset file (YAML, JSON or CSV), all or nothing.

        In a scenario, the file's places, segments, roads, events and incidents go into
        the scenario; the reported data is left as it is.

        A CSV from a spreadsheet may name its columns otherwise: ``columns`` maps the
        format's columns to the file's headers (``{"place": "Location"}``);
        ``date_format`` reads its dates (``"%d/%m/%Y"``, never guessed); ``delimiter``
        is its separator (default: ``,``, ``;`` or a tab, from the header line).

        A record whose id is already stored is skipped when identical; when it differs
        the import is refused, unless ``replace_changed``: then the stored versions are
        retracted as of ``recorded`` (default today) and the new one is added, in the
        same transaction (``--as-of`` an earlier day still sees the old one). ``by``
        names who imports (default: the operating-system user).

        ``on_total`` is told how many rows will be written once the file is validated,
        and ``progress`` how many more were written after each batch.

        Raises
        ------
        DatasetError
            When the file has problems; every one is listed, nothing is written.
        InvalidArgumentError
            When a CSV option is malformed, or given for a file that is not a CSV.

        Examples
        --------
        >>> import pathlib, tempfile
        >>> import control_graph as cg
        >>> model = cg.open("sqlite://")
        >>> _ = model.import_file(cg.sample_path())
        >>> sheet = pathlib.Path(tempfile.mkdtemp()) / "sheet.csv"
        >>> _ = sheet.write_text("Date;Location;Party\\n05/02/2026;lonton;kia\\n")
        >>> report = model.import_file(
        ...     sheet, columns={"place": "Location"}, date_format="%d/%m/%Y"
        ... )
        >>> report.added["events"], model.who_held("lonton", "2026-02-05").state.controller
        (1, 'kia')
        """
        self._names.clear()
        from control_graph.dataset.csv_reader import CsvOptions
        from control_graph.store.importer import import_file

        options = CsvOptions(dict(columns or {}), date_format, delimiter)
        return import_file(
            self.engine,
            path,
            progress=progress,
            on_total=on_total,
            scenario=self.scenario_name,
            replace_changed=replace_changed,
            recorded=to_optional_day(recorded, "recorded"),
            by=by,
            csv_options=options if options.given else None,
        )

    def rebuild_spans(self) -> int:
        """Recompute every stored state span of the reported data from its events (after
        ``check --deep`` found them out of step); returns how many were written."""
        from control_graph.store.spans import materialise_all

        with self._writing() as (conn, _):
            return materialise_all(conn)

    def import_acled(
        self,
        path: str | Path,
        *,
        parties: str | Path | Mapping[str, Any],
        within: float = 5.0,
        create_places: bool = False,
        sync: bool = False,
        recorded: DateLike | None = None,
        by: str | None = None,
        date_format: str | None = None,
        dry_run: bool = False,
    ) -> AcledReport:
        """Import an ACLED export (CSV) into the reported data, all or nothing.

        ``parties`` maps ACLED actor names to party ids: a YAML file, or a mapping
        (``{"Military Forces of Myanmar (2021-)": "saf", "People's Defense Force*":
        "pdf", "Civilians (Myanmar)": None}``; a ``takers`` key may name, by
        ``event_id_cnty``, the party that took territory in a row ACLED leaves open).
        Territory rows become control events held by the actor that took the
        territory; every other row an incident whose kind is ACLED's sub-event type.
        Locations are matched to places by name or alias (within the admin area, when a
        place records one), else to the nearest place within ``within`` km, else, with
        ``create_places``, made places at ACLED's coordinates; rows matching no place are
        left out and reported.

        Importing a newer export adds its new rows and replaces changed ones (the old
        version is retracted); with ``sync`` it also retracts the stored ACLED rows the
        export lacks, within its countries and days. Everything is recorded on
        ``recorded`` (default today), so ``as_of`` an earlier day sees the data as it
        stood. docs/acled.md tells the rules in full.

        With ``dry_run`` the export is matched, compared and written exactly as for an
        import, and the report says what that did, but the transaction is rolled back:
        nothing is written (``report.dry_run`` is true).

        Raises
        ------
        DatasetError
            When the export, the map or the records made from them have problems;
            every one is listed, nothing is written.
        InvalidArgumentError
            In a scenario: ACLED's data is reported data.

        Examples
        --------
        >>> import pathlib, tempfile
        >>> import control_graph as cg
        >>> model = cg.open("sqlite://")
        >>> _ = model.import_file(cg.sample_path())
        >>> export = pathlib.Path(tempfile.mkdtemp()) / "acled.csv"
        >>> _ = export.write_text(
        ...     "event_id_cnty,event_date,sub_event_type,actor1,inter1,actor2,inter2,"
        ...     "location,latitude,longitude\\n"
        ...     "MMR900001,2026-03-10,Government regains territory,KIA,Rebel group,"
        ...     "Military Forces of Myanmar (2021-),State forces,Lonton,25.17,96.27\\n"
        ... )
        >>> report = model.import_acled(
        ...     export, parties={"Military Forces of Myanmar (2021-)": "saf", "KIA": "kia"}
        ... )
        >>> report.events, model.who_held("lonton", "2026-03-10").state.controller
        (1, 'saf')
        """
        if self.scenario_name is not None:
            raise InvalidArgumentError(
                "ACLED's events are reported data: import them into the reported data, "
                "not a scenario"
            )
        self._names.clear()
        from control_graph.dataset.acled import PartyMap
        from control_graph.store.acled import import_acled

        party_map = (
            PartyMap.from_mapping(parties)
            if isinstance(parties, Mapping)
            else PartyMap.read(parties)
        )
        return import_acled(
            self.engine,
            path,
            party_map,
            within_km=within,
            create_places=create_places,
            sync=sync,
            recorded=to_optional_day(recorded, "recorded"),
            by=by,
            date_format=date_format,
            dry_run=dry_run,
        )

    def imports(self) -> list[ImportInfo]:
        """Every import into this model's data (the reported data, or the scenario's own),
        oldest first: when, which file, its content hash, what it added, and who."""
        with self._reading() as (conn, overlay):
            return read.read_imports(conn, overlay)

    def retract(
        self,
        *record_ids: str,
        recorded: DateLike | None = None,
        note: str | None = None,
        by: str | None = None,
    ) -> int:
        """Retract events, incidents or access records by their ids, as of ``recorded``
        (default today): they count in no answer from then on, nor without ``as_of``.
        Returns the id of the import that records the retraction.

        Examples
        --------
        >>> import control_graph as cg
        >>> model = cg.open("sqlite://")
        >>> _ = model.import_file(cg.sample_path())
        >>> _ = model.retract("kng-e11", recorded="2026-02-08", note="example")
        >>> [e.retracted.isoformat() for e in model.events() if e.record.id == "kng-e11"]
        ['2026-02-08']
        """
        from control_graph.store.importer import retract

        return retract(
            self.engine,
            list(record_ids),
            scenario=self.scenario_name,
            recorded=to_optional_day(recorded, "recorded"),
            note=note,
            by=by,
        )

    def undo_import(
        self,
        import_id: int,
        *,
        recorded: DateLike | None = None,
        note: str | None = None,
        by: str | None = None,
    ) -> int:
        """Retract everything import ``import_id`` added, and withdraw the retractions it
        held (a correction's old versions, a ``retract``'s records count again), as of
        ``recorded`` (default today); an answer ``as_of`` an earlier day still sees the
        import as it was. Returns the id of the import that records the undo. An undo
        cannot itself be undone (:class:`InvalidArgumentError`)."""
        from control_graph.store.importer import undo_import

        return undo_import(
            self.engine,
            import_id,
            scenario=self.scenario_name,
            recorded=to_optional_day(recorded, "recorded"),
            note=note,
            by=by,
        )

    def has_imported(self, path: str | Path) -> bool:
        """Whether a file with exactly this content was imported before."""
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        with self._reading() as (conn, _):
            return bool(read.imports_of(conn, digest))

    # -- scenarios ------------------------------------------------------------------------

    def scenario(
        self,
        name: str,
        *,
        base: str | None = None,
        description: str | None = None,
        create: bool = True,
    ) -> Self:
        """The model of scenario ``name``, created if it does not exist (and ``create``).

        A new scenario is based on ``base`` (a scenario name or ``"reported"``); by
        default on this model's own data. The reported data is never changed by work in
        a scenario; a scenario sees what its base receives later.

        Examples
        --------
        >>> import control_graph as cg
        >>> reported = cg.open("sqlite://")
        >>> _ = reported.import_file(cg.sample_path())
        >>> what_if = reported.scenario("hepu-retaken", description="KIA retakes Hepu in August")
        >>> _ = what_if.add_event("2025-08-01", place="hepu", party="kia", kind="hypothesis")
        >>> what_if.who_held("hepu", "2025-12-01").state.controller
        'kia'
        >>> reported.who_held("hepu", "2025-12-01").state.controller
        'saf'
        """
        if name == REPORTED:
            return type(self)(self.engine, None)
        # Opening a scenario only reads; the write lock is taken only to create one, so
        # a question asked in a scenario never waits behind an import.
        with self._reading() as (conn, _):
            exists = scenarios.scenario_exists(conn, name)
            if not exists and not create:
                scenarios.overlay_for(conn, name)  # raises, listing the scenarios there are
        if not exists:
            with self._writing() as (conn, _):
                scenarios.create_scenario(
                    conn,
                    name,
                    base=base if base is not None else self.scenario_name,
                    description=description,
                )
        return type(self)(self.engine, name)

    def scenarios(self) -> list[ScenarioInfo]:
        """Every scenario in the database, by name."""
        with self._reading() as (conn, _):
            return scenarios.list_scenarios(conn)

    def delete_scenario(self, name: str) -> None:
        """Delete a scenario and all it added (never reported data)."""
        with self._writing() as (conn, _):
            scenarios.delete_scenario(conn, name)

    def add_event(
        self,
        on: DateLike,
        *,
        place: str | None = None,
        segment: str | None = None,
        road: str | None = None,
        party: str | None = None,
        status: str = "held",
        kind: str | None = None,
        source: str | None = None,
        confidence: str | None = None,
        recorded: DateLike | None = None,
        note: str | None = None,
    ) -> int:
        """Add a hypothetical event to this scenario; returns its import id.

        Ids are taken as given here (no name lookup), exactly as in a dataset file.
        """
        event = {
            "date": on,
            "place": place,
            "segment": segment,
            "road": road,
            "party": party,
            "status": status,
            "kind": kind,
            "source": source,
            "confidence": confidence,
            "recorded": recorded,
            "note": note,
        }
        return self.add_events([event])

    def add_events(self, events: list[dict[str, Any]]) -> int:
        """Add several hypothetical events (dataset keys) at once, all or nothing."""
        if self.scenario_name is None:
            raise InvalidArgumentError(
                "the reported data changes only by importing files; open a scenario with "
                "model.scenario(name) to add hypothetical events"
            )
        from control_graph.store.importer import add_events

        return add_events(self.engine, events, scenario=self.scenario_name)

    def suppress_event(self, *events: int | str, note: str | None = None) -> list[int]:
        """Suppose events false in this scenario (all or none): answers are as if they
        were absent. Each of ``events`` is an event number, as :meth:`events` lists
        (``EventRecord.id``), or a record id (the dataset's ``id``, e.g. ``"kng-e12"``),
        which names every version of that record the scenario sees. Returns the event
        numbers suppressed.

        Raises
        ------
        UnknownElementError
            When this scenario sees no event with one of the numbers or ids; nothing is
            changed.

        Examples
        --------
        >>> import control_graph as cg
        >>> reported = cg.open("sqlite://")
        >>> _ = reported.import_file(cg.sample_path())
        >>> doubt = reported.scenario("recapture-false")
        >>> numbers = doubt.suppress_event("kng-e12", note="single source")
        >>> [e.record.id for e in doubt.events("lonton") if e.id in numbers and e.suppressed]
        ['kng-e12']
        >>> doubt.who_held("lonton", "2026-02-06").state.controller
        'saf'
        """
        if self.scenario_name is None:
            raise InvalidArgumentError("events can be suppressed only in a scenario")
        with self._writing() as (conn, overlay):
            return scenarios.suppress_events(conn, overlay, list(events), note)

    def unsuppress_event(self, *events: int | str) -> list[int]:
        """Count events this scenario supposed false again (all or none): event numbers,
        or record ids (every version of it the scenario suppresses). Returns the event
        numbers counted again.

        Raises
        ------
        UnknownElementError
            When this scenario does not suppress one of them; nothing is changed.
        """
        if self.scenario_name is None:
            raise InvalidArgumentError("events are suppressed only in a scenario")
        with self._writing() as (conn, overlay):
            return scenarios.unsuppress_events(conn, overlay, list(events))
