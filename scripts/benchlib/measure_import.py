"""Start-up, schema creation and imports into SQLite (sections start, a, b)."""

from __future__ import annotations

import json
import sys

from benchlib import targets as t
from benchlib.context import Bench, attempt
from benchlib.runner import Run, copy_sqlite, probe_command, remove_sqlite, run, run_many

IMPORT_PACKAGE = [sys.executable, "-c", "import control_graph"]


def measure_startup(bench: Bench) -> None:
    """The interpreter floor, importing the package, and the command's start-up."""
    report, cwd, runs = bench.report, bench.workdir, bench.args.runs
    floor = run_many([[sys.executable, "-c", "pass"]] * runs, cwd)
    report.add(
        "start",
        "python",
        "python -c pass",
        floor.median * 1000,
        "ms",
        note=f"interpreter floor; {floor.describe()}",
    )
    with attempt(report, "start", "import-package", 'python -c "import control_graph"'):
        imported = run_many([IMPORT_PACKAGE] * runs, cwd)
        report.import_seconds = imported.median
        report.add(
            "start",
            "import-package",
            'python -c "import control_graph", CPU',
            imported.cpu * 1000,
            "ms",
            target=t.IMPORT_PACKAGE_CPU_MS,
            note=f"wall {imported.median * 1000:.0f} ms; {imported.describe()}",
        )
    with attempt(report, "start", "version", "control-graph --version"):
        version = run_many([[*bench.cli, "--version"]] * runs, cwd)
        report.add(
            "start",
            "version",
            "control-graph --version",
            version.median * 1000,
            "ms",
            target=t.VERSION_MS,
            note=version.describe(),
            cold_seconds=version.median,
        )


def measure_imports(bench: Bench, events_db: str) -> bool:
    """A new database, the network YAML (and with ``--trust`` the access records), then
    the events CSV into a copy of it, and the same rows through bare ``sqlite3`` for
    comparison. True when the events database was made."""
    report, cwd, cli = bench.report, bench.workdir, bench.cli
    base_name = bench.db_name("base")
    base_db, target_db = bench.workdir / base_name, bench.workdir / events_db
    base_url, url = bench.sqlite_url(base_name), bench.sqlite_url(events_db)
    yaml_path, csv_path = bench.data.yaml_path, bench.data.csv_path
    remove_sqlite(base_db)
    with attempt(report, "a", "init", "control-graph init (new SQLite)"):
        init = run([*cli, "--db", base_url, "init"], cwd)
        report.add(
            "a", "init", "control-graph init (new SQLite)", init.seconds, "s", note="migrations"
        )
    with attempt(report, "a", "import-yaml", "import network YAML"):
        loaded = run([*cli, "--db", base_url, "import", "--quiet", str(yaml_path)], cwd)
        report.add(
            "a",
            "import-yaml",
            "import network YAML",
            loaded.seconds,
            "s",
            note=f"{bench.sizes.places:,} places, {bench.sizes.segments:,} segments; "
            f"peak RSS {loaded.max_rss_mb:.0f} MB",
        )
    access_path = bench.data.access_path
    if access_path is not None and base_db.exists():
        what, imported = "import access CSV (--trust)", False
        with attempt(report, "a", "import-access", what):
            access = run([*cli, "--db", base_url, "import", "--quiet", str(access_path)], cwd)
            report.add("a", "import-access", what, access.seconds, "s", note=access_path.name)
            imported = True
        if not imported:
            remove_sqlite(base_db)  # without its access records, it is not this run's base
    if not base_db.exists():
        return False
    what = f"import {bench.sizes.events:,}-event CSV"
    imports: list[Run] = []
    with attempt(report, "b", "import-csv", what):
        for _ in range(bench.args.import_runs):
            copy_sqlite(base_db, target_db)
            imports.append(run([*cli, "--db", url, "import", "--quiet", str(csv_path)], cwd))
    if not imports:
        remove_sqlite(target_db)
        return False
    best = min(imports, key=lambda r: r.seconds)
    tries = ", ".join(f"{r.seconds:.1f}" for r in imports)
    runs = f"best of {len(imports)} ({tries} s); " if len(imports) > 1 else ""
    report.add(
        "b",
        "import-csv",
        what,
        best.seconds,
        "s",
        target=t.IMPORT_CSV_S,
        note=f"{runs}cpu {best.cpu_seconds:.1f} s; CSV {csv_path.stat().st_size / 1e6:.0f} MB, "
        f"db {target_db.stat().st_size / 1e6:.0f} MB",
        cold_seconds=best.seconds,
    )
    report.add(
        "b",
        "import-csv-rss",
        f"import {bench.sizes.events:,}-event CSV, peak RSS",
        best.max_rss_mb,
        "MB",
        target=t.IMPORT_CSV_RSS_MB,
    )
    with attempt(report, "b", "raw-sqlite", "bare sqlite3 executemany, same rows"):
        measure_raw_sqlite(bench, best)
    return True


def measure_raw_sqlite(bench: Bench, imported: Run) -> None:
    """The import beside the floor: `csv.reader` into `executemany`, whole process."""
    raw_db = bench.workdir / bench.db_name("raw")
    remove_sqlite(raw_db)
    try:
        raw = run(probe_command("raw-sqlite", str(bench.data.csv_path), str(raw_db)), bench.workdir)
    finally:
        remove_sqlite(raw_db)
    inside = json.loads(raw.stdout)
    bench.report.add(
        "b",
        "raw-sqlite",
        "bare sqlite3: csv.reader -> executemany, same rows",
        raw.seconds,
        "s",
        note=f"{inside['rows']:,} rows, no index, one transaction; {inside['seconds']:.2f} s "
        f"inside the process; peak RSS {raw.max_rss_mb:.0f} MB",
    )
    bench.report.add(
        "b",
        "import-vs-raw",
        "CSV import / bare sqlite3",
        imported.seconds / raw.seconds,
        "x",
        note=f"{imported.seconds:.2f} s / {raw.seconds:.2f} s, both whole processes",
    )
