"""Running a command as a child process and measuring it: wall time, CPU time, peak RSS.

Each command is started by a small launcher process that spawns it and collects it
with ``wait4``: the wall time is from spawn to exit of the command itself, and the peak
RSS is the command's own. Without the launcher, a child forked from the big benchmark
process would be charged for the benchmark's resident memory.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

#: The launcher, run with ``python -S`` so that it starts in a few milliseconds.
_LAUNCHER = """
import json, os, sys, time
out, argv = sys.argv[1], sys.argv[2:]
started = time.perf_counter()
pid = os.posix_spawn(argv[0], argv, os.environ)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - started
with open(out, "w") as handle:
    json.dump({"seconds": seconds, "maxrss_kb": usage.ru_maxrss,
               "cpu": usage.ru_utime + usage.ru_stime,
               "code": os.waitstatus_to_exitcode(status)}, handle)
"""

#: The script that runs measurements inside a fresh Python process (see probe.py).
PROBE = Path(__file__).resolve().with_name("probe.py")


class CommandFailed(Exception):
    """A measured command exited with a status it should not have."""

    def __init__(self, argv: Sequence[str], result: Run) -> None:
        tail = result.stderr.strip().splitlines()[-1:] or [""]
        super().__init__(f"exit {result.returncode}: {tail[0][:200]}")
        self.argv = list(argv)
        self.result = result


@dataclass(frozen=True)
class Run:
    """One run of a command."""

    seconds: float
    max_rss_mb: float
    cpu_seconds: float
    returncode: int
    stdout: str
    stderr: str


@dataclass(frozen=True)
class Runs:
    """Several cold runs of one command (a new process each)."""

    runs: tuple[Run, ...]

    @property
    def median(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def worst(self) -> float:
        return max(r.seconds for r in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(r.cpu_seconds for r in self.runs)

    @property
    def rss(self) -> float:
        return max(r.max_rss_mb for r in self.runs)

    def describe(self) -> str:
        """How the figure was taken, for the notes column."""
        head = f"median of {len(self.runs)}, max {self.worst:.3g} s, " if len(self.runs) > 1 else ""
        return f"{head}cpu {self.cpu:.3g} s, peak RSS {self.rss:.0f} MB"


def cli_path() -> list[str]:
    """How to start the ``control-graph`` command of the Python running this script."""
    script = Path(sys.executable).with_name("control-graph")
    if script.exists():
        return [str(script)]
    found = shutil.which("control-graph")
    return [found] if found else [sys.executable, "-m", "control_graph"]


def probe_command(task: str, *args: str) -> list[str]:
    """The argv that runs one task of probe.py in a fresh interpreter."""
    return [sys.executable, str(PROBE), task, *args]


def child_environment() -> dict[str, str]:
    """The environment of measured commands: this one, less PYTHONDONTWRITEBYTECODE.

    With it set (some sandboxes do), Python compiles every module of the package again
    on each start instead of reading its cached bytecode, which a person's installed
    copy never does: start-up figures would be a third higher than what users see.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run(argv: Sequence[str], cwd: Path, *, ok: Sequence[int] = (0,)) -> Run:
    """Run a command through the launcher; raise `CommandFailed` on another exit status."""
    argv = list(argv)
    argv[0] = shutil.which(argv[0]) or argv[0]
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile("r", suffix=".json") as measured,
    ):
        subprocess.run(
            [sys.executable, "-S", "-c", _LAUNCHER, measured.name, *argv],
            cwd=cwd,
            stdout=out,
            stderr=err,
            check=True,
            env=child_environment(),
        )
        figures = json.loads(Path(measured.name).read_text())
        out.seek(0)
        err.seek(0)
        result = Run(
            figures["seconds"],
            figures["maxrss_kb"] / 1024,
            figures["cpu"],
            figures["code"],
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
        )
    if result.returncode not in ok:
        raise CommandFailed(argv, result)
    return result


def run_many(argvs: Sequence[Sequence[str]], cwd: Path, *, ok: Sequence[int] = (0,)) -> Runs:
    """Run each command once, in order, each in a new process."""
    return Runs(tuple(run(argv, cwd, ok=ok) for argv in argvs))


def show(argv: Sequence[str]) -> str:
    """A command as one would type it in a shell."""
    return shlex.join(argv)


def remove_sqlite(path: Path) -> None:
    """Delete a SQLite database file and its journal files."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        (path.parent / (path.name + suffix)).unlink(missing_ok=True)


def copy_sqlite(source: Path, target: Path) -> None:
    """Copy a closed SQLite database (with its WAL files, if any)."""
    remove_sqlite(target)
    for suffix in ("", "-wal", "-shm"):
        src = source.parent / (source.name + suffix)
        if src.exists():
            shutil.copyfile(src, target.parent / (target.name + suffix))


def rss_mb() -> float:
    """This process's resident memory now, in MB."""
    try:
        with open("/proc/self/statm", encoding="utf-8") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    except OSError:
        return float("nan")
