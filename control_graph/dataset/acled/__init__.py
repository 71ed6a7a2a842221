"""ACLED exports (acleddata.com) as an ordinary control-graph dataset document.

ACLED publishes one CSV row per event, keyed by ``event_id_cnty``; rows are corrected
and deleted over time. This package knows the file alone (the store decides what is new,
changed or gone; see :mod:`control_graph.store.acled`):

- :func:`read_acled` reads an export: headers matched by name in any order, dates in the
  formats ACLED has used, inter codes as digits or labels; pre-2019 and monadic files are
  refused with a message saying why.
- :class:`PartyMap` maps ACLED actor names (exact, or with ``*`` globs) to party ids,
  and may name the taker of a territory event ACLED leaves open (``takers``).
- :func:`territory_taker` finds who takes territory: ACLED's actor order has no meaning,
  so the taker comes from the sub-event type and the inter codes, and an ambiguous row is
  reported, never guessed.
- :class:`PlaceIndex` matches ACLED locations to places: by name or alias (within the
  admin area, when the place records one), else by distance.
- :func:`convert` makes each row a control event (territory rows with a known, mapped
  taker) or an incident, and :func:`acled_document` the dataset document that
  :func:`~control_graph.dataset.load.load_document` validates by every rule of the format.

One module each: :mod:`~control_graph.dataset.acled.row` (a row, inter codes),
:mod:`~control_graph.dataset.acled.reading` (the file and its dates),
:mod:`~control_graph.dataset.acled.parties` (the party map, the taker),
:mod:`~control_graph.dataset.acled.places` (place matching),
:mod:`~control_graph.dataset.acled.conversion` (rows to records, the document) and
:mod:`~control_graph.dataset.acled.changes` (comparison with stored records). Every
public name is importable from here.

docs/acled.md describes the rules for users.
"""

from control_graph.dataset.acled.changes import acled_changes, changed_fields, same_version
from control_graph.dataset.acled.conversion import (
    ACLED_SOURCE,
    AcledRecord,
    Conversion,
    acled_document,
    convert,
    incident_party,
)
from control_graph.dataset.acled.parties import PartyMap, Taker, territory_taker
from control_graph.dataset.acled.places import (
    DEFAULT_WITHIN_KM,
    NAME_MATCH_KM,
    PlaceIndex,
    PlaceMatch,
    new_place,
)
from control_graph.dataset.acled.reading import REQUIRED_COLUMNS, parse_acled_date, read_acled
from control_graph.dataset.acled.row import (
    ID_PREFIX,
    TERRITORY_TYPES,
    AcledRow,
    inter_code,
    record_id,
)

__all__ = [
    "ACLED_SOURCE",
    "DEFAULT_WITHIN_KM",
    "ID_PREFIX",
    "NAME_MATCH_KM",
    "REQUIRED_COLUMNS",
    "TERRITORY_TYPES",
    "AcledRecord",
    "AcledRow",
    "Conversion",
    "PartyMap",
    "PlaceIndex",
    "PlaceMatch",
    "Taker",
    "acled_changes",
    "acled_document",
    "changed_fields",
    "convert",
    "incident_party",
    "inter_code",
    "new_place",
    "parse_acled_date",
    "read_acled",
    "record_id",
    "same_version",
    "territory_taker",
]
