"""Importing dataset files (contract section 1): every kind of bad input is refused with a
message naming file, entry, line and field, and leaves the database exactly as it was;
good input in YAML, JSON and CSV lands as given.

The table of bad inputs runs against one database per backend holding the conformance
dataset (tests/data/valley.yaml): sharing it is safe precisely because a refused import
must not change it, which every case checks (row counts of every table and every change
of state, before and after), through the Python API and through the command line.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import textwrap
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml

import control_graph as cg
from control_graph.dataset import raw, yaml_reader
from control_graph.store.db import resolve_url
from tests.conftest import BACKENDS, PG_URL, VALLEY, Cli

WriteFile = Callable[[str, str], Path]


def snapshot(model: cg.Model) -> dict[str, Any]:
    """What a refused import must not change: the rows of every table, every change."""
    with model.engine.connect() as conn:
        tables = sorted(sa.inspect(conn).get_table_names())
        counts = {
            table: conn.execute(sa.text(f'SELECT COUNT(*) FROM "{table}"')).scalar_one()
            for table in tables
            if table != "alembic_version"
        }
    return {"rows": counts, "changes": model.changes().as_dict()}


def event_rows(model: cg.Model) -> list[dict[str, Any]]:
    with model.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT * FROM events ORDER BY import_id, position"))
        return [dict(row._mapping) for row in rows]


@dataclass
class Shared:
    model: cg.Model
    cli: Cli


@pytest.fixture(scope="module", params=BACKENDS)
def shared(request: pytest.FixtureRequest) -> Iterator[Shared]:
    """One database per backend for the whole module, holding the valley dataset."""
    if request.param == "sqlite":
        folder = request.getfixturevalue("tmp_path_factory").mktemp("shared")
        url = f"sqlite:///{folder / 'shared.db'}"
        cleanup: Callable[[], None] = lambda: None  # noqa: E731
    else:
        assert PG_URL
        schema = f"cg_test_{uuid.uuid4().hex[:12]}"
        admin = sa.create_engine(resolve_url(PG_URL))
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        url = (
            sa.engine.make_url(resolve_url(PG_URL))
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )

        def cleanup() -> None:
            with admin.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
            admin.dispose()

    try:
        with cg.open(url) as model:
            model.import_file(VALLEY)
            yield Shared(model, Cli(url))
    finally:
        cleanup()


# -- every bad input of contract section 1 --------------------------------------------------


@dataclass(frozen=True)
class Bad:
    """A file that must be refused, and the problem it must report."""

    id: str
    file: str
    text: str
    entry: str
    field: str | None
    message: str
    line: int | None

    @property
    def content(self) -> str:
        return textwrap.dedent(self.text).lstrip("\n")


def bad(
    id: str, text: str, entry: str, field: str | None, message: str, line: int | None, **kw: str
) -> Bad:
    return Bad(id, kw.get("file", f"{id}.yaml"), text, entry, field, message, line)


BAD = [
    # unknown references, from every place a reference can be
    bad(
        "event-unknown-party",
        """
        events:
          - {date: 2024-05-01, place: ford, party: nobody}
        """,
        "event #1",
        "party",
        "unknown party 'nobody'",
        2,
    ),
    bad(
        "event-unknown-place",
        """
        events:
          - {date: 2024-05-01, place: ford, party: north}
          - date: 2024-05-01
            place: nowhere
            party: north
        """,
        "event #2",
        "place",
        "unknown place 'nowhere'",
        4,
    ),
    bad(
        "event-unknown-segment",
        """
        events:
          - {date: 2024-05-01, segment: valley-road/9, party: north}
        """,
        "event #1",
        "segment",
        "unknown segment 'valley-road/9'",
        2,
    ),
    bad(
        "event-unknown-road",
        """
        events:
          - {date: 2024-05-01, road: ring-road, status: contested}
        """,
        "event #1",
        "road",
        "unknown road 'ring-road'",
        2,
    ),
    bad(
        "event-unknown-source",
        """
        events:
          - {date: 2024-05-01, place: mill, party: north, source: rumour}
        """,
        "event #1",
        "source",
        "unknown source 'rumour'",
        2,
    ),
    bad(
        "incident-unknown-place",
        """
        incidents:
          - {date: 2024-05-01, place: nowhere, kind: airstrike}
        """,
        "incident #1",
        "place",
        "unknown place 'nowhere'",
        2,
    ),
    bad(
        "incident-unknown-segment",
        """
        incidents:
          - {date: 2024-05-01, segment: no-track, kind: ambush}
        """,
        "incident #1",
        "segment",
        "unknown segment 'no-track'",
        2,
    ),
    bad(
        "incident-unknown-road",
        """
        incidents:
          - {date: 2024-05-01, road: ring-road, kind: ambush}
        """,
        "incident #1",
        "road",
        "unknown road 'ring-road'",
        2,
    ),
    bad(
        "incident-unknown-party",
        """
        incidents:
          - {date: 2024-05-01, place: gate, party: nobody}
        """,
        "incident #1",
        "party",
        "unknown party 'nobody'",
        2,
    ),
    bad(
        "incident-unknown-source",
        """
        incidents:
          - {date: 2024-05-01, place: gate, source: rumour}
        """,
        "incident #1",
        "source",
        "unknown source 'rumour'",
        2,
    ),
    bad(
        "segment-unknown-from",
        """
        segments:
          - {id: new-track, from: nowhere, to: mill}
        """,
        "segment 'new-track'",
        "from",
        "unknown place 'nowhere'",
        2,
    ),
    bad(
        "segment-unknown-to",
        """
        segments:
          - id: new-track
            from: mill
            to: nowhere
        """,
        "segment 'new-track'",
        "to",
        "unknown place 'nowhere'",
        4,
    ),
    bad(
        "road-unknown-place",
        """
        roads:
          - id: new-road
            places:
              - ford
              - nowhere
        """,
        "road 'new-road'",
        "places[1]",
        "unknown place 'nowhere'",
        5,
    ),
    bad(
        "road-unknown-segment",
        """
        roads:
          - {id: new-road, segments: [hill-track, no-track]}
        """,
        "road 'new-road'",
        "segments[1]",
        "unknown segment 'no-track'",
        2,
    ),
    bad(
        "member-unknown-party",
        """
        blocs:
          - id: new-bloc
            members:
              - {party: north, from: 2025-01-01}
              - {party: nobody}
        """,
        "bloc 'new-bloc'",
        "members[1].party",
        "unknown party 'nobody'",
        5,
    ),
    # duplicate ids in one file
    bad(
        "duplicate-place",
        """
        places:
          - {id: camp}
          - {id: camp}
        """,
        "place 'camp'",
        "id",
        "duplicate place id 'camp' (first defined at line 2)",
        3,
    ),
    bad(
        "duplicate-party",
        """
        parties:
          - {id: west}
          - {id: west, name: Western Army}
        """,
        "party 'west'",
        "id",
        "duplicate party id 'west'",
        3,
    ),
    bad(
        "duplicate-source",
        """
        sources:
          - {id: report}
          - {id: report}
        """,
        "source 'report'",
        "id",
        "duplicate source id 'report'",
        3,
    ),
    bad(
        "duplicate-road",
        """
        roads:
          - {id: loop, places: [ford, mill]}
          - {id: loop, places: [mill, gate]}
        """,
        "road 'loop'",
        "id",
        "duplicate road id 'loop'",
        3,
    ),
    bad(
        "duplicate-segment-and-generated",
        """
        roads:
          - {id: loop, places: [ford, mill, gate]}
        segments:
          - {id: loop/2, from: mill, to: gate}
        """,
        "segment 'loop/2'",
        "id",
        "duplicate segment id 'loop/2' (first defined at line 2 (generated by road 'loop'))",
        4,
    ),
    # invalid dates
    bad(
        "date-not-a-day",
        """
        events:
          - {date: 2026-02-30, place: ford, party: north}
        """,
        "event #1",
        "date",
        "'2026-02-30' is not a valid calendar day",
        2,
    ),
    bad(
        "date-in-words",
        """
        events:
          - {date: 5 Feb 2026, place: ford, party: north}
        """,
        "event #1",
        "date",
        "'5 Feb 2026' is not a date of the form YYYY-MM-DD",
        2,
    ),
    bad(
        "date-with-time",
        """
        events:
          - {date: 2026-02-05 10:30:00, place: ford, party: north}
        """,
        "event #1",
        "date",
        "invalid date",
        2,
    ),
    bad(
        "date-iso-timestamp",
        """
        events:
          - {date: 2026-02-05, recorded: 2026-02-06T08:00:00Z, place: ford, party: north}
        """,
        "event #1",
        "recorded",
        "invalid date",
        2,
    ),
    bad(
        "date-as-number",
        """
        incidents:
          - {date: 20260205, place: ford}
        """,
        "incident #1",
        "date",
        "must be a date YYYY-MM-DD, not a number",
        2,
    ),
    bad(
        "date-published",
        """
        sources:
          - {id: report, published: 2026-13-01}
        """,
        "source 'report'",
        "published",
        "not a valid calendar day",
        2,
    ),
    bad(
        "date-member-from",
        """
        blocs:
          - id: new-bloc
            members:
              - party: north
                from: 1/2/2025
        """,
        "bloc 'new-bloc'",
        "members[0].from",
        "invalid date",
        5,
    ),
    bad(
        "date-member-to-before-from",
        """
        blocs:
          - id: new-bloc
            members:
              - {party: north, from: 2025-02-01, to: 2025-01-01}
        """,
        "bloc 'new-bloc'",
        "members[0].to",
        "is not after from",
        4,
    ),
    # invalid ids
    bad(
        "id-upper-case",
        """
        places:
          - {id: Camp}
        """,
        "place 'Camp'",
        "id",
        "'Camp' is not a valid id",
        2,
    ),
    bad(
        "id-with-space",
        """
        parties:
          - {id: west army}
        """,
        "party 'west army'",
        "id",
        "'west army' is not a valid id",
        2,
    ),
    bad(
        "id-leading-dash",
        """
        sources:
          - {id: -report}
        """,
        "source '-report'",
        "id",
        "'-report' is not a valid id",
        2,
    ),
    bad(
        "id-missing",
        """
        places:
          - {name: Nameless}
        """,
        "place #1",
        "id",
        "is required",
        2,
    ),
    bad(
        "id-too-long",
        f"""
        places:
          - {{id: {"a" * 201}}}
        """,
        "place #1",
        "id",
        "is not a valid id",
        2,
    ),
    # held without a party
    bad(
        "held-explicit-without-party",
        """
        events:
          - {date: 2024-05-01, place: ford, status: held}
        """,
        "event #1",
        "party",
        "is required when status is held",
        2,
    ),
    bad(
        "held-default-without-party",
        """
        events:
          - {date: 2024-05-01, place: ford, kind: capture}
        """,
        "event #1",
        "party",
        "is required when status is held (the default)",
        2,
    ),
    # coordinates come in pairs
    bad(
        "lat-without-lon",
        """
        places:
          - {id: camp, lat: 10.5}
        """,
        "place 'camp'",
        "lon",
        "is required when lat is given",
        2,
    ),
    bad(
        "lon-without-lat",
        """
        places:
          - id: camp
            lon: 20.5
        """,
        "place 'camp'",
        "lat",
        "is required when lon is given",
        2,
    ),
    # keys the format does not define: a typo must never drop data silently
    bad(
        "unknown-top-level-key",
        """
        format: control-graph/1
        evnts:
          - {date: 2024-05-01, place: ford, party: north}
        """,
        "file",
        "evnts",
        "unknown key 'evnts' (did you mean 'events'?)",
        2,
    ),
    bad(
        "unknown-key-party",
        """
        parties:
          - {id: west, nme: Western Army}
        """,
        "party 'west'",
        "nme",
        "unknown key 'nme'",
        2,
    ),
    bad(
        "unknown-key-bloc",
        """
        blocs:
          - id: new-bloc
            member:
              - {party: north}
        """,
        "bloc 'new-bloc'",
        "member",
        "unknown key 'member' (did you mean 'members'?)",
        3,
    ),
    bad(
        "unknown-key-place",
        """
        places:
          - {id: camp, lat: 1, lon: 2, elevation: 300}
        """,
        "place 'camp'",
        "elevation",
        "unknown key 'elevation'",
        2,
    ),
    bad(
        "unknown-key-road",
        """
        roads:
          - {id: loop, places: [ford, mill], length_km: 3}
        """,
        "road 'loop'",
        "length_km",
        "unknown key 'length_km' (did you mean 'lengths_km'?)",
        2,
    ),
    bad(
        "unknown-key-segment",
        """
        segments:
          - {id: track, from: ford, to: mill, lenght_km: 3}
        """,
        "segment 'track'",
        "lenght_km",
        "unknown key 'lenght_km' (did you mean 'length_km'?)",
        2,
    ),
    bad(
        "unknown-key-source",
        """
        sources:
          - {id: report, link: "https://example.org"}
        """,
        "source 'report'",
        "link",
        "unknown key 'link'",
        2,
    ),
    bad(
        "unknown-key-event",
        """
        events:
          - date: 2024-05-01
            place: ford
            pary: north
            status: contested
        """,
        "event #1",
        "pary",
        "unknown key 'pary' (did you mean 'party'?)",
        4,
    ),
    bad(
        "unknown-key-incident",
        """
        incidents:
          - {date: 2024-05-01, place: ford, status: contested}
        """,
        "incident #1",
        "status",
        "unknown key 'status'",
        2,
    ),
    bad(
        "unknown-key-member",
        """
        blocs:
          - id: new-bloc
            members:
              - party: north
                form: 2025-01-01
        """,
        "bloc 'new-bloc'",
        "members[0].form",
        "unknown key 'form' (did you mean 'from'?)",
        5,
    ),
    # a party in two blocs at once
    bad(
        "two-blocs-in-file",
        """
        blocs:
          - {id: pact-a, members: [{party: north, from: 2025-01-01, to: 2025-06-01}]}
          - {id: pact-b, members: [{party: north, from: 2025-05-01}]}
        """,
        "bloc 'pact-b'",
        "members",
        "party 'north' would be in two blocs at once",
        3,
    ),
    bad(
        "two-blocs-with-database",
        """
        blocs:
          - {id: eastern-front, members: [{party: east, from: 2024-01-01, to: 2024-04-01}]}
        """,
        "bloc 'eastern-front'",
        "members",
        "party 'east' would be in two blocs at once: coalition (2024-03-01 to open)",
        2,
    ),
    # the format
    bad(
        "format-version",
        """
        format: control-graph/2
        places:
          - {id: camp}
        """,
        "file",
        "format",
        "'control-graph/2' is not supported; use 'control-graph/1'",
        1,
    ),
    bad(
        "format-other",
        """
        name: something else
        format: geojson
        """,
        "file",
        "format",
        "'geojson' is not supported",
        2,
    ),
    # an id already in the database with different content
    bad(
        "definition-differs-place",
        """
        places:
          - {id: ford, name: Ford Crossing, kind: village, lat: 10.00, lon: 20.00}
        """,
        "place 'ford'",
        "id",
        "place 'ford' is already in the database with a different name",
        2,
    ),
    bad(
        "definition-differs-party",
        """
        parties:
          - {id: north, name: Northern Army, color: "#000000"}
        """,
        "party 'north'",
        "id",
        "different color",
        2,
    ),
    bad(
        "definition-differs-road",
        """
        roads:
          - {id: valley-road, name: Valley Road, places: [ford, mill, gate]}
        """,
        "road 'valley-road'",
        "id",
        "road 'valley-road' is already in the database with a different segments, places",
        2,
    ),
    bad(
        "definition-differs-bloc",
        """
        blocs:
          - id: coalition
            name: Southern coalition
            members:
              - {party: south}
        """,
        "bloc 'coalition'",
        "id",
        "different members",
        2,
    ),
    # other shapes that are not the format
    bad(
        "not-a-mapping-entry",
        """
        places:
          - camp
        """,
        "place #1",
        None,
        "must be a mapping (key: value), not text 'camp'",
        2,
    ),
    bad(
        "section-not-a-list",
        """
        places:
          id: camp
        """,
        "file",
        "places",
        "must be a list, not a mapping",
        1,
    ),
    bad(
        "value-wrong-type",
        """
        places:
          - {id: camp, name: [Camp]}
        """,
        "place 'camp'",
        "name",
        "must be text, not a list",
        2,
    ),
    bad(
        "target-missing",
        """
        events:
          - {date: 2024-05-01, party: north}
        """,
        "event #1",
        "place",
        "needs exactly one of place, segment or road (found none)",
        2,
    ),
    bad(
        "target-twice",
        """
        events:
          - {date: 2024-05-01, place: ford, road: valley-road, party: north}
        """,
        "event #1",
        "place",
        "(found place and road)",
        2,
    ),
    bad(
        "status-unknown-value",
        """
        events:
          - {date: 2024-05-01, place: ford, party: north, status: captured}
        """,
        "event #1",
        "status",
        "'captured' is not one of: held, contested, unknown",
        2,
    ),
    bad(
        "road-both-places-and-segments",
        """
        roads:
          - {id: loop, places: [ford, mill], segments: [hill-track]}
        """,
        "road 'loop'",
        "places",
        "give exactly one of places",
        2,
    ),
    bad(
        "road-lengths-wrong-count",
        """
        roads:
          - {id: loop, places: [ford, mill, gate], lengths_km: [3]}
        """,
        "road 'loop'",
        "lengths_km",
        "must be a list of 2 lengths",
        2,
    ),
    bad(
        "negative-length",
        """
        segments:
          - {id: track, from: ford, to: mill, length_km: -3}
        """,
        "segment 'track'",
        "length_km",
        "-3 is out of range: must be at least 0",
        2,
    ),
    bad(
        "lat-out-of-range",
        """
        places:
          - {id: camp, lat: 91, lon: 20}
        """,
        "place 'camp'",
        "lat",
        "91 is out of range: must be from -90 to 90",
        2,
    ),
    bad(
        "colour-too-long",
        f"""
        parties:
          - {{id: west, color: {"a" * 51}}}
        """,
        "party 'west'",
        "color",
        "is not a colour",
        2,
    ),
    # the same checks in JSON, which has lines for entries too
    bad(
        "json-unknown-key",
        """
        {"events": [
          {"date": "2024-05-01", "place": "ford", "party": "north"},
          {"date": "2024-05-01", "place": "mill", "pary": "north", "status": "contested"}
        ]}
        """,
        "event #2",
        "pary",
        "unknown key 'pary'",
        3,
        file="json-unknown-key.json",
    ),
    bad(
        "json-duplicate-id",
        """
        {"format": "control-graph/1",
         "places": [{"id": "camp"},
                    {"id": "camp"}]}
        """,
        "place 'camp'",
        "id",
        "duplicate place id 'camp' (first defined at line 2)",
        3,
        file="json-duplicate-id.json",
    ),
    bad(
        "json-held-without-party",
        """
        {
          "events": [
            {
              "date": "2024-05-01",
              "place": "ford"
            }
          ]
        }
        """,
        "event #1",
        "party",
        "is required when status is held",
        3,
        file="json-held.json",
    ),
    bad(
        "json-two-blocs",
        """
        {"blocs": [{"id": "eastern-front", "members": [{"party": "east"}]}]}
        """,
        "bloc 'eastern-front'",
        "members",
        "party 'east' would be in two blocs at once",
        1,
        file="json-two-blocs.json",
    ),
    bad(
        "json-date-as-number",
        """
        {"events": [{"date": 20240501, "place": "ford", "party": "north"}]}
        """,
        "event #1",
        "date",
        "must be a date YYYY-MM-DD",
        1,
        file="json-date.json",
    ),
    bad(
        "json-format",
        """
        {"format": "control-graph/1.1"}
        """,
        "file",
        "format",
        "is not supported",
        1,
        file="json-format.json",
    ),
    # and in CSV, where every row is an event
    bad(
        "csv-unknown-place",
        """
        date,place,party
        2024-05-01,ford,north
        2024-05-02,nowhere,north
        """,
        "row 2",
        "place",
        "unknown place 'nowhere'",
        3,
        file="csv-unknown-place.csv",
    ),
    bad(
        "csv-unknown-party",
        """
        date,place,party,status
        2024-05-01,ford,nobody,contested
        """,
        "row 1",
        "party",
        "unknown party 'nobody'",
        2,
        file="csv-unknown-party.csv",
    ),
    bad(
        "csv-unknown-segment",
        """
        date,segment,road,party
        2024-05-01,valley-road/7,,north
        """,
        "row 1",
        "segment",
        "unknown segment 'valley-road/7'",
        2,
        file="csv-unknown-segment.csv",
    ),
    bad(
        "csv-unknown-road",
        """
        date,segment,road,party
        2024-05-01,,ring-road,north
        """,
        "row 1",
        "road",
        "unknown road 'ring-road'",
        2,
        file="csv-unknown-road.csv",
    ),
    bad(
        "csv-unknown-source",
        """
        date,place,party,source
        2024-05-01,ford,north,rumour
        """,
        "row 1",
        "source",
        "unknown source 'rumour'",
        2,
        file="csv-unknown-source.csv",
    ),
    bad(
        "csv-invalid-date",
        """
        date,place,party
        2024-05-01,ford,north
        05/02/2024,ford,north
        """,
        "row 2",
        "date",
        "'05/02/2024' is not a date of the form YYYY-MM-DD",
        3,
        file="csv-invalid-date.csv",
    ),
    bad(
        "csv-invalid-id",
        """
        date,place,party
        2024-05-01,Ford,north
        """,
        "row 1",
        "place",
        "'Ford' is not a valid id",
        2,
        file="csv-invalid-id.csv",
    ),
    bad(
        "csv-held-without-party",
        """
        date,place,party,status
        2024-05-01,ford,,held
        """,
        "row 1",
        "party",
        "is required when status is held",
        2,
        file="csv-held.csv",
    ),
    bad(
        "csv-held-by-default-without-party",
        """
        date,place,kind
        2024-05-01,ford,capture
        """,
        "row 1",
        "party",
        "is required when status is held (the default)",
        2,
        file="csv-held-default.csv",
    ),
    bad(
        "csv-unknown-column",
        """
        date,place,pary
        2024-05-01,ford,north
        """,
        "header",
        "pary",
        "unknown column 'pary'",
        1,
        file="csv-unknown-column.csv",
    ),
    bad(
        "csv-column-twice",
        """
        date,place,party,place
        2024-05-01,ford,north,mill
        """,
        "header",
        "place",
        "column appears twice",
        1,
        file="csv-column-twice.csv",
    ),
    bad(
        "csv-no-date-column",
        """
        place,party
        ford,north
        """,
        "header",
        "date",
        "the date column is required",
        1,
        file="csv-no-date.csv",
    ),
    bad(
        "csv-row-too-long",
        """
        date,place,party
        2024-05-01,ford,north,extra
        """,
        "row 1",
        None,
        "has 4 cells but the header has 3 columns",
        2,
        file="csv-row-too-long.csv",
    ),
    bad(
        "csv-line-of-a-multiline-row",
        """
        date,place,party,note
        2024-05-01,ford,north,"a note
        over two lines"
        2024-05-02,mill,nobody,
        """,
        "row 2",
        "party",
        "unknown party 'nobody'",
        4,
        file="csv-multiline.csv",
    ),
]


def issue_line(case: Bad, path: Path) -> str:
    where = f"{path}:{case.line}" if case.line is not None else str(path)
    field = f", field '{case.field}'" if case.field else ""
    return f"{where}: {case.entry}{field}: "


def matching(issues: list[cg.DatasetIssue], case: Bad, path: Path) -> list[cg.DatasetIssue]:
    return [
        issue
        for issue in issues
        if issue.file == str(path)
        and issue.entry == case.entry
        and issue.field == case.field
        and issue.line == case.line
        and case.message in issue.message
    ]


@pytest.mark.parametrize("case", BAD, ids=lambda case: case.id)
def test_bad_input_is_refused_and_nothing_is_written(
    shared: Shared, case: Bad, tmp_path: Path
) -> None:
    path = tmp_path / case.file
    path.write_text(case.content, encoding="utf-8")
    before = snapshot(shared.model)

    with pytest.raises(cg.DatasetError) as caught:
        shared.model.import_file(path)
    assert matching(caught.value.issues, case, path), "\n".join(map(str, caught.value.issues))
    assert snapshot(shared.model) == before

    result = shared.cli("import", str(path))
    assert result.exit_code == 2, result.output
    start = issue_line(case, path)
    lines = [line.strip() for line in result.stderr.splitlines()]
    assert any(line.startswith(start) and case.message in line for line in lines), result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert result.stdout == ""
    assert snapshot(shared.model) == before


def test_the_table_covers_every_kind_of_problem() -> None:
    # A guard against the table shrinking by accident.
    assert len(BAD) >= 80
    assert len({case.id for case in BAD}) == len(BAD)
    assert len({case.file for case in BAD}) == len(BAD)


# -- many problems at once --------------------------------------------------------------------


def test_every_problem_is_reported_in_one_run(shared: Shared, tmp_path: Path) -> None:
    path = tmp_path / "mistakes.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            format: control-graph/1
            places:
              - {id: Camp, lat: 100}
              - {id: well}
            segments:
              - {id: track, from: camp, to: nowhere, length_km: -1}
            events:
              - {date: 2024-02-30, place: ford, party: nroth, confidence: sure}
              - {date: 2024-05-01, place: mill, pary: north}
              - {date: 2024-05-01, place: gate}
            incidents:
              - {date: 2024-05-01, place: nowhere}
            """
        ),
        encoding="utf-8",
    )
    before = snapshot(shared.model)
    with pytest.raises(cg.DatasetError) as caught:
        shared.model.import_file(path)
    found = {(i.entry, i.field, i.line) for i in caught.value.issues}
    assert found >= {
        ("place 'Camp'", "id", 3),
        ("place 'Camp'", "lat", 3),  # two problems in one entry
        ("place 'well'", "id", 4),  # stored with a name and a kind
        ("segment 'track'", "to", 6),
        ("segment 'track'", "length_km", 6),
        ("event #1", "date", 8),
        ("event #1", "party", 8),
        ("event #1", "confidence", 8),
        ("event #2", "pary", 9),
        ("event #3", "party", 10),
        ("incident #1", "place", 12),
    }
    nroth = [i for i in caught.value.issues if i.field == "party" and i.entry == "event #1"]
    assert "did you mean 'north'?" in nroth[0].message
    assert f"({len(caught.value.issues)} problems)" in str(caught.value)
    assert snapshot(shared.model) == before


