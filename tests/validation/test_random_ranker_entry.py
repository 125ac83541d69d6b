"""Random ranker: a candidate among N enters a feed of k with probability k/N.

Result: under a uniformly random order, the top k of N candidates are a uniform
random k-subset, so each candidate is shown with probability ``k / N``,
whatever its age or author (a property of simple random sampling without
replacement; e.g. Cochran, *Sampling Techniques*, 3rd ed., 1977, sec. 2.4).

Setting: ``F`` followers, each following its own ``m`` authors (disjoint groups,
so followers are independent), feedback loops off, propensity 0 (no reshares),
posts never expire within the run. At a follower's *first* session nothing has
been shown yet, so its candidates are exactly its authors' posts created before
the session (checked against the engine's session log) and the feed holds
``k = attention * sessions`` of them. Under the ``random`` ranker the newest,
the oldest and a middle candidate (by creation time) must each be shown with
probability ``k / N`` (the chronological ranker would show the newest with
probability 1 and the oldest almost never).

Tolerance: for each position class the shown count is a sum of independent
Bernoulli(``k_i / N_i``) over first sessions, so its standard deviation is
``sqrt(sum p_i (1 - p_i))``; we allow 4 of them.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import feedsim
from feedsim.networks import FollowGraph

F, M, POST_RATE, SESSION_RATE, ATTENTION, DAYS = 2500, 3, 3.0, 1.0, 3, 3


def build_graph() -> FollowGraph:
    """Followers 0..F-1; follower i follows authors F + i*M + (0..M-1)."""
    n = F + F * M
    src = np.repeat(np.arange(F), M)
    dst = F + np.arange(F * M)
    is_f = np.arange(n) < F
    attrs = {
        "role": np.where(is_f, "lurker", "regular").astype(object),
        "post_rate": np.where(is_f, 0.0, POST_RATE),
        "session_rate": np.where(is_f, SESSION_RATE, 0.0),
        "attention": np.where(is_f, ATTENTION, 1).astype(np.float64),
        "propensity": np.where(is_f, 0.0, 1.0),
    }
    return FollowGraph.from_edges(src, dst, n, attrs=attrs)


def first_sessions(ranker: str, seed: int = 11):
    """Per first session with more candidates than slots: (k, N, shown flags of newest, oldest, middle)."""
    sim = feedsim.Simulation(build_graph(), ranker=ranker, seed=seed, dynamics=False,
                             max_age_hours=DAYS * 24 + 24, record_impressions=True)
    res = sim.run(days=DAYS)
    S, I, P = res.sessions, res.impressions, res.posts
    assert res.posts.reshares.sum() == 0
    order = np.lexsort((S.time, S.viewer))
    first = order[np.r_[True, S.viewer[order][1:] != S.viewer[order][:-1]]]
    viewer, when, k = S.viewer[first], S.time[first], S.feed_size[first]
    follower_of = (P.author - F) // M
    rows = []
    # posts sorted by (follower, created): each follower's candidates are a prefix
    p_order = np.lexsort((P.created, follower_of))
    p_fol = follower_of[p_order]
    start = np.searchsorted(p_fol, viewer, side="left")
    stop = np.searchsorted(p_fol, viewer, side="right")
    first_time = np.full(len(res.authors), np.nan)
    first_time[viewer] = when
    at_first = I.time == first_time[I.viewer]
    imp_key = set(((I.viewer[at_first] << 32) | I.post[at_first]).tolist())
    for v, t, kk, lo, hi, logged in zip(viewer, when, k, start, stop, S.candidates[first]):
        posts = p_order[lo:hi]
        cands = posts[P.created[posts] < t]
        n = len(cands)
        assert n == logged, "candidates at a first session are the followees' earlier posts"
        shown = [((int(v) << 32) | int(p)) in imp_key for p in cands]
        assert sum(shown) == min(kk, n)
        if n > kk:
            rows.append((kk, n, shown[-1], shown[0], shown[n // 2]))
    return np.array(rows, dtype=np.float64)


@pytest.fixture(scope="module")
def random_rows():
    return first_sessions("random")


@pytest.mark.parametrize("position, column", [("newest", 2), ("oldest", 3), ("middle", 4)])
def test_each_candidate_enters_with_probability_k_over_n(random_rows, position, column):
    p = random_rows[:, 0] / random_rows[:, 1]
    assert len(p) > 1000
    observed = random_rows[:, column].sum()
    expected = p.sum()
    sd = math.sqrt(np.sum(p * (1 - p)))
    assert abs(observed - expected) <= 4 * sd, (
        f"{position} candidate shown {observed:.0f} times, expected {expected:.1f} +- {sd:.1f} (k/N)"
    )


def test_chronological_is_not_uniform_so_the_check_has_power():
    rows = first_sessions("chronological")
    p = rows[:, 0] / rows[:, 1]
    assert rows[:, 2].all()  # the newest is always shown
    assert rows[:, 3].sum() < p.sum() - 4 * math.sqrt(np.sum(p * (1 - p)))
