"""Issue 34, "the memory guard has gaps": each case is refused in one line before memory grows.

Every case here is bounded: the guard must refuse within seconds, and the cases that
the old code let through are asserted on the estimate first (or run in a child
process under ``ulimit -v``), so that a failing guard fails the test without growing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import numpy as np
import pytest
import scipy.sparse

import feedsim
from feedsim.engine.config import SimulationConfig
from feedsim.engine.memory import (
    FeedbackBound,
    _available,
    available_memory,
    feedback_bound,
    plan_memory,
)
from feedsim.errors import InsufficientMemoryError


@pytest.fixture(scope="module")
def G():
    return feedsim.networks.default_community(60, seed=1, mean_follows=10)


def _one_line(exc) -> str:
    msg = str(exc.value)
    assert "\n" not in msg and "memory_limit=None" in msg
    return msg


def test_a_campaign_is_estimated_when_it_is_scheduled(G):
    # was: estimate 67 MB, then past 2.5 GB and a SIGSEGV in count_impressions
    s = feedsim.Simulation(G, seed=1, memory_limit="2 GB")
    t0 = time.perf_counter()
    with pytest.raises(InsufficientMemoryError) as info:
        s.campaign(np.arange(60), posts_per_day=1e6, start_day=0, days=1)
    assert time.perf_counter() - t0 < 5
    assert _one_line(info).startswith("campaigns of 6e7 sponsored posts/day in total")
    assert s.interventions == [] and s._scheduled == []  # refused: nothing was scheduled
    s.campaign(np.arange(3), posts_per_day=10, start_day=0, days=1)  # one that fits is scheduled
    assert len(s._scheduled) == 2
    assert s.estimate_memory(days=1).total > feedsim.Simulation(G, seed=1).estimate_memory(days=1).total


def test_a_campaign_counts_while_the_run_overlaps_it(G):
    s = feedsim.Simulation(G, seed=1, memory_limit=None)
    base = s.estimate_memory(days=10).total
    s.campaign([0], posts_per_day=1e5, start_day=5, days=1)
    assert s.estimate_memory(days=10).total > base + 1e5 * 100
    assert s.estimate_memory(days=2).total == pytest.approx(base := s.estimate_memory(days=2).total)
    assert "campaign" not in s.estimate_memory(days=2).driver  # it starts after a 2-day run


def test_add_accounts_is_estimated_when_scheduled(G):
    # was: a raw numpy MemoryError (29.8 GiB) after day 1
    s = feedsim.Simulation(G, seed=1)
    t0 = time.perf_counter()
    with pytest.raises(InsufficientMemoryError) as info:
        s.add_accounts(10**9, at_day=1)
    assert time.perf_counter() - t0 < 5
    assert _one_line(info).startswith("1,000,000,060 accounts (1,000,000,000 of them from add_accounts) x ")
    assert s._scheduled == []


def test_set_param_is_estimated_when_scheduled(G):
    s = feedsim.Simulation(G, seed=1, memory_limit="200 MB")
    s.run(days=1)
    with pytest.raises(InsufficientMemoryError, match="record_impressions=True over 3e4 days"):
        s.set_param("record_impressions", True, at_day=3e4 - 1)
    s.set_param("record_impressions", True, at_day=2)  # fits over the days it covers
    with pytest.raises(InsufficientMemoryError, match="record_impressions=True"):
        s.run(days=3e4)
    assert s.now == 24.0


def test_the_day_close_check_catches_what_user_code_changes(G):
    s = feedsim.Simulation(G, seed=1, memory_limit=None)
    start = s.estimate_memory(days=40)
    s.memory_limit = start.total + 8e6  # fits, with 8 MB to spare

    def boost(sim):  # custom code: not estimated when scheduled
        sim.accounts.post_rate *= 200

    s.schedule(boost, at_day=1)
    with pytest.raises(InsufficientMemoryError) as info:
        s.run(days=40)
    assert s.platform.day == 2 and s.now <= 48.0  # refused at the close of day 1, the day of the change
    assert "keep_posts=True over 40 days" in _one_line(info)


def test_sparse_graph_is_estimated_before_conversion():
    # was: 2.3 GB in 18 s before the guard ran
    t0 = time.perf_counter()
    with pytest.raises(InsufficientMemoryError) as info:
        feedsim.Simulation(scipy.sparse.csr_array((3 * 10**8,) * 2), memory_limit="16 GB")
    assert time.perf_counter() - t0 < 5
    assert _one_line(info).startswith("a graph of 300,000,000 accounts and 0 follow edges")


def test_generator_is_estimated_before_it_draws():
    t0 = time.perf_counter()
    with pytest.raises(InsufficientMemoryError) as info:
        feedsim.networks.default_community(10**8, as_arrays=True, memory_limit="16 GB")
    assert time.perf_counter() - t0 < 5
    assert _one_line(info).startswith("n_users=100,000,000 with mean_follows=40")


def test_sweep_graph_is_estimated_at_the_spec_check():
    from feedsim.sweeps.graphs import check_graph

    avail = available_memory()
    if avail is None:  # pragma: no cover
        pytest.skip("available memory unknown here")
    t0 = time.perf_counter()
    with pytest.raises(InsufficientMemoryError, match="^n_users=100,000,000 with mean_follows=40"):
        check_graph({"n_users": 1e8})
    assert time.perf_counter() - t0 < 5


def _cli(args, limit_kib=3_000_000, timeout=120):
    """Run the CLI in a child process under ``ulimit -v`` (so that a failing guard cannot grow)."""
    code = (f"import resource, sys; resource.setrlimit(resource.RLIMIT_AS, ({limit_kib * 1024}, {limit_kib * 1024}));"
            f"from feedsim.cli import main; sys.exit(main({args!r}))")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})


def test_cli_users_is_estimated_before_the_graph():
    # was: 3.3 GiB, then a traceback
    t0 = time.perf_counter()
    out = _cli(["run", "--users", "100000000", "--days", "1"])
    assert time.perf_counter() - t0 < 60
    assert out.returncode == 2, out.stderr[-2000:]
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "100,000,000 accounts" in lines[0] and "Traceback" not in out.stderr


def test_audit_is_in_the_estimate():
    # was: estimated 86 MB, past 2.3 GB in 8 s
    G = feedsim.networks.default_community(3000, seed=0)
    s = feedsim.Simulation(G, seed=0, audit=np.arange(3000), memory_limit="1.5 GB")
    est = s.estimate_memory(days=14)
    assert est.dominant == "audit" and est.total > 1.5e9
    t0 = time.perf_counter()
    with pytest.raises(InsufficientMemoryError) as info:
        s.run(days=14)
    assert time.perf_counter() - t0 < 5
    assert _one_line(info).startswith("audit of 3,000 accounts over 14 days")
    assert s.now == 0.0


def test_audit_estimate_covers_the_rows_recorded():
    G = feedsim.networks.default_community(300, seed=0)
    s = feedsim.Simulation(G, seed=0, audit=np.arange(300))
    est = s.estimate_memory(days=2).parts["audit"]
    rows = len(s.run(days=2).audit)
    assert rows * 129 < est < 3 * rows * 300  # 129 bytes a row in chunks, then the frame


def test_feedback_bound():
    b = feedback_bound(SimulationConfig(), 7)  # the defaults: 1 for 5 days, then <= 1.24 ** 0.5
    assert b.first_day == 5 and 1.0 < b.post_peak < 1.12 and 7.0 < b.post_days < 7.2 and b.session_peak == 1.0
    b = feedback_bound(SimulationConfig(adaptation_target=1.0), 7)
    assert b.first_day == 1 and b.post_peak == 2.0 and b.post_days == 13.0
    off = feedback_bound(SimulationConfig(creator_adaptation=False), 7)
    assert off == FeedbackBound(1.0, 7.0, 1.0, 7.0, float("inf"))
    b = feedback_bound(SimulationConfig(session_adaptation=True, session_elasticity=50), 8)
    assert b.session_peak == 2.0 and b.post_peak < 2.0
    assert feedback_bound(SimulationConfig(), 1e6).post_peak == 2.0  # a long run: up to the cap
    # was: posts a day 914 -> 703,811 in 8 days while the estimate stayed 72 MB
    G = feedsim.networks.default_community(3000, seed=0)
    kw = {"max_rate_multiplier": 1e6, "adaptation_elasticity": 50, "adaptation_smoothing": 0}
    s = feedsim.Simulation(G, seed=0, memory_limit="4 GB", **kw)
    est = s.estimate_memory(days=8)
    assert est.total > 1e12 and "max_rate_multiplier=1e6" in est.driver
    with pytest.raises(InsufficientMemoryError, match=r"feedback may raise it 1e6 times from day 5; "):
        s.run(days=8)
    assert s.now == 0.0
    # before the multipliers can move, the bound does not apply
    assert s.estimate_memory(days=5).total < 1e9


def test_rlimit_as_is_read(monkeypatch):
    import resource

    from feedsim.engine import memory

    vm = memory._proc_status("VmSize")
    if vm is None:  # pragma: no cover
        pytest.skip("no /proc/self/status here")
    real = resource.getrlimit
    fake = int(vm + 1.5e9)
    monkeypatch.setattr(resource, "getrlimit",
                        lambda which: (fake, fake) if which == resource.RLIMIT_AS else real(which))
    avail, where = _available()
    assert avail is not None and avail <= 1.5e9
    assert where.startswith("under ulimit -v (RLIMIT_AS)")
    G = feedsim.networks.default_community(300, seed=0)
    nx_attention = {i: 1e6 for i in G.nodes}
    import networkx as nx

    nx.set_node_attributes(G, nx_attention, "attention")
    with pytest.raises(InsufficientMemoryError, match=r"available; pass memory_limit=None") as info:
        feedsim.Simulation(G, seed=0)
    assert "under ulimit -v (RLIMIT_AS)" in str(info.value)


def test_the_driver_is_days_times_accounts_times_posts():
    # was: "post_rate=146 (node 16109)", an account that makes 0.9 % of the posts
    G = feedsim.networks.default_community(2000, seed=0)
    s = feedsim.Simulation(G, seed=0)
    with pytest.raises(InsufficientMemoryError) as info:
        s.run(days=1e5)
    msg = _one_line(info)
    assert msg.startswith("2,000 accounts x ") and "posts/day" in msg and "keep_posts=True over 1e5 days" in msg
    assert "(node" not in msg


def test_plan_scales_the_run_before_the_graph_exists():
    cfg = SimulationConfig()
    small = plan_memory(20_000, mean_follows=20, config=cfg, days=1)
    big = plan_memory(10_000_000, mean_follows=20, config=cfg, days=1)
    assert "10,000,000 accounts" in big.drivers["accounts"]
    ratio = (big.total - big.parts["engine"]) / (small.total - small.parts["engine"])
    assert 400 < ratio < 600  # extensive parts scale with the accounts
