"""Inequality of a non-negative quantity across units: Gini, Lorenz curve, top shares.

The quantity is usually a per-account total from a run (impressions received,
engagements earned, followers gained). Every function takes a 1-d array with one
entry per unit, validates it once and works on sorted or partitioned copies; none
loops over units in Python.

Values are scaled by a power of two that brings their maximum into ``[0.5, 1)``
before any sum is formed. The measures are scale-invariant and the scaling is exact,
so this changes no result, but it keeps sums of very large values (``1e308``) finite.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validate import check_array, check_number
from ..errors import InvalidParameterError

__all__ = ["gini", "lorenz_curve", "top_share"]


def _as_1d(name: str, values: Any, *, nonempty: bool = False) -> np.ndarray:
    """Return ``values`` as a 1-d ndarray (any dtype) or raise naming ``name``."""
    try:
        arr = np.asarray(values)
    except (TypeError, ValueError):
        raise InvalidParameterError(
            f"{name} must be a 1-d array of numbers; got {type(values).__name__}"
        ) from None
    if arr.ndim != 1:
        raise InvalidParameterError(f"{name} must be a 1-d array; got shape {arr.shape}")
    if nonempty and arr.size == 0:
        raise InvalidParameterError(f"{name} must be a non-empty 1-d array; got shape (0,)")
    if arr.dtype.kind == "c":
        raise InvalidParameterError(f"{name} must hold real numbers; got dtype {arr.dtype}")
    return arr


def _nonnegative_vector(name: str, values: Any, *, nonempty: bool = False) -> np.ndarray:
    """Return ``values`` as 1-d float64 after checking every entry is finite and >= 0."""
    arr = _as_1d(name, values, nonempty=nonempty)
    return check_array(name, arr, low=0)


def _rescale(x: np.ndarray) -> np.ndarray:
    """Scale non-negative ``x`` exactly by a power of two so that ``max(x)`` is in ``[0.5, 1)``."""
    if x.size == 0:
        return x
    _, exponent = np.frexp(x.max())
    return np.ldexp(x, -exponent)


def _top_count(fraction: float, n: int) -> int:
    """``ceil(fraction * n)`` clamped to ``[1, n]``.

    A product within ``1e-9`` (relative) of an integer counts as that integer, so
    ``0.1 * 30 == 3.0000000000000004`` gives 3, not 4.
    """
    p = fraction * n
    r = round(p)
    k = r if abs(p - r) <= 1e-9 * max(1.0, p) else math.ceil(p)
    return min(n, max(1, int(k)))


def gini(values: ArrayLike) -> float:
    """Gini coefficient of non-negative values.

    Parameters
    ----------
    values : array_like of shape (n_units,)
        Non-negative, finite amounts, one per unit (e.g. impressions received
        per author). Order does not matter.

    Returns
    -------
    float
        The Gini coefficient in ``[0, (n_units - 1) / n_units]``: 0 when every unit
        holds the same amount, ``(n - 1) / n`` when one unit holds everything.

    Raises
    ------
    InvalidParameterError
        If ``values`` is not 1-d, is empty, or holds a negative, NaN or infinite entry.

    See Also
    --------
    lorenz_curve : the curve whose area the Gini coefficient measures.
    top_share : share held by the top units.

    Notes
    -----
    With the values sorted ascending, :math:`x_{(1)} \\le \\dots \\le x_{(n)}`,

    .. math::

        G = \\frac{\\sum_{i=1}^{n} \\sum_{j=1}^{n} |x_i - x_j|}{2 n^2 \\bar{x}}
          = \\frac{\\sum_{i=1}^{n} (2i - n - 1)\\, x_{(i)}}{n \\sum_{i=1}^{n} x_i},

    half the relative mean absolute difference (Gini 1912), computed in
    :math:`O(n \\log n)` by the sorted-values form (Damgaard and Weiner 2000). It is
    the *sample* Gini without the small-sample correction :math:`n / (n - 1)`, so
    one nonzero value among :math:`n` gives :math:`(n - 1) / n`, not 1, and ``G``
    equals twice the area between the diagonal and the :func:`lorenz_curve`.

    Conventions: equal values (including all zeros, where the formula is 0/0)
    return exactly ``0.0``, perfect equality. The result is clipped to
    ``[0, (n - 1) / n]`` to absorb rounding.

    References
    ----------
    .. [1] Gini, C. (1912). *Variabilità e mutabilità*. Bologna: Tipografia di Paolo
       Cuppini.
    .. [2] Damgaard, C. and Weiner, J. (2000). Describing inequality in plant size or
       fecundity. *Ecology*, 81(4), 1139-1142.

    Examples
    --------
    >>> from feedsim.metrics import gini
    >>> gini([1, 2, 3, 4])
    0.25
    >>> gini([5, 5, 5])
    0.0
    >>> gini([0, 0, 1])  # one holder among three: (n - 1) / n
    0.6666666666666666
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> round(gini(rng.pareto(1.5, size=10_000)), 2) > 0.5
    True
    """
    x = np.sort(_nonnegative_vector("values", values, nonempty=True))
    n = x.size
    if x[-1] == x[0]:
        return 0.0
    x = _rescale(x)
    weights = 2.0 * np.arange(1, n + 1, dtype=np.float64) - (n + 1)
    g = float(weights @ x) / (n * float(x.sum()))
    return min(max(g, 0.0), (n - 1) / n)


def lorenz_curve(values: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Lorenz curve of non-negative values.

    Parameters
    ----------
    values : array_like of shape (n_units,)
        Non-negative, finite amounts, one per unit. Order does not matter.

    Returns
    -------
    population_share : ndarray of shape (n_units + 1,)
        ``k / n_units`` for ``k = 0..n_units``: the poorest ``k`` units' share of units.
    value_share : ndarray of shape (n_units + 1,)
        The poorest ``k`` units' share of the total. Starts at exactly 0, ends at
        exactly 1, non-decreasing, convex and on or below the diagonal.

    Raises
    ------
    InvalidParameterError
        If ``values`` is not 1-d, is empty, or holds a negative, NaN or infinite entry.

    See Also
    --------
    gini : twice the area between the diagonal and this curve.

    Notes
    -----
    With the values sorted ascending, the curve joins the points

    .. math::

        \\left(\\frac{k}{n},\\; \\frac{\\sum_{i=1}^{k} x_{(i)}}{\\sum_{i=1}^{n} x_i}\\right),
        \\qquad k = 0, \\dots, n

    (Lorenz 1905). Convention: when every value is zero the share is 0/0; this
    function then returns the diagonal (``value_share == population_share``),
    perfect equality, consistent with :func:`gini` returning 0.

    References
    ----------
    .. [1] Lorenz, M. O. (1905). Methods of measuring the concentration of wealth.
       *Publications of the American Statistical Association*, 9(70), 209-219.

    Examples
    --------
    >>> from feedsim.metrics import lorenz_curve
    >>> p, L = lorenz_curve([3, 1, 0, 4])
    >>> p.tolist()
    [0.0, 0.25, 0.5, 0.75, 1.0]
    >>> L.tolist()
    [0.0, 0.0, 0.125, 0.5, 1.0]
    """
    x = np.sort(_nonnegative_vector("values", values, nonempty=True))
    n = x.size
    population_share = np.arange(n + 1, dtype=np.float64) / n
    if x[-1] == 0:
        return population_share, population_share.copy()
    cumulative = np.concatenate(([0.0], np.cumsum(_rescale(x))))
    value_share = cumulative / cumulative[-1]
    return population_share, value_share


