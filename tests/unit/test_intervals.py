"""The one t-interval helper (scipy.stats.t) and the three places that use it."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import feedsim
from feedsim.amplification import paired_amplification
from feedsim.metrics import t_critical, t_interval
from feedsim.plots.sweep import mean_confidence_band
from feedsim.sweeps.intervals import bounded_interval, paired_difference, unpaired_difference

X = np.array([0.31, 0.27, 0.40, 0.35, 0.22])


def _scipy(x, confidence):
    x = np.asarray(x, dtype=float)
    return stats.t.interval(confidence, len(x) - 1, loc=x.mean(), scale=stats.sem(x))


def test_known_case():
    ci = t_interval([1.0, 2.0, 3.0])  # mean 2, sd 1, t_{0.975, 2} = 4.302653
    assert (ci.n, ci.mean, ci.sd) == (3, 2.0, 1.0)
    assert ci.high - ci.mean == pytest.approx(4.302652729749464 / math.sqrt(3), rel=1e-12)


@pytest.mark.parametrize("confidence", [0.8, 0.95, 0.99])
def test_agrees_with_scipy(confidence):
    ci = t_interval(X, confidence)
    np.testing.assert_allclose([ci.low, ci.high], _scipy(X, confidence), rtol=1e-12)
    assert t_critical(confidence, 4) == pytest.approx(stats.t.ppf((1 + confidence) / 2, 4), rel=1e-15)


def test_drops_non_finite_and_works_per_row():
    rows = np.array([[0.31, 0.27, np.nan, 0.40], [1.0, np.inf, 3.0, 2.0], [5.0, np.nan, np.nan, np.nan]])
    ci = t_interval(rows)
    assert ci.n.tolist() == [3, 3, 1]
    np.testing.assert_allclose([ci.low[0], ci.high[0]], _scipy([0.31, 0.27, 0.40], 0.95), rtol=1e-12)
    np.testing.assert_allclose([ci.low[1], ci.high[1]], _scipy([1.0, 3.0, 2.0], 0.95), rtol=1e-12)
    assert ci.mean[2] == 5.0 and np.isnan(ci.low[2]) and np.isnan(ci.sd[2])
    col = t_interval(rows.T, axis=0)
    np.testing.assert_array_equal(col.n, ci.n)


def test_too_few_values_and_bad_confidence():
    assert math.isnan(t_interval([1.0]).low) and t_interval([]).n == 0
    with pytest.raises(feedsim.InvalidParameterError, match="confidence must be a number > 0 and < 1; got 1.5"):
        t_interval(X, 1.5)


def test_users_give_the_scipy_interval():
    # the sweeps' t-interval on unbounded values, the paired difference, the plot band
    n, mean, sd, lo, hi, how = bounded_interval(X - 0.3, confidence=0.9)
    assert how == "t"
    np.testing.assert_allclose([lo, hi], _scipy(X - 0.3, 0.9), rtol=1e-12)
    base = np.array([0.35, 0.30, 0.41, 0.33, 0.30])
    n, d, sd, lo, hi = paired_difference(X, base)
    np.testing.assert_allclose([lo, hi], _scipy(X - base, 0.95), rtol=1e-12)
    m, lo, hi = mean_confidence_band([X, base])
    np.testing.assert_allclose([lo[1], hi[1]], _scipy(base, 0.95), rtol=1e-12)
    # amplification: a t-interval on log ratios, back on the ratio scale
    out = paired_amplification(X, base)
    expected = np.expm1(_scipy(np.log(X / base), 0.95))
    np.testing.assert_allclose([out["ci_low"], out["ci_high"]], expected, rtol=1e-12)
    # the logit interval of a share is the t-interval of the logits, transformed back
    n, mean, sd, lo, hi, how = bounded_interval(X, (0.0, 1.0))
    logit_lo, logit_hi = _scipy(np.log(X / (1 - X)), 0.95)
    assert how == "logit-t"
    np.testing.assert_allclose([lo, hi], 1 / (1 + np.exp(-np.array([logit_lo, logit_hi]))), rtol=1e-12)


def test_welch_interval_uses_the_welch_df():
    a, b = X, np.array([0.35, 0.30, 0.41, 0.33])
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = stats.t.ppf(0.975, df) * math.sqrt(va + vb)
    n, d, sd, lo, hi = unpaired_difference(a, b)
    np.testing.assert_allclose([lo, hi], [d - half, d + half], rtol=1e-12)
    res = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    np.testing.assert_allclose([lo, hi], [res.low, res.high], rtol=1e-10)
