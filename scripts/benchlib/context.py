"""What every measurement is given, and how a failed measurement is recorded."""

from __future__ import annotations

import argparse
import contextlib
import sys
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from benchlib.questions import Picks
from benchlib.report import Report
from benchlib.runner import CommandFailed
from benchlib.synth import Dataset, Network
from benchlib.targets import Sizes


@dataclass
class Bench:
    """Everything a measurement needs."""

    args: argparse.Namespace
    sizes: Sizes
    report: Report
    data: Dataset
    workdir: Path
    cli: list[str]
    picks: Picks

    @property
    def net(self) -> Network:
        return self.data.net

    def sqlite_url(self, name: str) -> str:
        return f"sqlite:///{self.workdir / name}"

    def db_name(self, stem: str) -> str:
        """The file name of one of this run's SQLite databases (``events.db``): those of
        a ``--trust`` run have names of their own (``events-trust.db``), so that neither
        kind of run ever reuses or overwrites the other's."""
        return f"{stem}-trust.db" if self.data.trust is not None else f"{stem}.db"


@contextlib.contextmanager
def attempt(report: Report, section: str, key: str, what: str) -> Iterator[None]:
    """Record a measurement that fails as ERROR (with the reason) and go on: the product
    changes under the benchmark, and one broken command must not cost the whole run."""
    try:
        yield
    except CommandFailed as error:
        report.error(section, key, what, str(error))
        print(f"    {' '.join(error.argv)}\n{error.result.stderr[-2000:]}", file=sys.stderr)
    except Exception as error:
        report.error(section, key, what, f"{type(error).__name__}: {error}"[:200])
        traceback.print_exc()
