"""Run a sensitivity study through the sweep store and estimate its indices with SALib.

Every design point is a sweep point (:meth:`SensitivitySpec.sweep`), so the runs
are stored as they finish, a killed study resumes without rerunning them, and
``workers`` or a Dask executor run them in parallel. The indices come from the
stored results only, so the same spec and store give the same table bit for bit,
whatever the execution order.

Seed noise. The row ``seed noise`` reports ``noise_share = mean within-point
variance / replicates / variance of the point means``: how much of the spread of
the point means is the spread between replicates at a point (Morris:
``sqrt(2 noise_var) / delta * sqrt(2 / pi)``, the mean absolute elementary
effect of pure noise). What it means depends on the seeds:

- ``common_seeds=True`` (default): replicate ``r`` of every point runs on the
  same seed, so the randomness is held fixed while the factors move. A factor
  the model never reads gives bit-identical runs and ``ST`` exactly 0; the
  indices are those of the replicate-averaged output for the drawn seeds, and
  the noise row says how strongly that output still depends on which seeds were
  drawn (a large share: add replicates before reading small differences between
  indices). It is not a floor under ``ST``.
- ``common_seeds=False``: each point's seed is a hash of its parameters, so
  moving any factor also redraws the randomness and the output is ``f(x) +
  noise``. The noise then inflates every total-order index by about its share
  (Jansen's estimator sees the noise of both runs it compares) and leaves
  first-order indices unbiased but noisier: a total index within the noise row
  cannot be told from noise.
"""

from __future__ import annotations

import concurrent.futures as cf
import math
from typing import Any

import numpy as np
import pandas as pd

from ..errors import FeedsimError, InvalidParameterError
from ..sweeps.execute import run_sweep
from ..sweeps.results import load_results
from ..sweeps.seeds import make_run
from .spec import SensitivitySpec, point_id

__all__ = ["SensitivityError", "run_sensitivity", "analyze", "load_study", "NOISE"]

#: ``parameter`` label of the seed-noise row.
NOISE = "seed noise"


class SensitivityError(FeedsimError, RuntimeError):
    """A study's runs are missing, failed or gave an undefined metric, so no index can be computed."""


def load_study(spec) -> SensitivitySpec:
    """Accept a :class:`SensitivitySpec`, a dict or a path to a TOML file."""
    import os  # noqa: PLC0415
    from collections.abc import Mapping  # noqa: PLC0415

    if isinstance(spec, SensitivitySpec):
        return spec
    if isinstance(spec, Mapping):
        return SensitivitySpec.from_dict(spec)
    if not os.path.exists(os.fspath(spec)):
        raise InvalidParameterError(f"spec must be a SensitivitySpec, a dict or a TOML file; got {spec!r} (no such "
                                    f"file)")
    return SensitivitySpec.from_toml(spec)


def run_sensitivity(spec: Any, db, *, workers: int | None = None, executor: cf.Executor | None = None,
                    extend: bool = False, progress: bool = False, stream=None) -> pd.DataFrame:
    """Run every missing run of a study into the store ``db`` and return its indices.

    Parameters
    ----------
    spec : SensitivitySpec, dict or path to a TOML file
        The study.
    db : str or path-like
        The sweep store (SQLite; created if missing). Stored runs are not run again.
    workers : int, optional
        ``1`` runs here; more starts a local process pool (as :func:`feedsim.run_sweep`).
    executor : concurrent.futures.Executor, optional
        Where runs execute, e.g. ``distributed.Client(...).get_executor()``.
    extend : bool, default False
        Allow a store holding another study of the same seed, days and metric
        (e.g. a smaller ``n``: its runs are reused where the designs share points).
    progress : bool, default False
        Show runs done and ETA on ``stream`` (default stderr).

    Returns
    -------
    pandas.DataFrame
        As :func:`analyze`; ``attrs["sweep"]`` holds the :class:`~feedsim.sweeps.SweepReport`.

    Raises
    ------
    InvalidParameterError
        For a bad spec, before any run.
    SensitivityError
        If runs failed (they are stored as failed; run again to retry them).

    Examples
    --------
    >>> import os, tempfile
    >>> spec = SensitivitySpec(seed=3, days=1, n=2, replicates=2, graph={"n_users": 50, "seed": 0},
    ...                        parameters={"out_of_network_share": [0.0, 0.8], "session_elasticity": [0.0, 2.0]},
    ...                        metric="follower_reach.quiet")
    >>> table = run_sensitivity(spec, os.path.join(tempfile.mkdtemp(), "s.sqlite"), workers=1)
    >>> sorted(set(table["index"]))
    ['S1', 'ST']
    >>> table.attrs["sweep"].done
    16
    """
    spec = load_study(spec)
    sweep = spec.sweep()
    report = run_sweep(sweep, db, executor=executor, workers=workers, extend=extend, progress=progress,
                       stream=stream)
    if report.n_failed:
        raise SensitivityError(f"{report.n_failed} of {report.planned} runs failed and are stored as failed in "
                               f"{report.path} (first: {report.failed[0]}); run the study again to retry them")
    table = _analyze(spec, db, sweep)
    table.attrs["sweep"] = report
    return table


