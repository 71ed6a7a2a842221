"""The rules of ``control-graph check``, one function per finding code, by topic.

Each rule is named after its code (``road-gap`` is :func:`network.road_gap`), takes
plain values -- records such as :class:`~control_graph.model.records.Segment`, the
rows an :class:`~control_graph.store.audit.Audit` reads, or those
:mod:`control_graph.check.engine` finds -- and yields
:class:`~control_graph.check.report.Finding` values, in any order. Rules read nothing
themselves: :mod:`control_graph.check.run` reads what the chosen rules need, once, and
hands it to them. A new check is a code in the catalogue, a function here and a line in
:data:`control_graph.check.run.RULES`.

- :mod:`~control_graph.check.rules.events`: reports that disagree, come too early or
  are stored twice;
- :mod:`~control_graph.check.rules.dates`: dates after today or before they could be
  known;
- :mod:`~control_graph.check.rules.network`: the places and segments, and places never
  known;
- :mod:`~control_graph.check.rules.definitions`: blocs, parties and sources;
- :mod:`~control_graph.check.rules.retractions`: records retracted twice, or before they
  were known;
- :mod:`~control_graph.check.rules.trust`: what today's answers rest on (contract section
  4): old news, open disputes, contested reports that never lapse, road reports against
  their ends -- from the rows :mod:`control_graph.check.engine` finds in the engine.
"""
