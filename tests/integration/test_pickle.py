"""Results, their tables and comparisons pickle and copy (so they come back from a process pool)."""

from __future__ import annotations

import copy
import pickle
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest

import feedsim
from feedsim.engine.result import Table


def _small_run(seed: int):
    G = feedsim.networks.default_community(300, seed=seed)
    return feedsim.Simulation(G, ranker="engagement", seed=seed).run(days=1)


@pytest.fixture(scope="module")
def result():
    return _small_run(1)


def test_table_pickles_and_copies():
    t = Table({"a": np.arange(4), "b": np.ones(4)})
    for clone in (pickle.loads(pickle.dumps(t)), copy.copy(t), copy.deepcopy(t)):
        assert list(clone) == ["a", "b"]
        assert np.array_equal(clone.a, t.a) and np.array_equal(clone["b"], t.b)
    with pytest.raises(AttributeError):
        copy.copy(t).missing  # noqa: B018


def test_result_pickles_with_the_same_summary(result):
    clone = pickle.loads(pickle.dumps(result))
    assert clone.summary() == result.summary()
    assert np.array_equal(copy.copy(result.posts).impressions, result.posts.impressions)
    assert copy.deepcopy(result).summary() == result.summary()


def test_comparison_pickles():
    G = feedsim.networks.default_community(300, seed=2)
    table = feedsim.compare(G, rankers=["chronological", "engagement"], days=1, seed=2)
    clone = pickle.loads(pickle.dumps(table))
    assert clone.table() == table.table()


def test_result_comes_back_from_a_process_pool(result):
    with ProcessPoolExecutor(max_workers=1) as pool:
        back = pool.submit(_small_run, 1).result()
    assert back.summary() == result.summary()
