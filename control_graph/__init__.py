"""control-graph: territorial control in armed conflict as a graph that changes over time.

Places (villages, towns, checkpoints, bridges) are nodes, road segments are edges, and
each has a controlling party -- held by one party, contested, or unknown -- that changes
over time. Ask who held a route on any day, find a path through one side's ground, list
what changed, and script what-if questions.

Examples
--------
>>> import control_graph as cg
>>> model = cg.open("sqlite://")          # in memory; a file or PostgreSQL URL works too
>>> _ = model.import_file(cg.sample_path())
>>> answer = model.who_held("lonton", "2026-02-06")
>>> answer.state.status.value, answer.state.controller
('held', 'kia')
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from control_graph.errors import (
    AmbiguousNameError,
    ControlGraphError,
    DatabaseBusyError,
    DatabaseError,
    DatasetError,
    DatasetIssue,
    InvalidArgumentError,
    NoPathError,
    UnknownElementError,
)

if TYPE_CHECKING:
    from control_graph.model.states import State, Status
    from control_graph.query import (
        ChangesResult,
        Model,
        PathResult,
        TimelineResult,
        WhoHeldResult,
    )
    from control_graph.query import open_model as open
    from control_graph.scenario import CompareResult, compare

# The library proper (and SQLAlchemy with it) is imported on first use of one of these,
# so that `import control_graph` -- and the command line -- start at once.
_LAZY = {
    "State": ("control_graph.model.states", "State"),
    "Status": ("control_graph.model.states", "Status"),
    "ChangesResult": ("control_graph.query", "ChangesResult"),
    "Model": ("control_graph.query", "Model"),
    "PathResult": ("control_graph.query", "PathResult"),
    "TimelineResult": ("control_graph.query", "TimelineResult"),
    "WhoHeldResult": ("control_graph.query", "WhoHeldResult"),
    "open": ("control_graph.query", "open_model"),
    "CompareResult": ("control_graph.scenario", "CompareResult"),
    "compare": ("control_graph.scenario", "compare"),
}


def __getattr__(name: str) -> Any:
    found = _LAZY.get(name)
    if found is None:
        raise AttributeError(f"module 'control_graph' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(found[0]), found[1])
    globals()[name] = value
    return value


__version__ = "0.1.0"

__all__ = [
    "AmbiguousNameError",
    "ChangesResult",
    "CompareResult",
    "ControlGraphError",
    "DatabaseBusyError",
    "DatabaseError",
    "DatasetError",
    "DatasetIssue",
    "InvalidArgumentError",
    "Model",
    "NoPathError",
    "PathResult",
    "State",
    "Status",
    "TimelineResult",
    "UnknownElementError",
    "WhoHeldResult",
    "__version__",
    "compare",
    "open",
    "sample_path",
]


def sample_path() -> Path:
    """The built-in sample dataset: Kachin State, the Gwaykhar Road, early 2026."""
    return Path(__file__).parent / "data" / "kachin.yaml"
