"""Hypothesis invariants of feedsim.metrics: bounds, invariances, brute-force oracles."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from feedsim.metrics import (
    exposure_diversity,
    gini,
    group_shares,
    lorenz_curve,
    normalized_entropy,
    ratio_or_nan,
    top_share,
)

SETTINGS = settings(max_examples=100, deadline=None)

# Realistic per-unit amounts: exact zeros plus values spanning twelve decades.
amount = st.one_of(st.just(0.0), st.floats(min_value=1e-6, max_value=1e6))
amounts = st.lists(amount, min_size=1, max_size=60)
positive_amounts = amounts.filter(lambda xs: sum(xs) > 0)
fractions = st.floats(min_value=1e-3, max_value=1.0)


def brute_force_gini(x):
    x = np.asarray(x, dtype=float)
    n = x.size
    return np.abs(x[:, None] - x[None, :]).sum() / (2 * n * n * x.mean())


def reference_entropy(group, category, counts, n_groups, capacity=None):
    """Slow per-group oracle for normalized_entropy."""
    out = np.full(n_groups, np.nan)
    for g in range(n_groups):
        agg = {}
        for gg, c, w in zip(group, category, counts):
            if gg == g:
                agg[c] = agg.get(c, 0.0) + w
        weights = [w for w in agg.values() if w > 0]
        k = len(weights) if capacity is None else capacity[g]
        if not weights or k <= 1:
            continue
        total = sum(weights)
        h = -sum(w / total * math.log(w / total) for w in weights)
        out[g] = h / math.log(k)
    return out


@st.composite
def exposure_tables(draw, max_groups=5, max_categories=7, max_rows=40):
    """(group, category, counts, n_groups, n_categories) with repeated pairs allowed."""
    n_groups = draw(st.integers(1, max_groups))
    n_categories = draw(st.integers(1, max_categories))
    n_rows = draw(st.integers(0, max_rows))
    group = draw(st.lists(st.integers(0, n_groups - 1), min_size=n_rows, max_size=n_rows))
    category = draw(
        st.lists(st.integers(0, n_categories - 1), min_size=n_rows, max_size=n_rows)
    )
    counts = draw(
        st.lists(
            st.one_of(st.just(0.0), st.integers(1, 50).map(float), st.floats(1e-3, 1e3)),
            min_size=n_rows,
            max_size=n_rows,
        )
    )
    return group, category, counts, n_groups, n_categories


# --- gini -------------------------------------------------------------------


@SETTINGS
@given(amounts)
def test_gini_in_unit_interval(xs):
    g = gini(xs)
    assert 0.0 <= g < 1.0
    assert g <= (len(xs) - 1) / len(xs)


@SETTINGS
@given(positive_amounts)
def test_gini_equals_brute_force(xs):
    assert math.isclose(gini(xs), brute_force_gini(xs), rel_tol=1e-9, abs_tol=1e-12)


@SETTINGS
@given(amounts, st.floats(min_value=1e-3, max_value=1e3))
def test_gini_scale_invariant(xs, scale):
    scaled = np.asarray(xs) * scale
    assert math.isclose(gini(scaled), gini(xs), rel_tol=1e-9, abs_tol=1e-12)


@SETTINGS
@given(st.data(), amounts)
def test_gini_permutation_invariant(data, xs):
    shuffled = data.draw(st.permutations(xs))
    assert gini(shuffled) == gini(xs)


@SETTINGS
@given(st.floats(min_value=1e-6, max_value=1e6), st.integers(1, 60))
def test_gini_equal_values_exactly_zero(value, n):
    assert gini([value] * n) == 0.0


# --- lorenz_curve -----------------------------------------------------------


@SETTINGS
@given(amounts)
def test_lorenz_endpoints_monotone_convex_below_diagonal(xs):
    p, L = lorenz_curve(xs)
    n = len(xs)
    assert p.shape == L.shape == (n + 1,)
    assert L[0] == 0.0 and L[-1] == 1.0
    assert p[0] == 0.0 and p[-1] == 1.0
    assert np.all(np.diff(L) >= 0.0)
    assert np.all(np.diff(L, 2) >= -1e-12)
    assert np.all(L <= p + 1e-12)


@SETTINGS
@given(positive_amounts)
def test_lorenz_gap_area_is_half_gini(xs):
    p, L = lorenz_curve(xs)
    area_under = float(np.sum(np.diff(p) * (L[1:] + L[:-1]) / 2))
    assert math.isclose(1 - 2 * area_under, gini(xs), abs_tol=1e-9)


# --- top_share --------------------------------------------------------------


@SETTINGS
@given(positive_amounts, fractions)
def test_top_share_bounds(xs, fraction):
    n = len(xs)
    s = top_share(xs, fraction)
    assert s <= 1.0
    # The top k = ceil(fraction * n) units hold at least k / n >= fraction of the total,
    # and at least one unit is counted.
    assert s >= max(fraction, 1 / n) - 1e-9


@SETTINGS
@given(positive_amounts, fractions, fractions)
def test_top_share_monotone_in_fraction(xs, f1, f2):
    lo, hi = sorted((f1, f2))
    assert top_share(xs, lo) <= top_share(xs, hi) + 1e-12


@SETTINGS
@given(positive_amounts, fractions)
def test_top_share_agrees_with_lorenz(xs, fraction):
    n = len(xs)
    s = top_share(xs, fraction)
    _, L = lorenz_curve(xs)
    # Some k in {1..n} must satisfy s == 1 - L[n - k]; k is ceil(fraction * n) up to rounding.
    candidates = 1 - L[::-1][1:]  # index k - 1 holds 1 - L[n - k]
    k = math.ceil(fraction * n - 1e-9 * max(1.0, fraction * n))
    k = min(n, max(1, k))
    assert math.isclose(s, candidates[k - 1], abs_tol=1e-9)


@SETTINGS
@given(st.integers(1, 60), fractions)
def test_top_share_all_zero(n, fraction):
    assert top_share([0.0] * n, fraction) == 0.0


# --- normalized_entropy -----------------------------------------------------


@SETTINGS
@given(exposure_tables())
def test_entropy_in_unit_interval_and_matches_oracle(table):
    group, category, counts, n_groups, _ = table
    J = normalized_entropy(group, category, counts, n_groups=n_groups)
    assert J.shape == (n_groups,)
    defined = ~np.isnan(J)
    assert np.all((J[defined] >= 0.0) & (J[defined] <= 1.0))
    expected = reference_entropy(group, category, counts, n_groups)
    np.testing.assert_allclose(J, expected, rtol=1e-9, atol=1e-12)


@SETTINGS
@given(st.data(), exposure_tables())
def test_entropy_invariant_to_relabelling_categories(data, table):
    group, category, counts, n_groups, n_categories = table
    relabel = data.draw(st.permutations(range(n_categories)))
    offset = data.draw(st.integers(0, 10**12))  # labels need not be contiguous
    new_category = [relabel[c] * 7919 + offset for c in category]
    a = normalized_entropy(group, category, counts, n_groups=n_groups)
    b = normalized_entropy(group, new_category, counts, n_groups=n_groups)
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


@SETTINGS
@given(st.data(), exposure_tables())
def test_entropy_invariant_to_row_order(data, table):
    group, category, counts, n_groups, _ = table
    order = data.draw(st.permutations(range(len(group))))
    a = normalized_entropy(group, category, counts, n_groups=n_groups)
    b = normalized_entropy(
        [group[i] for i in order],
        [category[i] for i in order],
        [counts[i] for i in order],
        n_groups=n_groups,
    )
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


@SETTINGS
@given(st.data(), exposure_tables())
def test_entropy_capacity_matches_oracle_and_lowers_evenness(data, table):
    group, category, counts, n_groups, n_categories = table
    extra = data.draw(st.lists(st.integers(0, 5), min_size=n_groups, max_size=n_groups))
    capacity = [n_categories + e for e in extra]  # always >= the categories observed
    with_cap = normalized_entropy(group, category, counts, n_groups=n_groups, capacity=capacity)
    expected = reference_entropy(group, category, counts, n_groups, capacity)
    np.testing.assert_allclose(with_cap, expected, rtol=1e-9, atol=1e-12)
    without = normalized_entropy(group, category, counts, n_groups=n_groups)
    both = ~np.isnan(with_cap) & ~np.isnan(without)
    assert np.all(with_cap[both] <= without[both] + 1e-12)


@SETTINGS
@given(exposure_tables())
def test_exposure_diversity_is_mean_of_defined(table):
    group, category, counts, n_groups, _ = table
    J = normalized_entropy(group, category, counts, n_groups=n_groups)
    d = exposure_diversity(group, category, counts, n_groups=n_groups)
    if np.isnan(J).all():
        assert math.isnan(d)
    else:
        assert math.isclose(d, float(np.mean(J[~np.isnan(J)])), rel_tol=1e-12)
        assert 0.0 <= d <= 1.0


# --- group_shares / ratio_or_nan ----------------------------------------------


@SETTINGS
@given(st.data(), amounts, st.integers(1, 6))
def test_group_shares_sum_to_one_and_match_loop(data, xs, n_groups):
    groups = data.draw(st.lists(st.integers(0, n_groups - 1), min_size=len(xs), max_size=len(xs)))
    s = group_shares(xs, groups, n_groups)
    assert s.shape == (n_groups,)
    assert np.all((s >= 0.0) & (s <= 1.0))
    total = sum(xs)
    if total > 0:
        assert math.isclose(s.sum(), 1.0, rel_tol=1e-12)
        expected = [sum(x for x, g in zip(xs, groups) if g == k) / total for k in range(n_groups)]
        np.testing.assert_allclose(s, expected, rtol=1e-9, atol=1e-15)
    else:
        assert np.all(s == 0.0)


finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


@SETTINGS
@given(st.lists(st.tuples(finite, st.one_of(st.just(0.0), st.just(-0.0), finite)), max_size=30))
def test_ratio_or_nan_nan_exactly_where_denominator_is_zero(pairs):
    a = np.array([p[0] for p in pairs], dtype=float)
    b = np.array([p[1] for p in pairs], dtype=float)
    r = ratio_or_nan(a, b)  # a warning would be an error here
    assert r.shape == a.shape
    zero = b == 0
    assert np.all(np.isnan(r[zero]))
    with np.errstate(all="ignore"):
        expected = a[~zero] / b[~zero]
    np.testing.assert_array_equal(r[~zero], expected)
