"""Plot a sweep: a metric against a parameter, one line per ranker with its confidence band."""

from __future__ import annotations

import numpy as np

from ..errors import InvalidParameterError
from .results import _as_dict, aggregate, param_columns

__all__ = ["plot_sweep"]


def plot_sweep(table, metric: str, param: str, *, where: dict | None = None, confidence: float = 0.95, ax=None):
    """Draw ``metric`` (mean over replicates) against ``param``, one line per ranker.

    Each line has a shaded band: the t confidence interval of the mean (see
    :func:`~feedsim.experiments.aggregate`). When other parameters vary too,
    each combination gets its own line (same colour per ranker, another line
    style) unless ``where`` fixes them.

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
    >>> ax = plot_sweep(t, "x", "out_of_network_share")
    >>> len(ax.lines)
    1
    """
    import matplotlib.pyplot as plt  # noqa: PLC0415

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
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    rankers = list(dict.fromkeys(agg["ranker"]))
    others = [c for c in by if c != "ranker"]
    combos = list(dict.fromkeys(tuple(agg[c][i] for c in others) for i in range(len(agg["ranker"]))))
    styles = ["-", "--", ":", "-."]
    colors = plt.rcParams["axes.prop_cycle"].by_key().get("color", ["C0"])
    for ri, ranker in enumerate(rankers):
        for ci, combo in enumerate(combos):
            sel = np.array([agg["ranker"][i] == ranker and tuple(agg[c][i] for c in others) == combo
                            for i in range(len(agg["ranker"]))])
            if not sel.any():
                continue
            x = np.asarray(agg[param][sel], dtype=float)
            order = np.argsort(x)
            x = x[order]
            mean = np.asarray(agg[f"{metric}.mean"][sel], dtype=float)[order]
            lo = np.asarray(agg[f"{metric}.ci_low"][sel], dtype=float)[order]
            hi = np.asarray(agg[f"{metric}.ci_high"][sel], dtype=float)[order]
            label = str(ranker) + "".join(f", {c}={v}" for c, v in zip(others, combo))
            color = colors[ri % len(colors)]
            ax.plot(x, mean, styles[ci % len(styles)], marker="o", color=color, label=label)
            ax.fill_between(x, lo, hi, color=color, alpha=0.2, linewidth=0)
    ax.set_xlabel(param)
    ax.set_ylabel(metric)
    ax.legend(fontsize="small")
    return ax
