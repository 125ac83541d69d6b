"""Unit tests for feedsim.rankers: built-in rankers on hand-built candidates, the tie-break, checks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from topk_oracle import jitter

from feedsim.errors import FeedsimError, InvalidParameterError, RankerOutputError
from feedsim.rankers import (
    RANKERS,
    Candidates,
    EngagementRanker,
    FairExposureRanker,
    PlatformFavoringRanker,
    chronological,
    get_ranker,
    ranker_name,
    validate_scores,
)


# ------------------------------------------------------------------ helpers
def make_candidates(sizes, seed=0, now=100.0, **overrides) -> Candidates:
    """Candidates for ``len(sizes)`` viewers with ``sizes[i]`` candidates each.

    Every field a built-in ranker reads is filled with plausible random values;
    ``overrides`` replaces whole arrays.
    """
    rng = np.random.default_rng(seed)
    sizes = np.asarray(sizes, dtype=np.int64)
    n = int(sizes.sum())
    ptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    viewers = np.arange(100, 100 + len(sizes), dtype=np.int64)
    age = rng.uniform(0, 48, n)
    fields = {
        "post": np.arange(n, dtype=np.int64),
        "author": rng.integers(0, 6, n).astype(np.int64),
        "age_hours": age,
        "item_age_hours": age.copy(),
        "appeal": rng.lognormal(0, 0.5, n),
        "affinity": rng.choice([0.0, 0.5, 1.5], n),
        "likes": rng.integers(0, 20, n),
        "reshares": rng.integers(0, 5, n),
        "replies": rng.integers(0, 3, n),
        "impressions": rng.integers(0, 200, n),
        "author_followers": rng.integers(0, 500, n),
        "author_posts": rng.integers(1, 30, n),
        "author_impressions": rng.integers(0, 3000, n),
        "typical_impressions_per_post": np.full(n, 150.0),
        "in_network": np.ones(n, dtype=bool),
        "is_reshare": np.zeros(n, dtype=bool),
        "sponsored": np.zeros(n, dtype=bool),
        "off_platform": rng.random(n) < 0.3,
    }
    fields.update(overrides)
    fields["via"] = fields.pop("via", fields["author"])
    return Candidates(now, ptr, viewers, **fields)


def builtin_instances():
    return [pytest.param(fn, id=name) for name, fn in RANKERS.items()]


# ----------------------------------------------------------- every ranker
@pytest.mark.parametrize("ranker", builtin_instances())
@pytest.mark.parametrize("sizes", [[5], [3, 0, 7, 1], [0, 0], [12, 12, 12]])
def test_builtin_ranker_returns_one_finite_score_per_candidate(ranker, sizes):
    c = make_candidates(sizes, seed=len(sizes))
    scores = np.asarray(ranker(c, np.random.default_rng(0)))
    assert scores.shape == (len(c),)
    assert scores.dtype.kind == "f"
    if isinstance(ranker, FairExposureRanker):  # -inf: over the per-author cap, never shown
        assert (np.isfinite(scores) | (scores == -np.inf)).all()
    else:
        assert np.isfinite(scores).all()
    # and the engine's check accepts it unchanged
    np.testing.assert_array_equal(validate_scores(scores, len(c), ranker_name(ranker), c.now), scores)


@pytest.mark.parametrize("ranker", builtin_instances())
def test_builtin_ranker_does_not_mutate_candidates(ranker):
    c = make_candidates([6, 4], seed=3)
    before = {k: np.array(getattr(c, k), copy=True) for k in ("item_age_hours", "affinity", "likes", "author")}
    ranker(c, np.random.default_rng(0))
    for key, arr in before.items():
        np.testing.assert_array_equal(getattr(c, key), arr)


def test_random_ranker_is_reproducible_with_the_generator():
    c = make_candidates([10, 10])
    a = RANKERS["random"](c, np.random.default_rng(5))
    b = RANKERS["random"](c, np.random.default_rng(5))
    other = RANKERS["random"](c, np.random.default_rng(6))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, other)


# ------------------------------------------------------------ chronological
def test_chronological_orders_newest_item_first():
    ages = np.array([5.0, 0.5, 30.0, 2.0, 12.0])
    c = make_candidates([5], item_age_hours=ages, age_hours=ages)
    scores = chronological(c, np.random.default_rng(0))
    assert np.argsort(-scores).tolist() == np.argsort(ages).tolist() == [1, 3, 0, 4, 2]


def test_chronological_ranks_a_reshare_by_reshare_time():
    # an old post reshared a moment ago beats a post created an hour ago
    age = np.array([40.0, 1.0])
    item_age = np.array([0.2, 1.0])
    c = make_candidates([2], age_hours=age, item_age_hours=item_age, is_reshare=np.array([True, False]))
    scores = chronological(c, np.random.default_rng(0))
    assert scores[0] > scores[1]


def test_popularity_orders_by_total_engagement():
    c = make_candidates(
        [3], likes=np.array([1, 10, 0]), reshares=np.array([0, 0, 2]), replies=np.array([0, 1, 0])
    )
    scores = RANKERS["popularity"](c, np.random.default_rng(0))
    np.testing.assert_array_equal(scores, [1.0, 11.0, 2.0])


# ---------------------------------------------------------------- engagement
def test_engagement_prefers_affinity_engagement_and_freshness():
    rk = EngagementRanker()
    base = dict(
        affinity=np.array([0.0, 1.0]),
        likes=np.zeros(2, dtype=np.int64),
        reshares=np.zeros(2, dtype=np.int64),
        replies=np.zeros(2, dtype=np.int64),
        author_followers=np.full(2, 10),
        item_age_hours=np.full(2, 3.0),
    )
    s = rk(make_candidates([2], **base), None)
    assert s[1] > s[0]  # closer author first
    eng = dict(base, affinity=np.zeros(2), likes=np.array([0, 50]))
    s = rk(make_candidates([2], **eng), None)
    assert s[1] > s[0]  # rich get richer
    fresh = dict(base, affinity=np.zeros(2), item_age_hours=np.array([24.0, 0.0]))
    s = rk(make_candidates([2], **fresh), None)
    assert s[1] == pytest.approx(4 * s[0])  # two half-lives of 12 h


# ---------------------------------------------------------- platform favoring
def test_platform_favoring_demotes_off_platform_relative_to_engagement():
    off = np.array([True, False, True, False, False, True])
    c = make_candidates([6], off_platform=off)
    eng = EngagementRanker()(c, None)
    pf = PlatformFavoringRanker()(c, None)
    np.testing.assert_allclose(pf[off], PlatformFavoringRanker.link_penalty * eng[off], rtol=1e-12)
    np.testing.assert_array_equal(pf[~off], eng[~off])


def test_platform_favoring_ranks_identical_posts_with_the_link_last():
    c = make_candidates(
        [2],
        off_platform=np.array([True, False]),
        affinity=np.zeros(2),
        likes=np.full(2, 3),
        reshares=np.zeros(2, dtype=np.int64),
        replies=np.zeros(2, dtype=np.int64),
        author_followers=np.full(2, 40),
        item_age_hours=np.full(2, 1.0),
    )
    assert RANKERS["engagement"](c, None)[0] == RANKERS["engagement"](c, None)[1]
    s = RANKERS["platform_favoring"](c, None)
    assert s[0] < s[1]
    assert PlatformFavoringRanker(link_penalty=1.0)(c, None)[0] == s[1]


# --------------------------------------------------------------- fair exposure
@pytest.mark.parametrize("cap", [1, 2, 3])
def test_fair_exposure_caps_posts_per_author_per_viewer(cap):
    # viewer 0: author 7 has five great posts, authors 1..4 one mediocre post each;
    # viewer 1 is the same feed. The (cap+1)-th post of author 7 must fall below
    # every capped-in candidate of its viewer.
    author = np.array([7, 7, 7, 7, 7, 1, 2, 3, 4] * 2)
    likes = np.array([90, 80, 70, 60, 50, 0, 1, 2, 3] * 2)
    c = make_candidates(
        [9, 9],
        author=author,
        likes=likes,
        reshares=np.zeros(18, dtype=np.int64),
        replies=np.zeros(18, dtype=np.int64),
        affinity=np.zeros(18),
        author_followers=np.full(18, 10),
        item_age_hours=np.full(18, 1.0),
        author_posts=np.full(18, 10),
        author_impressions=np.full(18, 100),
    )
    s = FairExposureRanker(max_per_author=cap)(c, None)
    for seg in (slice(0, 9), slice(9, 18)):
        sv, av = s[seg], author[seg]
        order = np.argsort(-sv, kind="stable")
        mine = order[av[order] == 7]
        capped_in = np.setdiff1d(np.arange(9), mine[cap:])
        assert sv[mine[cap:]].max() < sv[capped_in].min()
        # the author's best `cap` posts stay, in order; the others are never shown
        assert list(mine[:cap]) == list(range(cap))
        assert np.all(sv[mine[cap:]] == -np.inf) and np.isfinite(sv[capped_in]).all()
    # without the cap author 7 would take the top five slots
    e = EngagementRanker()(c, None)
    assert set(np.argsort(-e[:9])[:5]) == {0, 1, 2, 3, 4}


@given(
    sizes=st.lists(st.integers(0, 15), min_size=1, max_size=6),
    seed=st.integers(0, 2**32 - 1),
    cap=st.integers(1, 3),
)
def test_fair_exposure_cap_holds_on_random_candidates(sizes, seed, cap):
    c = make_candidates(sizes, seed=seed)
    s = FairExposureRanker(max_per_author=cap)(c, np.random.default_rng(0))
    ptr = c.viewer_ptr
    for i in range(len(sizes)):
        sv, av = s[ptr[i] : ptr[i + 1]], c.author[ptr[i] : ptr[i + 1]]
        if len(sv) == 0:
            continue
        rank = np.empty(len(sv), dtype=np.int64)
        order = np.lexsort((np.arange(len(sv)), -sv))
        for a in np.unique(av):
            mine = order[av[order] == a]
            rank[mine] = np.arange(len(mine))
        over = rank >= cap
        if over.any() and (~over).any():
            assert sv[over].max() < sv[~over].min()


def test_fair_exposure_boosts_under_exposed_authors():
    # two candidates identical except for the author's impressions per post so far
    common = dict(
        affinity=np.zeros(3),
        likes=np.full(3, 2),
        reshares=np.zeros(3, dtype=np.int64),
        replies=np.zeros(3, dtype=np.int64),
        author_followers=np.full(3, 50),
        item_age_hours=np.full(3, 2.0),
        author=np.array([1, 2, 3]),
        author_posts=np.full(3, 10),
        author_impressions=np.array([0, 1000, 10_000]),
    )
    c = make_candidates([3], typical_impressions_per_post=np.full(3, 100.0), **common)
    s = FairExposureRanker()(c, None)
    assert s[0] > s[1] > s[2]
    e = EngagementRanker()(c, None)
    assert e[0] == e[1] == e[2]
    # an author at the platform's impressions per post is neither boosted nor demoted
    assert s[1] == pytest.approx(e[1])
    flat = FairExposureRanker(boost_exponent=0.0)(c, None)
    np.testing.assert_allclose(flat, e)


# ------------------------------------------------------------------- jitter
def test_the_engine_tie_break_is_the_oracle_jitter():
    """The engine's keyed jitter is ``jitter(score, u)`` with ``u`` the hash's top 16 bits, so the
    properties below hold for the engine."""
    from feedsim.engine.kernels.hashing import STREAMS, keyed_hash_np
    from feedsim.engine.kernels.select import jittered

    rng = np.random.default_rng(0)
    scores = np.concatenate([rng.choice([0.0, -0.0, 1.0, -2.5, 1e-300, 1e300], 500), rng.normal(size=500) * 1e3])
    post = rng.integers(0, 1 << 31, len(scores))
    key, tick, viewer = np.uint64(0x5EED), 11, 7
    u = (keyed_hash_np(key, STREAMS["jitter"], tick, viewer, post) >> np.uint64(48)).astype(np.float64) / 65536.0
    engine = np.array([jittered(s, key, tick, viewer, p) for s, p in zip(scores, post)])
    np.testing.assert_array_equal(engine, jitter(scores, u))
    assert len(np.unique(u)) > 900  # the levels really vary


normal_scores = st.floats(-1e300, 1e300, allow_nan=False, allow_infinity=False, allow_subnormal=False)


@given(
    a=normal_scores,
    b=normal_scores,
    ua=st.floats(0, 1, exclude_max=True),
    ub=st.floats(0, 1, exclude_max=True),
)
def test_jitter_never_reorders_scores_that_differ_by_more_than_1e_9_relative(a, b, ua, ub):
    assume(abs(a - b) > 1e-9 * max(abs(a), abs(b)))
    ja, jb = jitter(np.array([a, b]), np.array([ua, ub]))
    assert (ja > jb) == (a > b)
    assert np.isfinite([ja, jb]).all()


@given(
    x=normal_scores,
    u=hnp.arrays(np.float64, 8, elements=st.floats(0, 1, exclude_max=True)),
)
def test_jitter_only_moves_ties_by_a_few_ulps(x, u):
    j = jitter(np.full(8, x), u)
    assert (np.abs(j) >= abs(x)).all()  # magnitudes only grow
    bound = 2.0**-36 * abs(x) if x != 0 else 1e-300  # zeros move among the subnormals only
    assert np.all(np.abs(j - x) <= bound)  # relative move below 1.5e-11


def test_jitter_breaks_exact_ties_by_the_uniform_draw():
    j = jitter(np.array([1.0, 1.0, 1.0]), np.array([0.9, 0.1, 0.5]))
    assert np.argsort(-j).tolist() == [0, 2, 1]


def test_jitter_keeps_tiny_positive_scores_above_zero():
    j = jitter(np.array([0.0, 1e-300]), np.array([0.999, 0.0]))
    assert j[1] > j[0]


def test_jitter_breaks_ties_among_zeros_at_random():
    u = np.array([0.2, 0.9, 0.5])
    j = jitter(np.zeros(3), u)
    assert np.argsort(-j).tolist() == [1, 2, 0]
    assert (j >= 0).all() and (j < 1e-300).all()


# --------------------------------------------------------- names and checks
def test_get_ranker_resolves_every_builtin_name():
    for name, fn in RANKERS.items():
        assert get_ranker(name) is fn
        assert ranker_name(fn) == name
    custom = lambda c, rng: np.zeros(len(c))  # noqa: E731
    assert get_ranker(custom) is custom


@pytest.mark.parametrize("bad", ["nope", "Chronological", ""])
def test_get_ranker_rejects_unknown_names(bad):
    with pytest.raises(InvalidParameterError, match=r"ranker must be one of .*'chronological'") as info:
        get_ranker(bad)
    assert repr(bad) in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("bad", [3, None, 1.5, ["chronological"]])
def test_get_ranker_rejects_non_callables(bad):
    with pytest.raises(InvalidParameterError, match=rf"ranker must be .*got {type(bad).__name__}"):
        get_ranker(bad)


def test_ranker_name_uses_function_name_or_name_attribute():
    def my_ranker(c, rng):
        return np.zeros(len(c))

    assert ranker_name(my_ranker) == "my_ranker"
    assert ranker_name(EngagementRanker(reply_weight=1.0)) == "engagement"
    assert ranker_name("fair_exposure") == "fair_exposure"


NUM = r"(np\.float64\()?%s\)?"  # the value, as repr() prints a NumPy scalar or a float


@pytest.mark.parametrize(
    "scores, what",
    [
        (np.zeros(4), r"shape \(5,\); got shape \(4,\)"),
        (np.zeros((5, 1)), r"shape \(5,\); got shape \(5, 1\)"),
        (np.float64(1.0), r"got shape \(\)"),
        (np.array([0.0, np.nan, 1.0, 2.0, 3.0]), rf"-inf \(never show\); got {NUM % 'nan'} at candidate 1 \(1 of 5"),
        (np.array([0.0, 1.0, np.inf, 2.0, -np.inf]), rf"-inf \(never show\); got {NUM % 'inf'} at candidate 2 \(1 of 5"),
        (np.array(["a", "b", "c", "d", "e"]), r"real numbers; got dtype <U1"),
        (np.array([1, 2, 3, 4, None], dtype=object), r"real numbers; got dtype object"),
        (np.ones(5, dtype=complex), r"real numbers; got dtype complex128"),
    ],
    ids=["short", "2d", "scalar", "nan", "inf", "str", "object", "complex"],
)
def test_validate_scores_rejects_bad_output_naming_the_ranker(scores, what):
    with pytest.raises(RankerOutputError, match=what) as info:
        validate_scores(scores, 5, "my_ranker", 13.0)
    msg = str(info.value)
    assert "ranker 'my_ranker' at t=13 h" in msg
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, FeedsimError)


@pytest.mark.parametrize(
    "scores", [np.arange(5), np.ones(5, dtype=bool), [0.5, 1, 2, 3, 4], np.ones(5, np.float32)]
)
def test_validate_scores_accepts_real_numbers_as_float64(scores):
    out = validate_scores(scores, 5, "ok", 0.0)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, np.asarray(scores, dtype=np.float64))


# ---------------------------------------------------------------- candidates
def test_candidates_are_read_only():
    c = make_candidates([3, 2])
    with pytest.raises(ValueError, match="read-only"):
        c.item_age_hours[0] = 0.0
    with pytest.raises(ValueError, match="read-only"):
        c.viewer_ptr[1] = 0
    with pytest.raises(AttributeError, match="read-only"):
        c.post = np.zeros(5)


def test_candidates_segment_and_viewer_follow_the_layout():
    c = make_candidates([2, 0, 3])
    assert c.segment.tolist() == [0, 0, 2, 2, 2]
    assert c.viewer.tolist() == [100, 100, 102, 102, 102]
    assert len(c) == 5 and c.n_viewers == 3


def test_candidates_reject_unknown_fields():
    with pytest.raises(TypeError, match="unknown candidate field 'score'"):
        Candidates(0.0, np.array([0, 1]), np.array([0]), score=np.zeros(1))


def test_lazy_candidate_array_is_unavailable_after_the_call():
    c = Candidates(0.0, np.array([0, 2]), np.array([0]), appeal=lambda: np.ones(2))
    c._close()
    with pytest.raises(FeedsimError, match="'appeal' was not read during the ranker call"):
        c.appeal  # noqa: B018


def test_rank_within_ranks_each_authors_posts_per_viewer():
    c = make_candidates([4, 2], author=np.array([1, 1, 2, 1, 1, 1]))
    rank = c.rank_within(c.author, np.array([0.1, 0.9, 0.5, 0.4, 3.0, 2.0]))
    assert rank.tolist() == [2, 0, 0, 1, 0, 1]
