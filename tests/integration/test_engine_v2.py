"""The two ways the engine can pick feeds for a built-in ranker give the same run.

1. fused: candidates, scores and top-k in one compiled pass per viewer
   (``feedsim.engine.kernels.fused``), the default;
2. materialised: the candidate arrays built, scored by the ranker's array form
   (its NumPy code over ``Candidates``), then the compiled top-k: the path of custom
   rankers and of the feed audit (``platform.fused = False``, or no fused form).

Any difference in enumeration, scoring order, the per-author cap, the
out-of-network quota or tie-breaks changes which posts are shown and so the
impression counts compared here.
"""

from __future__ import annotations

import numpy as np
import pytest

import feedsim

RANKERS = ["chronological", "engagement", "popularity", "random", "platform_favoring", "fair_exposure"]


@pytest.fixture(scope="module")
def graph():
    return feedsim.networks.default_community(1200, seed=4)


def _run(graph, ranker, fused):
    sim = feedsim.Simulation(graph, ranker=ranker, seed=3, out_of_network_share=0.2)
    sim.platform.fused = fused
    return sim, sim.run(days=2)


@pytest.mark.parametrize("ranker", RANKERS)
def test_fused_and_materialised_paths_give_the_same_run(graph, ranker):
    ref_sim, ref = _run(graph, ranker, True)
    phases = ref_sim.platform.phase_seconds
    assert phases["feeds"] > 0 and phases["candidates"] == 0  # the fused path really ran
    assert len(ref.posts.author) > 1000 and int(ref.posts.impressions.sum()) > 10_000
    sim, res = _run(graph, ranker, False)
    assert sim.platform.phase_seconds["feeds"] == 0  # the materialised path ran
    assert np.array_equal(res.posts.impressions, ref.posts.impressions)
    assert np.array_equal(res.posts.author, ref.posts.author)
    assert np.array_equal(res.authors.impressions, ref.authors.impressions)
    assert sim.platform.stats["candidates"] == ref_sim.platform.stats["candidates"]
    assert sim.platform.stats["impressions"] == ref_sim.platform.stats["impressions"]


def test_fused_feeds_match_the_materialised_pipeline_on_one_tick(graph):
    """One tick's feeds row for row: viewer, post, slot, session, kind, edge and number."""
    from feedsim.engine import feed

    sim = feedsim.Simulation(graph, ranker="fair_exposure", seed=5, out_of_network_share=0.3)
    sim.run(days=1)
    p = sim.platform
    viewers = np.arange(0, p.n_users, 3, dtype=np.int64)
    attention = p.accounts.pop.attention[viewers].astype(np.int64)
    sessions = 1 + (viewers % 2)
    now = p.hours
    fused, n_cand = feed.fused_feeds(p, viewers, attention, sessions, now, feed.fused_form(p))
    rows = feed.build_rows(p, viewers)
    ref = feed.select_feeds(p, rows, feed.score_rows(p, rows, now), attention, sessions)
    assert np.array_equal(n_cand, np.diff(rows.ptr))
    assert len(ref.post) > 100
    for name in ("viewer", "post", "author", "slot", "session", "kind", "author_edge", "number"):
        assert np.array_equal(getattr(fused, name), getattr(ref, name)), name