def test_a_csv_reports_every_bad_row(shared: Shared, tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    rows = ["date,place,party"] + [f"2024-05-{d:02d},ford,north" for d in range(1, 29)]
    rows[5] = "2024-05-05,markte,north"
    rows[9] = "2024-5-9,ford,north"
    rows[20] = "2024-05-20,ford,nroth"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    before = snapshot(shared.model)
    with pytest.raises(cg.DatasetError) as caught:
        shared.model.import_file(path)
    assert [(i.entry, i.field, i.line) for i in caught.value.issues] == [
        ("row 5", "place", 6),
        ("row 9", "date", 10),
        ("row 20", "party", 21),
    ]
    assert snapshot(shared.model) == before


def test_thousands_of_bad_rows_are_counted_not_all_kept(shared: Shared, tmp_path: Path) -> None:
    path = tmp_path / "all-bad.csv"
    path.write_text(
        "date,place,party\n" + "05/02/2024,ford,north\n" * 3000,
        encoding="utf-8",
    )
    with pytest.raises(cg.DatasetError) as caught:
        shared.model.import_file(path)
    issues = caught.value.issues
    assert len(issues) == 1001
    assert issues[999].entry == "row 1000"
    assert "2,000 more problems, not listed" in issues[-1].message


# -- hostile input: refused cleanly, never anything but a DatasetError --------------------------


HOSTILE = {
    "python-object.yaml": 'places: !!python/object/apply:os.system ["touch {marker}"]\n',
    "python-name.yaml": "places:\n  - {{id: camp, name: !!python/name:os.system ''}}\n",
    "python-object-new.yaml": "x: !!python/object/new:os.system [touch {marker}]\n",
    "binary.yaml": "places:\n  - {{id: camp, name: !!binary aGVsbG8=}}\n",
    "timestamp-tag.yaml": "events:\n  - {{date: !!timestamp 2024-05-01, place: ford}}\n",
    "set-tag.yaml": "places: !!set {{camp: null}}\n",
    "custom-tag.yaml": "places:\n  - !place {{id: camp}}\n",
    "bad-int.yaml": "places:\n  - {{id: camp, lat: !!int abc, lon: 1}}\n",
    "bad-bool.yaml": "places:\n  - {{id: camp, name: !!bool maybe}}\n",
    "huge-int.yaml": "places:\n  - {{id: camp, lat: {digits}, lon: 1}}\n",
    "huge-int-attribute.yaml": "places:\n  - {{id: camp, attributes: {{n: {digits}}}}}\n",
    "huge-int.json": '{{"places": [{{"id": "camp", "lat": {digits}, "lon": 1}}]}}',
    "recursive-alias.yaml": "places: &a\n  - *a\n",
    "recursive-mapping.yaml": "places:\n  - &p {{id: camp, attributes: *p}}\n",
    "deep.yaml": "places:\n  - {{id: camp, attributes: {{x: {deep_yaml}}}}}\n",
    "deep.json": '{{"places": [{{"id": "camp", "attributes": {{"x": {deep_json}}}}}]}}',
    "nul-escape.yaml": 'places:\n  - {{id: camp, name: "Camp\\0"}}\n',
    "nul-escape.json": '{{"places": [{{"id": "camp", "note": "a\\u0000b"}}]}}',
    "nul-attribute.json": '{{"places": [{{"id": "camp", "attributes": {{"k\\u0000": 1}}}}]}}',
    "nul-raw.yaml": "places:\n  - {{id: camp, name: Camp\x00}}\n",
    "nul-raw.csv": "date,place,party,note\n2024-05-01,ford,north,a\x00b\n",
    "surrogate.json": '{{"places": [{{"id": "camp", "name": "\\ud800"}}]}}',
    "surrogate-alias.json": '{{"places": [{{"id": "camp", "aliases": ["ok", "\\udfff"]}}]}}',
    "surrogate.yaml": 'places:\n  - {{id: camp, name: "\\ud83d"}}\n',
    "id-is-a-list.yaml": "blocs:\n  - {{id: [a, b]}}\n",
    "id-is-a-mapping.yaml": "places:\n  - {{id: {{a: b}}}}\n",
    "id-is-a-mapping.json": '{{"roads": [{{"id": {{"a": 1}}, "places": ["ford", "mill"]}}]}}',
    "nan.json": '{{"places": [{{"id": "camp", "lat": NaN, "lon": 1}}]}}',
    "infinity.yaml": "places:\n  - {{id: camp, lat: .inf, lon: 1}}\n",
    "overflow.yaml": "segments:\n  - {{id: t, from: ford, to: mill, length_km: 1e400}}\n",
    "duplicate-key.yaml": "places:\n  - {{id: camp, id: well}}\n",
    "duplicate-top-key.yaml": "places: []\nplaces: []\n",
    "duplicate-key.json": '{{"places": [{{"id": "camp", "id": "well"}}]}}',
    "duplicate-top-key.json": '{{"places": [], "places": []}}',
    "trailing.json": '{{"places": []}} {{"events": []}}',
    "two-documents.yaml": "places: []\n---\nevents: []\n",
    "top-is-a-list.yaml": "- {{id: camp}}\n",
    "top-is-a-list.json": '[{{"id": "camp"}}]',
    "top-is-text.yaml": "just some text\n",
    "key-not-text.yaml": "places:\n  - {{id: camp, attributes: {{2024: x}}}}\n",
    "merge-key.yaml": "base: &b {{kind: camp}}\nplaces:\n  - {{<<: *b, id: camp}}\n",
    "tabs.yaml": "places:\n\t- {{id: camp}}\n",
    "bad-indent.yaml": "places:\n  - id: camp\n   name: x\n",
    "unclosed.json": '{{"places": [{{"id": "camp"}}',
    "not-utf8.csv": None,
    "not-utf8.yaml": None,
    "utf16.json": None,
    "unknown-extension.txt": "places: []\n",
    "ragged-quote.csv": 'date,place,party,note\n2024-05-01,ford,north,"unclosed\n',
    "huge-cell.csv": "date,place,party,note\n2024-05-01,ford,north,{huge}\n",
    "only-bom-and-junk.json": "\ufeff\ufeff",
}


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    return tmp_path / "pwned"


def hostile_file(folder: Path, name: str, marker: Path) -> Path:
    path = folder / name
    text = HOSTILE[name]
    if text is None:
        data = {
            "not-utf8.csv": b"date,place,party\n2024-05-01,f\xf6rd,north\n",
            "not-utf8.yaml": b"places:\n  - {id: camp, name: Caf\xe9}\n",
            "utf16.json": '{"places": []}'.encode("utf-16"),
        }[name]
        path.write_bytes(data)
        return path
    filled = text.format(
        marker=marker,
        digits="9" * 5000,
        deep_yaml="[" * 5000 + "]" * 5000,
        deep_json="[" * 100_000 + "]" * 100_000,
        huge="x" * 200_000,
    )
    path.write_text(filled, encoding="utf-8", errors="surrogatepass")
    return path


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_file_is_refused_cleanly(
    shared: Shared, name: str, tmp_path: Path, marker: Path
) -> None:
    path = hostile_file(tmp_path, name, marker)
    before = snapshot(shared.model)
    with pytest.raises(cg.DatasetError) as caught:
        shared.model.import_file(path)
    for issue in caught.value.issues:
        assert issue.file == str(path)
        assert len(issue.message) < 500
    result = shared.cli("import", str(path))
    assert result.exit_code == 2, result.output
    assert str(path) in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert snapshot(shared.model) == before
    assert not marker.exists()


def test_yaml_alias_bomb_ends_quickly(shared: Shared, tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 12)]
    path = tmp_path / "laughs.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(cg.DatasetError) as caught:
        shared.model.import_file(path)
    assert time.perf_counter() - started < 3
    assert "expands to far more values than it spells out" in str(caught.value)


