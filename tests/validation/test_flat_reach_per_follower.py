"""With every feedback loop off, chronological reach per follower is flat in follower count.

Result: under the chronological feed, whether a follower is shown a post depends
only on that follower's own feed (how much the accounts they follow post, their
sessions and attention), never on the author. If followers are exchangeable
across authors, the expected share of an author's followers reached per post is
the same for every author, so reach per post is proportional to the number of
followers and *reach per follower* does not depend on follower count. (This is
the "neutral" baseline against which Huszár et al., PNAS 2022, measure
amplification.)

Setting: 3,000 viewers each follow exactly 10 of 200 authors, drawn without
replacement with probability proportional to a Pareto weight (tail index 1.2),
so follower counts span more than an order of magnitude; every author posts 2
posts/day, every viewer has 3 sessions/day and sees 4 items per session;
``dynamics=False`` (no rich-get-richer, reciprocity, adaptation or discovery);
propensity 0 (no reshares); 4 days.

Checks, per author: reach per follower = mean over its posts of the share of
its followers shown the post. (1) The least-squares slope of reach per follower
on log(followers) is 0 within 4 standard errors (authors as independent units).
(2) The authors in the top and the bottom quartile of follower counts reach
the same share within 4 standard errors of the difference of means. The
engagement ranker, which boosts authors with many followers, must fail check 1.
"""

from __future__ import annotations

import functools
import math

import numpy as np

import feedsim
from feedsim.networks import FollowGraph

VIEWERS, AUTHORS, FOLLOWS = 3000, 200, 10


def build_graph(seed: int = 5) -> FollowGraph:
    rng = np.random.default_rng(seed)
    weight = 1.0 + rng.pareto(1.2, AUTHORS)
    p = weight / weight.sum()
    # without replacement, proportional to weight: Gumbel top-k per viewer
    keys = np.log(p)[None, :] + rng.gumbel(size=(VIEWERS, AUTHORS))
    chosen = np.argpartition(-keys, FOLLOWS, axis=1)[:, :FOLLOWS]
    src = np.repeat(np.arange(VIEWERS), FOLLOWS)
    dst = VIEWERS + chosen.ravel()
    n = VIEWERS + AUTHORS
    is_v = np.arange(n) < VIEWERS
    attrs = {
        "role": np.where(is_v, "lurker", "regular").astype(object),
        "post_rate": np.where(is_v, 0.0, 2.0),
        "session_rate": np.where(is_v, 3.0, 0.0),
        "attention": np.where(is_v, 4, 1).astype(np.float64),
        "propensity": np.where(is_v, 0.0, 1.0),
    }
    return FollowGraph.from_edges(src, dst, n, attrs=attrs)


@functools.lru_cache(maxsize=None)
def per_author(ranker: str) -> tuple[np.ndarray, np.ndarray]:
    """(followers, reach per follower) per author."""
    res = feedsim.Simulation(build_graph(), ranker=ranker, seed=9, dynamics=False).run(days=4)
    P = res.posts
    frac = P.follower_impressions / P.followers_at_creation
    author = P.author - VIEWERS
    posts = np.bincount(author, minlength=AUTHORS)
    assert posts.min() > 0
    reach = np.bincount(author, weights=frac, minlength=AUTHORS) / posts
    followers = res.authors.followers[VIEWERS:]
    return followers.astype(np.float64), reach


def slope(followers: np.ndarray, reach: np.ndarray) -> tuple[float, float]:
    x = np.log(followers)
    X = np.column_stack([np.ones_like(x), x])
    beta, *_ = np.linalg.lstsq(X, reach, rcond=None)
    resid = reach - X @ beta
    sigma2 = resid @ resid / (len(x) - 2)
    cov = sigma2 * np.linalg.inv(X.T @ X)
    return float(beta[1]), math.sqrt(cov[1, 1])


def test_reach_per_follower_does_not_depend_on_follower_count():
    followers, reach = per_author("chronological")
    assert followers.max() / max(followers.min(), 1) > 10
    b, se = slope(followers, reach)
    assert abs(b) <= 4 * se, f"slope {b:.4f} +- {se:.4f} per log follower"


def test_top_and_bottom_quartiles_reach_the_same_share():
    followers, reach = per_author("chronological")
    lo, hi = np.quantile(followers, [0.25, 0.75])
    a, b = reach[followers <= lo], reach[followers >= hi]
    se = math.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
    assert abs(b.mean() - a.mean()) <= 4 * se


def test_engagement_ranking_is_not_flat_so_the_check_has_power():
    followers, reach = per_author("engagement")
    b, se = slope(followers, reach)
    assert b > 4 * se
