"""experiments/mechanisms.py: the switches do what its docstring says, and --quick writes a consistent summary.

The script is run once with ``--quick`` in a temporary directory; the tests check the
structure of ``summary.json`` and that its numbers are consistent with each other
(intervals contain their means, the decomposition is made of the per-configuration
values, the finding quotes the stored numbers), never today's values.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest
from _script_runs import check_figures
from _script_runs import check_stat as _check_stat

import feedsim
from feedsim.population.roles import ROLE_DEFAULTS

ROOT = Path(__file__).resolve().parents[2]
EXPERIMENTS = ROOT / "experiments"
sys.path.insert(0, str(EXPERIMENTS))
import mechanisms  # noqa: E402

sys.path.remove(str(EXPERIMENTS))

MECHS = list(mechanisms.MECHANISMS)


# ------------------------------------------------------------------ the switches
@pytest.fixture(scope="module")
def community():
    return feedsim.networks.default_community(400, mean_follows=15, seed=3, as_arrays=True)


def test_configurations_are_all_on_each_removed_each_alone_all_off():
    cfg = mechanisms.configurations()
    assert len(cfg) == 2 + 2 * len(MECHS)
    assert cfg["all on"] == frozenset(MECHS) and cfg["all off"] == frozenset()
    for m, name in mechanisms.MECHANISMS.items():
        assert cfg[f"without {name}"] == frozenset(MECHS) - {m}
        assert cfg[f"only {name}"] == frozenset({m})


def test_all_on_is_the_default_world(community):
    perm = np.random.default_rng(0).permutation(community.n_users)
    g, params = mechanisms.world(community, frozenset(MECHS), perm)
    assert params == {loop: True for loop in mechanisms.LOOPS}
    a = feedsim.Simulation(g, ranker="engagement", seed=5, **params).run(days=1)
    b = feedsim.Simulation(community, ranker="engagement", seed=5).run(days=1)
    assert np.array_equal(a.authors.impressions, b.authors.impressions)
    assert np.array_equal(a.posts.author, b.posts.author)


def test_all_off_turns_every_loop_and_affinity_off(community):
    perm = np.random.default_rng(0).permutation(community.n_users)
    _, params = mechanisms.world(community, frozenset(), perm)
    cfg = feedsim.SimulationConfig(**params)
    assert not any(cfg.loop_enabled(loop) for loop in feedsim.FEEDBACK_LOOPS)
    assert cfg.mutual_affinity == cfg.affinity_gain == cfg.reciprocity_gain == 0.0


def test_audience_off_permutes_roles_over_the_same_edges(community):
    perm = np.random.default_rng(1).permutation(community.n_users)
    g, _ = mechanisms.world(community, frozenset(MECHS) - {"audience"}, perm)
    assert np.array_equal(g.indptr, community.indptr) and np.array_equal(g.indices, community.indices)
    roles0, roles1 = community.attrs["role"], g.attrs["role"]
    assert sorted(roles0) == sorted(roles1) and not np.array_equal(roles0, roles1)
    assert np.array_equal(roles1, roles0[perm])


def test_posting_off_gives_every_poster_the_mean_rate(community):
    perm = np.arange(community.n_users)
    g, _ = mechanisms.world(community, frozenset(MECHS) - {"posting"}, perm)
    roles = community.attrs["role"]
    rate = g.attrs["post_rate"]
    posts = np.array([ROLE_DEFAULTS[r].post_rate > 0 for r in roles])
    assert np.all(rate[~posts] == 0) and np.unique(rate[posts]).size == 1
    expected = sum(ROLE_DEFAULTS[r].post_rate * math.exp(ROLE_DEFAULTS[r].post_sigma ** 2 / 2) for r in roles)
    assert rate.sum() == pytest.approx(expected)  # expected volume unchanged


# ------------------------------------------------------------------ the --quick run
@pytest.fixture(scope="module")
def summary(quick_runs):
    code, stdout, stderr, out = quick_runs["mechanisms"]  # run with --quick once per session (conftest.py)
    assert code == 0, stderr
    s = json.loads((out / "summary.json").read_text())
    return s, stdout, out


def check_stat(s, n, low=None, high=None):
    _check_stat(s, low, high, n=n)


@pytest.mark.slow  # runs experiments/mechanisms.py --quick: the slow tier (pytest -m slow)
def test_quick_run_writes_its_outputs(summary):
    s, stdout, out = summary
    assert s["experiment"] == "mechanisms" and s["quick"] is True and s["replicates"] >= 2
    assert s["finding"] in stdout
    for fig in s["figures"]:
        assert (out / fig).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", fig
    assert sorted(p.name for p in out.glob("*.png")) == sorted(s["figures"])
    check_figures(out, s["figures"])
    table = (out / s["parameters"]["table"]).read_text()
    for label in s["results"]["configurations"]:
        assert f"| {label} |" in table


@pytest.mark.slow  # runs experiments/mechanisms.py --quick: the slow tier (pytest -m slow)
def test_configuration_stats_are_consistent(summary):
    s, _, _ = summary
    n = s["replicates"]
    cfgs = s["results"]["configurations"]
    assert list(cfgs) == list(mechanisms.configurations())
    assert cfgs["all on"]["on"] == sorted(MECHS) and cfgs["all off"]["on"] == []
    for label, row in cfgs.items():
        assert row["on"] == s["parameters"]["configurations"][label]
        for role in ("quiet", "regular"):
            r = row[role]
            for key in ("share_chrono", "share_engagement", "post_share_chrono"):
                check_stat(r[key], n, 0, 1)
            check_stat(r["share_diff"], n, -1, 1)
            check_stat(r["reach_ratio"], n, 0)
            check_stat(r["voice_chrono"], n, 0)
            check_stat(r["voice_engagement"], n, 0)
            diff = np.subtract(r["share_engagement"]["values"], r["share_chrono"]["values"])
            assert np.allclose(r["share_diff"]["values"], diff)
            ratio = np.divide(r["reach_engagement"]["values"], r["reach_chrono"]["values"])
            assert np.allclose(r["reach_ratio"]["values"], ratio)
            assert np.allclose(np.log(ratio), r["log_reach_ratio"]["values"])
            # the ratio's centre is the geometric mean: exp of the mean log ratio
            assert r["reach_ratio"]["mean"] == pytest.approx(math.exp(r["log_reach_ratio"]["mean"]))


@pytest.mark.slow  # runs experiments/mechanisms.py --quick: the slow tier (pytest -m slow)
def test_decomposition_is_made_of_the_configurations(summary):
    s, _, _ = summary
    n = s["replicates"]
    cfgs, dec = s["results"]["configurations"], s["results"]["decomposition"]
    names = mechanisms.MECHANISMS
    for effect in ("share_diff", "log_reach_ratio"):
        for role in ("quiet", "regular"):
            d = dec[effect][role]
            v = lambda label: np.array(cfgs[label][role][effect]["values"])  # noqa: E731
            assert np.allclose(d["total"]["values"], v("all on"))
            assert np.allclose(d["baseline"]["values"], v("all off"))
            together = v("all on") - v("all off")
            assert np.allclose(d["mechanisms_total"]["values"], together)
            alone = sum(np.array(d["alone"][m]["values"]) for m in MECHS)
            removed = sum(np.array(d["removed"][m]["values"]) for m in MECHS)
            assert np.allclose(d["interaction_alone"]["values"], together - alone)
            assert np.allclose(d["interaction_removed"]["values"], together - removed)
            for m in MECHS:
                assert np.allclose(d["alone"][m]["values"], v(f"only {names[m]}") - v("all off"))
                assert np.allclose(d["removed"][m]["values"], v("all on") - v(f"without {names[m]}"))
                check_stat(d["alone"][m], n)
                check_stat(d["removed"][m], n)
            sign = 1 if d["mechanisms_total"]["mean"] >= 0 else -1
            assert d["largest_removed"] == max(MECHS, key=lambda m: sign * d["removed"][m]["mean"])
            assert d["largest_alone"] == max(MECHS, key=lambda m: sign * d["alone"][m]["mean"])
            clear = [m for m in MECHS if d["removed"][m]["lo"] > 0 or d["removed"][m]["hi"] < 0]
            assert sorted(d["carriers"] + d["opposers"]) == sorted(clear)
            assert all(sign * d["removed"][m]["mean"] > 0 for m in d["carriers"])
            assert all(sign * d["removed"][m]["mean"] < 0 for m in d["opposers"])
            inter = d["interaction_removed"]
            if inter["lo"] <= 0 <= inter["hi"]:
                assert d["interplay"] == "additive"
            else:
                assert d["interplay"] == ("synergy" if sign * inter["mean"] < 0 else "redundancy")


@pytest.mark.slow  # runs experiments/mechanisms.py --quick: the slow tier (pytest -m slow)
def test_finding_quotes_the_stored_numbers(summary):
    s, _, _ = summary
    on = s["results"]["configurations"]["all on"]["quiet"]
    q = s["results"]["decomposition"]["share_diff"]["quiet"]
    assert mechanisms.fmt(on["share_diff"], 100, 2, True) in s["finding"]
    assert mechanisms.fmt(on["reach_ratio"]) in s["finding"]
    assert mechanisms.MECHANISMS[q["largest_removed"]] in s["finding"]
    assert mechanisms.fmt(q["removed"][q["largest_removed"]], 100, 2, True) in s["finding"]
    r = s["results"]["decomposition"]["log_reach_ratio"]["quiet"]
    assert mechanisms.fmt(r["mechanisms_total"], 100, 1, True) in s["finding"]
    for m in r["carriers"] + r["opposers"]:
        assert f"{mechanisms.MECHANISMS[m]} {mechanisms.fmt(r['removed'][m], 100, 1, True)}" in s["finding"]
    assert mechanisms.INTERPLAY_TEXT[r["interplay"]] in s["finding"]
