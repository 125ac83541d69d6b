"""Amplification with confidence intervals, paired replicates and the viewer split.

Reproducibility and the global-RNG sentinel for whole runs are in
``tests/integration/test_simulation.py`` (``test_run_is_reproducible_from_the_recorded_seed``,
``test_runs_never_touch_the_global_random_state``, which also runs every preset
through the registry); here the sentinel covers the new entry points.
"""

from __future__ import annotations

import json
import math
import random

import numpy as np
import pytest

import feedsim
from feedsim import InvalidParameterError
from feedsim.amplification import (
    FOLLOWER_GROUPS,
    ViewerSplit,
    follower_group,
    paired_amplification,
    split_amplification,
)
from feedsim.cli import main
from feedsim.network.graph import ROLES


@pytest.fixture(scope="module")
def replicated(community):
    return feedsim.compare(community, ["chronological", "engagement", "x_2026"], days=1, seed=5, replicates=3)


# ------------------------------------------------------------ paired stats
def test_paired_amplification_matches_a_hand_computed_t_interval():
    t, c = [1.2, 1.1, 1.3, 1.25], [1.0, 1.0, 1.05, 1.0]
    d = np.log(np.array(t) / np.array(c))
    se = d.std(ddof=1) / 2.0
    q = 3.182446305284263  # t_{0.975, 3}
    out = paired_amplification(t, c)
    assert out["estimate"] == pytest.approx(math.expm1(d.mean()))
    assert out["ci_low"] == pytest.approx(math.expm1(d.mean() - q * se))
    assert out["ci_high"] == pytest.approx(math.expm1(d.mean() + q * se))
    assert out["n"] == 4 and out["per_replicate"][1] == pytest.approx(0.1)


def test_paired_amplification_drops_undefined_replicates_and_needs_two_for_an_interval():
    out = paired_amplification([1.0, float("nan"), 2.0], [0.0, 1.0, 1.0])
    assert out["n"] == 1 and out["estimate"] == pytest.approx(1.0)
    assert out["ci_low"] is None and out["per_replicate"] == [None, None, 1.0]
    assert paired_amplification([], [])["estimate"] is None


@pytest.mark.parametrize("kwargs", [dict(treated=[1.0], control=[1.0, 2.0]), dict(treated=[1.0], control=[1.0], confidence=1.0)])
def test_paired_amplification_rejects_bad_input(kwargs):
    with pytest.raises(InvalidParameterError):
        paired_amplification(**kwargs)


def test_interval_covers_the_true_amplification_95_percent_of_the_time():
    """Coverage of the t-interval when log ratios are normal: 4000 synthetic
    experiments of 5 paired replicates; binomial standard error of the coverage
    is sqrt(0.95 * 0.05 / 4000) = 0.0034, tolerance 4 of them."""
    rng = np.random.default_rng(12)
    true = 0.3
    control = np.exp(rng.normal(0.0, 0.5, size=(4000, 5)))
    treated = control * (1 + true) * np.exp(rng.normal(0.0, 0.2, size=(4000, 5)))
    hits = 0
    for t, c in zip(treated, control):
        out = paired_amplification(t, c)
        hits += out["ci_low"] <= true <= out["ci_high"]
    assert abs(hits / 4000 - 0.95) <= 4 * math.sqrt(0.95 * 0.05 / 4000)


# ------------------------------------------------------------ replicates
def test_replicates_report_amplification_per_role_and_follower_group(replicated):
    amp = replicated.amplification
    assert replicated.replicates == 3 and set(amp) == {"chronological", "engagement", "x_2026"}
    for name, by in amp.items():
        assert set(by["role"]) == set(ROLES)
        assert set(by["followers"]) == {g[0] for g in FOLLOWER_GROUPS}
    for st in amp["chronological"]["role"].values():
        if st["n"]:
            assert st["estimate"] == 0.0 and st["ci_low"] == 0.0 == st["ci_high"]
    quiet = amp["engagement"]["role"]["quiet"]
    assert quiet["n"] == 3 and quiet["ci_low"] <= quiet["estimate"] <= quiet["ci_high"]
    assert amp["engagement"]["role"]["lurker"]["estimate"] is None  # lurkers never post


