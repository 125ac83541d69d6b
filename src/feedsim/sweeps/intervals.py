"""Confidence intervals over replicates that stay inside a metric's feasible range.

A t-interval on the raw values of a share can leave [0, 1] when replicates
are few and spread (43.7 % [-26.5, 114.0]). Each metric family has a feasible
range (:data:`feedsim.sweeps.spec.METRIC_BOUNDS`) and gets an interval on a
scale where the range is the whole line, transformed back:

- a share in [0, 1] (or any finite range, rescaled to it): a Student-t interval
  on the **logit** of the values. Values at 0 or 1 have no logit; they are first
  squeezed to ``(x (n - 1) + 1/2) / n`` (Smithson & Verkuilen, *Psychological
  Methods* 11, 2006, the usual fix for beta regression), and the ends are
  un-squeezed and kept inside the range;
- a positive quantity (counts, reach per post, voice ratio) or an
  amplification (> -1): a t-interval on the **log** of ``x - low``, i.e. a
  geometric interval; when some replicate is exactly at the lower bound (no log),
  the ordinary t-interval with its lower end raised to the bound;
- unbounded: the ordinary t-interval.

Where every replicate has the same value the interval is that value; with one
replicate it is NaN. Paired and unpaired differences use ``scipy.stats``'
``ttest_rel`` and ``ttest_ind(..., equal_var=False)`` (Welch) intervals, cut to
the range a difference can take. Every one-sample t-interval is
:func:`feedsim.metrics.t_interval` (``scipy.stats.ttest_1samp``).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from ..metrics.intervals import scipy_interval, t_interval

__all__ = ["bounded_interval", "paired_difference", "unpaired_difference"]


def _ends(y: np.ndarray, confidence: float) -> tuple[float, float, float]:
    """Mean of ``y`` and the ends of its t-interval (:func:`feedsim.metrics.t_interval`)."""
    ci = t_interval(y, confidence)  # 1-d: Python scalars
    return float(ci.mean), float(ci.low), float(ci.high)


def bounded_interval(values: ArrayLike, bounds: tuple[float, float] = (-math.inf, math.inf),
                     confidence: float = 0.95) -> tuple[int, float, float, float, float, str]:
    """Mean, sd and a confidence interval of the mean that respects ``bounds``.

    Parameters
    ----------
    values : array_like
        One value per replicate (non-finite values are dropped).
    bounds : (low, high)
        The feasible range of the metric.
    confidence : float

    Returns
    -------
    n, mean, sd, ci_low, ci_high, method
        ``method`` is ``"logit-t"``, ``"log-t"``, ``"t"`` or ``"t-truncated"``.

    Examples
    --------
    >>> n, m, sd, lo, hi, how = bounded_interval([0.0, 0.9, 0.4], (0.0, 1.0))
    >>> how, 0.0 <= lo < m < hi <= 1.0
    ('logit-t', True)
    """
    x = np.asarray(values, dtype=np.float64)
    x = x[np.isfinite(x)]
    n = len(x)
    if n == 0:
        return 0, math.nan, math.nan, math.nan, math.nan, "t"
    mean = float(x.mean())
    if n == 1:
        return 1, mean, math.nan, math.nan, math.nan, "t"
    sd = float(x.std(ddof=1))
    low, high = float(bounds[0]), float(bounds[1])
    if sd == 0.0:
        return n, mean, 0.0, mean, mean, "t"
    if math.isfinite(low) and math.isfinite(high) and np.all((x >= low) & (x <= high)):
        u = (x - low) / (high - low)
        squeeze = bool(np.any((u <= 0) | (u >= 1)))
        if squeeze:
            u = (u * (n - 1) + 0.5) / n
        _, y_low, y_high = _ends(np.log(u / (1 - u)), confidence)
        with np.errstate(over="ignore"):  # exp overflow is an end at the bound
            ends = 1.0 / (1.0 + np.exp(-np.array([y_low, y_high])))
        if squeeze:
            ends = (ends * n - 0.5) / (n - 1)
        ends = np.clip(ends, 0.0, 1.0) * (high - low) + low
        return n, mean, sd, float(ends[0]), float(ends[1]), "logit-t"
    if math.isfinite(low) and not math.isfinite(high) and np.all(x >= low):
        if np.all(x > low):
            _, y_low, y_high = _ends(np.log(x - low), confidence)
            with np.errstate(over="ignore"):  # a spread over hundreds of decades: an unbounded end
                ends = np.exp(np.array([y_low, y_high]))
            return n, mean, sd, low + float(ends[0]), low + float(ends[1]), "log-t"
        _, lo, hi = _ends(x, confidence)
        return n, mean, sd, max(low, lo), hi, "t-truncated"
    _, lo, hi = _ends(x, confidence)
    return n, mean, sd, max(low, lo), min(high, hi), "t"


def _width(bounds) -> float:
    low, high = bounds
    return high - low if math.isfinite(low) and math.isfinite(high) else math.inf


def paired_difference(treated: ArrayLike, baseline: ArrayLike, bounds=(-math.inf, math.inf),
                      confidence: float = 0.95) -> tuple[int, float, float, float, float]:
    """Mean of paired differences ``treated - baseline`` and its t-interval.

    Pairs where either value is missing are dropped.

    Examples
    --------
    >>> n, d, sd, lo, hi = paired_difference([0.30, 0.32, 0.29], [0.35, 0.36, 0.35])
    >>> n, round(d, 3), lo < d < hi < 0
    (3, -0.05, True)
    """
    t = np.asarray(treated, dtype=np.float64)
    b = np.asarray(baseline, dtype=np.float64)
    ok = np.isfinite(t) & np.isfinite(b)
    d = t[ok] - b[ok]
    n = len(d)
    if n == 0:
        return 0, math.nan, math.nan, math.nan, math.nan
    mean = float(d.mean())
    if n == 1:
        return 1, mean, math.nan, math.nan, math.nan
    from scipy import stats

    sd = float(d.std(ddof=1))
    lo, hi = (mean, mean) if sd == 0.0 else scipy_interval(stats.ttest_rel, t[ok], b[ok], confidence=confidence)
    w = _width(bounds)
    return n, mean, sd, max(-w, lo), min(w, hi)


def unpaired_difference(treated: ArrayLike, baseline: ArrayLike, bounds=(-math.inf, math.inf),
                        confidence: float = 0.95) -> tuple[int, float, float, float, float]:
    """Difference of means ``mean(treated) - mean(baseline)`` and its Welch t-interval.

    Returns ``n`` as the smaller sample size and ``sd`` as the standard error of
    the difference times ``sqrt(n)`` (comparable with the paired ``sd``).

    Examples
    --------
    >>> n, d, sd, lo, hi = unpaired_difference([0.30, 0.32, 0.29], [0.35, 0.36, 0.35])
    >>> round(d, 3), lo < d < hi
    (-0.05, True)
    """
    t = np.asarray(treated, dtype=np.float64)
    b = np.asarray(baseline, dtype=np.float64)
    t, b = t[np.isfinite(t)], b[np.isfinite(b)]
    n1, n2 = len(t), len(b)
    if n1 == 0 or n2 == 0:
        return 0, math.nan, math.nan, math.nan, math.nan
    mean = float(t.mean() - b.mean())
    n = min(n1, n2)
    if n1 < 2 or n2 < 2:
        return n, mean, math.nan, math.nan, math.nan
    se = math.sqrt(float(t.var(ddof=1)) / n1 + float(b.var(ddof=1)) / n2)
    if se == 0.0:
        return n, mean, 0.0, mean, mean
    from scipy import stats

    lo, hi = scipy_interval(stats.ttest_ind, t, b, confidence=confidence, equal_var=False)
    w = _width(bounds)
    return n, mean, se * math.sqrt(n), max(-w, lo), min(w, hi)
