"""The schema only ever comes from the Alembic migrations, and they match the models."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

import control_graph as cg
from control_graph.store import db, orm
from tests.conftest import VALLEY

TABLES = {
    "imports",
    "parties",
    "blocs",
    "bloc_memberships",
    "places",
    "roads",
    "segments",
    "road_segments",
    "aliases",
    "sources",
    "events",
    "incidents",
    "scenarios",
    "scenario_suppressions",
    "access_records",
    "retractions",
    "state_spans",
    "span_holders",
}


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite file with no schema at all (conftest's has it already): these tests
    run the migrations themselves."""
    return f"sqlite:///{tmp_path / 'new.db'}"


def tables(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}


def test_head_revision_constant_matches_the_scripts() -> None:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(db.migrations_dir()))
    assert ScriptDirectory.from_config(config).get_current_head() == db.HEAD_REVISION


def test_upgrade_downgrade_upgrade_with_data(db_url: str) -> None:
    engine = db.open_engine(db_url)
    assert tables(engine) == set()
    db.upgrade(engine)
    assert tables(engine) == TABLES
    with cg.Model(engine) as model:
        model.import_file(VALLEY)
        assert model.who_held("gate", "2024-02-15").state.controller == "south"
    db.downgrade(engine, "base")
    assert tables(engine) == set()
    db.upgrade(engine)
    with cg.Model(engine) as model:
        model.import_file(VALLEY)
        assert model.who_held("gate", "2024-02-15").state.controller == "south"
    engine.dispose()


def test_models_and_migrations_agree(db_url: str) -> None:
    """Fails when a model changes without a migration (the same check as `alembic check`)."""
    engine = db.connect(db_url)
    orm.declare_partial_indexes()
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "include_object": lambda _o, name, *_: (
                    not (name or "").startswith(("state_span_days", "ix_state_spans_days"))
                ),
            },
        )
        assert compare_metadata(context, orm.Base.metadata) == []
    engine.dispose()


def test_opening_a_database_migrates_it_once(db_url: str) -> None:
    engine = db.connect(db_url)
    with engine.connect() as conn:
        assert db.current_revision(conn) == db.HEAD_REVISION
    db.ensure_schema(engine)  # already at head: nothing to do, nothing fails
    engine.dispose()


