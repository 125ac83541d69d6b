"""Issue 13 part 5: the memory estimate refuses runs before allocation; rates have upper bounds."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

import feedsim
from feedsim.engine.memory import (
    available_memory,
    check_memory,
    parse_memory_limit,
)
from feedsim.errors import FeedsimError, InsufficientMemoryError, InvalidParameterError
from feedsim.population.state import MAX_ATTENTION, MAX_POST_RATE


def _pair(**attrs):
    G = nx.DiGraph([(0, 1), (1, 0)])
    nx.set_node_attributes(G, "regular", "role")
    for k, v in attrs.items():
        nx.set_node_attributes(G, {0: v}, k)
    return G


def test_huge_post_rate_is_refused_before_allocation():
    # the measured bug: post_rate=1e9 on a 2-node graph grew past 23 GB
    with pytest.raises(InsufficientMemoryError) as info:
        feedsim.Simulation(_pair(post_rate=MAX_POST_RATE), seed=0, memory_limit="100 MB")
    msg = str(info.value)
    assert "\n" not in msg
    assert msg.startswith("post_rate=1e6 (node 0)")
    assert "the memory_limit is 100 MB" in msg and "memory_limit=None" in msg
    assert isinstance(info.value, MemoryError) and isinstance(info.value, FeedsimError)


def test_refusal_against_available_memory_and_override():
    avail = available_memory()
    if avail is None:  # pragma: no cover
        pytest.skip("available memory unknown here")
    sim = feedsim.Simulation(_pair(post_rate=MAX_POST_RATE), seed=0)
    # 1e11 posts of about 90 bytes each: far above any machine's memory
    with pytest.raises(InsufficientMemoryError, match="available; pass memory_limit=None to override$"):
        sim.run(days=1e5)
    assert sim.now == 0.0
    sim = feedsim.Simulation(_pair(post_rate=MAX_POST_RATE), seed=0, memory_limit=None)
    assert sim.memory_limit is None  # the override: no check (the run itself is not started here)


def test_run_checks_the_number_of_days():
    sim = feedsim.Simulation(feedsim.networks.default_community(300, seed=0), seed=0, memory_limit="5 GB")
    est7, est_long = sim.estimate_memory(days=7), sim.estimate_memory(days=1e5)
    assert est_long.total > est7.total  # the post table grows with the days (keep_posts=True)
    assert est_long.dominant == "post_table"
    with pytest.raises(InsufficientMemoryError, match=r"keep_posts=True over 1e5 days"):
        sim.run(days=1e5)
    assert sim.now == 0.0  # refused before any work


def test_keep_posts_false_does_not_grow_with_days():
    sim = feedsim.Simulation(feedsim.networks.default_community(300, seed=0), seed=0, keep_posts=False)
    a, b = sim.estimate_memory(days=730), sim.estimate_memory(days=3650)
    assert b.parts["post_table"] == a.parts["post_table"]
    assert b.total < 1.3 * a.total


def test_record_impressions_is_named():
    G = feedsim.networks.default_community(300, seed=0)
    sim = feedsim.Simulation(G, seed=0, record_impressions=True)
    est = sim.estimate_memory(days=1e4)
    assert est.dominant == "impression_log"
    with pytest.raises(InsufficientMemoryError, match="record_impressions=True over 1e4 days"):
        check_memory(est, est.total / 2)


def test_estimate_of_a_small_run_is_small():
    sim = feedsim.Simulation(feedsim.networks.default_community(1000, seed=0), seed=0)
    est = sim.estimate_memory(days=7)
    assert 64e6 < est.total < 300e6
    assert set(est.parts) == set(est.drivers)


@pytest.mark.parametrize("bad", [0, -1, "lots", "3 parsecs", float("nan"), True])
def test_bad_memory_limit(bad):
    with pytest.raises(InvalidParameterError, match="memory_limit must be"):
        parse_memory_limit(bad)


def test_memory_limit_units():
    assert parse_memory_limit("1.5 GB") == 1.5e9
    assert parse_memory_limit("8 GiB") == 8 * 2**30
    assert parse_memory_limit(1e9) == 1e9
    assert parse_memory_limit("available") == "available"


def test_attention_that_does_not_fit_int32_is_refused():
    # attention=10**12 used to wrap to int32 with a RuntimeWarning
    with pytest.raises(InvalidParameterError) as info:
        feedsim.Simulation(_pair(attention=10**12), seed=0)
    msg = str(info.value)
    assert msg.startswith("attention must be a finite whole number >= 1")
    assert f"<= {MAX_ATTENTION}; got 1000000000000.0 (node 0)" in msg and "\n" not in msg
    feedsim.Simulation(_pair(attention=MAX_ATTENTION), seed=0)  # the bound itself is allowed


@pytest.mark.parametrize("name,value", [("post_rate", 1e9), ("session_rate", 1e6)])
def test_rate_upper_bounds(name, value):
    with pytest.raises(InvalidParameterError, match=rf"^{name} must be a finite number >= 0.0 and <= .*; got {value} \(node 0\)$"):
        feedsim.Simulation(_pair(**{name: value}), seed=0)


def test_add_accounts_and_campaign_bounds():
    sim = feedsim.Simulation(feedsim.networks.default_community(100, seed=0), seed=0)
    with pytest.raises(InvalidParameterError, match="attention must be"):
        sim.add_accounts(2, attention=10**12, at_day=1)
    with pytest.raises(InvalidParameterError, match="post_rate must be"):
        sim.add_accounts(2, post_rate=1e9, at_day=1)
    with pytest.raises(InvalidParameterError, match="posts_per_day must be"):
        sim.campaign([0], posts_per_day=1e9, start_day=0, days=1)


def test_estimate_memory_function_is_public():
    import numpy as np

    from feedsim.engine.config import SimulationConfig
    from feedsim.network.graph import FollowGraph
    from feedsim.population.state import Population

    G = FollowGraph.from_networkx(feedsim.networks.default_community(200, seed=0))
    pop = Population.from_graph(G, np.random.default_rng(0))
    est = feedsim.estimate_memory(G, pop, SimulationConfig(), days=1)
    assert est.total == pytest.approx(sum(est.parts.values()))


def _state_bytes(obj, seen=None) -> int:
    """Bytes of every NumPy array reachable through ``obj``'s attributes (each array once)."""
    seen = set() if seen is None else seen
    total = 0
    for value in vars(obj).values():
        if isinstance(value, np.ndarray):
            base = value if value.base is None else value.base
            if id(base) not in seen and isinstance(base, np.ndarray):
                seen.add(id(base))
                total += base.nbytes
        elif hasattr(value, "__dict__") and type(value).__module__.startswith("feedsim") and id(value) not in seen:
            seen.add(id(value))
            total += _state_bytes(value, seen)
    return total


def test_estimate_covers_the_state_a_run_holds():
    # the estimate (without the fixed engine part) must not fall below what the engine's
    # arrays hold at the end of a run, nor be far above it: a guard that refuses runs
    # which fit is as wrong as one that lets through runs which do not
    G = feedsim.networks.default_community(5000, mean_follows=20, seed=0, as_arrays=True)
    sim = feedsim.Simulation(G, ranker="engagement", seed=0)
    est = sim.estimate_memory(days=3)
    sim.run(days=3)
    held = _state_bytes(sim.platform)
    modelled = est.total - est.parts["engine"]
    assert held > 1e6
    assert held <= modelled <= 3 * held, (held, modelled)  # 2.1x today: tick transients, copies
