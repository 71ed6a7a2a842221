"""Importing ACLED exports (issue 11, item 1).

The exports in tests/data/acled are ACLED-shaped (the 31 columns of the current
codebook, Myanmar place and actor names) but every event in them is invented: ids are
MMR9xxxxx and every note says so. export-2.csv is export-1.csv a few weeks later, with
the changes ACLED makes to a living dataset:

- MMR900101 corrected (fatalities and notes), with a newer upload timestamp;
- MMR900103 re-uploaded unchanged (only its timestamp is newer);
- MMR900107 deleted;
- MMR900120 new, with an old event date;
- MMR900108 recoded from Armed clash to Non-state actor overtakes territory;
- MMR900090 (December 2023) left out: outside the second export's days.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import control_graph as cg
from control_graph.dataset.acled import (
    AcledRow,
    PartyMap,
    PlaceIndex,
    inter_code,
    parse_acled_date,
    read_acled,
    territory_taker,
)
from control_graph.dataset.load import load_document
from control_graph.model.records import Place
from tests.conftest import DATA, Cli

ACLED = DATA / "acled"
NETWORK = ACLED / "network.yaml"
PARTIES = ACLED / "parties.yaml"
EXPORT_1 = ACLED / "export-1.csv"
EXPORT_2 = ACLED / "export-2.csv"
FIRST_DAY, SECOND_DAY = dt.date(2024, 5, 10), dt.date(2024, 6, 10)
SAF = "Military Forces of Myanmar (2021-)"
KIA = "KIO/KIA: Kachin Independence Organization/Kachin Independence Army"
HEADER = (
    "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,"
    "actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,"
    "iso,region,country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,"
    "source,source_scale,notes,fatalities,tags,timestamp"
)
WriteFile = Callable[[str, str], Path]


def acled_row(**values: object) -> AcledRow:
    defaults: dict[str, object] = {
        "line": 2,
        "event_id": "MMR900001",
        "event_date": dt.date(2024, 3, 15),
        "time_precision": 1,
        "sub_event_type": "Non-state actor overtakes territory",
        "actor1": SAF,
        "location": "Kamaing",
        "latitude": 25.52,
        "longitude": 96.70,
    }
    return AcledRow(**{**defaults, **values})  # type: ignore[arg-type]


def csv_line(**cells: str) -> str:
    """A row of an export with the given cells, the others blank."""
    return ",".join(cells.get(name, "") for name in HEADER.split(","))


@pytest.fixture
def network(sqlite_url: str) -> Iterator[cg.Model]:
    with cg.open(sqlite_url) as model:
        model.import_file(NETWORK)
        yield model


# -- reading an export --------------------------------------------------------------------------


def test_an_export_is_read_column_by_column() -> None:
    rows = read_acled(EXPORT_1, EXPORT_1.read_bytes())
    assert len(rows) == 14
    by_id = {row.event_id: row for row in rows}
    strike = by_id["MMR900103"]
    assert strike.id == "acled-mmr900103"
    assert (strike.event_date, strike.time_precision) == (dt.date(2024, 2, 7), 2)
    assert strike.dates == (dt.date(2024, 2, 4), dt.date(2024, 2, 10))
    assert (strike.sub_event_type, strike.actor2) == ("Air/drone strike", "Civilians (Myanmar)")
    assert strike.civilian_targeting and strike.fatalities == 2
    assert (strike.admin1, strike.admin2, strike.admin3) == ("Kachin", "Mohnyin", "Hpakant")
    assert strike.source == ("Invented Weekly",) and strike.timestamp == 1707600000
    assert by_id["MMR900102"].assoc_actor_2 == ("PDF: People's Defense Force",)
    assert by_id["MMR900110"].tags == ("crowd size=no report",)
    assert by_id["MMR900101"].notes is not None and '"several"' in by_id["MMR900101"].notes
    assert by_id["MMR900105"].dates == (dt.date(2024, 3, 1), dt.date(2024, 3, 31))


def test_time_precision_gives_the_range_of_days() -> None:
    assert acled_row(time_precision=1).dates == (dt.date(2024, 3, 15), None)
    assert acled_row(time_precision=2).dates == (dt.date(2024, 3, 12), dt.date(2024, 3, 18))
    leap = acled_row(time_precision=3, event_date=dt.date(2024, 2, 15))
    assert leap.dates == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2024-02-05", dt.date(2024, 2, 5)),
        ("05 February 2024", dt.date(2024, 2, 5)),
        ("05-February-2024", dt.date(2024, 2, 5)),
        ("5-Feb-24", dt.date(2024, 2, 5)),
        ("30-Sept-24", dt.date(2024, 9, 30)),
        ("5 September 2024", dt.date(2024, 9, 5)),
    ],
)
def test_event_dates_in_every_format_acled_has_used(text: str, day: dt.date) -> None:
    assert parse_acled_date(text) == day


def test_numeric_dates_are_never_guessed() -> None:
    with pytest.raises(cg.InvalidArgumentError, match="--date-format %d/%m/%Y"):
        parse_acled_date("05/02/2024")
    with pytest.raises(cg.InvalidArgumentError, match="it is day first"):
        parse_acled_date("25/02/2024")
    assert parse_acled_date("05/02/2024", "%d/%m/%Y") == dt.date(2024, 2, 5)
    assert parse_acled_date("02/05/2024", "%m/%d/%Y") == dt.date(2024, 2, 5)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("State forces", 1),
        ("Rebel Groups", 2),
        ("rebel group", 2),
        ("Protestors", 6),
        ("External/Other forces", 8),
        ("8", 8),
        ("3", 3),
        ("", None),
        ("9", None),
        ("?", None),
    ],
)
def test_inter_codes_as_digits_or_labels(text: str, code: int | None) -> None:
    assert inter_code(text) == code


def export(write_file: WriteFile, name: str, *rows: str, header: str = HEADER) -> Path:
    return write_file(name, "\n".join([header, *rows]) + "\n")


def test_refused_files_say_why(write_file: WriteFile) -> None:
    old = write_file(
        "old.csv",
        "data_id,iso,event_id_cnty,event_date,event_type,actor1,location,latitude,longitude\n"
        "1,104,MMR1,01/02/2018,Battle-No change of territory,x,Kamaing,25.5,96.7\n",
    )
    with pytest.raises(cg.DatasetError, match="before March 2019"):
        read_acled(old, old.read_bytes())
    other = write_file("other.csv", "date,place,party\n2024-01-01,kamaing,kia\n")
    with pytest.raises(cg.DatasetError, match="not an ACLED export: it lacks the column"):
        read_acled(other, other.read_bytes())
    common = {
        "event_id_cnty": "MMR900001",
        "event_date": "2024-03-15",
        "sub_event_type": "Armed clash",
        "location": "Kamaing",
        "latitude": "25.52",
        "longitude": "96.70",
    }
    monadic = export(
        write_file,
        "monadic.csv",
        csv_line(**common, actor1=SAF),
        csv_line(**common, actor1=KIA),
    )
    with pytest.raises(cg.DatasetError) as caught:
        read_acled(monadic, monadic.read_bytes())
    assert [(i.entry, i.field, i.line) for i in caught.value.issues] == [
        ("event MMR900001", "event_id_cnty", 3)
    ]
    assert "monadic" in caught.value.issues[0].message


def test_every_bad_row_is_reported_with_its_line(write_file: WriteFile) -> None:
    good = {
        "sub_event_type": "Armed clash",
        "actor1": SAF,
        "location": "Kamaing",
        "latitude": "25.52",
        "longitude": "96.70",
    }
    path = export(
        write_file,
        "bad.csv",
        csv_line(**good, event_id_cnty="MMR900001", event_date="2024-13-01"),
        csv_line(**good, event_id_cnty="MMR900002", event_date="2024-03-15", year="2023"),
        csv_line(**{**good, "latitude": "95"}, event_id_cnty="MMR900003", event_date="2024-03-15"),
        csv_line(**good, event_id_cnty="MMR900004", event_date="1996-03-15"),
        csv_line(**good, event_id_cnty="MMR900005", event_date="2024-03-15", fatalities="many"),
        csv_line(**good, event_id_cnty="MMR900006", event_date="04/03/2024"),
    )
    with pytest.raises(cg.DatasetError) as caught:
        read_acled(path, path.read_bytes())
    found = [(i.entry, i.field, i.line) for i in caught.value.issues]
    assert found == [
        ("event MMR900001", "event_date", 2),
        ("event MMR900002", "event_date", 3),
        ("event MMR900003", "latitude", 4),
        ("event MMR900004", "event_date", 5),
        ("event MMR900005", "fatalities", 6),
        ("event MMR900006", "event_date", 7),
    ]
    assert "--date-format" in caught.value.issues[-1].message


def test_a_spreadsheet_resaved_with_semicolons_and_decimal_commas(write_file: WriteFile) -> None:
    header = HEADER.replace(",", ";")
    line = ";".join(
        {
            "event_id_cnty": "MMR900001",
            "event_date": "15/03/2024",
            "sub_event_type": "Armed clash",
            "actor1": SAF,
            "location": "Kamaing",
            "latitude": "25,5200",
            "longitude": "96,7000",
        }.get(name, "")
        for name in HEADER.split(",")
    )
    path = write_file("excel.csv", f"\ufeff{header}\n{line}\n")
    (row,) = read_acled(path, path.read_bytes(), date_format="%d/%m/%Y")
    assert (row.event_date, row.latitude, row.longitude) == (dt.date(2024, 3, 15), 25.52, 96.7)


# -- actors and who takes territory -------------------------------------------------------------


def test_the_party_map_names_actors_exactly_or_by_glob(write_file: WriteFile) -> None:
    path = write_file(
        "map.yaml",
        f"{SAF}: saf\n"
        '"People\'s Defense Force - Pathein": pdf-pathein\n'
        '"People\'s Defense Force*": pdf\n'
        "Civilians (Myanmar): null\n"
        "takers:\n  MMR900106: kia\n",
    )
    parties = PartyMap.read(path)
    assert parties.lookup("  military forces of  MYANMAR (2021-) ") == (True, "saf")
    assert parties.lookup("People's Defense Force - Pathein") == (True, "pdf-pathein")
    assert parties.lookup("People's Defense Force - Mohnyin") == (True, "pdf")
    assert parties.lookup("Civilians (Myanmar)") == (True, None)
    assert parties.lookup(KIA) == (False, None)
    assert parties.takers == {"MMR900106": "kia"}
    assert parties.party_ids() == {"saf", "pdf", "pdf-pathein", "kia"}


def test_a_bad_party_map_is_refused_with_its_lines(write_file: WriteFile) -> None:
    path = write_file("map.yaml", f"{SAF}: saf\n{KIA!r}: Kachin Army\n")
    with pytest.raises(cg.DatasetError) as caught:
        PartyMap.read(path)
    (issue,) = caught.value.issues
    assert issue.line == 2 and "is not a party id" in issue.message


PARTY_MAP = PartyMap.from_mapping(
    {
        SAF: "saf",
        KIA: "kia",
        "ULA/AA: United League of Arakan/Arakan Army": "aa",
        "Military Forces of Thailand (2014-)": "thai",
        "Unidentified Armed Group (Myanmar)": None,
        "takers": {"MMR900099": "kia"},
    }
)
AA = "ULA/AA: United League of Arakan/Arakan Army"
PYU = "Pyusawhti Militia"
THAI = "Military Forces of Thailand (2014-)"


@pytest.mark.parametrize(
    ("sub_event", "actor1", "inter1", "actor2", "inter2", "party"),
    [
        # The order of the actors means nothing: the inter codes decide.
        ("Non-state actor overtakes territory", SAF, "State forces", KIA, "Rebel group", "kia"),
        ("Non-state actor overtakes territory", KIA, "Rebel group", SAF, "State forces", "kia"),
        ("Non-state actor overtakes territory", SAF, "1", AA, "2", "aa"),
        (
            "Non-state actor overtakes territory",
            SAF,
            "State forces",
            THAI,
            "External/Other forces",
            "thai",
        ),
        ("Government regains territory", KIA, "Rebel group", SAF, "State forces", "saf"),
        ("Government regains territory", SAF, "State Forces", AA, "Rebel Groups", "saf"),
        ("Non-violent transfer of territory", KIA, "Rebel group", None, None, "kia"),
        # Ambiguous: no guess.
        ("Non-state actor overtakes territory", KIA, "Rebel group", AA, "Rebel group", None),
        ("Government regains territory", SAF, "State forces", THAI, "State forces", None),
        ("Non-violent transfer of territory", KIA, "Rebel group", SAF, "State forces", None),
        ("Non-state actor overtakes territory", SAF, "State forces", KIA, None, None),
    ],
)
def test_the_taker_comes_from_the_sub_event_type_and_inter_codes(
    sub_event: str,
    actor1: str,
    inter1: str,
    actor2: str | None,
    inter2: str | None,
    party: str | None,
) -> None:
    row = acled_row(
        sub_event_type=sub_event, actor1=actor1, inter1=inter1, actor2=actor2, inter2=inter2
    )
    taker = territory_taker(row, PARTY_MAP)
    assert taker.party == party
    assert taker.unresolved == (party is None)
    assert (taker.problem is None) == (party is not None)


def test_a_taker_must_be_a_mapped_party_and_a_place_not_a_region() -> None:
    unmapped = territory_taker(
        acled_row(actor1=SAF, inter1="State forces", actor2=PYU, inter2="Political militia"),
        PARTY_MAP,
    )
    assert (unmapped.actor, unmapped.party, unmapped.unresolved) == (PYU, None, False)
    assert "not in the party map" in (unmapped.problem or "")
    nobody = territory_taker(
        acled_row(
            actor1=SAF,
            inter1="State forces",
            actor2="Unidentified Armed Group (Myanmar)",
            inter2="Political militia",
        ),
        PARTY_MAP,
    )
    assert "mapped to no party" in (nobody.problem or "")
    region = territory_taker(
        acled_row(actor1=SAF, inter1="1", actor2=KIA, inter2="2", geo_precision=3), PARTY_MAP
    )
    assert region.party is None and "geo_precision 3" in (region.problem or "")
    chosen = territory_taker(
        acled_row(event_id="MMR900099", actor1=KIA, inter1="2", actor2=AA, inter2="2"), PARTY_MAP
    )
    assert chosen.party == "kia"


# -- places ---------------------------------------------------------------------------------------

PLACES = [
    Place("hpakant", "Hpakant", lat=25.61, lon=96.31),
    Place("lonton", "Lonton", aliases=("Longton",), lat=25.18, lon=96.28),
    Place("myitkyina", "Myitkyina", lat=25.38, lon=97.40),
    Place("mohnyin", "Mohnyin", lat=24.78, lon=96.37, attributes={"admin1": "Kachin"}),
    Place("namti-kachin", "Namti", lat=25.20, lon=97.00),
    Place("namti-shan", "Namti", lat=22.90, lon=97.40),
    Place("seng-tawng", "Seng Tawng"),
]


@pytest.mark.parametrize(
    ("location", "lat", "lon", "admin1", "how", "place"),
    [
        ("Hpakant", 25.6100, 96.3100, "Kachin", "name", "hpakant"),
        ("LONGTON", 25.1800, 96.2800, "Kachin", "name", "lonton"),  # an alias
        ("Myitkyina - Shatapru", 25.3900, 97.3900, "Kachin", "name", "myitkyina"),
        ("Seng-Tawng", 25.4500, 96.4000, "Kachin", "name", "seng-tawng"),
        ("Namti", 25.2100, 97.0100, "Kachin", "name", "namti-kachin"),  # the other is far
        ("Hpakant Jade Mines", 25.6200, 96.3300, "Kachin", "distance", "hpakant"),
        ("Mohnyin", 24.7800, 96.3700, "Sagaing", "none", None),  # another admin area
        ("Tanai", 26.3600, 96.7200, "Kachin", "none", None),
    ],
)
def test_locations_match_places_by_name_or_distance(
    location: str, lat: float, lon: float, admin1: str, how: str, place: str | None
) -> None:
    index = PlaceIndex(PLACES, within_km=5)
    match = index.match(acled_row(location=location, latitude=lat, longitude=lon, admin1=admin1))
    assert (match.how, match.place) == (how, place)


def test_namesakes_are_told_apart_by_distance() -> None:
    twins = [Place("nam-a", "Nam", lat=25.0, lon=96.0), Place("nam-b", "Nam", lat=25.2, lon=96.0)]
    index = PlaceIndex(twins, within_km=5)
    near_b = index.match(acled_row(location="Nam", latitude=25.21, longitude=96.0))
    assert (near_b.how, near_b.place) == ("name+distance", "nam-b")
    between = index.match(acled_row(location="Nam", latitude=25.1, longitude=96.0))
    assert between.how == "none" and "2 places are called 'Nam'" in (between.detail or "")


# -- the document goes through the validator ------------------------------------------------------


def test_a_document_is_validated_by_the_rules_of_every_file() -> None:
    document = {
        "parties": [{"id": "kia"}],
        "places": [{"id": "kamaing", "name": "Kamaing"}],
        "events": [
            {"date": dt.date(2024, 3, 15), "place": "kamaing", "party": "kia", "id": "x"},
            {"date": dt.date(2024, 3, 15), "place": "kamaing", "status": "nothing", "id": "x"},
            {"date": dt.date(2024, 3, 15), "place": "kamaing", "party": "saf"},
        ],
    }
    with pytest.raises(cg.DatasetError) as caught:
        load_document(
            document,
            file="export.csv",
            file_format="acled",
            origins={("events", 1): ("ACLED event B", 9), ("events", 2): ("ACLED event C", 12)},
        )
    found = {(i.file, i.entry, i.field, i.line) for i in caught.value.issues}
    assert found == {
        ("export.csv", "ACLED event B", "status", 9),
        ("export.csv", "ACLED event B", "id", 9),
        ("export.csv", "ACLED event C", "party", 12),
    }


# -- importing ------------------------------------------------------------------------------------


def incidents_by_id(model: cg.Model) -> dict[str, cg.Incident]:
    return {i.id: i for i in model.incidents() if i.id is not None}


def test_the_first_export(network: cg.Model) -> None:
    report = network.import_acled(EXPORT_1, parties=PARTIES, recorded=FIRST_DAY)
    assert report.rows == 14
    assert (len(report.new), report.events, report.incidents) == (13, 4, 9)
    assert report.imported.added["sources"] == 1
    # Territory rows with a clear, mapped taker are control events, whatever the actor order.
    assert network.who_held("kamaing", "2024-01-15").state == cg.State(cg.Status.HELD, "kia")
    assert network.who_held("mogaung", "2024-02-20").state == cg.State(cg.Status.HELD, "saf")
    assert network.who_held("paletwa", "2024-04-10").state.controller == "aa"
    # "Longton" is an alias of Lonton; precision 3 is the calendar month.
    lonton = network.who_held("lonton", "2024-03-01")
    assert lonton.state.controller == "kia" and lonton.uncertain
    (event,) = [e.record for e in network.events("lonton")]
    assert (event.date, event.date_latest, event.recorded) == (
        dt.date(2024, 3, 1),
        dt.date(2024, 3, 31),
        FIRST_DAY,
    )
    assert (event.id, event.kind, event.source) == (
        "acled-mmr900105",
        "Non-violent transfer of territory",
        "acled",
    )
    assert event.attributes["time_precision"] == 3
    assert event.attributes["event_date"] == "2024-03-15"
    # Every other row is an incident: the sub-event type is its kind, fatalities kept.
    incidents = incidents_by_id(network)
    strike = incidents["acled-mmr900103"]
    assert (strike.kind, strike.target_id, strike.party) == ("Air/drone strike", "hpakant", "saf")
    assert (strike.date, strike.date_latest) == (dt.date(2024, 2, 4), dt.date(2024, 2, 10))
    assert strike.attributes["fatalities"] == 2
    assert strike.attributes["geo_precision"] == 1
    assert strike.attributes["civilian_targeting"] is True
    assert strike.attributes["admin3"] == "Hpakant"
    assert strike.attributes["event_id_cnty"] == "MMR900103"
    assert strike.note is not None and strike.note.startswith("Invented test row")
    assert incidents["acled-mmr900107"].party is None  # an actor the map lacks
    assert incidents["acled-mmr900111"].target_id == "myitkyina"  # "Myitkyina - Shatapru"
    assert incidents["acled-mmr900112"].attributes["place_match"] == "distance"
    # What could not be made a control event, and why.
    not_control = {n["id"]: n["why"] for n in report.not_control}
    assert set(not_control) == {"acled-mmr900106", "acled-mmr900113"}
    assert "both sides are a non-state" in not_control["acled-mmr900106"]
    assert "geo_precision 3" in not_control["acled-mmr900113"]
    assert incidents["acled-mmr900106"].kind == "Non-state actor overtakes territory"
    assert report.unmapped == [("Unidentified Armed Group (Myanmar)", 1, 0)]
    assert [(u["location"], u["rows"]) for u in report.unplaced] == [("Tanai", 1)]
    assert report.matched == {"name": (12, 9), "distance": (1, 1)}
    assert [(m["location"], m["place"]) for m in report.matches_to_check] == [
        ("Hpakant Jade Mines", "hpakant")
    ]


def snapshot(model: cg.Model, as_of: str | None = None) -> list[object]:
    """Every place's state on every fifth day of the export's span, as of a day."""
    days = [dt.date(2024, 1, 1) + dt.timedelta(days=d) for d in range(0, 150, 5)]
    return [
        (place.id, day, model.who_held(place.id, day, as_of=as_of).state)
        for place in model.places()
        for day in days
    ]


def test_a_newer_export_with_sync_corrects_deletes_and_keeps_history(model: cg.Model) -> None:
    model.import_file(NETWORK)
    model.import_acled(EXPORT_1, parties=PARTIES, recorded=FIRST_DAY)
    before = snapshot(model)
    incidents_before = incidents_by_id(model)

    report = model.import_acled(EXPORT_2, parties=PARTIES, recorded=SECOND_DAY, sync=True)

    assert report.new == ["acled-mmr900120"]  # (d) new, with an old date
    assert report.changed == {
        "acled-mmr900101": "fatalities, notes",  # (a) corrected
        "acled-mmr900108": "sub_event_type, notes, now a control event, not an incident",  # (e)
    }
    assert report.unchanged == 9  # (b) among them: a newer timestamp alone is no change
    assert list(report.retracted) == ["acled-mmr900107"]  # (c) deleted
    assert "not in the ACLED export export-2.csv" in report.retracted["acled-mmr900107"]
    # MMR900090 is older than anything in the second export: not its coverage.
    assert any("1 ACLED rows in the database lie outside" in w for w in report.warnings)
    assert (report.countries, report.first_day, report.last_day) == (
        ["Myanmar"],
        dt.date(2024, 1, 10),
        dt.date(2024, 5, 1),
    )
    imported = report.imported
    assert imported.added["events"] == 1 and imported.added["incidents"] == 2
    assert set(imported.replaced) == {"acled-mmr900101", "acled-mmr900108"}

    incidents = incidents_by_id(model)
    assert incidents["acled-mmr900101"].attributes["fatalities"] == 5
    assert incidents["acled-mmr900101"].recorded == SECOND_DAY
    assert incidents["acled-mmr900103"] == incidents_before["acled-mmr900103"]
    assert incidents["acled-mmr900120"].date == dt.date(2024, 1, 20)
    assert "acled-mmr900107" not in incidents and "acled-mmr900108" not in incidents
    assert "acled-mmr900090" in incidents
    assert model.who_held("kyauktaw", "2024-04-05").state == cg.State(cg.Status.HELD, "aa")
    # The data as it stood before the second import is still there, for --as-of.
    assert snapshot(model, as_of="2024-06-09") == before
    assert model.who_held("kyauktaw", "2024-04-05", as_of="2024-06-09").state.status.value == (
        "unknown"
    )


def test_without_sync_rows_missing_from_an_export_stay(network: cg.Model) -> None:
    network.import_acled(EXPORT_1, parties=PARTIES, recorded=FIRST_DAY)
    report = network.import_acled(EXPORT_2, parties=PARTIES, recorded=SECOND_DAY)
    assert report.retracted == {}
    assert "acled-mmr900107" in incidents_by_id(network)
    assert set(report.changed) == {"acled-mmr900101", "acled-mmr900108"}


def test_the_same_export_again_changes_nothing(network: cg.Model) -> None:
    network.import_acled(EXPORT_1, parties=PARTIES, recorded=FIRST_DAY)
    count = len(network.incidents()) + len(network.events())
    report = network.import_acled(EXPORT_1, parties=PARTIES, recorded=SECOND_DAY, sync=True)
    assert (report.new, report.changed, report.retracted) == ([], {}, {})
    assert report.unchanged == 13
    assert len(network.incidents()) + len(network.events()) == count


def test_a_row_deleted_then_restored_comes_back(network: cg.Model, write_file: WriteFile) -> None:
    lines = EXPORT_1.read_text(encoding="utf-8").splitlines()
    without = write_file(
        "without.csv", "\n".join(line for line in lines if "MMR900107" not in line)
    )
    network.import_acled(EXPORT_1, parties=PARTIES, recorded=FIRST_DAY)
    network.import_acled(without, parties=PARTIES, recorded=SECOND_DAY, sync=True)
    assert "acled-mmr900107" not in incidents_by_id(network)
    report = network.import_acled(
        EXPORT_1, parties=PARTIES, recorded=dt.date(2024, 7, 1), sync=True
    )
    assert report.new == ["acled-mmr900107"]
    assert "acled-mmr900107" in incidents_by_id(network)


def test_a_new_party_map_remakes_the_rows_it_changes(
    network: cg.Model, write_file: WriteFile
) -> None:
    network.import_acled(EXPORT_1, parties=PARTIES, recorded=FIRST_DAY)
    text = PARTIES.read_text(encoding="utf-8")
    better = write_file(
        "better.yaml",
        text + "Unidentified Armed Group (Myanmar): null\ntakers:\n  MMR900106: kia\n",
    )
    report = network.import_acled(EXPORT_1, parties=better, recorded=SECOND_DAY)
    # Only the row whose record changes is replaced; ACLED changed nothing in it.
    assert report.changed == {"acled-mmr900106": "party, now a control event, not an incident"}
    assert network.who_held("seng-tawng", "2024-03-20").state.controller == "kia"
    assert report.unmapped == []


def test_created_places_are_found_by_name_the_next_time(network: cg.Model) -> None:
    first = network.import_acled(EXPORT_1, parties=PARTIES, recorded=FIRST_DAY, create_places=True)
    assert first.places_created == ["tanai"] and first.unplaced == []
    (tanai,) = [p for p in network.places() if p.id == "tanai"]
    assert (tanai.name, tanai.lat, tanai.lon) == ("Tanai", 26.36, 96.72)
    assert tanai.attributes["admin2"] == "Myitkyina"
    assert incidents_by_id(network)["acled-mmr900110"].target_id == "tanai"
    second = network.import_acled(EXPORT_2, parties=PARTIES, recorded=SECOND_DAY, sync=True)
    assert second.places_created == [] and second.matched["name"][0] == 12
    assert "acled-mmr900110" not in second.changed


def test_a_row_moved_beyond_the_places_is_retracted(
    network: cg.Model, write_file: WriteFile
) -> None:
    network.import_acled(EXPORT_1, parties=PARTIES, recorded=FIRST_DAY)
    text = EXPORT_1.read_text(encoding="utf-8")
    moved = text.replace(
        "Kachin,Mohnyin,Mohnyin,Mohnyin,24.7800,96.3700,1",
        "Kachin,Myitkyina,Tanai,Tanai,26.3600,96.7200,1",
    )
    assert moved != text
    report = network.import_acled(write_file("moved.csv", moved), parties=PARTIES)
    assert "acled-mmr900107" in report.retracted
    assert "location" in report.retracted["acled-mmr900107"]
    assert "acled-mmr900107" not in incidents_by_id(network)


def test_nothing_is_written_when_anything_is_wrong(
    network: cg.Model, write_file: WriteFile
) -> None:
    imports = len(network.imports())
    unknown_party = write_file("map.yaml", f"{SAF}: junta\n")
    with pytest.raises(cg.DatasetError, match="is not in the database; import the parties"):
        network.import_acled(EXPORT_1, parties=unknown_party)
    bad = write_file("bad.csv", EXPORT_1.read_text(encoding="utf-8").replace("2024-04-12", "x"))
    with pytest.raises(cg.DatasetError, match="is not a date ACLED writes"):
        network.import_acled(bad, parties=PARTIES)
    with pytest.raises(cg.InvalidArgumentError, match="reported data"):
        network.scenario("what-if").import_acled(EXPORT_1, parties=PARTIES)
    assert len(network.imports()) == imports


def test_parties_in_python(network: cg.Model) -> None:
    report = network.import_acled(EXPORT_1, parties={SAF: "saf", "*": None})
    # Only the junta is a party: only its regaining Mogaung is a control event.
    assert report.unmapped == [] and report.events == 1
    assert network.who_held("mogaung", "2024-02-20").state.controller == "saf"


# -- the command line -----------------------------------------------------------------------------


def test_the_command_line(sqlite_url: str) -> None:
    cli = Cli(sqlite_url)
    assert cli("import", str(NETWORK)).exit_code == 0
    result = cli(
        "import-acled", str(EXPORT_1), "--parties", str(PARTIES), "--recorded", "2024-05-10"
    )
    assert result.exit_code == 0, result.output
    assert "Imported" in result.stdout and "new 13, changed 0, unchanged 0" in result.stdout
    assert "Tanai (Kachin / Myitkyina / Tanai): 1 row; no place has the name" in result.stdout
    assert "acled-mmr900106 at seng-tawng" in result.stdout
    assert "cite ACLED" in result.stderr
    document = cli.json(
        "import-acled",
        str(EXPORT_2),
        "--parties",
        str(PARTIES),
        "--sync",
        "--recorded",
        "2024-06-10",
    )
    assert document["new"] == ["acled-mmr900120"]
    assert document["retracted"][0]["id"] == "acled-mmr900107"
    assert document["coverage"] == {
        "countries": ["Myanmar"],
        "from": "2024-01-10",
        "to": "2024-05-01",
    }
    assert document["sync"] is True and document["format"] == "acled"
    as_of = cli.json("who-held", "kyauktaw", "--on", "2024-04-05", "--as-of", "2024-06-09")
    now = cli.json("who-held", "kyauktaw", "--on", "2024-04-05")
    assert (as_of["status"], now["controller"]) == ("unknown", "aa")


def test_the_command_line_reports_problems_as_json(sqlite_url: str, write_file: WriteFile) -> None:
    cli = Cli(sqlite_url)
    assert cli("import", str(NETWORK)).exit_code == 0
    bad = write_file("bad.csv", EXPORT_1.read_text(encoding="utf-8").replace("2024-04-12", "x"))
    document = cli.json("import-acled", str(bad), "--parties", str(PARTIES), exit_code=2)
    (problem,) = document["problems"]
    assert problem["entry"] == "event MMR900110" and problem["field"] == "event_date"
    assert problem["line"] == 12 and problem["file"] == str(bad)
    missing = cli("import-acled", str(EXPORT_1))
    assert missing.exit_code == 2 and "--parties" in missing.stderr
    assert json.loads(json.dumps(document)) == document
