"""One palette for roles and one for rankers across figures; bounded bands; words on axes; connected samples."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

import feedsim  # noqa: E402
from feedsim.plots import (RANKER_COLORS, ROLE_COLORS, mean_confidence_band, plot_follow_graph,  # noqa: E402
                           plot_lorenz, plot_metric_over_time, plot_role_share_scatter, plot_role_shares, plot_sweep,
                           plot_sweep_results)
from feedsim.plots.labels import metric_label  # noqa: E402
from feedsim.plots.network import sample_neighbourhood  # noqa: E402


@pytest.fixture(scope="module")
def runs(community):
    return feedsim.compare(community, ["chronological", "engagement", "fair_exposure"], days=1, seed=3).results


def _hex(c):
    return to_hex(c, keep_alpha=False).upper()


def test_ranker_colours_are_the_same_in_every_figure(runs):
    ax1 = plot_lorenz(runs)
    lorenz = {line.get_label().split(" (")[0]: _hex(line.get_color()) for line in ax1.lines[1:]}
    ax2 = plot_sweep({name: {"x": [0, 1], "mean": [0.1, 0.2]} for name in runs})
    sweep = {line.get_label(): _hex(line.get_color()) for line in ax2.lines}
    ax3 = plot_metric_over_time(runs, "impressions")
    daily = {line.get_label(): _hex(line.get_color()) for line in ax3.lines}
    want = {name.replace("_", " "): RANKER_COLORS[name].upper() for name in runs}
    assert lorenz == sweep == daily == want
    assert len(set(want.values())) == len(want)
    plt.close("all")


def test_role_colours_are_the_same_in_every_figure(runs, community):
    res = runs["engagement"]
    roles = [feedsim.ROLES[r] for r in res.roles_present()]
    ax1 = plot_role_shares(res)
    bars = [_hex(p.get_facecolor()) for p in ax1.patches[len(roles):]]  # the impression bars
    ax2 = plot_role_share_scatter(res)
    s = res.summary()
    posting = [r for r in roles if s["post_share"][r]]
    points = [_hex(c) for c in ax2.collections[0].get_facecolors()]
    ax3 = plot_metric_over_time(res, "impressions_by_role")
    lines = {line.get_label(): _hex(line.get_color()) for line in ax3.lines}
    ax4 = plot_follow_graph(community, res, max_nodes=120)
    nodes = ax4.collections[-1].get_facecolors()
    node_roles = [feedsim.ROLES[r] for r in res.authors.role[ax4.feedsim_nodes]]
    assert bars == [ROLE_COLORS[r].upper() for r in roles]
    assert points == [ROLE_COLORS[r].upper() for r in posting]
    assert lines == {r: ROLE_COLORS[r].upper() for r in roles}
    assert [_hex(c) for c in nodes] == [ROLE_COLORS[r].upper() for r in node_roles]
    assert len(set(ROLE_COLORS.values()) | set(RANKER_COLORS.values())) == len(ROLE_COLORS) + len(RANKER_COLORS)
    plt.close("all")


def test_bounded_band_stays_in_bounds():
    # two replicates far apart: the plain t-band of a share runs past 0 and 100%
    shares = np.array([[0.02, 0.9], [0.5, 0.98]])
    m, lo, hi = mean_confidence_band(shares)
    assert lo.min() < 0 and hi.max() > 1  # what would be drawn without bounds
    m, lo, hi = mean_confidence_band(shares, bounds=(0, 1))
    assert np.all((lo >= 0) & (hi <= 1) & (lo <= m) & (m <= hi))
    counts = np.array([1.0, 40.0, 2.0])
    m, lo, _ = mean_confidence_band(counts, bounds=(0, np.inf))
    assert 0.0 < lo < m  # the log-t interval of a positive quantity: above 0 by construction, not clipped to it
    with pytest.raises(feedsim.errors.InvalidParameterError, match="bounds must be"):
        mean_confidence_band(counts, bounds=(1, 0))


def test_sweep_results_bands_stay_in_bounds_and_axes_are_in_words():
    t = {"ranker": np.array(["engagement"] * 4, dtype=object), "status": np.array(["ok"] * 4, dtype=object),
         "out_of_network_share": np.array([0.0, 0.0, 0.5, 0.5]),
         "impression_share.quiet": np.array([0.01, 0.6, 0.02, 0.95])}
    ax = plot_sweep_results(t, "impression_share.quiet", "out_of_network_share")
    band = ax.collections[0].get_paths()[0].vertices[:, 1]
    assert band.min() >= 0 and band.max() <= 1
    assert ax.get_ylabel() == "quiet members' share of impressions"
    assert ax.get_xlabel() == "share of each feed from outside the viewer's network"
    assert _hex(ax.lines[0].get_color()) == RANKER_COLORS["engagement"].upper()
    plt.close("all")


def test_daily_axis_labels_are_words(runs):
    ax = plot_metric_over_time(runs["engagement"], "impressions_by_role", share=True)
    assert ax.get_ylabel() == "share of the day's impressions"
    assert ax.get_ylim() == (0.0, 1.0)
    ax = plot_metric_over_time(runs["engagement"], "creators_posting")
    assert ax.get_ylabel() == "creators who posted that day"
    assert metric_label("voice_ratio.quiet").startswith("quiet members' voice ratio")
    plt.close("all")


def test_follow_graph_sample_is_a_connected_neighbourhood(community):
    G = feedsim.networks.default_community(3000, mean_follows=8, seed=2, as_arrays=True)
    nodes = sample_neighbourhood(G, 100, seed=1)
    assert len(nodes) == 100
    src, dst = G.edges()
    keep = np.zeros(G.n_users, dtype=bool)
    keep[nodes] = True
    inside = keep[src] & keep[dst]
    H = nx.Graph(list(zip(src[inside].tolist(), np.asarray(dst)[inside].tolist())))
    assert set(H) == set(nodes.tolist()) and nx.is_connected(H)
    # a uniform sample of this sparse graph keeps far fewer follows
    uniform = feedsim.plots.network.sample_nodes(G.n_users, 100, seed=1)
    keep[:] = False
    keep[uniform] = True
    assert inside.sum() > 3 * (keep[src] & keep[dst]).sum()  # expected about 27 uniform, >= 99 connected
    centred = sample_neighbourhood(community, 30, seed=1, center=7)
    assert 7 in centred and len(centred) == 30
    ax = plot_follow_graph(community, max_nodes=50, center=7)
    assert 7 in ax.feedsim_nodes and "connected neighbourhood" in ax.get_title()
    plt.close("all")
