"""Fuzzing the import with hostile and broken files (issue "Hostile and broken input").

Hypothesis builds YAML, JSON and CSV files that mix the real structure with wrong types,
missing and extra keys, huge strings, awkward Unicode (right-to-left text, Burmese,
combining marks, NUL, lone surrogates, byte order marks), CRLF line ends, duplicate
keys, YAML tags that try to construct Python objects, alias bombs, truncation and
ragged CSV rows. The property, for every file:

- the import ends in success or in :class:`control_graph.DatasetError`, never in any
  other exception (the command line: exit 0, or exit 2 with a message and no traceback);
- after a failure the database is exactly as it was (row counts of every table); after
  a success it holds exactly what the report says was added;
- every message can be printed (no lone surrogates), names the file, and is short;
- no YAML tag ever runs anything (a marker file a tag tries to create never appears).

Inputs generated per run (``max_examples``), on SQLite, one in-memory database per test.
Each structured example is one dataset written four ways (YAML block and flow style,
JSON compact and indented), each broken in its own way:

======  ==================================================  =====
format  tests                                               files
======  ==================================================  =====
YAML    structured 700 x 2 + raw texts 800 (pure-Python     2,200
        reader)
JSON    structured 700 x 2 + raw texts 700                  2,100
CSV     rows 1,400 + raw texts 700                          2,100
======  ==================================================  =====

plus 40 examples through the command line (up to 160 files) and, when
``CONTROL_GRAPH_TEST_PG`` is set, a PostgreSQL smoke run of 60 examples (up to 240
files). The whole module takes about 20 seconds of CPU (SQLite) and a few more with
PostgreSQL.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import control_graph as cg
from control_graph.dataset import yaml_reader
from control_graph.dataset.fields import EVENT_CSV_COLUMNS as CSV_COLUMNS
from control_graph.dataset.fields import RECORD_KINDS, TOP_KEYS
from tests.conftest import VALLEY, Cli

FAST_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
SETTINGS = {
    "deadline": None,
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
}

# -- the pieces files are made of --------------------------------------------------------------

# Ids the valley dataset defines (so references sometimes resolve), new ones, bad ones.
KNOWN_IDS = [
    "north",
    "south",
    "east",
    "coalition",
    "ford",
    "mill",
    "gate",
    "town",
    "hill",
    "well",
    "valley-road",
    "valley-road/1",
    "valley-road/3",
    "hill-track",
    "well-path",
]
NEW_IDS = ["camp", "camp-2", "p.1", "x_y", "0123", "loop", "loop/1", "src"]
BAD_IDS = ["Camp", "new camp", "-camp", "", "camp/", "ကချင်", "a" * 250, "x'); DROP TABLE x;--"]
SPECIAL = [
    "\x00",
    "\ud800",
    "\udfff",
    "\ufeff",
    "\u202e",
    "\u200f",
    "\u0301",
    "\u0338",
    "\r\n",
    "\r",
    "\n",
    "\t",
    '"',
    "'",
    ",",
    ":",
    "#",
    "&",
    "*",
    "!",
    "{",
    "[",
    "- ",
    "? ",
    "%",
    "@",
    "`",
    "|",
    ">",
    "\\",
    "\x85",
    "\u2028",
    "\U0001f600",
]
WORDS = [
    "ကချင်ပြည်နယ်",
    "လုံတုံ",
    "קיבוץ",
    "قرية الجسر",
    "Ca\u0301fe\u0300",
    "Z\u0335a\u0336l\u0337g\u0338o",
    "yes",
    "no",
    "null",
    "~",
    "true",
    "0x1F",
    "1_000",
    "0o17",
    "09",
    ".inf",
    "-.nan",
    "2024-05-01",
    "2024-02-30",
    "2024-05-01 10:00:00",
    "5 Feb 2026",
    "held",
    "contested",
    "unknown",
    "high",
    "#2e7d32",
]

# Drawing from fixed pools is much cheaper than building text character by character,
# and generating, not importing, is where the time of a fuzz run goes. A fixed seed
# keeps the pools, and so the runs, reproducible.
_pieces = WORDS + SPECIAL + BAD_IDS[:-1] + KNOWN_IDS
_random = random.Random(1)
TEXT_POOL = _pieces + [
    "".join(_random.choices(_pieces, k=_random.randint(2, 5))) for _ in range(400)
]
NUMBER_POOL = [0, -0.0, 1, -1, 90, 90.0001, -180.5, 1e308, 1e-320, 10**20, 10**150, 2**63]

ids = st.sampled_from(KNOWN_IDS + NEW_IDS + BAD_IDS)
dates = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(["2024-01-01", "2024-03-01", "2024-02-30", "2024-13-01", "0000-01-01"]),
    st.sampled_from(["5 Feb 2026", "2024-5-1", "20240501", "2024-05-01T10:00:00Z", " 2024-05-01"]),
)
texts = st.one_of(st.sampled_from(TEXT_POOL), st.sampled_from(TEXT_POOL), st.text(max_size=8))
numbers = st.one_of(
    st.sampled_from(NUMBER_POOL),
    st.integers(-1000, 1000),
    st.floats(allow_nan=True, allow_infinity=True),
)
scalars = st.one_of(texts, numbers, st.booleans(), st.none())
wild = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.one_of(texts, ids), inner, max_size=3)
    ),
    max_leaves=5,
)

GOOD: dict[str, st.SearchStrategy[Any]] = {
    "id": ids,
    "name": texts,
    "aliases": st.lists(texts, max_size=3),
    "color": st.sampled_from(["#2e7d32", "#fff", "teal", "#12345", "a" * 60, "red; drop"]),
    "members": st.lists(
        st.dictionaries(
            st.sampled_from(["party", "from", "to", "note", "pary"]),
            st.one_of(ids, dates),
            max_size=4,
        ),
        max_size=3,
    ),
    "kind": texts,
    "lat": numbers,
    "lon": numbers,
    "places": st.lists(ids, max_size=5),
    "segments": st.lists(ids, max_size=4),
    "lengths_km": st.lists(st.one_of(numbers, st.none()), max_size=5),
    "from": ids,
    "to": ids,
    "length_km": numbers,
    "url": texts,
    "published": dates,
    "date": dates,
    "recorded": dates,
    "place": ids,
    "segment": ids,
    "road": ids,
    "party": ids,
    "status": st.sampled_from(["held", "contested", "unknown", "Held", "captured"]),
    "source": ids,
    "confidence": st.sampled_from(["high", "medium", "low", "sure"]),
    "note": texts,
    "attributes": st.dictionaries(st.text(max_size=8), wild, max_size=4),
}
TYPOS = ["pary", "nme", "lattitude", "", "id ", "ID", "status", "members", "<<"]


@st.composite
def entries(draw: st.DrawFn, section: str) -> Any:
    """An entry of a section: mostly its own keys with fitting values, sometimes not."""
    allowed = RECORD_KINDS[section].keys
    keys = draw(st.lists(st.sampled_from(allowed), max_size=len(allowed), unique=True))
    if draw(st.integers(0, 9)) == 0:
        keys.append(draw(st.sampled_from(TYPOS)))
    entry = {}
    for key in keys:
        mode = draw(st.integers(0, 99))
        if mode < 8:
            entry[key] = draw(wild)
        elif mode == 8:
            # Long text, now and then: slow to write and read as YAML, so not often and
            # at most 20,000 characters (test_import.py has 200,000 and 1,000,000).
            entry[key] = draw(st.sampled_from(["é", "x", "ကချ", "\u202e"])) * draw(
                st.integers(1_000, 20_000)
            )
        else:
            entry[key] = draw(GOOD.get(key, wild))
    if draw(st.integers(0, 24)) == 0:
        return draw(wild)  # not a mapping at all
    return entry


@st.composite
def datasets(draw: st.DrawFn) -> dict[str, Any]:
    document: dict[str, Any] = {}
    if draw(st.booleans()):
        document["format"] = draw(
            st.sampled_from(["control-graph/1", "control-graph/1", "control-graph/2", 1])
        )
    if draw(st.integers(0, 3)) == 0:
        document["name"] = draw(texts)
    for section in draw(st.lists(st.sampled_from(TOP_KEYS[2:]), max_size=4, unique=True)):
        if draw(st.integers(0, 19)) == 0:
            document[section] = draw(wild)  # a section that is not a list
        else:
            document[section] = draw(st.lists(entries(section), max_size=5))
    if draw(st.integers(0, 14)) == 0:
        document[draw(st.sampled_from(["evnts", "place", "Events", "version"]))] = []
    return document


# -- turning a dataset into bytes, and breaking them -------------------------------------------


def alias_bomb(depth: int, width: int) -> str:
    lines = [f"b0: &b0 [{', '.join(['lol'] * width)}]"]
    lines += [f"b{i}: &b{i} [{', '.join([f'*b{i - 1}'] * width)}]" for i in range(1, depth)]
    return "\n".join(lines) + "\n"


YAML_CHUNKS = [
    'evil: !!python/object/apply:os.system ["touch {marker}"]\n',
    "evil: !!python/object/new:subprocess.check_output [[touch, {marker}]]\n",
    "evil: !!python/name:os.system\n",
    "places:\n  - !!python/object:control_graph.model.records.Place {{id: camp}}\n",
    "x: !!binary aGVsbG8=\n",
    "x: !!timestamp 2024-05-01\n",
    "x: !!int 0x1F\n",
    "x: !!float abc\n",
    "x: !custom thing\n",
    "x: &a [*a]\n",
    "x: &m {{k: *m}}\n",
    "places: []\nplaces: []\n",
    "places:\n  - {{id: camp, id: well}}\n",
    "? [complex, key]\n: value\n",
    "<<: {{places: []}}\n",
    "---\nevents: []\n",
    "%YAML 1.1\n---\nplaces: []\n",
    "\t- tab\n",
    "x: " + "[" * 1500 + "]" * 1500 + "\n",
    "x: {deep}\n",
    "x: 'unterminated\n",
    'x: "\\ud800\\x00"\n',
    "x: " + "9" * 5000 + "\n",
    "places:\n  - &p {{id: camp}}\n  - *p\n",
    "events:\n  - {{date: 2024-05-01 10:30:00, place: ford, party: north}}\n",
]


def break_yaml(draw: st.DrawFn, text: str, marker: Path) -> str:
    """Break YAML text the ways people and attackers do, a few times over."""
    for _ in range(draw(st.integers(0, 3))):
        choice = draw(st.integers(0, 19))
        if choice <= 6:
            chunk = draw(st.sampled_from(YAML_CHUNKS)).format(
                marker=marker, deep="{a: " * 200 + "1" + "}" * 200
            )
            lines = text.splitlines(keepends=True)
            at = draw(st.integers(0, len(lines)))
            text = "".join(lines[:at]) + chunk + "".join(lines[at:])
        elif choice == 7:  # an alias bomb: rare, as each costs a tenth of a second
            text = alias_bomb(draw(st.integers(2, 9)), draw(st.integers(2, 12))) + text
        elif choice <= 10:
            text = text[: draw(st.integers(0, len(text)))]
        elif choice <= 13:
            at = draw(st.integers(0, len(text)))
            text = text[:at] + draw(st.sampled_from(SPECIAL + WORDS)) + text[at:]
        elif choice <= 15:
            text = text.replace("\n", "\r\n")
        elif choice <= 17:
            text = "\ufeff" + text
        else:
            text = text.replace("  - ", "  - " + draw(st.sampled_from(["&a ", "*a ", "!x "])), 1)
    return text


def break_json(draw: st.DrawFn, text: str) -> str:
    for _ in range(draw(st.integers(0, 3))):
        choice = draw(st.integers(0, 8))
        if choice == 0:
            text = text[: draw(st.integers(0, len(text)))]
        elif choice == 1:
            text = text.replace("{", '{"id": "camp", "id": "well", ', 1)  # duplicate keys
        elif choice == 2:
            text = text.replace("[", "[" + draw(st.sampled_from(["NaN, ", "Infinity, ", ","])), 1)
        elif choice == 3:
            at = draw(st.integers(0, len(text)))
            insert = draw(st.sampled_from(['"\\u0000"', '"\\ud800"', "1" * 5000, "[" * 5000, ","]))
            text = text[:at] + insert + text[at:]
        elif choice == 4:
            text = text + draw(st.sampled_from(["", " ", "}", "{}", "\x00", "// comment"]))
        elif choice == 5:
            text = "\ufeff" + text
        elif choice == 6:
            text = text.replace(",", ",\r\n")
        elif choice == 7:
            text = draw(st.sampled_from(["[]", "null", '"text"', "1", "[" * 100_000, "{"])) + text
        else:
            text = text.replace("}", ",}", 1)  # trailing comma
    return text


def dump_yaml(document: dict[str, Any], *, flow: bool, unicode: bool) -> str:
    options = {"allow_unicode": unicode, "default_flow_style": flow, "width": 10_000}
    try:
        return yaml.dump(document, Dumper=FAST_DUMPER, **options)  # type: ignore[arg-type]
    except (yaml.YAMLError, UnicodeError):  # libyaml cannot write lone surrogates
        return yaml.safe_dump(document, **options)  # type: ignore[arg-type]


@st.composite
def structured_files(draw: st.DrawFn, marker: Path) -> list[tuple[str, bytes]]:
    """One dataset as four files (YAML block and flow style, JSON compact and indented),
    each broken in its own way, so that each dataset generated is used four times."""
    document = draw(datasets())
    unicode = draw(st.booleans())
    texts = [
        (".yaml", break_yaml(draw, dump_yaml(document, flow=False, unicode=unicode), marker)),
        (".yaml", break_yaml(draw, dump_yaml(document, flow=True, unicode=unicode), marker)),
        (".json", break_json(draw, json.dumps(document, ensure_ascii=unicode))),
        (".json", break_json(draw, json.dumps(document, ensure_ascii=not unicode, indent=1))),
    ]
    return [(suffix, text.encode("utf-8", "surrogatepass")) for suffix, text in texts]


cells = st.one_of(
    st.sampled_from(KNOWN_IDS + NEW_IDS + BAD_IDS + WORDS + ["", " ", '"', '""', "a,b"]),
    dates,
    texts,
)


@st.composite
def csv_texts(draw: st.DrawFn) -> bytes:
    header = draw(st.lists(st.sampled_from(CSV_COLUMNS), min_size=1, unique=True))
    if draw(st.integers(0, 9)) == 0:
        header.insert(
            draw(st.integers(0, len(header))),
            draw(st.sampled_from(["pary", "", "Date", "attributes", "date", " note "])),
        )
    rows: list[list[str]] = []
    for _ in range(draw(st.integers(0, 6))):
        width = len(header) + draw(st.sampled_from([0, 0, 0, 0, -1, 1, 3]))
        rows.append([draw(cells) for _ in range(max(width, 0))])
    buffer = io.StringIO()
    writer = csv.writer(
        buffer,
        lineterminator=draw(st.sampled_from(["\n", "\r\n", "\r"])),
        quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC])),
    )
    writer.writerow(header)
    writer.writerows(rows)
    text = buffer.getvalue()
    if draw(st.integers(0, 4)) == 0:  # hand-made, quotes and all as they come
        text = "\n".join(",".join(row) for row in [header, *rows])
    if draw(st.integers(0, 5)) == 0:
        text = text[: draw(st.integers(0, len(text)))]
    if draw(st.booleans()):
        text = "\ufeff" + text
    return text.encode("utf-8", "surrogatepass")


@st.composite
def raw_texts(draw: st.DrawFn) -> bytes:
    """Text that only looks a little like a dataset, or not at all."""
    pieces = st.one_of(
        st.sampled_from(WORDS + SPECIAL + KNOWN_IDS),
        st.sampled_from(["events:\n", "  - ", "{", "}", "[", "]", ": ", ",", "\n", '"', "date"]),
        st.sampled_from(["date,place,party\n", "2024-05-01,ford,north\n", '"', "\r\n"]),
        st.sampled_from(["{date: 2024-05-01, place: ford, party: north}", '"place": "ford"']),
        st.text(max_size=6),
    )
    text = "".join(draw(st.lists(pieces, max_size=30)))
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 9)) == 0:
        data = draw(st.binary(max_size=200))
    if draw(st.integers(0, 9)) == 0:
        data = text.encode("utf-16", "surrogatepass")
    return data


# -- the property -------------------------------------------------------------------------------


class Checker:
    """Imports files into one database and checks the property for each."""

    def __init__(self, model: cg.Model, folder: Path, marker: Path) -> None:
        self.model = model
        self.folder = folder
        self.marker = marker
        self.outcomes = {"imported": 0, "refused": 0}
        with model.engine.connect() as conn:
            tables = [t for t in sa.inspect(conn).get_table_names() if t != "alembic_version"]
        self.query = sa.text(
            " UNION ALL ".join(f"SELECT '{t}', COUNT(*) FROM \"{t}\"" for t in tables)
        )
        self.rows = self.counts()

    def counts(self) -> dict[str, int]:
        with self.model.engine.connect() as conn:
            return {name: count for name, count in conn.execute(self.query)}

    def check(self, data: bytes, suffix: str) -> None:
        path = self.folder / f"fuzz{suffix}"
        path.write_bytes(data)
        try:
            report = self.model.import_file(path)
        except cg.DatasetError as error:
            self.outcomes["refused"] += 1
            assert self.counts() == self.rows
            assert error.issues
            str(error).encode("utf-8")  # printable: no lone surrogates
            for issue in error.issues:
                assert issue.file == str(path)
                assert len(str(issue)) < 1000, str(issue)[:300]
        else:
            self.outcomes["imported"] += 1
            before, self.rows = self.rows, self.counts()
            for table in ("events", "incidents", "places", "parties", "sources"):
                assert self.rows[table] - before[table] == report.added[table], table
        assert not self.marker.exists()


@pytest.fixture
def checker(tmp_path: Path) -> Iterator[Checker]:
    with cg.open("sqlite://") as model:
        model.import_file(VALLEY)
        yield Checker(model, tmp_path, tmp_path / "pwned")


def run(
    checker: Checker,
    strategy: st.SearchStrategy[list[tuple[str, bytes]]],
    examples: int,
    *,
    imports: bool = True,
) -> None:
    @settings(max_examples=examples, **SETTINGS)  # type: ignore[arg-type]
    @given(strategy)
    def property_holds(files: list[tuple[str, bytes]]) -> None:
        for suffix, data in files:
            checker.check(data, suffix)

    property_holds()
    # The generators must reach both outcomes, or they test too little.
    total = sum(checker.outcomes.values())
    assert total >= examples
    assert checker.outcomes["refused"] > total // 5, checker.outcomes
    if imports:
        assert checker.outcomes["imported"] > total // 100, checker.outcomes


def one(suffix: str, strategy: st.SearchStrategy[bytes]) -> Any:
    return strategy.map(lambda data: [(suffix, data)])


def test_fuzz_yaml_and_json(checker: Checker) -> None:
    run(checker, structured_files(checker.marker), 700)


def test_fuzz_yaml_raw(checker: Checker, monkeypatch: pytest.MonkeyPatch) -> None:
    # The pure-Python YAML reader gets its share here (the small texts suit its speed).
    monkeypatch.setattr(yaml_reader, "YAML_LOADER", yaml_reader._Loader)
    strategy = st.one_of(
        raw_texts(),
        st.sampled_from(YAML_CHUNKS).map(
            lambda c: c.format(marker=checker.marker, deep="{a: 1}").encode()
        ),
        st.builds(alias_bomb, st.integers(1, 8), st.integers(1, 8)).map(str.encode),
    )
    run(checker, one(".yaml", strategy), 800, imports=False)


def test_fuzz_json_raw(checker: Checker) -> None:
    run(checker, one(".json", raw_texts()), 700, imports=False)


def test_fuzz_csv(checker: Checker) -> None:
    run(checker, one(".csv", csv_texts()), 1400)


def test_fuzz_csv_raw(checker: Checker) -> None:
    run(checker, one(".csv", raw_texts()), 700, imports=False)


# -- the same through the command line, and on PostgreSQL -------------------------------------


def some_files(marker: Path) -> st.SearchStrategy[list[tuple[str, bytes]]]:
    return st.one_of(structured_files(marker), one(".csv", csv_texts()))


def test_fuzz_command_line(sqlite_url: str, tmp_path: Path) -> None:
    cli = Cli(sqlite_url)
    assert cli("import", str(VALLEY)).exit_code == 0
    marker = tmp_path / "pwned"

    @settings(max_examples=40, **SETTINGS)  # type: ignore[arg-type]
    @given(some_files(marker))
    def exits_cleanly(generated: list[tuple[str, bytes]]) -> None:
        for suffix, data in generated:
            path = tmp_path / f"fuzz{suffix}"
            path.write_bytes(data)
            result = cli("import", str(path))
            assert result.exit_code in (0, 2), result.output
            assert isinstance(result.exception, SystemExit | None), repr(result.exception)
            assert "Traceback" not in result.stderr
            if result.exit_code == 2:
                assert result.stderr.startswith("control-graph: error: "), result.stderr
                assert str(path) in result.stderr
            assert not marker.exists()

    exits_cleanly()


def test_fuzz_postgresql_smoke(pg_url: str, tmp_path: Path) -> None:
    with cg.open(pg_url) as model:
        model.import_file(VALLEY)
        checker = Checker(model, tmp_path, tmp_path / "pwned")
        run(checker, some_files(checker.marker), 60)
