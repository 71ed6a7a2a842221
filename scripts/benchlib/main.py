"""The command line of the benchmark, and the order in which things are measured."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from benchlib.context import Bench, attempt
from benchlib.measure_cli import (
    measure_disputes,
    measure_memory,
    measure_questions,
    measure_snapshot,
)
from benchlib.measure_engine import measure_engine
from benchlib.measure_import import measure_imports, measure_startup
from benchlib.measure_pg import measure_pg
from benchlib.profiling import profile, profile_names
from benchlib.questions import cli_questions, extra_questions, pick
from benchlib.report import Report, machine_facts
from benchlib.runner import cli_path, remove_sqlite
from benchlib.synth import generate
from benchlib.targets import FULL, NATIONAL, QUICK, Sizes

#: The events database's name stem (``events.db``; ``events-trust.db`` with ``--trust``).
EVENTS_DB = "events"


def parse_args(description: str, argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    size = parser.add_argument_group("data")
    size.add_argument("--places", type=int, help=f"places (default {FULL.places:,})")
    size.add_argument("--segments", type=int, help=f"segments (default {FULL.segments:,})")
    size.add_argument("--events", type=int, help=f"events in the CSV (default {FULL.events:,})")
    size.add_argument(
        "--quick",
        action="store_true",
        help=f"small smoke run: {QUICK.places} places, {QUICK.segments} segments, "
        f"{QUICK.events:,} events, fewer runs and questions",
    )
    size.add_argument("--seed", type=int, default=11, help="random seed (default %(default)s)")
    size.add_argument(
        "--workdir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "control-graph-bench",
        help="where data and databases go (default: %(default)s)",
    )
    size.add_argument(
        "--regenerate", action="store_true", help="write the data files even if they exist"
    )
    size.add_argument(
        "--trust",
        action="store_true",
        help="the events also carry contract section 4 (rough dates, lapsing reports, "
        "claimants and rival claims, ids) and access records are imported with the "
        "network; own file and database names (events-...-trust.csv, events-trust.db)",
    )
    what = parser.add_argument_group("measurements")
    what.add_argument(
        "--runs", type=int, help="runs of each fast command, cold (default 7; 1 with --quick)"
    )
    what.add_argument(
        "--slow-runs",
        type=int,
        help="runs of path, changes, plot map and the first snapshot (default 3; 1 with --quick)",
    )
    what.add_argument(
        "--import-runs",
        type=int,
        default=1,
        help="CSV imports to time, each into a fresh copy; the best counts (default 1)",
    )
    what.add_argument(
        "--reuse-db",
        action="store_true",
        help="reuse the SQLite database of an earlier run on the same data (no import figures)",
    )
    what.add_argument("--no-engine", action="store_true", help="skip the in-process engine (d)")
    what.add_argument(
        "--extras", action="store_true", help="also the path of earlier versions (any ground)"
    )
    what.add_argument(
        "--profile",
        metavar="NAME",
        help="run one measurement under cProfile and print where its time goes "
        "(--profile list: the names)",
    )
    pg = parser.add_argument_group("PostgreSQL")
    pg.add_argument(
        "--pg", metavar="URL", help="also measure PostgreSQL at this URL (in a new schema)"
    )
    pg.add_argument(
        "--national",
        action="store_true",
        help=f"with --pg: national scale ({NATIONAL.places:,} places, "
        f"{NATIONAL.segments:,} segments, {NATIONAL.events:,} events), PostgreSQL only",
    )
    pg.add_argument(
        "--compare-sqlite",
        action="store_true",
        help="with --pg: check that PostgreSQL's answers are SQLite's on the same data",
    )
    pg.add_argument("--keep", action="store_true", help="keep the PostgreSQL schema")
    out = parser.add_argument_group("output")
    out.add_argument("--output", type=Path, help="also write the figures as JSON here")
    out.add_argument("--strict", action="store_true", help="exit 1 when a target fails at its size")
    args = parser.parse_args(argv)
    if (args.national or args.compare_sqlite or args.keep) and not args.pg:
        parser.error("--national, --compare-sqlite and --keep go with --pg URL")
    if args.national and args.quick:
        parser.error("--national and --quick: give the small sizes with --places etc.")
    default = NATIONAL if args.national else QUICK if args.quick else FULL
    args.sizes = Sizes(
        args.places or default.places,
        args.segments or default.segments,
        args.events or default.events,
    )
    args.runs = args.runs or (1 if args.quick else 7)
    args.slow_runs = args.slow_runs or (1 if args.quick else 3)
    if args.sizes.places < 4 or args.sizes.segments < 2 or args.sizes.events < 1:
        parser.error("sizes too small")
    if min(args.runs, args.slow_runs, args.import_runs) < 1:
        parser.error("runs must be at least 1")
    return args


def main(description: str, argv: Sequence[str] | None = None) -> int:
    args = parse_args(description, argv)
    sizes: Sizes = args.sizes
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    given = sys.argv if argv is None else ["scripts/bench.py", *argv]
    command = shlex.join([Path(sys.executable).name, *given])
    facts = machine_facts()
    print(f"command: {command}")
    print("machine: " + ", ".join(f"{k} {v}" for k, v in facts.items()))
    print(
        f"sizes: {sizes.places:,} places, {sizes.segments:,} segments, {sizes.events:,} events; "
        f"seed {args.seed}; workdir {workdir}"
    )
    report = Report(sizes)
    data = generate(sizes, args.seed, workdir, regenerate=args.regenerate, trust=args.trust)
    if data.trust is not None:
        report.data_label = data.trust.describe()
        print(f"data: {report.data_label}")
    report.add(
        "gen",
        "generate",
        "generate data" if data.written else "generate network (data files reused)",
        data.seconds,
        "s",
        note=f"{len(data.net.road_segments)} roads; {data.csv_path.name}",
    )
    picks = pick(data.net, args.seed, args.runs)
    bench = Bench(args, sizes, report, data, workdir, cli_path(), picks)

    if args.profile:
        names = profile_names(bench)
        if args.profile not in names:
            print("measurements that can be profiled: " + ", ".join(names))
            return 0 if args.profile == "list" else 2
        profile(bench, args.profile, lambda: needed_database(bench))
        return 0

    sqlite_url: str | None = None
    measure_startup(bench)  # also the unit of the "x import" ratios, on any database
    if not args.national or args.compare_sqlite:
        sqlite_url = events_database(bench, reuse=args.reuse_db)
    if sqlite_url is not None and not args.national:
        questions = cli_questions(data.net, bench.picks, workdir, quick=args.quick)
        if args.extras:
            questions += extra_questions(data.net, bench.picks)
        measure_questions(bench, sqlite_url, questions)
        if data.trust is not None:
            measure_disputes(bench, sqlite_url)
        if not args.no_engine:
            with attempt(report, "d", "engine", "the engine in this process"):
                measure_engine(bench, sqlite_url)
        measure_snapshot(bench, sqlite_url)
        measure_memory(bench, sqlite_url)
    if args.pg:
        measure_pg(bench, sqlite_url if args.compare_sqlite else None)

    print()
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if report.data_label:
        print(f"data: {report.data_label}")
    print(report.table())
    print("\ntargets:")
    print(report.table(targets_only=True))
    if args.output:
        run_sizes = {**sizes._asdict(), "seed": args.seed}
        header = {"command": command, "machine": facts, "sizes": run_sizes, "trust": args.trust}
        if data.trust is not None:
            header["data"] = {"label": report.data_label, **data.trust.as_dict()}
        report.write_json(args.output, header)
    failed = report.failed()
    errors = [f for f in failed if f.verdict == "ERROR"]
    return 1 if errors or (args.strict and failed) else 0


def needed_database(bench: Bench) -> str:
    """The events database for a profile: reused, or imported now."""
    url = events_database(bench, reuse=True)
    if url is None:
        raise SystemExit("cannot profile: the import into SQLite failed (see above)")
    return url


def events_database(bench: Bench, *, reuse: bool) -> str | None:
    """The URL of the SQLite database holding the generated network and events: the one
    of an earlier run on the same files when ``reuse``, else imported now (with its
    figures). None when the import failed."""
    name = bench.db_name(EVENTS_DB)
    path, marker = bench.workdir / name, bench.workdir / (name + ".source")
    url = bench.sqlite_url(name)
    source = " ".join(p.name for p in (*bench.data.network_files[1:], bench.data.csv_path))
    made = path.exists() and (bench.workdir / bench.db_name("base")).exists()
    if reuse and made and marker.exists() and marker.read_text() == source:
        print(f"  reusing {path} (imported from {source}): no import figures")
        return url
    marker.unlink(missing_ok=True)
    if not measure_imports(bench, name):
        remove_sqlite(path)
        return None
    marker.write_text(source)
    return url
