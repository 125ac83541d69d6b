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
import platform as _platform
import re
import shutil
import tempfile
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np

from . import __version__
from ._files import atomic_write, fsync_folder, plain, sha256_file
from .engine.config import SimulationConfig
from .engine.result import SimulationResult, pair_table_from_rows
from .errors import MissingDependencyError, ResultFileError, ResultFileWarning
from .network.graph import ROLES
from .random import SeedInfo

__all__ = ["FORMAT", "FORMAT_VERSION", "load_result", "save_result", "write_parquet"]

#: Config fields added after results were first saved, with the value that gives the model the
#: record was made with (a record without them predates them: no unfollows, lasting mutual affinity)
_ADDED_FIELDS = {"unfollow_share": 0.0, "mutual_affinity_lasts": True}
FORMAT = "feedsim-result"
#: 2: every file, result.json included, is listed with its SHA-256 in SHA256SUMS (1: tables only, in result.json)
FORMAT_VERSION = 2
_META = "result.json"
#: The manifest: one line ``<sha256 hex>  <file>`` per file, sorted, as written by ``sha256sum`` (so
#: ``sha256sum -c SHA256SUMS`` checks a saved result without feedsim). Its format never changes.
_MANIFEST = "SHA256SUMS"
_MANIFEST_LINE = re.compile(r"([0-9a-f]{64})  ([A-Za-z0-9_][A-Za-z0-9_.-]*)")
_MANIFEST_MAX_BYTES = 1 << 16


def _pyarrow():
    try:
        import pyarrow as pa  # noqa: PLC0415
        import pyarrow.parquet as pq  # noqa: PLC0415
    except ImportError:
        raise MissingDependencyError(
            'saving and loading results needs pyarrow, which is not installed: pip install "feedsim[io]"'
        ) from None
    return pa, pq


def _write_manifest(folder: str, names: list[str]) -> None:
    """Write SHA256SUMS for ``names`` (files in ``folder``), flushed to disk."""
    text = "".join(f"{sha256_file(os.path.join(folder, n))}  {n}\n" for n in sorted(names))
    for n in names:  # on disk before the folder is renamed into place
        with open(os.path.join(folder, n), "rb") as fh:
            os.fsync(fh.fileno())
    with open(os.path.join(folder, _MANIFEST), "w", encoding="ascii", newline="\n") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def _verify_manifest(path: str) -> set[str] | None:
    """Check every file SHA256SUMS lists in ``path``; return their names (None without a manifest).

    Raises
    ------
    ResultFileError
        One line naming the file that is missing or whose content changed, or
        the manifest if it cannot be parsed.
    """
    manifest = os.path.join(path, _MANIFEST)
    if not os.path.isfile(manifest):
        return None
    bad = f"{manifest} is corrupt (not a list of '<sha256>  <file>' lines)"
    try:
        with open(manifest, "rb") as fh:
            raw = fh.read(_MANIFEST_MAX_BYTES + 1)
    except OSError as exc:
        raise ResultFileError(f"cannot read {manifest}: {exc.strerror or exc}") from None
    try:
        lines = raw.decode("ascii").split("\n")
    except UnicodeDecodeError:
        raise ResultFileError(bad) from None
    if len(raw) > _MANIFEST_MAX_BYTES or lines[-1] != "" or len(lines) < 2:
        raise ResultFileError(bad)
    listed: dict[str, str] = {}
    for line in lines[:-1]:
        m = _MANIFEST_LINE.fullmatch(line)
        if m is None or m.group(2) in listed or m.group(2) == _MANIFEST:
            raise ResultFileError(bad)
        listed[m.group(2)] = m.group(1)
    if list(listed) != sorted(listed) or _META not in listed:
        raise ResultFileError(bad)
    for name, digest in listed.items():
        fpath = os.path.join(path, name)
        if not os.path.isfile(fpath):
            raise ResultFileError(f"{path} is incomplete: {name} is missing (or {_MANIFEST} is damaged)")
        if sha256_file(fpath) != digest:
            raise ResultFileError(f"{fpath} is corrupt (its SHA-256 differs from the one in {_MANIFEST})")
    return set(listed)


