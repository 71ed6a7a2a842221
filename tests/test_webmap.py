"""The interactive map's data and page, without a browser (tests/test_webmap_browser.py
drives the page in headless Chromium)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import control_graph as cg
from control_graph.colors import controller_colors, to_hex
from control_graph.model.records import Party
from control_graph.model.states import State, Status
from control_graph.webmap import map_data, render_page, write_html_map

KACHIN_DAYS = ("2025-06-30", "2025-07-01", "2025-12-01", "2026-01-31", "2026-02-05", "2026-02-06")


@pytest.fixture(scope="module")
def kachin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[cg.Model]:
    url = f"sqlite:///{tmp_path_factory.mktemp('webmap') / 'kachin.db'}"
    with cg.open(url) as model:
        model.import_file(cg.sample_path())
        yield model


def state_at(data: dict[str, Any], element: str, day: dt.date) -> State:
    """What the page shows for ``element`` on ``day``: the same lookup as map.js's codeAt."""
    kind = "places" if element in data["places"]["id"] else "segments"
    states = data[kind]["states"][data[kind]["id"].index(element)]
    offset = (day - dt.date.fromisoformat(data["epoch"])).days
    code = 0
    for at, value in zip(states[::2], states[1::2], strict=True):
        if at <= offset:
            code = value
    if code == 0:
        return State(Status.UNKNOWN)
    if code == 1:
        return State(Status.CONTESTED)
    return State(Status.HELD, data["controllers"][code - 2]["id"])


def embedded(page: str) -> Any:
    match = re.search(r'<script type="application/json" id="cg-data">(.*?)</script>', page, re.S)
    assert match is not None
    return json.loads(match[1])


def test_known_segment_changes_hands(kachin: cg.Model) -> None:
    data = map_data(kachin)
    assert state_at(data, "gwaykhar-road/3", dt.date(2025, 12, 1)) == State(Status.HELD, "saf")
    assert state_at(data, "gwaykhar-road/3", dt.date(2026, 2, 7)) == State(Status.HELD, "kia")


@pytest.mark.parametrize("by", ["party", "bloc"])
def test_every_state_on_every_day_is_the_engines(kachin: cg.Model, by: str) -> None:
    data = map_data(kachin, by=by)
    engine = kachin.control_timeline()
    epoch = dt.date.fromisoformat(data["epoch"])
    assert data["start"] == 0 and data["end"] > 300
    for kind in ("places", "segments"):
        for element in data[kind]["id"]:
            for offset in range(-3, data["end"] + 1):
                day = epoch + dt.timedelta(days=offset)
                expected = engine.state(element, day, by) if offset >= 0 else State(Status.UNKNOWN)
                assert state_at(data, element, day) == expected, (element, day)
    ids = {c["id"] for c in data["controllers"]}
    assert ("kia-coalition" in ids) == (by == "bloc")


def test_range_and_as_of(kachin: cg.Model) -> None:
    data = map_data(kachin, start="2025-12-01", end=dt.date(2026, 2, 6))
    assert (data["epoch"], data["start"], data["end"]) == ("2025-12-01", 0, 67)
    assert data["clipped"] is True
    # Every element starts from its state on the first day: one list entry, not history.
    lonton = data["places"]["states"][data["places"]["id"].index("lonton")]
    saf = [c["id"] for c in data["controllers"]].index("saf") + 2
    assert lonton[:2] == [0, saf] and len(lonton) == 4

    before = map_data(kachin, as_of="2026-02-06")
    assert before["as_of"] == "2026-02-06"
    # Every sample event was recorded on 2026-02-07: the day before, nothing was known.
    assert before["events"] == {} and before["incidents"] == {}
    assert all(states == [] for states in before["segments"]["states"])
    assert "data as of 2026-02-06" in before["credits"]


def test_geography_under_the_network(kachin: cg.Model, tmp_path: Path) -> None:
    geo = map_data(kachin)["geography"]
    west, south, east, north = geo["bounds"]
    lons, lats = (97.40, 96.27, 97.23), (25.38, 25.17, 24.26)  # Myitkyina, Lonton, Bhamo
    assert west < min(lons) and max(lons) < east and south < min(lats) and max(lats) < north
    assert geo["land"] and geo["lines"]["border"] and geo["lines"]["admin1"]
    assert {"Kachin", "Myanmar", "China"} <= {label["name"] for label in geo["labels"]}
    assert geo["attribution"] == "Natural Earth"
    assert map_data(kachin, geography=False)["geography"] is None

    township = tmp_path / "townships.geojson"
    square = [[96.2, 25.1], [96.4, 25.1], [96.4, 25.3], [96.2, 25.3], [96.2, 25.1]]
    township.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"name": "Indawgyi township"},
        "geometry": {"type": "Polygon", "coordinates": [square]}}]}))  # fmt: skip
    own = map_data(kachin, basemap=township)["geography"]
    assert own["lines"]["basemap"] == [[value for point in square for value in point]]
    assert {"name": "Indawgyi township", "kind": "basemap"}.items() <= own["labels"][-1].items()
    assert own["attribution"] == "Natural Earth; boundaries: townships.geojson"