def test_replicates_use_common_random_numbers_across_arms(community):
    cmp = feedsim.compare(community, ["engagement"], days=1, seed=5, replicates=2, dynamics=False)
    # replicate 0's runs: the same posting and sessions in both arms
    np.testing.assert_array_equal(cmp.results["engagement"].posts.created, cmp.baseline.posts.created)
    np.testing.assert_array_equal(cmp.results["engagement"].authors.sessions, cmp.baseline.authors.sessions)
    # replicate 0 runs on the seed itself, replicate 1 on replicate_seeds(5, 1).run
    assert cmp.results["engagement"].seed.spawn_key == ()
    assert cmp.config["seed"] == {"entropy": 5, "spawn_key": []}
    assert [s["run"] for s in cmp.config["seeds"]] == [feedsim.replicate_seeds(5, r).to_dict()["run"] for r in (0, 1)]
    assert all(s["graph"] is None for s in cmp.config["seeds"])  # a given graph, the same in both


def test_replicates_are_reproducible_and_json_ready(replicated, community):
    again = feedsim.compare(community, ["chronological", "engagement", "x_2026"], days=1, seed=5, replicates=3)
    a = json.dumps(replicated.to_dict(), sort_keys=True)
    assert a == json.dumps(again.to_dict(), sort_keys=True)
    payload = json.loads(a)
    assert payload["config"]["replicates"] == 3 and "amplification_ci" in payload


def test_one_replicate_is_exactly_the_plain_comparison(community):
    plain = feedsim.compare(community, ["chronological", "engagement"], days=1, seed=8)
    one = feedsim.compare(community, ["chronological", "engagement"], days=1, seed=8, replicates=1)
    assert json.dumps(plain.to_dict(), sort_keys=True) == json.dumps(one.to_dict(), sort_keys=True)
    assert set(one.to_dict()) == {"config", "rankers", "voice"} and one.amplification is None
    assert one.voice["engagement"]["quiet"]["values"] == [one.summaries["engagement"]["voice_ratio"]["quiet"]]


@pytest.mark.parametrize("bad", [0, -1, 1.5, "3"])
def test_bad_replicates_are_rejected(community, bad):
    with pytest.raises(InvalidParameterError, match="replicates"):
        feedsim.compare(community, ["engagement"], days=1, seed=1, replicates=bad)


def test_amplification_table_prints_intervals(replicated):
    text = replicated.amplification_table()
    assert "== engagement: amplification vs chronological, 3 paired replicates, 95% CI ==" in text
    assert "quiet" in text and "0-19" in text and "[" in text


# ------------------------------------------------------------ CLI
def test_cli_replicates_prints_the_interval_table(capsys):
    code = main(["compare", "--users", "150", "--days", "1", "--rankers", "chronological,twitter_2023,x_2026",
                 "--replicates", "2"])
    assert code == 0
    out = capsys.readouterr().out
    assert "== x_2026: amplification vs chronological, 2 paired replicates, 95% CI ==" in out


def test_cli_replicates_json_has_the_intervals(capsys):
    code = main(["compare", "--users", "120", "--days", "1", "--replicates", "2", "--json"])
    assert code == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["amplification_ci"]["engagement"]["role"]["quiet"]["n"] == 2


def test_cli_rejects_zero_replicates(capsys):
    assert main(["compare", "--users", "50", "--days", "1", "--replicates", "0"]) == 2
    assert "--replicates must be an integer from 1 to 1000; got 0" in capsys.readouterr().err


# ------------------------------------------------------------ viewer split
def test_split_assignment_is_fixed_and_has_the_requested_share():
    split = ViewerSplit("engagement", share=0.3, seed=4)
    on = split.treated(np.arange(20_000))
    np.testing.assert_array_equal(on, ViewerSplit("engagement", share=0.3, seed=4).treated(np.arange(20_000)))
    assert abs(on.mean() - 0.3) <= 4 * math.sqrt(0.3 * 0.7 / 20_000)
    assert not np.array_equal(on, ViewerSplit("engagement", share=0.3, seed=5).treated(np.arange(20_000)))
    assert not ViewerSplit("engagement", share=0.0).treated(np.arange(100)).any()
    assert ViewerSplit("engagement", share=1.0).treated(np.arange(100)).all()


