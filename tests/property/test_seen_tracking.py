"""What a viewer was shown: the follow-edge bit masks agree with a plain set.

The engine remembers shown posts in two places: a 64-bit mask per follow edge
for the followee's own recent posts, and a hash set for everything else
(reshares, out-of-network posts, posts of accounts with more than 64 live
posts). Shrinking the mask width moves posts from one to the other; the run
must not change by a single bit.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

import feedsim
from feedsim import Simulation
from feedsim.engine.arrays import HashSet
from feedsim.engine.feed import build_candidates
from feedsim.engine.membership import start_new_edges
from feedsim.engine.platform import Platform

from test_engine_properties import cases


def _run_with_width(case, width, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(Platform, "SEEN_BITS", width)
        sim, res = case.run()
    return sim, res


def _impressions(res):
    imp = res.impressions
    return imp.viewer, imp.post, imp.slot, imp.time


@settings(max_examples=25, deadline=None)
@given(cases())
def test_mask_width_does_not_change_the_run(case):
    mp = pytest.MonkeyPatch()
    try:
        _, wide = _run_with_width(case, 64, mp)
        _, tiny = _run_with_width(case, 2, mp)
        _, none = _run_with_width(case, 0, mp)
    finally:
        mp.undo()
    for other in (tiny, none):
        for a, b in zip(_impressions(wide), _impressions(other)):
            np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(wide.posts.engagements, other.posts.engagements)


def test_prolific_accounts_use_both_paths_and_never_repeat():
    # three accounts post 400 a day: far more than 64 live posts each
    G = feedsim.networks.default_community(300, seed=4)
    for v in list(G.nodes)[:3]:
        G.nodes[v].update(post_rate=400.0)
    for v in G.nodes:
        G.nodes[v].update(session_rate=24.0, attention=30)
    sim = Simulation(G, ranker="engagement", seed=4, out_of_network_share=0.2, reshare_rate=0.1,
                     discovery_follow_prob=0.5, record_impressions=True)
    res = sim.run(days=3)
    number = sim.platform.live.originals.number
    assert (number >= 0).any() and (number < 0).any()
    key = (res.impressions.viewer << 32) | res.impressions.post
    assert len(np.unique(key)) == len(key)
    assert res.daily["new_follows"].sum() > 0


def test_a_new_follow_starts_with_what_the_follower_saw_through_reshares():
    G = feedsim.networks.default_community(200, seed=2)
    sim = Simulation(G, ranker="chronological", seed=2, dynamics=False)
    sim.run(days=1)
    p = sim.platform
    g = p.edges
    items = p.live.originals
    live = np.flatnonzero(items.number >= 0)
    i = live[0]
    author, post = int(items.author[i]), int(items.post[i])
    viewer = next(u for u in range(g.n) if u != author and g.lookup(np.array([u]), np.array([author]))[0] < 0)
    # the viewer saw the post through a reshare (hash set), then follows the author
    p.seen.add(np.array([(viewer << 32) | post], dtype=np.int64))
    g.add_edges(np.array([viewer]), np.array([author]))
    start_new_edges(p)
    cands, *_ = build_candidates(p, np.array([viewer], dtype=np.int64), sim.now)
    assert post not in set(cands.post.tolist())
    # and the author's other live posts are still candidates
    others = set(items.post[live][items.author[live] == author].tolist()) - {post}
    assert others <= set(cands.post.tolist())


def test_per_author_candidate_fields_match_the_accounts():
    # author values reach candidates by edge and merge (not a gather per candidate):
    # they must equal the accounts' values, with reshares, out-of-network posts and
    # already-shown posts of prolific accounts removed in between
    G = feedsim.networks.default_community(300, seed=6)
    for v in list(G.nodes)[:3]:
        G.nodes[v].update(post_rate=400.0)
    checked = []
    box = {}

    def ranker(c, rng):
        p = box["sim"].platform
        np.testing.assert_array_equal(c.author_followers, p.edges.in_degree[c.author])
        np.testing.assert_array_equal(c.author_posts, p.accounts.user_posts[c.author])
        np.testing.assert_array_equal(c.author_impressions, p.accounts.user_impressions[c.author])
        checked.append(len(c))
        return c.engagements + rng.random(len(c))

    sim = Simulation(G, ranker=ranker, seed=6, out_of_network_share=0.3, reshare_rate=0.1)
    box["sim"] = sim
    sim.run(days=2)
    assert sum(checked) > 0 and len(sim.platform.live.reshares) > 0


def _stale_share(sim):
    seen = sim.platform.seen
    keys = seen.keys()
    return 1.0 - np.count_nonzero((keys & 0xFFFFFFFF) >= seen.stale_below()) / max(len(keys), 1)


def _prolific_run(days_each=1, n_days=6):
    G = feedsim.networks.default_community(400, seed=8)
    for v in list(G.nodes)[:4]:
        G.nodes[v].update(post_rate=300.0)
    sim = Simulation(G, ranker="engagement", seed=8, keep_posts=False)
    shares = []
    for _ in range(n_days):
        res = sim.run(days=days_each)
        shares.append(_stale_share(sim))
    return res, shares


def test_shown_posts_of_expired_items_are_forgotten_every_day(monkeypatch):
    # prolific accounts put most impressions in the hash set; once their posts
    # leave the live window those keys can never be asked for again. They are
    # dropped at each day's close (not only when the table must grow), so after a
    # day boundary at most a quarter of the keys are stale (0.44 without it).
    res, shares = _prolific_run()
    assert max(shares) < 0.25
    # forgetting them changes nothing the run computes
    monkeypatch.setattr(HashSet, "prune_stale", lambda self, min_fraction=0.25: 0)
    kept, kept_shares = _prolific_run()
    assert max(kept_shares) > 0.25
    np.testing.assert_array_equal(res.posts.impressions, kept.posts.impressions)
    for col in ("impressions", "engagements", "posts"):
        np.testing.assert_array_equal(res.daily[col], kept.daily[col])
