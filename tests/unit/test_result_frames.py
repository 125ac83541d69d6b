"""Results as pandas tables: ``daily_frame`` (tidy long) and ``to_frames``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import feedsim
from feedsim import ROLES


@pytest.fixture(scope="module")
def result(community):
    return feedsim.Simulation(community, ranker="engagement", seed=4).run(days=3)


def test_daily_frame_has_one_row_per_day_role_metric(result):
    df = result.daily_frame()
    assert list(df.columns) == ["day", "role", "metric", "value"]
    assert df["day"].dtype == np.int64 and df["value"].dtype == np.float64 and df["role"].dtype == object
    n_role_series = sum(k.endswith("_by_role") for k in result.daily)
    n_plain = len(result.daily) - n_role_series
    assert len(df) == 3 * (n_plain + n_role_series * len(ROLES))
    assert not df.duplicated(["day", "role", "metric"]).any()
    assert set(df["role"]) == set(ROLES) | {"all"}
    assert sorted(df["day"].unique().tolist()) == [0, 1, 2]


def test_daily_frame_values_equal_the_arrays(result):
    df = result.daily_frame().set_index(["metric", "role", "day"])["value"].sort_index()
    for key, arr in result.daily.items():
        if key.endswith("_by_role"):
            for r, name in enumerate(ROLES):
                np.testing.assert_array_equal(df.loc[(key[: -len("_by_role")], name)].to_numpy(), arr[:, r])
        else:
            np.testing.assert_array_equal(df.loc[(key, "all")].to_numpy(), arr)


def test_daily_frame_groupby_recovers_totals(result):
    df = result.daily_frame()
    per_role = df[(df.metric == "impressions") & (df.role != "all")].groupby("day")["value"].sum()
    total = df[(df.metric == "impressions") & (df.role == "all")].set_index("day")["value"]
    pd.testing.assert_series_equal(per_role, total, check_names=False)
    assert per_role.sum() > 0  # a real run, not an empty table


def test_to_frames_shapes_and_values(result):
    frames = result.to_frames()
    assert sorted(frames) == ["authors", "daily", "posts"]
    posts, authors = frames["posts"], frames["authors"]
    assert posts.shape == (len(result.posts), len(list(result.posts)))
    assert authors.shape == (len(result.authors), len(list(result.authors)))
    assert list(posts.columns) == list(result.posts) and posts.index.name == "post"
    for k in result.posts:
        if k != "role":
            np.testing.assert_array_equal(posts[k].to_numpy(), result.posts[k])
    np.testing.assert_array_equal(posts["role"].to_numpy(), np.array(ROLES, dtype=object)[result.posts.role])
    np.testing.assert_array_equal(authors["impressions"].to_numpy(), result.authors.impressions)
    by_role = posts.groupby("role")["impressions"].sum()
    table = result.role_table()
    for r in result.roles_present():
        assert by_role.get(ROLES[r], 0) == table["impressions"][r]
    pd.testing.assert_frame_equal(frames["daily"], result.daily_frame())


def test_to_frames_with_impression_log_and_folded_posts(community, monkeypatch):
    from feedsim.engine.platform import Platform

    monkeypatch.setattr(Platform, "FOLD_MIN", 1)  # fold expired rows at every midnight
    res = feedsim.Simulation(community, seed=5, record_impressions=True).run(days=1)
    frames = res.to_frames()
    assert len(frames["impressions"]) == len(res.impressions) == int(res.posts.impressions.sum())
    assert len(frames["sessions"]) == len(res.sessions)
    folded = feedsim.Simulation(community, seed=5, keep_posts=False, max_age_hours=6).run(days=2)
    assert folded.post_id_offset > 0
    posts = folded.to_frames()["posts"]
    assert posts.index[0] == folded.post_id_offset and len(posts) == len(folded.posts)
