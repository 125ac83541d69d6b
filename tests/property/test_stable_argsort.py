"""The kernels' stable argsort orders exactly as ``numpy.argsort(kind="stable")``."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from feedsim.engine.kernels.sorting import stable_argsort


@settings(max_examples=200, deadline=None)
@given(arrays(np.int64, st.integers(0, 300), elements=st.integers(-5, 5)))
def test_ints_with_many_ties(keys):
    np.testing.assert_array_equal(stable_argsort(keys), np.argsort(keys, kind="stable"))


@settings(max_examples=200, deadline=None)
@given(arrays(np.float64, st.integers(0, 300),
              elements=st.one_of(st.floats(-1e6, 1e6), st.just(-np.inf), st.just(np.inf), st.just(0.0))))
def test_floats_with_infinities(keys):
    np.testing.assert_array_equal(stable_argsort(keys), np.argsort(keys, kind="stable"))


def test_long_input_crosses_many_merge_widths():
    keys = np.random.default_rng(0).integers(0, 50, 10_000)
    np.testing.assert_array_equal(stable_argsort(keys), np.argsort(keys, kind="stable"))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 2**31 - 1)), max_size=400),
       st.integers(0, 3))
def test_pair_keys_sort_equals_numpy(pairs, heavy):
    """Viewer buckets then per-viewer sorts give np.sort's order (a heavy viewer takes the long path)."""
    from feedsim.engine.arrays import sort_pair_keys

    keys = np.array([(v << 32) | a for v, a in pairs] + [(7 << 32) | (i * 7919 % 1000) for i in range(40 * heavy)],
                    dtype=np.int64)
    np.testing.assert_array_equal(sort_pair_keys(keys), np.sort(keys))
