"""The on-disk format of a saved result: the table codec and :func:`save_result`.

The layout is described in :mod:`feedsim.results_io`, which also reads results
back (:func:`feedsim.load_result`). This module knows nothing of
:class:`~feedsim.engine.result.SimulationResult` beyond the attributes it reads
(:class:`SavableResult`), so the result can save itself without an import cycle.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import platform as _platform
import shutil
import tempfile
from collections.abc import Mapping
from typing import Any, Protocol

import numpy as np

from . import __version__
from .errors import MissingDependencyError, ResultFileError
from .network.graph import ROLES
from .random import SeedInfo

__all__ = ["FORMAT", "FORMAT_VERSION", "SavableResult", "save_result"]


class SavableResult(Protocol):
    """What :func:`save_result` reads of a result (a :class:`~feedsim.SimulationResult` has it; read-only).

    Examples
    --------
    >>> import os, tempfile, feedsim
    >>> res: SavableResult = feedsim.Simulation(feedsim.networks.default_community(50, seed=0), seed=0).run(days=1)
    >>> path = save_result(res, os.path.join(tempfile.mkdtemp(), "run"))
    >>> feedsim.load_result(path).days
    1.0
    """

    @property
    def posts(self) -> Mapping[str, np.ndarray]: ...

    @property
    def authors(self) -> Mapping[str, np.ndarray]: ...

    @property
    def daily(self) -> Mapping[str, np.ndarray]: ...

    @property
    def impressions(self) -> Mapping[str, np.ndarray] | None: ...

    @property
    def sessions(self) -> Mapping[str, np.ndarray] | None: ...

    @property
    def version(self) -> str: ...

    @property
    def ranker(self) -> str: ...

    @property
    def days(self) -> float: ...

    @property
    def config(self) -> Any: ...

    @property
    def seed(self) -> SeedInfo: ...

    @property
    def interventions(self) -> list[dict]: ...

    @property
    def stats(self) -> dict: ...

    @property
    def post_id_offset(self) -> int: ...

    @property
    def folded(self) -> Mapping[str, np.ndarray] | None: ...

    @property
    def _pairs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]: ...


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


def _daily_columns(daily: Mapping[str, np.ndarray]) -> tuple[dict[str, np.ndarray], list[dict]]:
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
def save_result(result: SavableResult, path, *, overwrite: bool = False) -> str:
    """Write ``result`` to the directory ``path`` (the layout is in :mod:`feedsim.results_io`).

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
