"""A CSV's rows take a fast path of cheap checks; any row it cannot vouch for goes to the
full validator. The fast path must accept exactly what the full validator accepts, as
the same values (contract section 4 included: ids, rough dates, lapsing, claimants),
and leave every problem and every stored-record comparison to it.

Each random file is imported twice into copies of one database: as it is, and with the
fast path switched off (every row through the full validator). The outcomes must be the
same: the same events stored, or the same problems reported; and again when the file
is imported a second time over itself (its ids stored: identical rows left out) and
with one row changed (a conflict, or a new version with --replace-changed).
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import control_graph as cg
from control_graph.dataset import csv_events

KEYS = (
    "date",
    "place",
    "segment",
    "party",
    "status",
    "confidence",
    "source",
    "recorded",
    "id",
    "date_latest",
    "until",
    "claimant",
    "note",
)
DAYS = ("2026-01-05", "2026-01-20", "2026-02-01", "2026-02-06")


def _cell(
    good: tuple[str, ...], bad: tuple[str, ...] = (), absent: bool = True
) -> st.SearchStrategy[str]:
    """A cell: empty or a good value, now and then a bad one (a file with a bad row is
    refused whole, so bad cells must be rare for files to get through)."""
    choices = [*good * 6, *bad * 2, *([""] * 3 * len(good) if absent else [])]
    return st.sampled_from(choices)


cells = st.fixed_dictionaries(
    {
        "date": _cell(DAYS, ("2026-02-30", "6 Feb 2026"), absent=False),
        "party": _cell(("kia", "saf"), ("nobody",)),
        "status": _cell(("held", "contested", "unknown"), ("won",)),
        "confidence": _cell(("low", "medium", "high"), ("certain",)),
        "source": _cell(("kng-2026-02",), ("rumour",)),
        "recorded": _cell(DAYS, ("soon",)),
        "id": _cell(("e1", "e2", "e3", "e4", "e5", "e6"), ("Bad Id", "x" * 201)),
        "date_latest": _cell(DAYS, ("later",)),
        "until": _cell((*DAYS, "2026-03-01"), ("never",)),
        "claimant": _cell(("kia", "saf"), ("nobody",)),
        "note": _cell(("quiet", 'said "taken", then left', "Myitkyina\u2019s")),
    }
)
#: What a row is about: one place or one segment, now and then an unknown one, both, or
#: neither.
targets = st.sampled_from(
    [
        *[{"place": p} for p in ("lonton", "hepu", "hpakant") * 4],
        *[{"segment": "gwaykhar-road/1"}] * 4,
        {"place": "atlantis"},
        {"segment": "no-such-segment"},
        {"place": "lonton", "segment": "gwaykhar-road/1"},
        {},
    ]
)
rows = st.builds(lambda about, values: {**values, **about}, targets, cells)


def _csv(entries: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=KEYS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(entries)
    return out.getvalue()


def _outcome(url: str, path: Path, replace_changed: bool = False) -> tuple[str, Any]:
    """What importing ``path`` did: the events stored and the counts, or the problems."""
    with cg.open(url) as model:
        try:
            report = model.import_file(path, replace_changed=replace_changed)
        except cg.DatasetError as error:
            return "refused", str(error)
        events = [e.record for e in model.events()]
        return "imported", (events, report.added, report.skipped)


def _all_through_the_validator() -> Any:
    def refuse(_validator: Any) -> Any:
        def fast(_cells: dict[str, str]) -> Any:
            raise ValueError("the full validator, for this test")

        return fast

    return mock.patch.object(csv_events, "_fast_row", refuse)


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory, empty_sqlite: Path) -> Path:
    path = tmp_path_factory.mktemp("fast") / "sample.db"
    shutil.copyfile(empty_sqlite, path)
    with cg.open(f"sqlite:///{path}") as model:
        model.import_file(cg.sample_path())
    return path


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries=st.lists(rows, min_size=1, max_size=6), changed=st.data())
def test_the_fast_path_accepts_what_the_validator_accepts(
    entries: list[dict[str, str]],
    changed: st.DataObject,
    sample_db: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    folder = tmp_path_factory.mktemp("csv")
    urls = []
    for name in ("fast", "full"):
        shutil.copyfile(sample_db, folder / f"{name}.db")
        urls.append(f"sqlite:///{folder / name}.db")
    first = folder / "events.csv"
    first.write_text(_csv(entries), encoding="utf-8")
    row = changed.draw(st.integers(0, len(entries) - 1))
    second = folder / "changed.csv"
    second.write_text(
        _csv([{**e, "note": "changed"} if i == row else e for i, e in enumerate(entries)]),
        encoding="utf-8",
    )
    steps = ((first, False), (first, False), (second, False), (second, True))
    fast = [_outcome(urls[0], path, replace) for path, replace in steps]
    with _all_through_the_validator():
        full = [_outcome(urls[1], path, replace) for path, replace in steps]
    assert fast == full


def test_a_clean_file_of_section_4_rows_takes_the_fast_path(
    sample_db: Path, tmp_path: Path
) -> None:
    """Rows with ids, rough dates, lapses and claimants no longer each go through the
    full validator (the ACLED case: every row has an id)."""
    path = tmp_path / "events.csv"
    entries = [
        {
            "date": "2026-01-05",
            "place": "lonton",
            "party": "kia",
            "status": "held",
            "id": f"r{i}",
            "date_latest": "2026-01-20",
            "until": "2026-03-01",
            "claimant": "kia",
        }
        for i in range(50)
    ]
    path.write_text(_csv(entries), encoding="utf-8")
    shutil.copyfile(sample_db, tmp_path / "db.sqlite")
    validated = mock.patch.object(
        csv_events.Validator, "validate_event", side_effect=AssertionError("full validator")
    )
    with validated, cg.open(f"sqlite:///{tmp_path / 'db.sqlite'}") as model:
        assert model.import_file(path).added["events"] == 50
        again = model.import_file(path)
    assert again.skipped == {"events": 50}
