"""The ``control-graph`` command line: a thin click layer over :mod:`control_graph.query`.

It parses, calls the library and formats; no domain logic lives here. Commands are
split by topic into modules that register themselves on :data:`main`; a module is
imported only when one of its commands is used (``--version`` imports none).
"""

from control_graph.cli.base import main

main.add_lazy_commands(
    {
        "init": "control_graph.cli.commands",
        "import": "control_graph.cli.commands",
        "import-acled": "control_graph.cli.acled",
        "who-held": "control_graph.cli.commands",
        "timeline": "control_graph.cli.commands",
        "path": "control_graph.cli.commands",
        "changes": "control_graph.cli.commands",
        "quickstart": "control_graph.cli.commands",
        "imports": "control_graph.cli.correct",
        "retract": "control_graph.cli.correct",
        "undo-import": "control_graph.cli.correct",
        "check": "control_graph.cli.check",
        "plot": "control_graph.cli.plot",
        "scenario": "control_graph.cli.scenario",
        "compare": "control_graph.cli.scenario",
        "events": "control_graph.cli.scenario",
        "export": "control_graph.cli.exchange",
    }
)

__all__ = ["main"]
