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
import hashlib
import json
import os
import platform as _platform
import shutil
import tempfile
from typing import TYPE_CHECKING, Any

import numpy as np

from . import __version__
from .errors import MissingDependencyError, ResultFileError

if TYPE_CHECKING:  # pragma: no cover
    from .engine.result import SimulationResult

__all__ = ["FORMAT", "FORMAT_VERSION", "load_result", "save_result", "write_parquet"]

FORMAT = "feedsim-result"
FORMAT_VERSION = 1
_META = "result.json"


def _pyarrow():
    try:
        import pyarrow as pa  # noqa: PLC0415
        import pyarrow.parquet as pq  # noqa: PLC0415
    except ImportError:
        raise MissingDependencyError(
            'saving and loading results needs pyarrow, which is not installed: pip install "feedsim[io]"'
        ) from None
    return pa, pq


def _sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _jsonable(x: Any) -> Any:
    """Python scalars and lists for JSON (NumPy scalars and arrays converted)."""
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return _jsonable(x.tolist())
    if isinstance(x, np.generic):
        return x.item()
    return x


# ------------------------------------------------------------------ node ids
def _encode_ids(ids: np.ndarray) -> tuple[np.ndarray, str]:
    values = ids.tolist()
    if all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in values):
        if all(-(2**63) <= int(v) < 2**63 for v in values):
            return np.array(values, dtype=np.int64), "int"
    if all(isinstance(v, str) for v in values):
        return np.array(values, dtype=object), "str"
    return np.array([json.dumps(_tag(v)) for v in values], dtype=object), "json"


def _tag(v: Any) -> Any:
    """A node id as JSON: tuples tagged so they come back as tuples; other objects as their repr."""
    if isinstance(v, tuple):
        return {"tuple": [_tag(e) for e in v]}
    if isinstance(v, np.generic):
        return v.item()
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    return {"repr": repr(v)}


def _untag(v: Any) -> Any:
    if isinstance(v, dict):
        return tuple(_untag(e) for e in v["tuple"]) if "tuple" in v else v["repr"]
    return v


def _decode_ids(col: np.ndarray, kind: str) -> np.ndarray:
    out = np.empty(len(col), dtype=object)
    if kind == "int":
        out[:] = [int(v) for v in col]
    elif kind == "str":
        out[:] = list(col)
    else:
        out[:] = [_untag(json.loads(v)) for v in col]
    return out


# ------------------------------------------------------------------ tables
def _write_table(pa, pq, columns: dict[str, np.ndarray], path: str) -> None:
    arrays, names = [], []
    for name, values in columns.items():
        values = np.asarray(values)
        arrays.append(pa.array(values, type=pa.string()) if values.dtype == object else pa.array(values))
        names.append(name)
    pq.write_table(pa.Table.from_arrays(arrays, names=names), path)


def _read_table(pq, path: str, dtypes: dict[str, str]) -> dict[str, np.ndarray]:
    table = pq.read_table(path)
    out = {}
    for name in table.column_names:
        col = table.column(name).to_numpy(zero_copy_only=False)
        want = np.dtype(dtypes[name])
        out[name] = np.array(col, dtype=want, copy=True)
    return out


def _dtypes(columns: dict[str, np.ndarray]) -> dict[str, str]:
    return {k: np.asarray(v).dtype.str if np.asarray(v).dtype != object else "O" for k, v in columns.items()}


def _daily_columns(daily: dict[str, np.ndarray]) -> tuple[dict[str, np.ndarray], list[dict]]:
    from .network.graph import ROLES  # noqa: PLC0415

    cols: dict[str, np.ndarray] = {}
    layout = []
    for key, arr in daily.items():
        arr = np.asarray(arr)
        if arr.ndim == 2:
            for j in range(arr.shape[1]):
                cols[f"{key}.{ROLES[j] if arr.shape[1] == len(ROLES) else j}"] = arr[:, j]
        else:
            cols[key] = arr
        layout.append({"name": key, "shape": list(arr.shape), "dtype": arr.dtype.str})
    return cols, layout


def _daily_from(cols: dict[str, np.ndarray], layout: list[dict]) -> dict[str, np.ndarray]:
    from .network.graph import ROLES  # noqa: PLC0415

    out = {}
    for item in layout:
        key, shape, dtype = item["name"], item["shape"], np.dtype(item["dtype"])
        if len(shape) == 2:
            names = [f"{key}.{ROLES[j] if shape[1] == len(ROLES) else j}" for j in range(shape[1])]
            arr = np.column_stack([cols[n] for n in names]) if names and shape[0] else np.zeros(shape, dtype)
            out[key] = np.ascontiguousarray(arr, dtype=dtype).reshape(shape)
        else:
            out[key] = np.asarray(cols[key], dtype=dtype)
    return out


