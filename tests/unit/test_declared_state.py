"""Every state array is declared once (feedsim.state.StateArray); growth and memory read the declarations."""

from __future__ import annotations

import numpy as np
import pytest

import feedsim
from feedsim.engine.account_state import ACCOUNT_ARRAYS, AccountState
from feedsim.population.state import POPULATION_ARRAYS, Population
from feedsim.state import WRITERS, StateArray, bytes_per_row, declare


def _accounts(n=200):
    G = feedsim.networks.default_community(n, seed=3, as_arrays=True)
    return AccountState(Population.from_graph(G, np.random.default_rng(0)), G.in_degree())


def _arrays(obj):
    return {k for k, v in vars(obj).items() if isinstance(v, np.ndarray)}


def test_every_account_array_is_declared_and_grows_to_its_initial_value():
    acc = _accounts()
    assert _arrays(acc) == set(ACCOUNT_ARRAYS)
    assert _arrays(acc.pop) == set(POPULATION_ARRAYS)
    # make every array differ from its initial value, so that growth cannot pass by copying old rows
    for name, a in ACCOUNT_ARRAYS.items():
        arr = getattr(acc, name)
        arr[:] = ~np.asarray(a.initial, dtype=bool) if a.dtype is np.bool_ else 7
    old = acc.n
    new = acc.grow(np.array([2, 2, 4], dtype=np.int8), np.random.default_rng(1), day=5, followers=9, post_rate=1.5)
    assert new.tolist() == [old, old + 1, old + 2] and acc.n == old + 3
    ruled = {"creator": True, "joined_day": 5, "followers_start": 9}
    for name, a in ACCOUNT_ARRAYS.items():
        arr = getattr(acc, name)
        assert arr.dtype == np.dtype(a.dtype) and len(arr) == acc.n, name
        want = ruled[name] if a.initial is None else a.initial
        np.testing.assert_array_equal(arr[old:], np.full(3, want, dtype=a.dtype), err_msg=name)
        assert (arr[:old] != want).all() or name in ruled, name  # old rows kept
    for name, a in POPULATION_ARRAYS.items():
        arr = getattr(acc.pop, name)
        assert arr.dtype == np.dtype(a.dtype) and len(arr) == acc.n, name
    assert acc.pop.role[old:].tolist() == [2, 2, 4] and acc.pop.post_rate[old:].tolist() == [1.5] * 3


def test_declarations_are_complete():
    for reg in (ACCOUNT_ARRAYS, POPULATION_ARRAYS):
        for name, a in reg.items():
            assert a.name == name and a.help and set(a.writers) <= set(WRITERS)
            assert (a.initial is None) == (a.rule is not None)
    # an array some phase changes says which: only those set at growth alone write nothing
    assert {n for n, a in ACCOUNT_ARRAYS.items() if not a.writers} == {"creator"}


def test_a_declaration_refuses_what_it_cannot_grow():
    with pytest.raises(ValueError, match="either an initial value or a rule"):
        StateArray("x", np.int64, None, "x")
    with pytest.raises(ValueError, match="writers must be among"):
        StateArray("x", np.int64, 0, "x", writers=("tuesday",))
    with pytest.raises(ValueError, match="declared twice"):
        declare(StateArray("x", np.int64, 0, "x"), StateArray("x", np.int64, 0, "x"))
    with pytest.raises(ValueError, match="no initial value"):
        StateArray("x", np.int64, None, "x", rule="given").new(2)


def test_bytes_per_account_is_the_sum_of_the_declared_itemsizes():
    acc = _accounts()
    measured = sum(getattr(acc, n).nbytes for n in ACCOUNT_ARRAYS) + sum(
        getattr(acc.pop, n).nbytes for n in POPULATION_ARRAYS)
    assert measured == acc.n * (bytes_per_row(ACCOUNT_ARRAYS) + bytes_per_row(POPULATION_ARRAYS))