def test_yaml_alias_of_a_long_text_cannot_multiply_it(shared: Shared, tmp_path: Path) -> None:
    text = "long: &t " + "x" * 1_000_000 + "\nplaces:\n"
    text += "".join(f"  - {{id: p{i}, note: *t}}\n" for i in range(200))
    path = tmp_path / "long-alias.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(cg.DatasetError, match="expands to far more values"):
        shared.model.import_file(path)


def test_a_few_aliases_are_fine(model: cg.Model, write_file: WriteFile) -> None:
    path = write_file(
        "aliases.yaml",
        textwrap.dedent(
            """\
            parties:
              - {id: north}
            places:
              - &camp {id: camp, kind: camp, attributes: &attrs {region: north, code: 7}}
              - {id: well, kind: village, attributes: *attrs}
            """
        ),
    )
    model.import_file(path)
    places = {p.id: p for p in model.places()}
    assert places["well"].attributes == {"region": "north", "code": 7}


# -- numbers and text as YAML reads them ---------------------------------------------------------


def test_yaml_scalars_are_read_as_the_format_means(model: cg.Model, write_file: WriteFile) -> None:
    path = write_file(
        "scalars.yaml",
        textwrap.dedent(
            """\
            parties:
              - {id: "no", name: No}
              - {id: 0123, name: yes, aliases: [on, off, Null-ish]}
            places:
              - {id: camp, name: 2024-05-01, kind: 1_000, lat: 09, lon: 020.5}
              - {id: well, name: "null", kind: ~, lat: -0, lon: +1.5e1}
            roads:
              - {id: track, places: [camp, well], lengths_km: [null]}
            """
        ),
    )
    model.import_file(path)
    parties = {p.id: p for p in model.parties()}
    assert parties["no"].name == "No"
    assert parties["0123"].name == "yes"
    assert parties["0123"].aliases == ("on", "off", "Null-ish")
    places = {p.id: p for p in model.places()}
    assert places["camp"] == cg_place("camp", "2024-05-01", "1_000", 9.0, 20.5)
    assert places["well"] == cg_place("well", "null", None, 0.0, 15.0)
    # A null length is no length: the great-circle distance is used.
    assert model.segments()[0].length_km is None


