"""Student-t confidence intervals of a mean over replicates, from ``scipy.stats``.

The one place feedsim computes a t-interval: sweeps (on raw, logit or log
values), amplification over replicates (on log ratios) and the confidence
bands of the sweep figures call :func:`t_interval`
(``scipy.stats.ttest_1samp(...).confidence_interval``); paired and Welch
differences call :func:`scipy_interval` on ``ttest_rel`` and
``ttest_ind(..., equal_var=False)``.
"""

from __future__ import annotations

import warnings
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import InvalidParameterError

__all__ = ["TInterval", "scipy_interval", "t_critical", "t_interval"]


class TInterval(NamedTuple):
    """A mean with its Student-t interval (scalars, or arrays for array input)."""

    #: finite values used
    n: NDArray | int
    #: their mean (NaN without values)
    mean: NDArray | float
    #: their sample standard deviation (``ddof=1``; NaN below 2 values)
    sd: NDArray | float
    #: ends of the interval ``mean -+ t sd / sqrt(n)`` (NaN below 2 values)
    low: NDArray | float
    high: NDArray | float


def _check_confidence(confidence: float) -> float:
    c = float(confidence)
    if not 0 < c < 1:
        raise InvalidParameterError(f"confidence must be a number > 0 and < 1; got {confidence!r}")
    return c


def t_critical(confidence: float, df: ArrayLike) -> NDArray | float:
    """The two-sided critical value ``t_{(1 + confidence)/2, df}``.

    Parameters
    ----------
    confidence : float
        Confidence level in (0, 1).
    df : float or array_like
        Degrees of freedom (need not be whole, as in Welch's interval).

    Examples
    --------
    >>> round(float(t_critical(0.95, 2)), 4)
    4.3027
    """
    from scipy import stats  # imported here: scipy.stats costs about 0.8 s at `import feedsim`

    q = stats.t.ppf((1 + _check_confidence(confidence)) / 2, df)
    return float(q) if np.ndim(q) == 0 else q


def t_interval(values: ArrayLike, confidence: float = 0.95, *, axis: int = -1) -> TInterval:
    """Mean of the finite values and its Student-t confidence interval.

    ``mean -+ t_{(1+confidence)/2, n-1} * sd / sqrt(n)`` with ``sd`` the sample
    standard deviation (``ddof=1``) of the ``n`` finite values; NaN and inf are
    left out. With fewer than 2 values the interval is NaN.

    Parameters
    ----------
    values : array_like
        Replicate values; for 2-d input, one row per point and replicates
        along ``axis``.
    confidence : float, default 0.95
    axis : int, default -1
        The replicate axis.

    Returns
    -------
    TInterval
        ``n``, ``mean``, ``sd``, ``low``, ``high``: Python scalars for 1-d
        input, arrays over the other axes otherwise.

    Raises
    ------
    InvalidParameterError
        If ``confidence`` is not in (0, 1).

    Examples
    --------
    >>> ci = t_interval([1.0, 2.0, 3.0])
    >>> ci.mean, round(ci.high - ci.mean, 3)
    (2.0, 2.484)
    >>> t_interval([[1.0, 3.0, np.nan], [2.0, 2.0, 2.0]]).n.tolist()
    [2, 3]
    """
    c = _check_confidence(confidence)
    x = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(x)
    n = finite.sum(axis=axis)
    xz = np.where(finite, x, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = xz.sum(axis=axis) / n
        dev = np.where(finite, x - np.expand_dims(mean, axis), 0.0)
        sd = np.sqrt((dev**2).sum(axis=axis) / (n - 1))
        sd = np.where(n > 1, sd, np.nan)
    rows = np.moveaxis(np.atleast_1d(x), axis if x.ndim else -1, -1).reshape(np.size(mean), -1 if x.size else 0)
    low, high = np.full(len(rows), np.nan), np.full(len(rows), np.nan)
    for i, row in enumerate(rows):  # one per point of a sweep, not per account
        row = row[np.isfinite(row)]
        if len(row) > 1:
            from scipy import stats  # imported here: scipy.stats costs about 0.8 s at `import feedsim`

            low[i], high[i] = scipy_interval(stats.ttest_1samp, row, 0.0, confidence=c)
    shape = np.shape(mean)
    low, high = low.reshape(shape), high.reshape(shape)
    if x.ndim <= 1:
        return TInterval(int(n), float(mean), float(sd), float(low), float(high))
    return TInterval(n, mean, sd, low, high)


def scipy_interval(test: Any, *samples: Any, confidence: float = 0.95, **kwargs: Any) -> tuple[float, float]:
    """The ends of ``test(*samples, **kwargs).confidence_interval(confidence)`` (a ``scipy.stats`` t-test).

    A sample without spread gives the interval of its mean alone (scipy warns of
    precision loss there; the warning is not passed on).

    Examples
    --------
    >>> from scipy import stats
    >>> lo, hi = scipy_interval(stats.ttest_rel, [0.30, 0.32, 0.29], [0.35, 0.36, 0.35])
    >>> round(lo, 4), round(hi, 4)
    (-0.0748, -0.0252)
    """
    c = _check_confidence(confidence)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Precision loss", RuntimeWarning)
        ci = test(*samples, **kwargs).confidence_interval(c)
    return float(ci.low), float(ci.high)
