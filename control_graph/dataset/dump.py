"""Writing a dataset file: the inverse of :func:`~control_graph.dataset.load.load_dataset`.

:func:`dump_dataset` writes records as YAML or JSON in format ``control-graph/1``, field
by field as :data:`~control_graph.dataset.fields.RECORD_KINDS` describes them, so that
loading the file gives back the same records (and importing it into a new database
gives the same answers to every question). It is the backup and hand-over format.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import Any

from control_graph.dataset.fields import FORMAT, MEMBER_FIELDS, RECORD_KINDS, Field
from control_graph.dataset.raw import FORMATS
from control_graph.errors import InvalidArgumentError
from control_graph.model.records import Access, Dataset, Event, Incident, Road, Segment, Target

__all__ = ["dataset_document", "dump_dataset"]


def _value(value: Any) -> Any:
    """A record's value as a file holds it."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple):
        return [_value(item) for item in value]
    return value


def _entry(record: Any, fields: tuple[Field, ...], skip: frozenset[str] = frozenset()) -> Any:
    """The fields of ``record`` that hold something, as an entry of a file."""
    entry: dict[str, Any] = {}
    for field in fields:
        if field.key in skip:
            continue
        value = getattr(record, field.name)
        if value is None or value == () or value == {}:
            continue
        entry[field.key] = _value(value)
    return entry


def _about(record: Event | Incident | Access) -> dict[str, Any]:
    return {record.target.value: record.target_id}


_TARGET_KEYS = frozenset(target.value for target in Target)


def _events(dataset: Dataset) -> Iterator[dict[str, Any]]:
    fields = RECORD_KINDS["events"].fields
    for event in dataset.events:
        entry = {"date": event.date.isoformat(), **_about(event)}
        entry.update(_entry(event, fields, _TARGET_KEYS | {"date", "status"}))
        entry["status"] = event.state.status.value
        yield entry


def _roads(dataset: Dataset) -> Iterator[dict[str, Any]]:
    fields = RECORD_KINDS["roads"].fields
    generated: dict[str, list[Segment]] = {}
    for segment in dataset.segments:
        if segment.road is not None:
            generated.setdefault(segment.road, []).append(segment)
    for road in dataset.roads:
        entry = _entry(road, fields, frozenset({"places", "segments", "lengths_km"}))
        if road.places:
            entry["places"] = list(road.places)
            chain = sorted(generated.get(road.id, []), key=lambda s: s.position or 0)
            lengths = [s.length_km for s in chain]
            if any(length is not None for length in lengths):
                entry["lengths_km"] = lengths
        else:
            entry["segments"] = list(road.segments)
        yield _ordered(entry, fields)


def _ordered(entry: dict[str, Any], fields: tuple[Field, ...]) -> dict[str, Any]:
    return {f.key: entry[f.key] for f in fields if f.key in entry}


def _generated_by(road: Road) -> set[str]:
    return set(road.segments) if road.places else set()


def dataset_document(dataset: Dataset) -> dict[str, Any]:
    """The document :func:`dump_dataset` writes, as plain values.

    Examples
    --------
    >>> import control_graph as cg
    >>> from control_graph.dataset import load_dataset
    >>> document = dataset_document(load_dataset(cg.sample_path()).dataset)
    >>> document["format"], sorted(document)[:3]
    ('control-graph/1', ['blocs', 'events', 'format'])
    """
    document: dict[str, Any] = {"format": FORMAT}
    if dataset.name:
        document["name"] = dataset.name
    generated = set().union(*(_generated_by(road) for road in dataset.roads))
    sections: dict[str, list[dict[str, Any]]] = {
        "parties": [_entry(p, RECORD_KINDS["parties"].fields) for p in dataset.parties],
        "blocs": [
            {
                **_entry(b, RECORD_KINDS["blocs"].fields, frozenset({"members"})),
                "members": [_entry(m, MEMBER_FIELDS) for m in b.members],
            }
            for b in dataset.blocs
        ],
        "places": [_entry(p, RECORD_KINDS["places"].fields) for p in dataset.places],
        "segments": [
            _entry(s, RECORD_KINDS["segments"].fields)
            for s in dataset.segments
            if s.id not in generated
        ],
        "roads": list(_roads(dataset)),
        "sources": [_entry(s, RECORD_KINDS["sources"].fields) for s in dataset.sources],
        "events": list(_events(dataset)),
        "incidents": [
            {**_about(i), **_entry(i, RECORD_KINDS["incidents"].fields, _TARGET_KEYS)}
            for i in dataset.incidents
        ],
        "access": [
            {**_about(a), **_entry(a, RECORD_KINDS["access"].fields, _TARGET_KEYS)}
            for a in dataset.access
        ],
        "retractions": [_entry(r, RECORD_KINDS["retractions"].fields) for r in dataset.retractions],
    }
    for section in RECORD_KINDS:
        if sections[section]:
            document[section] = [
                _ordered(e, RECORD_KINDS[section].fields) for e in sections[section]
            ]
    return document


def dump_dataset(dataset: Dataset, path: str | Path) -> Path:
    """Write ``dataset`` to ``path`` as YAML (``.yaml``, ``.yml``) or JSON (``.json``).

    Loading the file back (:func:`~control_graph.dataset.load.load_dataset`) gives the
    same records.

    Raises
    ------
    InvalidArgumentError
        When the extension is neither YAML nor JSON.
    """
    path = Path(path)
    file_format = FORMATS.get(path.suffix.lower())
    if file_format not in ("yaml", "json"):
        raise InvalidArgumentError(
            f"cannot write a dataset as {path.suffix or 'a file without extension'!r}; "
            "use .yaml, .yml or .json"
        )
    document = dataset_document(dataset)
    if file_format == "json":
        text = json.dumps(document, ensure_ascii=False, indent=1) + "\n"
    else:
        import yaml

        text = yaml.safe_dump(
            document, allow_unicode=True, sort_keys=False, default_flow_style=None, width=100
        )
    path.write_text(text, encoding="utf-8")
    return path
