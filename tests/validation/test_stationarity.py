"""A world that holds still: the chronological baseline does not drift on its own.

Under the chronological feed with default parameters (feedback loops, churn and
creator adaptation all on), the default community's daily posts, accounts posting
per day, active creators and mean followers in days 61-90 stay within 5% of days
8-30 (issue "A world that holds still"). The default tier checks one seed at 2,000
accounts (a smoke run of 90 simulated days), and that follows rewire the graph and
mutual affinity decays (issue 31); the slow tier (``-m slow``) checks three seeds at
2,000 accounts, a year at 1,000 accounts (issue 31), and that the check can fail.

The 5% bound is the issue's criterion. Each window mean's own sampling error is
estimated from 5-day batch means (which absorb the day-to-day correlation); the
test also requires the bound to be at least 3 standard errors of the difference,
so that it is a statement the data can support rather than noise.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

import feedsim

SERIES = ("posts", "creators_posting", "creators_active", "mean_followers")


def _changes(n_users: int, seed: int) -> dict[str, tuple[float, float]]:
    G = feedsim.networks.default_community(n_users, seed=seed)
    r = feedsim.Simulation(G, ranker="chronological", seed=seed).run(days=90)
    out = {}
    for key in SERIES:
        x = np.asarray(r.daily[key], dtype=float)
        early, late = x[7:30], x[60:90]
        change = late.mean() / early.mean() - 1.0

        def se_mean(w):
            b = w[: len(w) // 5 * 5].reshape(-1, 5).mean(axis=1)
            return b.std(ddof=1) / np.sqrt(len(b))

        se = np.hypot(se_mean(early), se_mean(late)) / early.mean()
        out[key] = (change, se)
    return out


def _check(n_users: int, seeds=(1, 2, 3)) -> None:
    for seed in seeds:
        for key, (change, se) in _changes(n_users, seed).items():
            assert abs(change) <= 0.05, f"{key} moved {change:+.1%} (seed {seed}, {n_users} accounts)"
            assert 3 * se <= 0.05, f"{key}: the 5% bound is within noise (se {se:.3f}, seed {seed})"


def test_chronological_world_holds_still_one_seed_smoke():
    _check(2000, seeds=(1,))


@pytest.mark.slow
def test_chronological_world_holds_still_at_2000_accounts():
    _check(2000, seeds=(2, 3))  # seed 1 is the default tier's smoke run


@functools.lru_cache(maxsize=2)
def _state_after(days: int, **kw):
    G = feedsim.networks.default_community(600, seed=4)
    sim = feedsim.Simulation(G, ranker="chronological", seed=4, keep_posts=False, churn=False, **kw)
    start = sim.platform.edges.n_edges
    sim.run(days=days)
    return start, sim


def test_follows_rewire_the_graph_instead_of_growing_it():
    """Issue 31: follow-backs and discovery added edges and none went (+10% a year).

    With unfollows (each new follow replaces the follower's weakest tie) and no
    churn, every follower keeps its number of follows: the edge count can only
    change by the follows of accounts that had no older tie to drop, so it stays
    within 0.2% over 40 days (the 0.3.0 model gained 1.4%: 600 accounts,
    about 8 follows a day on 24,000 edges). A pair that loses an edge is no
    longer mutual.
    """
    start, sim = _state_after(40)
    g = sim.platform.edges
    assert abs(g.n_edges / start - 1.0) < 0.002, (start, g.n_edges)
    assert sum(sim.daily["new_follows"]) > 150  # follows happened, and were matched by unfollows
    rows = g.rows()
    back = g.lookup(g.indices.astype(np.int64), rows)
    assert np.array_equal(g.mutual, back >= 0)  # the mutual flags match the edges
    assert np.array_equal(g.in_degree, np.bincount(g.indices, minlength=g.n))


def test_a_year_of_affinity_cannot_ratchet_up():
    """Mutual affinity is a start, not a floor: idle mutual edges decay to 0 like any other."""
    _, sim = _state_after(40)  # the same run as above
    g = sim.platform.edges
    idle = g.mutual & (g.impressions == 0) & (g.since == 0)
    assert idle.sum() > 100
    # 0.3.0 held them at mutual_affinity (0.5); decay with a 3-day half-life leaves 0.5 * 2 ** (-40 / 3)
    assert np.median(g.affinity[idle]) <= 0.5 * 0.5 ** (40 / 3.0) + 1e-9


@pytest.mark.slow
def test_chronological_world_holds_still_for_a_year():
    """Issue 31, part 1: days 336-365 within 5% of days 31-60, under chronological ranking.

    1,000 accounts, seed 1 (56 s; replaces the 90-day check at 10,000 accounts, 236 s).
    Mean followers and engagements per post are the series the
    counter-forces hold (0.3.0: +9.0% and +8.7%); posts and the new follows are
    left out at this size: one heavy poster joining through churn moves the day's
    posts by 5% (the same jump on this seed in every configuration), and the new
    follows' standard error is 7.5%. The engagement ranker does not hold still (see
    docs/validation.md, "A year that holds still").
    """
    G = feedsim.networks.default_community(1000, seed=1)
    r = feedsim.Simulation(G, ranker="chronological", seed=1, keep_posts=False).run(days=365)
    d = {k: np.asarray(r.daily[k], dtype=float) for k in r.daily}
    d["engagements_per_post"] = d["engagements"] / d["posts"]
    for key in ("creators_posting", "creators_active", "sessions", "impressions", "engagements_per_post",
                "mean_followers"):
        x = d[key]
        early, late = x[30:60], x[335:365]
        change = late.mean() / early.mean() - 1.0

        def se_mean(w):
            b = w.reshape(-1, 5).mean(axis=1)
            return b.std(ddof=1) / np.sqrt(len(b))

        se = np.hypot(se_mean(early), se_mean(late)) / early.mean()
        assert abs(change) <= 0.05, f"{key} moved {change:+.1%} (se {se:.3f})"
        assert 3 * se <= 0.05, f"{key}: the 5% bound is within noise (se {se:.3f})"


@pytest.mark.slow
def test_without_churn_and_recovery_the_old_drift_returns():
    """The bound can fail: with permanent burnout on every low day, creators drain away."""
    G = feedsim.networks.default_community(2000, seed=1)
    r = feedsim.Simulation(G, seed=1, burnout_rest_days=float("inf"), burnout_days=3,
                           burnout_threshold=0.9).run(days=90)
    x = np.asarray(r.daily["creators_active"], dtype=float)
    assert x[60:90].mean() / x[7:30].mean() - 1.0 < -0.05
