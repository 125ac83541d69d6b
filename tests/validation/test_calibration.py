"""The default community reproduces published measurements of who posts and engages.

Sources:

- Pew Research Center, "Sizing Up Twitter Users", 24 April 2019
  (https://www.pewresearch.org/internet/2019/04/24/sizing-up-twitter-users/):
  2,791 U.S. adult Twitter users surveyed Nov.-Dec. 2018, their accounts'
  activity counted. The top 10 % by number of tweets write 80 % of the tweets;
  that group's median user tweets 138 times a month, likes 70 posts a month and
  has 387 followers; the other 90 %'s median user tweets twice a month, likes one
  post a month and has 19 followers. Survey margin of error +-3 percentage points.
- Engagement per impression reported for X/Twitter (engagements / impressions,
  counting clicks, expands and profile clicks as well): 1.6 % (Metricool, 2025
  average), 1.8 % (Hootsuite), about 2.8 % (Buffer, 2025 median), 3.6 % (Buffer,
  Dec. 2024 average), as compiled at https://useqwitter.com/?p=7251 (2026).
  feedsim's likes + reshares + replies per impression must lie in
  [1.0 %, 3.6 %]: below the highest reported average (ours counts fewer kinds of
  engagement) and not far below the lowest.

Posting is compared as Pew measured it: realised counts over a 30-day run of the default
community (``default_community(2_000)``, engagement ranking, every feedback loop on,
three seeds), non-brand accounts (Pew's adult users exclude institutional accounts), as
posts/month. Pew 2021 (The Behaviors and Attitudes of U.S. Adults on Twitter, Nov.
2021): the top 25 % write 97 % of tweets.

Tolerances come from standard errors, not from today's figures: a feedsim figure agrees
with the published one when ``|feedsim - Pew| <= 3 sqrt(se_pew^2 + se_sim^2)``, with
``se_sim`` the standard error over seeds and ``se_pew`` the published figure's own:

- shares: Pew's +-3 point margin of error (95 %), so se 0.03 / 1.96 (the 2021 margin is
  taken to be the same);
- medians: the sampling error of a median of Pew's sample size (2,791 users; 279 in the
  top 10 %, 2,512 in the rest), estimated by bootstrap from feedsim's own distribution,
  plus Pew's rounding to a whole number (uniform, se 0.5 / sqrt(3)).

Where the default community misses, the agreement test is marked ``xfail(strict=True)``
with the measured miss: it documents the miss and fails the day the miss is fixed, so
the mark is removed rather than left stale. Figures: ``docs/validation.md``.

Tiers: the agreement tests need three 30-day runs for their standard error over seeds and
run in the slow tier (``pytest -m slow``); the default tier runs one seed's month as a
smoke test of the pipeline (``test_one_seed_month_smoke``).
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

import feedsim
from feedsim.network.graph import ROLES
from feedsim.population import Population

N_USERS = 10_000
DAYS_PER_MONTH = 365.25 / 12
BRAND = ROLES.index("brand")


PEW_SE_SHARE = 0.03 / 1.96
ROUNDING_SE = 0.5 / np.sqrt(3.0)
PEW_N = {"median": 2791, "top10_median": 279, "rest_median": 2512}
SEEDS = (0, 1, 2)
DAYS = 30


@functools.lru_cache(maxsize=None)
def month(seed: int):
    """Realised 30-day counts per non-brand account present all month: (posts/month, engagements given/month, top 10 % mask)."""
    graph_seed, run_seed = np.random.SeedSequence(seed).spawn(2)
    fg = feedsim.networks.default_community(2_000, seed=graph_seed, as_arrays=True)
    res = feedsim.Simulation(fg, ranker="engagement", seed=run_seed).run(days=DAYS)
    A = res.authors
    # accounts on the platform for the whole month (churn adds and removes some)
    human = (A.role != BRAND) & (A.joined_day == 0) & A.present
    posts = np.asarray(A.posts[human], dtype=np.float64)
    order = np.argsort(-posts, kind="stable")
    top = np.zeros(len(posts), dtype=bool)
    top[order[: int(np.ceil(0.1 * len(posts)))]] = True
    scale = DAYS_PER_MONTH / DAYS
    return posts * scale, np.asarray(A.engaged[human], dtype=np.float64) * scale, top, order


def figure(name: str, seed: int) -> float:
    rate, given, top, order = month(seed)
    if name == "top10_share":
        return rate[top].sum() / rate.sum()
    if name == "top25_share":
        return rate[order[: int(np.ceil(0.25 * len(rate)))]].sum() / rate.sum()
    if name == "median":
        return float(np.median(rate))
    if name == "top10_median":
        return float(np.median(rate[top]))
    if name == "rest_median":
        return float(np.median(rate[~top]))
    if name == "top10_median_engaged":
        return float(np.median(given[top]))
    if name == "rest_median_engaged":
        return float(np.median(given[~top]))
    raise KeyError(name)


def median_sampling_se(name: str) -> float:
    """Bootstrap standard error of a median over Pew's sample size, from feedsim's distribution (seed 0)."""
    rate, given, top, _ = month(0)
    base = {"median": rate, "top10_median": rate[top], "rest_median": rate[~top],
            "top10_median_engaged": given[top], "rest_median_engaged": given[~top]}[name]
    n = PEW_N.get(name.replace("_engaged", ""), 2791)
    rng = np.random.default_rng(12345)
    return float(np.std([np.median(rng.choice(base, n)) for _ in range(300)], ddof=1))


def check_agreement(name: str, published: float) -> None:
    values = np.array([figure(name, s) for s in SEEDS])
    se_sim = values.std(ddof=1) / np.sqrt(len(values))
    se_pub = PEW_SE_SHARE if name.endswith("share") else np.hypot(ROUNDING_SE, median_sampling_se(name))
    tol = 3 * np.hypot(se_sim, se_pub)
    assert abs(values.mean() - published) <= tol, (
        f"{name}: feedsim {values.mean():.3f} (seeds {np.round(values, 3).tolist()}), published {published}, "
        f"tolerance {tol:.3f}")


@pytest.mark.slow
def test_top_quarter_writes_97_percent_of_posts():
    check_agreement("top25_share", 0.97)


@pytest.mark.slow
def test_median_account_posts_twice_a_month():
    check_agreement("median", 2.0)


@pytest.mark.slow
def test_top_decile_writes_80_percent_of_posts():
    # a miss (86-88%) while burnout was permanent and drained the occasional posters; in the
    # stationary world of version 0.2 it agrees
    check_agreement("top10_share", 0.80)


@pytest.mark.slow
def test_top_decile_median_posting_rate():
    """Agrees within 3 SE, but the point estimate is low (about 100-115 vs 138) and the SE wide."""
    check_agreement("top10_median", 138.0)


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason=(
    "a known miss: the other 90% post a median of 1.0 post/month against Pew's 2 (seeds 0-2; the same "
    "realised medians on the engine before keyed draws, which passed only because its bootstrap "
    "tolerance was wider: the median of small counts moves in whole posts)"))
def test_rest_median_posting_rate():
    check_agreement("rest_median", 2.0)


@pytest.mark.slow
def test_top_decile_engagements_given():
    # a miss (about 250/month) while affinity grew without decay; agrees since version 0.2
    check_agreement("top10_median_engaged", 70.0)


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="miss: the other 90%'s median account gives 3 engagements/month (Pew: 1 like)")
def test_rest_engagements_given():
    check_agreement("rest_median_engaged", 1.0)


def test_one_seed_month_smoke():
    """One seed's month (the default tier): the figures are computed and ordered as they must be.

    Sanity bands, not agreement: the agreement needs the standard error over seeds (slow tier).
    By construction the top decile writes at least 10% of the posts and the top quarter at
    least as much as the top decile; the medians are ordered rest <= all <= top decile.
    """
    rate, given, top, order = month(0)
    assert len(rate) > 1000 and top.sum() == int(np.ceil(0.1 * len(rate)))
    assert rate[top].min() >= rate[~top].max()  # the mask is the top decile by posts
    shares = figure("top10_share", 0), figure("top25_share", 0)
    assert 0.1 <= shares[0] <= shares[1] <= 1.0, shares
    medians = figure("rest_median", 0), figure("median", 0), figure("top10_median", 0)
    assert medians[0] <= medians[1] <= medians[2] and medians[2] > 0, medians
    assert (given >= 0).all() and given.sum() > 0


@functools.lru_cache(maxsize=None)
def community(seed: int = 0):
    graph_seed, pop_seed = np.random.SeedSequence(seed).spawn(2)
    fg = feedsim.networks.default_community(N_USERS, seed=graph_seed, as_arrays=True)
    pop = Population.from_graph(fg, np.random.default_rng(pop_seed))
    human = pop.role != BRAND
    rate = pop.post_rate[human] * DAYS_PER_MONTH
    followers = fg.in_degree()[human]
    top = rate >= np.quantile(rate, 0.9)
    return rate, followers, top


def test_median_followers():
    """Pew: the rest's median user has 19 followers, the top 10%'s 387 (not reproduced: a closed community)."""
    _, followers, top = community(0)
    rest_f = followers[~top]
    rest = np.median(rest_f)
    # 4 SE: the sampling error of a median of Pew's 2,512 (bootstrap from our distribution),
    # our own median's (bootstrap over our accounts) and Pew's rounding to a whole number
    rng = np.random.default_rng(12345)
    se_pew = np.std([np.median(rng.choice(rest_f, PEW_N["rest_median"])) for _ in range(300)], ddof=1)
    se_own = np.std([np.median(rng.choice(rest_f, len(rest_f))) for _ in range(300)], ddof=1)
    tol = 4 * np.sqrt(se_pew**2 + se_own**2 + ROUNDING_SE**2)
    assert abs(rest - 19) <= tol, f"the rest's median {rest} followers, Pew 19, tolerance {tol:.2f}"
    # a sanity band, not agreement: the top decile's 387 is not reproduced in a closed
    # community, only that the prolific posters are followed more
    assert np.median(followers[top]) > 2 * rest


@functools.lru_cache(maxsize=None)
def run(ranker: str):
    graph_seed, run_seed = np.random.SeedSequence(42).spawn(2)
    G = feedsim.networks.default_community(3000, seed=graph_seed, as_arrays=True)
    return feedsim.Simulation(G, ranker=ranker, seed=run_seed).run(days=7)


@pytest.mark.parametrize("ranker", ["chronological", "engagement"])
def test_engagements_per_impression_within_reported_range(ranker):
    P = run(ranker).posts
    rate = P.engagements.sum() / P.impressions.sum()
    # the published range itself, not a sampling band (see the module docstring): the reports
    # disagree by more than any standard error, so feedsim must lie within their spread
    assert 0.010 <= rate <= 0.036, f"{ranker}: {100 * rate:.2f}% of impressions engaged"
