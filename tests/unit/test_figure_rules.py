"""The figure rules (feedsim.plots.rules): each check catches what breaks it, and the library's figures pass.

The experiments' figures are checked where they are made: their quick runs set
``FEEDSIM_CHECK_FIGURES`` and the integration tests assert that ``figure_problems.json``
lists no problem (tests/integration/_script_runs.py).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import matplotlib
import matplotlib.container

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from figure_rules import figure_problems  # noqa: E402

import feedsim  # noqa: E402
from feedsim.plots import (  # noqa: E402
    RANKER_COLORS,
    ROLE_COLORS,
    mean_confidence_band,
    plot_follow_graph,
    plot_lorenz,
    plot_metric_over_time,
    plot_role_share_scatter,
    plot_role_shares,
    plot_sweep,
    plot_sweep_results,
)
from feedsim.plots.palette import label_color  # noqa: E402
from feedsim.plots.rules import declare_bounds, interval_bars, interval_points, legend_outside  # noqa: E402

EXPERIMENTS = Path(__file__).resolve().parents[2] / "experiments"


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def runs(community):
    return feedsim.compare(community, ["chronological", "engagement", "fair_exposure"], days=1, seed=3).results


def _one(problems, *words):
    """Exactly one problem, and it mentions every word."""
    assert len(problems) == 1, problems
    assert all(w in problems[0] for w in words), problems[0]


def test_label_color_reads_rankers_and_roles_in_words_or_keys():
    assert label_color("fair exposure") == label_color("fair_exposure") == RANKER_COLORS["fair_exposure"]
    assert label_color("engagement (after the switch)") == RANKER_COLORS["engagement"]
    assert label_color("quiet members") == label_color("quiet") == ROLE_COLORS["quiet"]
    assert label_color("influencers") == ROLE_COLORS["influencer"]
    for other in ("engagement per post", "reciprocity on", "front", "_child0", ""):
        assert label_color(other) is None


def test_palette_colours_are_required_for_roles_and_rankers():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], label="engagement")  # default cycle colour C0, not the palette's
    ax.bar([0, 1], [1, 2], color=ROLE_COLORS["quiet"], label="quiet members")
    ax.plot([0, 1], [1, 0], label="reciprocity on")  # not a role or ranker: any colour
    _one(figure_problems(fig), "'engagement'", RANKER_COLORS["engagement"])
    ax.lines[0].set_color(RANKER_COLORS["engagement"])
    assert figure_problems(fig) == []
    ax.containers[0].patches[0].set_facecolor("#0072B2")  # regular's colour on a quiet bar
    assert any("quiet members" in p for p in figure_problems(fig))


def test_labels_must_be_words():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], color=RANKER_COLORS["fair_exposure"], label="fair_exposure")
    ax.set_xlabel("out_of_network_share")
    ax.set_xticks([0, 1], ["a_b", "c"])
    legend_outside(ax)
    problems = figure_problems(fig)
    assert sorted(p.split(": ")[1].split(" '")[0] for p in problems) == ["legend entry", "x label", "x tick label"]


def test_intervals_need_declared_bounds_and_stay_inside_them():
    fig, ax = plt.subplots()
    ax.errorbar([0, 1], [0.1, 0.9], yerr=[[0.3, 0.1], [0.1, 0.3]], fmt="o")  # the share's bar runs to -0.2 and 1.2
    _one(figure_problems(fig), "declares no bounds")
    declare_bounds(ax, 0, 1)
    problems = figure_problems(fig)
    assert len(problems) == 2 and all("outside the quantity's bounds [0, 1]" in p for p in problems)
    fig2, ax2 = plt.subplots()
    ax2.fill_between([0, 1], [-5.0, 1.0], [3.0, 4.0])  # a count's band below zero
    declare_bounds(ax2, 0, math.inf)
    _one(figure_problems(fig2), "band", "[-5, 4]")
    fig4, ax4 = plt.subplots()  # a zero-length horizontal error bar is still along x
    interval_bars(ax4, [0, 1], [2.0, 3.0], [2.0, 1.0], [2.0, 4.0], bounds=(0, math.inf), horizontal=True)
    assert figure_problems(fig4) == []
    fig3, ax3 = plt.subplots()
    ax3.errorbar([0], [-3.0], yerr=[[50.0], [50.0]])  # a difference: either sign, declared unbounded
    declare_bounds(ax3, -math.inf, math.inf)
    assert figure_problems(fig3) == []


def test_interval_helpers_draw_intervals_as_given():
    # no clipping: an interval outside the bounds is drawn as it is and the figure check flags it
    fig, (a1, a2) = plt.subplots(1, 2)
    interval_bars(a1, [0, 1, 2], [0.05, 0.5, None], [0.01, 0.2, None], [0.4, 0.9, None], bounds=(0, 1))
    interval_points(a2, [0, 1], [0.5, 20.0], [0.1, 2.0], [1.0, 60.0], bounds=(0, math.inf), horizontal=True)
    assert figure_problems(fig) == []
    bars = next(c for c in a1.containers if isinstance(c, matplotlib.container.BarContainer))
    ys = np.concatenate([s[:, 1] for s in bars.errorbar.lines[2][0].get_segments() if np.ndim(s) == 2])
    assert np.nanmin(ys) == pytest.approx(0.01) and np.nanmax(ys) == pytest.approx(0.9)
    assert np.isnan(bars.patches[2].get_height())  # a missing value draws no bar
    xs = np.concatenate([s[:, 0] for s in a2.containers[0].lines[2][0].get_segments()])
    assert xs.min() == pytest.approx(0.1) and xs.max() == 60.0
    fig2, a3 = plt.subplots()
    interval_bars(a3, [0], [0.05], [-0.3], [0.4], bounds=(0, 1))
    flagged = figure_problems(fig2)
    assert flagged and all("spans [-0.3, 0.4], outside the quantity's bounds [0, 1]" in p for p in flagged)


def test_bars_must_start_at_zero():
    fig, (a1, a2) = plt.subplots(1, 2)
    a1.bar([0, 1], [10.0, 11.0])
    a1.set_ylim(9, 12)
    a2.barh([0, 1], [-2.0, 3.0])  # negative and positive bars: the x axis spans 0
    _one(figure_problems(fig), "y axis from 9 to 12", "leaves out 0")
    a1.set_ylim(0, 12)
    assert figure_problems(fig) == []


def test_legend_must_not_cover_data_in_any_axes():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], label="diagonal")
    ax.legend(loc="upper right")  # the diagonal runs through the upper right corner
    _one(figure_problems(fig), "covers data of axes 0", "Line2D")
    ax.get_legend().remove()
    ax.legend(loc="upper left")  # clear of it
    assert figure_problems(fig) == []
    # outside the axes but over the neighbour's bars
    fig2, (b1, b2) = plt.subplots(1, 2, figsize=(6, 3))
    b1.plot([0, 1], [0, 1], label="a line with a long legend entry")
    b2.bar([0, 1, 2], [5, 5, 5])
    legend_outside(b1)
    assert any("covers data of axes 1" in p and "Rectangle" in p for p in figure_problems(fig2))
    fig2.tight_layout()  # makes room: the legend is part of its axes' tight box
    assert figure_problems(fig2) == []


def test_library_figures_follow_the_rules(runs, community):
    res = runs["engagement"]
    figs = []
    for draw in (lambda ax: plot_lorenz(runs, ax=ax), lambda ax: plot_role_shares(res, ax=ax),
                 lambda ax: plot_role_share_scatter(runs, ax=ax), lambda ax: plot_role_share_scatter(runs, ax=ax, log=True),
                 lambda ax: plot_metric_over_time(runs, "impressions", ax=ax),
                 lambda ax: plot_metric_over_time(res, "impressions_by_role", share=True, ax=ax),
                 lambda ax: plot_follow_graph(community, res, max_nodes=80, ax=ax)):
        fig, ax = plt.subplots(figsize=(7, 4))
        draw(ax)
        fig.tight_layout()
        figs.append(fig)
    assert figs[4].axes[0].get_ylim()[0] == 0  # a daily count is drawn from zero, not from its minimum
    problems = {i: figure_problems(f) for i, f in enumerate(figs)}
    assert problems == {i: [] for i in range(len(figs))}


def test_sweep_figures_follow_the_rules():
    fig, ax = plt.subplots()
    plot_sweep({"engagement": {"x": [0, 1], "mean": [0.1, 0.9], "lo": [-0.2, 0.6], "hi": [0.3, 1.3]},
                "fair_exposure": {"x": [0, 1], "mean": [0.5, 0.5], "lo": [0.4, 0.4], "hi": [0.6, 0.6]}},
               xlabel="out-of-network share", ylabel="share of impressions", bounds=(0, 1), ax=ax)
    fig.tight_layout()  # a band outside the bounds is drawn as given (not clipped), and flagged
    _one(figure_problems(fig), "band spans [-0.2, 1.3], outside the quantity's bounds [0, 1]")
    fig, ax = plt.subplots()
    m, lo, hi = mean_confidence_band([[0.0, 0.1, 0.3], [0.7, 0.95, 1.0]], bounds=(0, 1))
    plot_sweep({"engagement": {"x": [0, 1], "mean": m, "lo": lo, "hi": hi}}, xlabel="out-of-network share",
               ylabel="share of impressions", bounds=(0, 1), ax=ax)
    fig.tight_layout()
    assert figure_problems(fig) == []
    t = {"ranker": np.array(["engagement"] * 4, dtype=object), "status": np.array(["ok"] * 4, dtype=object),
         "out_of_network_share": np.array([0.0, 0.0, 0.5, 0.5]), "like_rate": np.array([0.1, 0.2, 0.1, 0.2]),
         "impression_share.quiet": np.array([0.01, 0.6, 0.02, 0.95])}
    fig, ax = plt.subplots()
    plot_sweep_results(t, "impression_share.quiet", "out_of_network_share", ax=ax)
    fig.tight_layout()
    assert figure_problems(fig) == []


def _experiment(name):
    sys.path.insert(0, str(EXPERIMENTS))
    try:
        return __import__(name)
    finally:
        sys.path.remove(str(EXPERIMENTS))


def _record(values, mean=None):
    return {"mean": float(np.mean(values)) if mean is None else mean, "lo": min(values), "hi": max(values),
            "values": list(values)}


def test_an_experiment_figure_from_stored_results_follows_the_rules(tmp_path, monkeypatch):
    # community_vs_broadcast draws from its summary's results alone; intervals far past 0 and 1 (computed
    # without bounds) are drawn as the bounded interval of their values, never cut
    cvb = _experiment("community_vs_broadcast")
    C = sys.modules["_common"]
    monkeypatch.setenv(C.CHECK_FIGURES_ENV, "1")
    wide = {"reach_per_post": _record([-40.0, 90.0], 25.0), "engagement_per_post": _record([-1.0, 3.0], 1.0),
            "engagement_per_impression": _record([-0.1, 0.2], 0.05)}
    results = {r: {g: wide for g in cvb.GROUPS} for r in cvb.RANKERS}
    name = cvb.figure(results, tmp_path)
    problems = __import__("json").loads((tmp_path / "figure_problems.json").read_text())
    assert problems == {name: []}