# ------------------------------------------------------------------ interrupted saves
#: Temporary folders of a save: ``.NAME.saving-PID-XXXXXXXX.tmp`` (the new result being written) and
#: ``.NAME.saving-PID-XXXXXXXX.old`` (holding the replaced result as ``r`` between the two renames of
#: ``overwrite=True``). Older feedsim wrote ``.NAME.XXXXXXXX.tmp`` / ``.old`` (no PID).
_SAVING = "saving-"


def _temp_prefix(name: str) -> str:
    return f".{name}.{_SAVING}{os.getpid()}-"


def _leftovers(parent: str, name: str) -> list[tuple[str, str, int | None]]:
    """(path, kind, pid) of the temporary folders that saves of ``name`` left in ``parent``."""
    pattern = re.compile(rf"\.{re.escape(name)}\.(?:{_SAVING}(\d+)-)?[a-z0-9_]{{8}}\.(tmp|old)")
    try:
        entries = os.listdir(parent)
    except OSError:
        return []
    out = []
    for entry in sorted(entries):
        m = pattern.fullmatch(entry)
        if m is not None:
            out.append((os.path.join(parent, entry), m.group(2), None if m.group(1) is None else int(m.group(1))))
    return out


_IN_PROGRESS: set[str] = set()  # temporary folders of saves running in this process


def _owner_alive(path: str, pid: int | None) -> bool:
    if pid is None:  # written by an older feedsim: no owner recorded; such a save is long over
        return False
    if pid == os.getpid():
        return path in _IN_PROGRESS
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _recover(target: str, shown: str, stacklevel: int) -> None:
    """Finish what an interrupted save of ``target`` left: restore or remove its temporary folders.

    An ``.old`` folder whose save died between its two renames holds the previous
    result; with no result at ``target`` it is moved back, otherwise removed. A
    ``.tmp`` folder of a dead save is removed. Folders of a save still running
    (its process is alive) are left alone. Each step is reported with a
    :class:`~feedsim.errors.ResultFileWarning` pointing ``stacklevel`` frames up
    (1: this function).
    """
    parent, name = os.path.split(target)
    for folder, kind, pid in _leftovers(parent, name):
        if _owner_alive(folder, pid):
            continue
        base = os.path.basename(folder)
        if kind == "old" and not os.path.lexists(target):
            try:  # the previous result, moved aside by a save that died before renaming the new one in
                os.rename(os.path.join(folder, "r"), target)
            except OSError:
                continue  # another process restored it first, or it cannot be moved: leave it as it is
            msg = f"restored the saved result {shown} from {base}, left by a save that was interrupted"
        else:
            what = ("an unfinished save" if kind == "tmp" else "the result replaced by an interrupted save")
            msg = f"removed {base} next to {shown}: {what}"
        shutil.rmtree(folder, ignore_errors=True)
        if os.path.lexists(folder):
            continue
        warnings.warn(msg, ResultFileWarning, stacklevel=stacklevel)


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
def save_result(result: SimulationResult, path, *, overwrite: bool = False, stacklevel: int = 2) -> str:
    """Write ``result`` to the directory ``path`` (the layout is in the module's description).

    Parameters
    ----------
    result : SimulationResult
    path : str or path-like
        The directory to create.
    overwrite : bool, default False
        Replace an existing saved result at ``path``.
    stacklevel : int, default 2
        Where warnings about an interrupted earlier save point (2: the caller).

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

    Warns
    -----
    ResultFileWarning
        When an earlier save of ``path`` was interrupted: its temporary folder
        is removed, or the result it was replacing is restored first.

    Examples
    --------
    >>> import os, tempfile, feedsim
    >>> res = feedsim.Simulation(feedsim.networks.default_community(50, seed=0), seed=0).run(days=1)
    >>> path = save_result(res, os.path.join(tempfile.mkdtemp(), "run"))
    >>> sorted(os.listdir(path))[:2]
    ['SHA256SUMS', 'authors.parquet']
    """
    pa, pq = _pyarrow()
    path = os.fspath(path)
    target = os.path.abspath(path)
    parent = os.path.dirname(target)
    if not os.path.isdir(parent):
        raise ResultFileError(f"cannot save to {path}: no such directory {parent}")
    _recover(target, path, stacklevel=stacklevel + 1)
    if os.path.lexists(target):
        if not overwrite:
            raise ResultFileError(f"{path} already exists; pass overwrite=True to replace it")
        if not (os.path.isdir(target) and os.path.isfile(os.path.join(target, _META))):
            raise ResultFileError(f"{path} exists and is not a saved feedsim result; not replacing it")
    tmp = None
    try:
        tmp = tempfile.mkdtemp(prefix=_temp_prefix(os.path.basename(target)), suffix=".tmp", dir=parent)
        _IN_PROGRESS.add(tmp)
        _write_folder(pa, pq, result, tmp)
        if os.path.lexists(target):
            old = tempfile.mkdtemp(prefix=_temp_prefix(os.path.basename(target)), suffix=".old", dir=parent)
            _IN_PROGRESS.add(old)
            try:
                os.rename(target, os.path.join(old, "r"))
                try:
                    os.rename(tmp, target)  # killed between the renames: the next save or load restores ``old``
                except BaseException:
                    os.rename(os.path.join(old, "r"), target)
                    raise
            finally:
                _IN_PROGRESS.discard(old)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, target)
        fsync_folder(parent)
    except OSError as exc:
        if isinstance(exc, ResultFileError):
            raise
        why = f" (folder {parent} is not writable)" if isinstance(exc, PermissionError) else ""
        raise ResultFileError(f"cannot save to {path}: {exc.strerror or exc}{why}") from None
    finally:
        if tmp is not None:
            _IN_PROGRESS.discard(tmp)
            shutil.rmtree(tmp, ignore_errors=True)
    return path


