"""Measurements made inside a fresh Python process; prints one JSON document.

The benchmark starts this script through its launcher (runner.py), which measures the
whole process; the script itself times only the part a figure is about. It imports
nothing but the standard library before that part, so that it starts like
``python -c``.

    python probe.py snapshot URL DAY
    python probe.py memory URL IDS.json DAY [DAY ...]
    python probe.py raw-sqlite EVENTS.csv NEW.db
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

MIB = 1024 * 1024


def rss_mib() -> float:
    """Resident memory now."""
    with open("/proc/self/statm", encoding="utf-8") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / MIB


def peak_mib() -> float:
    """Peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def snapshot(url: str, day: str) -> dict[str, Any]:
    """`Model.snapshot(day)`, the first call in the process; also import and open."""
    started = time.perf_counter()
    import control_graph as cg

    imported = time.perf_counter()
    model = cg.open(url)
    opened = time.perf_counter()
    graph = model.snapshot(day)
    done = time.perf_counter()
    return {
        "import_s": imported - started,
        "open_s": opened - imported,
        "snapshot_s": done - opened,
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
    }


def memory(url: str, ids_path: str, *days: str) -> dict[str, Any]:
    """RSS growth from an open model to one with every place's and segment's history
    loaded: `Model.control_timeline()`, then each element's intervals and its state on
    a few days."""
    import datetime as dt

    import control_graph as cg

    ids = json.loads(Path(ids_path).read_text(encoding="utf-8"))
    elements = [*ids["places"], *ids["segments"]]
    asked = [dt.date.fromisoformat(d) for d in days]
    model = cg.open(url)
    baseline, baseline_peak = rss_mib(), peak_mib()
    started = time.perf_counter()
    timeline = model.control_timeline()
    built = time.perf_counter()
    intervals = 0
    for element in elements:
        intervals += len(timeline.intervals(element))
        for day in asked:
            timeline.state(element, day)
    touched = time.perf_counter()
    after = rss_mib()
    return {
        "baseline_mb": baseline,
        "baseline_peak_mb": baseline_peak,
        "after_mb": after,
        "peak_mb": peak_mib(),
        "growth_mb": after - baseline,
        "peak_growth_mb": peak_mib() - baseline,
        "control_timeline_s": built - started,
        "touch_s": touched - built,
        "elements": len(elements),
        "intervals": intervals,
    }


def raw_sqlite(csv_path: str, db_path: str) -> dict[str, Any]:
    """The floor for an import: `csv.reader` straight into `executemany`, one
    transaction, a table of the same columns with no index, no key, no check, with the
    journal settings control-graph uses (WAL, synchronous NORMAL)."""
    import csv
    import sqlite3

    connection = sqlite3.connect(db_path, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    started = time.perf_counter()
    with open(csv_path, encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle)
        header = next(rows)
        columns = ", ".join(f'"{name}" TEXT' for name in header)
        connection.execute(f"CREATE TABLE events ({columns})")
        marks = ", ".join("?" for _ in header)
        connection.execute("BEGIN")
        cursor = connection.executemany(f"INSERT INTO events VALUES ({marks})", rows)
        connection.execute("COMMIT")
    seconds = time.perf_counter() - started
    count = cursor.rowcount
    connection.close()
    return {"seconds": seconds, "rows": count}


TASKS: dict[str, Callable[..., dict[str, Any]]] = {
    "snapshot": snapshot,
    "memory": memory,
    "raw-sqlite": raw_sqlite,
}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in TASKS:
        print(__doc__, file=sys.stderr)
        return 2
    result = TASKS[argv[0]](*argv[1:])
    result["process_peak_mb"] = peak_mib()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
