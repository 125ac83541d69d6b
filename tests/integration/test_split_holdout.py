"""Huszár et al.'s holdout design: arm sizes, the smoothed amplification, per-author figures."""

from __future__ import annotations

import numpy as np
import pytest

import feedsim
from feedsim import InvalidParameterError
from feedsim.amplification import HUSZAR_RATIO, ViewerSplit, split_amplification, split_author_amplification


def test_holdout_measures_a_treatment_group_four_times_the_control():
    split = ViewerSplit.holdout("engagement", control_share=0.02, seed=3)
    assert split.ratio == HUSZAR_RATIO == 4.0 and split.share == pytest.approx(0.98)
    arm = split.arms(50_000)
    on = split.treated(np.arange(50_000))
    n_c, n_t = split.arm_sizes(50_000)
    assert n_t == 4 * n_c  # exact, not in expectation
    assert np.array_equal(arm == 0, ~on)  # the control arm is everyone off the treatment ranker
    assert on[arm == 1].all() and on[arm == 2].all()  # measured and unmeasured are both ranked
    # the control share is binomial: within 4 standard errors of 2 %
    assert abs(n_c / 50_000 - 0.02) <= 4 * np.sqrt(0.02 * 0.98 / 50_000)


def test_ratio_is_capped_by_the_treated_accounts():
    split = ViewerSplit("engagement", share=0.5, ratio=4.0, seed=1)
    n_c, n_t = split.arm_sizes(1000)
    assert n_t == 1000 - n_c  # fewer treated than 4 x control: all of them are measured


def test_without_ratio_every_treated_account_is_measured():
    split = ViewerSplit("engagement", share=0.3, seed=4)
    assert set(np.unique(split.arms(5000)).tolist()) == {0, 1}


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"control_share": 0.0}, "control_share"),
    ({"control_share": 1.0}, "control_share"),
    ({"ratio": 0.0}, "ratio"),
    ({"ratio": float("nan")}, "ratio"),
])
def test_holdout_rejects_bad_arguments(kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        ViewerSplit.holdout("engagement", **kwargs)


@pytest.fixture(scope="module")
def holdout_run():
    G = feedsim.networks.default_community(1500, seed=2)
    split = ViewerSplit.holdout("engagement", control_share=0.1, seed=5)
    return feedsim.Simulation(G, ranker=split, seed=5).run(days=2), split


def test_split_amplification_is_the_papers_formula(holdout_run):
    res, split = holdout_run
    out = split_amplification(res, split)
    assert out["ratio"] == 4.0 and out["n_treated"] == 4 * out["n_control"]
    assert out["n_unmeasured"] == len(res.authors) - 5 * out["n_control"]
    for table in (out["role"], out["followers"]):
        for row in table.values():
            if row["posts"] == 0:
                assert row["amplification"] is None
                continue
            want = (row["treated_viewers"] + 1) / (4 * row["control_viewers"] + 1) - 1
            assert row["amplification"] == pytest.approx(want)
    with pytest.raises(InvalidParameterError, match="smoothing"):
        split_amplification(res, split, smoothing=-1)


def test_author_amplification_is_the_group_figure_for_one_author(holdout_run):
    res, split = holdout_run
    amp = split_author_amplification(res, split)
    assert np.isnan(amp[res.authors.posts == 0]).all()
    assert np.isfinite(amp[res.authors.posts > 0]).all()
    assert (amp[np.isfinite(amp)] > -1).all()
    # an author alone in its role: the influencer with most posts, checked by hand
    viewer, author, _ = res._pairs
    arm = split.arms(len(res.authors))
    a = int(np.argmax(np.where(res.authors.role == 0, res.authors.posts, -1)))
    r_t = int(np.sum((author == a) & (arm[viewer] == 1)))
    r_c = int(np.sum((author == a) & (arm[viewer] == 0)))
    assert amp[a] == pytest.approx((r_t + 1) / (4 * r_c + 1) - 1)
    zero = split_author_amplification(res, split, smoothing=0)
    assert zero[a] == pytest.approx(r_t / (4 * r_c) - 1) if r_c else np.isnan(zero[a])
