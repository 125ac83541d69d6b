"""The explorer's model part, feedsim.lesson.explore_state, tested directly."""

from __future__ import annotations

import json
import math
import time

import matplotlib
import numpy as np
import pytest

import feedsim
from feedsim.lesson import ExploreParams, RunCache, draw_feed_view, explore_state

matplotlib.use("Agg")

SMALL = dict(n_users=300, days=2, replicates=2, seed=3)


@pytest.fixture(scope="module")
def cache():
    return RunCache()


@pytest.fixture(scope="module")
def engagement(cache):
    return explore_state(ExploreParams(ranker="engagement", **SMALL), cache=cache)


@pytest.mark.parametrize("field, value, words", [
    ("ranker", "newest", "ranker must be one of"),
    ("n_users", 50, "n_users must be an integer >= 100 and <= 20000; got 50"),
    ("days", 0, "days must be a finite number > 0 and <= 60; got 0"),
    ("replicates", 1, "replicates must be an integer >= 2 and <= 10; got 1"),
    ("out_of_network_share", 1.5, "out_of_network_share must be a finite number >= 0 and <= 1; got 1.5"),
    ("reciprocity", "yes", "reciprocity must be True or False; got 'yes'"),
    ("seed", -1, "seed must be an integer >= 0; got -1"),
])
def test_bad_control_raises_one_line_naming_it(field, value, words):
    with pytest.raises(feedsim.InvalidParameterError, match="^" + words.replace("(", r"\(")) as err:
        ExploreParams(**{field: value})
    assert "\n" not in str(err.value)


def test_runs_are_the_documented_seeds(engagement):
    # replicate r: community from replicate_seeds(seed, r).graph, runs from replicate_seeds(seed, r).run
    for r in range(SMALL["replicates"]):
        seeds = feedsim.replicate_seeds(3, r)
        G = feedsim.networks.default_community(300, seed=seeds.graph, as_arrays=True)
        direct = feedsim.Simulation(G, ranker="engagement", seed=seeds.run)
        s = direct.run(days=2).summary()
        assert engagement.voice["engagement"]["values"][r] == s["voice_ratio"]["quiet"]


def test_interval_brackets_the_mean_and_stays_positive(engagement):
    for name in engagement.rankers:
        v = engagement.voice[name]
        assert v["estimate"] == pytest.approx(np.mean(v["values"]))
        geometric = math.exp(np.mean(np.log(v["values"])))  # the t-interval is on the log scale
        assert 0 < v["ci_low"] < geometric < v["ci_high"]


def test_difference_is_paired_by_seed(engagement):
    d = engagement.difference
    want = np.subtract(engagement.voice["engagement"]["values"], engagement.voice["chronological"]["values"])
    np.testing.assert_allclose(d["values"], want)
    assert d["estimate"] == pytest.approx(want.mean())
    assert d["ci_low"] <= d["estimate"] <= d["ci_high"]


def test_the_cache_reuses_the_baseline_and_changes_nothing(cache, engagement):
    before = cache.misses
    fair = explore_state(ExploreParams(ranker="fair_exposure", **SMALL), cache=cache)
    assert cache.misses - before == SMALL["replicates"]  # only the new ranker was run
    fresh = explore_state(ExploreParams(ranker="fair_exposure", **SMALL))
    assert fresh.voice == fair.voice and fresh.roles == fair.roles
    assert fair.voice["chronological"] == engagement.voice["chronological"]


@pytest.fixture(scope="module")
def workers():
    pool = RunCache(workers=2)
    yield pool
    pool.close()
    assert pool._pool is None


