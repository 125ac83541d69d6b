"""File and JSON helpers, one of each: a file's SHA-256, an atomic write, plain JSON values.

Saved results (:mod:`feedsim.results_io`), checkpoints, sweep graphs and tables
use these; nothing else in feedsim hashes files, renames temporary files into
place or converts NumPy values for JSON.

Examples
--------
>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "x.bin")
>>> atomic_write(path, lambda fh: fh.write(b"abc"))
>>> sha256_file(path)[:16]
'ba7816bf8f01cfea'
>>> plain({"a": np.float64("nan"), "b": (np.int64(1), 2.5)}, strict=True)
{'a': None, 'b': [1, 2.5]}
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import tempfile
from collections.abc import Callable
from typing import IO, Any

import numpy as np

__all__ = ["atomic_write", "fsync_folder", "plain", "sha256_file"]


def sha256_file(path: str | os.PathLike) -> str:
    """SHA-256 (hex) of a file's content, read in blocks of 1 MiB."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fsync_folder(folder: str | os.PathLike) -> None:
    """Make the renames in ``folder`` durable (not possible on every OS: then nothing happens)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: str | os.PathLike, write: Callable[[IO[bytes]], Any]) -> None:
    """Write a file through ``write(fh)`` so that readers see the old file or the whole new one.

    The content goes to a temporary file ``.NAME.*.tmp`` in the same folder, is
    flushed to disk, and is renamed over ``path``; on any error the temporary
    file is removed and the error re-raised.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_folder(folder)


def plain(x: Any, *, strict: bool = False) -> Any:
    """``x`` as plain Python values for JSON: NumPy scalars and arrays converted, tuples as lists.

    With ``strict=True`` NaN and infinities become None (strict JSON, as in
    summaries); otherwise they stay floats (``json`` writes them as ``NaN`` and
    ``Infinity`` and reads them back, as a saved result needs).
    """
    if isinstance(x, dict):
        return {str(k): plain(v, strict=strict) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [plain(v, strict=strict) for v in x]
    if isinstance(x, np.ndarray):
        return plain(x.tolist(), strict=strict)
    if isinstance(x, np.generic):
        x = x.item()
    if strict and isinstance(x, float) and not math.isfinite(x):
        return None
    return x
