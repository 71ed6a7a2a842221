"""The ``control-graph`` command line: a thin click layer over :mod:`control_graph.query`.

It parses, calls the library and formats; no domain logic lives here. Commands are
split by topic into modules that register themselves on :data:`main`.
"""

from control_graph.cli import commands as _commands  # noqa: F401  (registers commands)
from control_graph.cli.base import main

__all__ = ["main"]
