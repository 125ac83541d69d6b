"""The chronological feed against its closed form (:mod:`feedsim.theory`).

Chain of checks, each one against something independent of the thing tested:

1. the exact series of :func:`chronological_first_session_visibility` against a
   brute-force numerical integral (``scipy.integrate.quad`` per tick);
2. the formula against a direct Monte-Carlo of the model in plain NumPy (the
   oracle below: posts, sessions at tick ends, newest unseen first);
3. the engine against the formula, from the impression and session logs;
4. the discrete formula and the engine at short ticks against the
   continuous-time formula ``1 - (lambda / (lambda + s)) ** k``.

Graphs: ``F`` followers, each following its own ``m`` authors (disjoint groups)
who post at ``r`` posts/day each, so the other posts competing with a given
post arrive at ``lambda = m r`` posts/day (the author's own later posts count:
they are newer posts from a followee). Nobody follows the followers and their
engagement propensity is 0 (no reshares), authors have no sessions, no
out-of-network slots, feedback loops off, and ``max_age_hours`` longer than the
run, so nothing expires.

Standard errors are cluster-robust (ratio estimator): engine pairs are
clustered by follower, which is exact because the disjoint groups are
independent; oracle posts are clustered by the session that first follows them
(posts in different inter-session gaps are independent). Tolerance: 4 SE.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, special, stats

import feedsim
from feedsim.errors import InvalidParameterError
from feedsim.networks import FollowGraph
from feedsim.theory import chronological_first_session_visibility as visibility

#: (followees m, posts/day per followee r, sessions/day s, attention k, followers, days)
CASES = {
    "mid": (5, 2.0, 4.0, 3, 3200, 6),  # lambda = 10/day, P ~ 0.65
    "low": (4, 6.0, 3.0, 1, 2000, 6),  # lambda = 24/day, P ~ 0.12
    "high": (3, 1.0, 12.0, 2, 6000, 6),  # lambda = 3/day, P ~ 0.97
    "busy": (4, 12.0, 24.0, 2, 1200, 3),  # one session per tick on average: feeds of k * C
}

#: Posts are counted only if created at least this long before the end of the
#: run, in units of the mean gap between sessions: P(no session yet) <= e^-9 ~ 1e-4.
CENSOR_GAPS = 9.0


# ----------------------------------------------------------------- helpers
def cluster_se(success: np.ndarray, cluster: np.ndarray) -> tuple[float, float, float]:
    """Share of successes, its cluster-robust SE and the design effect.

    Ratio estimator over clusters g with y_g successes out of n_g:
    ``var = G / (G - 1) * sum_g (y_g - p n_g) ** 2 / (sum_g n_g) ** 2``.
    """
    _, g = np.unique(cluster, return_inverse=True)
    y = np.bincount(g, weights=success.astype(np.float64))
    n = np.bincount(g).astype(np.float64)
    p = y.sum() / n.sum()
    G = len(n)
    se = math.sqrt(G / (G - 1) * np.sum((y - p * n) ** 2)) / n.sum()
    binom = math.sqrt(p * (1 - p) / n.sum())
    return float(p), se, (se / binom) ** 2 if binom > 0 else 1.0


def quad_visibility(lam_day: float, s_day: float, k: int, tick: float, tail: float = 1e-10) -> float:
    """Brute force: sum over session counts c and ticks j of a quad integral over U."""
    a, mu = lam_day / 24 * tick, s_day / 24 * tick
    q = -math.expm1(-mu)
    n_j = math.ceil(math.log(tail) / math.log1p(-q))
    total = 0.0
    for c in range(1, 200):
        w = stats.poisson.pmf(c, mu) / q
        if w < tail and c > mu:
            break
        for j in range(n_j):
            val, _ = integrate.quad(lambda u: special.pdtr(k * c - 1, a * (j + 1 - u)), 0.0, 1.0,
                                    epsabs=1e-13, epsrel=1e-12)
            total += w * q * (1 - q) ** j * val
    return total


def oracle(m, r, s, k, tick, days, rng):
    """Direct Monte-Carlo of one follower and its m authors, one tick at a time.

    Returns ``(shown at first session, first-session tick)`` per post, for posts
    created at least ``CENSOR_GAPS`` mean session gaps before the end.
    """
    n_ticks = round(days * 24 / tick)
    max_age = days * 24 + tick  # nothing expires
    per_tick = rng.poisson(r * tick / 24, size=(n_ticks, m)).sum(axis=1)
    post_tick = np.repeat(np.arange(n_ticks), per_tick)
    created = (post_tick + rng.random(len(post_tick))) * tick
    order = np.argsort(created)
    created, post_tick = created[order], post_tick[order]
    n_sessions = rng.poisson(s * tick / 24, size=n_ticks)
    shown_tick = np.full(len(created), -1)
    upto = np.searchsorted(created, (np.arange(n_ticks) + 1) * tick)  # created before the tick's end
    for t in np.flatnonzero(n_sessions):
        lo = np.searchsorted(created, (t + 1) * tick - max_age)
        unseen = lo + np.flatnonzero(shown_tick[lo : upto[t]] < 0)
        shown_tick[unseen[::-1][: k * n_sessions[t]]] = t  # newest first
    session_ticks = np.flatnonzero(n_sessions)
    i = np.searchsorted(session_ticks, post_tick)  # first session tick >= the post's tick
    keep = (created <= n_ticks * tick - CENSOR_GAPS * 24 / s) & (i < len(session_ticks))
    first = session_ticks[i[keep]]
    return shown_tick[keep] == first, first


def build_graph(m, r, s, k, n_followers) -> tuple[FollowGraph, np.ndarray]:
    """Followers 0..F-1, then F*m authors; follower i follows authors F + i*m + (0..m-1)."""
    n_authors = n_followers * m
    n = n_followers + n_authors
    src = np.repeat(np.arange(n_followers), m)
    dst = n_followers + np.arange(n_authors)
    follower = np.r_[np.full(n_followers, -1), np.repeat(np.arange(n_followers), m)]
    is_f = np.arange(n) < n_followers
    attrs = {
        "role": np.where(is_f, "lurker", "regular").astype(object),
        "post_rate": np.where(is_f, 0.0, r),
        "session_rate": np.where(is_f, s, 0.0),
        "attention": np.where(is_f, k, 1).astype(np.float64),
        "propensity": np.where(is_f, 0.0, 1.0),
    }
    return FollowGraph.from_edges(src, dst, n, attrs=attrs), follower


def first_session_outcomes(result, follower_of, tick, s):
    """For every (post, follower) pair: shown at the follower's first session after creation?

    Vectorised: per-viewer session ticks are one sorted key array
    ``viewer * n_ticks + tick`` and each pair finds its first session by
    ``searchsorted``; its impression (at most one per pair) by another.
    Returns ``(success, follower)`` for pairs created at least ``CENSOR_GAPS``
    mean session gaps before the end, and the share of those without any later
    session (dropped).
    """
    P, I, S = result.posts, result.impressions, result.sessions
    n_ticks = round(result.days * 24 / tick)
    viewer = follower_of[P.author]
    assert (viewer >= 0).all()
    post_tick = np.floor(P.created / tick).astype(np.int64)
    keep = P.created <= n_ticks * tick - CENSOR_GAPS * 24 / s
    viewer, post_tick, post = viewer[keep], post_tick[keep], np.flatnonzero(keep)

    session_key = np.sort(S.viewer * n_ticks + np.rint(S.time / tick).astype(np.int64) - 1)
    i = np.searchsorted(session_key, viewer * n_ticks + post_tick, side="left")
    found = i < len(session_key)
    found[found] = session_key[i[found]] // n_ticks == viewer[found]
    first = session_key[np.minimum(i, len(session_key) - 1)] % n_ticks

    imp_key = (I.viewer << 32) | I.post
    order = np.argsort(imp_key)
    imp_key = imp_key[order]
    imp_tick = (np.rint(I.time / tick).astype(np.int64) - 1)[order]
    pair_key = (viewer << 32) | post
    j = np.minimum(np.searchsorted(imp_key, pair_key), max(len(imp_key) - 1, 0))
    shown_first = (imp_key[j] == pair_key) & (imp_tick[j] == first)
    return shown_first[found], viewer[found], 1.0 - found.mean()


_RUNS: dict = {}


def engine_run(name: str, tick: float = 1.0, seed: int = 2024):
    """Run (once per module) the engine on the case's graph; return the outcomes."""
    key = (name, tick)
    if key not in _RUNS:
        m, r, s, k, n_f, days = CASES[name]
        fg, follower_of = build_graph(m, r, s, k, n_f)
        sim = feedsim.Simulation(
            fg,
            ranker="chronological",
            seed=seed,
            tick_hours=tick,
            max_age_hours=days * 24 + 24,
            out_of_network_share=0.0,
            dynamics=False,
            record_impressions=True,
        )
        res = sim.run(days=days)
        assert res.impressions.in_network.all()
        assert res.posts.reshares.sum() == 0
        _RUNS[key] = first_session_outcomes(res, follower_of, tick, s)
    return _RUNS[key]


