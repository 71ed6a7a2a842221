"""Shared fixtures: databases on both backends, models, a command-line runner.

PostgreSQL tests run when ``CONTROL_GRAPH_TEST_PG`` holds a server URL (``.ci/run`` sets
it); each test gets a schema of its own, dropped afterwards. Without the variable they
are skipped, and the skip says why.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

import control_graph as cg
from control_graph.cli import main
from control_graph.store.db import resolve_url

DATA = Path(__file__).parent / "data"
VALLEY = DATA / "valley.yaml"
PG_ENV = "CONTROL_GRAPH_TEST_PG"
PG_URL = os.environ.get(PG_ENV)
BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(
            not PG_URL, reason=f"PostgreSQL tests need ${PG_ENV} (a server URL); .ci/run sets it"
        ),
    ),
]


@pytest.fixture(scope="session")
def empty_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite database with the schema, made once per test process: a copy
    costs a millisecond, running the migrations a third of a second (the suite opens
    hundreds of new databases)."""
    path = tmp_path_factory.mktemp("template") / "empty.db"
    cg.open(f"sqlite:///{path}").close()
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, empty_sqlite: Path) -> str:
    """A new SQLite database with the schema (tests of a database without one make
    their own file)."""
    shutil.copyfile(empty_sqlite, tmp_path / "test.db")
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A URL whose connections use a fresh schema of their own, dropped afterwards."""
    if not PG_URL:
        pytest.skip(f"PostgreSQL tests need ${PG_ENV} (a server URL); .ci/run sets it")
    schema = f"cg_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(resolve_url(PG_URL))
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = sa.engine.make_url(resolve_url(PG_URL)).update_query_dict(
        {"options": f"-csearch_path={schema}"}
    )
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest) -> str:
    """A fresh, empty database on each backend."""
    name = "sqlite_url" if request.param == "sqlite" else "pg_url"
    return str(request.getfixturevalue(name))


@pytest.fixture
def model(db_url: str) -> Iterator[cg.Model]:
    with cg.open(db_url) as opened:
        yield opened


@pytest.fixture
def valley(model: cg.Model) -> cg.Model:
    """A model holding the conformance dataset (tests/data/valley.yaml)."""
    model.import_file(VALLEY)
    return model


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write text to a file in the test's folder and return its path."""

    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


class Cli:
    """Runs the command line against one database, as a user would."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None) -> Result:
        return self.runner.invoke(main, ["--db", self.url, *args], input=input)

    def json(self, *args: str, exit_code: int = 0) -> Any:
        result = self(*args, "--json")
        assert result.exit_code == exit_code, result.output + result.stderr
        return json.loads(result.stdout) if result.stdout.strip() else None


@pytest.fixture
def cli(db_url: str) -> Cli:
    return Cli(db_url)


@pytest.fixture
def valley_cli(cli: Cli) -> Cli:
    result = cli("import", str(VALLEY))
    assert result.exit_code == 0, result.output
    return cli


def index_definitions(url: str) -> list[tuple[str, str]]:
    """Every index of the database (its schema, on PostgreSQL) and how it is made."""
    from control_graph.store import db

    engine = db.open_engine(url)
    try:
        with engine.connect() as conn:
            query = (
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
                if conn.dialect.name == "sqlite"
                else "SELECT indexname, indexdef FROM pg_indexes"
                " WHERE schemaname = current_schema() ORDER BY indexname"
            )
            return [(name, sql) for name, sql in conn.exec_driver_sql(query)]
    finally:
        engine.dispose()
