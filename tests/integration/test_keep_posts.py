"""keep_posts=False: memory bounded by the state, metrics unchanged."""

from __future__ import annotations

import numpy as np
import pytest

import feedsim
from feedsim import Simulation
from feedsim.amplification import group_reach
from feedsim.engine.platform import Platform
from feedsim.errors import InvalidParameterError


def _run(keep_posts, monkeypatch, **kw):
    G = feedsim.networks.default_community(400, seed=5)
    with monkeypatch.context() as m:
        m.setattr(Platform, "FOLD_MIN", 1)
        sim = Simulation(G, ranker="engagement", seed=5, max_age_hours=6, out_of_network_share=0.2,
                         keep_posts=keep_posts, **kw)
        res = sim.run(days=4)
    return sim, res


def test_folding_post_rows_changes_no_metric(monkeypatch):
    sim_full, full = _run(True, monkeypatch)
    sim_fold, fold = _run(False, monkeypatch)
    assert fold.post_id_offset > 0 and full.post_id_offset == 0
    assert len(fold.posts) < len(full.posts) / 2
    # the rows kept are the last rows of the full table, bit for bit
    for col in full.posts:
        np.testing.assert_array_equal(fold.posts[col], full.posts[col][fold.post_id_offset:])
    for col in full.authors:
        np.testing.assert_array_equal(fold.authors[col], full.authors[col])
    a, b = full.summary(), fold.summary()
    a["config"].pop("keep_posts"), b["config"].pop("keep_posts")
    # a mean over posts summed in two parts: equal up to rounding
    ra, rb = a.pop("follower_reach"), b.pop("follower_reach")
    assert ra.keys() == rb.keys()
    for role in ra:
        assert (ra[role] is None and rb[role] is None) or ra[role] == pytest.approx(rb[role], rel=1e-12)
    assert a == b
    assert a["n_posts"] == len(full.posts)
    assert group_reach(full) == group_reach(fold)
    assert sim_fold.platform.posts.n < sim_full.platform.posts.n


def test_folded_runs_keep_candidate_post_ids_global(monkeypatch):
    seen_ids = []

    def ranker(c, rng):
        seen_ids.append(int(c.post.max()))
        return -c.item_age_hours

    G = feedsim.networks.default_community(400, seed=5)
    with monkeypatch.context() as m:
        m.setattr(Platform, "FOLD_MIN", 1)
        sim = Simulation(G, ranker=ranker, seed=5, max_age_hours=6, keep_posts=False)
        out = sim.run(days=4)
    assert out.post_id_offset > 0
    # ids keep growing across folds: the newest candidate is a post created in the run
    assert seen_ids[-1] >= out.post_id_offset
    assert seen_ids[-1] < out.post_id_offset + len(out.posts)


def test_keep_posts_false_refuses_an_impression_log():
    G = feedsim.networks.default_community(100, seed=1)
    with pytest.raises(InvalidParameterError, match="record_impressions=True needs keep_posts=True"):
        Simulation(G, keep_posts=False, record_impressions=True)
