"""PostgreSQL (section f): import into a schema of its own, the questions, and whether
every answer is the same as SQLite's on the same data (section x)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import uuid
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from benchlib import targets as t
from benchlib.context import Bench, attempt
from benchlib.measure_cli import measure_questions
from benchlib.questions import Question, cli_questions, day_index
from benchlib.runner import run

#: Issue 10's PostgreSQL targets, by question key.
PG_TARGETS = {"who-held": t.PG_WHO_HELD_S, "path": t.PG_PATH_S, "changes": t.PG_CHANGES_MONTH_S}
#: Days on which the answers of both databases are compared.
COMPARE_DAYS = (dt.date(2023, 9, 15), dt.date(2024, 6, 1), t.QUESTION_DAY)


def libpq_url(url: str) -> str:
    """A SQLAlchemy PostgreSQL URL as libpq takes it (no ``+driver``)."""
    return re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql://", url)


def with_schema(url: str, schema: str) -> str:
    """``url`` with ``schema`` first on the search path of every connection."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "options"]
    query.append(("options", f"-csearch_path={schema}"))
    return urlunsplit(parts._replace(query=urlencode(query)))


def pg_questions(bench: Bench) -> list[Question]:
    """The questions issue 10 sets PostgreSQL targets for, who-held first."""
    asked = cli_questions(bench.net, bench.picks, bench.workdir, quick=True)
    return [q for q in asked if q.key in PG_TARGETS]


@contextlib.contextmanager
def new_schema(url: str, *, keep: bool = False) -> Iterator[tuple[str, str]]:
    """A new schema on the server at ``url``, dropped afterwards unless ``keep``:
    yields its name and the URL that puts it first on the search path."""
    import psycopg

    schema = f"cg_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(libpq_url(url), autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    in_schema = with_schema(url, schema)
    try:
        yield schema, in_schema
    finally:
        if keep:
            print(f"  kept PostgreSQL schema {schema}: --db {in_schema}")
        else:
            with psycopg.connect(libpq_url(url), autocommit=True) as admin:
                admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


def analyze(url: str, schema: str) -> None:
    """Refresh the planner's statistics of the events table."""
    import psycopg

    with psycopg.connect(libpq_url(url), autocommit=True) as admin:
        admin.execute(f'ANALYZE "{schema}".events')


def measure_pg(bench: Bench, sqlite_url: str | None) -> None:
    """Import the same files into a new schema, time the questions there, and (with
    ``sqlite_url``) compare the answers with SQLite's."""
    args, report, cli, cwd = bench.args, bench.report, bench.cli, bench.workdir
    with new_schema(args.pg, keep=args.keep) as (schema, url):
        with attempt(report, "f", "pg-import-yaml", "PostgreSQL: import network YAML"):
            loaded = run([*cli, "--db", url, "import", "--quiet", str(bench.data.yaml_path)], cwd)
            report.add(
                "f",
                "pg-import-yaml",
                "PostgreSQL: import network YAML",
                loaded.seconds,
                "s",
                note=f"new schema {schema}; peak RSS {loaded.max_rss_mb:.0f} MB",
            )
            for access in bench.data.network_files[1:]:  # --trust: the access records
                run([*cli, "--db", url, "import", "--quiet", str(access)], cwd)
        what = f"PostgreSQL: import {bench.sizes.events:,}-event CSV"
        with attempt(report, "f", "pg-import-csv", what):
            csv_path = bench.data.csv_path
            imported = run([*cli, "--db", url, "import", "--quiet", str(csv_path)], cwd)
            report.add(
                "f",
                "pg-import-csv",
                what,
                imported.seconds,
                "s",
                target=t.PG_IMPORT_S,
                note=f"cpu {imported.cpu_seconds:.1f} s (client), "
                f"peak RSS {imported.max_rss_mb:.0f} MB",
                cold_seconds=imported.seconds,
            )
        questions = pg_questions(bench)
        # Right after the import (autovacuum may not have analysed the tables yet),
        # then after an explicit ANALYZE.
        measure_questions(
            bench,
            url,
            questions[:1],
            section="f",
            key_prefix="pg-before-analyze-",
            label_prefix="PostgreSQL, right after import: ",
            targets=PG_TARGETS,
        )
        analyze(args.pg, schema)
        measure_questions(
            bench,
            url,
            questions,
            section="f",
            key_prefix="pg-",
            label_prefix="PostgreSQL: ",
            targets=PG_TARGETS,
        )
        if sqlite_url is not None:
            with attempt(report, "x", "same-answers", "answers identical to SQLite"):
                compare_answers(bench, url, sqlite_url)


def comparison_questions(bench: Bench) -> list[Question]:
    """who-held, timeline, path and changes, with ``--json``, on a few days."""
    picks, net = bench.picks, bench.net
    source, target, _ = picks.across
    row = net.band_centres[len(net.band_centres) // 2]
    asked: list[Question] = [
        Question("timeline", "timeline", ("timeline", picks.long_road, "--json"))
    ]
    for day in COMPARE_DAYS:
        on = day.isoformat()
        month = (day + dt.timedelta(days=30)).isoformat()
        party = net.owner(row, day_index(day))
        asked += [
            Question(f"who-held {on}", "", ("who-held", picks.long_road, "--on", on, "--json")),
            Question(f"who-held place {on}", "", ("who-held", picks.place, "--on", on, "--json")),
            Question(
                f"path {on}",
                "",
                ("path", source, target, "--on", on, "--party", party, "--json"),
                ok=(0, 1),
            ),
            Question(f"changes {on}", "", ("changes", "--from", on, "--to", month, "--json")),
        ]
    return asked


def compare_answers(bench: Bench, pg_url: str, sqlite_url: str) -> None:
    """Ask both databases the same questions; every answer (exit status and JSON) must
    be the same."""
    differ: list[str] = []
    asked = comparison_questions(bench)
    for question in asked:
        answers = []
        for url in (pg_url, sqlite_url):
            done = run(question.argv(bench.cli, url, 0, bench.picks), bench.workdir, ok=question.ok)
            answers.append((done.returncode, json.loads(done.stdout) if done.stdout else None))
        if answers[0] != answers[1]:
            differ.append(question.key)
    bench.report.add(
        "x",
        "same-answers",
        "answers identical to SQLite",
        len(differ),
        "differences",
        target=t.SAME_ANSWERS,
        note=f"{len(asked)} questions (JSON and exit status)"
        + (f"; differ: {', '.join(differ[:4])}" if differ else ""),
    )
