"""Salganik, Dodds and Watts (2006): social influence raises inequality across independent worlds.

The same frozen community runs as W worlds under ``popularity`` (social influence) and
``random`` order (independent); world w of both rankers shares its seed, so the per-world
Gini differences are paired. The claim holds if the lower end of the 95% t-interval of the
mean difference is above 0 (the tolerance is the standard error of the W differences).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

import feedsim
from feedsim.worlds import share_matrix, unpredictability, world_gini


def test_popularity_ranking_is_more_unequal_than_random_order_in_every_world():
    G = feedsim.networks.default_community(600, seed=11, as_arrays=True)
    t = feedsim.run_worlds(G, ["popularity", "random"], n_worlds=6, days=2, seed=11)
    g_pop = world_gini(share_matrix(t, "popularity", creators_only=True))
    g_rnd = world_gini(share_matrix(t, "random", creators_only=True))
    d = g_pop - g_rnd
    half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
    assert d.mean() - half > 0, f"Gini difference {d.mean():.4f} +- {half:.4f}"


def test_identical_worlds_are_perfectly_predictable():
    shares = np.tile(np.array([0.5, 0.3, 0.2]), (4, 1))
    assert unpredictability(shares) == 0.0
    # one item takes everything in half the worlds, the other in the rest: pairs differ by 1 in 4 of 6
    flip = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    assert unpredictability(flip) == np.float64(4 / 6)