def test_posts_live_items_and_edges_hold_exactly_their_declared_arrays():
    from feedsim.engine.edges import EDGE_ACCOUNT_ARRAYS, EDGE_ARRAYS, FollowEdges
    from feedsim.engine.live import LIVE_ITEM_ARRAYS, LiveItems
    from feedsim.engine.posts import POST_ARRAYS, PostTable

    t = PostTable(capacity=4)
    assert t.columns() == list(POST_ARRAYS)
    given = {n: np.ones(2, dtype=a.dtype) for n, a in POST_ARRAYS.items() if a.initial is None}
    t.append(**given)
    for name, a in POST_ARRAYS.items():
        assert t[name].dtype == np.dtype(a.dtype), name
        if a.initial is not None:
            np.testing.assert_array_equal(t[name], np.full(2, a.initial, dtype=a.dtype), err_msg=name)

    items = LiveItems()
    assert _arrays(items) - {"_ptr"} == set(LIVE_ITEM_ARRAYS)
    items.append(np.array([0, 1]), np.array([3, 2]), np.array([3, 2]), np.array([0.0, 1.0]))
    items.update(first_live=0, n_accounts=4)
    for name, a in LIVE_ITEM_ARRAYS.items():
        assert getattr(items, name).dtype == np.dtype(a.dtype) and len(getattr(items, name)) == 2, name
    assert items.number.tolist() == [LIVE_ITEM_ARRAYS["number"].initial] * 2

    g = FollowEdges(feedsim.FollowGraph.from_edges(np.array([0, 1]), np.array([1, 2]), 3), mutual_affinity=0.5)
    views = {k for k, v in vars(g).items() if isinstance(v, np.ndarray)}
    assert views == set(EDGE_ARRAYS) | set(EDGE_ACCOUNT_ARRAYS) | {"indptr"}
    g.mask[:] = 5
    g.impressions[:] = 4
    g.add_edges(np.array([2]), np.array([0]), since=3.0)
    e = g.lookup(np.array([2]), np.array([0]))[0]
    for name, a in EDGE_ARRAYS.items():
        assert getattr(g, name).dtype == np.dtype(a.dtype), name
        if a.initial is not None:
            assert getattr(g, name)[e] == a.initial, name
    g.grow(2)
    assert len(g.in_degree) == g.n == 5 and g.in_degree[3:].tolist() == [EDGE_ACCOUNT_ARRAYS["in_degree"].initial] * 2


def test_the_memory_estimate_covers_the_declared_state():
    # engine/memory.py's bytes per unit are the declared state plus what a run adds (slack, the copies
    # a tick makes, the result): 296 B/account (320 assumed), 37 B/edge (42), 82 B/post row (180),
    # 40 B/live item (100)
    from feedsim.engine.config import SimulationConfig
    from feedsim.engine.memory import _PER_ACCOUNT, _PER_EDGE, _PER_POST_ROW, declared_bytes, estimate_memory
    from feedsim.network.graph import FollowGraph

    per = declared_bytes()
    assert per == {"account": 296, "post": 82, "live_item": 40, "edge": 37}
    assert (_PER_ACCOUNT, _PER_EDGE, _PER_POST_ROW) == (per["account"] + 24, per["edge"] + 5, 2 * per["post"] + 16)
    G = FollowGraph.from_networkx(feedsim.networks.default_community(300, seed=0))
    pop = Population.from_graph(G, np.random.default_rng(0))
    est = estimate_memory(G, pop, SimulationConfig(keep_posts=True), days=2)
    assert est.parts["accounts"] >= G.n_users * per["account"]
    assert est.parts["edges"] >= G.n_edges * per["edge"]
    rows = float(pop.post_rate.sum()) * 2
    assert est.parts["post_table"] >= rows * per["post"]


def test_the_result_reports_the_declared_columns():
    # result.authors copies the arrays whose declaration names a result column; the others are derived
    # (node ids, follower and followee counts, reach); the logs' columns and dtypes are declared too
    from feedsim.engine.account_state import ACCOUNT_ARRAYS
    from feedsim.engine.platform import IMPRESSION_LOG, SESSION_LOG
    from feedsim.population.state import POPULATION_ARRAYS

    G = feedsim.networks.default_community(60, seed=0)
    res = feedsim.Simulation(G, seed=0, record_impressions=True).run(days=1)
    declared = {a.result: a for reg in (POPULATION_ARRAYS, ACCOUNT_ARRAYS) for a in reg.values() if a.result}
    assert set(res.authors) == set(declared) | {"node_id", "followers", "following", "reach"}
    for col, a in declared.items():
        assert res.authors[col].dtype == np.dtype(a.dtype), col
    for table, reg in ((res.impressions, IMPRESSION_LOG), (res.sessions, SESSION_LOG)):
        assert list(table) == list(reg)
        assert all(table[k].dtype == np.dtype(a.dtype) for k, a in reg.items())