def test_bad_arguments(kachin: cg.Model) -> None:
    with pytest.raises(cg.InvalidArgumentError, match="start"):
        map_data(kachin, start="2026-13-01")
    with pytest.raises(cg.InvalidArgumentError, match="after"):
        map_data(kachin, start="2026-02-01", end="2026-01-01")
    with pytest.raises(cg.InvalidArgumentError, match="by must be"):
        map_data(kachin, by="side")
    for url in ("tile.example.org/{z}/{x}/{y}.png", "https://tile.example.org/{z}/{x}.png",
                "javascript:alert(1)//{z}{x}{y}"):  # fmt: skip
        with pytest.raises(cg.InvalidArgumentError, match="tile URL"):
            map_data(kachin, tiles=url)


def test_reports_behind_each_element(kachin: cg.Model) -> None:
    data = map_data(kachin)
    lonton = data["events"]["lonton"]
    assert [e["date"] for e in lonton] == ["2025-01-30", "2025-07-01", "2026-01-31"]
    last = lonton[-1]
    assert (last["party"], last["kind"], last["source"], last["confidence"]) == (
        "kia", "recapture", "kng-2026-02", "low"
    )  # fmt: skip
    assert "Longton" in last["note"]
    assert data["sources"]["kng-2026-02"]["name"] == "Kachin News Group"
    # Road-wide reports are kept under the road, which the page shows for each segment.
    assert "gwaykhar-road" in data["incidents"]
    road = data["roads"][data["segments"]["road"][data["segments"]["id"].index("gwaykhar-road/3")]]
    assert road["id"] == "gwaykhar-road" and road["name"] == "Gwaykhar Road"
    assert data["places"]["info"]["lonton"]["aliases"] == ["Longton", "Lone Ton"]


def test_a_scenario_shows_what_it_supposes(tmp_path: Path) -> None:
    with cg.open(f"sqlite:///{tmp_path / 'what-if.db'}") as reported:
        reported.import_file(cg.sample_path())
        what_if = reported.scenario("hepu-held", description="Hepu never lost")
        lost = next(e for e in what_if.events("hepu") if e.date == dt.date(2025, 7, 1))
        what_if.suppress_event(lost.id)
        what_if.add_event("2025-07-02", place="hepu", party="kia", kind="hypothesis")
        data = map_data(what_if)
    assert state_at(data, "hepu", dt.date(2025, 12, 1)) == State(Status.HELD, "kia")
    hepu = data["events"]["hepu"]
    assert "2025-07-01" not in [e["date"] for e in hepu]
    assert {"date": "2025-07-02", "kind": "hypothesis", "scenario": "hepu-held"}.items() <= (
        hepu[1].items()
    )
    assert data["credits"].endswith("; scenario hepu-held")


def test_places_without_coordinates_are_placed_between_neighbours(
    tmp_path: Path, write_file: Callable[[str, str], Path]
) -> None:
    dataset = write_file(
        "line.yaml",
        """\
places:
  - {id: a, lat: 10.0, lon: 20.0}
  - {id: m}
  - {id: b, lat: 10.0, lon: 22.0}
  - {id: far}
roads:
  - {id: r, places: [a, m, b]}
""",
    )
    with cg.open(f"sqlite:///{tmp_path / 'line.db'}") as model:
        model.import_file(dataset)
        data = map_data(model)
    places = data["places"]
    m = places["id"].index("m")
    assert (places["lon"][m], places["lat"][m]) == (21.0, 10.0)
    assert places["estimated"] == [m]
    far = places["id"].index("far")
    assert places["lon"][far] is None and places["lat"][far] is None
    # Nothing ever happens: one day, today's, and every state unknown.
    assert data["start"] == data["end"] == 0
    assert data["controllers"] == []


