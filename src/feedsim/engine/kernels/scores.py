"""The parts of the built-in rankers' compiled scores, and the per-author cap of fair exposure.

The fused kernel (:mod:`.fused`) computes each score from these parts, per
candidate and in the same floating-point order as the ranker's array form
(``feedsim.rankers.builtin``), so both paths give the same feeds for the same
seed (``tests/integration/test_engine_v2.py`` checks it).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .sorting import stable_argsort

__all__ = ["CHRONOLOGICAL", "POPULARITY", "RANDOM", "ENGAGEMENT", "cap_rows",
           "power", "log1p_count", "engagement_common", "engagement_decay", "engagement_link", "engagement_boost",
           "engagement_params", "engagement_value"]

CHRONOLOGICAL, POPULARITY, RANDOM, ENGAGEMENT = 0, 1, 2, 3


@njit(cache=True, inline="always")
def log1p_count(table, x):
    """``log1p(x)`` of a count, from ``table`` (:func:`feedsim.rankers.builtin.log1p_table`) when it covers ``x``."""
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


# The parts of the engagement score take scalars (``params[k]`` values), never
# arrays: an array passed to an inlined function is reference counted per call,
# which measured tens of ns per candidate in the fused kernel's loops.

@njit(cache=True, inline="always")
def engagement_common(engagement_weight, popularity_weight, log_engagements, log_followers):
    """The per-post factor of the engagement score: ``(1 + b_e ln(1 + e)) (1 + b_f ln(1 + f))``
    (``params[2]``, ``params[3]``; the logs by :func:`log1p_count`)."""
    common = log_engagements * engagement_weight + 1.0
    pop = log_followers * popularity_weight + 1.0
    return common * pop


@njit(cache=True, inline="always")
def engagement_decay(rate, now, item_time):
    """The per-item age factor of the engagement score, ``2^(-age / half_life)`` (``rate``: ``params[10]``)."""
    return np.exp2((now - item_time) * rate)


@njit(cache=True, inline="always")
def engagement_link(penalty, off_platform):
    """The link penalty of a post (1.0 when it does not link out or the penalty is off; ``params[11]``)."""
    return penalty if penalty != 1.0 and off_platform else 1.0


@njit(cache=True, inline="always")
def engagement_boost(exponent, typical, author_posts, author_impr):
    """The exposure boost of an author (1.0 when the boost is off; ``params[12]``, ``params[13]``)."""
    if exponent == 0.0:
        return 1.0
    per_post = author_impr / max(author_posts, 1)
    return power((typical + 1.0) / (per_post + 1.0), exponent)


@njit(cache=True, inline="always")
def engagement_params(params):
    """The parameters :func:`engagement_value` reads, as a tuple of floats.

    A tuple is passed by value; an array passed to an inlined function costs a
    reference count increment and decrement per call (measured in the fused
    kernel's inner loop).
    """
    return params[0], params[1], params[4], params[5], params[6], params[7], params[8], params[9]


@njit(cache=True, inline="always")
def engagement_value(pe, common, aff, decay):
    """The engagement score of one candidate from its post's :func:`engagement_common`, its
    ``1 + affinity`` and its item's :func:`engagement_decay`, in the array form's order
    (``pe``: :func:`engagement_params`)."""
    c_reply, c_lr, b_like, b_reshare, b_reply, w_like, w_reshare, w_reply = pe
    common = common * aff
    value = aff * c_reply + c_lr
    value = value * common
    b_lr = max(b_like, b_reshare)
    if common * max(b_lr, b_reply * aff) > 1.0:
        pl = min(1.0, b_like * common)
        pr = min(1.0, b_reshare * common)
        pp = min(1.0, b_reply * common * aff)
        value = w_like * pl + w_reshare * pr + w_reply * pp
    return value * decay


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
    by_score = stable_argsort(-s)
    order = by_score[stable_argsort(a[by_score])]
    run = 0
    for t in range(m):
        if t > 0 and a[order[t]] == a[order[t - 1]]:
            run += 1
        else:
            run = 0
        if run >= cap:
            score[lo + order[t]] = -np.inf