# ------------------------------------------------------------------- tests
@pytest.mark.parametrize("name", list(CASES))
def test_series_matches_brute_force_integral(name):
    m, r, s, k, _, _ = CASES[name]
    for tick in (1.0, 3.0):
        exact = visibility(m * r, s, k, tick_hours=tick)
        assert exact == pytest.approx(quad_visibility(m * r, s, k, tick), abs=1e-8)


@pytest.mark.parametrize("name", list(CASES))
def test_formula_matches_direct_monte_carlo(name):
    m, r, s, k, _, _ = CASES[name]
    rng = np.random.default_rng([7, list(CASES).index(name)])
    days = min(100_000 / (m * r), 100_000 / s)  # about 100,000 posts or sessions
    success, cluster = oracle(m, r, s, k, 1.0, days, rng)
    p, se, _ = cluster_se(success, cluster)
    assert abs(p - visibility(m * r, s, k, tick_hours=1.0)) <= 4 * se


@pytest.mark.parametrize("name", list(CASES))
def test_engine_matches_discrete_formula(name):
    m, r, s, k, _, _ = CASES[name]
    success, follower, censored = engine_run(name)
    assert censored < 1e-3
    assert len(success) > 80_000
    p, se, _ = cluster_se(success, follower)
    assert abs(p - visibility(m * r, s, k, tick_hours=1.0)) <= 4 * se


