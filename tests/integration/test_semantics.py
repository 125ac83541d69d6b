"""Regression tests for the model's semantics (issue "A world that holds still", part 2).

Each test here failed on the engine before the fix it guards.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

import feedsim
from feedsim.engine.edges import FollowEdges


def _follow_graph(edges):
    G = nx.DiGraph(edges)
    nx.set_node_attributes(G, "regular", "role")
    return feedsim.FollowGraph.from_networkx(G)


def _sim(G, **kw):
    kw.setdefault("seed", 1)
    return feedsim.Simulation(G, **kw)


# ------------------------------------------------------------------ sessions
def test_each_session_is_its_own_feed_and_position_restarts():
    """A viewer with s sessions in a tick gets s feeds of `attention` slots."""
    G = feedsim.networks.default_community(300, seed=2)
    r = _sim(G, tick_hours=6.0, dynamics=False, record_impressions=True, leave_rate=0, join_rate=0).run(days=2)
    log = r.impressions
    att = np.array([G.nodes[n].get("attention", 0) for n in G], dtype=float)
    # slots never reach attention (they restart per session) ...
    A = feedsim.Simulation(G, seed=1).accounts.attention
    assert np.all(log.slot < A[log.viewer])
    # ... and some viewers had several sessions in one tick, so session 1 exists
    assert (log.session > 0).any()
    # within one (viewer, time, session) feed the slots are 0..k-1 without gaps
    key = (log.viewer.astype(np.int64) * 1000 + log.session) * 10_000 + (log.time * 10).astype(np.int64)
    order = np.lexsort((log.slot, key))
    k, sl = key[order], log.slot[order]
    start = np.r_[True, k[1:] != k[:-1]]
    pos = np.arange(len(k)) - np.maximum.accumulate(np.where(start, np.arange(len(k)), 0))
    assert np.array_equal(sl, pos)
    del att


@pytest.mark.slow  # a multi-seed validation (36 runs per tick length): the slow tier (pytest -m slow)
@pytest.mark.parametrize("tick", [0.5, 3.0])
def test_engagement_per_impression_and_role_shares_do_not_depend_on_tick_length(tick):
    """Dynamics off, chronological: 0.5 h and 3 h ticks agree with 1 h within sampling error.

    Engagement per impression is a ratio of counts; its standard error comes from
    the per-seed spread (12 seeds per tick length). Its main tick-dependent part is
    the position factor ``(1 + slot) ** -position_decay`` averaged over
    impressions, which has a far smaller spread: it must agree too, and numbering
    slots through all ``attention x s`` items of a tick (the engine before the fix,
    when engagement per impression fell by 10% between 0.5 h and 3 h ticks) would
    move it by more than its tolerance at 3 h.
    """
    G = feedsim.networks.default_community(1000, seed=3)
    decay = feedsim.SimulationConfig().position_decay

    def stats(t):
        epi, shares, pos, pos_old = [], [], [], []
        for seed in range(12):
            sim = feedsim.Simulation(G, tick_hours=t, dynamics=False, seed=seed, leave_rate=0, join_rate=0,
                                     record_impressions=True)
            r = sim.run(days=4)
            s = r.summary()
            epi.append(s["n_engagements"] / s["n_impressions"])
            shares.append([s["impression_share"][k] for k in ("influencer", "regular", "quiet")])
            log = r.impressions
            att = sim.accounts.attention[log.viewer]
            pos.append(np.mean((1.0 + log.slot) ** -decay))
            pos_old.append(np.mean((1.0 + log.slot + log.session * att) ** -decay))
        return np.array(epi), np.array(shares), np.array(pos), np.array(pos_old)

    e1, s1, p1, _ = stats(1.0)
    e2, s2, p2, p2_old = stats(tick)

    def se(a, b):
        return np.sqrt(a.var(axis=0, ddof=1) / len(a) + b.var(axis=0, ddof=1) / len(b))

    assert abs(e1.mean() - e2.mean()) < 4 * se(e1, e2), (e1.mean(), e2.mean())
    assert abs(p1.mean() - p2.mean()) < 4 * se(p1, p2), (p1.mean(), p2.mean())
    if tick == 3.0:  # the old numbering is detectably different: the test can fail
        assert abs(p1.mean() - p2_old.mean()) > 4 * se(p1, p2_old)
    assert np.all(np.abs(s1.mean(0) - s2.mean(0)) < 4 * se(s1, s2) + 0.003)


# ------------------------------------------------------------- mutual batch
def test_reciprocal_follows_in_one_batch_get_mutual_affinity():
    g = FollowEdges(_follow_graph([(0, 1), (1, 2)]), mutual_affinity=0.5)
    g.add_edges(np.array([2, 0]), np.array([0, 2]))  # 2 -> 0 and 0 -> 2 in the same batch
    e = g.lookup(np.array([2, 0]), np.array([0, 2]))
    assert np.all(e >= 0)
    assert np.allclose(g.affinity[e], 0.5)
    assert g.mutual[e].all()
    # an unreciprocated new edge stays at 0
    g.add_edges(np.array([2]), np.array([1]))
    e = g.lookup(np.array([2]), np.array([1]))
    assert np.allclose(g.affinity[e], 0.5)  # 1 -> 2 existed, so 2 -> 1 makes the pair mutual
    g.add_edges(np.array([1]), np.array([0]))
    e = g.lookup(np.array([1]), np.array([0]))
    assert np.allclose(g.affinity[e], 0.5)  # 0 -> 1 existed
    g2 = FollowEdges(_follow_graph([(0, 1), (1, 2)]), mutual_affinity=0.5)
    g2.add_edges(np.array([2]), np.array([0]))
    assert np.allclose(g2.affinity[g2.lookup(np.array([2]), np.array([0]))], 0.0)


# ----------------------------------------------------------- follower reach
def test_follower_reach_counts_only_followers_at_creation():
    """Numerator and denominator count the same accounts: followers when the post was made.

    V discovers A through an out-of-network post on day 0 and follows A from
    midnight; on day 1 V is shown A's day-0 posts as a follower. Those impressions
    must not count towards the day-0 posts' follower reach (V was not among the
    followers counted when they were made).
    """
    G = nx.DiGraph()
    G.add_node("A", role="influencer", post_rate=48.0, session_rate=0.0, quality=1.0)
    G.add_node("F", role="regular", post_rate=0.0, session_rate=24.0, attention=50)
    G.add_node("V", role="regular", post_rate=0.0, session_rate=24.0, attention=50, propensity=50.0)
    G.add_node("W", role="regular", post_rate=1.0, session_rate=0.0)
    G.add_edges_from([("F", "A"), ("V", "W")])
    r = _sim(G, ranker="chronological", out_of_network_share=0.5, trending_pool_size=1, like_rate=1.0,
             follow_discovery=True, discovery_follow_prob=1.0, reciprocity=False, churn=False,
             record_impressions=True).run(days=2)
    P, log = r.posts, r.impressions
    v = list(G).index("V")
    day0 = P.created < 24.0
    seen_day1_as_follower = np.isin(np.arange(len(P)), log.post[(log.viewer == v) & log.in_network & (log.time > 24)])
    assert (day0 & seen_day1_as_follower & (P.author == 0)).any()  # the situation arises
    assert np.all(P.follower_impressions <= P.followers_at_creation)
    assert np.all(P.follower_impressions[day0 & (P.author == 0)] <= 1)  # only F


# ---------------------------------------------------------------- affinity
def test_affinity_decays_towards_its_baseline():
    g = FollowEdges(_follow_graph([(0, 1), (1, 0), (0, 2)]), mutual_affinity=0.5)
    e = g.lookup(np.array([0, 0]), np.array([1, 2]))
    g.affinity[e] = [3.5, 2.0]
    g.decay_affinity(0.5)
    assert np.allclose(g.affinity[e], [0.5 + 1.5, 1.0])


def test_affinity_stays_bounded_in_a_long_run():
    """With the loops on, affinity does not pile up at its ceiling."""
    G = feedsim.networks.default_community(500, seed=5)
    sim = _sim(G)
    sim.run(days=30)
    a = sim.platform.edges.affinity
    # a sanity band, not a sampling one: the claim is "not piled up at the ceiling", so the top
    # 0.1% must stay well below it; the run without decay below is compared directly
    assert np.quantile(a, 0.999) < 0.6 * sim.config.affinity_max
    sim2 = _sim(G, affinity_half_life_days=float("inf"))
    sim2.run(days=30)
    assert np.quantile(sim2.platform.edges.affinity, 0.999) > np.quantile(a, 0.999)


# ------------------------------------------------------------ fair exposure
def _fair_feeds(G, **kw):
    r = _sim(G, ranker="fair_exposure", record_impressions=True, **kw).run(days=2)
    log = r.impressions
    author = r.posts.author[log.post - r.post_id_offset]
    return r, log, author


def test_fair_exposure_never_shows_more_than_two_items_per_author_per_feed():
    G = feedsim.networks.default_community(400, seed=6)
    r, log, author = _fair_feeds(G)
    key = np.stack([log.viewer, (log.time * 10).astype(np.int64), author])
    _, counts = np.unique(key, axis=1, return_counts=True)
    assert counts.max() <= 2


def test_fair_exposure_leaves_slots_empty_when_too_few_authors_remain():
    """A viewer who follows one prolific author sees at most 2 of its posts per tick."""
    G = nx.DiGraph()
    G.add_node("p", role="influencer", post_rate=48.0, session_rate=0.0)
    G.add_node("v", role="regular", post_rate=0.0, session_rate=24.0, attention=10)
    G.add_edge("v", "p")
    r, log, author = _fair_feeds(G, leave_rate=0, join_rate=0)
    _, per_tick = np.unique((log.time * 10).astype(np.int64), return_counts=True)
    assert per_tick.max() <= 2
    assert len(log) > 0


def test_fair_exposure_boost_does_not_depend_on_who_else_is_online():
    """The boost uses the author's history and the platform's, not the tick's other candidates."""
    from feedsim.rankers import Candidates
    from feedsim.rankers.builtin import FairExposureRanker

    rk = FairExposureRanker(max_per_author=10)

    def cands(extra):
        n = 2 + extra
        return Candidates(
            5.0, np.array([0, 2, n]), np.array([0, 1]),
            author=np.arange(n), post=np.arange(n), item_age_hours=np.ones(n), affinity=np.zeros(n),
            likes=np.zeros(n, int), reshares=np.zeros(n, int), replies=np.zeros(n, int),
            author_followers=np.full(n, 10), author_posts=np.full(n, 4),
            author_impressions=np.r_[[40, 400], np.full(extra, 4000)],
            typical_impressions_per_post=np.full(n, 50.0),
        )

    a = rk(cands(0), np.random.default_rng(0))
    b = rk(cands(5), np.random.default_rng(0))
    assert np.allclose(a[:2], b[:2])


