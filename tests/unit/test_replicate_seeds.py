"""feedsim.random.replicate_seeds: the one rule for the seeds of replicate r."""

from __future__ import annotations

import numpy as np
import pytest

import feedsim
from feedsim.errors import InvalidParameterError
from feedsim.random import REPLICATE_KEY, STREAMS, replicate_seeds, stream_seed
from feedsim.sweeps import run_seed


def _key(ss):
    return (ss.entropy, tuple(ss.spawn_key))


def test_replicate_zero_is_the_seed_itself_and_its_graph_the_network_stream():
    s = replicate_seeds(7)
    assert _key(s.run) == (7, ()) and s.replicate == 0
    assert _key(s.graph) == _key(stream_seed(7, "network"))
    root = np.random.SeedSequence(7, spawn_key=(3,))
    assert replicate_seeds(root).run is root  # a SeedSequence is used as it is


def test_replicates_differ_and_never_meet_a_run_stream():
    keys = set()
    for r in range(20):
        s = replicate_seeds(7, r)
        # the replicate's seeds and every stream a run on them spawns
        for ss in (s.run, s.graph, *(stream_seed(s.run, name) for name in STREAMS)):
            keys.add(_key(ss))
    assert len(keys) == 20 * (2 + len(STREAMS)) - 20  # the graph seed is the run's network stream
    assert replicate_seeds(7, 2).run.spawn_key == (REPLICATE_KEY, 2)


def test_a_seed_with_a_spawn_key_is_extended_not_replaced():
    root = np.random.SeedSequence(5, spawn_key=(1, 2))
    assert replicate_seeds(root, 3).run.spawn_key == (1, 2, REPLICATE_KEY, 3)
    assert replicate_seeds(root, 3, point=(9,)).run.spawn_key == (1, 2, 9, 3)


def test_points_are_the_sweeps_run_seeds():
    point = {"ranker": "engagement", "out_of_network_share": 0.2}
    for r in range(3):
        want = run_seed(11, point, r)
        got = replicate_seeds(11, r, point=feedsim.sweeps.point_words(point)).run
        assert _key(got) == _key(want)


def test_same_seeds_whatever_the_ranker_and_the_seeds_are_recorded():
    rec = replicate_seeds(1, 1).to_dict()
    assert rec == {"replicate": 1, "graph": {"entropy": 1, "spawn_key": [REPLICATE_KEY, 1, 0]},
                   "run": {"entropy": 1, "spawn_key": [REPLICATE_KEY, 1]}}
    G = feedsim.replicate_community(200, seed=1, replicate=1)
    old = feedsim.networks.default_community(200, mean_follows=40, seed=replicate_seeds(1, 1).graph, as_arrays=True)
    np.testing.assert_array_equal(G.indices, old.indices)


@pytest.mark.parametrize("kwargs, message", [
    ({"replicate": -1}, "replicate must be an integer >= 0; got -1"),
    ({"replicate": 1.5}, "replicate must be an integer >= 0; got 1.5"),
    ({"replicate": True}, "replicate must be an integer >= 0; got True"),
    ({"replicate": 0, "point": (3, -2)}, "point must be an integer >= 0; got -2"),
])
def test_bad_replicates_and_points_are_refused_in_one_line(kwargs, message):
    with pytest.raises(InvalidParameterError, match=f"^{message}$".replace("(", r"\(").replace(")", r"\)")):
        replicate_seeds(1, **kwargs)
