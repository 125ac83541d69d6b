"""plot_feed draws what the audit says, and the palettes are shared by the figures."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import feedsim  # noqa: E402
from feedsim.plots import feed_at, plot_feed  # noqa: E402

VIEWER = 5


@pytest.fixture(scope="module")
def pair(community):
    return {r: feedsim.Simulation(community, ranker=r, seed=2, audit=[VIEWER, 7], out_of_network_share=0.1)
            .run(days=2) for r in ("engagement", "chronological")}


def _texts(ax, gid):
    return [t.get_text() for t in ax.texts if t.get_gid() == gid]


def _expected(res, f):
    out = []
    for row in f.itertuples():
        out.append(f"@{res.authors.node_id[row.author]}  {row.author_role}")
    return out


def test_feed_texts_are_the_audit(pair):
    res = pair["engagement"]
    ax = plot_feed(res, VIEWER, 30, unshown=4)
    f = feed_at(res, VIEWER, 30)
    shown = f[f.shown]
    assert len(shown) > 3
    assert _texts(ax, "feed-item") == _expected(res, shown)  # in feed order
    rest = f[~f.shown].iloc[:4]
    assert _texts(ax, "feed-item-unshown") == _expected(res, rest)
    details = _texts(ax, "feed-detail")
    first = shown.iloc[0]
    assert details[0] == f"{first.age_hours:.0f} h old · " + {
        "followee": "followed", "out_of_network": "out of network"}.get(
        first.arrived, f"reshared by @{first.reshared_by}") + f" · score {first.score:.3g}"
    # the shown items are the best by score within the network side, in order
    assert list(shown.sort_values(["session", "slot"]).post) == list(shown.post)
    assert f.time.nunique() == 1 and abs(f.time.iloc[0] - 30) <= min(abs(res.audit[res.audit.viewer == VIEWER].time - 30))
    plt.close(ax.figure)


def test_side_by_side_same_session(pair):
    ax = plot_feed(pair["engagement"], VIEWER, 30, other=pair["chronological"], max_shown=6, unshown=2)
    a, b = ax.feedsim_feeds
    assert a.time.iloc[0] == b.time.iloc[0]  # same seed: the same session times
    assert _texts(ax, "feed-ranker") == ["engagement", "chronological"]
    items = _texts(ax, "feed-item")
    assert items == _expected(pair["engagement"], a[a.shown].iloc[:6]) + _expected(pair["chronological"],
                                                                                   b[b.shown].iloc[:6])
    plt.close(ax.figure)


def test_role_colours_on_cards(pair):
    res = pair["engagement"]
    ax = plot_feed(res, VIEWER, 30)
    f = feed_at(res, VIEWER, 30)
    shown = f[f.shown]
    colours = [t.get_color() for t in ax.texts if t.get_gid() == "feed-item"]
    assert colours == [feedsim.plots.ROLE_COLORS[r] for r in shown.author_role]
    plt.close(ax.figure)


def test_unaudited_viewer_is_an_error(pair):
    with pytest.raises(feedsim.errors.InvalidParameterError, match=r"viewer must be an audited account; got 9 \(audited: \[5, 7\]"):
        feed_at(pair["engagement"], 9, 30)
    plain = feedsim.Simulation(feedsim.networks.default_community(100, seed=0), seed=0).run(days=1)
    with pytest.raises(feedsim.errors.InvalidParameterError, match="audited: none"):
        plot_feed(plain, 0, 5)