# --------------------------------------------------------------- reshares
def test_a_post_reached_through_several_reshares_is_ranked_by_the_newest():
    """Chronological order of a reshared post uses its newest reshare, whatever the labels."""
    from feedsim.engine.feed import RESHARE

    G = feedsim.networks.default_community(400, seed=7)
    sim = _sim(G, dynamics=False, reshare_rate=0.2, leave_rate=0, join_rate=0)
    sim.run(days=1)
    p = sim.platform
    items = p.live.reshares
    # find a post with reshares at two different times by two accounts
    t = items.time
    post = items.post
    order = np.lexsort((t, post))
    dup = np.flatnonzero((post[order][1:] == post[order][:-1]) & (t[order][1:] > t[order][:-1]))
    assert len(dup)
    from feedsim.engine.feed import build_rows

    viewers = np.flatnonzero(p.accounts.present).astype(np.int64)
    rows = build_rows(p, viewers)
    is_rs = rows.kind == RESHARE
    seg = rows.segment[is_rs]
    assert is_rs.any()
    # for every (viewer, post) kept, no followee of the viewer reshared it later
    via_ptr = items.index_by_via(p.n_users)
    g = p.edges
    newest = {}
    for s_, v in enumerate(viewers.tolist()):
        for f in g.indices[g.indptr[v]:g.indptr[v + 1]].tolist():
            for i in range(via_ptr[f], via_ptr[f + 1]):
                k = (s_, int(items.post[i]))
                newest[k] = max(newest.get(k, -1.0), float(items.time[i]))
    for s_, q, tm in zip(seg.tolist(), rows.post[is_rs].tolist(), rows.time[is_rs].tolist()):
        assert tm == newest[(s_, q)]
    # one row per (viewer, post)
    keys = (rows.segment << 32) | rows.post
    assert len(np.unique(keys)) == len(keys)
    assert RESHARE == 1


