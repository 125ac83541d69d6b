"""The fused kernel's top-k and per-author cap agree with their plain definitions.

``_top_rows`` drops rows below a floor before drawing their keys and ranks the
rest by counting; the oracle keys every row and sorts. ``_cap_run`` keeps an
author's best rows in a short sorted list; the oracle is ``cap_rows``, which the
materialised path runs. Scores are drawn from a few values so that ties (the hard
case for both) are common.
"""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from feedsim.engine.kernels.fused import _cap_run, _top_rows
from feedsim.engine.kernels.scores import cap_rows
from feedsim.engine.kernels.select import jittered

_KEY = np.uint64(0x5EED)
_SCORES = st.one_of(st.sampled_from([0.0, -0.0, 1.0, 2.5, -3.0, 1e-300, -np.inf]), st.floats(-5, 5))


def _expected(score, post, t, v, post_offset):
    rows = [j for j in range(len(score)) if score[j] != -np.inf]
    keys = {j: jittered(score[j], _KEY, 7, v, post[j] + post_offset) for j in rows}
    rows.sort(key=lambda j: (-keys[j], post[j]))
    return rows[:t], [keys[j] for j in rows[:t]]


@settings(max_examples=300, deadline=None)
@given(st.lists(_SCORES, min_size=1, max_size=300), st.integers(0, 40), st.integers(0, 3), st.integers(0, 5))
def test_top_rows_equals_keying_and_sorting_every_row(scores, t, lo, v):
    score = np.array([0.5] * lo + scores)  # rows before ``lo`` are not the side's
    n = len(score)
    post = np.random.default_rng(len(scores)).permutation(3 * n)[:n].astype(np.int64)  # distinct posts
    finite = int(np.sum(score[lo:] != -np.inf))
    t = min(t, finite)
    cf, ci = np.empty((3, n + 8)), np.empty((7, n + 8), dtype=np.int64)  # room for padding
    cf[0, :n], ci[0, :n] = score, post  # the scratch rows _top_rows reads: score, post
    pick_key, pick_int = np.empty((2, max(t, 1))), np.empty((4, max(t, 1)), dtype=np.int64)
    _top_rows(lo, n, t, np.int64(1), cf, ci, _KEY, 7, v, 11, pick_key, pick_int)
    sk, sp, sr = pick_key[1], pick_int[2], pick_int[3]
    rows, keys = _expected(score[lo:], post[lo:], t, v, 11)
    assert sr[:t].tolist() == [lo + j for j in rows]
    assert sk[:t].tolist() == keys
    assert sp[:t].tolist() == post[sr[:t]].tolist()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([0.0, 1.0, 2.0, 3.0, -1.0]), min_size=0, max_size=60), st.integers(0, 6))
def test_cap_run_equals_cap_rows_for_one_author(scores, cap):
    score = np.array(scores, dtype=np.float64)
    expected = score.copy()
    cap_rows(0, len(score), np.zeros(len(score), dtype=np.int64), expected, cap)
    cf = np.empty((3, len(score)))
    cf[0] = score
    if len(score) > cap:
        _cap_run(0, len(score), cf, cap, np.empty(cap), np.empty(cap, dtype=np.int64))
    np.testing.assert_array_equal(cf[0], expected)