def top_share(values: ArrayLike, fraction: float = 0.01) -> float:
    """Share of the total held by the top ``fraction`` of units.

    Parameters
    ----------
    values : array_like of shape (n_units,)
        Non-negative, finite amounts, one per unit. Order does not matter.
    fraction : float, default 0.01
        Fraction of units counted as the top, in ``(0, 1]``. The top is
        ``k = ceil(fraction * n_units)`` units, at least one.

    Returns
    -------
    float
        Sum of the ``k`` largest values over the total, in ``[k / n_units, 1]``;
        ``0.0`` when every value is zero.

    Raises
    ------
    InvalidParameterError
        If ``values`` is not 1-d, is empty, or holds a negative, NaN or infinite
        entry, or if ``fraction`` is not in ``(0, 1]``.

    See Also
    --------
    gini, lorenz_curve

    Notes
    -----
    With :math:`k = \\max(1, \\lceil f n \\rceil)` and the values sorted descending,

    .. math::

        S_f = \\frac{\\sum_{i=1}^{k} x_{[i]}}{\\sum_{i=1}^{n} x_i}
            = 1 - L\\!\\left(\\frac{n - k}{n}\\right),

    where :math:`L` is the Lorenz curve. Top shares are the standard companion of
    the Gini coefficient in the income literature (Atkinson, Piketty and Saez 2011);
    for online participation, the "90-9-1" rule (Nielsen 2006) says the top 1% of
    users create most of the content. ``fraction * n_units`` within ``1e-9``
    (relative) of an integer is taken as that integer, so ``0.1 * 30`` gives 3
    units, not 4. The top ``k`` values are found with :func:`numpy.partition`
    in :math:`O(n)`; ties at the cut-off do not change the share.

    References
    ----------
    .. [1] Atkinson, A. B., Piketty, T. and Saez, E. (2011). Top incomes in the long
       run of history. *Journal of Economic Literature*, 49(1), 3-71.
    .. [2] Nielsen, J. (2006). Participation inequality: encouraging more users to
       contribute. Nielsen Norman Group, Alertbox, 9 October 2006.

    Examples
    --------
    >>> from feedsim.metrics import top_share
    >>> top_share([1, 1, 1, 7], fraction=0.25)
    0.7
    >>> top_share([1, 1, 1, 7], fraction=0.5)
    0.8
    >>> top_share([0, 0, 0])
    0.0
    """
    x = _nonnegative_vector("values", values, nonempty=True)
    fraction = check_number("fraction", fraction, low=0, low_inclusive=False, high=1)
    n = x.size
    k = _top_count(fraction, n)
    largest = x.max()
    if largest == 0:
        return 0.0
    if k == n:
        return 1.0
    x = _rescale(x)
    top = np.partition(x, n - k)[n - k :]
    return min(float(top.sum()) / float(x.sum()), 1.0)
