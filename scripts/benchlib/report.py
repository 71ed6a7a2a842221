"""The figures of a run: printed as they come, then as a table and as JSON."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchlib.targets import FULL, NATIONAL, Sizes, Target


@dataclass
class Figure:
    """One measured figure and its verdict."""

    section: str
    key: str
    what: str
    value: float | None
    unit: str
    requirement: str = ""
    limit: float | None = None
    verdict: str = ""
    note: str = ""
    #: Wall time over that of ``python -c "import control_graph"`` (cold commands).
    ratio: float | None = None


class Report:
    """Collects figures; a verdict counts only at the size its target was set for."""

    def __init__(self, sizes: Sizes) -> None:
        self.figures: list[Figure] = []
        self.at_scale = {"full": sizes == FULL, "national": sizes == NATIONAL}
        #: Median wall seconds of ``python -c "import control_graph"``, once measured.
        self.import_seconds: float | None = None
        #: What the data holds beyond sections 1-3 (``--trust``), for the header.
        self.data_label = ""

    def ratio(self, seconds: float) -> float | None:
        """``seconds`` as a multiple of importing the package, when that is known."""
        return seconds / self.import_seconds if self.import_seconds else None

    def add(
        self,
        section: str,
        key: str,
        what: str,
        value: float | None,
        unit: str,
        *,
        target: Target | None = None,
        note: str = "",
        cold_seconds: float | None = None,
        import_seconds: float | None = None,
    ) -> Figure:
        """Record a figure and print it at once.

        ``cold_seconds`` is the wall time of a cold command, for its ratio to importing
        the package: to ``import_seconds`` when given (imports timed alongside the
        command, so that both saw the same load), else to the start-up figure.
        """
        figure = Figure(section, key, what, value, unit, note=note)
        if cold_seconds is not None:
            figure.ratio = (
                cold_seconds / import_seconds if import_seconds else self.ratio(cold_seconds)
            )
        if target is not None:
            if target.unit != unit:
                raise ValueError(f"{key}: target in {target.unit}, figure in {unit}")
            figure.requirement, figure.limit = str(target), target.limit
            if value is not None:
                figure.verdict = "PASS" if target.met_by(value) else "FAIL"
                if not self.at_scale[target.scale]:
                    figure.verdict += f" (not {target.scale} size)"
        return self._keep(figure)

    def error(self, section: str, key: str, what: str, message: str) -> Figure:
        """Record a measurement that could not be made (the run goes on)."""
        return self._keep(Figure(section, key, what, None, "", verdict="ERROR", note=message))

    def _keep(self, figure: Figure) -> Figure:
        self.figures.append(figure)
        shown = "-" if figure.value is None else f"{fmt(figure.value)} {figure.unit}"
        line = f"  [{figure.section}] {figure.what}: {shown} {figure.verdict}"
        print(f"{line.rstrip()}  {figure.note}".rstrip(), flush=True)
        return figure

    def failed(self) -> list[Figure]:
        """Figures that failed a target at its size, or could not be measured."""
        return [f for f in self.figures if f.verdict in ("FAIL", "ERROR")]

    def table(self, *, targets_only: bool = False) -> str:
        """An aligned text table of the figures (or only those with a target)."""
        header = ("", "measure", "value", "target", "verdict", "x import", "notes")
        rows = [
            (
                f.section,
                f.what,
                "-" if f.value is None else f"{fmt(f.value)} {f.unit}",
                f.requirement,
                f.verdict,
                "" if f.ratio is None else f"{f.ratio:.1f}x",
                f.note,
            )
            for f in self.figures
            if f.requirement or f.verdict or not targets_only
        ]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(header, widths, strict=True)).rstrip()]
        lines.append("  ".join("-" * w for w in widths))
        lines += [
            "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
        ]
        return "\n".join(lines)

    def write_json(self, path: Path, header: dict[str, Any]) -> None:
        """The figures with ``header`` (command, machine, sizes) as one JSON document."""
        document = {**header, "figures": [asdict(f) for f in self.figures]}
        text = json.dumps(document, indent=2, ensure_ascii=False)
        path.write_text(text + "\n", encoding="utf-8")


def fmt(value: float) -> str:
    """Three significant figures, thousands separated."""
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}" if value >= 0.01 else f"{value:.2g}"


def machine_facts() -> dict[str, Any]:
    """What the figures were measured on (and from which commit)."""
    facts: dict[str, Any] = {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
    }
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    facts["cpu"] = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo", encoding="utf-8") as handle:
            facts["memory_gb"] = round(int(handle.readline().split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    facts["load_average"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    repo = Path(__file__).resolve().parents[2]
    try:
        commit = _git(repo, "rev-parse", "--short", "HEAD")
        dirty = _git(repo, "status", "--porcelain", "--untracked-files=no")
        facts["commit"] = commit + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        pass
    try:
        import sqlite3

        import sqlalchemy

        facts["sqlalchemy"] = sqlalchemy.__version__
        facts["sqlite"] = sqlite3.sqlite_version
    except ImportError:
        pass
    return facts


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()
