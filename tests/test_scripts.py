"""The example scripts run on the Kachin sample (smoke tests, as CI promises)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
