"""Plot a results store: a metric against a parameter, one line per ranker with its confidence band.

Aggregates the tidy table of :func:`feedsim.sweeps.load_results` and draws with
:func:`~feedsim.plots.plot_sweep`.
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidParameterError
from .labels import metric_label
from .sweep import plot_sweep

__all__ = ["plot_sweep_results"]


def plot_sweep_results(table, metric: str, param: str, *, where: dict | None = None, confidence: float = 0.95, ax=None):
    """Draw ``metric`` (mean over replicates) against ``param``, one line per ranker.

    Each line has a shaded band: the confidence interval of the mean of
    :func:`~feedsim.sweeps.aggregate`, which stays inside the metric's range
    (:func:`~feedsim.sweeps.metric_bounds`; logit-t for shares, log-t for positive
    quantities, see :mod:`feedsim.sweeps.intervals`). When other parameters vary too,
    each combination gets its own line unless ``where`` fixes them.

    Parameters
    ----------
    table : DataFrame or dict of arrays
        From :func:`feedsim.load_results`.
    metric : str
        A metric column, e.g. ``"impression_share.quiet"``.
    param : str
        A parameter column for the x axis, e.g. ``"out_of_network_share"``.
    where : dict, optional
        Keep only runs with these column values, e.g. ``{"like_rate": 0.05}``.
    confidence : float, default 0.95
        Confidence level of the bands.
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np
    >>> t = {"ranker": np.array(["a", "a", "a", "a"], dtype=object),
    ...      "status": np.array(["ok"] * 4, dtype=object),
    ...      "out_of_network_share": np.array([0.0, 0.0, 0.5, 0.5]), "x": np.array([1.0, 2.0, 3.0, 5.0])}
    >>> ax = plot_sweep_results(t, "x", "out_of_network_share")
    >>> len(ax.lines)
    1
    """
    from ..sweeps.results import _as_dict, aggregate, param_columns  # noqa: PLC0415
    from ..sweeps.spec import metric_bounds

    cols = _as_dict(table)
    for name, what in ((metric, "metric"), (param, "param")):
        if name not in cols:
            raise InvalidParameterError(f"{what} must name a column of the table ({', '.join(cols)}); got {name!r}")
    keep = np.ones(len(cols[param]), dtype=bool)
    for k, v in (where or {}).items():
        if k not in cols:
            raise InvalidParameterError(f"where keys must name columns of the table; got {k!r}")
        keep &= np.array([x == v for x in cols[k]])
    cols = {k: v[keep] for k, v in cols.items()}
    by = [c for c in param_columns(cols) if c != param and len({str(x) for x in cols[c]}) > 1]
    if "ranker" not in by:
        by.insert(0, "ranker")
    agg = aggregate(cols, metric, by=by + [param], confidence=confidence, as_pandas=False)

    others = [c for c in by if c != "ranker"]
    data: dict[str, dict] = {}
    for i in range(len(agg["ranker"])):
        label = str(agg["ranker"][i]) + "".join(f", {metric_label(c)} = {agg[c][i]}" for c in others)
        d = data.setdefault(label, {"x": [], "mean": [], "lo": [], "hi": []})
        d["x"].append(float(agg[param][i]))
        d["mean"].append(float(agg[f"{metric}.mean"][i]))
        d["lo"].append(float(agg[f"{metric}.ci_low"][i]))
        d["hi"].append(float(agg[f"{metric}.ci_high"][i]))
    return plot_sweep(data, ax=ax, xlabel=metric_label(param), ylabel=metric_label(metric),
                      bounds=metric_bounds(metric))
