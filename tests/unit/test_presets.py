"""Published rankers as presets: the numbers, the mapping and the sources."""

from __future__ import annotations

import numpy as np
import pytest

import feedsim
from feedsim.rankers import RANKERS, Candidates, EngagementRanker, check_ranker, presets
from feedsim.rankers.presets import (
    FACEBOOK_MSI_POINTS,
    PRESETS,
    TWITTER_2023_HEAVY_RANKER_WEIGHTS,
    UNMODELLED,
    X_2026_WEIGHTS,
    author_diversity_multiplier,
)

NAMES = ["twitter_2023", "x_2026", "reddit_hot", "simsom", "facebook_msi"]


def cands(sizes=(4,), now=100.0, **over) -> Candidates:
    """Candidates with neutral defaults (every field present); ``over`` replaces fields."""
    n = int(sum(sizes))
    ptr = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=ptr[1:])
    base = dict(
        post=np.arange(n), author=np.arange(n), via=np.arange(n),
        age_hours=np.full(n, 2.0), item_age_hours=np.full(n, 2.0), appeal=np.ones(n),
        affinity=np.zeros(n), likes=np.zeros(n, dtype=np.int64), reshares=np.zeros(n, dtype=np.int64),
        replies=np.zeros(n, dtype=np.int64), impressions=np.full(n, 5000), author_followers=np.full(n, 5000),
        author_posts=np.ones(n, dtype=np.int64), author_impressions=np.ones(n, dtype=np.int64),
        in_network=np.ones(n, dtype=bool), is_reshare=np.zeros(n, dtype=bool),
        sponsored=np.zeros(n, dtype=bool), off_platform=np.zeros(n, dtype=bool),
    )
    base.update({k: np.asarray(v) for k, v in over.items()})
    return Candidates(now, ptr, np.arange(len(sizes), dtype=np.int64), **base)


RNG = np.random.default_rng(0)


@pytest.mark.parametrize("name", NAMES)
def test_presets_are_registered_and_pass_the_conformance_check(name):
    assert RANKERS[name] is PRESETS[name]
    report = check_ranker(name)
    assert "permutation equivariance" in report.passed


@pytest.mark.parametrize("name", NAMES)
def test_presets_run_in_a_simulation_and_are_named(name, community):
    res = feedsim.Simulation(community, ranker=name, seed=1).run(days=1)
    assert res.ranker == name
    assert res.posts.impressions.sum() > 0


def test_published_weights_are_encoded_verbatim():
    assert TWITTER_2023_HEAVY_RANKER_WEIGHTS == {
        "fav": 0.5, "retweet": 1.0, "reply": 13.5, "good_profile_click": 12.0, "video_playback50": 0.005,
        "reply_engaged_by_author": 75.0, "good_click": 11.0, "good_click_v2": 10.0,
        "negative_feedback_v2": -74.0, "report": -369.0,
    }
    for key, val in {"favorite": 0.5, "reply": 5.0, "bidirectional_follow_reply_boost": 15.0, "retweet": 1.0,
                     "quote": 5.0, "report": -234.0, "not_interested": -43.2}.items():
        assert X_2026_WEIGHTS[key] == val
    assert FACEBOOK_MSI_POINTS["like"] == 1 and FACEBOOK_MSI_POINTS["significant_comment"] == 30


def test_unmodelled_actions_are_listed_with_their_weights():
    assert UNMODELLED["twitter_2023"]["reply_engaged_by_author"] == 75.0
    assert UNMODELLED["twitter_2023"]["report"] == -369.0
    assert "fav" not in UNMODELLED["twitter_2023"]
    assert UNMODELLED["x_2026"]["quote"] == 5.0 and "favorite" not in UNMODELLED["x_2026"]
    assert set(UNMODELLED) == set(NAMES)


@pytest.mark.parametrize("cls, needles", [
    (presets.Twitter2023Ranker, ["projects/home/recap/README.md", "ScoredTweetsParam.scala", "-369.0", "75.0"]),
    (presets.X2026Ranker, ["home-mixer/params/param.rs", "ranking_scorer.rs", "author_cold_start.rs", "-234.0"]),
    (presets.RedditHotRanker, ["_sorts.pyx"]),
    (presets.SimSoMRanker, ["osome-iu/SimSoM", "Truong"]),
    (presets.FacebookMSIRanker, ["Unconfirmed", "Wall Street Journal"]),
])
def test_docstrings_cite_their_sources(cls, needles):
    for needle in needles:
        assert needle in cls.__doc__, needle


def test_author_diversity_multiplier():
    np.testing.assert_allclose(author_diversity_multiplier(np.arange(4)), [1.0, 0.625, 0.4375, 0.34375])
    assert author_diversity_multiplier(np.array([60]))[0] == pytest.approx(0.25)


