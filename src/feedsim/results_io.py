"""Save a run's result to disk and load it back: Parquet tables plus a JSON record.

A saved result is a **directory**::

    PATH/
      result.json          format, versions, config, seed, ranker, days,
                           interventions, stats, folded totals, daily layout,
                           and the SHA-256 of every table file
      posts.parquet        result.posts
      authors.parquet      result.authors
      daily.parquet        result.daily (per-role series as SERIES.ROLE columns)
      pairs.parquet        viewer-author impression counts (exposure diversity)
      impressions.parquet  with record_impressions=True
      sessions.parquet     with record_impressions=True

Each table is plain Parquet, readable without feedsim (``pandas.read_parquet``,
DuckDB, R's arrow). Column dtypes are kept exactly. Account ids (``node_id``)
are stored as integers when every id is an integer, as text when every id is a
string, and otherwise as JSON text per id: numbers, strings and tuples of them
come back as they were, any other object as the text of its ``repr``.

The directory is written next to its destination and renamed into place, so
an interrupted save leaves no half-written result; the checksums make a file
changed or truncated afterwards fail to load with a one-line error.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile

import numpy as np

from . import __version__
from ._result_format import (
    _META,
    FORMAT,
    FORMAT_VERSION,
    _daily_from,
    _decode_ids,
    _pyarrow,
    _read_table,
    _sha256,
    save_result,
)
from .engine.config import SimulationConfig
from .engine.result import SimulationResult
from .errors import ResultFileError
from .random import SeedInfo

__all__ = ["FORMAT", "FORMAT_VERSION", "load_result", "save_result", "write_parquet"]

# ------------------------------------------------------------------ load
def load_result(path) -> SimulationResult:
    """Load a result written by :meth:`SimulationResult.save`.

    Parameters
    ----------
    path : str or path-like
        The saved result's directory.

    Returns
    -------
    SimulationResult
        With the same tables, daily series, config, seed, interventions and
        stats; its ``summary()`` equals the original's.

    Raises
    ------
    ResultFileError
        If ``path`` is missing, not a saved result, from a newer format, or a
        file in it is missing, changed or unreadable.
    MissingDependencyError
        Without pyarrow (``pip install "feedsim[io]"``).

    Examples
    --------
    >>> import os, tempfile, feedsim
    >>> res = feedsim.Simulation(feedsim.networks.default_community(200, seed=0), seed=0).run(days=1)
    >>> path = res.save(os.path.join(tempfile.mkdtemp(), "run"))
    >>> feedsim.load_result(path).summary() == res.summary()
    True
    """
    pa, pq = _pyarrow()
    path = os.fspath(path)
    if not os.path.exists(path):
        raise ResultFileError(f"no such saved result: {path}")
    meta = os.path.join(path, _META)
    if not os.path.isdir(path) or not os.path.isfile(meta):
        raise ResultFileError(f"{path} is not a saved feedsim result (no {_META} in it)")
    try:
        with open(meta) as fh:
            record = json.load(fh)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ResultFileError(f"{meta} is corrupt (not valid JSON: {exc})") from None
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise ResultFileError(f"{meta} is not a feedsim result record (format {record.get('format')!r})"
                              if isinstance(record, dict) else f"{meta} is not a feedsim result record")
    version = record.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ResultFileError(f"{path} has result format version {version!r}; this feedsim "
                              f"({__version__}) reads versions up to {FORMAT_VERSION}")
    known = {f.name for f in dataclasses.fields(SimulationConfig)}
    unknown = sorted(set(record.get("config") or {}) - known)
    if unknown:
        written = (record.get("versions") or {}).get("feedsim", "?")
        raise ResultFileError(f"{path} was saved by feedsim {written} with config fields this feedsim "
                              f"({__version__}) does not know: {', '.join(unknown)}")
    try:
        tables = {}
        for name, info in record["tables"].items():
            fpath = os.path.join(path, info["file"])
            if not os.path.isfile(fpath):
                raise ResultFileError(f"{path} is incomplete: {info['file']} is missing")
            if _sha256(fpath) != info["sha256"]:
                raise ResultFileError(f"{fpath} is corrupt (its SHA-256 differs from the one in {_META})")
            try:
                tables[name] = _read_table(pq, fpath, info["dtypes"])
            except (pa.ArrowException, OSError) as exc:
                raise ResultFileError(f"{fpath} is corrupt (cannot read it as Parquet: {exc})") from None
        authors = tables["authors"]
        if record.get("node_id") is not None:
            authors["node_id"] = _decode_ids(authors["node_id"], record["node_id"])
        pairs = tables["pairs"]
        folded = record.get("folded")
        if folded is not None:
            folded = {k: np.array(v["values"], dtype=np.dtype(v["dtype"])) for k, v in folded.items()}
        seed = record["seed"]
        entropy = seed["entropy"]
        res = SimulationResult(
            config=SimulationConfig(**record["config"]),
            seed=SeedInfo(tuple(entropy) if isinstance(entropy, list) else entropy, tuple(seed["spawn_key"])),
            ranker=record["ranker"],
            interventions=record["interventions"],
            posts=tables["posts"],
            authors=authors,
            daily=_daily_from(tables["daily"], record["daily"]),
            impressions=tables.get("impressions"),
            sessions=tables.get("sessions"),
            pairs=(pairs["viewer"], pairs["author"], pairs["count"]),
            stats=record["stats"],
            days=record["days"],
            folded=folded,
            post_id_offset=record["post_id_offset"],
        )
    except (KeyError, TypeError) as exc:
        raise ResultFileError(f"{meta} is corrupt (missing or malformed entry {exc})") from None
    res.version = record.get("result_version", res.version)
    return res


# ------------------------------------------------------------------ sweep tables
def write_parquet(frame, path) -> str:
    """Write a DataFrame (e.g. :func:`feedsim.load_results`) to one Parquet file.

    ``spawn_key`` tuples become lists of integers; ``started_at`` stays a UTC
    timestamp.

    Raises
    ------
    MissingDependencyError
        Without pyarrow (``pip install "feedsim[io]"``).
    ResultFileError
        If the file cannot be written.

    Examples
    --------
    >>> import os, tempfile, pandas as pd
    >>> out = os.path.join(tempfile.mkdtemp(), "runs.parquet")
    >>> _ = write_parquet(pd.DataFrame({"ranker": ["chronological"], "spawn_key": [(0, 1)]}), out)
    >>> pd.read_parquet(out)["spawn_key"][0].tolist()
    [0, 1]
    """
    pa, pq = _pyarrow()
    path = os.fspath(path)
    frame = frame.copy()
    for name in frame.columns:
        if frame[name].dtype == object and any(isinstance(v, tuple) for v in frame[name]):
            frame[name] = [list(v) if isinstance(v, tuple) else v for v in frame[name]]
    try:
        table = pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise ResultFileError(f"cannot write {path}: a column does not fit Parquet ({exc})") from None
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise ResultFileError(f"cannot write {path}: no such directory {parent}")
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=parent)
    os.close(fd)
    try:
        pq.write_table(table, tmp)
        os.replace(tmp, path)
    except OSError as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise ResultFileError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path
