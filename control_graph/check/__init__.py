"""A data-quality report to read before trusting the answers: contradictory reports,
impossible dates, gaps in the network, definitions nothing uses, and answers that rest
on old news, open disputes or reports that never lapse.

:func:`check_dataset` runs every check (or those named) over a database and returns a
:class:`CheckReport` of :class:`Finding` values. Each finding has a stable ``code`` (a
slug, listed in :class:`Code` and explained in ``docs/check.md``), a severity, the
element it is about, a date where one applies and a message saying what is wrong, why
it matters and what to do. A *warning* is something that can make an answer wrong or
reflects a mistake in the data; *info* is worth knowing but may well be intended.

The checks about records read through :meth:`control_graph.query.Model.audit`, a few
grouped or filtered queries, so only the suspicious rows leave the database; the checks
about the network and the definitions read the model's listings once; the checks about
today's answers ask the engine that :meth:`control_graph.query.Model.history` builds.

Where things are:

- :mod:`~control_graph.check.catalogue`: the codes, their severities and summaries;
- :mod:`~control_graph.check.report`: :class:`Finding` and :class:`CheckReport`;
- :mod:`~control_graph.check.rules`: one function per code, by topic;
- :mod:`~control_graph.check.engine`: what those about answers read from the engine;
- :mod:`~control_graph.check.run`: what each rule reads, and :func:`check_dataset`.
"""

from control_graph.check.catalogue import CODES, Code, CodeInfo, Severity
from control_graph.check.report import CheckReport, Finding
from control_graph.check.run import check_dataset

__all__ = ["CODES", "CheckReport", "Code", "CodeInfo", "Finding", "Severity", "check_dataset"]
