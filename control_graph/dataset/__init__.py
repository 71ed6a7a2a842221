"""The dataset file format alone: YAML, JSON and CSV files to validated records, and back.

:data:`~control_graph.dataset.fields.RECORD_KINDS` is the format in one table; from it
derive the keys and columns a file may have, validation, the rows the store writes,
and :func:`dump_dataset`. Nothing here touches a database: the store passes what it
holds to :func:`load_dataset` (see :class:`~control_graph.dataset.checks.Existing`).

Examples
--------
>>> import control_graph as cg
>>> from control_graph.dataset import load_dataset
>>> loaded = load_dataset(cg.sample_path())
>>> loaded.file_format, loaded.dataset.name is not None
('yaml', True)
"""

from typing import TYPE_CHECKING, Any

from control_graph.dataset.fields import (
    EVENT_CSV_COLUMNS,
    FORMAT,
    RECORD_KINDS,
    SECTION_NOUNS,
    TOP_KEYS,
)

if TYPE_CHECKING:
    from control_graph.dataset.dump import dataset_document, dump_dataset
    from control_graph.dataset.load import LoadedDataset, load_dataset

# Reading and writing files load when first used: every question reads the format's
# table (fields), few read or write a file.
_LAZY = {
    "dataset_document": "control_graph.dataset.dump",
    "dump_dataset": "control_graph.dataset.dump",
    "LoadedDataset": "control_graph.dataset.load",
    "load_dataset": "control_graph.dataset.load",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


__all__ = [
    "EVENT_CSV_COLUMNS",
    "FORMAT",
    "RECORD_KINDS",
    "SECTION_NOUNS",
    "TOP_KEYS",
    "LoadedDataset",
    "dataset_document",
    "dump_dataset",
    "load_dataset",
]
