"""Sweep specs: validation with key paths, TOML equivalence, seed addressing, aggregation."""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pytest
from scipy import stats

import feedsim
from feedsim.sweeps import SweepSpec, SweepSpecError, aggregate, run_seed
from feedsim.sweeps.spec import DAILY_SERIES

GOOD = {
    "seed": 3,
    "days": 1,
    "replicates": 2,
    "graph": {"n_users": 100, "seed": 0},
    "base": {"max_age_hours": 24},
    "grid": {"ranker": ["chronological", "engagement"], "out_of_network_share": [0.0, 0.2]},
    "metrics": ["gini_impressions", "impression_share.quiet"],
}


def with_(**changes):
    spec = {k: (dict(v) if isinstance(v, dict) else v) for k, v in GOOD.items()}
    for key, value in changes.items():
        head, _, tail = key.partition("__")
        if tail:
            spec[head][tail] = value
        elif value is None:
            spec.pop(head)
        else:
            spec[head] = value
    return spec


# (spec, text the message must contain)
BAD = [
    (with_(colour="red"), "colour is not a sweep spec key; allowed: seed, days"),
    (with_(seed=None), "seed is required"),
    (with_(seed=-1), "seed must be an integer >= 0; got -1"),
    (with_(days=0), "days must be a finite number > 0"),
    (with_(days=1.01), "days must cover a whole number of ticks"),
    (with_(replicates=0), "replicates must be an integer >= 1; got 0"),
    (with_(graph__n_users="many"), "graph.n_users must be an integer >= 2; got 'many'"),
    (with_(graph__size=3), "graph.size is not allowed; allowed: n_users, seed, mean_follows"),
    (with_(base__speed=2), "base.speed is not a simulation parameter; allowed: ranker, tick_hours"),
    (with_(base__dynamics="yes"), "base.dynamics must be true or false; got 'yes'"),
    (with_(grid__out_of_network_share=[0.0, 0.1, 1.5]),
     "grid.out_of_network_share[2] must be a finite number >= 0 and <= 1; got 1.5"),
    (with_(grid__out_of_network_share=[0.0, "0.1"]), "grid.out_of_network_share[1] must be a finite number; got '0.1'"),
    (with_(grid__like_rate=[]), "grid.like_rate must be a non-empty list of values; got []"),
    (with_(grid__like_rate=0.1), "grid.like_rate must be a non-empty list of values; got 0.1"),
    (with_(grid__ranker=["chronological", "engagment"]), "grid.ranker[1] must be one of 'chronological', 'engagement'"),
    (with_(grid__ranker=["engagement", "engagement"]), "grid.ranker[1] repeats grid.ranker[0]"),
    (with_(grid__max_age_hours=[12, 48]), "grid.max_age_hours is also set in base"),
    (with_(grid__burnout_days=[2.5]), "grid.burnout_days[0] must be an integer; got 2.5"),
    (with_(grid={}), "grid must be a non-empty table"),
    (with_(grid=None), "give exactly one of grid"),
    (with_(points=[{"ranker": "random"}]), "give exactly one of grid"),
    (with_(grid=None, points=[{"ranker": "random"}, {"ranker": "random", "like_rate": 0.05}]),
     "points[1] describes the same run as points[0]"),
    (with_(grid=None, points=[{"ranker": "random"}, {"like_rate": -1}]),
     "points[1].like_rate must be a finite number >= 0 and <= 1; got -1.0"),
    (with_(metrics=["gini_impressions", "happiness"]), "metrics[1] must be one of n_users, n_posts"),
    (with_(metrics=["impression_share.robots"]), "metrics[0] must be one of"),
    (with_(metrics=[]), "metrics must be a non-empty list"),
    (with_(daily=["posts", "likes"]), "daily[1] must be one of posts, impressions"),
    (with_(base__mutual_affinity=3.0, grid__affinity_max=[2.0]),
     "affinity_max must be a finite number >= 3.0; got 2.0"),
]


@pytest.mark.parametrize("spec, message", BAD, ids=[m[:40] for _, m in BAD])
def test_bad_spec_names_the_key_path(spec, message):
    with pytest.raises(SweepSpecError) as info:
        SweepSpec.from_dict(spec)
    assert message in str(info.value)
    assert isinstance(info.value, (feedsim.FeedsimError, ValueError))
    assert isinstance(info.value, ValueError) and isinstance(info.value, feedsim.FeedsimError)


def test_good_spec_expands_grid_and_replicates():
    spec = SweepSpec.from_dict(GOOD)
    assert len(spec.points()) == 4
    runs = spec.runs()
    assert len(runs) == 8 and len({r.run_key for r in runs}) == 8
    assert all(p["max_age_hours"] == 24.0 and isinstance(p["max_age_hours"], float) for p in spec.points())
    assert spec.metrics == ("gini_impressions", "impression_share.quiet")
    assert spec.daily == DAILY_SERIES


def test_role_metric_expands_to_every_role():
    spec = SweepSpec.from_dict(with_(metrics=["voice_ratio"]))
    assert spec.metrics == tuple(f"voice_ratio.{r}" for r in feedsim.ROLES)


def test_toml_file_equals_python_object(tmp_path):
    path = tmp_path / "spec.toml"
    path.write_text(textwrap.dedent("""
        seed = 3
        days = 1
        replicates = 2
        metrics = ["gini_impressions", "impression_share.quiet"]
        [graph]
        n_users = 100
        seed = 0
        [base]
        max_age_hours = 24
        [grid]
        ranker = ["chronological", "engagement"]
        out_of_network_share = [0, 0.2]
    """))
    from_file = SweepSpec.from_toml(path)
    assert from_file == SweepSpec.from_dict(GOOD)
    assert [r.run_key for r in from_file.runs()] == [r.run_key for r in SweepSpec.from_dict(GOOD).runs()]
    assert SweepSpec.from_dict(from_file.to_dict()) == from_file


