"""``--profile NAME``: one measurement under cProfile, and where its time goes.

A command is profiled in its own process (``python -m cProfile -o FILE ...``, started
by the launcher like any measured command); the engine figures are profiled in this
process. The 25 functions with the most cumulative time are printed.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from benchlib import targets as t
from benchlib.context import Bench
from benchlib.measure_cli import MEMORY_DAYS, write_element_ids
from benchlib.measure_engine import measure_engine
from benchlib.measure_import import IMPORT_PACKAGE
from benchlib.measure_pg import analyze, new_schema, pg_questions
from benchlib.questions import cli_questions, extra_questions
from benchlib.runner import copy_sqlite, probe_command, remove_sqlite, run, show

TOP = 25
#: Measurements that need no database with events.
STANDALONE = ("import-package", "version", "init", "import-yaml", "import-csv", "raw-sqlite")
#: Measurements in a fresh process that use the events database.
PROBES = ("snapshot", "memory")


def profile_names(bench: Bench) -> list[str]:
    """Every measurement that can be profiled (with ``--pg``, on PostgreSQL too)."""
    asked = [q.key for q in cli_questions(bench.net, bench.picks, bench.workdir, quick=False)]
    extras = [q.key for q in extra_questions(bench.net, bench.picks)]
    on_pg = ["pg-import-csv", *(f"pg-{q.key}" for q in pg_questions(bench))]
    return [*STANDALONE, *asked, *extras, *PROBES, "engine", *(on_pg if bench.args.pg else [])]


def profile(bench: Bench, name: str, events_url: Callable[[], str]) -> None:
    """Profile the measurement ``name``; ``events_url`` makes (or reuses) the database
    with the events and returns its URL."""
    if name == "engine":
        profiler = cProfile.Profile()
        url = events_url()
        profiler.enable()
        measure_engine(bench, url)
        profiler.disable()
        print_top(pstats.Stats(profiler), "engine figures in this process")
    elif name.startswith("pg-"):
        profile_pg(bench, name)
    else:
        profile_command(bench, name, *command_for(bench, name, events_url))


def profile_pg(bench: Bench, name: str) -> None:
    """In a new PostgreSQL schema: the CSV import, or a question after it."""
    cli, data, cwd = bench.cli, bench.data, bench.workdir
    with new_schema(bench.args.pg, keep=bench.args.keep) as (schema, url):
        for network_file in data.network_files:
            run([*cli, "--db", url, "import", "--quiet", str(network_file)], cwd)
        import_csv = [*cli, "--db", url, "import", "--quiet", str(data.csv_path)]
        if name == "pg-import-csv":
            profile_command(bench, name, import_csv, (0,))
            return
        print("importing the events into PostgreSQL (not profiled) ...", flush=True)
        run(import_csv, cwd)
        analyze(bench.args.pg, schema)
        question = next(q for q in pg_questions(bench) if f"pg-{q.key}" == name)
        profile_command(bench, name, question.argv(cli, url, 0, bench.picks), question.ok)


def profile_command(bench: Bench, name: str, argv: list[str], ok: tuple[int, ...]) -> None:
    """Run ``argv`` under cProfile in its own process and print where the time went."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "profile.out"
        wrapped = under_cprofile(argv, out, Path(tmp))
        print(f"profiling: {show(argv)}", flush=True)
        done = run(wrapped, bench.workdir, ok=ok)
        print_top(
            pstats.Stats(str(out)),
            f"{name}: wall {done.seconds:.2f} s under the profiler, cpu {done.cpu_seconds:.2f} s, "
            f"peak RSS {done.max_rss_mb:.0f} MB, exit {done.returncode}",
        )


def command_for(
    bench: Bench, name: str, events_url: Callable[[], str]
) -> tuple[list[str], tuple[int, ...]]:
    """The command line of one measurement, and the exit statuses that are answers."""
    cli, data, workdir = bench.cli, bench.data, bench.workdir
    scratch_name, raw_db = bench.db_name("profile"), workdir / bench.db_name("raw")
    scratch, scratch_url = workdir / scratch_name, bench.sqlite_url(scratch_name)
    if name == "import-package":
        return list(IMPORT_PACKAGE), (0,)
    if name == "version":
        return [*cli, "--version"], (0,)
    if name == "raw-sqlite":
        remove_sqlite(raw_db)
        return probe_command("raw-sqlite", str(data.csv_path), str(raw_db)), (0,)
    if name in ("init", "import-yaml", "import-csv"):
        remove_sqlite(scratch)
        if name == "init":
            return [*cli, "--db", scratch_url, "init"], (0,)
        if name == "import-yaml":
            run([*cli, "--db", scratch_url, "init"], workdir)
            return [*cli, "--db", scratch_url, "import", "--quiet", str(data.yaml_path)], (0,)
        events_url()  # makes base.db, the database with the network alone
        copy_sqlite(workdir / bench.db_name("base"), scratch)
        return [*cli, "--db", scratch_url, "import", "--quiet", str(data.csv_path)], (0,)
    url = events_url()
    if name == "snapshot":
        return probe_command("snapshot", url, t.QUESTION_DAY.isoformat()), (0,)
    if name == "memory":
        ids = write_element_ids(bench)
        return probe_command("memory", url, str(ids), *MEMORY_DAYS), (0,)
    questions = [
        *cli_questions(bench.net, bench.picks, workdir, quick=False),
        *extra_questions(bench.net, bench.picks),
    ]
    question = next(q for q in questions if q.key == name)
    return question.argv(cli, url, 0, bench.picks), question.ok


def under_cprofile(argv: list[str], out: Path, tmp: Path) -> list[str]:
    """``argv`` run by ``python -m cProfile -o out``."""
    head = [sys.executable, "-m", "cProfile", "-o", str(out)]
    if argv[0] != sys.executable:  # a console script: a Python file with a #! line
        return [*head, *argv]
    rest = argv[1:]
    if rest[0] == "-c":  # cProfile runs files and modules, not -c: write the code out
        script = tmp / "code.py"
        script.write_text(rest[1] + "\n", encoding="utf-8")
        return [*head, str(script), *rest[2:]]
    return [*head, *rest]  # a script path, or -m MODULE


def print_top(stats: pstats.Stats, title: str) -> None:
    """The ``TOP`` functions by cumulative time, with short file names."""
    print(f"\n{title}\ntop {TOP} functions by cumulative time:")
    print(f"{'ncalls':>12} {'tottime':>9} {'cumtime':>9}  function")
    rows = stats.stats  # type: ignore[attr-defined]
    ranked = sorted(rows.items(), key=lambda item: item[1][3], reverse=True)[:TOP]
    for (filename, line, function), (primitive, calls, tottime, cumtime, _) in ranked:
        count = f"{calls}/{primitive}" if calls != primitive else str(calls)
        where = f"{short(filename)}:{line}" if line else short(filename)
        print(f"{count:>12} {tottime:9.3f} {cumtime:9.3f}  {where}({function})")


def short(filename: str) -> str:
    """A file name from its package onwards (site-packages/ or the repository)."""
    for marker in ("site-packages" + os.sep, "lib" + os.sep + "python3."):
        if marker in filename:
            tail = filename.split(marker, 1)[1]
            return tail.split(os.sep, 1)[1] if marker.startswith("lib") else tail
    repo = str(Path(__file__).resolve().parents[2]) + os.sep
    return filename.removeprefix(repo)
