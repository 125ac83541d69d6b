"""Engagement draws and counts of one tick's impressions, in compiled passes.

Each impression (viewer, post, tick) draws its like, reshare and reply from a keyed
hash (:mod:`.hashing`), so the same impression under two rankers on one seed is
engaged with the same way (common random numbers), and the draws do not depend on
the order of impressions or on the number of threads: :func:`draw_actions` runs in
parallel over the impressions, each writing only its own flags. The counts of the
engaged impressions are then added in one serial pass (:func:`add_engagements`;
the scatter-adds of several impressions of one post must not race).

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
from numba import njit, prange

from .hashing import STREAMS, keyed_uniform

__all__ = ["draw_actions", "add_engagements"]

_LIKE, _RESHARE, _REPLY = STREAMS["like"], STREAMS["reshare"], STREAMS["reply"]


@njit(cache=True, parallel=True)
def draw_actions(key, tick, post_offset, viewer, post, edge, slot, affinity, slot_weight, propensity, appeal,
                 like_rate, reshare_rate, reply_rate, actions):
    """Draw each impression's like (bit 0), reshare (bit 1) and reply (bit 2) into ``actions``.

    The chance of each action is ``rate * propensity[viewer] * appeal[post] * (1 +
    affinity[edge]) * slot_weight[slot]`` (clipped to 1), with a second ``1 +
    affinity`` for replies; ``affinity[-1]`` is the 0.0 of an impression without a
    follow edge. ``post`` indexes the post table (``post + post_offset`` is the
    global id the draws are keyed by).
    """
    for i in prange(len(post)):
        v = viewer[i]
        p = post[i]
        g = p + post_offset
        aff1 = affinity[edge[i]] + 1.0
        base = propensity[v] * appeal[p] * aff1 * slot_weight[slot[i]]
        lk = keyed_uniform(key, _LIKE, tick, v, g) < min(1.0, like_rate * base)
        rs = keyed_uniform(key, _RESHARE, tick, v, g) < min(1.0, reshare_rate * base)
        rp = keyed_uniform(key, _REPLY, tick, v, g) < min(1.0, reply_rate * base * aff1)
        # no reduction over the loop: it would add about 2 s of compiling on first use
        actions[i] = np.int8(lk) | (np.int8(rs) << np.int8(1)) | (np.int8(rp) << np.int8(2))


@njit(cache=True)
def add_engagements(which, actions, viewer, post, author, sponsored, likes, reshares, replies, engagements,
                    user_engagements, day_engagements, day_organic, user_engaged, day_engaged):
    """Add the actions of the engaged impressions ``which`` to the post and account counters.

    Campaign (sponsored) posts do not count towards their author's organic response.
    """
    for j in range(len(which)):
        i = which[j]
        a = actions[i]
        lk = np.int64(a & 1)
        rs = np.int64((a >> 1) & 1)
        rp = np.int64((a >> 2) & 1)
        n = lk + rs + rp
        p = post[i]
        likes[p] += lk
        reshares[p] += rs
        replies[p] += rp
        engagements[p] += n
        au = author[i]
        user_engagements[au] += n
        day_engagements[au] += n
        if not sponsored[p]:
            day_organic[au] += n
        v = viewer[i]
        user_engaged[v] += n
        day_engaged[v] += n
