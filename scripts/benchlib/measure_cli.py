"""Questions from a cold start: the command line (section c) and the Python API in a
fresh process (section e: the first snapshot, memory with every history loaded)."""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from pathlib import Path

from benchlib import targets as t
from benchlib.context import Bench, attempt
from benchlib.measure_import import IMPORT_PACKAGE
from benchlib.questions import Question
from benchlib.runner import Runs, probe_command, run, run_many, show
from benchlib.targets import Target

#: Days on which the memory probe also asks every element's state.
MEMORY_DAYS = ("2023-06-01", "2024-06-01", t.QUESTION_DAY.isoformat())


def measure_questions(
    bench: Bench,
    url: str,
    questions: Sequence[Question],
    *,
    section: str = "c",
    key_prefix: str = "",
    label_prefix: str = "",
    targets: dict[str, Target] | None = None,
) -> None:
    """Each question a few times, each time in a new process; the median counts.

    Each run follows a run of ``python -c "import control_graph"``: the ratio of the
    medians then compares two things measured under the same load.
    ``targets`` replaces the questions' own targets (PostgreSQL has its own).
    """
    args, report, cwd = bench.args, bench.report, bench.workdir
    if questions:  # the first process after an import reads the file from disk
        first = questions[0]
        with attempt(report, section, key_prefix + first.key, "warm-up"):
            run(first.argv(bench.cli, url, 0, bench.picks), cwd, ok=first.ok)
    for question in questions:
        key, label = key_prefix + question.key, label_prefix + question.label
        count = args.slow_runs if question.slow else args.runs
        argvs = [question.argv(bench.cli, url, i, bench.picks) for i in range(count)]
        with attempt(report, section, key, label):
            imports, answers = [], []
            for argv in argvs:
                imports.append(run(IMPORT_PACKAGE, cwd))
                answers.append(run(argv, cwd, ok=question.ok))
            runs = Runs(tuple(answers))
            codes = sorted({r.returncode for r in runs.runs} - {0})
            exits = f", exit {', '.join(map(str, codes))}" if codes else ""
            target = question.target if targets is None else targets.get(question.key)
            report.add(
                section,
                key,
                label,
                runs.median,
                "s",
                target=target,
                note=runs.describe() + exits,
                cold_seconds=runs.median,
                import_seconds=Runs(tuple(imports)).median,
            )
    if questions:
        print(f"  example: {show(questions[0].argv(bench.cli, url, 0, bench.picks))}")


def measure_disputes(bench: Bench, url: str) -> None:
    """With ``--trust``: the open disputes on the question day (``check --only
    unresolved-dispute``, one cold run), so that the report shows that the data has
    some (contract 4.2)."""
    report, day = bench.report, t.QUESTION_DAY.isoformat()
    what = f"check --only unresolved-dispute --today {day}"
    with attempt(report, "c", "check-disputes", what):
        argv = [*bench.cli, "--db", url, "check", "--only", "unresolved-dispute"]
        done = run([*argv, "--today", day, "--json"], bench.workdir)
        findings = json.loads(done.stdout)["findings"]
        kinds = [f["type"] for f in findings]
        report.add(
            "c",
            "check-disputes",
            what,
            done.seconds,
            "s",
            note=f"{kinds.count('place')} places and {kinds.count('segment')} segments "
            f"disputed that day; one run, cpu {done.cpu_seconds:.3g} s",
            cold_seconds=done.seconds,
        )


def measure_snapshot(bench: Bench, url: str) -> None:
    """`Model.snapshot(D)` as the first call of a fresh process: the call alone, and
    the whole process (interpreter, import, open, call, exit)."""
    report = bench.report
    day = t.QUESTION_DAY.isoformat()
    with attempt(report, "e", "snapshot", "Model.snapshot(D), first call"):
        runs = run_many([probe_command("snapshot", url, day)] * bench.args.slow_runs, bench.workdir)
        inside = [json.loads(r.stdout) for r in runs.runs]
        call = statistics.median(i["snapshot_s"] for i in inside)
        opened = statistics.median(i["open_s"] for i in inside)
        imported = statistics.median(i["import_s"] for i in inside)
        report.add(
            "e",
            "snapshot",
            "Model.snapshot(D), first call",
            call * 1000,
            "ms",
            target=t.SNAPSHOT_FIRST_MS,
            note=f"median of {len(inside)}; {inside[0]['nodes']:,} nodes, "
            f"{inside[0]['edges']:,} edges",
        )
        report.add(
            "e",
            "snapshot-process",
            "Model.snapshot(D), whole process",
            runs.median,
            "s",
            note=f"import {imported:.2f} s, open {opened:.2f} s; {runs.describe()}",
            cold_seconds=runs.median,
        )


def write_element_ids(bench: Bench) -> Path:
    """A file with the id of every place and segment, for the memory probe."""
    ids = bench.workdir / "element-ids.json"
    places, segments = bench.net.place_ids, list(bench.net.segment_ends)
    ids.write_text(json.dumps({"places": places, "segments": segments}), encoding="utf-8")
    return ids


def measure_memory(bench: Bench, url: str) -> None:
    """RSS growth of a fresh process from an open model to every history loaded."""
    report = bench.report
    ids = write_element_ids(bench)
    what = "engine memory, every history loaded"
    with attempt(report, "e", "memory", what):
        measured = run(probe_command("memory", url, str(ids), *MEMORY_DAYS), bench.workdir)
        inside = json.loads(measured.stdout)
        report.add(
            "e",
            "memory",
            what,
            inside["growth_mb"],
            "MB",
            target=t.ENGINE_MEMORY_MB,
            note=f"RSS growth after open (MiB); peak +{inside['peak_growth_mb']:.0f} MB; "
            f"control_timeline() {inside['control_timeline_s']:.2f} s, "
            f"{inside['elements']:,} histories {inside['touch_s']:.2f} s",
        )
