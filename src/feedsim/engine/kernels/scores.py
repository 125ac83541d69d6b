"""Compiled forms of the built-in rankers, and the per-author cap of fair exposure.

Each form computes, per candidate and in the same floating-point order, what the
ranker's array form (``feedsim.rankers.builtin``) computes, so both give the same
feeds for the same seed (``tests/integration/test_engine_v2.py`` checks it).
Parallel over candidates; viewer-level steps (the cap) parallel over viewers.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .hashing import STREAMS, keyed_uniform

__all__ = ["CHRONOLOGICAL", "POPULARITY", "RANDOM", "ENGAGEMENT", "score_one", "score", "cap_rows", "cap_per_author",
           "power"]

CHRONOLOGICAL, POPULARITY, RANDOM, ENGAGEMENT = 0, 1, 2, 3
_NOISE = STREAMS["noise"]


@njit(cache=True, inline="always")
def _log1p(table, x):
    if x < len(table):
        return table[x]
    return math.log1p(float(x))


@njit(cache=True, inline="always")
def power(x, b):
    """``x ** b`` as NumPy's ``ndarray ** scalar`` computes it (fast paths for 0, 1, 2, 0.5, -1)."""
    if b == 1.0:
        return x
    if b == 2.0:
        return x * x
    if b == 0.5:
        return math.sqrt(x)
    if b == -1.0:
        return 1.0 / x
    if b == 0.0:
        return 1.0
    return x ** b


@njit(cache=True, inline="always")
def score_one(code, params, now, key, tick, post_offset, v, p, a, e, item_time,
              affinity, engagements, followers, off_platform, author_posts, author_impr, log_table):
    """Score of one candidate (viewer ``v``, post ``p``, author ``a``, edge ``e``) under ranker ``code``.

    See :func:`score` for ``params``.
    """
    if code == CHRONOLOGICAL:
        return -(now - item_time)
    if code == POPULARITY:
        return float(engagements[p])
    if code == RANDOM:
        return keyed_uniform(key, _NOISE, tick, v, p + post_offset)
    aff = affinity[e] + 1.0
    common = _log1p(log_table, engagements[p]) * params[2] + 1.0
    pop = _log1p(log_table, followers[a]) * params[3] + 1.0
    common = common * pop
    common = common * aff
    value = aff * params[0] + params[1]
    value = value * common
    b_lr = max(params[4], params[5])
    if common * max(b_lr, params[6] * aff) > 1.0:
        pl = min(1.0, params[4] * common)
        pr = min(1.0, params[5] * common)
        pp = min(1.0, params[6] * common * aff)
        value = params[7] * pl + params[8] * pr + params[9] * pp
    value = value * np.exp2((now - item_time) * params[10])
    if params[11] != 1.0:
        value = value * (params[11] if off_platform[p] else 1.0)
    if params[12] != 0.0:
        per_post = author_impr[a] / max(author_posts[a], 1)
        value = value * power((params[13] + 1.0) / (per_post + 1.0), params[12])
    return value


@njit(cache=True, parallel=True)
def score(code, params, now, key, tick, post_offset, viewer, post, author, edge, item_time,
          affinity, engagements, followers, off_platform, author_posts, author_impr, log_table, out):
    """Scores of every candidate for built-in ranker ``code`` with ``params``.

    ``params`` (float64): for ENGAGEMENT ``[c_reply, c_lr, engagement_weight,
    popularity_weight, b_like, b_reshare, b_reply, w_like, w_reshare, w_reply,
    -1/half_life, link_penalty, boost_exponent, typical]`` (penalty 1 and exponent 0
    turn those parts off). ``engagements`` is indexed by post, ``followers``,
    ``author_posts`` and ``author_impr`` by author; ``affinity`` by edge (-1 reads
    the trailing 0.0).
    """
    for j in prange(len(post)):
        out[j] = score_one(code, params, now, key, tick, post_offset, viewer[j], post[j], author[j], edge[j],
                           item_time[j], affinity, engagements, followers, off_platform, author_posts,
                           author_impr, log_table)


@njit(cache=True)
def cap_rows(lo, hi, author, score, cap):
    """Set ``-inf`` on rows ``lo:hi`` (one viewer) beyond the ``cap`` best per author.

    Ranked by descending score within (viewer, author), ties by position, as
    :meth:`feedsim.rankers.Candidates.rank_within` ranks them.
    """
    m = hi - lo
    if m <= cap:
        return
    s = score[lo:hi]
    a = author[lo:hi]
    by_score = np.argsort(-s, kind="mergesort")
    order = by_score[np.argsort(a[by_score], kind="mergesort")]
    run = 0
    for t in range(m):
        if t > 0 and a[order[t]] == a[order[t - 1]]:
            run += 1
        else:
            run = 0
        if run >= cap:
            score[lo + order[t]] = -np.inf


@njit(cache=True, parallel=True)
def cap_per_author(cptr, author, score, cap):
    """:func:`cap_rows` for every viewer's rows ``cptr[i]:cptr[i + 1]``."""
    for i in prange(len(cptr) - 1):
        cap_rows(cptr[i], cptr[i + 1], author, score, cap)
