"""feedsim.plots: every figure renders from real results and draws the result's numbers."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.colors as mcolors  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from scipy import stats  # noqa: E402

import feedsim  # noqa: E402
from feedsim.networks import ROLES  # noqa: E402
from feedsim.plots import (  # noqa: E402
    ROLE_COLORS,
    daily_series,
    mean_confidence_band,
    plot_follow_graph,
    plot_lorenz,
    plot_metric_over_time,
    plot_role_share_scatter,
    plot_role_shares,
    plot_sweep,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def switched(community):
    """Chronological for a day, then engagement ranking: 3 days with one intervention."""
    sim = feedsim.Simulation(community, ranker="chronological", seed=4)
    sim.switch_ranker("engagement", at_day=1)
    return sim.run(days=3)


@pytest.fixture(scope="module")
def comparison(community):
    return feedsim.compare(community, ["chronological", "engagement"], days=2, seed=4)


def test_plot_lorenz_draws_each_runs_lorenz_curve(comparison):
    ax = plot_lorenz(comparison.results)
    assert len(ax.lines) == 1 + len(comparison.results)  # equality line + one per run
    for line, res in zip(ax.lines[1:], comparison.results.values()):
        x, y = res.lorenz()
        np.testing.assert_allclose(line.get_xdata(), x)
        np.testing.assert_allclose(line.get_ydata(), y)


def test_plot_role_shares_bars_match_summary(switched):
    ax = plot_role_shares(switched)
    s = switched.summary()
    roles = [ROLES[r] for r in switched.roles_present()]
    heights = [p.get_height() for p in ax.patches]
    np.testing.assert_allclose(heights[: len(roles)], [s["post_share"][r] for r in roles])
    np.testing.assert_allclose(heights[len(roles):], [s["impression_share"][r] or 0.0 for r in roles])


def test_role_share_scatter_points_are_post_share_and_impression_share(comparison):
    fig, ax0 = plt.subplots()
    ax = plot_role_share_scatter(comparison.results, ax=ax0)
    assert ax is ax0
    assert len(ax.collections) == len(comparison.results)
    for coll, res in zip(ax.collections, comparison.results.values()):
        s = res.summary()
        roles = [r for r in s["post_share"] if s["post_share"][r] > 0]
        expected = [[s["post_share"][r], s["impression_share"][r]] for r in roles]
        np.testing.assert_allclose(coll.get_offsets(), expected)
        colors = coll.get_facecolors()[:, :3]
        np.testing.assert_allclose(colors, [mcolors.to_rgb(ROLE_COLORS[r]) for r in roles])


def test_metric_over_time_line_is_the_daily_series_and_marks_interventions(switched):
    ax = plot_metric_over_time(switched, "impressions")
    assert len(ax.lines) == 2  # the series and one intervention marker
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), switched.daily["impressions"])
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), np.arange(3))
    marker = ax.lines[1]
    assert marker.get_xdata()[0] == pytest.approx(switched.interventions[0]["hours"] / 24.0) == pytest.approx(1.0)
    assert any("engagement" in t.get_text() for t in ax.texts)


def test_metric_over_time_by_role_draws_each_present_role_and_shares_sum_to_one(switched):
    ax = plot_metric_over_time(switched, "impressions_by_role", share=True, markers=False)
    present = switched.roles_present()
    assert [ln.get_label() for ln in ax.lines] == [ROLES[r] for r in present]
    total = np.nansum([ln.get_ydata() for ln in ax.lines], axis=0)
    np.testing.assert_allclose(total, 1.0)
    quiet = daily_series(switched, "impressions_by_role", "quiet")
    np.testing.assert_array_equal(quiet, switched.daily["impressions_by_role"][:, ROLES.index("quiet")])


def test_metric_over_time_several_runs_one_line_each(comparison):
    ax = plot_metric_over_time(comparison.results, "engagements_by_role", role="regular")
    assert len(ax.lines) == 2
    for line, res in zip(ax.lines, comparison.results.values()):
        np.testing.assert_array_equal(line.get_ydata(), res.daily["engagements_by_role"][:, ROLES.index("regular")])


@pytest.mark.parametrize("kwargs", [{"metric": "nope"}, {"metric": "impressions_by_role"},
                                    {"metric": "impressions", "role": "quiet"},
                                    {"metric": "posts_by_role", "role": "alien"}])
def test_daily_series_rejects_bad_requests(switched, kwargs):
    with pytest.raises(feedsim.InvalidParameterError):
        daily_series(switched, **kwargs)


def test_follow_graph_colours_roles_and_sizes_by_reach(community, switched):
    ax = plot_follow_graph(community, switched, max_nodes=120, seed=3)
    nodes = ax.feedsim_nodes
    assert len(nodes) == 120 and len(np.unique(nodes)) == 120
    pts = ax.collections[-1]
    assert len(pts.get_offsets()) == 120
    colors = pts.get_facecolors()[:, :3]
    expected = [mcolors.to_rgb(ROLE_COLORS[ROLES[r]]) for r in switched.authors.role[nodes]]
    np.testing.assert_allclose(colors, expected)
    reach = switched.authors.reach[nodes]
    sizes = pts.get_sizes()
    order = np.argsort(reach, kind="stable")
    assert np.all(np.diff(sizes[order]) >= -1e-9)  # bigger reach, bigger node
    assert sizes[np.argmax(reach)] == pytest.approx(300.0)


def test_follow_graph_accepts_follow_graph_without_result():
    fg = feedsim.networks.default_community(80, seed=2, as_arrays=True)
    ax = plot_follow_graph(fg, max_nodes=500)
    assert len(ax.feedsim_nodes) == 80
    assert np.all(ax.collections[-1].get_sizes() == 8.0)
    assert len(ax.collections) == 2  # edges, nodes


def test_follow_graph_rejects_result_from_another_graph(switched):
    small = feedsim.networks.default_community(500, seed=2)
    with pytest.raises(feedsim.InvalidParameterError):
        plot_follow_graph(small, feedsim.Simulation(feedsim.networks.default_community(50, seed=1), seed=1).run(days=1))
    with pytest.raises(feedsim.InvalidParameterError):
        plot_follow_graph(feedsim.networks.default_community(300, seed=1), switched, size_by="nope")


def test_plot_sweep_lines_and_bands_match_input():
    data = {
        "engagement": {"x": [0.3, 0.0, 0.1], "mean": [0.5, 0.2, 0.3], "lo": [0.4, 0.1, 0.2], "hi": [0.6, 0.3, 0.4]},
        "chronological": {"x": [0.0, 0.1, 0.3], "mean": [0.1, 0.1, 0.1]},
    }
    ax = plot_sweep(data, xlabel="share", ylabel="voice")
    assert len(ax.lines) == 2 and len(ax.collections) == 1
    np.testing.assert_allclose(ax.lines[0].get_xdata(), [0.0, 0.1, 0.3])  # sorted by x
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [0.2, 0.3, 0.5])
    verts = ax.collections[0].get_paths()[0].vertices
    assert verts[:, 1].min() == pytest.approx(0.1) and verts[:, 1].max() == pytest.approx(0.6)
    assert ax.get_xlabel() == "share" and ax.get_ylabel() == "voice"


@pytest.mark.parametrize("bad", [{"a": {"x": [1, 2]}}, {"a": {"x": [1, 2], "mean": [1.0]}},
                                 {"a": {"x": [1], "mean": [1.0], "lo": [0.0]}}])
def test_plot_sweep_rejects_malformed_data(bad):
    with pytest.raises(feedsim.InvalidParameterError):
        plot_sweep(bad)


def test_mean_confidence_band_is_the_student_t_interval():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 6))
    m, lo, hi = mean_confidence_band(x, level=0.9)
    for i in range(4):
        a, b = stats.t.interval(0.9, 5, loc=x[i].mean(), scale=stats.sem(x[i]))
        assert lo[i] == pytest.approx(a) and hi[i] == pytest.approx(b) and m[i] == pytest.approx(x[i].mean())
    m1, lo1, hi1 = mean_confidence_band([[2.0, np.nan]])
    assert (m1[0], lo1[0], hi1[0]) == (2.0, 2.0, 2.0)


def test_sweep_from_real_runs_plots_means(community):
    """A tiny sweep over out_of_network_share with a plain loop; the plotted means are the runs'."""
    xs = [0.0, 0.5]
    vals = np.array([[feedsim.Simulation(community, ranker="engagement", seed=s, out_of_network_share=v)
                      .run(days=1).summary()["gini_impressions"] for s in (1, 2)] for v in xs])
    m, lo, hi = mean_confidence_band(vals)
    ax = plot_sweep({"engagement": {"x": xs, "mean": m, "lo": lo, "hi": hi}})
    np.testing.assert_allclose(ax.lines[0].get_ydata(), vals.mean(axis=1))


def test_role_share_scatter_log_scale_keeps_points(comparison):
    ax = plot_role_share_scatter(comparison.results, log=True)
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    s = comparison.summaries["engagement"]
    quiet = [s["post_share"]["quiet"], max(s["impression_share"]["quiet"], 1e-4)]
    assert any(np.allclose(p, quiet) for p in ax.collections[1].get_offsets())
