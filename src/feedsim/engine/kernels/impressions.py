"""The tick's impressions: counters and what was shown, in compiled passes over the feeds.

Each pass reads the feeds (one row per impression: viewer, post row, author,
kind, follow edge, tracked post number) and adds to counters by index; integer
additions commute, so the result does not depend on the order of the rows.

Examples
--------
>>> import numpy as np
>>> imp, fol = np.zeros(3, np.int64), np.zeros(3, np.int64)
>>> acc_total, acc_day, pairs = np.zeros(2, np.int64), np.zeros(2, np.int64), np.zeros(2, np.int32)
>>> count_impressions(np.array([2, 2]), np.array([1, 1]), np.array([0, -1]), np.array([0, 1], np.int8),
...                   np.array([0.0, 0.0, 5.0]), np.array([1.0, 0.0]), imp, fol, acc_total, acc_day, pairs)
>>> imp.tolist(), fol.tolist(), acc_total.tolist(), pairs.tolist()
([0, 0, 2], [0, 0, 1], [0, 2], [1, 0])
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .build import ORIGINAL

__all__ = ["count_impressions", "mark_masks"]


@njit(cache=True)
def count_impressions(post, author, edge, kind, created, since, impressions, follower_impressions,
                      user_impressions, day_impressions, edge_impressions):
    """Add each impression to its post's and author's counters and to its follow edge's count.

    ``post`` are rows of the post table (``created`` hours, ``impressions`` and
    ``follower_impressions`` by row); ``edge`` the viewer -> author follow edge
    (-1 for reshares and out-of-network posts, which have none); ``since`` the hour
    each edge took effect. An original post's impression counts towards follower
    reach when the viewer followed the author when the post was created.
    ``edge_impressions`` counts impressions per follow edge (the viewer-author
    pairs along edges).
    """
    # three simple loops rather than one: each keeps its few scattered writes in
    # flight together (measured 2026-12-07, 1M impressions at 100k accounts: 10.5 ms
    # against 16.5 ms for one loop and 14.4 ms for NumPy bincounts)
    for i in range(len(post)):
        impressions[post[i]] += 1
    for i in range(len(post)):
        e = edge[i]
        if e >= 0:
            edge_impressions[e] += 1
            r = post[i]
            if kind[i] == ORIGINAL and since[e] <= created[r]:
                follower_impressions[r] += 1
    for i in range(len(post)):
        a = author[i]
        user_impressions[a] += 1
        day_impressions[a] += 1


@njit(cache=True)
def mark_masks(edge, number, author, first_number, mask, mask_number):
    """Set the mask bit of every shown tracked post (``number >= 0``) on its follow edge.

    Each edge's mask is first shifted so that bit 0 is the author's first live
    post number (``first_number``; expired posts drop out), then the post's bit
    is set. Rows with ``number < 0`` are skipped (they go to the seen hash set).
    """
    for i in range(len(edge)):
        k = number[i]
        if k < 0:
            continue
        e = edge[i]
        first = first_number[author[i]]
        shift = first - mask_number[e]
        if shift != 0:
            mask[e] = mask[e] >> np.uint64(shift) if shift < 64 else np.uint64(0)
            mask_number[e] = first
        mask[e] |= np.uint64(1) << np.uint64(k - first)
