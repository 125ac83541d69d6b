"""Read a results store as a tidy table and aggregate replicates.

A tidy table has one row per run. It is a ``pandas.DataFrame`` when pandas is
installed, otherwise a dict of equal-length NumPy arrays (numbers as float64
with NaN for missing values, text as object arrays).
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..engine.config import SimulationConfig
from ..errors import InvalidParameterError
from .store import ResultsStore

__all__ = ["load_results", "load_daily", "aggregate", "param_columns"]

_LEADING = ("run_key", "point_key", "ranker")
_TRAILING = ("seed_entropy", "spawn_key", "started_at", "wall_seconds", "worker", "feedsim_version", "numpy_version")


def _have_pandas() -> bool:
    try:
        import pandas  # noqa: F401, PLC0415
    except ImportError:
        return False
    return True


def _column(values: list) -> np.ndarray:
    if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return np.array(values, dtype=np.int64)
    if all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)) for v in values):
        return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)
    return np.array(values, dtype=object)


def _finish(columns: dict[str, list], as_pandas: bool | None):
    arrays = {k: _column(v) for k, v in columns.items()}
    if as_pandas is None:
        as_pandas = _have_pandas()
    if as_pandas:
        import pandas as pd  # noqa: PLC0415

        return pd.DataFrame(arrays)
    return arrays


def load_results(path, *, as_pandas: bool | None = None):
    """Load every run of a results store as a tidy table (one row per run).

    Columns: ``run_key``, ``point_key``, ``ranker``, one column per parameter
    that any run sets (runs that do not set it get the default value),
    ``replicate``, ``status`` (``ok`` or ``failed``), ``error``, one column per
    kept metric (``impression_share.quiet``; NaN when undefined or failed), then
    ``seed_entropy``, ``spawn_key``, ``started_at``, ``wall_seconds``,
    ``worker``, ``feedsim_version`` and ``numpy_version``. Rows are ordered by
    ``run_key``, so the same runs give the same table whatever the execution order.

    Parameters
    ----------
    path : str or path-like
        A store written by :func:`feedsim.run_sweep` or ``feedsim sweep``.
    as_pandas : bool, optional
        Force a DataFrame (True) or a dict of arrays (False); default: a
        DataFrame when pandas is importable.

    Returns
    -------
    pandas.DataFrame or dict of str to ndarray

    Raises
    ------
    StoreError
        If ``path`` is missing or not a feedsim results store.

    Examples
    --------
    >>> import os, tempfile, feedsim
    >>> db = os.path.join(tempfile.mkdtemp(), "r.sqlite")
    >>> spec = feedsim.SweepSpec(seed=1, days=1, graph={"n_users": 100, "seed": 0},
    ...                          grid={"ranker": ["chronological", "engagement"]},
    ...                          metrics=["gini_impressions"])
    >>> _ = feedsim.run_sweep(spec, db, workers=1)
    >>> table = feedsim.load_results(db, as_pandas=False)
    >>> sorted(set(table["ranker"]))
    ['chronological', 'engagement']
    """
    with ResultsStore(path, create=False) as store:
        rows = store.rows(
            "SELECT run_key, point_key, ranker, replicate, params, status, error, metrics, seed_entropy, "
            "spawn_key, started_at, wall_seconds, worker, feedsim_version, numpy_version FROM runs ORDER BY run_key"
        )
        spec = store.spec() or {}
    params = [json.loads(r[4]) for r in rows]
    metrics = [json.loads(r[7]) if r[7] else {} for r in rows]
    pnames = sorted({k for p in params for k in p if k != "ranker"})
    mnames = list(spec.get("metrics", []))
    for m in metrics:
        mnames.extend(k for k in m if k not in mnames)
    defaults = dataclasses.asdict(SimulationConfig())
    cols: dict[str, list] = {"run_key": [r[0] for r in rows], "point_key": [r[1] for r in rows],
                             "ranker": [r[2] for r in rows]}
    for name in pnames:
        cols[name] = [p.get(name, defaults.get(name)) for p in params]
    cols["replicate"] = [r[3] for r in rows]
    cols["status"] = [r[5] for r in rows]
    cols["error"] = [r[6] for r in rows]
    for name in mnames:
        cols[name] = [m.get(name) for m in metrics]
    for i, name in enumerate(_TRAILING):
        cols[name] = [r[8 + i] for r in rows]
    return _finish(cols, as_pandas)


def load_daily(path, *, as_pandas: bool | None = None):
    """Load the per-day series of a store: columns ``run_key``, ``day``, ``series``, ``value``.

    Join with :func:`load_results` on ``run_key`` for the parameters.
    """
    with ResultsStore(path, create=False) as store:
        rows = store.rows("SELECT run_key, day, series, value FROM daily ORDER BY run_key, series, day")
    cols = {"run_key": [r[0] for r in rows], "day": [float(r[1]) for r in rows],
            "series": [r[2] for r in rows], "value": [r[3] for r in rows]}
    return _finish(cols, as_pandas)


def _as_dict(table) -> dict[str, np.ndarray]:
    if isinstance(table, Mapping):
        return {k: np.asarray(v) for k, v in table.items()}
    if hasattr(table, "to_dict") and hasattr(table, "columns"):
        return {c: table[c].to_numpy() for c in table.columns}
    raise InvalidParameterError(f"table must be a DataFrame or a dict of arrays; got {type(table).__name__}")


def param_columns(table) -> list[str]:
    """The parameter columns of a tidy table: ``ranker`` and every config field present."""
    cols = _as_dict(table)
    fields = {f.name for f in dataclasses.fields(SimulationConfig)}
    return ["ranker"] + [c for c in cols if c in fields]


def _key(v: Any) -> Any:
    if isinstance(v, (float, np.floating)) and math.isnan(v):
        return "nan"
    return v.item() if isinstance(v, np.generic) else v


def aggregate(table, metrics: str | Sequence[str] | None = None, *, by: Sequence[str] | None = None,
              confidence: float = 0.95, as_pandas: bool | None = None):
    """Aggregate replicates: mean and t confidence interval per parameter point.

    For ``n`` finished (``status == "ok"``) runs with finite values, mean
    ``m``, sample standard deviation ``s``: ``m -/+ t_{(1 + confidence)/2, n-1} s / sqrt(n)``.
    With ``n == 1`` the interval is NaN.

    Parameters
    ----------
    table : DataFrame or dict of arrays
        From :func:`load_results`.
    metrics : str or list of str, optional
        Metric columns (default: every metric column).
    by : list of str, optional
        Grouping columns (default :func:`param_columns`: ranker and parameters).
    confidence : float, default 0.95
        Confidence level of the interval.
    as_pandas : bool, optional
        Output type; default: the type of ``table``.

    Returns
    -------
    DataFrame or dict of arrays
        One row per group: the ``by`` columns, then per metric ``<m>.n``,
        ``<m>.mean``, ``<m>.sd``, ``<m>.ci_low``, ``<m>.ci_high``.

    Examples
    --------
    >>> t = {"ranker": np.array(["a"] * 3, dtype=object), "status": np.array(["ok"] * 3, dtype=object),
    ...      "x": np.array([1.0, 2.0, 3.0])}
    >>> agg = aggregate(t, "x", as_pandas=False)
    >>> float(agg["x.mean"][0]), round(float(agg["x.ci_high"][0]), 3)
    (2.0, 4.484)
    """
    from scipy import stats  # noqa: PLC0415

    cols = _as_dict(table)
    if as_pandas is None:
        as_pandas = not isinstance(table, Mapping)
    by = list(by) if by is not None else param_columns(cols)
    for b in by:
        if b not in cols:
            raise InvalidParameterError(f"by must name columns of the table ({', '.join(cols)}); got {b!r}")
    if metrics is None:
        skip = set(by) | {"run_key", "point_key", "replicate", "status", "error", *_TRAILING}
        metrics = [c for c in cols if c not in skip and cols[c].dtype.kind == "f"]
    elif isinstance(metrics, str):
        metrics = [metrics]
    for m in metrics:
        if m not in cols:
            raise InvalidParameterError(f"metrics must name columns of the table; got {m!r}")
    check = float(confidence)
    if not 0 < check < 1:
        raise InvalidParameterError(f"confidence must be a number > 0 and < 1; got {confidence!r}")
    ok = np.array([s == "ok" for s in cols["status"]]) if "status" in cols else np.ones(len(next(iter(cols.values()))), bool)
    groups: dict[tuple, list[int]] = {}
    for i in np.flatnonzero(ok):
        groups.setdefault(tuple(_key(cols[b][i]) for b in by), []).append(int(i))
    out: dict[str, list] = {b: [] for b in by}
    for m in metrics:
        for s in ("n", "mean", "sd", "ci_low", "ci_high"):
            out[f"{m}.{s}"] = []
    def order(item):
        return tuple((0, v, "") if isinstance(v, (int, float)) and not isinstance(v, bool) else (1, 0, str(v))
                     for v in item[0])

    for key, idx in sorted(groups.items(), key=order):
        for b, v in zip(by, key):
            out[b].append(cols[b][idx[0]])
        for m in metrics:
            x = np.asarray(cols[m][idx], dtype=np.float64)
            x = x[np.isfinite(x)]
            n = len(x)
            mean = float(x.mean()) if n else math.nan
            sd = float(x.std(ddof=1)) if n > 1 else math.nan
            half = float(stats.t.ppf((1 + check) / 2, n - 1) * sd / math.sqrt(n)) if n > 1 else math.nan
            out[f"{m}.n"].append(float(n))
            out[f"{m}.mean"].append(mean)
            out[f"{m}.sd"].append(sd)
            out[f"{m}.ci_low"].append(mean - half)
            out[f"{m}.ci_high"].append(mean + half)
    return _finish(out, as_pandas)
