"""Keyed per-account draws: Poisson counts with the right law, common random numbers per account."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import feedsim
from feedsim.engine.kernels.draws import keyed_poisson, post_normals, post_uniforms


@pytest.mark.parametrize("lam", [0.3, 2.0, 9.5, 10.0, 40.0, 700.0])
def test_keyed_poisson_mean_and_variance(lam):
    n = 200_000
    x = keyed_poisson(np.uint64(12345), 4, 3, np.full(n, lam))
    # the sample mean is within 5 standard errors; the variance within 5 of its SE
    assert abs(x.mean() - lam) < 5 * np.sqrt(lam / n)
    se_var = np.sqrt((2 * lam**2 + lam) / n)
    assert abs(x.var() - lam) < 5 * se_var


@pytest.mark.parametrize("lam", [0.5, 4.0, 25.0])
def test_keyed_poisson_law_chi_square(lam):
    n = 100_000
    x = keyed_poisson(np.uint64(99), 5, 11, np.full(n, lam))
    hi = int(stats.poisson.ppf(0.999, lam))
    lo = int(stats.poisson.ppf(0.001, lam))
    edges = np.arange(lo, hi + 1)
    observed = np.array([(x <= lo).sum()] + [(x == k).sum() for k in edges[1:-1]] + [(x >= hi).sum()])
    p = np.r_[stats.poisson.cdf(lo, lam), stats.poisson.pmf(edges[1:-1], lam), stats.poisson.sf(hi - 1, lam)]
    _, pvalue = stats.chisquare(observed, p * n / p.sum())
    assert pvalue > 1e-4


def test_keyed_poisson_depends_only_on_own_coordinates():
    lam = np.array([0.0, 0.7, 3.0, 15.0, 300.0])
    a = keyed_poisson(np.uint64(5), 4, 7, lam)
    other = lam.copy()
    other[0], other[3] = 8.0, 0.1
    b = keyed_poisson(np.uint64(5), 4, 7, other)
    assert a[0] == 0
    assert np.array_equal(a[[1, 2, 4]], b[[1, 2, 4]])
    assert np.array_equal(a, keyed_poisson(np.uint64(5), 4, 7, lam))  # the coordinates fix the draw


def test_another_tick_or_key_gives_independent_draws():
    """Draws at another tick or under another key are independent of the first, account by account.

    For two independent Poisson(3) counts P(X = Y) = exp(-6) I0(6), about 0.167, and their
    correlation is 0; both are checked within 5 standard errors over n accounts (a copy, a
    shifted copy or a shared component would fail: P(X = Y) would be 1 or the correlation > 0).
    """
    n, lam = 100_000, 3.0
    base = keyed_poisson(np.uint64(5), 4, 7, np.full(n, lam))
    p_equal = float(np.sum(stats.poisson.pmf(np.arange(60), lam) ** 2))
    se_equal = np.sqrt(p_equal * (1 - p_equal) / n)
    for label, other in (("another tick", keyed_poisson(np.uint64(5), 4, 8, np.full(n, lam))),
                         ("another key", keyed_poisson(np.uint64(6), 4, 7, np.full(n, lam))),
                         ("another stream", keyed_poisson(np.uint64(5), 5, 7, np.full(n, lam)))):
        assert abs(np.mean(base == other) - p_equal) < 5 * se_equal, label
        assert abs(np.corrcoef(base, other)[0, 1]) < 5 / np.sqrt(n), label
        assert abs(other.mean() - lam) < 5 * np.sqrt(lam / n), label


def test_post_draws_in_range_and_normal():
    n = 100_000
    acc = np.repeat(np.arange(1000), 100)
    idx = np.tile(np.arange(100), 1000)
    u = post_uniforms(np.uint64(3), 6, 2, acc, idx, 0)
    assert ((u >= 0) & (u < 1)).all()
    z = post_normals(np.uint64(3), 6, 2, acc, idx)
    assert abs(z.mean()) < 5 / np.sqrt(n) and abs(z.std() - 1) < 5 / np.sqrt(2 * n)
    assert stats.kstest(z, "norm").pvalue > 1e-4
    assert not np.array_equal(u, post_uniforms(np.uint64(3), 6, 2, acc, idx, 3))


def _run(bump: bool):
    G = feedsim.networks.default_community(300, mean_follows=15, seed=4)
    sim = feedsim.Simulation(G, ranker="chronological", seed=9, dynamics=False)

    def more_posts(s):
        s.accounts.post_rate[0] = 20.0     # posts/day
        s.accounts.session_rate[0] = 30.0  # sessions/day

    if bump:
        sim.schedule(more_posts, at_day=1)
    return sim.run(days=3)


def test_common_random_numbers_account_by_account():
    """Changing one account's rates leaves every other account's posts and sessions as they were."""
    a, b = _run(False), _run(True)
    pa, pb = a.posts, b.posts
    others_a = pa.author != 0
    others_b = pb.author != 0
    assert (pb.author == 0).sum() > (pa.author == 0).sum() + 20
    for col in ("author", "created", "appeal"):
        assert np.array_equal(pa[col][others_a], pb[col][others_b])
    sa, sb = a.authors["sessions"], b.authors["sessions"]
    assert sb[0] > sa[0]
    assert np.array_equal(sa[1:], sb[1:])