def _write_folder(pa, pq, result: SimulationResult, folder: str) -> None:
    """Write the tables, result.json and SHA256SUMS of ``result`` into the empty ``folder``."""
    tables: dict[str, dict[str, np.ndarray]] = {
        "posts": dict(result.posts.items()),
        "authors": dict(result.authors.items()),
    }
    node_kind = None
    if "node_id" in tables["authors"]:
        tables["authors"]["node_id"], node_kind = _encode_ids(tables["authors"]["node_id"])
    daily_cols, layout = _daily_columns(result.daily)
    tables["daily"] = daily_cols
    ptr, author, count = result._pair_table  # the CSR's entries, with their row written out
    viewer = np.repeat(np.arange(len(ptr) - 1, dtype=np.int64), np.diff(ptr))
    tables["pairs"] = {"viewer": viewer, "author": author, "count": count}
    if result.impressions is not None:
        tables["impressions"] = dict(result.impressions.items())
    if result.sessions is not None:
        tables["sessions"] = dict(result.sessions.items())
    files: dict[str, dict[str, Any]] = {}
    for name, cols in tables.items():
        fname = f"{name}.parquet"
        _write_table(pa, pq, cols, os.path.join(folder, fname))
        dtypes = _dtypes(cols)
        if name == "authors" and node_kind is not None:
            dtypes["node_id"] = "O"
        files[name] = {"file": fname, "columns": list(cols), "dtypes": dtypes}
    record = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "versions": _versions(pa),
        "result_version": result.version,
        "ranker": result.ranker,
        "days": result.days,
        "config": plain(_config_fields(result.config)),
        "seed": result.seed.to_dict(),
        "interventions": plain(result.interventions),
        "stats": plain(result.stats),
        "post_id_offset": result.post_id_offset,
        "folded": None if result.folded is None else
        {k: {"dtype": np.asarray(v).dtype.str, "values": plain(v)} for k, v in result.folded.items()},
        "node_id": node_kind,
        "daily": layout,
        "tables": files,
    }
    with open(os.path.join(folder, _META), "w") as fh:
        json.dump(record, fh, indent=1, sort_keys=True, default=str)
    _write_manifest(folder, [_META, *(info["file"] for info in files.values())])


def _config_fields(config) -> dict:
    return dataclasses.asdict(config)


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
                if sha256_file(fpath) != info["sha256"]:
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
            config=SimulationConfig(**{**_ADDED_FIELDS, **record["config"]}),
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
    try:
        atomic_write(path, lambda fh: pq.write_table(table, fh))
    except OSError as exc:
        raise ResultFileError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path
