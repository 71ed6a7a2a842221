#!/usr/bin/env python
"""Benchmark control-graph on a synthetic road network (issues "Foundation" 11 and "Scale").

Generates, deterministically from ``--seed``, a road network (places on a jittered grid,
roads along the rows, extra segments between rows, 8 parties in 2 blocs) as a YAML
dataset and a CSV of control events, then measures, each target printed with PASS/FAIL:

  start  start-up: ``python -c "import control_graph"`` (CPU) and ``control-graph --version``;
  a, b   ``init``, the network import, the events CSV import (time, peak RSS) beside
         bare ``sqlite3`` ``executemany`` of the same rows;
  c      the questions from the command line, cold (a new process each run, medians):
         who-held, timeline, path across the network, changes for a month, plot map;
         each also as a multiple of ``python -c "import control_graph"``;
  d      the engine in this process: the whole timeline, point lookups, routes;
  e      in a fresh process: ``Model.snapshot(D)`` as the first call, and the memory of
         an engine with every history loaded;
  f, x   with ``--pg URL``: the same on PostgreSQL (``--national``: 70,000 places,
         100,000 segments, 5,000,000 events), and (``--compare-sqlite``) whether every
         answer is SQLite's.

With ``--trust`` the events also carry contract section 4 (rough dates, lapsing
reports, claimants with rival claims, ids on every row) and access records go in with
the network; the files and databases then have names of their own
(``events-...-trust.csv``, ``events-trust.db``), the header says what the data holds,
section c also counts the disputes open on the question day, and the JSON has
``"trust": true``. Compare its figures with those of a plain run.

Only the public API and the ``control-graph`` command are used. The code is in
scripts/benchlib/ (synth: the data; runner: the child processes; measure_*: the
figures; report: the table and JSON; profiling: ``--profile NAME``).

Examples::

    python scripts/bench.py                    # full size: 10k places, 15k segments, 1M events
    python scripts/bench.py --quick            # small smoke run (for CI)
    python scripts/bench.py --profile changes  # where the time of one figure goes
    python scripts/bench.py --trust            # the same with section 4 in the data
    python scripts/bench.py --pg postgresql://postgres@localhost/postgres --national
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as `python scripts/bench.py`, the package beside this file is importable already;
# imported from elsewhere (a test), it is put on the path here.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib.main import main

if __name__ == "__main__":
    sys.exit(main(__doc__.split("\n\n")[0]))