def test_a_database_from_a_newer_version_is_refused(db_url: str) -> None:
    engine = db.connect(db_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    try:
        cg.open(db_url)
    except cg.DatabaseError as error:
        assert "newer" in str(error)
    else:
        raise AssertionError("a schema from the future was accepted")
    finally:
        engine.dispose()


def test_upgrading_keeps_the_data_of_an_older_schema(db_url: str) -> None:
    engine = db.open_engine(db_url)
    db.upgrade(engine, "0001")
    with engine.begin() as conn:
        # Rows as the 0001 schema holds them, written without today's code.
        conn.exec_driver_sql(
            "INSERT INTO imports (id, file_name, sha256, file_format, imported_at, counts) "
            "VALUES (1, 'old.yaml', 'x', 'yaml', '2025-01-01 00:00:00', '{}')"
        )
        conn.exec_driver_sql(
            "INSERT INTO parties (id, name, attributes, import_id) VALUES ('kia', 'KIA', '{}', 1)"
        )
        for place in ("a", "b"):
            conn.exec_driver_sql(
                "INSERT INTO places (id, name, name_key, attributes, import_id) "
                f"VALUES ('{place}', 'Place {place}', 'place {place}', '{{}}', 1)"
            )
        conn.exec_driver_sql(
            "INSERT INTO segments (id, start_place_id, end_place_id, attributes, import_id) "
            "VALUES ('ab', 'a', 'b', '{}', 1)"
        )
        for position, place in enumerate(("a", "b"), start=1):
            conn.exec_driver_sql(
                "INSERT INTO events (import_id, position, date, place_id, status, party_id) "
                f"VALUES (1, {position}, '2025-03-01', '{place}', 'held', 'kia')"
            )
    db.upgrade(engine)
    with cg.Model(engine) as model:
        answer = model.who_held("ab", "2025-03-02")
        assert (answer.state.status.value, answer.state.controller) == ("held", "kia")
        assert model.who_held("Place a", "2025-03-02").element == "a"


def test_going_down_to_0003_and_up_again_keeps_every_answer(db_url: str) -> None:
    """Data imported before section 4 existed answers the same after the upgrade that adds
    it (and after going back down)."""

    def answers(model: cg.Model) -> list[object]:
        found: list[object] = [model.changes().as_dict()]
        for element in ("valley-road", "ford", "gate", "hill-track"):
            found.append(model.timeline(element).as_dict())
            found.append(model.who_held(element, "2024-02-15", by="bloc").as_dict())
        return found

    engine = db.connect(db_url)
    with cg.Model(engine) as model:
        model.import_file(VALLEY)
        before = answers(model)
    engine = db.open_engine(db_url)
    db.downgrade(engine, "0003")
    with engine.connect() as conn:
        assert db.current_revision(conn) == "0003"
        assert conn.exec_driver_sql("SELECT count(*) FROM events").scalar() > 10
    db.upgrade(engine)
    with cg.Model(engine) as model:
        assert answers(model) == before


def test_0007_counts_the_parties_of_the_spans_already_stored(db_url: str) -> None:
    """Spans stored at 0006 get their parties counted by the upgrade, and the legend
    reads the same; going down drops the counts and nothing else."""
    engine = db.connect(db_url)
    with cg.Model(engine) as model:
        model.import_file(cg.sample_path())
        legend = {by: model.controllers(by=by) for by in ("party", "bloc")}
        with engine.connect() as conn:
            counts = dict(conn.exec_driver_sql("SELECT party_id, spans FROM span_holders").all())
    assert set(counts) == legend["party"] and all(n > 0 for n in counts.values())
    engine = db.open_engine(db_url)
    db.downgrade(engine, "0006")
    assert "span_holders" not in tables(engine) and "state_spans" in tables(engine)
    db.upgrade(engine)
    with cg.Model(engine) as model:
        assert {by: model.controllers(by=by) for by in ("party", "bloc")} == legend
        assert model.stale_holders() == []
        with engine.connect() as conn:
            assert dict(conn.exec_driver_sql("SELECT party_id, spans FROM span_holders").all()) == (
                counts
            )
    engine.dispose()


def test_0008_lets_the_long_spans_index_answer_a_day_alone(db_url: str) -> None:
    """After 0008 a day's long spans are read from their index alone (SQLite's plan
    says so; PostgreSQL's index holds the readings); going down to 0007 gives back the
    index of two days; the day's states are the same at both revisions."""
    from tests.conftest import index_definitions

    def long_index() -> str:
        return dict(index_definitions(db_url))["ix_state_spans_long"]

    def day() -> object:
        view = model.day("2026-02-07")
        return sorted((e, view.state(e)) for e in (*view.network.places, *view.network.segments))

    engine = db.connect(db_url)
    with cg.Model(engine) as model:
        model.import_file(cg.sample_path())
        states = day()
    assert "late_controller" in long_index() and "element_id" in long_index()
    if db_url.startswith("sqlite"):
        with engine.connect() as conn:
            plan = conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT element_id, status FROM state_spans"
                " WHERE (length_days IS NULL OR length_days > 31)"
                " AND start_day <= '2026-01-07' AND end_day > '2026-02-07'"
            ).all()
        assert "COVERING INDEX ix_state_spans_long" in str(plan)
    engine.dispose()
    engine = db.open_engine(db_url)
    db.downgrade(engine, "0007")
    assert "late_controller" not in long_index() and "end_day" in long_index()
    db.upgrade(engine)
    assert "late_controller" in long_index()
    with cg.Model(engine) as model:
        assert day() == states
    engine.dispose()
