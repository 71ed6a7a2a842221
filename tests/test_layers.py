"""The layers stay one-way (docs/architecture.md), and the modules the command line's
commonest questions go through start without SQLAlchemy."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "control_graph"


def _imports(path: Path) -> set[str]:
    """The top-level packages a module imports anywhere, except for type checking."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def _modules(folder: str = "") -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


@pytest.mark.parametrize(
    ("library", "allowed"),
    [("click", ("cli",)), ("matplotlib", ("plot",)), ("sqlalchemy", ("store", "query"))],
)
def test_each_library_is_imported_only_by_its_layer(library: str, allowed: tuple[str, ...]) -> None:
    outside = [
        str(path.relative_to(PACKAGE))
        for path in _modules()
        if library in _imports(path) and path.relative_to(PACKAGE).parts[0] not in allowed
    ]
    assert outside == []


def test_the_domain_model_imports_no_database_cli_or_plotting() -> None:
    for path in _modules("model"):
        assert not _imports(path) & {"sqlalchemy", "click", "matplotlib", "alembic"}, path


def test_the_direct_questions_load_no_sqlalchemy() -> None:
    code = (
        "import sys\n"
        "import control_graph.query.direct, control_graph.store.direct, control_graph.cli\n"
        "import control_graph.cli.commands, control_graph.query\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in"
        " ('sqlalchemy', 'alembic', 'matplotlib', 'yaml')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
