#!/usr/bin/env python
"""Benchmark control-graph on a synthetic road network (issue "Foundation", item 11).

Generates, deterministically from ``--seed``, a road network (places on a jittered grid,
roads along the rows, extra segments between rows, 8 parties in 2 blocs) as a YAML
dataset and a CSV of control events, then measures:

  a. ``control-graph init`` and ``control-graph import network.yaml`` (subprocesses);
  b. ``control-graph import events.csv`` into a fresh copy of that database;
  c. ``control-graph who-held`` / ``timeline`` whole-process wall time (median of runs);
  d. the in-memory engine: ``Model.control_timeline()`` over the whole database, point
     lookups (cold: the first lookup of an element computes its history; warm: after
     that), ``road_state`` of a 50-segment road and ``RoadNetwork.shortest_path`` for a
     50-segment route;
  e. peak RSS of each subprocess and of this process;
  f. optionally (``--pg URL``) the CSV import and who-held on PostgreSQL.

Only the public API and the command line are used. Results are printed as a table (and
written as JSON with ``--output``); docs/performance.md records them.

Examples::

    python scripts/bench.py                    # full size: 10k places, 15k segments, 1M events
    python scripts/bench.py --quick            # small smoke run (a few seconds, for CI)
    python scripts/bench.py --pg postgresql://postgres@localhost/postgres
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import itertools
import json
import math
import os
import platform
import random
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# -- sizes and requirements ---------------------------------------------------------------

FULL = {"places": 10_000, "segments": 15_000, "events": 1_000_000}
QUICK = {"places": 400, "segments": 600, "events": 20_000}
REQUIRE_IMPORT_S = 20.0
REQUIRE_WHO_HELD_S = 1.0
REQUIRE_LOOKUP_US = 5.0
REQUIRE_ROUTE_US = 200.0

PARTIES = [
    ("alpha-front", "Alpha Front"),
    ("bravo-army", "Bravo Army"),
    ("charlie-militia", "Charlie Militia"),
    ("delta-force", "Delta Force"),
    ("echo-brigade", "Echo Brigade"),
    ("foxtrot-guard", "Foxtrot Guard"),
    ("golf-police", "Golf Border Police"),
    ("hotel-rebels", "Hotel Rebels"),
]
FIRST_DAY = dt.date(2023, 1, 1)
DAYS = 3 * 365 + 1  # 2023-01-01 .. 2025-12-31
KINDS = ["capture", "recapture", "withdrawal", "patrol", "report", "handover"]
ROW_ROAD_CHUNKS = [50, 17, 16, 16]  # segments per road along a row of 100 places
EARTH_RADIUS_KM = 6371.0088


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    dp, dl = p2 - p1, math.radians(b[1] - a[1])
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


# -- the synthetic network ----------------------------------------------------------------


@dataclass
class Network:
    """What the generator made, and what the measurements need to know about it."""

    width: int
    rows: int
    place_ids: list[str]
    coords: list[tuple[float, float]]
    row_of: list[int]
    #: road id -> (row or None, place indexes along it (places roads) or None)
    road_rows: dict[str, int] = field(default_factory=dict)
    road_segments: dict[str, list[str]] = field(default_factory=dict)
    road_places: dict[str, list[int]] = field(default_factory=dict)
    #: segment id -> (start index, end index)
    segment_ends: dict[str, tuple[int, int]] = field(default_factory=dict)
    band_centres: list[int] = field(default_factory=list)

    def band(self, row: int, day: int) -> int:
        """Which party holds ``row`` on day index ``day``: bands of rows, one per party,
        whose borders sway by up to 3 rows over a year (so there are fronts)."""
        shift = round(3 * math.sin(2 * math.pi * day / 365))
        return min(len(PARTIES) - 1, max(0, (row + shift) * len(PARTIES) // self.rows))

    def is_core(self, row: int) -> bool:
        """Band centre rows: always held by their band's party, no noise (so that a
        held 50-segment route exists for path questions)."""
        return row in self.band_centres


def build_network(places: int, segments: int, rng: random.Random) -> Network:
    width = max(2, math.ceil(math.sqrt(places)))
    rows = math.ceil(places / width)
    digits = len(str(places - 1))
    place_ids = [f"p{i:0{digits}d}" for i in range(places)]
    coords = []
    for i in range(places):
        r, c = divmod(i, width)
        coords.append(
            (
                round(10.0 + r * 0.02 + rng.uniform(-0.004, 0.004), 5),
                round(95.0 + c * 0.02 + rng.uniform(-0.004, 0.004), 5),
            )
        )
    net = Network(width, rows, place_ids, coords, [i // width for i in range(places)])
    net.band_centres = sorted({int((b + 0.5) * rows / len(PARTIES)) for b in range(len(PARTIES))})
    # Roads along the rows, generated from their places, in chunks of 50, 17, 16, 16 ...
    budget = segments
    road_number = 0
    for r in range(rows):
        row = list(range(r * width, min(places, (r + 1) * width)))
        start, k = 0, 0
        while start < len(row) - 1 and budget > 0:
            size = min(ROW_ROAD_CHUNKS[k % len(ROW_ROAD_CHUNKS)], len(row) - 1 - start, budget)
            k += 1
            road_number += 1
            road = f"r{road_number:04d}"
            chain = row[start : start + size + 1]
            net.road_rows[road] = r
            net.road_places[road] = chain
            net.road_segments[road] = [f"{road}/{i}" for i in range(1, len(chain))]
            for i, seg in enumerate(net.road_segments[road]):
                net.segment_ends[seg] = (chain[i], chain[i + 1])
            budget -= size
            start += size
    # Extra segments between rows (vertical, then diagonal if more are needed).
    candidates = [(i, i + width) for i in range(places) if i + width < places]
    rng.shuffle(candidates)
    diagonal = [
        (i, i + width + 1) for i in range(places) if i + width + 1 < places and (i + 1) % width
    ]
    rng.shuffle(diagonal)
    candidates += diagonal
    if budget > len(candidates):
        raise SystemExit(f"cannot make {segments} segments from {places} places; use fewer")
    chosen = sorted(candidates[:budget])
    extra_ids = {}
    for k, (a, b) in enumerate(chosen, start=1):
        seg = f"s{k:05d}"
        net.segment_ends[seg] = (a, b)
        extra_ids[(a, b)] = seg
    # Roads given by `segments`: runs of at least 3 consecutive vertical extras in a column.
    target_roads = max(1, round(len(net.road_segments) / 4))
    made = 0
    for c in range(width):
        run: list[str] = []
        for r in range(rows):
            seg = extra_ids.get((r * width + c, (r + 1) * width + c))
            if seg is not None:
                run.append(seg)
                continue
            if len(run) >= 3 and made < target_roads:
                made += 1
                road = f"v{made:04d}"
                net.road_segments[road] = run
            run = []
        if made >= target_roads:
            break
    return net


def write_yaml(net: Network, path: Path, rng: random.Random) -> None:
    out: list[str] = [
        "format: control-graph/1",
        'name: "Synthetic benchmark network"',
        "parties:",
    ]
    for ident, name in PARTIES:
        out.append(
            f'  - {{id: {ident}, name: "{name}", aliases: ["{ident.split("-")[0].upper()}"]}}'
        )
    east, west = PARTIES[:3], PARTIES[3:6]
    out += [
        "blocs:",
        "  - id: eastern-alliance",
        '    name: "Eastern Alliance"',
        "    members:",
        f"      - {{party: {east[0][0]}, from: 2022-01-01}}",
        f"      - {{party: {east[1][0]}}}",
        f"      - {{party: {east[2][0]}, from: 2024-06-01}}",
        "  - id: western-pact",
        '    name: "Western Pact"',
        "    members:",
        f"      - {{party: {west[0][0]}}}",
        f"      - {{party: {west[1][0]}, to: 2025-03-01}}",
        f"      - {{party: {west[2][0]}}}",
        f"      - {{party: {east[2][0]}, to: 2024-06-01}}",
        "sources:",
    ]
    for k in range(1, 51):
        day = FIRST_DAY + dt.timedelta(days=k * 20)
        out.append(
            f'  - {{id: src-{k:02d}, name: "Monitor {k}", '
            f'url: "https://example.org/reports/{k}", published: {day.isoformat()}}}'
        )
    out.append("places:")
    kinds = ["village"] * 8 + ["town", "checkpoint"]
    for i, ident in enumerate(net.place_ids):
        lat, lon = net.coords[i]
        alias = f', aliases: ["Place {i} Alt"]' if i % 20 == 0 else ""
        out.append(
            f'  - {{id: {ident}, name: "Place {i}"{alias}, kind: {kinds[i % len(kinds)]}, '
            f"lat: {lat}, lon: {lon}}}"
        )
    out.append("segments:")
    for seg, (a, b) in net.segment_ends.items():
        if "/" in seg:
            continue
        length = ""
        if rng.random() < 0.3:
            length = f", length_km: {round(_km(net.coords[a], net.coords[b]) * 1.3, 2)}"
        out.append(f"  - {{id: {seg}, from: {net.place_ids[a]}, to: {net.place_ids[b]}{length}}}")
    out.append("roads:")
    for road, segs in net.road_segments.items():
        if road in net.road_places:
            chain = net.road_places[road]
            places = ", ".join(net.place_ids[i] for i in chain)
            out.append(f'  - id: {road}\n    name: "Road {road[1:]}"\n    places: [{places}]')
            if rng.random() < 0.1:
                lengths = ", ".join(
                    str(round(_km(net.coords[a], net.coords[b]) * 1.2, 2))
                    for a, b in itertools.pairwise(chain)
                )
                out.append(f"    lengths_km: [{lengths}]")
        else:
            out.append(
                f'  - id: {road}\n    name: "Cross road {road[1:]}"\n'
                f"    segments: [{', '.join(segs)}]"
            )
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def write_events(net: Network, path: Path, count: int, rng: random.Random) -> None:
    """Events: 62% on places, 33% on segments, 5% on roads; dates over 3 years, sorted;
    held (by the band's party, sometimes another), contested or unknown; a quarter
    recorded later than their date."""
    segments = list(net.segment_ends)
    roads = list(net.road_segments)
    road_row = {
        road: net.road_rows.get(road, net.row_of[net.segment_ends[segs[0]][0]])
        for road, segs in net.road_segments.items()
    }
    rows_out: list[tuple[Any, ...]] = []
    rand = rng.random
    randrange = rng.randrange
    notes = ['report from "local sources", unconfirmed', "shelling nearby; roads closed"]
    for _ in range(count):
        day = randrange(DAYS)
        which = rand()
        place = segment = road = ""
        if which < 0.62:
            index = randrange(len(net.place_ids))
            place, row = net.place_ids[index], net.row_of[index]
        elif which < 0.95:
            segment = segments[randrange(len(segments))]
            row = net.row_of[net.segment_ends[segment][0]]
        else:
            road = roads[randrange(len(roads))]
            row = road_row[road]
        owner = net.band(row, day)
        status, party = "held", PARTIES[owner][0]
        if not net.is_core(row):
            roll = rand()
            if roll < 0.20:
                status = "contested"
                party = PARTIES[owner][0] if rand() < 0.5 else ""
            elif roll < 0.25:
                status, party = "unknown", ""
            elif roll < 0.35:
                party = PARTIES[(owner + (1 if rand() < 0.5 else -1)) % len(PARTIES)][0]
        date = FIRST_DAY + dt.timedelta(days=day)
        roll = rand()
        recorded = ""
        if roll < 0.25:
            recorded = (date + dt.timedelta(days=1 + randrange(45))).isoformat()
        elif roll < 0.30:
            recorded = date.isoformat()
        kind = KINDS[randrange(len(KINDS))] if rand() < 0.7 else ""
        source = f"src-{1 + randrange(50):02d}" if rand() < 0.5 else ""
        confidence = ("high", "medium", "low", "")[randrange(4)]
        note = notes[randrange(2)] if rand() < 0.03 else ""
        rows_out.append(
            (date, place, segment, road, party, status, kind, source, confidence, recorded, note)
        )
    rows_out.sort(key=lambda row: row[0])
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
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
                "note",
            ]
        )
        writer.writerows((row[0].isoformat(), *row[1:]) for row in rows_out)


def generate(args: argparse.Namespace, workdir: Path) -> tuple[Network, Path, Path, float]:
    key = f"{args.places}p-{args.segments}s-{args.events}e-seed{args.seed}"
    yaml_path = workdir / f"network-{key}.yaml"
    csv_path = workdir / f"events-{key}.csv"
    rng = random.Random(args.seed)
    started = time.perf_counter()
    net = build_network(args.places, args.segments, rng)
    if args.regenerate or not (yaml_path.exists() and csv_path.exists()):
        write_yaml(net, yaml_path, random.Random(args.seed + 1))
        write_events(net, csv_path, args.events, random.Random(args.seed + 2))
    return net, yaml_path, csv_path, time.perf_counter() - started


# -- running the command line -------------------------------------------------------------


@dataclass
class Run:
    seconds: float
    max_rss_mb: float
    cpu_seconds: float
    returncode: int
    stdout: str
    stderr: str


def cli_path() -> list[str]:
    script = Path(sys.executable).with_name("control-graph")
    if script.exists():
        return [str(script)]
    found = shutil.which("control-graph")
    return [found] if found else [sys.executable, "-m", "control_graph"]


#: Runs the command from a small process, so that the child's peak RSS is its own (a child
#: forked from this big process would inherit its resident size) and the wall time is
#: from spawn to exit of the command itself.
_LAUNCHER = """
import json, os, sys, time
out, argv = sys.argv[1], sys.argv[2:]
started = time.perf_counter()
pid = os.posix_spawn(argv[0], argv, os.environ)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - started
with open(out, "w") as handle:
    json.dump({"seconds": seconds, "maxrss_kb": usage.ru_maxrss,
               "cpu": usage.ru_utime + usage.ru_stime,
               "code": os.waitstatus_to_exitcode(status)}, handle)
"""


def run(argv: Sequence[str], cwd: Path, *, check: bool = True) -> Run:
    """Run a command: wall time from spawn to exit, and that command's own peak RSS."""
    argv = list(argv)
    argv[0] = shutil.which(argv[0]) or argv[0]
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile("r", suffix=".json") as measured,
    ):
        subprocess.run(
            [sys.executable, "-S", "-c", _LAUNCHER, measured.name, *argv],
            cwd=cwd,
            stdout=out,
            stderr=err,
            check=True,
        )
        figures = json.loads(Path(measured.name).read_text())
        out.seek(0)
        err.seek(0)
        result = Run(
            figures["seconds"],
            figures["maxrss_kb"] / 1024,
            figures["cpu"],
            figures["code"],
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
        )
    if check and result.returncode != 0:
        raise SystemExit(
            f"command failed ({result.returncode}): {shlex.join(argv)}\n{result.stderr[-3000:]}"
        )
    return result


def remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        (path.parent / (path.name + suffix)).unlink(missing_ok=True)


def copy_sqlite(source: Path, target: Path) -> None:
    remove_sqlite(target)
    for suffix in ("", "-wal", "-shm"):
        src = source.parent / (source.name + suffix)
        if src.exists():
            shutil.copyfile(src, target.parent / (target.name + suffix))


# -- reporting ----------------------------------------------------------------------------


@dataclass
class Figure:
    section: str
    what: str
    value: float | None
    unit: str
    requirement: str = ""
    verdict: str = ""
    note: str = ""


class Report:
    def __init__(self, full_size: bool) -> None:
        self.figures: list[Figure] = []
        self.full_size = full_size

    def add(
        self,
        section: str,
        what: str,
        value: float | None,
        unit: str,
        *,
        limit: float | None = None,
        note: str = "",
    ) -> None:
        requirement = verdict = ""
        if limit is not None:
            requirement = f"< {limit:g} {unit}"
            if value is not None:
                verdict = "PASS" if value < limit else "FAIL"
                if not self.full_size:
                    verdict += " (not full size)"
        self.figures.append(Figure(section, what, value, unit, requirement, verdict, note))
        shown = "-" if value is None else _fmt(value)
        print(f"  [{section}] {what}: {shown} {unit} {verdict}".rstrip(), flush=True)

    def table(self) -> str:
        header = ("", "measure", "value", "requirement", "verdict", "notes")
        rows = [
            (
                f.section,
                f.what,
                "-" if f.value is None else f"{_fmt(f.value)} {f.unit}",
                f.requirement,
                f.verdict,
                f.note,
            )
            for f in self.figures
        ]
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
        lines = ["  ".join(str(c).ljust(w) for c, w in zip(header, widths, strict=True)).rstrip()]
        lines.append("  ".join("-" * w for w in widths))
        for row in rows:
            lines.append(
                "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            )
        return "\n".join(lines)


def _fmt(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}" if value >= 0.01 else f"{value:.2g}"


def machine_facts() -> dict[str, Any]:
    facts: dict[str, Any] = {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
    }
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    facts["cpu"] = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo", encoding="utf-8") as handle:
            facts["memory_gb"] = round(int(handle.readline().split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    facts["load_average"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    repo = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        facts["commit"] = commit + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        pass
    try:
        import sqlalchemy

        facts["sqlalchemy"] = sqlalchemy.__version__
        import sqlite3

        facts["sqlite"] = sqlite3.sqlite_version
    except ImportError:
        pass
    return facts


# -- the measurements ---------------------------------------------------------------------


def median_run(argvs: list[list[str]], cwd: Path) -> tuple[float, float, float, float]:
    """Median and max wall seconds, max peak RSS (MB) and median CPU seconds."""
    runs = [run(argv, cwd) for argv in argvs]
    seconds = [r.seconds for r in runs]
    return (
        statistics.median(seconds),
        max(seconds),
        max(r.max_rss_mb for r in runs),
        statistics.median(r.cpu_seconds for r in runs),
    )


def random_days(rng: random.Random, n: int) -> list[dt.date]:
    return [FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS)) for _ in range(n)]


def bench_cli(
    args: argparse.Namespace,
    report: Report,
    net: Network,
    yaml_path: Path,
    csv_path: Path,
    workdir: Path,
) -> str:
    cg = cli_path()
    events_db = workdir / "events.db"
    marker = workdir / "events.db.source"
    base_url = f"sqlite:///{workdir / 'base.db'}"
    url = f"sqlite:///{events_db}"
    reuse = (
        args.reuse_db
        and events_db.exists()
        and marker.exists()
        and marker.read_text() == csv_path.name
    )

    floor = run([sys.executable, "-c", "pass"], workdir)
    report.add("start", "python -c pass", floor.seconds * 1000, "ms", note="interpreter floor")
    version = median_run([[*cg, "--version"] for _ in range(3)], workdir)
    report.add(
        "start", "control-graph --version", version[0] * 1000, "ms", note="import of the CLI"
    )

    if reuse:
        print(f"  reusing {events_db} (imported from {csv_path.name}): no import figures")
    else:
        marker.unlink(missing_ok=True)
        remove_sqlite(workdir / "base.db")
        bench_import(args, report, cg, yaml_path, csv_path, workdir, base_url, url)
        marker.write_text(csv_path.name)
    return bench_questions(args, report, cg, net, workdir, url)


def bench_import(
    args: argparse.Namespace,
    report: Report,
    cg: list[str],
    yaml_path: Path,
    csv_path: Path,
    workdir: Path,
    base_url: str,
    url: str,
) -> None:
    base_db, events_db = workdir / "base.db", workdir / "events.db"
    init = run([*cg, "--db", base_url, "init"], workdir)
    report.add("a", "control-graph init (new SQLite)", init.seconds, "s", note="Alembic migrations")
    loaded = run([*cg, "--db", base_url, "import", "--quiet", str(yaml_path)], workdir)
    report.add(
        "a",
        "import network YAML",
        loaded.seconds,
        "s",
        note=f"{args.places:,} places, {args.segments:,} segments; peak RSS "
        f"{loaded.max_rss_mb:.0f} MB",
    )

    imports = []
    for _ in range(args.import_runs):
        copy_sqlite(base_db, events_db)
        imports.append(run([*cg, "--db", url, "import", "--quiet", str(csv_path)], workdir))
    imported = min(imports, key=lambda r: r.seconds)
    runs = (
        f"best of {len(imports)} ({', '.join(f'{r.seconds:.1f}' for r in imports)} s); "
        if len(imports) > 1
        else ""
    )
    report.add(
        "b",
        f"import {args.events:,}-event CSV",
        imported.seconds,
        "s",
        limit=REQUIRE_IMPORT_S,
        note=f"{runs}cpu {imported.cpu_seconds:.1f} s, peak RSS {imported.max_rss_mb:.0f} MB; "
        f"CSV {csv_path.stat().st_size / 1e6:.0f} MB, db {events_db.stat().st_size / 1e6:.0f} MB",
    )


def bench_questions(
    args: argparse.Namespace,
    report: Report,
    cg: list[str],
    net: Network,
    workdir: Path,
    url: str,
) -> str:

    rng = random.Random(args.seed + 3)
    roads50 = [r for r, segs in net.road_segments.items() if len(segs) == 50]
    long_road = (
        rng.choice(roads50)
        if roads50
        else max(net.road_segments, key=lambda r: len(net.road_segments[r]))
    )
    short_road = rng.choice(
        [r for r, segs in net.road_segments.items() if 10 <= len(segs) <= 20] or [long_road]
    )
    segment = rng.choice([s for s in net.segment_ends if "/" not in s] or list(net.segment_ends))
    place = rng.choice(net.place_ids)
    n = args.runs
    days = [d.isoformat() for d in random_days(rng, n)]
    run([*cg, "--db", url, "who-held", long_road, "--on", days[0]], workdir)  # warm the cache
    cases = [
        (
            f"who-held ROAD ({len(net.road_segments[long_road])} segments)",
            ["who-held", long_road],
            True,
        ),
        (
            f"who-held ROAD ({len(net.road_segments[short_road])} segments)",
            ["who-held", short_road],
            True,
        ),
        ("who-held SEGMENT", ["who-held", segment], True),
        ("who-held PLACE", ["who-held", place], True),
        ("who-held ROAD --json", ["who-held", long_road, "--json"], True),
        (
            "who-held ROAD --by bloc --as-of",
            ["who-held", long_road, "--by", "bloc", "--as-of", "2025-06-30"],
            True,
        ),
    ]
    if args.quick:  # a smoke run: one of each kind of question
        cases = [cases[0], cases[3], cases[4]]
    for label, command, dated in cases:
        argvs = [[*cg, "--db", url, *command, *(["--on", d] if dated else [])] for d in days]
        median, worst, rss, cpu = median_run(argvs, workdir)
        report.add(
            "c",
            label,
            median,
            "s",
            limit=REQUIRE_WHO_HELD_S,
            note=f"median of {n}, max {worst:.2f} s, cpu {cpu:.2f} s, peak RSS {rss:.0f} MB",
        )
    median, worst, rss, cpu = median_run(
        [[*cg, "--db", url, "timeline", long_road] for _ in range(n)], workdir
    )
    report.add(
        "c",
        f"timeline ROAD ({len(net.road_segments[long_road])} segments)",
        median,
        "s",
        note=f"median of {n}, max {worst:.2f} s, cpu {cpu:.2f} s, peak RSS {rss:.0f} MB",
    )
    if args.extras:
        centre = _core_road(net)
        a, b = net.road_places[centre][0], net.road_places[centre][-1]
        one = run(
            [*cg, "--db", url, "path", net.place_ids[a], net.place_ids[b], "--on", "2025-06-01"],
            workdir,
            check=False,
        )
        report.add(
            "c",
            "path FROM TO (whole network)",
            one.seconds,
            "s",
            note=f"1 run, peak RSS {one.max_rss_mb:.0f} MB, exit {one.returncode}",
        )
        one = run([*cg, "--db", url, "changes", "--from", "2025-12-01"], workdir)
        report.add(
            "c",
            "changes --from (last month)",
            one.seconds,
            "s",
            note=f"1 run, peak RSS {one.max_rss_mb:.0f} MB",
        )
    print(f"  example: {shlex.join([*cg, '--db', url, 'who-held', long_road, '--on', days[0]])}")
    return url


def _core_road(net: Network) -> str:
    """A 50-segment road (or the longest) along a band's centre row: held throughout."""
    core = [r for r, row in net.road_rows.items() if net.is_core(row)]
    return max(core, key=lambda r: len(net.road_segments[r]))


def per_call_us(function: Any, items: Sequence[Any], repeat: int = 5) -> float:
    """Best of ``repeat`` passes over ``items`` calling ``function(*item)``, µs per call."""

    def one_pass() -> None:
        for item in items:
            function(*item)

    one_pass()  # warm-up
    best = min(timeit.repeat(one_pass, number=1, repeat=repeat))
    return best / len(items) * 1e6


def cold_us(function: Any, items: Sequence[Any]) -> float:
    started = time.perf_counter()
    for item in items:
        function(*item)
    return (time.perf_counter() - started) / len(items) * 1e6


def rss_mb() -> float:
    try:
        with open("/proc/self/statm", encoding="utf-8") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    except OSError:
        return float("nan")


def bench_engine(args: argparse.Namespace, report: Report, net: Network, url: str) -> None:
    import control_graph as cg

    rng = random.Random(args.seed + 4)
    before = rss_mb()
    model = cg.open(url)
    started = time.perf_counter()
    timeline = model.control_timeline()
    report.add(
        "d",
        "Model.control_timeline() (whole db)",
        time.perf_counter() - started,
        "s",
        note=f"RSS +{rss_mb() - before:.0f} MB",
    )
    started = time.perf_counter()
    network = model.network()
    report.add("d", "Model.network() (graph)", time.perf_counter() - started, "s")

    # Disjoint samples so that "cold" really is the first computation.
    core = _core_road(net)
    roads50 = [r for r, s in net.road_segments.items() if len(s) == len(net.road_segments[core])]
    rng.shuffle(roads50)
    cold_roads = [r for r in roads50 if r != core][: max(1, min(20, len(roads50) // 10))]
    reserved_places: set[int] = set(net.road_places[core])
    reserved_segments: set[str] = set(net.road_segments[core])
    for r in cold_roads:
        reserved_segments.update(net.road_segments[r])
        for s in net.road_segments[r]:
            reserved_places.update(net.segment_ends[s])
    k = max(10, min(2000, len(net.segment_ends) // 8))
    seg_pool = [s for s in net.segment_ends if s not in reserved_segments]
    seg_sample = rng.sample(seg_pool, min(k, len(seg_pool)))
    for s in seg_sample:
        reserved_places.update(net.segment_ends[s])
    place_pool = [net.place_ids[i] for i in range(len(net.place_ids)) if i not in reserved_places]
    place_pool = place_pool or net.place_ids
    place_sample = rng.sample(place_pool, min(k, len(place_pool)))
    n = 100_000 if not args.quick else 10_000

    def day() -> dt.date:
        return FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS))

    cold = cold_us(timeline.place_state, [(p, day()) for p in place_sample])
    report.add(
        "d",
        "place_state, cold",
        cold,
        "µs",
        note=f"first lookup of {len(place_sample)} places (computes history)",
    )
    warm = per_call_us(timeline.place_state, [(rng.choice(place_sample), day()) for _ in range(n)])
    report.add(
        "d",
        "place_state, warm",
        warm,
        "µs",
        limit=REQUIRE_LOOKUP_US,
        note=f"{n:,} random (place, day), best of 5",
    )
    cold = cold_us(timeline.segment_state, [(s, day()) for s in seg_sample])
    report.add(
        "d",
        "segment_state, cold",
        cold,
        "µs",
        note=f"first lookup of {len(seg_sample)} segments (+ their endpoints)",
    )
    warm = per_call_us(timeline.segment_state, [(rng.choice(seg_sample), day()) for _ in range(n)])
    report.add(
        "d",
        "segment_state, warm",
        warm,
        "µs",
        limit=REQUIRE_LOOKUP_US,
        note=f"{n:,} random (segment, day)",
    )
    warm = per_call_us(timeline.state, [(rng.choice(seg_sample), day()) for _ in range(n)])
    report.add("d", "state(SEGMENT), warm", warm, "µs", note="generic entry point (type_of first)")
    warm = per_call_us(
        lambda s, d: timeline.segment_state(s, d, "bloc"),
        [(rng.choice(seg_sample), day()) for _ in range(n)],
    )
    report.add("d", "segment_state by bloc, warm", warm, "µs")

    if cold_roads:
        length = len(net.road_segments[cold_roads[0]])
        times = []
        for r in cold_roads:
            started = time.perf_counter()
            timeline.road_state(r, day())
            times.append((time.perf_counter() - started) * 1e6)
        report.add(
            "d",
            f"road_state ({length} segments), cold",
            statistics.median(times),
            "µs",
            note=f"median over {len(cold_roads)} roads, first lookup",
        )
        warm = per_call_us(
            timeline.road_state, [(rng.choice(cold_roads), day()) for _ in range(n // 20)]
        )
        report.add(
            "d",
            f"road_state ({length} segments), warm",
            warm,
            "µs",
            limit=REQUIRE_ROUTE_US,
            note="if item 11's route means a road's state",
        )

    # Shortest paths between the two ends of a 50-segment road on a band's centre row.
    chain = net.road_places[core]
    source, target = net.place_ids[chain[0]], net.place_ids[chain[-1]]
    started = time.perf_counter()
    route = network.shortest_path(source, target)
    first = (time.perf_counter() - started) * 1e6
    repeat = 20 if not args.quick else 5
    warm = (
        min(timeit.repeat(lambda: network.shortest_path(source, target), number=1, repeat=repeat))
        * 1e6
    )
    report.add(
        "d",
        f"shortest_path, any ground ({len(route.segments)} segments)",
        warm,
        "µs",
        limit=REQUIRE_ROUTE_US,
        note=f"first call {first:,.0f} µs; best of {repeat}",
    )
    the_day = dt.date(2025, 6, 1)
    owner = timeline.place_state(source, the_day)
    if owner.controller is not None:
        started = time.perf_counter()
        try:
            route = network.shortest_path(
                source, target, timeline=timeline, day=the_day, controller=owner.controller
            )
        except cg.NoPathError as error:
            report.add("d", "shortest_path, one party's ground", None, "µs", note=str(error))
        else:
            first = (time.perf_counter() - started) * 1e6
            warm = (
                min(
                    timeit.repeat(
                        lambda: network.shortest_path(
                            source,
                            target,
                            timeline=timeline,
                            day=the_day,
                            controller=owner.controller,
                        ),
                        number=1,
                        repeat=repeat,
                    )
                )
                * 1e6
            )
            report.add(
                "d",
                f"shortest_path, held by {owner.controller} ({len(route.segments)} segments)",
                warm,
                "µs",
                limit=REQUIRE_ROUTE_US,
                note=f"cold (histories computed) {first:,.0f} µs; warm best of {repeat}",
            )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report.add("e", "peak RSS of this process (engine)", peak, "MB")
    model.close()


def bench_pg(
    args: argparse.Namespace,
    report: Report,
    net: Network,
    yaml_path: Path,
    csv_path: Path,
    workdir: Path,
) -> None:
    import sqlalchemy as sa

    from control_graph.store.db import resolve_url

    cg = cli_path()
    schema = f"cg_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(resolve_url(args.pg))
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = (
        sa.engine.make_url(resolve_url(args.pg))
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )
    try:
        run([*cg, "--db", url, "import", "--quiet", str(yaml_path)], workdir)
        imported = run([*cg, "--db", url, "import", "--quiet", str(csv_path)], workdir)
        report.add(
            "f",
            f"PostgreSQL: import {args.events:,}-event CSV",
            imported.seconds,
            "s",
            limit=REQUIRE_IMPORT_S,
            note=f"cpu {imported.cpu_seconds:.1f} s (client), "
            f"peak RSS {imported.max_rss_mb:.0f} MB",
        )
        rng = random.Random(args.seed + 5)
        road = rng.choice(
            [r for r, s in net.road_segments.items() if len(s) == 50] or list(net.road_segments)
        )
        days = [d.isoformat() for d in random_days(rng, args.runs)]
        # Right after the import (autovacuum may not have analysed the table yet), then
        # after an explicit ANALYZE.
        for label in ("right after import", "after ANALYZE"):
            if label == "after ANALYZE":
                with admin.begin() as conn:
                    conn.exec_driver_sql(f'ANALYZE "{schema}".events')
            run([*cg, "--db", url, "who-held", road, "--on", days[0]], workdir)
            median, worst, _, cpu = median_run(
                [[*cg, "--db", url, "who-held", road, "--on", d] for d in days], workdir
            )
            report.add(
                "f",
                f"PostgreSQL: who-held ROAD, {label}",
                median,
                "s",
                limit=REQUIRE_WHO_HELD_S,
                note=f"median of {args.runs}, max {worst:.2f} s, cpu {cpu:.2f} s",
            )
    finally:
        if not args.keep:
            with admin.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


# -- main ---------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--places", type=int, help=f"places (default {FULL['places']:,})")
    parser.add_argument("--segments", type=int, help=f"segments (default {FULL['segments']:,})")
    parser.add_argument(
        "--events", type=int, help=f"events in the CSV (default {FULL['events']:,})"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"small smoke run: {QUICK['places']} places, {QUICK['segments']} segments, "
        f"{QUICK['events']:,} events, fewer runs",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "control-graph-bench",
        help="where data and databases go (default: %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=11, help="random seed (default %(default)s)")
    parser.add_argument(
        "--runs", type=int, help="runs per command-line question (default 7; 3 with --quick)"
    )
    parser.add_argument(
        "--import-runs",
        type=int,
        default=1,
        help="CSV imports to time, each into a fresh copy; the best counts (default 1)",
    )
    parser.add_argument(
        "--reuse-db",
        action="store_true",
        help="reuse the database of an earlier run on the same data (skips a and b)",
    )
    parser.add_argument(
        "--regenerate", action="store_true", help="write the data files even if they exist"
    )
    parser.add_argument(
        "--no-engine", action="store_true", help="skip the in-memory engine figures"
    )
    parser.add_argument(
        "--extras", action="store_true", help="also time `path` and `changes` on the whole database"
    )
    parser.add_argument(
        "--pg",
        metavar="URL",
        help="also measure PostgreSQL at this server URL (a schema is created and dropped)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL schema")
    parser.add_argument("--output", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a requirement fails")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    for name in sizes:
        if getattr(args, name) is None:
            setattr(args, name, sizes[name])
    if args.runs is None:
        args.runs = 2 if args.quick else 7
    if args.places < 4 or args.segments < 2 or args.events < 1:
        parser.error("sizes too small")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    command = shlex.join([Path(sys.executable).name, *sys.argv])
    facts = machine_facts()
    print(f"command: {command}")
    print("machine: " + ", ".join(f"{k} {v}" for k, v in facts.items()))
    print(
        f"sizes: {args.places:,} places, {args.segments:,} segments, {args.events:,} events; "
        f"seed {args.seed}; workdir {workdir}"
    )
    full = (args.places, args.segments, args.events) == tuple(FULL.values())
    report = Report(full)
    net, yaml_path, csv_path, seconds = generate(args, workdir)
    report.add(
        "gen",
        "generate data (or reuse)",
        seconds,
        "s",
        note=f"{len(net.road_segments)} roads; {yaml_path.name}",
    )
    url = bench_cli(args, report, net, yaml_path, csv_path, workdir)
    if not args.no_engine:
        bench_engine(args, report, net, url)
    if args.pg:
        bench_pg(args, report, net, yaml_path, csv_path, workdir)
    print()
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(report.table())
    if args.output:
        args.output.write_text(
            json.dumps(
                {
                    "command": command,
                    "machine": facts,
                    "sizes": {
                        "places": args.places,
                        "segments": args.segments,
                        "events": args.events,
                        "seed": args.seed,
                    },
                    "figures": [f.__dict__ for f in report.figures],
                },
                indent=2,
                ensure_ascii=False,
            )
            + "\n",
            encoding="utf-8",
        )
    failed = [f for f in report.figures if f.verdict == "FAIL"]  # full size only
    return 1 if args.strict and failed else 0


if __name__ == "__main__":
    sys.exit(main())
