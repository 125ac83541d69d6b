"""Save a run's result to disk and load it back: Parquet tables plus a JSON record.

A saved result is a **directory**::

    PATH/
      SHA256SUMS           the SHA-256 of every other file, one "<hex>  <file>"
                           line each (``sha256sum -c SHA256SUMS`` checks them)
      result.json          format, versions, config, seed, ranker, days,
                           interventions, stats, folded totals, daily layout,
                           and each table's columns and dtypes
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

The directory is written next to its destination (``.PATH.saving-PID-*.tmp``),
flushed to disk and renamed into place, so an interrupted save leaves no
half-written result. Replacing a result (``overwrite=True``) moves the old one
aside first (``.PATH.saving-PID-*.old``); if the save dies between the two
renames, the next save or load of ``PATH`` moves the old result back, and
removes the temporary folders of saves that died, with a
:class:`~feedsim.errors.ResultFileWarning` each time. Any byte changed after
saving, in any file, makes the load fail with a one-line
:class:`~feedsim.errors.ResultFileError` naming the file. Results saved in
format 1 (no SHA256SUMS; the tables' checksums in result.json) still load.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile

import numpy as np

from . import __version__
from ._result_format import (
    _MANIFEST,
    _META,
    FORMAT,
    FORMAT_VERSION,
    _daily_from,
    _decode_ids,
    _pyarrow,
    _read_table,
    _recover,
    _sha256,
    _verify_manifest,
    save_result,
)
from .engine.config import SimulationConfig
from .engine.result import SimulationResult, pair_table_from_rows
from .errors import ResultFileError
from .random import SeedInfo

__all__ = ["FORMAT", "FORMAT_VERSION", "load_result", "save_result", "write_parquet"]

# ------------------------------------------------------------------ load
def load_result(path, *, stacklevel: int = 2) -> SimulationResult:
    """Load a result written by :meth:`SimulationResult.save`.

    Parameters
    ----------
    path : str or path-like
        The saved result's directory.
    stacklevel : int, default 2
        Where warnings about an interrupted save point (2: the caller).

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

    Warns
    -----
    ResultFileWarning
        When a save of ``path`` was interrupted: the result it was replacing is
        restored, or its temporary folder removed, before loading.

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
    return _load(pa, pq, path, stacklevel + 1)


def _load(pa, pq, path: str, stacklevel: int) -> SimulationResult:
    _recover(os.path.abspath(path), path, stacklevel=stacklevel + 1)
    if not os.path.exists(path):
        raise ResultFileError(f"no such saved result: {path}")
    meta = os.path.join(path, _META)
    if not os.path.isdir(path) or not os.path.isfile(meta):
        raise ResultFileError(f"{path} is not a saved feedsim result (no {_META} in it)")
    verified = _verify_manifest(path)  # every byte of every listed file, result.json included
    try:
        with open(meta, "rb") as fh:
            record = json.loads(fh.read())
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ResultFileError(f"{meta} is corrupt (not valid JSON: {exc})") from None
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise ResultFileError(f"{meta} is not a feedsim result record (format {record.get('format')!r})"
                              if isinstance(record, dict) else f"{meta} is not a feedsim result record")
    version = record.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version > FORMAT_VERSION:
        raise ResultFileError(f"{path} has result format version {version!r}; this feedsim "
                              f"({__version__}) reads versions up to {FORMAT_VERSION}")
    if verified is None and version >= 2:
        raise ResultFileError(f"{path} is incomplete: {_MANIFEST} is missing")
    known = {f.name for f in dataclasses.fields(SimulationConfig)}
    config = record.get("config")
    unknown = sorted(set(config) - known) if isinstance(config, dict) else []
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
            if verified is None:  # format 1: the tables' checksums are in result.json
                if _sha256(fpath) != info["sha256"]:
                    raise ResultFileError(f"{fpath} is corrupt (its SHA-256 differs from the one in {_META})")
            elif info["file"] not in verified:
                raise ResultFileError(f"{fpath} is not listed in {_MANIFEST}; the saved result is damaged")
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
            pair_table=pair_table_from_rows(pairs["viewer"], pairs["author"], pairs["count"], len(authors["role"])),
            stats=record["stats"],
            days=record["days"],
            folded=folded,
            post_id_offset=record["post_id_offset"],
        )
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, OverflowError) as exc:
        # a record that passed its checksum but does not describe a result (edited by hand, or
        # from another program); InvalidParameterError is a ValueError
        raise ResultFileError(f"{meta} is corrupt (missing or malformed entry: "
                              f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})") from None
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
