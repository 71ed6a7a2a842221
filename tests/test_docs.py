"""The documentation tells the truth: its examples are run and their output compared.

What is checked:

* docs/cli.md is exactly what ``scripts/make_cli_docs.py`` generates from the commands'
  own ``--help`` now, and every command ``control-graph --help`` lists has a section;
* README.md opens with the two fresh-machine commands, verbatim;
* every ```console block of the pages in :data:`PAGES` is re-run and its output compared;
* every ```pycon block of the pages in :data:`PYCON_PAGES` is run as a doctest;
* relative links between the pages point at files that exist.

How a ```console block is run (the convention the pages follow):

* Lines starting with ``$ `` are commands (a trailing backslash continues a command on
  the next line); the lines after a command, up to the next ``$ ``, are its output as a
  terminal shows it: standard output and standard error together.
* Commands may be ``control-graph ...`` (run in-process with click's ``CliRunner``, with
  standard error behaving as a terminal), ``echo $?`` (the exit status of the command
  before), and a pipe into ``python ...`` (run with this interpreter).
* Each block starts in a fresh, empty folder holding a fresh SQLite database,
  ``control_graph.db``, the default one, already loaded with the page's dataset (see
  :data:`PAGES`). ``$CONTROL_GRAPH_DB`` is unset, so commands use that database exactly as
  written, without ``--db``.
* An HTML comment just before a block changes how it is treated:
  ``<!-- docs-test: skip -->`` (not run), ``<!-- docs-test: empty -->`` (start from an
  empty database instead), and, before a block of any other language,
  ``<!-- docs-test: file NAME -->`` (write the block's text to NAME in the folder of
  every console block of the page, so that commands can import it).

A block in any other language (```sh for installation commands, say) is never run.
"""

from __future__ import annotations

import contextlib
import difflib
import doctest
import importlib.util
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from click.testing import CliRunner

import control_graph as cg
from control_graph.cli import main
from tests.conftest import VALLEY

ROOT = Path(__file__).resolve().parent.parent
#: Pages whose console blocks are run, and the dataset each block starts with.
PAGES: dict[str, str] = {
    "README.md": "kachin",
    "docs/concepts.md": "valley",
    "docs/dataset-format.md": "empty",
    "docs/correcting-data.md": "valley",
    "docs/spreadsheets.md": "valley",
    "docs/acled.md": "empty",
    "docs/interop.md": "kachin",
}
#: Pages whose ```pycon blocks run as one doctest session per page.
PYCON_PAGES = ("README.md", "docs/python-api.md")
#: The pages whose links are checked.
OWN_PAGES = (
    "README.md",
    "docs/acled.md",
    "docs/architecture.md",
    "docs/check.md",
    "docs/cli.md",
    "docs/concepts.md",
    "docs/correcting-data.md",
    "docs/dataset-format.md",
    "docs/gallery.md",
    "docs/interop.md",
    "docs/performance.md",
    "docs/postgresql.md",
    "docs/python-api.md",
    "docs/reliability.md",
    "docs/sample-dataset.md",
    "docs/scenarios.md",
    "docs/spreadsheets.md",
)
DATASETS: dict[str, Path | None] = {"kachin": cg.sample_path(), "valley": VALLEY, "empty": None}
DATABASE = "control_graph.db"

README_COMMANDS = (
    "python3 -m venv .venv && . .venv/bin/activate && pip install . && control-graph quickstart",
    'python3 -m venv .venv && . .venv/bin/activate && pip install ".[test]" && pytest',
)

FENCE = re.compile(r"^(\s*)```([\w+-]*)\s*$")
MARKER = re.compile(r"^\s*<!--\s*docs-test:\s*(.*?)\s*-->\s*$")


# -- reading the pages ------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """A fenced block of a Markdown page."""

    page: str
    line: int
    language: str
    text: str
    marker: str | None

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"


def read_blocks(page: str) -> list[Block]:
    """Every fenced block of a page, with the docs-test marker just before it, if any."""
    lines = (ROOT / page).read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    previous: str | None = None
    i = 0
    while i < len(lines):
        fence = FENCE.match(lines[i])
        if fence is None:
            if lines[i].strip():
                previous = lines[i]
            i += 1
            continue
        indent, language = fence.groups()
        end = i + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        body = [
            line[len(indent) :] if line.startswith(indent) else line for line in lines[i + 1 : end]
        ]
        marker = MARKER.match(previous or "")
        blocks.append(
            Block(page, i + 1, language, "\n".join(body), marker.group(1) if marker else None)
        )
        previous = None
        i = end + 1
    return blocks


