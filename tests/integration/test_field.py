"""The field validation scripts (experiments/field/) run with --quick and write what they report.

The four scripts run concurrently in a temporary directory; each test checks one
script's exit status, its summary.json and figures, and the claims its quick mode can
support, judged by the 95% intervals the script computes over its replicates (or by
identities that hold exactly). The published-figure comparisons are in
``tests/validation/`` and ``docs/validation.md``.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from _script_runs import check_stat as _check_stat
from _script_runs import check_figures

import feedsim

NAMES = ["huszar_2022", "pew_2019", "bandy_diakopoulos_2021", "salganik_2006", "guess_2023"]
REPLICATES = 3


@pytest.fixture(scope="module")
def runs(quick_runs):
    return quick_runs  # each field script run with --quick once per session (conftest.py)


def load(runs, name):
    code, stdout, stderr, out = runs[name]
    assert code == 0, f"{name} failed:\n{stderr}"
    s = json.loads((out / "summary.json").read_text())
    assert s["experiment"] == f"field/{name}" and s["quick"] is True and s["replicates"] == REPLICATES
    assert s["question"] and s["parameters"] and s["results"]
    assert s["finding"] in stdout
    for fig in s["figures"]:
        assert (out / fig).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", fig
    assert sorted(p.name for p in out.glob("*.png")) == sorted(s["figures"])
    check_figures(out, s["figures"])
    return s


def check_stat(st, low=None, high=None):
    _check_stat(st, low, high, n=REPLICATES)


@pytest.mark.slow  # runs the field scripts (experiments/field/) --quick: the slow tier (pytest -m slow)
def test_huszar(runs):
    s = load(runs, "huszar_2022")
    assert s["parameters"]["ratio"] == 4.0 and s["parameters"]["smoothing"] == 1.0
    for r in s["parameters"]["rankers"]:
        res = s["results"][r]
        # the design: a measured treatment group exactly four times the control
        assert [t == 4 * c for t, c in zip(res["n_treated"]["values"], res["n_control"]["values"])] == [True] * 3
        for group in ("role", "followers"):
            for st in res[group].values():
                if st["mean"] is not None:
                    check_stat(st, low=-1)  # amplification > -1 by construction
        ind = res["individual"]
        check_stat(ind["share_amplified"], 0, 1)
        # individual spread: in every replicate some authors lose reach and some gain
        assert max(ind["min"]["values"]) < 0 < min(ind["max"]["values"])
        assert all(a <= b <= c for a, b, c in zip(ind["q05"]["values"], ind["q50"]["values"], ind["q95"]["values"]))


@pytest.mark.slow  # runs the field scripts (experiments/field/) --quick: the slow tier (pytest -m slow)
def test_pew(runs):
    s = load(runs, "pew_2019")
    for key in ("engagement", "expected_rates"):
        res = s["results"][key]
        check_stat(res["top10_share"], 0, 1)
        check_stat(res["top25_share"], 0, 1)
        assert all(a <= b for a, b in zip(res["top10_share"]["values"], res["top25_share"]["values"]))
        assert all(a >= b for a, b in zip(res["top10_median"]["values"], res["rest_median"]["values"]))
    # realised counts are whole posts in 30 days, reported per month
    per_post = s["parameters"]["per_month"] / s["parameters"]["days"]
    for v in s["results"]["engagement"]["median"]["values"]:
        assert (v / per_post) * 2 == pytest.approx(round((v / per_post) * 2))  # a median of integers
    assert s["results"]["published"]["top10_share"] == 0.80


@pytest.mark.slow  # runs the field scripts (experiments/field/) --quick: the slow tier (pytest -m slow)
def test_bandy(runs):
    s = load(runs, "bandy_diakopoulos_2021")
    res = s["results"]
    for r in s["parameters"]["ranked"]:
        check_stat(res["link_share_ratio"][r], 0)
    # a penalty of 1 is the engagement ranker: identical runs, identical ratio
    assert res["penalty_ratio"]["1"]["values"] == res["link_share_ratio"]["engagement"]["values"]
    # demoting links lowers their share: the whole interval lies below the engagement ranker's lowest value
    assert res["link_share_ratio"]["platform_favoring"]["hi"] < min(res["link_share_ratio"]["engagement"]["values"])
    # out-of-network slots bring more distinct authors than the chronological feed
    assert res["distinct_ratio_engagement_oon_over_chronological"]["lo"] > 1


@pytest.mark.slow  # runs the field scripts (experiments/field/) --quick: the slow tier (pytest -m slow)
def test_salganik(runs):
    s = load(runs, "salganik_2006")
    for m in s["parameters"]["measures"]:
        res = s["results"][m]
        for r in s["parameters"]["rankers"]:
            check_stat(res[r]["gini"], 0, 1)
            check_stat(res[r]["unpredictability"], 0, 1)
    # inequality: popularity ranking raises the Gini of impressions (paired interval above 0)
    assert s["results"]["impressions"]["gini_difference"]["lo"] > 0


@pytest.mark.slow  # runs the field scripts (experiments/field/) --quick: the slow tier (pytest -m slow)
def test_guess(runs):
    s = load(runs, "guess_2023")
    for label in ("loop_on", "loop_off"):
        res = s["results"][label]
        for k in ("sessions", "engagements", "impressions"):
            check_stat(res[f"{k}_ratio"], 0)
            np.testing.assert_allclose(res[f"{k}_ratio"]["values"],
                                       np.divide(res[f"{k}_chronological"]["values"], res[f"{k}_ranked"]["values"]))
    # without the loop, sessions do not answer to the feed: equal up to churn (well within 2%).
    # A sanity band, not a sampling one: churn makes the ratio differ from 1 by a small bias
    # that the quick mode's three replicates cannot resolve
    assert abs(s["results"]["loop_off"]["sessions_ratio"]["mean"] - 1) < 0.02
    # the chronological feed draws fewer engagements per day than the ranked one (loop on or off)
    assert s["results"]["loop_off"]["engagements_ratio"]["mean"] < 1


def test_session_adaptation_lowers_sessions_when_feeds_engage_less():
    """The loop itself: viewers whose feeds stop drawing engagement come back less often."""
    G = feedsim.networks.default_community(400, seed=3)
    sim = feedsim.Simulation(G, seed=3, session_adaptation=True, churn=False)
    sim.run(days=5)
    engaged_before = sim.platform.accounts.found_reference > 0
    sim.set_param("like_rate", 0.0, at_day=5)
    sim.set_param("reshare_rate", 0.0, at_day=5)
    sim.set_param("reply_rate", 0.0, at_day=5)
    sim.run(days=5)
    m = sim.platform.accounts.session_multiplier
    assert engaged_before.sum() > 50
    assert np.all(m[engaged_before] <= 1) and m[engaged_before].mean() < 0.95
    assert np.all(m[~engaged_before] == 1) and m.min() >= sim.config.min_rate_multiplier
    off = feedsim.Simulation(G, seed=3, churn=False)
    off.run(days=3)
    assert np.all(off.platform.accounts.session_multiplier == 1.0)
