"""The viewer-author pair counter (BufferedCounter): exact counts, in-place merges, bounded memory."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import feedsim
import feedsim.engine.arrays as arrays
import feedsim.engine.result as result_module
from feedsim.engine.arrays import BufferedCounter
from feedsim.metrics import normalized_entropy


def _reference(batches):
    keys, counts = np.unique(np.concatenate(batches), return_counts=True)
    return keys, counts


def _batches(seed, days=12, n_viewers=300, n_authors=2000, per_day=5000):
    rng = np.random.default_rng(seed)
    out = []
    for day in range(days):
        hi = n_viewers * (day + 1) // days  # viewers join as the run goes
        v = rng.integers(0, max(hi, 1), per_day)
        a = rng.zipf(1.5, per_day) % n_authors
        out.append((v << 32) | a)
    return out


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_counts_equal_a_sort_of_every_key(seed):
    batches = _batches(seed)
    c = BufferedCounter(flush_size=7000)  # flushes inside and at the end of days
    for b in batches:
        c.add(b[: len(b) // 2])
        c.add(b[len(b) // 2:])
        c.flush()
    keys, counts = c.items()
    ref_keys, ref_counts = _reference(batches)
    np.testing.assert_array_equal(keys, ref_keys)
    np.testing.assert_array_equal(counts, ref_counts)
    assert len(c) == len(ref_keys)


def test_snapshot_is_csr_and_never_changes_afterwards():
    batches = _batches(3)
    c = BufferedCounter()
    for b in batches[:6]:
        c.add(b)
    ptr, author, count = c.snapshot(400)
    frozen = ptr.copy(), author.copy(), count.copy()
    assert len(ptr) == 401 and ptr[-1] == len(author) == len(count)
    keys = (np.repeat(np.arange(400), np.diff(ptr)) << 32) | author.astype(np.int64)
    np.testing.assert_array_equal(keys, _reference(batches[:6])[0])
    for b in batches[6:]:  # the run goes on: later merges must not write into the snapshot
        c.add(b)
        c.flush()
    for a, b in zip(frozen, (ptr, author, count)):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(c.items()[1], _reference(batches)[1])


def test_counts_widen_to_int64_instead_of_overflowing(monkeypatch):
    monkeypatch.setattr(arrays, "_INT32_MAX", 5)
    c = BufferedCounter()
    c.add(np.array([7, 7, 7, 9]))
    c.flush()
    assert c._count.dtype == np.int32
    c.add(np.array([7, 7, 7]))  # 6 > the (patched) int32 limit
    c.flush()
    assert c._count.dtype == np.int64
    assert c.items()[1].tolist() == [6, 1]


def test_table_grows_in_place_without_a_second_copy(monkeypatch):
    copies = []
    monkeypatch.setattr(arrays, "_grown", lambda *a: copies.append(a) or np.zeros(a[2], a[0].dtype))
    c = BufferedCounter()
    for b in _batches(4, days=20):
        c.add(b)
        c.flush()
    assert len(c) > 10 * 1024  # it had to grow several times
    assert copies == []
    assert c.nbytes < 1.5 * 8 * len(c) + 8 * len(c.ptr) + 1024 * 8  # 8 bytes a pair, growth slack


def test_exposure_diversity_in_blocks_equals_one_call(monkeypatch, community):
    res = feedsim.Simulation(community, ranker="engagement", seed=3).run(days=2)
    viewer, author, counts = res._pairs
    n = len(res.authors)
    seen = np.bincount(viewer, weights=counts, minlength=n).astype(np.int64)
    cap = np.minimum(seen, np.maximum(res.authors.following, np.bincount(viewer, minlength=n)))
    want = float(np.nanmean(normalized_entropy(viewer, author, counts, n_groups=n, capacity=cap)))
    assert res.exposure_diversity() == want
    for block in (1, 7, 100):
        monkeypatch.setattr(result_module, "_PAIR_BLOCK", block)
        assert res.exposure_diversity() == want
        np.testing.assert_array_equal(result_module._distinct_viewers(res._pair_table[1], n),
                                      np.bincount(author, minlength=n))


def test_reach_is_distinct_viewers_and_result_rebuilds_from_rows(community):
    res = feedsim.Simulation(community, ranker="chronological", seed=1).run(days=1)
    viewer, author, counts = res._pairs
    np.testing.assert_array_equal(res.authors.reach, np.bincount(author, minlength=len(res.authors)))
    back = pickle.loads(pickle.dumps(res))
    assert back.summary() == res.summary()
    ptr, a, c = result_module.pair_table_from_rows(viewer, author.astype(np.int32), counts, len(res.authors))
    for x, y in zip((ptr, a, c), res._pair_table):
        np.testing.assert_array_equal(x, y)
    with pytest.raises(ValueError, match="sorted by \\(viewer, author\\)"):
        result_module.pair_table_from_rows(viewer[::-1], author[::-1], counts[::-1], len(res.authors))


def test_taking_results_moves_edge_counts_without_changing_any_table(community):
    # a result moves the follow edges' counts into the counter and borrows its
    # arrays: results taken day by day (with churn moving counts of removed edges)
    # equal one run's, and an earlier result's table never changes afterwards
    kw = dict(ranker="engagement", seed=4, leave_rate=0.01, join_rate=0.01, out_of_network_share=0.2)
    whole = feedsim.Simulation(community, **kw).run(days=3)
    sim = feedsim.Simulation(community, **kw)
    firsts = [sim.run(days=1)]
    kept = [a.copy() for a in firsts[0]._pair_table]
    assert int(sim.platform.edges.impressions.sum()) == 0  # moved into the counter
    firsts.append(sim.run(days=1))
    last = sim.run(days=1)
    for x, y in zip(firsts[0]._pair_table, kept):
        np.testing.assert_array_equal(x, y)
    for x, y in zip(last._pair_table, whole._pair_table):
        np.testing.assert_array_equal(x, y)
        assert x.dtype == y.dtype
    assert last.summary()["exposure_diversity"] == whole.summary()["exposure_diversity"]
    np.testing.assert_array_equal(last.authors.reach, whole.authors.reach)
    assert firsts[1]._pair_table[0][-1] < last._pair_table[0][-1]  # the run went on


@pytest.mark.parametrize("seed", range(6))
def test_add_table_equals_adding_every_pair(seed):
    # a CSR table (rows sorted and distinct, some counts 0, rows beyond the
    # counter's) added in place equals adding its pairs one occurrence at a time
    rng = np.random.default_rng(seed)
    c = BufferedCounter()
    batches = _batches(seed, days=3, n_viewers=50, n_authors=60, per_day=400)
    for b in batches:
        c.add(b)
    if seed % 2:
        c.snapshot(10)  # lent: the merge must write to copies
    n_rows = int(rng.integers(1, 80))
    rows = [np.sort(rng.choice(60, size=int(rng.integers(0, 8)), replace=False)) for _ in range(n_rows)]
    indptr = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(np.int64)
    indices = np.concatenate(rows).astype(np.int32) if n_rows else np.zeros(0, np.int32)
    counts = rng.integers(0, 4, len(indices)).astype(np.int32)
    before = c.snapshot()
    kept = [a.copy() for a in before]
    c.add_table(indptr, indices, counts)
    viewer = np.repeat(np.arange(n_rows, dtype=np.int64), np.diff(indptr))
    extra = np.repeat((viewer << 32) | indices.astype(np.int64), counts)
    want = _reference(batches + [extra])
    got = c.items()
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])
    for x, y in zip(before, kept):  # the earlier snapshot did not change
        np.testing.assert_array_equal(x, y)
