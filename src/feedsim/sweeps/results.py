"""Read a results store as tidy tables and aggregate replicates, alone or as paired contrasts.

:func:`load_results` and :func:`load_daily` return a ``pandas.DataFrame``;
:func:`aggregate` takes a DataFrame or a dict of equal-length NumPy arrays and
returns the same kind. Columns are typed (the same under pandas 2 and 3): integers as ``int64``, metrics as
``float64`` with NaN where undefined, text as objects with ``None`` where
missing (``error`` of a finished run), ``started_at`` as a UTC timestamp.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._frames import object_frame
from .._suggest import did_you_mean
from ..engine.config import SimulationConfig
from ..errors import InvalidParameterError
from .execute import REACH_PREFIX
from .intervals import bounded_interval, paired_difference, unpaired_difference
from .spec import PAIRED_METRICS, metric_bounds
from .store import ResultsStore, StoreDamagedError

__all__ = ["load_results", "load_daily", "aggregate", "param_columns"]

_TRAILING = ("seed_entropy", "spawn_key", "started_at", "wall_seconds", "worker", "feedsim_version", "numpy_version")
_NOT_METRICS = {"run_key", "point_key", "ranker", "ranker_version", "graph_sha256", "replicate", "status", "error",
                *_TRAILING}
_CONFIG_FIELDS = {f.name for f in dataclasses.fields(SimulationConfig)}


def _column(values: list) -> np.ndarray:
    if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        if all(-(2**63) <= v < 2**63 for v in values):
            return np.array(values, dtype=np.int64)
        return np.array(values, dtype=object)
    if values and all(isinstance(v, bool) for v in values):
        return np.array(values, dtype=bool)
    if any(v is not None for v in values) and all(
            v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)) for v in values):
        return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _finish(columns: dict[str, Any], as_pandas: bool = True):
    arrays = {k: v if isinstance(v, np.ndarray) else _column(v) for k, v in columns.items()}
    if as_pandas:
        frame = object_frame(arrays)
        for k, v in arrays.items():
            if v.dtype.kind == "M":
                frame[k] = pd.to_datetime(v, utc=True)
        return frame
    return arrays


def _floats(values: list) -> np.ndarray:
    return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)


def _split(name: str) -> tuple[str, str | None]:
    """``voice_ratio.quiet`` -> (``voice_ratio``, ``quiet``); scalars have no role."""
    head, _, role = name.partition(".")
    return head, (role or None)


def _read(path, daily: bool = False):
    """The runs (and with ``daily=True`` the daily rows) of a store, every run's checksum verified first."""
    with ResultsStore(path, create=False) as store:
        store.check(stacklevel=4)
        rows = store.rows(
            "SELECT run_key, point_key, ranker, ranker_version, replicate, graph, params, status, error, metrics, "
            "seed_entropy, spawn_key, started_at, wall_seconds, worker, feedsim_version, numpy_version "
            "FROM runs ORDER BY rowid"
        )
        spec = store.spec() or {}
        order = store.order()
        days = (store.rows("SELECT run_key, day, series, value FROM daily ORDER BY run_key, series, day")
                if daily else [])
    pos = {k: i for i, k in enumerate(order)}
    rows.sort(key=lambda r: pos.get(r[0], len(pos)))  # grid order; runs of an older spec after
    return rows, spec, days


def _cells(path, rows, column: int, name: str) -> list:
    """The JSON cells of one column (a store of schema 2 has no checksums: a bad cell names its run)."""
    out = []
    for r in rows:
        try:
            out.append(json.loads(r[column]) if r[column] else {})
        except (ValueError, TypeError, RecursionError):
            raise StoreDamagedError(f"{path}: run {r[0]} is damaged ({name} is not valid JSON); delete it "
                                    f"(sqlite3 {path} \"DELETE FROM runs WHERE run_key = '{r[0]}'\") and run the "
                                    f"sweep on it again to rerun it", (r[0],)) from None
    return out