def test_engine_tells_discrete_from_continuous():
    """Power: with a session per tick on average the continuous formula is far off."""
    m, r, s, k, _, _ = CASES["busy"]
    success, follower, _ = engine_run("busy")
    p, se, _ = cluster_se(success, follower)
    assert abs(p - visibility(m * r, s, k)) > 8 * se


@pytest.mark.parametrize("name", list(CASES))
def test_discrete_formula_tends_to_continuous(name):
    m, r, s, k, _, _ = CASES[name]
    cont = visibility(m * r, s, k)
    ticks = [1.0, 0.25, 1 / 16, 1 / 64]
    err = [abs(visibility(m * r, s, k, tick_hours=t) - cont) for t in ticks]
    assert err[-1] < err[0] / 40
    for e1, e2 in zip(err, err[1:]):  # first order in the tick: a quarter per step
        assert 3.0 < e1 / e2 < 5.0


def test_engine_at_short_ticks_approaches_continuous():
    m, r, s, k, _, _ = CASES["mid"]
    success, follower, _ = engine_run("mid", tick=0.25)
    p, se, _ = cluster_se(success, follower)
    cont = visibility(m * r, s, k)
    discretisation = abs(visibility(m * r, s, k, tick_hours=0.25) - cont)
    assert abs(p - cont) <= 4 * se + discretisation
    assert abs(p - cont) < abs(visibility(m * r, s, k, tick_hours=1.0) - cont)


def test_known_values_and_limits():
    assert visibility(10.0, 4.0, 3) == pytest.approx(1 - (10 / 14) ** 3, rel=1e-14)
    assert visibility(0.0, 1.0, 1) == 1.0
    assert visibility(0.0, 1.0, 1, tick_hours=1.0) == 1.0
    # continuous: units cancel; discrete: rates per day, tick in hours
    assert visibility(20.0, 8.0, 3) == pytest.approx(visibility(10.0, 4.0, 3), rel=1e-14)
    assert visibility(10.0, 4.0, 3, tick_hours=2.0) == pytest.approx(
        visibility(20.0, 8.0, 3, tick_hours=1.0), rel=1e-12)
    # monotone: more attention or sessions help, more competing posts hurt
    base = visibility(10.0, 4.0, 3, tick_hours=1.0)
    assert visibility(10.0, 4.0, 4, tick_hours=1.0) > base
    assert visibility(10.0, 5.0, 3, tick_hours=1.0) > base
    assert visibility(12.0, 4.0, 3, tick_hours=1.0) < base


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"other_post_rate": -1.0}, "other_post_rate"),
        ({"other_post_rate": float("nan")}, "other_post_rate"),
        ({"session_rate": 0.0}, "session_rate"),
        ({"session_rate": float("inf")}, "session_rate"),
        ({"attention": 0}, "attention"),
        ({"attention": 2.5}, "attention"),
        ({"tick_hours": 0.0}, "tick_hours"),
        ({"tick_hours": "1"}, "tick_hours"),
    ],
)
def test_bad_inputs_raise(kwargs, name):
    args = {"other_post_rate": 10.0, "session_rate": 4.0, "attention": 3, **kwargs}
    with pytest.raises(InvalidParameterError, match=name):
        visibility(**args)