def test_page_is_self_contained(kachin: cg.Model, tmp_path: Path) -> None:
    path = write_html_map(kachin, tmp_path / "map.html", title="Kachin & <friends>")
    page = path.read_text(encoding="utf-8")
    assert embedded(page) == json.loads(json.dumps(map_data(kachin, title="Kachin & <friends>")))
    assert "<title>Kachin &amp; &lt;friends&gt;</title>" in page
    markup = re.sub(r"<script\b.*?</script>|<style>.*?</style>", "", page, flags=re.S)
    # Nothing to load: no external script, style, image, frame or font.
    assert not re.search(r"\b(src|href)\s*=", markup)
    head = page.split('<script type="application/json"')[0]
    assert not re.search(r"https?://|@import|url\(", head)
    script = re.findall(r"<script>(.*?)</script>", page, re.S)
    style = re.findall(r"<style>(.*?)</style>", page, re.S)
    assert len(script) == 1 and len(style) == 1
    assert not re.search(r"https?://\w", script[0].replace("http://www.w3.org/2000/svg", ""))
    # The policy forbids every request and allows exactly the inline script and style.
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert policy is not None
    directives = dict(d.strip().split(" ", 1) for d in html.unescape(policy[1]).split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["img-src"] == "data: blob:"

    def sha(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    assert directives["script-src"] == sha(script[0])
    assert directives["style-src"] == sha(style[0])


def test_tiles_are_the_only_origin_allowed(kachin: cg.Model) -> None:
    url = "https://{s}.tile.example.org/{z}/{x}/{y}.png"
    data = map_data(kachin, tiles=url, tiles_attribution="© Example contributors")
    assert data["tiles"] == {"url": url, "attribution": "© Example contributors"}
    page = render_page(data)
    assert "img-src data: blob: https://*.tile.example.org;" in page
    assert map_data(kachin, tiles="http://tiles.local:8080/{z}/{x}/{y}.png")["tiles"] == {
        "url": "http://tiles.local:8080/{z}/{x}/{y}.png",
        "attribution": "Map tiles: tiles.local:8080",
    }


def test_text_cannot_break_out_of_the_page(
    tmp_path: Path, write_file: Callable[[str, str], Path]
) -> None:
    hostile = "</script><script>alert(1)</script><!--"
    dataset = write_file(
        "x.yaml",
        f"""\
name: '{hostile}'
parties: [{{id: p, name: '{hostile}'}}]
places: [{{id: a, name: '{hostile}', lat: 1, lon: 1}}]
events: [{{date: 2024-01-01, place: a, party: p, note: '{hostile}'}}]
""",
    )
    with cg.open(f"sqlite:///{tmp_path / 'x.db'}") as model:
        model.import_file(dataset)
        page = render_page(map_data(model))
    assert page.count("<script") == 2 and page.count("</script>") == 2
    data = embedded(page)
    assert data["places"]["name"] == [hostile]
    assert data["events"]["a"][0]["note"] == hostile
    assert data["title"] == hostile


def test_written_without_matplotlib(tmp_path: Path) -> None:
    code = (
        "import sys, control_graph as cg\n"
        "from control_graph.webmap import write_html_map\n"
        "m = cg.open('sqlite://'); m.import_file(cg.sample_path())\n"
        f"write_html_map(m, {str(tmp_path / 'map.html')!r}, by='bloc')\n"
        "print(sorted(n for n in sys.modules if n.split('.')[0] == 'matplotlib'))\n"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]"
    assert (tmp_path / "map.html").stat().st_size > 10_000


# -- colours: shared with the static plots, without matplotlib ------------------------------

PARTY_SETS = [
    [Party("b"), Party("a", color="#0072b2")],
    [Party("x", color="teal"), Party("y", color="#ABC"), Party("z", color="DarkOrange")],
    [Party("w", color="#E69F00"), Party("v", color="r"), Party("u", color="#88ccee80")],
    [Party(f"p{i:02d}") for i in range(24)],
    [Party("near", color="#E6A000"), *(Party(f"q{i}") for i in range(5))],
]


@pytest.mark.parametrize("parties", PARTY_SETS)
def test_each_party_gets_its_own_colour_and_keeps_a_given_one(parties: list[Party]) -> None:
    colors = controller_colors(parties)
    assert len(set(colors.values())) == len(parties)
    for party in parties:
        if party.color is not None:
            assert colors[party.id] == to_hex(party.color)


def test_colour_names_resolve_as_matplotlib_resolves_them() -> None:
    # The plots (matplotlib) and the web map (no matplotlib) share control_graph.colors:
    # its own table of colour names must give what matplotlib would draw.
    from matplotlib import colors as mpl

    from control_graph.colors import _NAMED

    for name in _NAMED:
        assert to_hex(name) == mpl.to_hex(name), name
    for given in ("#abc", "#A1B2C3", "#a1b2c3cc"):
        assert to_hex(given) == mpl.to_hex(given, keep_alpha=False)


def test_colour_names() -> None:
    assert to_hex("Teal") == "#008080" and to_hex("#FfF") == "#ffffff"
    with pytest.raises(cg.InvalidArgumentError, match="teel"):
        to_hex("teel")
    with pytest.raises(cg.InvalidArgumentError, match="party p"):
        controller_colors([Party("p", color="#12345")])


# -- how sure: rough dates, disputes, access (contract section 4) --------------------------

VALLEY_V2 = Path(__file__).parent / "data" / "valley-v2.yaml"


def decoded(flat: list[Any], day: int, before: Any, width: int = 2) -> Any:
    """The value in force on ``day`` in a ``[day, value, ...]`` list (the page's lookup)."""
    found = before
    for i in range(0, len(flat), width):
        if flat[i] <= day:
            found = flat[i + 1 : i + width] if width > 2 else flat[i + 1]
    return found


def in_spans(spans: list[int], day: int) -> bool:
    """Whether ``day`` is in one of the ``[from, to)`` stretches of ``[from, to, ...]``."""
    return any(a <= day < b for a, b in zip(spans[::2], spans[1::2], strict=True))


def code_state(data: dict[str, Any], code: int) -> State | None:
    if code < 0:
        return None
    if code < 2:
        return State(Status.CONTESTED if code else Status.UNKNOWN)
    return State(Status.HELD, data["controllers"][code - 2]["id"])


@pytest.mark.parametrize(
    ("min_confidence", "independent_only"), [(None, False), ("medium", False), (None, True)]
)
def test_doubts_and_access_on_every_day_are_the_engines(
    db_url: str, min_confidence: str | None, independent_only: bool
) -> None:
    """Uncertainty, disputes and access as the page decodes them, day by day, against
    the engine asked with the same filters (valley-v2 exercises every rule)."""
    from control_graph.model.disputes import claims, is_disputed

    with cg.open(db_url) as model:
        model.import_file(Path(__file__).parent / "data" / "valley.yaml")
        model.import_file(VALLEY_V2)
        trust = {"min_confidence": min_confidence, "independent_only": independent_only}
        data = map_data(model, **trust)  # type: ignore[arg-type]
        _, engine, access = model.history(**trust)  # type: ignore[arg-type]
    epoch = dt.date.fromisoformat(data["epoch"])
    found = {"uncertain": 0, "disputed": 0, "access": 0}
    for kind in ("places", "segments"):
        table = data[kind]
        for index, element in enumerate(table["id"]):
            key = str(index)
            for offset in range(data["end"] + 1):
                day = epoch + dt.timedelta(days=offset)
                other = code_state(data, decoded(table["uncertain"].get(key, []), offset, -1))
                assert other == engine.otherwise(element, day), (element, day)
                disputed = in_spans(table["disputed"].get(key, []), offset)
                assert disputed == is_disputed(engine, element, day), (element, day)
                found["uncertain"] += other is not None
                found["disputed"] += disputed
                if kind == "places":
                    continue
                badge = in_spans(table["badge"].get(key, []), offset)
                assert badge == bool(claims(engine, element, day)), (element, day)
                state = access.on(element, day)
                shown = decoded(table["access"].get(key, []), offset, None, width=3)
                expected = None if state is None else [state.access.value, state.party]
                assert shown == expected, (element, day)
                found["access"] += shown is not None
            states = table["states"][index]
            assert all(a != b for a, b in zip(states[1::2], states[3::2], strict=False))
    if min_confidence is None and not independent_only:
        assert all(found.values()), found
    assert data["trust"]["independent_only"] is independent_only


def test_reports_that_do_not_count_say_why(tmp_path: Path) -> None:
    with cg.open(f"sqlite:///{tmp_path / 'v2.db'}") as model:
        model.import_file(Path(__file__).parent / "data" / "valley.yaml")
        model.import_file(VALLEY_V2)
        data = map_data(model, min_confidence="medium", independent_only=True)
        known = map_data(model, as_of="2025-04-03", min_confidence="medium")

    def reason(found: dict[str, Any], element: str, record: str) -> Any:
        return next(r for r in found[element] if r.get("record_id", r.get("id")) == record).get(
            "not_counted"
        )

    assert reason(data["events"], "quay", "quay-rumour") == "retracted on 2025-04-04"
    assert "own claim" in reason(data["events"], "market", "market-pine")
    assert reason(data["events"], "ferry", "ferry-lake") is None
    assert reason(data["access"], "camp-track", "camp-block-rumour") == "retracted on 2025-03-03"
    assert reason(data["access"], "lake-road/3", "bridge-mined") is None
    # As known on 2025-04-03 the rumour was not yet retracted, but it is of low confidence.
    quay = reason(known["events"], "quay", "quay-rumour")
    assert quay == "low confidence, below the medium asked for"
    assert "lake-road" in data["access"]  # the curfew, a road-wide record