def _ranker_labels(rows) -> list[str]:
    """The ranker's name, or ``name@version`` where a store holds several versions of it."""
    versions: dict[str, set] = {}
    for r in rows:
        versions.setdefault(r[2], set()).add(r[3])
    return [r[2] if len(versions[r[2]]) == 1 else f"{r[2]}@{r[3].rpartition('@')[2]}" for r in rows]


def _amplification(rows, metrics: list[dict], wanted: list[str]) -> dict[str, list]:
    """Amplification columns: reach per post over that of the chronological run with the same seed, minus 1."""
    partner = {}
    for r, m in zip(rows, metrics):
        if r[2] == "chronological" and r[3] == "builtin" and r[7] == "ok":
            partner[(r[5], r[10], r[11])] = m
    out: dict[str, list] = {name: [] for name in wanted}
    for r, m in zip(rows, metrics):
        base = partner.get((r[5], r[10], r[11]))
        for name in wanted:
            head, group = _split(name)
            key = f"{REACH_PREFIX}{'role' if head == 'amplification' else 'followers'}.{group}"
            own = m.get(key)
            ref = None if base is None else base.get(key)
            out[name].append(None if own is None or not ref else own / ref - 1.0)
    return out


def _started(values: list) -> np.ndarray:
    return np.array([np.datetime64("NaT") if v is None else np.datetime64(int(round(v * 1e6)), "us")
                     for v in values], dtype="datetime64[us]")


