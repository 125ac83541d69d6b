"""``sim.posts``: the public view of the post table for user processes."""

from __future__ import annotations

import numpy as np
import pytest

import feedsim
from feedsim.errors import InvalidParameterError


@pytest.fixture(scope="module")
def graph():
    return feedsim.networks.default_community(300, seed=3)


def test_columns_match_the_result(graph):
    sim = feedsim.Simulation(graph, ranker="engagement", seed=1)
    res = sim.run(days=2)
    P = sim.posts
    assert len(P) == len(res.posts) and P.first_id == 0 and P.total == len(P)
    np.testing.assert_array_equal(P.ids, np.arange(len(P)))
    for col in ("author", "created", "appeal", "likes", "engagements", "sponsored"):
        np.testing.assert_array_equal(getattr(P, col), np.asarray(getattr(res.posts, col)))
    live = P.live_ids()
    assert len(live) and (P.created[live] >= sim.now - sim.config.max_age_hours).all()
    frame = P.to_frame()
    assert list(frame.index) == list(P.ids) and frame.index.name == "post"


def test_ids_after_folding(graph, monkeypatch):
    from feedsim.engine.platform import Platform

    monkeypatch.setattr(Platform, "FOLD_MIN", 1)  # fold at every day's close, however few rows
    sim = feedsim.Simulation(graph, ranker="engagement", seed=1, keep_posts=False, max_age_hours=12)
    res = sim.run(days=3)
    P = sim.posts
    assert P.first_id > 0 and P.total == P.first_id + len(P)
    assert P.first_id == res.post_id_offset  # the same numbering as the result's
    np.testing.assert_array_equal(P.author, np.asarray(res.posts.author))
    with pytest.raises(InvalidParameterError, match=rf"ids must be kept post ids \(whole numbers in \[{P.first_id}, "):
        P.set("appeal", [P.first_id - 1], 1.0)


def test_columns_are_read_only_copies(graph):
    sim = feedsim.Simulation(graph, seed=1)
    sim.run(days=1)
    P = sim.posts
    a = P.appeal
    with pytest.raises(ValueError):
        a[0] = 5.0
    with pytest.raises(AttributeError, match=r"posts.set\(name, ids, values\)"):
        P.appeal = a
    with pytest.raises(AttributeError, match="Posts has no column 'colour'"):
        P.colour  # noqa: B018
    assert sim.accounts.engaged.flags.writeable is False


@pytest.mark.parametrize("args,match", [
    (("likes", [0], 1.0), "name must be one of appeal; got 'likes'"),
    (("appeal", [10**9], 1.0), r"ids must be kept post ids"),
    (("appeal", [0.5], 1.0), r"ids must be kept post ids"),
    (("appeal", [0, 1], [1.0, -2.0]), r"posts.appeal must be a finite number >= 0.0; got -2.0 \(post 1\)"),
    (("appeal", [0], np.nan), r"posts.appeal must be a finite number"),
])
def test_bad_sets_write_nothing(graph, args, match):
    sim = feedsim.Simulation(graph, seed=1)
    sim.run(days=1)
    before = sim.posts.appeal
    with pytest.raises(InvalidParameterError, match=match):
        sim.posts.set(*args)
    np.testing.assert_array_equal(sim.posts.appeal, before)


def _engagements_after_day_one(graph, zero: bool):
    sim = feedsim.Simulation(graph, ranker="chronological", seed=2)
    seen = {}

    def silence(sim):
        yield sim.env.timeout(24.0)
        P = sim.posts
        seen["ids"], seen["at"] = P.live_ids(), P.engagements[P.live_ids()]
        if zero:
            P.set("appeal", seen["ids"], 0.0)

    sim.process(silence)
    sim.run(days=2)
    return sim.posts.engagements[seen["ids"]] - seen["at"]


def test_appeal_set_acts_from_the_next_tick(graph):
    # posts whose appeal is set to 0 at hour 24 get no engagement after it; left alone they do
    assert _engagements_after_day_one(graph, zero=False).sum() > 0
    assert _engagements_after_day_one(graph, zero=True).sum() == 0


def test_engaged_counts_what_accounts_gave(graph):
    sim = feedsim.Simulation(graph, ranker="engagement", seed=4)
    sim.run(days=2)
    assert sim.accounts.engaged.sum() == sim.posts.engagements.sum()


def test_daily_is_what_the_result_records_day_by_day(graph):
    # a user process reads sim.daily at each midnight: it sees exactly the closed days
    seen = []

    def proc(sim):
        while True:
            daily = sim.daily
            seen.append((sim.now, daily["posts"].copy(), daily["posts_by_role"].shape))
            daily["posts"][:] = -1  # a copy: writing to it changes nothing
            yield sim.env.timeout(24.0)

    sim = feedsim.Simulation(graph, ranker="engagement", seed=2)
    sim.process(proc)
    res = sim.run(days=3)
    assert [len(p) for _, p, _ in seen] == [0, 1, 2]
    for _, posts, shape in seen:
        np.testing.assert_array_equal(posts, res.daily["posts"][: len(posts)])
        assert shape == (len(posts), len(feedsim.ROLES))
    assert (res.daily["posts"] > 0).all()
    for key, arr in sim.daily.items():
        np.testing.assert_array_equal(arr, res.daily[key])
