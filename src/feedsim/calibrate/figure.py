"""The calibration figure: prior against posterior per parameter, simulated against observed targets."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..plots.palette import NEUTRAL_COLOR, UNSHOWN_COLOR, ranker_color
from ..plots.rules import declare_bounds, interval_points, legend_outside

__all__ = ["plot_calibration"]


def _words(name: str) -> str:
    return name.replace("_", " ").replace(".", ", ")


def plot_calibration(fit: Any, fig: Any = None) -> Any:
    """Draw a :class:`~feedsim.calibrate.Calibration`: one panel per parameter, then one of the targets.

    A parameter's panel shows the prior's density (grey), the posterior's weighted histogram (the
    study ranker's palette colour), its 95 % interval and today's default (dashed). The targets' panel
    shows each target as ``(simulated - observed) / sd``: the posterior predictive mean with its 95 %
    interval; the band from -1.96 to 1.96 is where a matched target's interval must reach 0.

    Parameters
    ----------
    fit : Calibration
    fig : matplotlib Figure, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from feedsim.calibrate import Calibration, CalibrationStudy, Prior, Target
    >>> study = CalibrationStudy([Prior("like_rate", 0.0, 0.2)], [Target("n_posts", 10.0, 2.0)], days=1)
    >>> parts = pd.DataFrame({"like_rate": [0.04, 0.06], "weight": [0.5, 0.5], "distance": [0.1, 0.2]})
    >>> post = pd.DataFrame([{"parameter": "like_rate", "prior": "uniform", "prior_low": 0.0, "prior_high": 0.2,
    ...                       "default": 0.05, "mean": 0.05, "sd": 0.01, "low": 0.04, "median": 0.05, "high": 0.06}])
    >>> tg = pd.DataFrame([{"target": "n_posts", "observed": 10.0, "sd": 2.0, "simulated": 11.0, "low": 7.0,
    ...                     "high": 15.0, "matched": True}])
    >>> fig = plot_calibration(Calibration(study, parts, post, tg, pd.DataFrame(), True, "", 0.0))
    >>> len(fig.axes)
    2
    >>> import matplotlib.pyplot as plt; plt.close(fig)
    """
    import matplotlib.pyplot as plt

    study = fit.study
    n = len(study.parameters) + 1
    if fig is None:
        fig = plt.figure(figsize=(4.2 * n + 1.5, 3.4), layout="constrained")
    axes = fig.subplots(1, n, squeeze=False)[0]
    color = ranker_color(study.base.get("ranker", "chronological"))
    w = fit.particles["weight"].to_numpy()
    for ax, p, row in zip(axes, study.parameters, fit.posterior.itertuples()):
        rv = p.rv()
        x = np.geomspace(p.low, p.high, 200) if p.log else np.linspace(p.low, p.high, 200)
        bins = np.geomspace(p.low, p.high, 31) if p.log else np.linspace(p.low, p.high, 31)
        ax.plot(x, rv.pdf(x), color=UNSHOWN_COLOR, lw=2, label="prior")
        ax.hist(fit.particles[p.name].to_numpy(), bins=bins, weights=w, density=True, histtype="step", lw=2,
                color=color, label="posterior")
        ax.axvspan(row.low, row.high, color=color, alpha=0.12, lw=0, label="posterior 95% interval")
        ax.axvline(row.default, color=NEUTRAL_COLOR, ls="--", label="today's default")
        if p.log:
            ax.set_xscale("log")
        ax.set_xlabel(_words(p.name))
        ax.set_ylabel("density")
        declare_bounds(ax, 0, math.inf)
        ax.set_ylim(bottom=0)
    legend_outside(axes[-2]) if n > 2 else None
    ax = axes[-1]
    t = fit.targets
    pos = np.arange(len(t))
    sd = t["sd"].to_numpy(dtype=float)
    z = (t["simulated"].to_numpy(dtype=float) - t["observed"].to_numpy(dtype=float)) / sd
    lo = (t["low"].to_numpy(dtype=float) - t["observed"].to_numpy(dtype=float)) / sd
    hi = (t["high"].to_numpy(dtype=float) - t["observed"].to_numpy(dtype=float)) / sd
    ax.axhspan(-1.96, 1.96, color=UNSHOWN_COLOR, alpha=0.3, lw=0, label="within 1.96 sd")
    ax.axhline(0, color=NEUTRAL_COLOR, lw=1, label="observed")
    interval_points(ax, pos, z, lo, hi, bounds=(-math.inf, math.inf), color=color,
                    label="simulated (posterior predictive, 95%)")
    ax.set_xticks(pos, [_words(s) for s in t["target"]], rotation=30, ha="right", fontsize="small")
    ax.set_ylabel("simulated minus observed, in sd")
    legend_outside(ax)
    if n <= 2:
        legend_outside(axes[0])
    return fig