def cg_place(ident: str, name: str, kind: str | None, lat: float, lon: float) -> Any:
    from control_graph.model.records import Place

    return Place(ident, name, (), kind, lat, lon, None, {})


def test_json_problems_name_the_line_of_the_entry(model: cg.Model, write_file: WriteFile) -> None:
    path = write_file(
        "lines.json",
        '{\n  "places": [\n    {"id": "a"},\n\n    {"id": "B"}\n  ],\n  "evnts": []\n}\n',
    )
    with pytest.raises(cg.DatasetError) as caught:
        model.import_file(path)
    assert {(i.entry, i.field, i.line) for i in caught.value.issues} == {
        ("place 'B'", "id", 5),
        ("file", "evnts", 7),
    }


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("syntax.yaml", "places:\n  - {id: camp\n", 3),
        ("syntax.json", '{"places": [\n  {"id": "camp",}\n]}', 2),
        ("tab.yaml", "places:\n  - {id: camp}\n\t\n", 3),
    ],
)
def test_syntax_errors_name_their_line(
    model: cg.Model, write_file: WriteFile, name: str, text: str, line: int
) -> None:
    with pytest.raises(cg.DatasetError) as caught:
        model.import_file(write_file(name, text))
    [issue] = caught.value.issues
    assert issue.line == line
    assert issue.message.startswith("not valid")