def test_twitter_2023_is_the_weighted_sum_with_author_diversity():
    # candidates 0, 1 by author 7 (1 better: higher affinity), 2 by author 8
    c = cands(sizes=(3,), author=[7, 7, 8], affinity=[0.0, 0.5, 0.0])
    got = presets.twitter_2023(c, RNG)
    pl, pr, pp = EngagementRanker().predict(c)
    decay = np.exp2(-2.0 / 12.0)
    base = (0.5 * pl + 1.0 * pr + 13.5 * pp) * decay
    np.testing.assert_allclose(got, base * [0.625, 1.0, 1.0])


def test_x_2026_discounts_out_of_network_and_reshares_by_0_75():
    c = cands(sizes=(3,), in_network=[True, False, True], is_reshare=[False, False, True])
    got = presets.x_2026(c, RNG)
    assert got[1] == pytest.approx(0.75 * got[0])
    assert got[2] == pytest.approx(0.75 * got[0])


def test_x_2026_reply_weight_is_boosted_for_mutual_follows_on_original_posts():
    c = cands(sizes=(3,), affinity=[0.0, 0.5, 0.5], is_reshare=[False, False, True])
    got = presets.x_2026(c, RNG)
    pl, pr, pp = EngagementRanker().predict(c)
    decay = np.exp2(-2.0 / 12.0)
    assert got[1] == pytest.approx((0.5 * pl[1] + pr[1] + 20.0 * pp[1]) * decay)
    assert got[2] == pytest.approx(0.75 * (0.5 * pl[2] + pr[2] + 5.0 * pp[2]) * decay)
    assert got[0] == pytest.approx((0.5 * pl[0] + pr[0] + 5.0 * pp[0]) * decay)


def test_x_2026_new_author_boost_lifts_one_small_author_to_rank_15():
    """Eligibility is set through impressions only (the follower cap is raised to
    every author's count), so the base scores, and the ranks, stay put."""
    n = 20
    age = np.linspace(1.0, 20.0, n)  # candidate i has rank i
    boost = presets.X2026Ranker(cold_start_followers=5000)
    off = presets.X2026Ranker(cold_start_followers=-1)

    def scores(eligible):
        impressions = np.full(n, 5000)
        impressions[list(eligible)] = 10
        c = cands(sizes=(n,), age_hours=age, item_age_hours=age, impressions=impressions)
        return boost(c, RNG), off(c, RNG)

    got, plain = scores([12, 17])  # the best eligible (rank 12) is above rank 15 already
    np.testing.assert_allclose(got, plain)
    got, plain = scores([16])  # rank 16 < 0.85 * 20: lifted to the rank-15 score
    assert got[16] == pytest.approx(plain[15]) and plain[16] < plain[15]
    np.testing.assert_allclose(np.delete(got, 16), np.delete(plain, 16))
    got, plain = scores([18])  # outside the top 85 %: not eligible
    np.testing.assert_allclose(got, plain)
    got, plain = scores([16, 17])  # only the best eligible is lifted
    assert got[16] == pytest.approx(plain[15]) and got[17] == pytest.approx(plain[17])


def test_x_2026_sinks_posts_older_than_48_hours():
    c = cands(sizes=(2,), age_hours=[49.0, 47.0], item_age_hours=[1.0, 47.0])
    got = presets.x_2026(c, RNG)
    assert got[0] < got[1]


def test_reddit_hot_trades_a_tenfold_score_for_12_5_hours():
    c = cands(sizes=(2,), likes=[100, 10], age_hours=[12.5 + 3.0, 3.0])
    got = presets.reddit_hot(c, RNG)
    assert got[0] == pytest.approx(got[1], abs=1e-9)


def test_simsom_formula():
    c = cands(sizes=(2,), appeal=[1.0, 3.0], reshares=[0, 2], item_age_hours=[0.0, 6.0])
    got = presets.simsom(c, RNG)
    pop = np.array([1.0, 3.0]) / 4.0
    eng = np.array([0.5, 0.75])
    rec = np.exp(-0.4 * np.array([0.0, 1.0]) ** 0.4)
    np.testing.assert_allclose(got, (0.5 * eng + 0.5 * pop) * rec)


def test_facebook_msi_points():
    c = cands(sizes=(1,))
    pl, pr, pp = EngagementRanker().predict(c)
    want = (1.0 * pl + 5.0 * pr + 30.0 * pp) * np.exp2(-2.0 / 12.0)
    np.testing.assert_allclose(presets.facebook_msi(c, RNG), want)


def test_cli_accepts_the_presets(capsys):
    from feedsim.cli import main

    code = main(["compare", "--users", "120", "--days", "1", "--rankers", "chronological,twitter_2023,x_2026"])
    assert code == 0
    out = capsys.readouterr().out
    assert "== twitter_2023 ==" in out and "== x_2026 ==" in out
