"""Unit tests for feedsim.metrics: known values, conventions and bad inputs."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from feedsim.errors import FeedsimError, InvalidParameterError
from feedsim.metrics import (
    exposure_diversity,
    gini,
    group_shares,
    lorenz_curve,
    normalized_entropy,
    ratio_or_nan,
    top_share,
)


def brute_force_gini(values):
    """Reference: sum_ij |x_i - x_j| / (2 n^2 mean), by explicit double loop."""
    x = [float(v) for v in values]
    n = len(x)
    total = sum(abs(a - b) for a, b in itertools.product(x, x))
    return total / (2 * n * n * (sum(x) / n))


def brute_force_entropy(pairs, k):
    """Reference: H / ln k for a list of (category, count) pairs of one group."""
    agg = {}
    for cat, cnt in pairs:
        agg[cat] = agg.get(cat, 0.0) + cnt
    total = sum(agg.values())
    h = -sum(v / total * math.log(v / total) for v in agg.values() if v > 0)
    return h / math.log(k)


# --- gini -------------------------------------------------------------------


def test_gini_equal_values_is_exactly_zero():
    assert gini([1, 1, 1]) == 0.0
    assert gini([0.1] * 7) == 0.0


def test_gini_all_zeros_is_zero_by_convention():
    assert gini([0, 0, 0]) == 0.0


def test_gini_single_value_is_zero():
    assert gini([42.0]) == 0.0


def test_gini_one_holder_is_n_minus_one_over_n():
    assert gini([0, 0, 1]) == 2 / 3
    assert gini([0] * 9 + [5]) == pytest.approx(0.9)


def test_gini_matches_brute_force():
    assert gini([1, 2, 3, 4]) == pytest.approx(brute_force_gini([1, 2, 3, 4]))
    assert gini([1, 2, 3, 4]) == 0.25
    x = [3.5, 0.0, 12.0, 1.0, 1.0, 7.25]
    assert gini(x) == pytest.approx(brute_force_gini(x))


def test_gini_order_does_not_matter():
    assert gini([4, 1, 3, 2]) == gini([1, 2, 3, 4])


def test_gini_huge_values_do_not_overflow():
    assert gini([1e308, 1e308, 0.0]) == pytest.approx(1 / 3)


def test_gini_accepts_integer_arrays_and_returns_float():
    g = gini(np.array([0, 0, 1], dtype=np.int32))
    assert isinstance(g, float)


# --- lorenz_curve -----------------------------------------------------------


def test_lorenz_endpoints_and_length():
    p, L = lorenz_curve([5, 1, 2, 2])
    assert p.shape == L.shape == (5,)
    assert (p[0], L[0]) == (0.0, 0.0)
    assert (p[-1], L[-1]) == (1.0, 1.0)


def test_lorenz_known_values():
    p, L = lorenz_curve([3, 1, 0, 4])
    np.testing.assert_allclose(p, [0, 0.25, 0.5, 0.75, 1])
    np.testing.assert_allclose(L, [0, 0, 1 / 8, 4 / 8, 1])


def test_lorenz_all_zero_is_diagonal():
    p, L = lorenz_curve([0, 0, 0, 0])
    np.testing.assert_array_equal(p, L)
    assert L is not p


def test_lorenz_area_is_half_gini():
    x = [3.0, 1.0, 0.0, 4.0, 9.0]
    p, L = lorenz_curve(x)
    area_under = np.sum(np.diff(p) * (L[1:] + L[:-1]) / 2)
    assert 1 - 2 * area_under == pytest.approx(gini(x))


# --- top_share --------------------------------------------------------------


def test_top_share_examples():
    assert top_share([1, 1, 1, 7], fraction=0.25) == pytest.approx(0.7)
    assert top_share([1, 1, 1, 7], fraction=0.5) == pytest.approx(0.8)
    assert top_share([1, 1, 1, 7], fraction=1.0) == 1.0


def test_top_share_takes_at_least_one_unit():
    x = np.arange(1, 11, dtype=float)  # total 55, top unit holds 10
    assert top_share(x, fraction=0.01) == pytest.approx(10 / 55)


def test_top_share_rounds_fraction_times_n_up():
    x = np.arange(1, 11, dtype=float)
    assert top_share(x, fraction=0.15) == pytest.approx((10 + 9) / 55)  # ceil(1.5) = 2


def test_top_share_exact_products_are_not_rounded_up():
    x = np.arange(1, 31, dtype=float)  # 0.1 * 30 == 3.0000000000000004 in floats
    assert top_share(x, fraction=0.1) == pytest.approx((30 + 29 + 28) / x.sum())


def test_top_share_all_zero_is_zero():
    assert top_share([0, 0, 0], fraction=0.5) == 0.0


def test_top_share_ties_at_cut_off():
    assert top_share([2, 2, 2, 2], fraction=0.5) == pytest.approx(0.5)


# --- normalized_entropy / exposure_diversity --------------------------------


def test_entropy_uniform_counts_is_one():
    J = normalized_entropy([0, 0, 0, 0], [1, 2, 3, 4], [5, 5, 5, 5])
    assert J.shape == (1,)
    assert J[0] == pytest.approx(1.0)


def test_entropy_single_category_is_nan():
    J = normalized_entropy([0, 0], [3, 3], [1, 2])
    assert np.isnan(J[0])


def test_entropy_repeated_pairs_are_aggregated():
    # (0, 1) appears twice with 1 + 1 = 2, same as a single row with count 2.
    a = normalized_entropy([0, 0, 0], [1, 1, 2], [1, 1, 2])
    b = normalized_entropy([0, 0], [1, 2], [2, 2])
    np.testing.assert_allclose(a, b)
    assert a[0] == pytest.approx(1.0)


def test_entropy_matches_brute_force():
    group = [0, 1, 0, 0, 1, 1, 1, 0]
    cat = [3, 3, 4, 9, 3, 5, 6, 4]
    cnt = [2.0, 1.0, 1.0, 5.0, 2.0, 0.5, 0.5, 3.0]
    J = normalized_entropy(group, cat, cnt)
    for g in (0, 1):
        pairs = [(c, w) for gg, c, w in zip(group, cat, cnt) if gg == g]
        k = len({c for c, w in pairs if w > 0})
        assert J[g] == pytest.approx(brute_force_entropy(pairs, k))


def test_entropy_default_counts_are_one_per_row():
    np.testing.assert_allclose(
        normalized_entropy([0, 0, 0], [1, 2, 2]),
        normalized_entropy([0, 0], [1, 2], [1, 2]),
    )


def test_entropy_capacity_normalises_by_available_categories():
    J = normalized_entropy([0, 0], [1, 2], [1, 1], capacity=[4])
    assert J[0] == pytest.approx(math.log(2) / math.log(4))


def test_entropy_capacity_scalar_is_broadcast():
    J = normalized_entropy([0, 0, 1, 1], [1, 2, 1, 2], capacity=4)
    np.testing.assert_allclose(J, [0.5, 0.5])


def test_entropy_capacity_makes_single_category_zero():
    J = normalized_entropy([0, 0], [3, 3], capacity=[5])
    assert J[0] == 0.0


def test_entropy_capacity_one_is_nan():
    J = normalized_entropy([0], [3], capacity=[1])
    assert np.isnan(J[0])


def test_entropy_groups_without_rows_are_nan():
    J = normalized_entropy([0, 0, 2, 2], [1, 2, 1, 2], n_groups=4)
    assert J.shape == (4,)
    assert np.isnan(J[1]) and np.isnan(J[3])
    np.testing.assert_allclose(J[[0, 2]], [1.0, 1.0])


def test_entropy_zero_count_categories_are_not_observed():
    J = normalized_entropy([0, 0, 0], [1, 2, 3], [1.0, 1.0, 0.0])
    assert J[0] == pytest.approx(1.0)  # K = 2, not 3


def test_entropy_all_zero_counts_is_nan():
    J = normalized_entropy([0, 0], [1, 2], [0.0, 0.0])
    assert np.isnan(J[0])


def test_entropy_empty_input():
    assert normalized_entropy([], []).shape == (0,)
    assert np.isnan(normalized_entropy([], [], n_groups=2)).all()


def test_entropy_extreme_counts_are_stable():
    J = normalized_entropy([0, 0, 1, 1], [1, 2, 1, 2], [1e308, 1e308, 5e-324, 5e-324])
    np.testing.assert_allclose(J, [1.0, 1.0])


def test_exposure_diversity_is_mean_over_defined_groups():
    group = [0, 0, 1, 2, 2, 2]
    cat = [1, 2, 1, 1, 2, 2]
    J = normalized_entropy(group, cat)
    assert np.isnan(J[1])
    assert exposure_diversity(group, cat) == pytest.approx(np.mean(J[[0, 2]]))


def test_exposure_diversity_nan_when_undefined():
    assert math.isnan(exposure_diversity([], []))
    assert math.isnan(exposure_diversity([0, 1], [4, 4]))


# --- group_shares / ratio_or_nan ----------------------------------------------


def test_group_shares_known_values():
    s = group_shares([10, 30, 60, 0], [0, 1, 1, 2], n_groups=4)
    np.testing.assert_allclose(s, [0.1, 0.9, 0.0, 0.0])


def test_group_shares_zero_total_is_zeros():
    np.testing.assert_array_equal(group_shares([0, 0], [0, 1], n_groups=3), [0, 0, 0])
    np.testing.assert_array_equal(group_shares([], [], n_groups=2), [0, 0])


def test_ratio_or_nan_values():
    r = ratio_or_nan([1.0, 0.0, 3.0, -2.0], [2.0, 0.0, 0.0, 4.0])
    np.testing.assert_array_equal(r, [0.5, np.nan, np.nan, -0.5])


def test_ratio_or_nan_broadcasts_and_returns_scalars():
    r = ratio_or_nan([[2.0], [4.0]], [1.0, 0.0])
    np.testing.assert_array_equal(r, [[2, np.nan], [4, np.nan]])
    r = ratio_or_nan(3, 4)
    assert r == 0.75 and np.ndim(r) == 0
    assert np.isnan(ratio_or_nan(1, 0))


def test_ratio_or_nan_emits_no_warning_on_overflow_or_nan():
    # pytest runs with warnings as errors, so a warning would fail this test.
    r = ratio_or_nan([1e308, np.nan, np.inf], [1e-308, 1.0, np.inf])
    assert np.isinf(r[0]) and np.isnan(r[1]) and np.isnan(r[2])


# --- bad inputs ---------------------------------------------------------------

BAD_INPUTS = [
    # (callable, args, kwargs, parameter named in the message)
    (gini, ([1.0, -1.0],), {}, "values"),
    (gini, ([1.0, np.nan],), {}, "values"),
    (gini, ([1.0, np.inf],), {}, "values"),
    (gini, ([],), {}, "values"),
    (gini, ([[1.0, 2.0]],), {}, "values"),
    (gini, (3.0,), {}, "values"),
    (gini, (["a", "b"],), {}, "values"),
    (gini, ([1 + 2j],), {}, "values"),
    (lorenz_curve, ([1.0, -1.0],), {}, "values"),
    (lorenz_curve, ([],), {}, "values"),
    (top_share, ([1.0, np.nan],), {}, "values"),
    (top_share, ([],), {}, "values"),
    (top_share, ([1.0, 2.0],), {"fraction": 0.0}, "fraction"),
    (top_share, ([1.0, 2.0],), {"fraction": 1.5}, "fraction"),
    (top_share, ([1.0, 2.0],), {"fraction": np.nan}, "fraction"),
    (top_share, ([1.0, 2.0],), {"fraction": "half"}, "fraction"),
    (normalized_entropy, ([0, -1], [1, 2]), {}, "group"),
    (normalized_entropy, ([0, 0.5], [1, 2]), {}, "group"),
    (normalized_entropy, ([0, 3], [1, 2]), {"n_groups": 2}, "group"),
    (normalized_entropy, ([0, 1], [1, -2]), {}, "category"),
    (normalized_entropy, ([0, 1], [1]), {}, "category"),
    (normalized_entropy, ([0, 1], [1, 2], [1.0]), {}, "counts"),
    (normalized_entropy, ([0, 1], [1, 2], [1.0, -1.0]), {}, "counts"),
    (normalized_entropy, ([0, 1], [1, 2], [1.0, np.nan]), {}, "counts"),
    (normalized_entropy, ([0, 1], [1, 2]), {"n_groups": -1}, "n_groups"),
    (normalized_entropy, ([0, 1], [1, 2]), {"n_groups": 1.5}, "n_groups"),
    (normalized_entropy, ([0, 0], [1, 2]), {"capacity": [1]}, "capacity"),
    (normalized_entropy, ([0, 0], [1, 2]), {"capacity": [3, 3]}, "capacity"),
    (normalized_entropy, ([0, 0], [1, 2]), {"capacity": [2.5]}, "capacity"),
    (normalized_entropy, ([0, 0], [1, 2]), {"capacity": -1}, "capacity"),
    (exposure_diversity, ([0, -1], [1, 2]), {}, "group"),
    (group_shares, ([1.0, -1.0], [0, 1], 2), {}, "values"),
    (group_shares, ([1.0, 1.0], [0, 2], 2), {}, "groups"),
    (group_shares, ([1.0, 1.0], [0], 2), {}, "groups"),
    (group_shares, ([1.0, 1.0], [0, 1], -1), {}, "n_groups"),
    (ratio_or_nan, (["x"], [1.0]), {}, "a"),
    (ratio_or_nan, ([1.0], [1j]), {}, "b"),
    (ratio_or_nan, ([1.0, 2.0], [1.0, 2.0, 3.0]), {}, "b"),
]


@pytest.mark.parametrize(
    ("func", "args", "kwargs", "name"),
    BAD_INPUTS,
    ids=[f"{f.__name__}-{i}" for i, (f, *_rest) in enumerate(BAD_INPUTS)],
)
def test_bad_input_raises_naming_the_parameter(func, args, kwargs, name):
    with pytest.raises(InvalidParameterError) as info:
        func(*args, **kwargs)
    assert str(info.value).startswith(f"{name} must ")
    assert isinstance(info.value, ValueError) and isinstance(info.value, FeedsimError)


def test_message_names_rule_and_offending_value():
    expected = r"values must be a finite number >= 0; got -1\.0 \(index 1\)"
    with pytest.raises(InvalidParameterError, match=expected):
        gini([1.0, -1.0])


def test_metrics_do_not_modify_their_inputs():
    x = np.array([3.0, 1.0, 2.0])
    before = x.copy()
    gini(x), lorenz_curve(x), top_share(x, 0.5), group_shares(x, [0, 1, 0], 2)
    np.testing.assert_array_equal(x, before)