def console_blocks() -> list[Block]:
    return [
        block
        for page in PAGES
        for block in read_blocks(page)
        if block.language == "console" and block.marker != "skip"
    ]


def page_files(page: str) -> dict[str, str]:
    files = {}
    for block in read_blocks(page):
        if block.marker and block.marker.startswith("file "):
            files[block.marker.removeprefix("file ").strip()] = block.text + "\n"
    return files


def parse_session(block: Block) -> list[tuple[str, str]]:
    """``(command, expected output)`` for each ``$`` line of a console block."""
    steps: list[tuple[str, list[str]]] = []
    lines = iter(block.text.splitlines())
    for line in lines:
        if line.startswith("$ "):
            command = line[2:]
            while command.endswith("\\"):
                command = command[:-1] + next(lines, "").strip()
            steps.append((command, []))
        elif steps:
            steps[-1][1].append(line)
        else:
            pytest.fail(f"{block.id}: a console block must start with a '$ ' line")
    return [(command, normalise("\n".join(output))) for command, output in steps]


def normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.rstrip("\n").splitlines())


# -- running commands --------------------------------------------------------------------


class TerminalRunner(CliRunner):
    """A CliRunner whose standard error is a terminal, as it is for the reader.

    (The command line prints some messages, such as the one before an import, only
    when standard error is a terminal.)
    """

    @contextlib.contextmanager
    def isolation(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        with super().isolation(*args, **kwargs) as streams:
            sys.stderr.isatty = lambda: True  # type: ignore[method-assign]
            yield streams


class Shell:
    """Runs the commands of one console block in one folder, keeping ``$?``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.status = 0
        self.runner = TerminalRunner()

    def run(self, command: str, where: str) -> str:
        lexer = shlex.shlex(command, posix=True, punctuation_chars="|")
        lexer.whitespace_split = True
        tokens = list(lexer)
        stages: list[list[str]] = [[]]
        for token in tokens:
            if token == "|":
                stages.append([])
            else:
                stages[-1].append(token)
        if stages[0] == ["echo", "$?"] and len(stages) == 1:
            return str(self.status)
        if not stages[0] or stages[0][0] != "control-graph":
            pytest.fail(f"{where}: cannot run {command!r} (see tests/test_docs.py)")
        result = self.runner.invoke(
            main, stages[0][1:], prog_name="control-graph", env={"CONTROL_GRAPH_DB": None}
        )
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        self.status = result.exit_code
        if len(stages) == 1:
            return result.output
        shown, data = result.stderr, result.stdout
        for stage in stages[1:]:
            if not stage or stage[0] not in ("python", "python3"):
                pytest.fail(f"{where}: can only pipe into python, not {command!r}")
            done = subprocess.run(
                [sys.executable, *stage[1:]],
                input=data,
                capture_output=True,
                text=True,
                cwd=self.folder,
                check=False,
            )
            shown += done.stderr
            data = done.stdout
            self.status = done.returncode
        return shown + data


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A database file per dataset, loaded once and copied for every block."""
    empty = tmp_path_factory.mktemp("template-empty") / DATABASE
    cg.open(f"sqlite:///{empty}").close()  # creates the schema, once
    made = {}
    for name, dataset in DATASETS.items():
        if dataset is None:
            made[name] = empty
            continue
        made[name] = tmp_path_factory.mktemp(f"template-{name}") / DATABASE
        shutil.copyfile(empty, made[name])
        with cg.open(f"sqlite:///{made[name]}") as model:
            model.import_file(dataset)
    return made


def prepare(folder: Path, block: Block, templates: dict[str, Path]) -> None:
    dataset = "empty" if block.marker == "empty" else PAGES[block.page]
    shutil.copyfile(templates[dataset], folder / DATABASE)
    for name, text in page_files(block.page).items():
        (folder / name).write_text(text, encoding="utf-8")


# -- the tests ---------------------------------------------------------------------------


def load_script() -> ModuleType:
    path = ROOT / "scripts" / "make_cli_docs.py"
    spec = importlib.util.spec_from_file_location("make_cli_docs", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_reference_is_up_to_date() -> None:
    expected = load_script().render()
    current = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    if current != expected:
        diff = "".join(
            difflib.unified_diff(
                current.splitlines(keepends=True),
                expected.splitlines(keepends=True),
                "docs/cli.md (now)",
                "docs/cli.md (generated)",
                n=1,
            )
        )
        pytest.fail(
            "docs/cli.md does not match the command line's help: "
            f"run `python scripts/make_cli_docs.py` and commit the result.\n{diff[:4000]}"
        )


def test_every_command_has_a_section_in_the_reference() -> None:
    result = CliRunner().invoke(main, ["--help"], prog_name="control-graph")
    assert result.exit_code == 0, result.output
    listed = result.stdout.split("Commands:", 1)[1]
    names = [line.split()[0] for line in listed.splitlines() if line.strip()]
    assert names, "no commands found in `control-graph --help`"
    reference = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    missing = [name for name in names if f"\n## control-graph {name}\n" not in reference]
    assert not missing, f"not in docs/cli.md: {missing}; run `python scripts/make_cli_docs.py`"


def test_readme_opens_with_the_two_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    opening = text.split("\n## ", 1)[0]
    for command in README_COMMANDS:
        assert f"`{command}`" in opening, f"README.md must open with `{command}`"


def test_the_pages_have_examples_to_run() -> None:
    # Guards against a parser that silently finds nothing.
    found = {page: 0 for page in PAGES}
    for block in console_blocks():
        found[block.page] += 1
    assert all(count >= 2 for count in found.values()), found


@pytest.mark.parametrize("block", console_blocks(), ids=lambda block: block.id)
def test_console_example(
    block: Block, templates: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prepare(tmp_path, block, templates)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CONTROL_GRAPH_DB", raising=False)
    shell = Shell(tmp_path)
    steps = parse_session(block)
    expected = [f"$ {command}\n{output}" for command, output in steps]
    got = [f"$ {command}\n{normalise(shell.run(command, block.id))}" for command, _ in steps]
    if got != expected:
        diff = "".join(
            difflib.unified_diff(
                "\n".join(expected).splitlines(keepends=True),
                "\n".join(got).splitlines(keepends=True),
                f"{block.id} (in the page)",
                f"{block.id} (output now)",
            )
        )
        pytest.fail(f"the example at {block.id} no longer prints what the page shows:\n{diff}")


@pytest.mark.parametrize("page", PYCON_PAGES)
def test_python_examples(page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CONTROL_GRAPH_DB", raising=False)
    blocks = [b for b in read_blocks(page) if b.language == "pycon" and b.marker != "skip"]
    assert blocks, f"{page} has no ```pycon examples"
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    globs: dict[str, Any] = {"__name__": "docs"}
    report: list[str] = []
    try:
        for block in blocks:
            test = parser.get_doctest(block.text, globs, block.id, page, block.line)
            runner.run(test, out=report.append, clear_globs=False)
            globs = test.globs  # a DocTest works on a copy: carry the session on
    finally:
        for value in globs.values():
            if isinstance(value, cg.Model):
                value.close()
    assert runner.failures == 0, "".join(report)


def headings(path: Path) -> set[str]:
    """The anchors GitHub makes for a Markdown page's headings."""
    anchors = set()
    in_fence = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if FENCE.match(line) or line.strip() == "```":
            in_fence = not in_fence
        elif not in_fence and line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            kept = "".join(c for c in title if c.isalnum() or c in " -_")
            anchors.add(kept.replace(" ", "-"))
    return anchors


def test_links_between_pages_resolve() -> None:
    broken = []
    for page in OWN_PAGES:
        text = (ROOT / page).read_text(encoding="utf-8")
        for target, fragment in re.findall(r"\]\(([^)#\s]*)(?:#([^)\s]*))?\)", text):
            if "://" in target or target.startswith("mailto:"):
                continue
            linked = (ROOT / page).parent / target if target else ROOT / page
            if not linked.exists():
                broken.append(f"{page}: {target}")
            elif fragment and linked.suffix == ".md" and fragment not in headings(linked):
                broken.append(f"{page}: {target}#{fragment}")
    assert not broken, broken
