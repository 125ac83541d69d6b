"""The same seed gives the same run, bit for bit, on one kernel thread and on two."""

from __future__ import annotations

import numba
import numpy as np
import pytest

import feedsim

pytestmark = pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs 2 kernel threads")

CASES = [
    dict(ranker="engagement", out_of_network_share=0.2, leave_rate=0.02, join_rate=0.02),
    dict(ranker="fair_exposure", session_adaptation=True),
    dict(ranker="chronological", exclude_seen=False),
]


def _tables(case):
    G = feedsim.networks.default_community(1500, seed=3)
    res = feedsim.Simulation(G, seed=4, **case).run(days=2)
    return {"posts": res.posts, "authors": res.authors, "daily": res.daily, "pairs": res._pair_table,
            "stats": {k: v for k, v in res.stats.items() if k not in ("wall_seconds", "phase_seconds")}}


@pytest.mark.parametrize("case", CASES, ids=[c["ranker"] for c in CASES])
def test_one_and_two_threads_give_the_same_run(case):
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = _tables(case)
        numba.set_num_threads(2)
        two = _tables(case)
    finally:
        numba.set_num_threads(before)
    assert one["stats"] == two["stats"] and one["stats"]["impressions"] > 10_000
    for a, b in zip(one["pairs"], two["pairs"]):
        np.testing.assert_array_equal(a, b)
    for name in ("posts", "authors", "daily"):
        x, y = one[name], two[name]
        for col in x.columns if hasattr(x, "columns") else x:
            np.testing.assert_array_equal(np.asarray(x[col]), np.asarray(y[col]), err_msg=f"{name}.{col}")