def test_example_spec_in_repository_is_valid():
    import pathlib

    path = pathlib.Path(__file__).parents[2] / "experiments" / "sweep_example.toml"
    spec = SweepSpec.from_toml(path)
    assert len(spec.runs()) == 30 and "ranker" in spec.grid


def test_invalid_toml_is_a_spec_error(tmp_path):
    path = tmp_path / "spec.toml"
    path.write_text("seed = = 3\n")
    with pytest.raises(SweepSpecError, match="is not valid TOML"):
        SweepSpec.from_toml(path)


# ----------------------------------------------------------------- seeds
def test_rankers_share_seeds_and_replicates_do_not():
    runs = SweepSpec.from_dict(GOOD).runs()
    by = {(r.params["ranker"], r.params["out_of_network_share"], r.replicate): r for r in runs}
    a, b = by["chronological", 0.2, 1], by["engagement", 0.2, 1]
    assert a.seed == b.seed and a.run_key != b.run_key
    assert by["chronological", 0.2, 0].seed != a.seed
    assert by["chronological", 0.0, 1].seed != a.seed
    assert a.seed.entropy == 3 and a.seed.spawn_key[-1] == 1


def test_seed_does_not_depend_on_order_defaults_or_other_points():
    small = SweepSpec.from_dict(with_(grid={"out_of_network_share": [0.2]}))
    big = SweepSpec.from_dict(with_(grid={"out_of_network_share": [0.5, 0.0, 0.2], "ranker": ["random"]}))
    pick = [r for r in big.runs() if r.params["out_of_network_share"] == 0.2]
    assert [r.seed for r in small.runs()] == [r.seed for r in pick]
    # int vs float and explicit defaults give the same point
    assert run_seed(1, {"out_of_network_share": 0, "like_rate": 0.05}, 2).spawn_key == \
        run_seed(1, {"out_of_network_share": 0.0}, 2).spawn_key
    assert run_seed(1, {"like_rate": 0.02}, 0).spawn_key != run_seed(1, {"like_rate": 0.03}, 0).spawn_key


def test_run_seed_is_a_plain_seedsequence_spawn_key():
    ss = run_seed(9, {"out_of_network_share": 0.1}, 4)
    again = np.random.SeedSequence(9, spawn_key=ss.spawn_key)
    assert np.array_equal(ss.generate_state(4), again.generate_state(4))
    assert len(ss.spawn_key) == 5 and all(0 <= k < 2**32 for k in ss.spawn_key)


def test_common_seeds_sweep_gives_every_point_the_replicates_seed():
    per_point = SweepSpec.from_dict(GOOD)
    common = SweepSpec.from_dict(with_(seeds="common"))
    assert "seeds" not in per_point.to_dict()  # the default is stored as before: old stores match
    assert SweepSpec.from_dict(common.to_dict()) == common
    by_replicate: dict = {}
    for run in common.runs():
        by_replicate.setdefault(run.replicate, set()).add(run.seed.spawn_key)
    assert [len(v) for v in by_replicate.values()] == [1, 1]  # one seed per replicate, across all points
    assert by_replicate[0] != by_replicate[1]
    keys = [(r.run_key, r.seed) for r in per_point.runs()]
    assert keys == [(r.run_key, r.seed) for r in SweepSpec.from_dict(with_(seeds="per_point")).runs()]
    # another seed mode is another run: no run key, and no seed, is shared with the per-point sweep
    assert not {k for k, _ in keys} & {r.run_key for r in common.runs()}
    assert not {s.spawn_key for _, s in keys} & {r.seed.spawn_key for r in common.runs()}
    with pytest.raises(SweepSpecError, match="^seeds must be one of per_point, common; did you mean 'common'"):
        SweepSpec.from_dict(with_(seeds="comon"))


# ------------------------------------------------------------- aggregation
def test_aggregate_matches_a_t_interval():
    x = np.array([0.3, 0.5, 0.4, 0.9, 0.1])
    table = {
        "ranker": np.array(["a"] * 5 + ["b"] * 2, dtype=object),
        "status": np.array(["ok"] * 6 + ["failed"], dtype=object),
        "m": np.concatenate([x, [2.0, 99.0]]),
    }
    agg = aggregate(table, "m", as_pandas=False)
    assert list(agg["ranker"]) == ["a", "b"]
    half = stats.t.ppf(0.975, 4) * x.std(ddof=1) / math.sqrt(5)
    assert agg["m.mean"][0] == pytest.approx(x.mean())
    assert agg["m.ci_low"][0] == pytest.approx(x.mean() - half)
    assert agg["m.ci_high"][0] == pytest.approx(x.mean() + half)
    assert agg["m.n"][1] == 1 and agg["m.mean"][1] == 2.0 and math.isnan(agg["m.ci_low"][1])


def test_aggregate_rejects_unknown_columns():
    table = {"ranker": np.array(["a"], dtype=object), "m": np.array([1.0])}
    with pytest.raises(feedsim.InvalidParameterError, match="metrics must name columns"):
        aggregate(table, "nope")
    with pytest.raises(feedsim.InvalidParameterError, match="confidence must be"):
        aggregate(table, "m", confidence=95)