def test_split_with_the_same_ranker_in_both_arms_is_that_ranker(community):
    split = ViewerSplit("chronological", "chronological", share=0.5, seed=1)
    a = feedsim.Simulation(community, ranker=split, seed=3).run(days=1)
    b = feedsim.Simulation(community, ranker="chronological", seed=3).run(days=1)
    np.testing.assert_array_equal(a.posts.impressions, b.posts.impressions)
    assert a.ranker == "split(chronological|chronological,0.5)"


def test_split_scores_each_viewer_with_its_arm():
    from feedsim.rankers.check import synthetic_candidates

    c = synthetic_candidates(0)
    split = ViewerSplit("engagement", "chronological", share=0.5, seed=2)
    got = split(c, np.random.default_rng(0))
    on = split.treated(c.viewers)[c.segment]
    assert on.any() and (~on).any()
    np.testing.assert_allclose(got[~on], -c.item_age_hours[~on])
    np.testing.assert_allclose(got[on], feedsim.rankers.RANKERS["engagement"](c, None)[on])


def test_split_amplification_reports_treated_and_control_reach(community):
    split = ViewerSplit("engagement", share=0.5, seed=6)
    res = feedsim.Simulation(community, ranker=split, seed=6).run(days=2)
    out = split_amplification(res, split)
    assert out["n_treated"] + out["n_control"] == len(res.authors)
    assert abs(out["n_treated"] - 150) <= 4 * math.sqrt(300 * 0.25)
    for key, labels in (("role", ROLES), ("followers", [g[0] for g in FOLLOWER_GROUPS])):
        assert set(out[key]) == set(labels)
    infl = out["role"]["influencer"]
    assert infl["treated_reach"] > 0 and infl["control_reach"] > 0
    # default: Huszar et al.'s smoothed ratio, (R_t + 1) / (r R_c + 1) - 1 with r = n_t / n_c
    r = out["n_treated"] / out["n_control"]
    assert out["ratio"] == pytest.approx(r) and out["smoothing"] == 1.0 and out["n_unmeasured"] == 0
    assert infl["amplification"] == pytest.approx(
        (infl["treated_viewers"] + 1) / (r * infl["control_viewers"] + 1) - 1)
    # smoothing=0: the ratio of reach per audience member (the behaviour before smoothing existed)
    old = split_amplification(res, split, smoothing=0)["role"]["influencer"]
    assert old["amplification"] == pytest.approx(infl["treated_reach"] / infl["control_reach"] - 1)
    assert out["role"]["lurker"]["treated_reach"] == 0.0 and out["role"]["lurker"]["amplification"] is None
    # reach per member never exceeds impressions per member
    for st in out["role"].values():
        assert st["treated_reach"] <= st["treated_impressions"] + 1e-12


def test_split_amplification_needs_a_split(community):
    res = feedsim.Simulation(community, seed=1).run(days=1)
    with pytest.raises(InvalidParameterError, match="split must be a ViewerSplit"):
        split_amplification(res, "engagement")


@pytest.mark.parametrize("share", [-0.1, 1.5, float("nan")])
def test_split_rejects_bad_shares(share):
    with pytest.raises(InvalidParameterError, match="share"):
        ViewerSplit("engagement", share=share)


def test_follower_groups_bracket_pew_medians():
    assert follower_group(np.array([19, 387])).tolist() == [0, 2]


# ------------------------------------------------------- global RNG sentinel
def test_new_entry_points_never_touch_the_global_random_state(community):
    np.random.seed(7)
    random.seed(7)
    np_before, py_before = np.random.get_state(), random.getstate()
    feedsim.compare(community, ["chronological", "twitter_2023", "x_2026", "reddit_hot", "simsom", "facebook_msi"],
                    days=1, seed=1, replicates=2)
    split = ViewerSplit("x_2026", share=0.5, seed=3)
    split_amplification(feedsim.Simulation(community, ranker=split, seed=2).run(days=1), split)
    feedsim.rankers.check_ranker("x_2026")
    np_after = np.random.get_state()
    np.testing.assert_array_equal(np_after[1], np_before[1])
    assert np_after[2:] == np_before[2:] and random.getstate() == py_before
