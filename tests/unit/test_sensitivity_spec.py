"""feedsim.sensitivity: study specs are checked against the declared parameters before any work."""

from __future__ import annotations

import numpy as np
import pytest

from feedsim.errors import InvalidParameterError
from feedsim.sensitivity import SensitivitySpec, WeightedEngagementRanker

BASE = {"seed": 1, "days": 1, "metric": "follower_reach.quiet", "graph": {"n_users": 40, "seed": 0}, "n": 4}

BAD = [
    ({"parameters": {"like_rate": [0.0, 1.5]}},
     "parameters.like_rate[1] must be a finite number >= 0 and <= 1; got 1.5"),
    ({"parameters": {"position_decay": [-0.1, 1.0]}},
     "parameters.position_decay[0] must be a finite number >= 0; got -0.1"),
    ({"parameters": {"like_rate": [0.5, 0.1]}}, "parameters.like_rate must have low < high"),
    ({"parameters": {"like_rat": [0.0, 1.0]}}, "did you mean 'like_rate'"),
    ({"parameters": {"dynamics": [0, 1]}}, "parameters.dynamics is not a numeric simulation parameter"),
    ({"parameters": {"like_rate": {"dist": "norm", "mean": 0.05, "sd": 0.01}}}, "use truncnorm or unif"),
    ({"parameters": {"like_rate": {"dist": "triang", "low": 0.0, "high": 0.1, "mode": 0.2}}}, "mode must be within"),
    ({"parameters": {"like_rate": {"dist": "beta", "a": 1}}}, "parameters.like_rate.dist must be one of"),
    ({"parameters": {"graph.community_mixing": [0.0, 2.0]}}, "parameters.graph.community_mixing[1] must be"),
    ({"parameters": {"ranker.reply_weight": [-1.0, 2.0]}}, "parameters.ranker.reply_weight[0] must be"),
    ({"parameters": {"ranker.reply_weight": [1.0, 2.0]}}, "ranker.<weight> factors need the engagement ranker"),
    ({"parameters": {"like_rate": [0.0, 0.1]}, "n": 10}, "n must be a power of 2"),
    ({"parameters": {"like_rate": [0.0, 0.1]}, "method": "fast"}, "method must be one of sobol, morris"),
    ({"parameters": {"like_rate": [0.0, 0.1]}, "metric": "follower_reach"}, "metric must name one column"),
    ({"parameters": {"like_rate": [0.0, 0.1]}, "metric": "amplification.quiet"}, "use the metric it compares"),
    ({"parameters": {"like_rate": [0.0, 0.1]}, "base": {"like_rate": 0.1}}, "also set in base"),
    ({"parameters": {"like_rate": [0.0, 0.1]}, "contrast": {"ranker": "engagement", "baseline": "engagement"}},
     "contrast.baseline must differ"),
    ({"parameters": {"mutual_affinity": [0.1, 9.0]}}, "affinity_max"),  # a rule across fields, from the sweep
]


@pytest.mark.parametrize(("change", "message"), BAD, ids=[m[:40] for _, m in BAD])
def test_bad_specs_fail_in_one_line_naming_the_field(change, message):
    with pytest.raises(InvalidParameterError) as info:
        SensitivitySpec(**{**BASE, **change})
    text = str(info.value)
    assert message in text and "\n" not in text


def test_design_is_seeded_and_within_the_ranges():
    spec = SensitivitySpec(**BASE, parameters={"like_rate": [0.02, 0.1], "trending_pool_size": [10, 60],
                                               "appeal_sigma": {"dist": "truncnorm", "low": 0.1, "high": 1.0,
                                                                "mean": 0.5, "sd": 0.2}})
    x = spec.design()
    assert x.shape == (spec.n_points, 3) == (4 * 5, 3)
    assert np.array_equal(x, spec.design())
    assert ((x[:, 0] >= 0.02) & (x[:, 0] <= 0.1)).all() and ((x[:, 2] >= 0.1) & (x[:, 2] <= 1.0)).all()
    assert np.array_equal(x[:, 1], np.round(x[:, 1]))  # an integer parameter
    other = SensitivitySpec(**{**BASE, "seed": 2}, parameters={"like_rate": [0.02, 0.1], "trending_pool_size": [10, 60],
                                                               "appeal_sigma": [0.1, 1.0]})
    assert not np.array_equal(other.design()[:, 0], x[:, 0])