# -- good input ----------------------------------------------------------------------------------

DEFINITIONS = """\
format: control-graph/1
parties:
  - {id: kia, name: Kachin Independence Army, aliases: [KIA], color: "#2e7d32"}
  - {id: saf, name: Myanmar Armed Forces}
blocs:
  - id: resistance
    members:
      - {party: kia, from: 2021-02-01}
places:
  - {id: hpakant, name: Hpakant, lat: 25.61, lon: 96.31}
  - {id: seng-tawng, name: Seng Tawng, lat: 25.40, lon: 96.30}
  - {id: lonton, name: Lonton, aliases: [Longton], lat: 25.17, lon: 96.27}
  - {id: kamaing, name: Kamaing}
roads:
  - {id: gwaykhar-road, places: [hpakant, seng-tawng, lonton], lengths_km: [23.5, 37.7]}
segments:
  - {id: s-a, from: hpakant, to: kamaing, length_km: 42}
sources:
  - {id: kng, name: Kachin News Group, url: "https://example.org/kng", published: 2026-02-07}
"""

EVENTS = [
    {"date": "2025-06-01", "place": "lonton", "party": "saf"},
    {"date": "2025-06-01", "place": "hpakant", "party": "saf"},
    {"date": "2025-06-01", "place": "seng-tawng", "party": "saf", "kind": "patrol"},
    {"date": "2026-02-04", "place": "kamaing", "party": "kia", "status": "contested"},
    {
        "date": "2026-02-05",
        "place": "lonton",
        "party": "kia",
        "kind": "recapture",
        "source": "kng",
        "confidence": "medium",
        "recorded": "2026-02-07",
        "note": 'took the "old" market, then, at dusk, the bridge',
    },
    {"date": "2026-02-06", "road": "gwaykhar-road", "status": "contested", "kind": "offensive"},
    {"date": "2026-02-09", "segment": "gwaykhar-road/1", "party": "kia"},
    {"date": "2026-02-10", "segment": "s-a", "status": "unknown"},
]
CSV_HEADER = ["date", "place", "segment", "road", "party", "status", "kind", "source"]
CSV_HEADER += ["confidence", "recorded", "note"]


def events_as(file_format: str) -> str:
    if file_format == "yaml":
        lines = ["events:"]
        lines += [f"  - {json.dumps(event)}" for event in EVENTS]
        return "\n".join(lines) + "\n"
    if file_format == "json":
        return json.dumps({"format": "control-graph/1", "events": EVENTS}, indent=1)
    rows = [",".join(CSV_HEADER)]
    for event in EVENTS:
        cells = [str(event.get(column, "")) for column in CSV_HEADER]
        cells[-1] = '"' + cells[-1].replace('"', '""') + '"' if cells[-1] else ""
        rows.append(",".join(cells))
    return "\n".join(rows) + "\n"


