"""The feed kernels' top-k and per-author cap agree with their plain definitions.

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


_SIDES = st.lists(st.tuples(_SCORES, st.booleans()), min_size=0, max_size=40)  # (score, out of network)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_SIDES, st.integers(0, 12)), min_size=1, max_size=6), st.sampled_from([0.0, 0.2, 0.5, 1.0]))
def test_select_equals_the_sort_based_oracle(viewers, share):
    """The materialised path's top-k (``select.take_counts`` + ``select.select``) against
    ``tests/topk_oracle.py``: jitter every score, rank each side by (key, post) with
    ``np.lexsort``, keep each side's quota, merge by key."""
    from topk_oracle import jitter, rank_in_blocks

    from feedsim.engine.kernels.hashing import STREAMS, keyed_hash_np
    from feedsim.engine.kernels.select import select, take_counts

    sizes = [len(c) for c, _ in viewers]
    cptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    n = int(cptr[-1])
    score = np.array([s for c, _ in viewers for s, _ in c], dtype=np.float64).reshape(n)
    kind = np.array([2 if oon else 0 for c, _ in viewers for _, oon in c], dtype=np.int8).reshape(n)
    post = np.random.default_rng(n).permutation(4 * n + 1)[:n].astype(np.int64)
    feed_size = np.array([k for _, k in viewers], dtype=np.int64)
    ids = np.arange(40, 40 + len(viewers), dtype=np.int64)
    tick, offset = 9, 100
    take_in, take_oon = take_counts(cptr, score, kind, feed_size, share)
    out_ptr = np.concatenate([[0], np.cumsum(take_in + take_oon)]).astype(np.int64)
    shown = np.empty(int(out_ptr[-1]), dtype=np.int64)
    rank = np.empty(int(out_ptr[-1]), dtype=np.int64)
    select(cptr, score, kind, post, ids, take_in, take_oon, out_ptr, _KEY, tick, offset, shown, rank)

    seg = np.repeat(np.arange(len(viewers)), sizes)
    level = keyed_hash_np(_KEY, STREAMS["jitter"], tick, ids[seg], post + offset) >> np.uint64(48)
    key = jitter(score, level.astype(np.float64) / 65536.0)
    oon = kind == 2
    ok = score != -np.inf
    side_rank, _ = rank_in_blocks(2 * seg + oon, key, post)  # ties: the lower post first
    for i in range(len(viewers)):
        mine = (seg == i) & ok
        n_in, n_oon = int((mine & ~oon).sum()), int((mine & oon).sum())
        k = min(int(feed_size[i]), n_in + n_oon)  # the quota, as select.take_one states it
        t_in = min(n_in, k - min(n_oon, int(np.rint(share * k))))
        t_oon = min(n_oon, k - t_in)
        assert (take_in[i], take_oon[i]) == (t_in, t_oon)
        keep = np.flatnonzero(mine & (side_rank < np.where(oon, t_oon, t_in)))
        order = keep[np.lexsort((post[keep], -key[keep]))]
        got = shown[out_ptr[i]:out_ptr[i + 1]]
        assert got.tolist() == order.tolist()
        assert rank[out_ptr[i]:out_ptr[i + 1]].tolist() == list(range(len(got)))