def load_results(path, *, form: str = "wide") -> pd.DataFrame:
    """Load every run of a results store as a tidy table, in grid order.

    Wide form (default), one row per run: ``run_key``, ``point_key``,
    ``ranker`` (``name@version`` when the store holds several versions of a
    custom ranker), ``ranker_version``, ``graph_sha256`` (for file graphs), one
    column per parameter any run sets (``graph.mean_follows`` too; runs that do
    not set one get its default), ``replicate``, ``status`` (``ok`` or
    ``failed``), ``error`` (text, None for a finished run), one float column per
    kept metric (``impression_share.quiet``; NaN when undefined or failed), then
    ``seed_entropy`` (int), ``spawn_key`` (tuple of int), ``started_at`` (UTC
    timestamp), ``wall_seconds``, ``worker``, ``feedsim_version`` and
    ``numpy_version``. Rows follow the spec's grid order (point by point,
    replicates in order; chronological partners added for amplification come
    right after their point), so the same runs give the same table whatever the
    execution order.

    ``amplification.<role>`` and ``follower_amplification.<group>`` are
    computed here: the run's reach per post of the group over that of the
    chronological run with the same seed (and graph), minus 1 (Huszar et al.
    2022); 0 for the chronological run itself, NaN without a partner.

    Long form (``form="long"``), one row per run and metric: the run and
    parameter columns, ``replicate``, ``status``, ``metric`` (``voice_ratio``),
    ``role`` (``quiet``; the follower group for ``follower_amplification``; None
    for a scalar metric) and ``value``.

    Parameters
    ----------
    path : str or path-like
        A store written by :func:`feedsim.run_sweep` or ``feedsim sweep``.
    form : {"wide", "long"}

    Returns
    -------
    pandas.DataFrame
        Integer columns ``int64``, metrics ``float64`` (NaN where undefined),
        text ``object`` (None where missing), ``started_at``
        ``datetime64[us, UTC]``.

    Raises
    ------
    StoreError
        If ``path`` is missing or not a feedsim results store.
    StoreDamagedError
        If the file is damaged, or some runs' stored values fail their
        checksums (the message names them and how to run them again).

    Warns
    -----
    StoreWarning
        For a store written before checksums (schema 2): its runs are read unchecked.

    Examples
    --------
    >>> import os, tempfile, feedsim
    >>> db = os.path.join(tempfile.mkdtemp(), "r.sqlite")
    >>> spec = feedsim.SweepSpec(seed=1, days=1, graph={"n_users": 100, "seed": 0},
    ...                          grid={"ranker": ["chronological", "engagement"]},
    ...                          metrics=["gini_impressions", "voice_ratio.quiet"])
    >>> _ = feedsim.run_sweep(spec, db, workers=1)
    >>> table = feedsim.load_results(db)
    >>> table["ranker"].tolist(), table["error"].tolist()
    (['chronological', 'engagement'], [None, None])
    >>> table.groupby("ranker")["gini_impressions"].mean().index.tolist()
    ['chronological', 'engagement']
    >>> long = feedsim.load_results(db, form="long")
    >>> long["metric"].tolist(), long["role"].tolist()
    (['gini_impressions', 'voice_ratio', 'gini_impressions', 'voice_ratio'], [None, 'quiet', None, 'quiet'])
    """
    if form not in ("wide", "long"):
        raise InvalidParameterError(f"form must be 'wide' or 'long'{did_you_mean(form, ('wide', 'long'))}; "
                                    f"got {form!r}")
    rows, spec, _ = _read(path)
    params = _cells(path, rows, 6, "params")
    graphs = _cells(path, rows, 5, "graph")
    metrics = _cells(path, rows, 9, "metrics")
    pnames = sorted({k for p in params for k in p if k != "ranker"}, key=lambda k: (k.startswith("graph."), k))
    mnames = [m for m in spec.get("metrics", [])]
    for m in metrics:
        mnames.extend(k for k in m if k not in mnames and not k.startswith(REACH_PREFIX))
    defaults = dataclasses.asdict(SimulationConfig())
    cols: dict[str, Any] = {"run_key": [r[0] for r in rows], "point_key": [r[1] for r in rows],
                            "ranker": _ranker_labels(rows), "ranker_version": [r[3] for r in rows]}
    if any("sha256" in g for g in graphs):
        cols["graph_sha256"] = [g.get("sha256") for g in graphs]
    for name in pnames:
        cols[name] = [p.get(name, defaults.get(name)) for p in params]
    cols["replicate"] = np.array([r[4] for r in rows], dtype=np.int64)
    cols["status"] = [r[7] for r in rows]
    cols["error"] = [r[8] for r in rows]
    paired = [m for m in mnames if _split(m)[0] in PAIRED_METRICS]
    amp = _amplification(rows, metrics, paired) if paired else {}
    for name in mnames:
        cols[name] = _floats(amp[name] if name in amp else [m.get(name) for m in metrics])
    cols["seed_entropy"] = [int(r[10]) for r in rows]
    cols["spawn_key"] = [tuple(k) for k in _cells(path, rows, 11, "spawn_key")]
    cols["started_at"] = _started([r[12] for r in rows])
    for i, name in enumerate(_TRAILING[3:]):
        cols[name] = [r[13 + i] for r in rows]
    if form == "wide":
        return _finish(cols)
    keep = ["run_key", "point_key", "ranker", "ranker_version", *(["graph_sha256"] if "graph_sha256" in cols else []),
            *pnames, "replicate", "status"]
    long: dict[str, Any] = {k: [] for k in (*keep, "metric", "role", "value")}  # lists, then arrays
    for i in range(len(rows)):
        for name in mnames:
            for k in keep:
                long[k].append(cols[k][i])
            head, role = _split(name)
            long["metric"].append(head)
            long["role"].append(role)
            v = cols[name][i]
            long["value"].append(v)
    long["value"] = _floats(long["value"])
    return _finish(long)


