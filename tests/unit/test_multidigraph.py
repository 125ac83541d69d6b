"""A networkx.MultiDiGraph is accepted with parallel edges collapsed (issue 13, part 4)."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

import feedsim
from feedsim.errors import InvalidParameterError
from feedsim.network.graph import FollowGraph, SelfLoopWarning


def _multi(G: nx.DiGraph, copies: int = 3) -> nx.MultiDiGraph:
    """The same graph with every edge repeated ``copies`` times (with edge data) and the node attributes."""
    M = nx.MultiDiGraph()
    M.add_nodes_from(G.nodes(data=True))
    for _ in range(copies):
        M.add_edges_from((u, v, {"weight": 1.0}) for u, v in G.edges)
    return M


def test_parallel_edges_collapse_and_node_attributes_are_kept(community):
    M = _multi(community)
    assert M.number_of_edges() == 3 * community.number_of_edges()
    fg = FollowGraph.from_networkx(M)
    ref = FollowGraph.from_networkx(community)
    assert fg.n_edges == ref.n_edges
    np.testing.assert_array_equal(fg.indptr, ref.indptr)
    np.testing.assert_array_equal(fg.indices, ref.indices)
    assert fg.node_ids == ref.node_ids
    assert fg.roles().tolist() == ref.roles().tolist()


def test_multidigraph_runs_like_the_digraph(community):
    a = feedsim.Simulation(_multi(community), ranker="engagement", seed=4).run(days=1).summary()
    b = feedsim.Simulation(community, ranker="engagement", seed=4).run(days=1).summary()
    assert a == b


def test_compare_accepts_a_multidigraph():
    G = nx.MultiDiGraph([(0, 1), (0, 1), (2, 1), (1, 0), (1, 0, "again")])
    nx.set_node_attributes(G, {0: "regular", 1: "influencer", 2: "quiet"}, "role")
    table = feedsim.compare(G, ["chronological"], days=1, seed=1)
    assert table.summaries["chronological"]["n_users"] == 3


def test_assign_roles_counts_parallel_edges_once():
    G = nx.DiGraph([(i, 0) for i in range(1, 50)] + [(1, 2), (3, 2)])
    M = nx.MultiDiGraph(G)
    M.add_edges_from([(1, 2)] * 40)  # 40 parallel edges do not make account 2 the most followed
    feedsim.networks.assign_roles(G)
    feedsim.networks.assign_roles(M)
    assert dict(M.nodes(data="role")) == dict(G.nodes(data="role"))


def test_multidigraph_self_loop_dropped_with_the_fix():
    M = nx.MultiDiGraph([(0, 1), (1, 1)])
    nx.set_node_attributes(M, "regular", "role")
    with pytest.warns(SelfLoopWarning, match=r"1 self-loop .*\(1, 1\).*selfloop_edges"):
        fg = FollowGraph.from_networkx(M)
    assert fg.n_edges == 1 and fg.n_users == 2


def test_undirected_multigraph_refused_in_one_line():
    with pytest.raises(InvalidParameterError, match="MultiDiGraph") as e:
        FollowGraph.from_networkx(nx.MultiGraph([(0, 1)]))
    assert "\n" not in str(e.value)