def _outputs(spec: SensitivitySpec, db, sweep) -> tuple[np.ndarray, np.ndarray, int]:
    """The design, the per-replicate outputs (shape ``(n_points, replicates)``) and the runs read."""
    x = spec.design()
    frame = load_results(db)
    if spec.metric not in frame.columns:
        raise SensitivityError(f"{db} holds no column {spec.metric!r}; it is not this study's store")
    status = dict(zip(frame["run_key"], frame["status"]))
    value = dict(zip(frame["run_key"], frame[spec.metric].to_numpy(dtype=np.float64)))
    cache: dict[tuple, list[float]] = {}

    def arm_values(point) -> list[float]:
        key = point_id(point)
        if key not in cache:
            keys = [make_run(sweep, point, r).run_key for r in range(spec.replicates)]
            missing = [k for k in keys if status.get(k) != "ok"]
            if missing:
                raise SensitivityError(
                    f"{len(missing)} run(s) of this study are missing or failed in {db} (first: {missing[0]}, "
                    f"{status.get(missing[0], 'not run')}); run the study again to finish them")
            cache[key] = [value[k] for k in keys]
        return cache[key]

    y = np.empty((len(x), spec.replicates))
    for i, arms in enumerate(spec.row_points(x)):
        vals = [np.asarray(arm_values(p)) for p in arms]
        y[i] = vals[0] - vals[1] if len(vals) == 2 else vals[0]
    bad = np.flatnonzero(~np.isfinite(y).all(axis=1))
    if len(bad):
        raise SensitivityError(
            f"metric {spec.metric} is undefined (NaN) at {len(bad)} of {len(y)} design points (first: row "
            f"{bad[0]}, {dict(zip(spec.names, x[bad[0]].tolist()))}); narrow the ranges or use a larger community")
    return x, y, len(cache) * spec.replicates


def _noise(spec: SensitivitySpec, y: np.ndarray) -> tuple[float, float, float, float]:
    """Seed-noise variance of a point mean, its share of the total variance, and a bootstrap interval of the share."""
    r = y.shape[1]
    means = y.mean(axis=1)
    if r < 2:
        return math.nan, math.nan, math.nan, math.nan
    within = y.var(axis=1, ddof=1)
    total = means.var(ddof=1)
    noise_var = within.mean() / r
    share = noise_var / total if total > 0 else math.inf
    rng = np.random.default_rng(spec.bootstrap_seed)
    idx = rng.integers(0, len(means), size=(spec.resamples, len(means)))
    num, den = within[idx].mean(axis=1) / r, means[idx].var(axis=1, ddof=1)
    # a resample of equal point means (few points, e.g. with common seeds) has an infinite share
    boot = np.divide(num, den, out=np.full_like(num, np.inf), where=den > 0)
    alpha = (1 - spec.confidence) / 2
    finite = bool(np.isfinite(boot).all())
    lo, hi = np.quantile(boot, [alpha, 1 - alpha], method="linear" if finite else "inverted_cdf")
    return noise_var, share, float(lo), float(hi)


