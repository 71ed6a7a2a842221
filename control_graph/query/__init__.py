"""The questions users ask -- who held it, its timeline, a path, what changed -- answered
from the database through the timeline engine.

:class:`Model` is the handle scripts and the command line use alike, and the only way
into the store; every answer is a small result object with ``as_dict()`` giving the
JSON the command line prints.
"""

from control_graph.model.dates import DateLike
from control_graph.query.model import Model, open_model
from control_graph.query.results import (
    ChangesResult,
    NetworkHistory,
    PathResult,
    SegmentState,
    TimelineResult,
    WhoHeldResult,
)
from control_graph.store.db import ENV_VAR as DATABASE_ENV_VAR

__all__ = [
    "DATABASE_ENV_VAR",
    "ChangesResult",
    "DateLike",
    "Model",
    "NetworkHistory",
    "PathResult",
    "SegmentState",
    "TimelineResult",
    "WhoHeldResult",
    "open_model",
]