# --------------------------------------------------------------- campaigns
def test_sponsored_posts_do_not_count_in_a_promoters_response():
    """A campaign cannot burn a promoter out: its posts and their engagements are not organic.

    The promoter almost never posts organically; with burnout on every low posting
    day, counting campaign posts would burn it out on day 1.
    """
    G = feedsim.networks.default_community(300, seed=8)
    promoter = next(n for n in G if G.nodes[n]["role"] == "regular")
    G = G.copy()
    G.nodes[promoter]["post_rate"] = 1e-6
    sim = _sim(G, leave_rate=0, join_rate=0, burnout_days=1, burnout_threshold=100.0)
    idx = list(G).index(promoter)
    sim.campaign([idx], posts_per_day=20.0, start_day=0, days=3)
    sim.run(days=3)
    p = sim.platform
    assert p.posts["sponsored"][p.posts["author"] == idx].sum() > 20
    acc = p.accounts
    assert acc.creator[idx]
    assert acc.active[idx] and acc.burnouts[idx] == 0
    # the same harsh setting does burn out creators that post organically
    assert acc.burnouts[acc.creator].sum() > 0


# ------------------------------------------------------------------- churn
def test_churn_is_counted_and_the_same_under_every_ranker():
    """Joins and leaves are recorded per day, and two rankers on one seed churn the same accounts."""
    G = feedsim.networks.default_community(400, seed=9)
    runs = {r: _sim(G, ranker=r, leave_rate=0.02, join_rate=0.02).run(days=5) for r in ("chronological", "engagement")}
    a, b = (runs[r] for r in ("chronological", "engagement"))
    assert a.daily["leaves"].sum() > 10 and a.daily["joins"].sum() > 10
    assert a.daily["accounts"][-1] == 400 - a.daily["leaves"][:-1].sum() + a.daily["joins"][:-1].sum()
    np.testing.assert_array_equal(a.daily["leaves"], b.daily["leaves"])
    np.testing.assert_array_equal(a.daily["joins"], b.daily["joins"])
    np.testing.assert_array_equal(a.authors.left_day, b.authors.left_day)
    np.testing.assert_array_equal(a.authors.role, b.authors.role)
    # sessions are common random numbers too (the session stream does not depend on who left)
    np.testing.assert_array_equal(a.authors.sessions, b.authors.sessions)
    # departed accounts do not count towards the end-of-run follower inequality
    s = a.summary()
    from feedsim.metrics import gini
    assert s["gini_followers"] == pytest.approx(gini(a.authors.followers[a.authors.present]))
