"""Intervals over replicates never leave a metric's feasible range and contain the mean of spread values."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from feedsim.sweeps import bounded_interval

unit = st.floats(0.0, 1.0, allow_nan=False)
positive = st.floats(0.0, 1e6, allow_nan=False)


@given(st.lists(unit, min_size=2, max_size=12))
def test_share_intervals_stay_in_the_unit_interval(values):
    n, mean, sd, lo, hi, _ = bounded_interval(values, (0.0, 1.0))
    assert 0.0 <= lo <= hi <= 1.0


@given(st.lists(positive, min_size=2, max_size=12))
def test_positive_intervals_stay_nonnegative(values):
    n, mean, sd, lo, hi, _ = bounded_interval(values, (0.0, np.inf))
    assert 0.0 <= lo <= hi


@given(st.lists(st.floats(-0.999, 50.0), min_size=2, max_size=12))
def test_amplification_intervals_stay_above_minus_one(values):
    n, mean, sd, lo, hi, _ = bounded_interval(values, (-1.0, np.inf))
    assert -1.0 <= lo <= hi