def test_contrast_arms_share_seeds_and_weights_make_their_own_ranker():
    spec = SensitivitySpec(**BASE, parameters={"like_rate": [0.02, 0.1], "ranker.reply_weight": [1.0, 20.0]},
                           contrast={"ranker": "engagement", "baseline": "chronological"})
    runs = spec.sweep().runs()
    by_point: dict = {}
    for run in runs:
        by_point.setdefault((run.params["like_rate"], run.replicate), []).append(run)
    for group in by_point.values():
        assert len({r.seed.spawn_key for r in group}) == 1  # every arm of a point on the same seed
    engaged = [r.params["ranker"] for r in runs if r.ranker != "chronological"]
    assert all(isinstance(r, WeightedEngagementRanker) for r in engaged)
    # rows that differ only in the ranker's weights share their chronological run: it is run once
    chron = [r for r in runs if r.ranker == "chronological"]
    assert len(chron) < len(engaged)


def test_common_seeds_put_every_point_of_a_replicate_on_one_seed():
    params = {"like_rate": [0.02, 0.1], "graph.attractiveness_exponent": [1.0, 3.0]}
    spec = SensitivitySpec(**BASE, parameters=params)
    assert spec.common_seeds and spec.sweep().seeds == "common"
    runs = spec.sweep().runs()
    assert len({r.params["like_rate"] for r in runs}) > 1
    assert {r.replicate: r.seed.spawn_key for r in runs} == {r.replicate: r.seed.spawn_key for r in runs[:2]}
    assert len({r.seed.spawn_key for r in runs}) == spec.replicates
    assert {r.graph["seed"] for r in runs} == {0}  # the graph's seed too; graph.* factors change only its parameters
    per_point = SensitivitySpec(**BASE, parameters=params, common_seeds=False)
    assert per_point.sweep().seeds == "per_point" and len({r.seed.spawn_key for r in per_point.sweep().runs()}) > 2
    assert SensitivitySpec.from_dict(per_point.to_dict()) == per_point
    with pytest.raises(InvalidParameterError, match="^common_seeds must be True or False; got 'yes'$"):
        SensitivitySpec(**BASE, parameters=params, common_seeds="yes")


def test_toml_round_trip(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('seed = 1\ndays = 1\nn = 4\nmetric = "follower_reach.quiet"\n[graph]\nn_users = 40\nseed = 0\n'
                    '[contrast]\nranker = "engagement"\nbaseline = "chronological"\n'
                    '[parameters]\nlike_rate = [0.02, 0.1]\nranker.reply_weight = [1.0, 20.0]\n'
                    'graph.attractiveness_exponent = {dist = "triang", low = 1.0, high = 3.0, mode = 1.5}\n')
    spec = SensitivitySpec.from_toml(path)
    assert spec.names == ["like_rate", "ranker.reply_weight", "graph.attractiveness_exponent"]
    assert spec.contrast == ("engagement", "chronological")
    path.write_text('seed = 1\ndays = 1\nmetric = "gini_impressions"\nparameter = {}\n')
    with pytest.raises(InvalidParameterError, match="parameter is not a sensitivity spec key; did you mean"):
        SensitivitySpec.from_toml(path)


def test_indices_figure_follows_the_figure_rules():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd
    from figure_rules import figure_problems

    from feedsim.sensitivity import plot_indices

    table = pd.DataFrame({"parameter": ["like_rate", "like_rate", "ranker.reply_weight", "ranker.reply_weight",
                                        "seed noise"],
                          "index": ["S1", "ST", "S1", "ST", "ST"], "estimate": [0.7, 0.8, -0.1, 0.05, 0.04],
                          "conf": [0.1, 0.1, 0.2, 0.03, float("nan")], "low": [0.6, 0.7, -0.3, 0.02, 0.02],
                          "high": [0.8, 0.9, 0.1, 0.08, 0.06]})
    table.attrs.update({"metric": "follower_reach.quiet", "contrast": ["engagement", "chronological"]})
    ax = plot_indices(table)
    ax.figure.tight_layout()
    assert figure_problems(ax.figure) == []
    assert [t.get_text() for t in ax.get_yticklabels()] == ["like rate", "ranker: reply weight"]
    assert ax.get_title() == "quiet members' share of the author's followers reached per post, engagement minus " \
                             "chronological"
    plt.close(ax.figure)
    # with common seeds the noise row is not a floor: no shaded band, its value in the legend
    table.attrs["common_seeds"] = True
    ax = plot_indices(table)
    labels = ax.get_legend_handles_labels()[1]
    assert "seed noise: 0.04 of the variance (common seeds)" in labels and not ax.patches, labels
    plt.close(ax.figure)
