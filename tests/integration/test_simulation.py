"""Whole runs: continuation, interventions, custom rankers, feedback loops, RNG hygiene, compare."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

import feedsim
from feedsim import InvalidParameterError, RankerOutputError, Simulation
from feedsim.network.graph import ROLES


# ------------------------------------------------------------------ helpers
def assert_results_identical(a, b):
    for name in ("posts", "authors", "impressions", "sessions"):
        ta, tb = getattr(a, name), getattr(b, name)
        if ta is None or tb is None:
            assert ta is tb, name
            continue
        assert list(ta) == list(tb), name
        for col in ta:
            x, y = ta[col], tb[col]
            assert x.dtype == y.dtype, (name, col)
            if x.dtype == object:
                assert x.tolist() == y.tolist(), (name, col)
            else:
                assert x.tobytes() == y.tobytes(), (name, col)
    assert a.daily.keys() == b.daily.keys()
    for key in a.daily:
        np.testing.assert_array_equal(a.daily[key], b.daily[key], err_msg=key)
    strip = lambda s: {k: v for k, v in s.items() if k not in ("wall_seconds", "phase_seconds")}  # noqa: E731
    assert strip(a.stats) == strip(b.stats)
    assert json.dumps(a.summary(), sort_keys=True) == json.dumps(b.summary(), sort_keys=True)


def feeds(res):
    """Per feed (viewer, time): (times, newest_first flags, item counts), original posts only."""
    imp = res.impressions
    key = (imp.viewer.astype(np.int64) << 20) | np.rint(imp.time).astype(np.int64)
    o = np.lexsort((imp.slot, imp.session, key))  # a tick's sessions in order, then their slots
    k, created, time = key[o], res.posts.created[imp.post[o]], imp.time[o]
    start = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    ok_pair = np.r_[created[1:] < created[:-1], True]
    ok_pair[np.r_[start[1:] - 1, len(k) - 1]] = True  # ignore pairs that straddle feeds
    newest_first = np.logical_and.reduceat(ok_pair, start)
    sizes = np.diff(np.r_[start, len(k)])
    return time[start], newest_first, sizes


def static_no_reshare(G, ranker="chronological", **kw):
    """A run whose feeds hold only original posts of followees (so chronology is checkable)."""
    params = dict(seed=5, dynamics=False, reshare_rate=0.0, record_impressions=True)
    params.update(kw)
    return Simulation(G, ranker=ranker, **params)


# ---------------------------------------------------------- run + continue
def test_run_twice_equals_one_longer_run(community):
    kw = dict(ranker="engagement", seed=11, out_of_network_share=0.2, record_impressions=True)
    split = Simulation(community, **kw)
    first = split.run(days=1)
    first_impressions = first.posts.impressions.copy()
    second = split.run(days=1)
    whole = Simulation(community, **kw).run(days=2)
    assert (first.days, second.days, whole.days) == (1.0, 2.0, 2.0)
    assert_results_identical(second, whole)
    # the first snapshot is a copy: continuing the run did not change it
    np.testing.assert_array_equal(first.posts.impressions, first_impressions)
    assert len(first.posts) < len(second.posts)


def test_run_is_reproducible_from_the_recorded_seed(community):
    res = Simulation(community, ranker="popularity", seed=123).run(days=1)
    again = Simulation(community, ranker="popularity", seed=res.seed.seed_sequence()).run(days=1)
    assert_results_identical(res, again)


def test_daily_series_has_one_row_per_completed_day(community):
    res = Simulation(community, seed=2).run(days=2)
    assert all(len(v) == 2 for v in res.daily.values())
    assert res.daily["posts"].sum() == len(res.posts)
    assert res.daily["impressions"].sum() == res.posts.impressions.sum()
    assert res.daily["posts_by_role"].shape == (2, len(ROLES))
    np.testing.assert_array_equal(res.daily["posts_by_role"].sum(axis=1), res.daily["posts"])


def test_continued_runs_report_every_day_once(community):
    sim = Simulation(community, seed=2)
    assert len(sim.run(days=1).daily["posts"]) == 1
    assert len(sim.run(days=1).daily["posts"]) == 2


# ----------------------------------------------------------- switch_ranker
def test_switch_ranker_takes_effect_at_its_time(community):
    sim = static_no_reshare(community)
    sim.switch_ranker("engagement", at_day=1)
    res = sim.run(days=2)
    assert res.interventions == [{"hours": 24.0, "action": "switch ranker to engagement"}]
    assert res.ranker == "chronological"  # the ranker the run started with
    assert sim.platform.ranker_label == "engagement"
    time, newest_first, size = feeds(res)
    multi = size >= 2
    before, after = multi & (time <= 24.0), multi & (time > 24.0)
    assert before.sum() > 50 and after.sum() > 50
    assert newest_first[before].all()
    assert not newest_first[after].all()
    # a tick ending after the switch already uses the engagement ranker
    assert time[multi & ~newest_first].min() <= 26.0


def test_switch_ranker_validates_now(community):
    sim = Simulation(community, seed=0)
    with pytest.raises(InvalidParameterError, match="ranker must be one of"):
        sim.switch_ranker("nope", at_day=1)
    with pytest.raises(InvalidParameterError, match="exactly one of at_day"):
        sim.switch_ranker("engagement", at_day=1, at_hours=24)
    with pytest.raises(InvalidParameterError, match="exactly one of at_day"):
        sim.switch_ranker("engagement")
    with pytest.raises(InvalidParameterError, match=r"at_day must be a finite number >= 0; got -1"):
        sim.switch_ranker("engagement", at_day=-1)
    sim.run(days=1)
    with pytest.raises(InvalidParameterError, match=r"at_hours must not be in the past \(now = 24 h\)"):
        sim.switch_ranker("engagement", at_hours=12)
    assert sim.run(days=1).interventions == []


@pytest.mark.parametrize("at_day", ["1", [1]])
def test_intervention_time_must_be_a_number(community, at_day):
    sim = Simulation(community, seed=0)
    with pytest.raises(InvalidParameterError, match=r"at_day must be a finite number >= 0"):
        sim.switch_ranker("engagement", at_day=at_day)


# ---------------------------------------------------------------- set_param
def test_set_param_changes_the_config_mid_run(community):
    sim = Simulation(community, seed=4, record_impressions=True)
    sim.set_param("out_of_network_share", 0.5, at_day=1)
    res = sim.run(days=2)
    imp = res.impressions
    assert imp.in_network[imp.time <= 24.0].all()
    assert (~imp.in_network[imp.time > 24.0]).sum() > 100
    assert res.interventions == [{"hours": 24.0, "action": "set out_of_network_share = 0.5",
                                  "param": "out_of_network_share", "value": 0.5}]
    assert sim.platform.cfg.out_of_network_share == 0.5
    assert sim.config.out_of_network_share == 0.0 == res.config.out_of_network_share  # start config kept


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("like_rate", 1.5, r"like_rate must be a finite number >= 0 and <= 1; got 1\.5"),
        ("out_of_network_share", -1, r"out_of_network_share must be .*got -1"),
        ("dynamics", "no", r"dynamics must be True or False; got 'no'"),
        ("like_prob", 0.1, r"unknown simulation parameter 'like_prob'"),
        ("tick_hours", 2.0, r"tick_hours cannot change during a run"),
        ("exclude_seen", False, r"exclude_seen cannot change during a run"),
        ("keep_posts", False, r"keep_posts cannot change during a run"),
        ("exclude_seen", "no", r"exclude_seen cannot change during a run"),
    ],
)
def test_set_param_rejects_bad_values_up_front(community, name, value, message):
    sim = Simulation(community, seed=0)
    with pytest.raises(InvalidParameterError, match=message):
        sim.set_param(name, value, at_day=1)
    res = sim.run(days=2)
    assert res.interventions == []
    assert sim.platform.cfg == sim.config


# ----------------------------------------------------------------- campaign
def test_campaign_posts_are_sponsored_only_inside_its_window(community):
    accounts = [3, 50, 120]
    sim = Simulation(community, seed=9)
    sim.campaign(accounts, posts_per_day=12, start_day=1, days=0.5)
    res = sim.run(days=2)
    P = res.posts
    sp = P.sponsored
    assert sp.sum() > 0
    assert ((P.created[sp] >= 24.0) & (P.created[sp] < 36.0)).all()
    assert set(P.author[sp].tolist()) <= set(accounts)
    assert (~sp).sum() > 0 and ((P.created[~sp] < 24.0) | (P.created[~sp] >= 36.0)).any()
    assert [i["hours"] for i in res.interventions] == [24.0, 36.0]
    assert res.interventions[0]["action"].startswith("campaign start")
    assert (sim.platform.accounts.sponsored_rate == 0).all()


def test_campaign_adds_posts_compared_with_no_campaign(community):
    base = Simulation(community, seed=9).run(days=2)
    sim = Simulation(community, seed=9)
    sim.campaign([3, 50, 120], posts_per_day=12, start_day=1, days=0.5)
    res = sim.run(days=2)
    assert len(res.posts) > len(base.posts)
    assert not base.posts.sponsored.any()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(accounts=[], posts_per_day=1, start_day=0, days=1), r"accounts must be indices in \[0, 300\)"),
        (dict(accounts=[300], posts_per_day=1, start_day=0, days=1), r"accounts must be indices in \[0, 300\)"),
        (dict(accounts=[-1], posts_per_day=1, start_day=0, days=1), r"accounts must be indices"),
        (dict(accounts=[1], posts_per_day=0, start_day=0, days=1), r"posts_per_day must be .*> 0.*got 0"),
        (dict(accounts=[1], posts_per_day=1, start_day=0, days=0), r"days must be .*> 0.*got 0"),
        (dict(accounts=[1], posts_per_day=1, start_day=-1, days=1), r"at_day must be .*got -1"),
    ],
)
def test_campaign_rejects_bad_arguments(community, kwargs, message):
    with pytest.raises(InvalidParameterError, match=message):
        Simulation(community, seed=0).campaign(**kwargs)


# ------------------------------------------------------------- add_accounts
def test_add_accounts_grows_the_population_and_follows_existing_accounts(community):
    n = community.number_of_nodes()
    sim = Simulation(community, seed=6, dynamics=False, record_impressions=True)
    sim.add_accounts(20, role="quiet", at_day=1, follows=5, post_rate=3.0)
    res = sim.run(days=2)
    A = res.authors
    assert len(A) == n + 20
    new = np.arange(n, n + 20)
    assert (A.role[new] == ROLES.index("quiet")).all()
    assert A.node_id[n] == f"added-{n}"
    assert ((A.following[new] >= 1) & (A.following[new] <= 5)).all()
    assert (A.followers[new] == 0).all() and (A.followers_start[new] == 0).all()
    # every follow of a new account points at an account that existed before
    keys = sim.platform.edges.keys
    src, dst = keys >> 32, keys & 0xFFFFFFFF
    assert ((dst[src >= n]) < n).all()
    assert (src >= n).sum() == A.following[new].sum()
    # the new accounts post (after they exist) and see feeds
    mine = np.isin(res.posts.author, new)
    assert mine.sum() > 0 and (res.posts.created[mine] >= 24.0).all()
    assert np.isin(res.impressions.viewer, new).any()
    assert (res.impressions.time[np.isin(res.impressions.viewer, new)] > 24.0).all()
    assert sim.population.post_rate[new].tolist() == [3.0] * 20
    assert res.interventions == [{"hours": 24.0, "action": "add 20 quiet accounts"}]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(n=0), r"n must be an integer >= 1; got 0"),
        (dict(n=5, role="troll"), r"role must be one of .*got 'troll'"),
        (dict(n=5, follows=-1), r"follows must be an integer >= 0; got -1"),
        (dict(n=5, karma=1.0), r"attribute must be one of .*got 'karma'"),
        (dict(n=5, attention=0), r"attention must be an integer >= 1 and <= 1000000; got 0"),
        (dict(n=5, post_rate=-2.0), r"post_rate must be .*got -2\.0"),
    ],
)
def test_add_accounts_rejects_bad_arguments(community, kwargs, message):
    sim = Simulation(community, seed=0)
    with pytest.raises(InvalidParameterError, match=message):
        sim.add_accounts(at_day=1, **kwargs)


def test_add_accounts_rejects_fractional_attention(community):
    sim = Simulation(community, seed=0)
    with pytest.raises(InvalidParameterError, match=r"attention must be an integer >= 1 .*got 2\.5"):
        sim.add_accounts(5, at_day=1, attention=2.5)


def test_campaign_rejects_fractional_account_indices(community):
    sim = Simulation(community, seed=0)
    with pytest.raises(InvalidParameterError, match=r"accounts must be indices"):
        sim.campaign([1.5], posts_per_day=1, start_day=1, days=1)


# ------------------------------------------------------------------ process
def test_user_process_runs_on_the_simpy_clock(community):
    sim = Simulation(community, seed=1)
    seen = []

    def every_six_hours(s):
        while True:
            yield s.env.timeout(6)
            seen.append(s.now)

    sim.process(every_six_hours)
    sim.run(days=1)
    assert seen == [6.0, 12.0, 18.0]
    sim.run(days=1)
    assert seen == [6.0, 12.0, 18.0, 24.0, 30.0, 36.0, 42.0]


def test_user_process_changes_behaviour_at_its_time(community):
    sim = Simulation(community, seed=1, record_impressions=True)

    def log_off_at_noon(s):
        yield s.env.timeout(12)
        s.accounts.session_rate[:] = 0.0

    sim.process(log_off_at_noon)
    res = sim.run(days=1)
    t = res.sessions.time
    assert len(t) > 0 and t.max() <= 12.0
    assert res.authors.sessions.sum() == res.sessions.sessions.sum()


def test_process_must_be_a_generator_function(community):
    with pytest.raises(InvalidParameterError, match="process must be a generator function"):
        Simulation(community, seed=0).process(lambda s: None)


# ---------------------------------------------------------- custom rankers
def test_custom_ranker_runs_and_is_named(community):
    calls = []

    def newest_from_friends(c, rng):
        calls.append((c.now, isinstance(rng, np.random.Generator)))
        return -c.item_age_hours + 10.0 * (c.affinity > 0)

    res = Simulation(community, ranker=newest_from_friends, seed=2).run(days=1)
    assert res.ranker == "newest_from_friends"
    assert res.summary()["n_impressions"] > 0
    assert all(is_gen for _, is_gen in calls)
    assert [t for t, _ in calls] == sorted(t for t, _ in calls)


def failing_ranker(kind, after_hours):
    def bad(c, rng):
        bad.calls.append(c.now)
        scores = -np.asarray(c.item_age_hours, dtype=float)
        if c.now <= after_hours:
            return scores
        if kind == "shape":
            return scores[:-1]
        if kind == "nan":
            return np.where(np.arange(len(c)) == len(c) // 2, np.nan, scores)
        if kind == "inf":  # +inf is refused (-inf means "never show" and is allowed)
            return np.full(len(c), np.inf)
        if kind == "dtype":
            return scores.astype(str)
        raise AssertionError(kind)

    bad.calls = []
    bad.__name__ = f"bad_{kind}"
    return bad


@pytest.mark.parametrize(
    "kind, message",
    [
        ("shape", r"must return one score per candidate"),
        ("nan", r"must return finite scores or -inf \(never show\); got .*nan"),
        ("inf", r"must return finite scores or -inf \(never show\); got .*inf"),
        ("dtype", r"must return real numbers; got dtype <U"),
    ],
)
def test_bad_ranker_output_mid_run_names_the_ranker_and_time(community, kind, message):
    ranker = failing_ranker(kind, after_hours=30)
    sim = Simulation(community, ranker=ranker, seed=3)
    with pytest.raises(RankerOutputError, match=message) as info:
        sim.run(days=2)
    when = ranker.calls[-1]
    assert 30 < when <= 32 and len(ranker.calls) >= 25
    assert f"ranker 'bad_{kind}' at t={when:g} h" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_bad_ranker_after_a_switch_is_named(community):
    ranker = failing_ranker("nan", after_hours=-1)
    sim = Simulation(community, seed=3)
    sim.switch_ranker(ranker, at_day=1)
    with pytest.raises(RankerOutputError, match=r"ranker 'bad_nan' at t=25 h"):
        sim.run(days=2)


@pytest.mark.parametrize("field", ["item_age_hours", "affinity", "post", "author", "viewer_ptr", "likes"])
def test_ranker_cannot_write_into_its_input(community, field):
    def vandal(c, rng):
        arr = getattr(c, field)
        arr[...] = 0
        return np.zeros(len(c))

    sim = Simulation(community, ranker=vandal, seed=0)
    with pytest.raises(ValueError, match="read-only"):
        sim.run(days=1)


def test_ranker_cannot_replace_candidate_arrays(community):
    def vandal(c, rng):
        c.item_age_hours = np.zeros(len(c))
        return np.zeros(len(c))

    with pytest.raises(RankerOutputError, match="vandal.*read-only") as info:
        Simulation(community, ranker=vandal, seed=0).run(days=1)
    chain, e = [], info.value
    while e is not None:  # SimPy may chain its own copy in between
        chain.append(type(e))
        e = e.__cause__
    assert AttributeError in chain


# --------------------------------------------------------- feedback loops
HARSH_BURNOUT = dict(burnout_days=1, burnout_threshold=100.0)  # every posting day counts as "low"


def test_dynamics_off_freezes_the_graph_and_creators(community):
    sim = Simulation(community, ranker="engagement", seed=8, dynamics=False, out_of_network_share=0.3,
                     **HARSH_BURNOUT)
    start_affinity = sim.platform.edges.affinity.copy()
    start_following = sim.platform.edges.out_degree().copy()
    res = sim.run(days=3)
    A = res.authors
    np.testing.assert_array_equal(A.followers, A.followers_start)
    np.testing.assert_array_equal(A.following, start_following)
    np.testing.assert_array_equal(sim.platform.edges.affinity, start_affinity)
    assert (res.daily["new_follows"] == 0).all()
    assert res.summary()["creator_retention"] == 1.0
    assert (A.quit_day == -1).all() and A.active.all()


def test_creator_adaptation_burns_out_creators_when_on(community):
    """The control for the test above: the same harsh settings do burn creators out."""
    res = Simulation(community, ranker="engagement", seed=8, dynamics=True, **HARSH_BURNOUT).run(days=3)
    retention = res.summary()["creator_retention"]
    assert retention < 1.0
    assert (res.authors.quit_day[~res.authors.active] >= 0).all()


@pytest.mark.parametrize("discovery", [True, False])
def test_follow_discovery_adds_follows_from_out_of_network_posts(community, discovery):
    sim = Simulation(community, ranker="engagement", seed=10, out_of_network_share=0.5, reciprocity=False,
                     follow_discovery=discovery, discovery_follow_prob=1.0, like_rate=0.2, churn=False,
                     unfollow_share=0.0)  # without unfollows, so that every discovered follow is a gain
    res = sim.run(days=2)
    A = res.authors
    gained = int(A.followers.sum() - A.followers_start.sum())
    if discovery:
        assert gained > 0
        assert int(res.daily["new_follows"].sum()) > 0
        assert (A.followers >= A.followers_start).all()
    else:
        assert gained == 0
        np.testing.assert_array_equal(A.followers, A.followers_start)


def test_rich_get_richer_off_hides_engagement_from_rankers(community):
    seen = []

    def spy(c, rng):
        seen.append(int(np.asarray(c.engagements).sum()))
        return -c.item_age_hours

    Simulation(community, ranker=spy, seed=1, rich_get_richer=False, like_rate=0.5).run(days=1)
    assert seen and max(seen) == 0
    seen.clear()
    Simulation(community, ranker=spy, seed=1, like_rate=0.5).run(days=1)
    assert max(seen) > 0


# ------------------------------------------------------- global RNG sentinel
def test_runs_never_touch_the_global_random_state(community):
    np.random.seed(2024)
    random.seed(2024)
    np_before = np.random.get_state()
    py_before = random.getstate()

    G = feedsim.networks.default_community(150, seed=3)
    for name in feedsim.rankers.RANKERS:
        sim = Simulation(G, ranker=name, seed=4, out_of_network_share=0.3, record_impressions=True)
        sim.add_accounts(5, at_day=0.5)
        sim.campaign([0, 1], posts_per_day=5, start_day=0.25, days=0.25)
        sim.run(days=1)
    Simulation(G, seed=None).run(days=1)
    feedsim.compare(G, ["chronological", "engagement"], days=1, seed=5)

    np_after = np.random.get_state()
    assert np_after[0] == np_before[0]
    np.testing.assert_array_equal(np_after[1], np_before[1])
    assert np_after[2:] == np_before[2:]
    assert random.getstate() == py_before


# ------------------------------------------------------------------- compare
def test_compare_chronological_has_zero_amplification(community):
    cmp = feedsim.compare(community, ["chronological", "engagement", "fair_exposure"], days=1, seed=7)
    assert list(cmp.summaries) == ["chronological", "engagement", "fair_exposure"]
    assert cmp.baseline is cmp.results["chronological"]
    chrono = cmp.summaries["chronological"]
    assert set(chrono["amplification"]) == set(chrono["post_share"]) == set(ROLES)
    for role, amp in chrono["amplification"].items():
        if chrono["post_share"][role] > 0:
            assert amp == 0.0
        else:
            assert amp is None  # lurkers never post
    eng = cmp.summaries["engagement"]["amplification"]
    assert any(v not in (None, 0.0) for v in eng.values())


def test_compare_is_byte_identical_for_the_same_seed(community):
    dump = lambda seed: json.dumps(  # noqa: E731
        feedsim.compare(community, ["chronological", "engagement"], days=1, seed=seed).to_dict(), sort_keys=True
    )
    a, b, c = dump(7), dump(7), dump(8)
    assert a == b
    assert a != c
    assert json.loads(a)["config"]["seed"] == {"entropy": 7, "spawn_key": []}


def test_compare_runs_a_baseline_and_equals_standalone_runs(community):
    cmp = feedsim.compare(community, ["engagement"], days=1, seed=7, dynamics=False)
    assert list(cmp.results) == ["engagement"]
    assert cmp.baseline.ranker == "chronological"
    assert "amplification" in cmp.summaries["engagement"]
    alone = Simulation(community, ranker="engagement", seed=7, dynamics=False).run(days=1)
    assert_results_identical(cmp.results["engagement"], alone)
    # common random numbers: posting and sessions do not depend on the ranker
    np.testing.assert_array_equal(cmp.results["engagement"].posts.created, cmp.baseline.posts.created)
    np.testing.assert_array_equal(cmp.results["engagement"].authors.sessions, cmp.baseline.authors.sessions)
