"""The ``control-graph`` command line: a thin click layer over :mod:`control_graph.query`.

It parses, calls the library and formats; no domain logic lives here. Commands are
split by topic into modules that register themselves on :data:`main`.
"""

# Importing the topic modules registers their commands on ``main``.
from control_graph.cli import check as _check  # noqa: F401
from control_graph.cli import commands as _commands  # noqa: F401
from control_graph.cli import correct as _correct  # noqa: F401
from control_graph.cli import plot as _plot  # noqa: F401
from control_graph.cli import scenario as _scenario  # noqa: F401
from control_graph.cli.base import main

__all__ = ["main"]