@pytest.mark.slow  # spawns worker processes that compile the kernels: the slow tier (pytest -m slow)
def test_worker_processes_compute_the_same_runs(workers, cache, engagement):
    from feedsim.lesson.state import prefetch_rankers

    pool = workers
    p = ExploreParams(ranker="engagement", **SMALL)
    st = explore_state(p, cache=pool)
    assert pool._pool is not None and pool.misses == 2 * SMALL["replicates"]
    assert st.voice == engagement.voice and st.roles == engagement.roles
    for name in st.rankers:
        for a, b in zip(st.results[name], engagement.results[name]):
            np.testing.assert_array_equal(a.authors.impressions, b.authors.impressions)
    assert st.results["engagement"][0].audit.equals(engagement.results["engagement"][0].audit)
    assert st.figure_png() == engagement.figure_png()
    # the other rankers computed ahead: a ranker change then computes nothing new
    others = len(feedsim.rankers.RANKERS) - 2
    assert prefetch_rankers(p, pool) == others * SMALL["replicates"]
    assert prefetch_rankers(p, pool) == 0  # already under way
    peak = 0
    while pool.computing_ahead:  # a student reading the page
        peak = max(peak, len(pool._pending))
        time.sleep(0.005)
    assert 0 < peak <= pool.workers  # handed to the workers one per worker at a time
    fair = explore_state(p.replace(ranker="fair_exposure"), cache=pool)
    assert pool.misses == 2 * SMALL["replicates"]
    assert fair.voice == explore_state(p.replace(ranker="fair_exposure"), cache=cache).voice
    # another control asked for while others are computed ahead: those are dropped, the answer is right
    assert prefetch_rankers(p.replace(seed=9), pool) > 0
    loop = explore_state(p.replace(reciprocity=False), cache=pool)
    assert loop.voice == explore_state(p.replace(reciprocity=False)).voice
    assert not pool._queue and len(pool._pending) <= pool.workers  # the rest was dropped
    # and the loop switches: the next loop change computes nothing new either
    from feedsim.lesson.state import prefetch_next

    assert prefetch_next(loop.params, pool) > 0
    while pool.computing_ahead:
        time.sleep(0.05)
    misses = pool.misses
    back = explore_state(loop.params.replace(rich_get_richer=False), cache=pool)
    assert pool.misses == misses
    assert back.voice == explore_state(loop.params.replace(rich_get_richer=False)).voice


@pytest.mark.slow  # spawns worker processes and kills one: the slow tier (pytest -m slow)
def test_a_worker_that_dies_costs_time_not_the_answer(workers):
    import os
    import signal

    pool = workers
    p = ExploreParams(ranker="engagement", **{**SMALL, "seed": 4})
    pool.start_workers()
    os.kill(next(iter(pool._pool._processes)), signal.SIGKILL)  # one of the workers this module started
    st = explore_state(p, cache=pool)
    assert pool._pool is None  # the broken pool was noticed and dropped; the runs were made here
    assert st.voice == explore_state(p).voice
    # the next state gets a fresh pool
    explore_state(p.replace(ranker="fair_exposure"), cache=pool)
    assert pool._pool is not None


def test_the_cache_is_bounded_by_accounts_times_days():
    small = RunCache(max_account_days=2 * 200 * 1 + 100)  # room for two runs of 200 accounts x 1 day
    p = ExploreParams(n_users=200, days=1, replicates=2, seed=5)
    for r in (0, 1, 2):
        small.run(p, "chronological", r)
    assert len(small) == 2 and small.misses == 3
    small.run(p, "chronological", 2)  # the newest is kept
    small.run(p, "chronological", 0)  # the oldest went first
    assert small.misses == 4 and small.hits == 1


def test_changing_the_ranker_changes_the_numbers(cache, engagement):
    fair = explore_state(ExploreParams(ranker="fair_exposure", **SMALL), cache=cache)
    # fair exposure boosts under-exposed authors: quiet members' voice ratio is higher in every replicate
    assert all(f > e for f, e in zip(fair.voice["fair_exposure"]["values"], engagement.voice["engagement"]["values"]))
    assert fair.headline != engagement.headline


def test_controls_reach_the_simulation(cache):
    st = explore_state(ExploreParams(ranker="engagement", reciprocity=False, out_of_network_share=0.2, **SMALL),
                       cache=cache)
    cfg = st.results["engagement"][0].config
    assert cfg.reciprocity is False and cfg.rich_get_richer is True and cfg.out_of_network_share == 0.2
    assert st.results["chronological"][1].config.reciprocity is False


def test_chronological_alone_has_one_feed_and_no_difference(cache):
    st = explore_state(ExploreParams(ranker="chronological", **SMALL), cache=cache)
    assert st.rankers == ("chronological",)
    assert math.isnan(st.difference["estimate"])
    assert st.headline.endswith("communities).")


def test_role_table_and_json(engagement):
    rows = engagement.table_rows()
    assert [(r["feed"], r["role"]) for r in rows][:2] == [("chronological", "influencer"),
                                                          ("chronological", "regular")]
    shares = [r["post_share"] for r in rows if r["feed"] == "engagement"]
    assert sum(shares) == pytest.approx(1.0)
    assert all(r["amplification"] == 0 for r in rows if r["feed"] == "chronological" and
               math.isfinite(r["amplification"]))
    text = json.dumps(engagement.to_dict(), allow_nan=False)
    assert "interval_method" in text and "replicates over seeds" in engagement.interval_method