def answers(model: cg.Model) -> dict[str, Any]:
    """Everything the questions say about the network, to compare two databases."""
    elements = ["hpakant", "seng-tawng", "lonton", "kamaing", "gwaykhar-road", "s-a"]
    elements += ["gwaykhar-road/1", "gwaykhar-road/2"]
    days = ["2025-06-01", "2026-02-04", "2026-02-05", "2026-02-06", "2026-02-09", "2026-03-01"]
    return {
        "changes": model.changes().as_dict(),
        "changes-as-of": model.changes(as_of="2026-02-06").as_dict(),
        "timelines": [model.timeline(e).as_dict() for e in elements],
        "who-held": [model.who_held(e, d).as_dict() for e in elements for d in days],
        "by-bloc": [model.who_held(e, "2026-02-09", by="bloc").as_dict() for e in elements],
    }


@pytest.fixture
def fresh_url(db_url: str, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """More empty databases on the backend of ``db_url`` (SQLite files, PostgreSQL schemas)."""
    if db_url.startswith("sqlite"):
        names = (f"sqlite:///{tmp_path / f'more-{i}.db'}" for i in itertools.count())
        yield lambda: next(names)
        return
    admin = sa.create_engine(resolve_url(PG_URL))
    schemas: list[str] = []

    def make() -> str:
        schemas.append(f"cg_test_{uuid.uuid4().hex[:12]}")
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schemas[-1]}"')
        return (
            sa.engine.make_url(resolve_url(PG_URL))
            .update_query_dict({"options": f"-csearch_path={schemas[-1]}"})
            .render_as_string(hide_password=False)
        )

    try:
        yield make
    finally:
        with admin.begin() as conn:
            for schema in schemas:
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def test_yaml_json_and_csv_of_the_same_events_give_the_same_answers(
    fresh_url: Callable[[], str], write_file: WriteFile
) -> None:
    definitions = write_file("definitions.yaml", DEFINITIONS)
    results = {}
    stored = {}
    for file_format in ("yaml", "json", "csv"):
        with cg.open(fresh_url()) as model:
            model.import_file(definitions)
            report = model.import_file(write_file(f"events.{file_format}", events_as(file_format)))
            assert report.added["events"] == len(EVENTS)
            results[file_format] = answers(model)
            stored[file_format] = [
                {k: v for k, v in row.items() if k not in ("id", "import_id")}
                for row in event_rows(model)
            ]
    assert results["json"] == results["yaml"]
    assert results["csv"] == results["yaml"]
    assert stored["json"] == stored["yaml"]
    assert stored["csv"] == stored["yaml"]
    # And the answers are the ones the contract gives.
    lonton = results["yaml"]["timelines"][2]["intervals"]
    assert [(i["from"], i["status"], i["controller"]) for i in lonton] == [
        ("2025-06-01", "held", "saf"),
        ("2026-02-05", "held", "kia"),
    ]
    road = results["yaml"]["who-held"][4 * 6 + 3]
    assert (road["element"], road["date"], road["status"]) == (
        "gwaykhar-road",
        "2026-02-06",
        "contested",
    )


def test_csv_events_as_spreadsheets_write_them(model: cg.Model, write_file: WriteFile) -> None:
    model.import_file(write_file("definitions.yaml", DEFINITIONS))
    note = 'Said: "taken, then lost"\r\nSecond line, with commas,,, and a trailing space '
    quoted = '"' + note.replace('"', '""') + '"'
    text = (
        "\ufeffdate , place,party,note,status\r\n"  # BOM, CRLF, spaces, columns in any order
        f"2026-02-05, lonton , kia,{quoted},\r\n"  # a note with quotes, commas and a line break
        "\r\n"  # a blank line
        "2026-02-06,hpakant,saf,,\r\n"  # empty cells
        "2026-02-07,seng-tawng,kia\r\n"  # columns absent at the end of a row
        "2026-02-08,kamaing,,  ,contested,,,\r\n"  # trailing empty cells, a blank note
    )
    path = write_file("events.csv", "")
    path.write_bytes(text.encode("utf-8"))
    report = model.import_file(path)
    assert report.added["events"] == 4
    rows = event_rows(model)
    assert [(r["place_id"], r["party_id"], r["status"], r["note"]) for r in rows] == [
        ("lonton", "kia", "held", note),
        ("hpakant", "saf", "held", None),
        ("seng-tawng", "kia", "held", None),
        ("kamaing", None, "contested", None),
    ]
    assert model.who_held("lonton", "2026-02-05").state == cg.State(cg.Status.HELD, "kia")


def test_csv_with_only_a_header_or_nothing_imports_nothing(
    model: cg.Model, write_file: WriteFile
) -> None:
    assert model.import_file(write_file("header.csv", "date,place,party\n")).added["events"] == 0
    assert model.import_file(write_file("empty.csv", "")).added["events"] == 0
    assert model.import_file(write_file("empty.yaml", "")).added["events"] == 0
    assert model.import_file(write_file("comment.yaml", "# nothing yet\n")).added["places"] == 0
    assert model.import_file(write_file("null.json", "null")).added["events"] == 0
    assert model.import_file(write_file("empty.json", " {} ")).added["events"] == 0


def test_csv_refers_to_places_of_an_earlier_yaml_import(cli: Cli, write_file: WriteFile) -> None:
    assert cli("import", str(write_file("definitions.yaml", DEFINITIONS))).exit_code == 0
    csv_file = write_file(
        "reports.csv", "date,place,segment,party,status\n2026-02-05,lonton,,kia,\n"
    )
    result = cli.json("import", str(csv_file))
    assert result["added"]["events"] == 1
    answer = cli.json("who-held", "Longton", "--on", "2026-02-05")
    assert (answer["element"], answer["status"], answer["controller"]) == ("lonton", "held", "kia")


def test_party_on_a_contested_event_is_kept_without_changing_state(
    valley: cg.Model, write_file: WriteFile
) -> None:
    path = write_file(
        "fight.yaml",
        "events:\n  - {date: 2024-06-01, place: town, party: north, status: contested}\n"
        "  - {date: 2024-06-02, place: hill, party: east, status: unknown}\n",
    )
    valley.import_file(path)
    assert valley.who_held("town", "2024-06-01").state == cg.State(cg.Status.CONTESTED, None)
    assert valley.who_held("hill", "2024-06-02").state == cg.State(cg.Status.UNKNOWN, None)
    rows = event_rows(valley)[-2:]
    assert [(r["status"], r["party_id"]) for r in rows] == [
        ("contested", "north"),
        ("unknown", "east"),
    ]


def test_an_event_on_a_road_applies_to_every_segment(
    valley: cg.Model, write_file: WriteFile
) -> None:
    valley.import_file(
        write_file("road.yaml", "events:\n  - {date: 2024-06-01, road: valley-road, party: east}\n")
    )
    answer = valley.who_held("valley-road", "2024-06-01")
    assert answer.state == cg.State(cg.Status.HELD, "east")
    assert [s.id for s in answer.segments] == [f"valley-road/{i}" for i in (1, 2, 3)]
    assert {s.state for s in answer.segments} == {cg.State(cg.Status.HELD, "east")}


def test_recorded_is_kept_as_given(valley: cg.Model, write_file: WriteFile) -> None:
    valley.import_file(
        write_file(
            "late.yaml",
            "events:\n  - {date: 2024-06-01, place: well, party: east, recorded: 2024-07-15}\n"
            "  - {date: 2024-06-02, place: hill, party: east}\n",
        )
    )
    rows = event_rows(valley)[-2:]
    assert [_day(r["recorded"]) for r in rows] == [dt.date(2024, 7, 15), None]
    assert (
        valley.who_held("well", "2024-06-10", as_of="2024-07-14").state.status is cg.Status.UNKNOWN
    )
    assert valley.who_held("well", "2024-06-10", as_of="2024-07-15").state.controller == "east"


