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

from importlib import resources
from pathlib import Path

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
    return Path(str(resources.files("control_graph") / "data" / "kachin.yaml"))