def load_daily(path) -> pd.DataFrame:
    """Load the per-day series of a store with each run's point joined, in grid order.

    Columns: ``run_key``, ``point_key``, ``ranker``, ``ranker_version``, the
    parameter columns (as in :func:`load_results`), ``replicate``, ``day``
    (int, 0 = the first day), ``series`` (``impressions_by_role``), ``role``
    (``quiet`` for a per-role series, else None) and ``value``, as a
    ``pandas.DataFrame``.

    Examples
    --------
    >>> import os, tempfile, feedsim
    >>> db = os.path.join(tempfile.mkdtemp(), "r.sqlite")
    >>> spec = feedsim.SweepSpec(seed=1, days=2, graph={"n_users": 100, "seed": 0},
    ...                          grid={"out_of_network_share": [0.0, 0.2]}, daily=["impressions"])
    >>> _ = feedsim.run_sweep(spec, db, workers=1)
    >>> d = load_daily(db)
    >>> d["out_of_network_share"].tolist(), d["day"].tolist()
    ([0.0, 0.0, 0.2, 0.2], [0, 1, 0, 1])
    """
    rows, _, daily = _read(path, daily=True)
    params = dict(zip((r[0] for r in rows), _cells(path, rows, 6, "params")))
    pnames = sorted({k for p in params.values() for k in p if k != "ranker"}, key=lambda k: (k.startswith("graph."), k))
    defaults = dataclasses.asdict(SimulationConfig())
    labels = dict(zip((r[0] for r in rows), _ranker_labels(rows)))
    info = {r[0]: (r[1], r[3], r[4]) for r in rows}
    pos = {r[0]: i for i, r in enumerate(rows)}
    daily = sorted(daily, key=lambda d: (pos.get(d[0], len(pos)), d[2], d[1]))
    cols: dict[str, Any] = {k: [] for k in ("run_key", "point_key", "ranker", "ranker_version", *pnames,
                                             "replicate", "day", "series", "role", "value")}
    for run_key, day, series, value in daily:
        point_key, version, replicate = info.get(run_key, (None, None, None))
        p = params.get(run_key, {})
        cols["run_key"].append(run_key)
        cols["point_key"].append(point_key)
        cols["ranker"].append(labels.get(run_key))
        cols["ranker_version"].append(version)
        for name in pnames:
            cols[name].append(p.get(name, defaults.get(name)))
        cols["replicate"].append(replicate)
        cols["day"].append(int(day))
        head, role = _split(series)
        cols["series"].append(head)
        cols["role"].append(role)
        cols["value"].append(value)
    cols["day"] = np.array(cols["day"], dtype=np.int64)
    cols["value"] = _floats(cols["value"])
    return _finish(cols)


def _as_dict(table) -> dict[str, np.ndarray]:
    if isinstance(table, Mapping):
        return {k: np.asarray(v) for k, v in table.items()}
    if hasattr(table, "to_dict") and hasattr(table, "columns"):
        return {c: table[c].to_numpy() for c in table.columns}
    raise InvalidParameterError(f"table must be a DataFrame or a dict of arrays; got {type(table).__name__}")


def param_columns(table) -> list[str]:
    """The parameter columns of a tidy table: ``ranker``, every config field and ``graph.*`` column present."""
    cols = _as_dict(table)
    return ["ranker"] + [c for c in cols if c in _CONFIG_FIELDS or c.startswith("graph.")]


def _key(v: Any) -> Any:
    if isinstance(v, (float, np.floating)) and math.isnan(v):
        return "nan"
    return v.item() if isinstance(v, np.generic) else v


def _order(item):
    return tuple((0, v, "") if isinstance(v, (int, float)) and not isinstance(v, bool) else (1, 0, str(v))
                 for v in item[0])


def _check_columns(cols, names, what):
    for b in names:
        if b not in cols:
            raise InvalidParameterError(f"{what} must name columns of the table{did_you_mean(b, cols)}; got {b!r} "
                                        f"(columns: {', '.join(cols)})")


