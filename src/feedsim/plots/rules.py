"""Rules every feedsim figure follows, and the helpers that keep them.

The rules (issue 14, "figures people can read"):

1. a role or a ranker has its palette colour (:mod:`feedsim.plots.palette`);
2. axis labels, titles, tick labels and legend entries are words, not array keys
   (no underscores);
3. an interval (error bar or band) of a bounded quantity stays inside its bounds:
   an Axes that draws intervals declares the bounds of its quantity with
   :func:`declare_bounds`, and the intervals are computed so that they respect
   them (:func:`feedsim.sweeps.bounded_interval`); nothing is clipped;
4. bars start at zero: the value axis of a bar chart includes 0;
5. a legend never covers data, in any Axes of the figure (:func:`legend_outside`
   puts it to the right of the Axes, where no data can be).

The repository's tests check finished figures against these rules
(``tests/figure_rules.py``; the experiments run that check on every figure they
save when ``FEEDSIM_CHECK_FIGURES`` is set).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from ..errors import InvalidParameterError

__all__ = ["declare_bounds", "interval_bars", "interval_points", "legend_outside"]

_ATTR = "_feedsim_bounds"


def declare_bounds(ax, low: float, high: float, axis: str = "y"):
    """Say which range the quantity on one axis of ``ax`` can take.

    Parameters
    ----------
    ax : matplotlib Axes
    low, high : float
        ``(0, 1)`` for a share, ``(0, inf)`` for a count, ``(-inf, inf)`` for a
        difference that can have either sign.
    axis : {"y", "x"}
        The value axis (``"x"`` for horizontal bars).

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``, for chaining.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> ax = declare_bounds(plt.figure().add_subplot(), 0, 1)
    >>> ax._feedsim_bounds
    {'y': (0.0, 1.0)}
    """
    low, high = float(low), float(high)
    if axis not in ("x", "y"):
        raise InvalidParameterError(f"axis must be 'x' or 'y'; got {axis!r}")
    if not low < high:
        raise InvalidParameterError(f"bounds must be (low, high) with low < high; got ({low!r}, {high!r})")
    bounds = dict(getattr(ax, _ATTR, {}))
    bounds[axis] = (low, high)
    setattr(ax, _ATTR, bounds)
    return ax


def interval_bars(ax, positions: ArrayLike, mean: ArrayLike, lo: ArrayLike, hi: ArrayLike, *,
                  bounds: tuple[float, float], horizontal: bool = False, width: float = 0.8, **kwargs):
    """Bars with error bars ``[lo, hi]`` of a quantity within ``bounds``.

    Missing values (None or NaN) draw no bar and no error bar. The ends are
    drawn as given (an end past the mean is drawn at the mean): compute ``lo``
    and ``hi`` with :func:`feedsim.sweeps.bounded_interval`, which respects the
    bounds by construction. The bounds are declared on ``ax``
    (:func:`declare_bounds`), so the figure check flags an interval outside them.

    Parameters
    ----------
    ax : matplotlib Axes
    positions : array_like of shape (n,)
        Bar centres on the category axis.
    mean, lo, hi : array_like of shape (n,)
        Bar heights and the ends of their intervals (absolute values, not offsets).
    bounds : (low, high)
        The range the quantity can take.
    horizontal : bool, default False
        Horizontal bars (``barh``).
    width : float
        Bar width (height for horizontal bars).
    **kwargs
        Passed to ``bar`` / ``barh`` (``color``, ``label``, ``capsize``...).

    Returns
    -------
    matplotlib.container.BarContainer

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> ax = plt.figure().add_subplot()
    >>> bars = interval_bars(ax, [0, 1], [0.125, 0.5], [0.0625, 0.25], [0.25, 0.75], bounds=(0, 1))
    >>> bars.errorbar.lines[2][0].get_segments()[0][:, 1].tolist()
    [0.0625, 0.25]
    """
    m, err, (low, high) = _clipped(mean, lo, hi, bounds)
    declare_bounds(ax, low, high, "x" if horizontal else "y")
    if horizontal:
        return ax.barh(positions, m, height=width, xerr=err, **kwargs)
    return ax.bar(positions, m, width=width, yerr=err, **kwargs)


def interval_points(ax, positions: ArrayLike, mean: ArrayLike, lo: ArrayLike, hi: ArrayLike, *,
                    bounds: tuple[float, float], horizontal: bool = False, **kwargs):
    """Points with error bars ``[lo, hi]`` of a quantity within ``bounds``.

    Like :func:`interval_bars`, with ``errorbar`` (``fmt="o"`` unless given) for
    quantities where a bar from zero means nothing (ratios around 1).

    Returns
    -------
    matplotlib.container.ErrorbarContainer

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> ax = plt.figure().add_subplot()
    >>> eb = interval_points(ax, [0], [0.75], [0.5], [0.875], bounds=(0, 1))
    >>> eb.lines[2][0].get_segments()[0][:, 1].tolist()
    [0.5, 0.875]
    """
    m, err, (low, high) = _clipped(mean, lo, hi, bounds)
    declare_bounds(ax, low, high, "x" if horizontal else "y")
    kwargs.setdefault("fmt", "o")
    if horizontal:
        return ax.errorbar(m, positions, xerr=err, **kwargs)
    return ax.errorbar(positions, m, yerr=err, **kwargs)


def _clipped(mean, lo, hi, bounds):
    """Means and ``(2, n)`` error offsets of ``[lo, hi]``, not clipped (missing values: no bar)."""
    def arr(v):
        return np.array([np.nan if x is None else x for x in np.atleast_1d(np.asarray(v, dtype=object))],
                        dtype=np.float64)

    m, lo_, hi_ = arr(mean), arr(lo), arr(hi)
    low, high = (float(b) for b in bounds)
    lo_ = np.where(np.isfinite(lo_), lo_, m)
    hi_ = np.where(np.isfinite(hi_), hi_, m)
    err = np.nan_to_num(np.array([np.maximum(m - lo_, 0), np.maximum(hi_ - m, 0)]))
    return m, err, (low, high)


def legend_outside(ax, handles: Sequence | None = None, **kwargs):
    """Put the legend of ``ax`` to the right of the Axes, where it cannot cover data.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> ax = plt.figure().add_subplot()
    >>> _ = ax.plot([0, 1], label="engagement")
    >>> bool(legend_outside(ax).get_bbox_to_anchor().x0 > ax.bbox.x1)
    True
    """
    kwargs.setdefault("fontsize", "small")
    kwargs = {"loc": "upper left", "bbox_to_anchor": (1.02, 1.0), "borderaxespad": 0.0, **kwargs}
    if handles is not None:
        kwargs["handles"] = list(handles)
    return ax.legend(**kwargs)
