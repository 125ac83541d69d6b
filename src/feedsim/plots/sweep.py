"""A metric against a swept parameter, one line per ranker with a confidence band."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import InvalidParameterError
from ..metrics.intervals import t_interval
from ..sweeps.intervals import bounded_interval
from .figures import _axes
from .palette import RANKER_COLORS, ranker_color
from .rules import declare_bounds, legend_outside

__all__ = ["mean_confidence_band", "plot_sweep"]


def mean_confidence_band(samples: ArrayLike, level: float = 0.95, *,
                         bounds: tuple[float, float] | None = None) -> tuple[NDArray, NDArray, NDArray]:
    """Mean and Student-t confidence band over replicates (the last axis).

    Parameters
    ----------
    samples : array_like of shape (n_points, n_replicates) or (n_replicates,)
        One value per replicate (NaNs are ignored).
    level : float, default 0.95
    bounds : (low, high), optional
        The range the quantity can take (``(0, 1)`` for a share, ``(0, inf)``
        for a count): the band is then the interval every bounded quantity gets,
        :func:`feedsim.sweeps.intervals.bounded_interval` (on the logit or log
        scale), so a share's band never passes 100% and a count's never goes
        below 0; nothing is clipped.

    Returns
    -------
    mean, lo, hi : ndarray of shape (n_points,) (or scalars for 1-d input)
        Without bounds ``mean -+ t_{(1+level)/2, r-1} * sd / sqrt(r)``
        (:func:`feedsim.metrics.t_interval`); with one replicate the band
        collapses to the mean.

    Examples
    --------
    >>> m, lo, hi = mean_confidence_band([[1.0, 2.0, 3.0]])
    >>> float(m[0]), round(float(hi[0] - m[0]), 3)
    (2.0, 2.484)
    >>> m, lo, hi = mean_confidence_band([0.0, 0.1, 0.9], bounds=(0, 1))  # three spread shares: all of [0, 1]
    >>> float(lo), float(hi)
    (0.0, 1.0)
    >>> m, lo, hi = mean_confidence_band([0.2, 0.25, 0.3], bounds=(0, 1))
    >>> 0.0 < float(lo) < float(m) < float(hi) < 1.0
    True
    """
    x = np.asarray(samples, dtype=np.float64)
    if not 0 < level < 1:
        raise InvalidParameterError(f"level must be a number in (0, 1); got {level!r}")
    ci = t_interval(np.atleast_1d(x), level)
    if np.any(np.asarray(ci.n) == 0):
        raise InvalidParameterError("samples must have at least one finite replicate per point")
    one = np.asarray(ci.n) < 2  # a single replicate: the band collapses to the mean
    mean = np.asarray(ci.mean)
    lo, hi = np.where(one, mean, ci.low), np.where(one, mean, ci.high)
    if bounds is not None:
        low, high = (float(v) for v in bounds)
        if not low < high:
            raise InvalidParameterError(f"bounds must be (low, high) with low < high; got {bounds!r}")
        rows = np.atleast_2d(x)
        ends = np.array([bounded_interval(row, (low, high), level)[3:5] for row in rows])  # one per point
        lo, hi = (np.where(one, mean, e.reshape(np.shape(mean))) for e in ends.T)
    if x.ndim <= 1:
        return np.float64(mean), np.float64(lo), np.float64(hi)
    return mean, lo, hi


def plot_sweep(data: Mapping[str, Mapping[str, ArrayLike]], *, ax=None, xlabel: str = "parameter",
               ylabel: str = "metric", alpha: float = 0.2, logx: bool = False,
               bounds: tuple[float, float] | None = None):
    """Plot a metric against a swept parameter, one line and band per ranker (or arm).

    Parameters
    ----------
    data : mapping of name to mapping
        For each line, arrays ``x``, ``mean`` and optionally ``lo`` and ``hi``
        (the band, e.g. from :func:`mean_confidence_band`), all the same length.
        Independent of how the sweep was run: any loop over seeds and values works.
    ax : matplotlib Axes, optional
    xlabel, ylabel : str
    alpha : float
        Opacity of the bands.
    logx : bool
        Log-scale the x axis.
    bounds : (low, high), optional
        The range the metric can take (``(0, 1)`` for a share; see
        :func:`feedsim.sweeps.metric_bounds`), declared on the Axes
        (:func:`feedsim.plots.rules.declare_bounds`). The bands are drawn as given,
        not clipped: compute ``lo``/``hi`` with :func:`feedsim.sweeps.bounded_interval`
        (or :func:`mean_confidence_band` with ``bounds``) so that they respect it.

    The legend sits to the right of the Axes, clear of the data.

    Lines named after a ranker (``engagement``, or ``engagement, x=1``) take its
    colour from :data:`~feedsim.plots.palette.RANKER_COLORS`.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.lines[i]`` is line ``i`` (its ydata is ``mean``); ``ax.collections[i]``
        its band when ``lo``/``hi`` were given.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = plot_sweep({"engagement": {"x": [0, 1], "mean": [0.2, 0.3], "lo": [0.1, 0.2], "hi": [0.3, 0.4]}})
    >>> ax.lines[0].get_ydata().tolist()
    [0.2, 0.3]
    """
    ax = _axes(ax)
    for name, d in data.items():
        if "x" not in d or "mean" not in d:
            raise InvalidParameterError(f"data[{name!r}] must have arrays 'x' and 'mean'; got keys {sorted(d)}")
        x = np.asarray(d["x"], dtype=np.float64)
        mean = np.asarray(d["mean"], dtype=np.float64)
        arrays = {"mean": mean}
        if ("lo" in d) != ("hi" in d):
            raise InvalidParameterError(f"data[{name!r}] must have both 'lo' and 'hi' or neither")
        if "lo" in d:
            arrays["lo"] = np.asarray(d["lo"], dtype=np.float64)
            arrays["hi"] = np.asarray(d["hi"], dtype=np.float64)
        for key, arr in arrays.items():
            if arr.shape != x.shape:
                raise InvalidParameterError(
                    f"data[{name!r}][{key!r}] must have the shape of x {x.shape}; got {arr.shape}"
                )
        order = np.argsort(x, kind="stable")
        ranker = str(name).split(",")[0].strip()
        colour = {"color": ranker_color(ranker)} if ranker in RANKER_COLORS else {}
        (line,) = ax.plot(x[order], mean[order], marker="o", label=str(name).replace("_", " "), **colour)
        if "lo" in arrays:
            ax.fill_between(x[order], arrays["lo"][order], arrays["hi"][order], color=line.get_color(), alpha=alpha,
                            linewidth=0)
    if logx:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if bounds is not None:
        declare_bounds(ax, *bounds)
    legend_outside(ax)
    return ax