def test_headline_is_computed_from_the_numbers(engagement):
    v = engagement.voice["engagement"]["estimate"]
    assert f"{v:.2f}" in engagement.headline
    assert f"{engagement.difference['estimate']:+.2f}" in engagement.headline


def test_feed_viewer_follows_a_quiet_member(engagement, cache):
    G = cache.graph(300, 3, 0)
    src, dst = G.edges()
    followed = dst[src == engagement.feed_viewer]
    assert np.any(G.roles()[followed] == "quiet")


def test_figure_has_bars_interval_and_feed_placeholder(engagement):
    fig = engagement.figure()
    bars, voice, feed = fig.axes
    assert len(voice.patches) == 2 and len(bars.patches) == 3 * 4
    if not hasattr(feedsim.plots, "plot_feed"):
        assert [t.get_text() for t in feed.texts] == ["feed view: needs plot_feed"]
    assert engagement.figure_png()[:8] == b"\x89PNG\r\n\x1a\n"


def test_figure_takes_its_colours_from_the_library_palette(engagement):
    from matplotlib.colors import same_color, to_rgb

    from feedsim.plots.palette import ranker_color, role_color

    bars, voice, _ = engagement.figure().axes
    roles = ["influencer", "regular", "quiet", "brand"]
    for name in ("chronological", "engagement"):
        views = [p for p in bars.patches if p.get_gid() == f"views-{name}"]
        assert len(views) == 4
        assert all(same_color(p.get_edgecolor(), ranker_color(name)) for p in views)
        assert [to_rgb(p.get_facecolor()) for p in views] == [to_rgb(role_color(r)) for r in roles]
    # the baseline's bars are the role colours faded, the ranker's at full strength
    alpha = {p.get_gid(): p.get_facecolor()[3] for p in bars.patches}
    assert alpha["views-chronological"] < alpha["views-engagement"] == 1.0
    assert [t.get_color() for t in bars.get_xticklabels()] == [role_color(r) for r in roles]
    legend = bars.get_legend()
    assert [t.get_text() for t in legend.get_texts()][1:] == ["share of views, chronological",
                                                              "share of views, engagement"]
    assert [same_color(h.get_edgecolor(), ranker_color(n))
            for h, n in zip(legend.legend_handles[1:], ("chronological", "engagement"))] == [True, True]
    assert [same_color(p.get_facecolor(), ranker_color(n))
            for p, n in zip(voice.patches, ("chronological", "engagement"))] == [True, True]
    assert [t.get_color() for t in voice.get_xticklabels()] == [ranker_color("chronological"),
                                                               ranker_color("engagement")]


def test_role_table_shows_the_palette(engagement):
    from feedsim.lesson import role_table_html
    from feedsim.plots.palette import ranker_color, role_color

    page = role_table_html(engagement)
    for name in ("chronological", "engagement"):
        assert page.count(f"background:{ranker_color(name)}'></span>{name}</td>") == 4
    assert page.count(f"color:{role_color('quiet')};") == 2 and "lurker" not in page


def test_feed_hook_calls_plot_feed_when_present(engagement, monkeypatch):
    import matplotlib.pyplot as plt

    calls = []

    def fake_plot_feed(result, viewer, hour, ax=None, **kw):
        calls.append((result, viewer, hour, kw))
        return ax

    monkeypatch.setattr(feedsim.plots, "plot_feed", fake_plot_feed, raising=False)
    res = engagement.results["engagement"][0]
    monkeypatch.setattr(res, "audit", object(), raising=False)
    fig, ax = plt.subplots()
    assert draw_feed_view(ax, engagement) is ax
    plt.close(fig)
    assert calls == [(res, engagement.feed_viewer, 36.0, {"max_shown": 8, "unshown": 3})]


def test_explorer_figure_follows_the_figure_rules():
    """Palette, words on axes, bounded intervals, legend off the data: the shared checker finds nothing."""
    from feedsim.lesson.state import ExploreParams, _draw, explore_state
    from figure_rules import figure_problems

    assert figure_problems(_draw(explore_state(ExploreParams(n_users=300, days=3)))) == []