def _versions(pa) -> dict[str, str]:
    import pandas  # noqa: PLC0415
    import scipy  # noqa: PLC0415

    return {"feedsim": __version__, "numpy": np.__version__, "scipy": scipy.__version__,
            "pandas": pandas.__version__, "pyarrow": pa.__version__, "python": _platform.python_version()}


# ------------------------------------------------------------------ save
def save_result(result: SimulationResult, path, *, overwrite: bool = False) -> str:
    """Write ``result`` to the directory ``path`` (see the module docstring).

    Parameters
    ----------
    result : SimulationResult
    path : str or path-like
        The directory to create.
    overwrite : bool, default False
        Replace an existing saved result at ``path``.

    Returns
    -------
    str
        The path written.

    Raises
    ------
    MissingDependencyError
        Without pyarrow (``pip install "feedsim[io]"``).
    ResultFileError
        If ``path`` exists (and ``overwrite`` is False, or it is not a saved
        result) or cannot be written.
    """
    pa, pq = _pyarrow()
    path = os.fspath(path)
    target = os.path.abspath(path)
    if os.path.lexists(target):
        if not overwrite:
            raise ResultFileError(f"{path} already exists; pass overwrite=True to replace it")
        if not (os.path.isdir(target) and os.path.isfile(os.path.join(target, _META))):
            raise ResultFileError(f"{path} exists and is not a saved feedsim result; not replacing it")
    parent = os.path.dirname(target)
    if not os.path.isdir(parent):
        raise ResultFileError(f"cannot save to {path}: no such directory {parent}")
    tmp = tempfile.mkdtemp(prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=parent)
    try:
        tables: dict[str, dict[str, np.ndarray]] = {
            "posts": dict(result.posts.items()),
            "authors": dict(result.authors.items()),
        }
        node_kind = None
        if "node_id" in tables["authors"]:
            tables["authors"]["node_id"], node_kind = _encode_ids(tables["authors"]["node_id"])
        daily_cols, layout = _daily_columns(result.daily)
        tables["daily"] = daily_cols
        viewer, author, counts = result._pairs
        tables["pairs"] = {"viewer": viewer, "author": author, "count": counts}
        if result.impressions is not None:
            tables["impressions"] = dict(result.impressions.items())
        if result.sessions is not None:
            tables["sessions"] = dict(result.sessions.items())
        files = {}
        for name, cols in tables.items():
            fname = f"{name}.parquet"
            fpath = os.path.join(tmp, fname)
            _write_table(pa, pq, cols, fpath)
            dtypes = _dtypes(cols)
            if name == "authors" and node_kind is not None:
                dtypes["node_id"] = "O"
            files[name] = {"file": fname, "sha256": _sha256(fpath), "columns": list(cols), "dtypes": dtypes}
        record = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "versions": _versions(pa),
            "result_version": result.version,
            "ranker": result.ranker,
            "days": result.days,
            "config": _jsonable(_config_fields(result.config)),
            "seed": result.seed.to_dict(),
            "interventions": _jsonable(result.interventions),
            "stats": _jsonable(result.stats),
            "post_id_offset": result.post_id_offset,
            "folded": None if result.folded is None else
            {k: {"dtype": np.asarray(v).dtype.str, "values": _jsonable(v)} for k, v in result.folded.items()},
            "node_id": node_kind,
            "daily": layout,
            "tables": files,
        }
        with open(os.path.join(tmp, _META), "w") as fh:
            json.dump(record, fh, indent=1, sort_keys=True, default=str)
            fh.flush()
            os.fsync(fh.fileno())
        if os.path.lexists(target):
            old = tempfile.mkdtemp(prefix=f".{os.path.basename(target)}.", suffix=".old", dir=parent)
            os.rename(target, os.path.join(old, "r"))
            os.rename(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, target)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, ResultFileError):
            raise
        raise ResultFileError(f"cannot save to {path}: {exc.strerror or exc}") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return path


def _config_fields(config) -> dict:
    return dataclasses.asdict(config)


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
    from .engine.config import SimulationConfig  # noqa: PLC0415
    from .engine.result import SimulationResult  # noqa: PLC0415
    from .random import SeedInfo  # noqa: PLC0415

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
