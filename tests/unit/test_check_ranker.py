"""check_ranker: every property it checks is named when it fails."""

from __future__ import annotations

import numpy as np
import pytest

from feedsim import InvalidParameterError, RankerOutputError
from feedsim.rankers import CANDIDATE_FIELDS, RANKERS, check_ranker
from feedsim.rankers.check import PROPERTIES, synthetic_candidates


def wrong_length(c, rng):
    return np.zeros(len(c) + 1)


def two_dimensional(c, rng):
    return np.zeros((len(c), 1))


def strings(c, rng):
    return np.array(["a"] * len(c))


def complex_scores(c, rng):
    return np.zeros(len(c), dtype=complex)


def has_nan(c, rng):
    out = -np.asarray(c.item_age_hours, dtype=float)
    if len(out):
        out[len(out) // 2] = np.nan
    return out


def writes_input(c, rng):
    c.likes[0] = 99  # read-only: raises
    return np.zeros(len(c))


def unlocks_and_writes_input(c, rng):
    arr = c.appeal
    arr.setflags(write=True)  # a view of a writable array can be unlocked
    arr[:] = 0.0
    return np.zeros(len(c))


def global_randomness(c, rng):
    return np.random.default_rng().random(len(c))  # ignores its Generator


def position_dependent(c, rng):
    return np.arange(len(c), dtype=float)


def like_rate(c, rng):
    return c.likes / c.impressions  # 0/0 = NaN in a run's first hour


def fails_when_empty(c, rng):
    return -c.item_age_hours / c.item_age_hours.max()  # max of an empty array raises


def empty_shape(c, rng):
    return np.zeros(max(len(c), 1))


def raises_type_error(c, rng):
    return c.no_such_field


BAD = [
    (wrong_length, "shape"),
    (two_dimensional, "shape"),
    (strings, "dtype"),
    (complex_scores, "dtype"),
    (has_nan, "finite"),
    (writes_input, "read-only inputs"),
    (unlocks_and_writes_input, "read-only inputs"),
    (global_randomness, "determinism"),
    (position_dependent, "permutation equivariance"),
    (like_rate, "cold start"),
    (fails_when_empty, "empty input"),
    (empty_shape, "shape"),
    (raises_type_error, "callable"),
]


@pytest.mark.parametrize("fn, prop", BAD, ids=[f.__name__ for f, _ in BAD])
def test_bad_rankers_fail_the_named_property(fn, prop):
    with pytest.raises(RankerOutputError, match=f"ranker '{fn.__name__}' failed '{prop}'"):
        check_ranker(fn)


@pytest.mark.parametrize("bad", [42, "no_such_ranker", None])
def test_not_a_ranker_is_an_invalid_parameter(bad):
    with pytest.raises(InvalidParameterError, match="ranker must be"):
        check_ranker(bad)


@pytest.mark.parametrize("rtol", [-1.0, float("nan"), "x"])
def test_bad_tolerance_is_an_invalid_parameter(rtol):
    with pytest.raises(InvalidParameterError, match="rtol must be"):
        check_ranker("chronological", rtol=rtol)


@pytest.mark.parametrize("name", list(RANKERS))
def test_every_built_in_ranker_passes(name):
    report = check_ranker(name, seed=3)
    assert report.ranker == name
    assert set(report.passed) | set(report.skipped) == set(PROPERTIES)


def test_stochastic_ranker_skips_equivariance_and_says_why():
    def noisy(c, rng):  # draws from the generator, not from the candidates' keyed noise
        return rng.random(len(c))

    report = check_ranker(noisy)
    assert "permutation equivariance" in report.skipped
    assert not report.deterministic
    assert "skipped  permutation equivariance" in str(report)


def test_plain_function_passes_and_the_report_reads_well():
    def fresh_friends(c, rng):
        return c.affinity - 0.01 * c.item_age_hours

    report = check_ranker(fresh_friends)
    assert report.passed == PROPERTIES and report.deterministic
    assert str(report).startswith("ranker 'fresh_friends': 9 checks passed on 72 candidates")


def test_integer_scores_are_accepted():
    report = check_ranker(lambda c, rng: np.asarray(c.likes))
    assert "dtype" in report.passed


def test_synthetic_candidates_carry_every_field_read_only():
    c = synthetic_candidates(1)
    for name in CANDIDATE_FIELDS:
        arr = getattr(c, name)
        assert len(arr) == len(c) and not arr.flags.writeable
    assert (np.diff(c.viewer_ptr) == (0, 1, 3, 7, 20, 41)).all()


def test_cold_start_tick_has_every_count_at_zero_and_the_rest_as_usual():
    from feedsim.rankers.check import COLD_START_ZERO, cold_start_candidates

    cold, warm = cold_start_candidates(3), synthetic_candidates(3)
    for key in COLD_START_ZERO + ("engagements",):
        assert not np.asarray(getattr(cold, key)).any(), key
        assert np.asarray(getattr(warm, key)).any(), key
    assert np.array_equal(cold.author, warm.author) and np.array_equal(cold.appeal, warm.appeal)


def test_a_smoothed_like_rate_passes_cold_start():
    report = check_ranker(lambda c, rng: (c.likes + 1) / (c.impressions + 10))
    assert "cold start" in report.passed
