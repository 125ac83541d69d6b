"""Rich-get-richer: engagement-proportional exposure reproduces Simon's model.

Result (H. A. Simon, "On a class of skew distribution functions", Biometrika 42,
1955; G. U. Yule 1925): if each event is, with probability ``alpha``, a new item
and otherwise one more occurrence of an existing item chosen in proportion to
its occurrences so far, the share of items with ``n`` occurrences tends to
``p(n) ~ n ** -(1 + 1 / (1 - alpha))``, and the share of items that never
recur is ``p(1) = 1 / (2 - alpha)``.

Mapping onto feedsim (the engine has no "copy" step, so exposure goes through a
custom ranker):

- *item* = post; *occurrences* = ``1 + likes`` (its creation plus its likes);
- *new item* = a post; *copy* = an impression, and every impression becomes a
  like (``like_rate=1``, propensity 1, appeal exactly 1 with
  ``appeal_sigma=0``, ``position_decay=0``; no reshares or replies);
- *chosen in proportion to occurrences* = the ranker scores
  ``log(1 + likes) + Gumbel noise`` and feeds hold one item per session, so the
  shown post is a draw with probability proportional to ``1 + likes``
  (Gumbel-max trick); the rich-get-richer loop passes likes to the ranker,
  every other loop is off, posts never expire;
- ``alpha`` = posts / (posts + likes), set by the posting and session rates
  (3 posts and 7 sessions per hour per island: ``alpha`` about 0.3).

Four independent islands (each its own authors and 5,000 viewers) keep the
candidate lists short. Departures from Simon's process: sessions within a tick
see the counts as of the tick's start, and a viewer is never shown a post
twice (viewers have about one session each, among thousands of posts).

Tolerances: the tail exponent is the discrete power-law maximum-likelihood
estimate for ``n >= 10`` (Clauset, Shalizi & Newman, SIAM Review 51, 2009,
eq. 3.5, with the Hurwitz zeta), standard error from the observed Fisher
information; we allow 4 standard errors. ``p(1)`` is a binomial share; 4
standard errors. A uniform-exposure control (no preferential attachment) must
fail the exponent check.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from scipy import optimize, special

import feedsim
from feedsim.networks import FollowGraph

ISLANDS, AUTHORS, VIEWERS = 4, 5, 5000
POSTS_PER_HOUR, SESSIONS_PER_HOUR, HOURS = 3.0, 7.0, 800
K_MIN = 10


def proportional_exposure(c, rng):
    """Top-1 of ``log(1 + likes) + Gumbel``: a draw with probability proportional to ``1 + likes``."""
    return np.log1p(c.likes) + rng.gumbel(size=len(c))


def uniform_exposure(c, rng):
    """Control: every candidate equally likely."""
    return rng.random(len(c))


def build_graph() -> FollowGraph:
    per = AUTHORS + VIEWERS
    n = ISLANDS * per
    base = np.repeat(np.arange(ISLANDS) * per, VIEWERS * AUTHORS)
    src = base + AUTHORS + np.tile(np.repeat(np.arange(VIEWERS), AUTHORS), ISLANDS)
    dst = base + np.tile(np.arange(AUTHORS), ISLANDS * VIEWERS)
    is_author = (np.arange(n) % per) < AUTHORS
    attrs = {
        "role": np.where(is_author, "regular", "lurker").astype(object),
        "post_rate": np.where(is_author, POSTS_PER_HOUR * 24 / AUTHORS, 0.0),
        "session_rate": np.where(is_author, 0.0, SESSIONS_PER_HOUR * 24 / VIEWERS),
        "attention": np.ones(n),
        "propensity": np.where(is_author, 0.0, 1.0),
    }
    return FollowGraph.from_edges(src, dst, n, attrs=attrs)


@functools.lru_cache(maxsize=None)
def occurrences(ranker_name: str, hours: int = HOURS) -> tuple[np.ndarray, float]:
    ranker = {"proportional": proportional_exposure, "uniform": uniform_exposure}[ranker_name]
    sim = feedsim.Simulation(
        build_graph(), ranker=ranker, seed=7, dynamics=False, rich_get_richer=True,
        like_rate=1.0, reshare_rate=0.0, reply_rate=0.0, appeal_sigma=0.0, position_decay=0.0,
        max_age_hours=hours + 24,
    )
    res = sim.run(days=hours / 24)
    P = res.posts
    assert (P.likes == P.impressions).all(), "every impression must become a like"
    alpha = len(P) / (len(P) + int(P.likes.sum()))
    return 1 + P.likes, alpha


def discrete_power_law_mle(n: np.ndarray, n_min: int) -> tuple[float, float, int]:
    """MLE of the exponent of ``p(n) ∝ n ** -a`` for ``n >= n_min``, its standard error, tail size."""
    x = n[n >= n_min].astype(np.float64)
    m, s = len(x), float(np.log(x).sum())

    def nll(a):
        return a * s + m * math.log(special.zeta(a, n_min))

    a = optimize.minimize_scalar(nll, bounds=(1.01, 8.0), method="bounded", options={"xatol": 1e-8}).x
    h = 1e-3
    info = (nll(a + h) - 2 * nll(a) + nll(a - h)) / h**2
    return float(a), 1.0 / math.sqrt(info), m


def test_tail_exponent_matches_simon():
    n, alpha = occurrences("proportional")
    # a sanity band on the design (3 posts per 7 sessions an hour: alpha about 0.3), not a
    # tolerance: the checks below use the measured alpha, whatever it is
    assert 0.25 < alpha < 0.35
    theory = 1.0 + 1.0 / (1.0 - alpha)
    a, se, m = discrete_power_law_mle(n, K_MIN)
    assert m > 200
    assert abs(a - theory) <= 4 * se, f"tail exponent {a:.3f} +- {se:.3f} (n >= {K_MIN}, {m} posts); Simon {theory:.3f}"


def test_share_of_posts_never_engaged_matches_simon():
    n, alpha = occurrences("proportional")
    p1 = 1.0 / (2.0 - alpha)
    se = math.sqrt(p1 * (1 - p1) / len(n))
    assert abs(np.mean(n == 1) - p1) <= 4 * se


def test_uniform_exposure_fails_the_checks():
    """Power: without preferential exposure both checks fail (half-length run to save time)."""
    n, alpha = occurrences("uniform", HOURS // 2)
    p1 = 1.0 / (2.0 - alpha)
    assert abs(np.mean(n == 1) - p1) > 4 * math.sqrt(p1 * (1 - p1) / len(n))
    a, se, m = discrete_power_law_mle(n, K_MIN)
    assert m > 20
    assert abs(a - (1.0 + 1.0 / (1.0 - alpha))) > 4 * se
