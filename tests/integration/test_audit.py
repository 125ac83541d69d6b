"""The feed audit: what an audited viewer's ranker saw, and that it matches what was shown."""

from __future__ import annotations

import numpy as np
import pytest

import feedsim
from feedsim.engine.audit import AUDIT_COLUMNS, FeedAudit, score_parts

DAYS = 2


def _audited(community) -> list[int]:
    """Three quiet members and two regulars (positions in node order)."""
    roles = np.array([community.nodes[v]["role"] for v in community])
    return [*np.flatnonzero(roles == "quiet")[:3].tolist(), *np.flatnonzero(roles == "regular")[:2].tolist()]


def _run(community, ranker, audit=None, fused=True, **kw):
    sim = feedsim.Simulation(community, ranker=ranker, seed=5, out_of_network_share=0.2, record_impressions=True,
                             audit=audit, **kw)
    sim.platform.fused = fused
    return sim.run(days=DAYS)


@pytest.fixture(scope="module")
def runs(community):
    ids = _audited(community)
    out = {}
    for ranker in ("chronological", "engagement", "fair_exposure"):
        out[ranker] = (_run(community, ranker, ids), _run(community, ranker))
    return ids, out


def _shown_vs_log(res, ids):
    a = res.audit[res.audit.shown]
    log = res.impressions.to_pandas()
    log = log[log.viewer.isin(ids)]
    key = ["time", "viewer", "post", "session", "slot"]
    got = a[key].sort_values(key).to_numpy()
    want = log[key].sort_values(key).to_numpy()
    return got, want


@pytest.mark.parametrize("ranker", ["chronological", "engagement", "fair_exposure"])
def test_shown_slots_equal_the_impressions_the_viewers_got(runs, ranker):
    ids, out = runs
    res, _ = out[ranker]
    got, want = _shown_vs_log(res, ids)
    assert len(want) > 50  # the audited viewers did see things
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("ranker", ["chronological", "engagement", "fair_exposure"])
def test_audit_does_not_change_the_run(runs, ranker):
    _, out = runs
    with_audit, without = out[ranker]
    assert with_audit.summary() == without.summary()
    np.testing.assert_array_equal(with_audit.impressions.post, without.impressions.post)
    assert len(without.audit) == 0 and list(without.audit.columns) == list(AUDIT_COLUMNS)


def test_columns_and_meaning(runs, community):
    ids, out = runs
    res, _ = out["engagement"]
    a = res.audit
    assert list(a.columns)[:len(AUDIT_COLUMNS)] == list(AUDIT_COLUMNS)
    assert {"p_like", "p_reshare", "p_reply", "decay"} <= set(a.columns)
    assert set(a.viewer) <= set(ids)
    roles = np.array([community.nodes[v]["role"] for v in community])
    assert (a.author_role.to_numpy() == roles[a.author.to_numpy()]).all()
    assert set(a.arrived) <= {"followee", "reshare", "out_of_network"}
    assert {"followee", "out_of_network"} <= set(a.arrived)
    assert ((a.reshared_by >= 0) == (a.arrived == "reshare")).all()
    posts = res.posts
    np.testing.assert_allclose(a.age_hours, a.time - posts.created[a.post.to_numpy()])
    assert (a.author.to_numpy() == posts.author[a.post.to_numpy()]).all()
    assert (a.author != a.viewer).all()  # own posts never come back
    # one row per (viewer, tick, post); slots within each session's feed are 0..n-1
    assert not a.duplicated(["time", "viewer", "post"]).any()
    shown = a[a.shown]
    assert ((shown.slot >= 0) & (shown.session >= 0)).all() and (a[~a.shown].slot == -1).all()
    for _, g in shown.groupby(["time", "viewer", "session"]):
        assert sorted(g.slot) == list(range(len(g)))
    # the engagement score is rebuilt from its parts (no clipping at these counts)
    w = feedsim.rankers.TWITTER_2023_WEIGHTS
    rebuilt = (w["like"] * a.p_like + w["reshare"] * a.p_reshare + w["reply"] * a.p_reply) * a.decay
    np.testing.assert_allclose(a.score, rebuilt, rtol=1e-12)
    # rank 0 is the best score of the viewer's tick
    best = a[a["rank"] == 0].set_index(["time", "viewer"]).score
    np.testing.assert_array_equal(best.to_numpy(), a.groupby(["time", "viewer"]).score.max()[best.index].to_numpy())


def test_chronological_score_is_minus_item_age(runs):
    _, out = runs
    a = out["chronological"][0].audit
    np.testing.assert_allclose(a.score, -a.item_age_hours)
    shown = a[a.shown & (a.arrived != "out_of_network")]
    # in-network items fill the feed newest first
    for _, g in shown.groupby(["time", "viewer"]):
        order = g.sort_values(["session", "slot"])
        assert np.all(np.diff(order.score.to_numpy()) <= 0)


def test_fair_exposure_caps_show_as_never_shown(runs):
    _, out = runs
    a = out["fair_exposure"][0].audit
    assert "exposure_boost" in a.columns
    capped = a[np.isneginf(a.score)]
    assert not capped.shown.any()
    # at most two items per author in a viewer's tick
    assert a[a.shown].groupby(["time", "viewer", "author"]).size().max() <= 2


def test_array_form_path_gives_the_same_audit(community, runs):
    ids, out = runs
    fused = out["engagement"][0].audit
    res = _run(community, "engagement", ids, fused=False)
    got, want = _shown_vs_log(res, ids)
    np.testing.assert_array_equal(got, want)
    cols = ["time", "viewer", "post", "shown", "session", "slot", "rank"]
    np.testing.assert_array_equal(res.audit[cols].to_numpy(), fused[cols].to_numpy())
    np.testing.assert_allclose(res.audit.score, fused.score, rtol=1e-12)


def test_custom_ranker_is_called_once_per_tick(community):
    ids = _audited(community)
    calls = {True: 0, False: 0}
    audited = [True]

    def newest_with_noise(c, rng):
        calls[audited[0]] += 1
        return -np.asarray(c.item_age_hours) + rng.random(len(c))

    res = _run(community, newest_with_noise, ids)
    audited[0] = False
    plain = _run(community, newest_with_noise)
    assert calls[True] == calls[False] > 0  # the audit slices the tick's scores
    assert res.summary() == plain.summary()
    got, want = _shown_vs_log(res, ids)
    np.testing.assert_array_equal(got, want)
    assert "p_like" not in res.audit.columns


def test_bad_audit_accounts():
    with pytest.raises(feedsim.errors.InvalidParameterError, match=r"audit must be account indices in \[0, 10\); got 10"):
        FeedAudit([1, 10], n_users=10)
    with pytest.raises(feedsim.errors.InvalidParameterError, match="audit"):
        FeedAudit(["a"], n_users=10)


def test_score_parts_without_parts():
    assert score_parts(feedsim.rankers.chronological, None) == {}