def _day(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


ATTRIBUTES = {
    "pcode": "MMR001",
    "population": 12500,
    "area_km2": 3.25,
    "capital": False,
    "unknown": None,
    "names": ["Lonton", "လုံတုံ"],
    "nested": {"level": {"deeper": [1, 2.5, "three", {"four": True}]}},
    "empty": {},
    "big": 12345678901234567890,
}


def test_definitions_are_kept_as_given(model: cg.Model, write_file: WriteFile) -> None:
    dataset = {
        "format": "control-graph/1",
        "name": "Round trip",
        "parties": [
            {
                "id": "kia",
                "name": "Kachin Independence Army",
                "aliases": ["KIA", "ကချင်လွတ်မြောက်ရေးတပ်မတော်"],
                "color": "#2e7d32",
                "note": "founded 1961",
                "attributes": ATTRIBUTES,
            },
            {"id": "saf", "color": "teal"},
        ],
        "blocs": [
            {
                "id": "resistance",
                "name": "Resistance",
                "aliases": ["the coalition"],
                "members": [
                    {"party": "kia", "from": "2021-02-01", "to": "2023-01-01", "note": "first"},
                    {"party": "kia", "from": "2023-01-01"},
                ],
                "note": "loose",
                "attributes": {"x": 1},
            }
        ],
        "places": [
            {
                "id": "lonton",
                "name": "Lonton",
                "aliases": ["Longton", "လုံတုံ"],
                "kind": "village",
                "lat": 25.17,
                "lon": 96.27,
                "note": "on the lake",
                "attributes": ATTRIBUTES,
            },
            {"id": "hpakant", "lat": -0.5, "lon": 180},
            {"id": "kamaing"},
        ],
        "roads": [
            {
                "id": "gwaykhar-road",
                "name": "Gwaykhar Road",
                "aliases": ["Hpakant-Indawgyi route"],
                "places": ["hpakant", "lonton", "kamaing"],
                "lengths_km": [23.5, None],
                "note": "dry season only",
                "attributes": {"surface": "dirt"},
            },
            {"id": "bypass", "segments": ["s-a", "gwaykhar-road/2"]},
        ],
        "segments": [
            {
                "id": "s-a",
                "name": "Track A",
                "aliases": ["the A track"],
                "from": "hpakant",
                "to": "kamaing",
                "length_km": 0,
                "note": "n",
                "attributes": {"k": "v"},
            }
        ],
        "sources": [
            {
                "id": "kng",
                "name": "Kachin News Group",
                "url": "https://example.org/?a=1&b='2'",
                "published": "2026-02-07",
                "note": "web",
                "attributes": {"language": "my"},
            }
        ],
        "incidents": [
            {
                "date": "2026-02-04",
                "place": "lonton",
                "kind": "airstrike",
                "party": "saf",
                "source": "kng",
                "confidence": "low",
                "recorded": "2026-02-05",
                "note": "two jets",
                "attributes": ATTRIBUTES,
            }
        ],
    }
    model.import_file(write_file("round.json", json.dumps(dataset, ensure_ascii=False)))
    [kia, saf] = model.parties()
    assert (kia.name, kia.aliases, kia.color, kia.note) == (
        "Kachin Independence Army",
        ("KIA", "ကချင်လွတ်မြောက်ရေးတပ်မတော်"),
        "#2e7d32",
        "founded 1961",
    )
    assert kia.attributes == ATTRIBUTES
    assert (saf.name, saf.color, saf.attributes) == (None, "teal", {})
    [bloc] = model.blocs()
    assert (bloc.name, bloc.aliases, bloc.note, bloc.attributes) == (
        "Resistance",
        ("the coalition",),
        "loose",
        {"x": 1},
    )
    assert [(m.party, m.start, m.end, m.note) for m in bloc.members] == [
        ("kia", dt.date(2021, 2, 1), dt.date(2023, 1, 1), "first"),
        ("kia", dt.date(2023, 1, 1), None, None),
    ]
    places = {p.id: p for p in model.places()}
    lonton = places["lonton"]
    assert (lonton.name, lonton.aliases, lonton.kind, lonton.lat, lonton.lon, lonton.note) == (
        "Lonton",
        ("Longton", "လုံတုံ"),
        "village",
        25.17,
        96.27,
        "on the lake",
    )
    assert lonton.attributes == ATTRIBUTES
    assert (places["hpakant"].lat, places["hpakant"].lon) == (-0.5, 180)
    roads = {r.id: r for r in model.roads()}
    road = roads["gwaykhar-road"]
    assert (road.name, road.aliases, road.places, road.segments, road.note, road.attributes) == (
        "Gwaykhar Road",
        ("Hpakant-Indawgyi route",),
        ("hpakant", "lonton", "kamaing"),
        ("gwaykhar-road/1", "gwaykhar-road/2"),
        "dry season only",
        {"surface": "dirt"},
    )
    assert roads["bypass"].segments == ("s-a", "gwaykhar-road/2")
    segments = {s.id: s for s in model.segments()}
    assert segments["gwaykhar-road/1"].length_km == 23.5
    assert segments["gwaykhar-road/2"].length_km is None
    track = segments["s-a"]
    assert (track.name, track.aliases, track.length_km, track.note, track.attributes) == (
        "Track A",
        ("the A track",),
        0,
        "n",
        {"k": "v"},
    )
    [source] = model.sources()
    assert (source.name, source.url, source.published, source.note, source.attributes) == (
        "Kachin News Group",
        "https://example.org/?a=1&b='2'",
        dt.date(2026, 2, 7),
        "web",
        {"language": "my"},
    )
    [incident] = model.incidents()
    assert (incident.kind, incident.party, incident.source, incident.note) == (
        "airstrike",
        "saf",
        "kng",
        "two jets",
    )
    assert incident.recorded == dt.date(2026, 2, 5)
    assert incident.attributes == ATTRIBUTES
    assert model.dataset_name() == "Round trip"

    # Importing the same definitions again skips them all (they compare equal to what
    # was stored), and appends the incident.
    again = model.import_file(write_file("again.json", json.dumps(dataset, ensure_ascii=False)))
    assert again.skipped == {
        "parties": 2,
        "blocs": 1,
        "places": 3,
        "roads": 2,
        "segments": 3,
        "sources": 1,
    }
    assert again.added["incidents"] == 1
    assert sum(v for k, v in again.added.items() if k != "incidents") == 0


def test_an_identical_definition_is_skipped_and_events_appended(
    valley_cli: Cli, tmp_path: Path
) -> None:
    before = valley_cli.json("who-held", "gate", "--on", "2024-06-01")
    result = valley_cli.json("import", str(VALLEY))
    assert result["added"]["events"] == 13
    assert result["added"]["places"] == 0
    assert result["skipped"] == {
        "parties": 3,
        "blocs": 1,
        "places": 6,
        "roads": 1,
        "segments": 6,
    }
    assert result["earlier_imports"]
    assert valley_cli.json("who-held", "gate", "--on", "2024-06-01") == before
    extra = tmp_path / "extra.yaml"
    extra.write_text(
        "places:\n  - {id: well, name: Well, kind: village}\n  - {id: spring}\n"
        "events:\n  - {date: 2024-06-01, place: spring, party: east}\n",
        encoding="utf-8",
    )
    result = valley_cli.json("import", str(extra))
    assert (result["added"]["places"], result["skipped"]) == (1, {"places": 1})


def test_a_bloc_membership_that_ends_before_another_starts_is_fine(
    valley: cg.Model, write_file: WriteFile
) -> None:
    # coalition has east from 2024-03-01; "to" is exclusive.
    valley.import_file(
        write_file(
            "before.yaml",
            "blocs:\n  - {id: eastern-front, members: [{party: east, to: 2024-03-01}]}\n",
        )
    )
    assert {b.id for b in valley.blocs()} == {"coalition", "eastern-front"}


SQL = "x'); DROP TABLE events;--"


def test_text_that_looks_like_sql_is_stored_literally(cli: Cli, write_file: WriteFile) -> None:
    dataset = {
        "name": SQL,
        "parties": [{"id": "drop-table", "name": f"{SQL} party", "aliases": ["'; --"]}],
        "places": [
            {"id": "or-1-1--", "name": SQL, "kind": '" OR ""="', "note": "%_\\'"},
            {"id": "select", "name": "Robert'); DROP TABLE places;--"},
        ],
        "events": [
            {"date": "2024-01-01", "place": "or-1-1--", "party": "drop-table", "note": SQL},
            {"date": "2024-01-02", "place": "select", "status": "contested", "kind": SQL},
        ],
    }
    assert cli("import", str(write_file("sql.json", json.dumps(dataset)))).exit_code == 0
    answer = cli.json("who-held", SQL, "--on", "2024-01-05")
    assert (answer["element"], answer["name"], answer["controller"]) == (
        "or-1-1--",
        SQL,
        "drop-table",
    )
    assert cli.json("who-held", "select", "--on", "2024-01-05")["status"] == "contested"
    with cg.open(cli.url) as model:
        places = {p.id: p for p in model.places()}
        assert places["or-1-1--"].kind == '" OR ""="'
        assert places["or-1-1--"].note == "%_\\'"
        assert model.parties()[0].aliases == ("'; --",)
        assert model.dataset_name() == SQL
        notes = [(r["note"], r["kind"]) for r in event_rows(model)]
        assert notes == [(SQL, None), (None, SQL)]


BURMESE = "ကချင်ပြည်နယ်၊ လုံတုံရွာ"
ARABIC = "قرية الجسر"
HEBREW = "כפר הגשר"
COMBINING = "Ca\u0301fe\u0300 Z\u0335a\u0336l\u0337g\u0338o"  # combining accents and strokes
MIXED = f"\u202b{HEBREW} (checkpoint 7)\u202c"  # right-to-left embedding around mixed text


@pytest.mark.parametrize("file_format", ["yaml", "json"])
def test_burmese_and_right_to_left_names_are_kept_exactly(
    cli: Cli, write_file: WriteFile, file_format: str
) -> None:
    places = [
        {"id": "lonton", "name": BURMESE, "aliases": [ARABIC, COMBINING]},
        {"id": "bridge", "name": HEBREW, "aliases": [MIXED], "note": f"{ARABIC}\n{BURMESE}"},
    ]
    events = [{"date": "2026-02-05", "place": "lonton", "party": "kia", "note": MIXED}]
    dataset = {"parties": [{"id": "kia", "name": ARABIC}], "places": places, "events": events}
    if file_format == "json":
        text = json.dumps(dataset, ensure_ascii=False)
    else:
        text = "parties:\n  - {id: kia, name: " + ARABIC + "}\nplaces:\n"
        text += f"  - id: lonton\n    name: {BURMESE}\n    aliases: [{ARABIC}, {COMBINING}]\n"
        text += f"  - id: bridge\n    name: {HEBREW}\n    aliases: [{json.dumps(MIXED)}]\n"
        text += f"    note: {json.dumps(ARABIC + chr(10) + BURMESE)}\n"
        text += f"events:\n  - {{date: 2026-02-05, place: lonton, party: kia, note: {MIXED}}}\n"
    assert cli("import", str(write_file(f"names.{file_format}", text))).exit_code == 0
    with cg.open(cli.url) as model:
        stored = {p.id: p for p in model.places()}
        assert stored["lonton"].name == BURMESE
        assert stored["lonton"].aliases == (ARABIC, COMBINING)
        assert stored["bridge"].name == HEBREW
        assert stored["bridge"].aliases == (MIXED,)
        assert stored["bridge"].note == f"{ARABIC}\n{BURMESE}"
        assert model.parties()[0].name == ARABIC
        assert event_rows(model)[0]["note"] == MIXED
    for name in (BURMESE, ARABIC, COMBINING):
        answer = cli.json("who-held", name, "--on", "2026-02-05")
        assert (answer["element"], answer["name"], answer["controller"]) == (
            "lonton",
            BURMESE,
            "kia",
        )


def test_unicode_in_csv_notes_is_kept(model: cg.Model, write_file: WriteFile) -> None:
    model.import_file(write_file("d.yaml", "parties: [{id: kia}]\nplaces: [{id: lonton}]\n"))
    model.import_file(
        write_file(
            "e.csv", f'date,place,party,kind,note\n2026-02-05,lonton,kia,{ARABIC},"{MIXED}"\n'
        )
    )
    [row] = event_rows(model)
    assert (row["kind"], row["note"]) == (ARABIC, MIXED)


# -- the two YAML readers ------------------------------------------------------------------------


def yaml_samples() -> list[str]:
    samples = [case.content for case in BAD if case.file.endswith(".yaml")]
    samples += [
        VALLEY.read_text(encoding="utf-8"),
        DEFINITIONS,
        "",
        "# only a comment\n",
        "places:\n  - {id: camp, attributes: {a: [1, 2.5, true, null, x], b: {c: d}}}\n",
        "base: &b {kind: camp}\nplaces:\n  - *b\n  - {id: x, attributes: *b}\n",
        "places:\n  - id: camp\n    note: |\n      two\n      lines\n"
        "    name: >-\n      folded\n      text\n",
        "places:\n- {id: camp, lat: 09, lon: -0}\n- {id: 0123, name: 1e3}\n",
    ]
    marker = Path("/nonexistent/pwned")
    samples += [
        hostile.format(
            marker=marker, digits="9" * 500, deep_yaml="[" * 50 + "]" * 50, deep_json="", huge="x"
        )
        for name, hostile in HOSTILE.items()
        # libyaml refuses an escaped lone surrogate while parsing; the pure-Python
        # reader reads it and validation refuses it (see the test below).
        if name.endswith(".yaml") and hostile is not None and name != "surrogate.yaml"
    ]
    return samples


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML was built without libyaml")
@pytest.mark.parametrize("text", yaml_samples())
def test_both_yaml_readers_read_the_same(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def read(loader: type[Any]) -> Any:
        monkeypatch.setattr(yaml_reader, "YAML_LOADER", loader)
        try:
            return raw.read_structured(Path("x.yaml"), text.encode(), "yaml")
        except cg.DatasetError as error:
            return [(i.entry, i.field, i.line) for i in error.issues]

    assert yaml_reader.YAML_LOADER is not yaml_reader._Loader
    assert read(yaml_reader.YAML_LOADER) == read(yaml_reader._Loader)


@pytest.mark.parametrize("reader", ["default", "python"])
def test_an_escaped_lone_surrogate_is_refused_by_either_reader(
    reader: str, model: cg.Model, write_file: WriteFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    if reader == "python":
        monkeypatch.setattr(yaml_reader, "YAML_LOADER", yaml_reader._Loader)
    path = write_file("surrogate.yaml", 'places:\n  - {id: camp, name: "\\ud83d"}\n')
    with pytest.raises(cg.DatasetError) as caught:
        model.import_file(path)
    [issue] = caught.value.issues
    assert issue.line == 2


# -- what the validator tells the importer ---------------------------------------------------


class StoredValley:
    """The validator's view of a database holding only the place 'ford'."""

    def ids(self, kind: str) -> set[str]:
        return {"ford"} if kind == "place" else set()

    def definitions(self, kind: str, ids: Any) -> dict[str, Any]:
        from control_graph.model.records import Place

        return {"ford": Place("ford", "Ford")} if kind == "place" and "ford" in ids else {}

    def memberships(self) -> list[Any]:
        return []


def test_the_validator_counts_every_problem_and_names_conflicts() -> None:
    from control_graph.dataset.checks import MAX_ISSUES
    from control_graph.dataset.validate import Validator

    validator = Validator("f.yaml", StoredValley())
    parsed = raw.read_structured(
        Path("f.yaml"),
        b"places:\n  - {id: ford, name: Ford Crossing}\n  - {id: Mill}\n",
        "yaml",
    )
    validator.dataset(parsed)
    assert [(i.entry, i.field) for i in validator.issues] == [
        ("place 'Mill'", "id"),
        ("place 'ford'", "id"),
    ]
    assert validator.conflicts == validator.issues[1:]
    assert validator.problem_count == 2

    many = Validator("f.csv", StoredValley())
    for row in range(MAX_ISSUES + 500):
        many.validate_event(raw.RawEntry("events", row, {"place": "ford"}, row + 2))
    assert many.problem_count == (MAX_ISSUES + 500) * 2  # no date, no party
    assert len(many.issues) == MAX_ISSUES + 1


def test_divided_is_a_road_summary_not_an_event_status(valley: cg.Model, write_file: Any) -> None:
    bad = write_file("divided.csv", "date,place,status\n2024-01-01,ford,divided\n")
    with pytest.raises(cg.DatasetError, match="status"):
        valley.import_file(bad)
