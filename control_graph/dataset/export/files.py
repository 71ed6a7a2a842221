"""Writing a file whole or not at all.

Every export is written to a new file beside its target and renamed over it once
complete, so that a failure (a full disk, a bad argument found late, an interrupted
run) never leaves a half-written file where the user expects one, nor destroys the
previous version. The rename is atomic on POSIX and Windows file systems alike
(:func:`os.replace`).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path

from control_graph.errors import InvalidArgumentError

__all__ = ["write_atomically", "write_text"]


def _describe(error: OSError) -> str:
    return error.strerror or str(error)


def write_atomically(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(temporary)`` to create a file, then rename it to ``path``.

    The temporary file is in the same folder (a rename never crosses file systems),
    keeps the target's extension (writers that choose their format from it still do)
    and is removed when ``write`` fails.

    Raises
    ------
    InvalidArgumentError
        When the folder does not exist or cannot be written, or ``path`` is a folder.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> write_atomically(folder / "a.txt", lambda p: p.write_text("hi")).read_text()
    'hi'
    >>> write_atomically(folder / "missing" / "a.txt", lambda p: p.write_text("hi"))
    Traceback (most recent call last):
    ...
    control_graph.errors.InvalidArgumentError: cannot write ...: the folder ... does not exist
    """
    target = Path(path)
    folder = target.parent
    if not folder.is_dir():
        raise InvalidArgumentError(f"cannot write {target}: the folder {folder} does not exist")
    if target.is_dir():
        raise InvalidArgumentError(f"cannot write {target}: it is a folder")
    temporary = folder / f".{target.stem}.{secrets.token_hex(4)}.part{target.suffix}"
    try:
        write(temporary)
        os.replace(temporary, target)
    except OSError as error:
        raise InvalidArgumentError(f"cannot write {target}: {_describe(error)}") from None
    finally:
        # After a successful rename there is nothing left to remove.
        temporary.unlink(missing_ok=True)
    return target


def write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` whole or not at all.

    >>> import tempfile
    >>> write_text(Path(tempfile.mkdtemp()) / "a.csv", "a,b\\n").name
    'a.csv'
    """

    def write(temporary: Path) -> None:
        with temporary.open("x", encoding="utf-8", newline="") as file:
            file.write(text)

    return write_atomically(path, write)
