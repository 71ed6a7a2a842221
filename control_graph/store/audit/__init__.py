"""Reading what a data-quality check needs about events and incidents.

:class:`Audit` answers each question about the whole database with one query (a few
for the union of events and incidents), grouped or filtered in SQL so that only the rows
that may be findings leave the database: on a database of a million events the checks
transfer the suspicious rows and a few aggregates, not every event. Everything here is
SQLAlchemy Core over the ORM tables and runs on SQLite and PostgreSQL alike.

An audit reads what one overlay sees: by default the reported data; with a scenario's
overlay, the reported data, the scenario's own rows and its bases', less the events it
supposes false -- the data that the scenario's answers come from. A retracted record
(contract section 4.3) counts in no answer without ``--as-of``, so the readings about what
records say leave it out; the retractions themselves are read by :meth:`Audit.retractions`,
and what records name (parties, sources) counts retracted records too.
:meth:`control_graph.query.Model.audit` opens one on the data a model sees.
"""

from __future__ import annotations

from control_graph.store.audit.disputes import DisputeReadings
from control_graph.store.audit.records import RecordReadings
from control_graph.store.audit.retractions import RetractionReadings
from control_graph.store.audit.rows import (
    DatedRecord,
    DuplicateGroup,
    EarlyReports,
    FutureRetraction,
    LateCitation,
    Record,
    RetractionRow,
    SameDayReport,
    StoredEvent,
    Withdrawal,
)

__all__ = [
    "Audit",
    "DatedRecord",
    "DuplicateGroup",
    "EarlyReports",
    "FutureRetraction",
    "LateCitation",
    "Record",
    "RetractionRow",
    "SameDayReport",
    "StoredEvent",
    "Withdrawal",
]


class Audit(DisputeReadings, RecordReadings, RetractionReadings):
    """The data-quality readings of what one overlay sees, over one open connection.

    Parameters
    ----------
    conn
        An open connection.
    overlay
        Which rows to read (default: the reported data).
    """