def aggregate(table, metrics: str | Sequence[str] | None = None, *, by: Sequence[str] | None = None,
              contrast: str | None = None, baseline: Any = None, paired: bool = True,
              confidence: float = 0.95, as_pandas: bool | None = None):
    """Aggregate replicates per parameter point, or contrast arms against a baseline.

    Without ``contrast``: per group of ``by``, over finished (``status ==
    "ok"``) runs with finite values, the mean, the sample sd and a confidence
    interval of the mean that stays inside the metric's feasible range (logit
    t-interval for shares, log t-interval for positive quantities and
    amplification, else the t-interval; see :mod:`feedsim.sweeps.intervals`).

    With ``contrast`` (a column, e.g. ``"ranker"``) and ``baseline`` (one of its
    values; default ``"chronological"`` for the ranker): per group of the other
    ``by`` columns and per other value of ``contrast``, the difference
    ``arm - baseline``. ``paired=True`` (default) matches the runs of the two
    arms that share a seed (same replicate: arms differing only in their ranker
    share seeds, common random numbers) and gives the mean paired difference and
    its t-interval; ``paired=False`` gives the difference of means and Welch's
    t-interval, ignoring the pairing.

    Parameters
    ----------
    table : DataFrame or dict of arrays
        From :func:`load_results` (wide form).
    metrics : str or list of str, optional
        Metric columns (default: every metric column).
    by : list of str, optional
        Grouping columns (default :func:`param_columns`: ranker and parameters).
    contrast : str, optional
        The column whose values are compared with ``baseline``.
    baseline : optional
        The reference value of ``contrast``.
    paired : bool, default True
        Pair runs by seed (only with ``contrast``).
    confidence : float, default 0.95
        Confidence level of the interval.
    as_pandas : bool, optional
        Output type; default: the type of ``table``.

    Returns
    -------
    DataFrame or dict of arrays
        One row per group: the ``by`` columns (with ``contrast``: also
        ``baseline``), then per metric ``<m>.n`` (runs, or pairs), ``<m>.mean``
        (or mean difference), ``<m>.sd``, ``<m>.ci_low``, ``<m>.ci_high``.

    Raises
    ------
    InvalidParameterError
        For unknown columns (with the closest names), a baseline that is not a
        value of the contrast column, or ``paired=True`` when the arms do not
        share seeds.

    Examples
    --------
    >>> t = {"ranker": np.array(["chronological"] * 3 + ["engagement"] * 3, dtype=object),
    ...      "replicate": np.array([0, 1, 2, 0, 1, 2]), "status": np.array(["ok"] * 6, dtype=object),
    ...      "x": np.array([0.40, 0.30, 0.35, 0.36, 0.27, 0.30])}
    >>> agg = aggregate(t, "x", as_pandas=False)
    >>> [round(float(v), 3) for v in agg["x.mean"]]
    [0.35, 0.31]
    >>> d = aggregate(t, "x", contrast="ranker", as_pandas=False)
    >>> d["ranker"].tolist(), round(float(d["x.mean"][0]), 3), float(d["x.ci_high"][0]) < 0
    (['engagement'], -0.04, True)
    """
    cols = _as_dict(table)
    if as_pandas is None:
        as_pandas = not isinstance(table, Mapping)
    by = list(by) if by is not None else param_columns(cols)
    _check_columns(cols, by, "by")
    if metrics is None:
        skip = set(by) | _NOT_METRICS | {contrast}
        metrics = [c for c in cols if c not in skip and cols[c].dtype.kind == "f"]
    elif isinstance(metrics, str):
        metrics = [metrics]
    _check_columns(cols, metrics, "metrics")
    check = float(confidence)
    if not 0 < check < 1:
        raise InvalidParameterError(f"confidence must be a number > 0 and < 1; got {confidence!r}")
    n_rows = len(next(iter(cols.values())))
    ok = np.array([s == "ok" for s in cols["status"]], dtype=bool) if "status" in cols else np.ones(n_rows, bool)
    if contrast is not None:
        return _contrast(cols, metrics, by, contrast, baseline, paired, check, ok, as_pandas)
    groups: dict[tuple, list[int]] = {}
    for i in np.flatnonzero(ok):
        groups.setdefault(tuple(_key(cols[b][i]) for b in by), []).append(int(i))
    out: dict[str, list] = {b: [] for b in by}
    for m in metrics:
        for s in ("n", "mean", "sd", "ci_low", "ci_high"):
            out[f"{m}.{s}"] = []
    for _key_values, idx in sorted(groups.items(), key=_order):
        for b in by:
            out[b].append(cols[b][idx[0]])
        for m in metrics:
            n, mean, sd, lo, hi, _ = bounded_interval(np.asarray(cols[m][idx], dtype=np.float64), metric_bounds(m),
                                                      check)
            for s, v in zip(("n", "mean", "sd", "ci_low", "ci_high"), (float(n), mean, sd, lo, hi)):
                out[f"{m}.{s}"].append(v)
    return _finish(out, as_pandas)