def analyze(spec: Any, db) -> pd.DataFrame:
    """The indices of a study from its stored runs, with bootstrap intervals and the seed-noise row.

    Parameters
    ----------
    spec : SensitivitySpec, dict or path to a TOML file
    db : str or path-like
        The store the study ran into.

    Returns
    -------
    pandas.DataFrame
        One row per factor and index: ``parameter``, ``index`` (Sobol ``S1``,
        ``ST``; Morris ``mu_star``, ``mu``, ``sigma``), ``estimate``, ``conf``
        (half-width of SALib's bootstrap interval at ``spec.confidence``;
        NaN where SALib gives none), ``low``, ``high``; factors sorted by ``ST``
        (or ``mu_star``), largest first. The last row, ``parameter == "seed
        noise"``, gives the seed-noise share (Morris: ``mu_star`` of pure
        noise) with a bootstrap interval over points: with per-point seeds the
        floor of ``ST``; with common seeds how much the point means depend on
        the seeds drawn (see the module docstring). ``attrs`` holds ``noise_share``,
        ``noise_variance``, ``variance`` (of the point means), ``mean``,
        ``n_points``, ``n_runs`` (distinct runs read: a run shared by several
        design rows counts once), ``method``, ``metric``, ``common_seeds`` and
        ``contrast``.

    Raises
    ------
    SensitivityError
        If a run is missing or failed, or the metric is undefined at a point.
    """
    spec = load_study(spec)
    return _analyze(spec, db, spec.sweep())


def _analyze(spec: SensitivitySpec, db, sweep) -> pd.DataFrame:
    x, y, n_runs = _outputs(spec, db, sweep)
    means = y.mean(axis=1)
    noise_var, share, share_lo, share_hi = _noise(spec, y)
    rows = []
    if spec.method == "sobol":
        from SALib.analyze import sobol  # noqa: PLC0415

        res = sobol.analyze(spec.problem, means, calc_second_order=False, num_resamples=spec.resamples,
                            conf_level=spec.confidence, seed=spec.bootstrap_seed)
        for j, name in enumerate(spec.names):
            for index in ("S1", "ST"):
                rows.append((name, index, float(res[index][j]), float(res[index + "_conf"][j])))
        order_key = "ST"
        noise_row = (NOISE, "ST", share, share_lo, share_hi)
    else:
        from SALib.analyze import morris  # noqa: PLC0415

        res = morris.analyze(spec.problem, x, means, num_resamples=spec.resamples, conf_level=spec.confidence,
                             num_levels=spec.num_levels, seed=spec.bootstrap_seed)
        for j, name in enumerate(spec.names):
            rows.append((name, "mu_star", float(res["mu_star"][j]), float(res["mu_star_conf"][j])))
            rows.append((name, "mu", float(res["mu"][j]), math.nan))
            rows.append((name, "sigma", float(res["sigma"][j]), math.nan))
        order_key = "mu_star"
        delta = spec.num_levels / (2 * (spec.num_levels - 1))
        scale = math.sqrt(2.0) / delta * math.sqrt(2 / math.pi)
        noise_row = (NOISE, "mu_star", math.sqrt(noise_var) * scale,
                     math.sqrt(share_lo * means.var(ddof=1)) * scale, math.sqrt(share_hi * means.var(ddof=1)) * scale)
    table = pd.DataFrame(rows, columns=["parameter", "index", "estimate", "conf"])
    table["low"] = table["estimate"] - table["conf"]
    table["high"] = table["estimate"] + table["conf"]
    rank = table[table["index"] == order_key].set_index("parameter")["estimate"]
    order = {name: i for i, name in enumerate(sorted(spec.names, key=lambda n: (-rank[n], n)))}
    table = table.sort_values(["parameter", "index"], key=lambda s: s.map(order) if s.name == "parameter" else s,
                              kind="stable").reset_index(drop=True)
    noise = pd.DataFrame([{"parameter": noise_row[0], "index": noise_row[1], "estimate": noise_row[2],
                           "conf": math.nan, "low": noise_row[3], "high": noise_row[4]}])
    table = pd.concat([table, noise], ignore_index=True)
    table.attrs.update({"noise_share": share, "noise_variance": noise_var, "variance": float(means.var(ddof=1)),
                        "mean": float(means.mean()), "n_points": len(x), "n_runs": n_runs,
                        "method": spec.method, "metric": spec.metric, "common_seeds": spec.common_seeds,
                        "contrast": None if spec.contrast is None else list(spec.contrast)})
    return table
