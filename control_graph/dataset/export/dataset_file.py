"""The dataset itself, as YAML or JSON: the backup and hand-over format.

:func:`write_dataset_file` writes what :func:`~control_graph.dataset.dump.dump_dataset`
writes -- definitions, events with their ids in order, incidents, access records and
retractions, in format ``control-graph/1`` -- whole or not at all, under any file name.
Importing the file into a new database gives the same answer to every question.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from control_graph.dataset.dump import dump_dataset
from control_graph.dataset.export.files import write_atomically
from control_graph.model.records import Dataset

__all__ = ["write_dataset_file"]


def write_dataset_file(
    dataset: Dataset, path: str | Path, file_format: Literal["yaml", "json"]
) -> Path:
    """Write ``dataset`` to ``path`` as ``file_format``, whatever its extension.

    Examples
    --------
    >>> import tempfile
    >>> import control_graph as cg
    >>> from control_graph.dataset import load_dataset
    >>> dataset = load_dataset(cg.sample_path()).dataset
    >>> path = write_dataset_file(dataset, Path(tempfile.mkdtemp()) / "backup.txt", "json")
    >>> load_dataset(path.rename(path.with_suffix(".json"))).dataset == dataset
    True
    """

    def write(temporary: Path) -> None:
        # dump_dataset takes its format from the extension: give it the right one.
        named = temporary.with_name(f"{temporary.name}.{file_format}")
        try:
            dump_dataset(dataset, named)
            os.replace(named, temporary)
        finally:
            named.unlink(missing_ok=True)

    return write_atomically(path, write)