def _contrast(cols, metrics, by, contrast, baseline, paired, confidence, ok, as_pandas):
    _check_columns(cols, [contrast], "contrast")
    if baseline is None:
        if contrast != "ranker":
            raise InvalidParameterError(f"baseline must be given for contrast={contrast!r} (one of its values)")
        baseline = "chronological"
    levels = {_key(v) for v in cols[contrast][ok]}
    if _key(baseline) not in levels:
        raise InvalidParameterError(
            f"baseline must be a value of column {contrast!r} ({', '.join(sorted(map(str, levels)))})"
            f"{did_you_mean(str(baseline), [str(v) for v in levels])}; got {baseline!r}")
    by = [b for b in by if b != contrast]
    if paired and "replicate" not in cols:
        raise InvalidParameterError("paired contrasts need a replicate column; pass paired=False")
    arms: dict[tuple, dict] = {}
    for i in np.flatnonzero(ok):
        key = tuple(_key(cols[b][i]) for b in by)
        level = _key(cols[contrast][i])
        arms.setdefault(key, {}).setdefault(level, []).append(int(i))
    out: dict[str, list] = {b: [] for b in by}
    out[contrast] = []
    out["baseline"] = []
    for m in metrics:
        for s in ("n", "mean", "sd", "ci_low", "ci_high"):
            out[f"{m}.{s}"] = []
    for _key_values, by_level in sorted(arms.items(), key=_order):
        base = by_level.get(_key(baseline))
        if base is None:
            continue
        for level in sorted((lv for lv in by_level if lv != _key(baseline)), key=lambda v: (str(type(v)), v)):
            arm = by_level[level]
            if paired:
                bi = {int(cols["replicate"][i]): i for i in base}
                pairs = [(i, bi[int(cols["replicate"][i])]) for i in arm if int(cols["replicate"][i]) in bi]
                if "spawn_key" in cols:
                    for i, j in pairs:
                        if _key(cols["spawn_key"][i]) != _key(cols["spawn_key"][j]):
                            raise InvalidParameterError(
                                f"paired=True needs arms that share seeds, but runs with {contrast}={level!r} and "
                                f"{contrast}={baseline!r} of replicate {int(cols['replicate'][i])} have different "
                                f"seeds (only arms that differ in their ranker share seeds); pass paired=False "
                                f"(feedsim results --unpaired)")
                ia = [i for i, _ in pairs]
                ib = [j for _, j in pairs]
            for b in by:
                out[b].append(cols[b][arm[0]])
            out[contrast].append(cols[contrast][arm[0]])
            out["baseline"].append(baseline)
            for m in metrics:
                low, high = metric_bounds(m)
                x = np.asarray(cols[m], dtype=np.float64)
                if paired:
                    res = paired_difference(x[ia], x[ib], (low, high), confidence)
                else:
                    res = unpaired_difference(x[arm], x[base], (low, high), confidence)
                for s, v in zip(("n", "mean", "sd", "ci_low", "ci_high"), res):
                    out[f"{m}.{s}"].append(float(v))
    return _finish(out, as_pandas)
