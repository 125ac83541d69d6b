"""feedsim.worlds: the multiple-worlds helper, its measures and its input checks."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import feedsim
from feedsim import InvalidParameterError
from feedsim.worlds import freeze_community, share_matrix, unpredictability, world_gini


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(2, 6), st.integers(1, 5)), elements=st.floats(0, 1)))
def test_unpredictability_is_the_mean_pairwise_difference(m):
    w, s = m.shape
    pairs = list(itertools.combinations(range(w), 2))
    want = np.mean([np.mean([abs(m[j, i] - m[k, i]) for j, k in pairs]) for i in range(s)])
    assert unpredictability(m) == pytest.approx(want, abs=1e-12)


@pytest.mark.parametrize("bad", [np.zeros((1, 3)), np.zeros(3), np.array([[0.1, np.nan], [0.2, 0.3]])])
def test_unpredictability_rejects_bad_shares(bad):
    with pytest.raises(InvalidParameterError, match="shares"):
        unpredictability(bad)


def test_world_gini_matches_metrics_gini():
    m = np.array([[0.1, 0.2, 0.7], [0.3, 0.3, 0.4]])
    assert world_gini(m).tolist() == [feedsim.metrics.gini(m[0]), feedsim.metrics.gini(m[1])]


def test_frozen_worlds_share_accounts_and_differ_in_outcomes():
    G = feedsim.networks.default_community(300, seed=3)
    F = freeze_community(G, seed=3)
    np.testing.assert_array_equal(F.attrs["post_rate"], freeze_community(G, seed=3).attrs["post_rate"])
    t = feedsim.run_worlds(G, ["random"], n_worlds=3, days=1, seed=3, measure="engagements")
    S = share_matrix(t, "random")
    assert S.shape == (3, 300)
    assert not np.array_equal(S[0], S[1])  # independent worlds
    np.testing.assert_allclose(S, share_matrix(t, "random", measure="engagements"))
    assert len(set(map(tuple, t["creator"].reshape(3, 300).tolist()))) == 1  # same creators in every world
    # reproducible from the seed
    again = feedsim.run_worlds(G, ["random"], n_worlds=3, days=1, seed=3, measure="engagements")
    np.testing.assert_array_equal(t["value"], again["value"])


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"n_worlds": 1}, "n_worlds"),
    ({"days": 0}, "days"),
    ({"measure": "likes"}, "measure"),
    ({"rankers": []}, "rankers"),
    ({"rankers": ["random", "random"]}, "distinct"),
])
def test_run_worlds_rejects_bad_input(kwargs, match):
    args = {"rankers": ["random"], "n_worlds": 2, "days": 1, **kwargs}
    G = feedsim.networks.default_community(50, seed=1)
    with pytest.raises(InvalidParameterError, match=match):
        feedsim.run_worlds(G, args.pop("rankers"), **args)


def test_share_matrix_names_an_unknown_ranker():
    G = feedsim.networks.default_community(50, seed=1)
    t = feedsim.run_worlds(G, ["random"], n_worlds=2, days=1, seed=1)
    with pytest.raises(InvalidParameterError, match="ranker"):
        share_matrix(t, "popularity")
