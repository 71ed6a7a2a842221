"""The examples in the docstrings run, as the documentation promises."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import control_graph

MODULES = sorted(
    name
    for _, name, _ in pkgutil.walk_packages(control_graph.__path__, "control_graph.")
    if not name.startswith("control_graph.migrations") and name != "control_graph.__main__"
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} example(s) failed in {name}"
