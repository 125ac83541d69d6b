"""The engine's state containers against plain references: edges, pair counts, live items."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import feedsim
from feedsim.engine.arrays import BufferedCounter
from feedsim.engine.edges import FollowEdges
from feedsim.engine.live import LiveItems
from feedsim.engine.pairs import PairCounts


def _edges(n, pairs):
    u = np.array([a for a, _ in pairs], dtype=np.int64)
    v = np.array([b for _, b in pairs], dtype=np.int64)
    return FollowEdges(feedsim.FollowGraph.from_edges(u, v, n), mutual_affinity=0.5)


def _as_dict(g):
    """{(u, v): (affinity, mutual, since, impressions)} of every edge."""
    rows = g.rows()
    return {(int(a), int(b)): (float(g.affinity[e]), bool(g.mutual[e]), float(g.since[e]), int(g.impressions[e]))
            for e, (a, b) in enumerate(zip(rows, g.indices))}


edge_lists = st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)).filter(lambda t: t[0] != t[1]),
                      max_size=60, unique=True)


@settings(max_examples=60, deadline=None)
@given(start=edge_lists, added=edge_lists, gone=st.sets(st.integers(0, 11), max_size=4))
def test_adding_and_removing_edges_keeps_every_edge_its_state(start, added, gone):
    g = _edges(12, start)
    g.impressions[:] = np.arange(g.n_edges) + 1
    g.affinity[:] += 0.25
    before = _as_dict(g)
    n_new = g.add_edges(np.array([a for a, _ in added], dtype=np.int64),
                        np.array([b for _, b in added], dtype=np.int64), since=7.0)
    after = _as_dict(g)
    new = set(added) - set(before)
    assert n_new == len(new) and set(after) == set(before) | new
    for k, (aff, mutual, since, imp) in after.items():
        rev = (k[1], k[0]) in after
        assert mutual == rev
        if k in before:  # old edges keep their state; they turn mutual when the reverse arrives
            assert (since, imp) == before[k][2:]
            assert aff == (max(before[k][0], 0.5) if rev and not before[k][1] else before[k][0])
        else:
            assert (aff, since, imp) == (0.5 if rev else 0.0, 7.0, 0)
    # CSR invariants: rows sorted, degrees right, the sentinel reads 0
    assert all((np.diff(g.indices[g.indptr[u]:g.indptr[u + 1]]) > 0).all() for u in range(12))
    np.testing.assert_array_equal(g.in_degree, np.bincount(g.indices, minlength=12))
    assert g._aff[-1] == 0.0 and g.mask[-1] == 0 and len(g._aff) == g.n_edges + 1
    # removing accounts drops their edges and hands over the impressions of the dropped ones
    mask = np.zeros(12, dtype=bool)
    mask[list(gone)] = True
    removed = g.remove_accounts(mask)
    left = _as_dict(g)
    assert set(left) == {k for k in after if not (mask[k[0]] or mask[k[1]])}
    assert removed == len(after) - len(left)
    assert all(left[k] == after[k] for k in left)
    keys, counts = g.dropped_impressions
    want = sorted(((a << 32) | b, after[(a, b)][3]) for (a, b) in after
                  if (mask[a] or mask[b]) and after[(a, b)][3] > 0)
    assert list(zip(keys.tolist(), counts.tolist())) == want
    np.testing.assert_array_equal(g.in_degree, np.bincount(g.indices, minlength=12))
    for a, b in list(left)[:5]:
        assert g.lookup(np.array([a]), np.array([b]))[0] >= 0
    assert g.lookup(np.array([0]), np.array([0]))[0] == -1


def test_pair_table_counts_every_impression_once_along_edges_and_off_them():
    rng = np.random.default_rng(3)
    n = 40
    pairs = {(int(a), int(b)) for a, b in rng.integers(0, n, (200, 2)) if a != b}
    g = _edges(n, sorted(pairs))
    rows = g.rows()
    counts = PairCounts()
    every = []
    for _ in range(5):  # impressions along edges and off them, with repeats
        e = rng.integers(0, g.n_edges, 300)
        np.add.at(g.impressions, e, 1)
        every.append((rows[e] << 32) | g.indices[e].astype(np.int64))
        v, a = rng.integers(0, n, 100), rng.integers(0, n, 100)
        counts.add_off_edge(v, a)
        every.append((v << 32) | a)
    ref = BufferedCounter()
    for k in every:
        ref.add(k)
    want = ref.snapshot(n)
    got = counts.table(g, n)
    for x, y in zip(got, want):
        np.testing.assert_array_equal(x, y)
    assert got[2].dtype == np.int32 and got[1].dtype == np.int32


@settings(max_examples=60, deadline=None)
@given(batches=st.lists(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 30)), max_size=12), max_size=6),
       cuts=st.lists(st.integers(0, 40), min_size=6, max_size=6))
def test_live_items_merge_equals_a_sorted_filter(batches, cuts):
    """Items stay grouped by via, oldest first within a via, and expired ones (post < first_live) go."""
    items = LiveItems()
    ref: list[tuple[int, int, float]] = []  # (via, post, time) in arrival order
    first_live = 0
    t = 0.0
    for batch, cut in zip(batches, cuts):
        post = np.array([p for _, p in batch], dtype=np.int64)
        via = np.array([v for v, _ in batch], dtype=np.int64)
        items.append(post, via, via, np.full(len(post), t))
        ref += [(int(v), int(p), t) for v, p in batch]
        first_live = max(first_live, cut)
        dropped = items.update(first_live, n_accounts=7)
        want_dropped = sorted(v for v, p, _ in ref if p < first_live)
        ref = [r for r in ref if r[1] >= first_live]
        assert sorted(dropped.tolist()) == want_dropped
        want = sorted(ref, key=lambda r: r[0])  # stable: arrival order within a via
        assert items.via.tolist() == [r[0] for r in want]
        assert items.post.tolist() == [r[1] for r in want]
        assert items.time.tolist() == [r[2] for r in want]
        ptr = items.index_by_via(7)
        assert ptr.tolist() == [0] + np.cumsum(np.bincount(items.via, minlength=7)).tolist()
        t += 1.0


@pytest.mark.parametrize("ranker", ["chronological", "engagement"])
def test_pair_table_of_a_run_with_churn_matches_its_impressions(ranker):
    """With the impression log, the pair table is exactly the (viewer, author) counts of the log."""
    G = feedsim.networks.default_community(300, seed=5)
    sim = feedsim.Simulation(G, ranker=ranker, seed=5, record_impressions=True, leave_rate=0.05, join_rate=0.05,
                             out_of_network_share=0.2)
    res = sim.run(days=3)
    assert res.daily["leaves"].sum() > 10
    log = res.impressions
    author = np.asarray(res.posts.author)[np.asarray(log.post)]
    keys, counts = np.unique((np.asarray(log.viewer).astype(np.int64) << 32) | author, return_counts=True)
    viewer, a, c = res._pairs
    got = (viewer.astype(np.int64) << 32) | a
    order = np.argsort(got)
    np.testing.assert_array_equal(got[order], keys)
    np.testing.assert_array_equal(c[order], counts)


@settings(max_examples=100, deadline=None)
@given(counts=st.lists(st.integers(1, 6), max_size=40), n_blocks=st.integers(1, 9))
def test_viewer_blocks_cut_only_between_viewers(counts, n_blocks):
    from feedsim.engine.kernels.impressions import viewer_blocks

    viewer = np.repeat(np.arange(len(counts)), counts)
    b = viewer_blocks(viewer, n_blocks)
    assert b[0] == 0 and b[-1] == len(viewer) and (np.diff(b) > 0).all() or len(viewer) == 0
    for cut in b[1:-1]:
        assert viewer[cut] != viewer[cut - 1]
    assert len(b) - 1 <= max(n_blocks, 1)
