"""The example scripts run on the Kachin sample (smoke tests, as CI promises)."""

from __future__ import annotations

import csv
import hashlib
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

SCRIPTS = Path(__file__).parent.parent / "scripts"


def run(*args: str) -> str:
    result = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def test_what_if_bhamo_falls(tmp_path: Path) -> None:
    out = run(
        str(SCRIPTS / "what_if_bhamo_falls.py"),
        "--on",
        "2026-03-01",
        "--db",
        f"sqlite:///{tmp_path / 'w.db'}",
    )
    assert "bhamo" in out and "held by kia-coalition" in out


def test_sweep_scenarios_with_plot(tmp_path: Path) -> None:
    image = tmp_path / "sweep.png"
    out = run(str(SCRIPTS / "sweep_scenarios.py"), "--plot", str(image))
    assert out.count("bhamo-falls") == 3
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.skipif(not (SCRIPTS / "bench.py").exists(), reason="bench.py not written yet")
def test_bench_quick_runs(tmp_path: Path) -> None:
    out = run(str(SCRIPTS / "bench.py"), "--quick", "--workdir", str(tmp_path))
    assert "who-held" in out


def _benchlib() -> Any:
    """The benchmark's package (scripts/benchlib), importable from here."""
    if str(SCRIPTS) not in sys.path:
        sys.path.insert(0, str(SCRIPTS))
    import benchlib.synth

    return benchlib.synth


#: sha256 of the tiny plain events CSV below: the generator promises the same bytes for
#: a given seed and sizes in every version, so that old figures stay comparable.
PLAIN_TINY_SHA256 = "f13e91b076df006589bb127e3e6c83e7a3334a3d28a728a628c40e5358988e79"


def test_bench_plain_data_unchanged(tmp_path: Path) -> None:
    synth = _benchlib()
    data = synth.generate(synth.Sizes(40, 60, 500), 11, tmp_path)
    assert data.trust is None and data.access_path is None
    assert hashlib.sha256(data.csv_path.read_bytes()).hexdigest() == PLAIN_TINY_SHA256


def test_bench_trust_data_imports_with_disputes(tmp_path: Path) -> None:
    """``bench.py --trust``: the plain rows plus section 4, which the importer accepts,
    with rival claims that make disputes."""
    import control_graph as cg

    synth = _benchlib()
    sizes = synth.Sizes(300, 450, 4000)
    plain = synth.generate(sizes, 11, tmp_path)
    data = synth.generate(sizes, 11, tmp_path, trust=True)
    assert data.csv_path != plain.csv_path and data.csv_path.name.endswith("-trust.csv")
    summary = data.trust
    assert summary.rows == summary.ids == 4000
    assert 0.07 < summary.date_latest / summary.rows < 0.13
    assert 0.18 < summary.claimant / summary.rows < 0.30
    assert summary.until > 0 and summary.rival_claims > 0 and summary.access > 0
    with data.csv_path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["id"] for r in rows] == [f"e{n:07d}" for n in range(1, 4001)]
    # Every row but the rival claims is a row of the plain file, unchanged.
    with plain.csv_path.open(newline="", encoding="utf-8") as handle:
        plain_rows = Counter(tuple(r) for r in csv.reader(handle))
    base = Counter(
        tuple(r[c] for c in synth.EVENT_COLUMNS) for r in rows if r["kind"] != synth.CLAIM_KIND
    )
    assert not base - plain_rows

    model = cg.open(f"sqlite:///{tmp_path / 'trust.db'}")
    for path in (*data.network_files, data.csv_path):
        model.import_file(path)
    claims = [r for r in rows if r["kind"] == synth.CLAIM_KIND and r["place"]]
    disputed = [r for r in claims if model.who_held(r["place"], r["date"]).disputed]
    assert len(disputed) > len(claims) // 2
    model.close()
