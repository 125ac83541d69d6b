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

__all__ = ["CHRONOLOGICAL", "POPULARITY", "RANDOM", "ENGAGEMENT", "score", "cap_per_author", "power"]

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
    n = len(post)
    for j in prange(n):
        if code == CHRONOLOGICAL:
            out[j] = -(now - item_time[j])
        elif code == POPULARITY:
            out[j] = float(engagements[post[j]])
        elif code == RANDOM:
            out[j] = keyed_uniform(key, _NOISE, tick, viewer[j], post[j] + post_offset)
        else:
            aff = affinity[edge[j]] + 1.0
            common = _log1p(log_table, engagements[post[j]]) * params[2] + 1.0
            pop = _log1p(log_table, followers[author[j]]) * params[3] + 1.0
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
            value = value * np.exp2((now - item_time[j]) * params[10])
            if params[11] != 1.0:
                value = value * (params[11] if off_platform[post[j]] else 1.0)
            if params[12] != 0.0:
                per_post = author_impr[author[j]] / max(author_posts[author[j]], 1)
                value = value * power((params[13] + 1.0) / (per_post + 1.0), params[12])
            out[j] = value


@njit(cache=True, parallel=True)
def cap_per_author(cptr, author, score, cap):
    """Set ``-inf`` on each viewer's candidates beyond the ``cap`` best per author.

    Ranked by descending score within (viewer, author), ties by position, as
    :meth:`feedsim.rankers.Candidates.rank_within` ranks them.
    """
    for i in prange(len(cptr) - 1):
        lo, hi = cptr[i], cptr[i + 1]
        m = hi - lo
        if m <= cap:
            continue
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
