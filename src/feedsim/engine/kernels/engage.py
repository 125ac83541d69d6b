"""Engagement draws and counts of one tick's impressions, in one compiled pass.

Each impression (viewer, post, tick) draws its like, reshare and reply from a keyed
hash (:mod:`.hashing`), so the same impression under two rankers on one seed is
engaged with the same way (common random numbers), and the draws do not depend on
the order of impressions or on the number of threads. Counts are added in the
order of the impressions (a serial loop: the scatter-adds of several impressions
of one post must not race).

Examples
--------
>>> import numpy as np
>>> from feedsim.engine.kernels.hashing import keyed_uniform_np, STREAMS
>>> u = keyed_uniform_np(np.uint64(1), STREAMS["like"], 0, np.array([3]), np.array([7]))
>>> bool(0.0 <= u[0] < 1.0)
True
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .hashing import STREAMS, keyed_uniform

__all__ = ["engage_counts"]

_LIKE, _RESHARE, _REPLY = STREAMS["like"], STREAMS["reshare"], STREAMS["reply"]


@njit(cache=True)
def engage_counts(key, tick, post_offset, viewer, post, author, slot, aff1, slot_weight, propensity, appeal,
                  sponsored, like_rate, reshare_rate, reply_rate,
                  likes, reshares, replies, engagements,
                  user_engagements, day_engagements, day_organic, user_engaged, day_engaged,
                  like, reshare, reply):
    """Draw each impression's actions and add them to the post and account counters.

    ``aff1`` is ``1 + affinity`` of the viewer to the author (1 when it does not
    follow), ``slot_weight`` the attention weight of each feed slot, ``post`` indexes the post table
    (``post + post_offset`` is the global id the draws are keyed by). Writes the
    boolean outputs ``like``, ``reshare``, ``reply`` and returns the number of
    impressions with at least one action.
    """
    n_engaged = 0
    for i in range(len(post)):
        v = viewer[i]
        p = post[i]
        a = author[i]
        g = p + post_offset
        base = propensity[v] * appeal[p] * aff1[i] * slot_weight[slot[i]]
        lk = keyed_uniform(key, _LIKE, tick, v, g) < min(1.0, like_rate * base)
        rs = keyed_uniform(key, _RESHARE, tick, v, g) < min(1.0, reshare_rate * base)
        rp = keyed_uniform(key, _REPLY, tick, v, g) < min(1.0, reply_rate * base * aff1[i])
        like[i] = lk
        reshare[i] = rs
        reply[i] = rp
        n = np.int64(lk) + np.int64(rs) + np.int64(rp)
        if n == 0:
            continue
        n_engaged += 1
        likes[p] += np.int64(lk)
        reshares[p] += np.int64(rs)
        replies[p] += np.int64(rp)
        engagements[p] += n
        user_engagements[a] += n
        day_engagements[a] += n
        if not sponsored[p]:  # campaign posts do not count as a creator's response
            day_organic[a] += n
        user_engaged[v] += n
        day_engaged[v] += n
    return n_engaged
