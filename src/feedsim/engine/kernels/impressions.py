"""The tick's impressions: counters and what was shown, in compiled passes over the feeds.

Each pass reads the feeds (one row per impression, grouped by viewer: viewer,
post row, author, kind, follow edge, tracked post number) and adds to counters
by index; integer additions commute, so the result does not depend on the order
of the rows. Per-edge updates run in parallel over blocks of viewers (an edge
belongs to one viewer); per-post and per-author ones in one serial pass.

Examples
--------
>>> import numpy as np
>>> imp, fol = np.zeros(3, np.int64), np.zeros(3, np.int64)
>>> acc_total, acc_day, off = np.zeros(2, np.int64), np.zeros(2, np.int64), np.empty(2, np.int64)
>>> count_impressions(np.array([0, 0]), np.array([2, 2]), np.array([1, 1]), np.array([0, -1]),
...                   np.array([0, 1], np.int8), np.array([0.0, 0.0, 5.0]), np.array([1.0, 0.0]), imp, fol,
...                   acc_total, acc_day, off)
1
>>> imp.tolist(), fol.tolist(), acc_total.tolist(), off[:1].tolist()
([0, 0, 2], [0, 0, 1], [0, 2], [1])
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .build import ORIGINAL

__all__ = ["count_impressions", "viewer_blocks", "count_edges", "mark_masks"]


@njit(cache=True)
def count_impressions(viewer, post, author, edge, kind, created, since, impressions, follower_impressions,
                      user_impressions, day_impressions, off_keys):
    """Add each impression to its post's and author's counters.

    ``post`` are rows of the post table (``created`` hours, ``impressions`` and
    ``follower_impressions`` by row); ``edge`` the viewer -> author follow edge
    (-1 for reshares and out-of-network posts, which have none); ``since`` the hour
    each edge took effect. An original post's impression counts towards follower
    reach when the viewer followed the author when the post was created. The
    ``(viewer << 32) | author`` keys of the impressions without a follow edge are
    written to ``off_keys``; returns how many.
    """
    # simple loops rather than one: each keeps its few scattered writes in flight
    # together (measured 2026-12-07, 1M impressions at 100k accounts: 10.5 ms for
    # three loops against 16.5 ms for one and 14.4 ms for NumPy bincounts)
    for i in range(len(post)):
        impressions[post[i]] += 1
    n_off = 0
    for i in range(len(post)):
        e = edge[i]
        if e >= 0:
            r = post[i]
            if kind[i] == ORIGINAL and since[e] <= created[r]:
                follower_impressions[r] += 1
        else:
            off_keys[n_off] = (viewer[i] << 32) | author[i]
            n_off += 1
    for i in range(len(post)):
        a = author[i]
        user_impressions[a] += 1
        day_impressions[a] += 1
    return n_off


def viewer_blocks(viewer, n_blocks: int):
    """Boundaries of about ``n_blocks`` slices of rows grouped by ``viewer``, cut only where the viewer changes.

    Examples
    --------
    >>> viewer_blocks(np.array([0, 0, 1, 1, 1, 4, 4]), 3).tolist()
    [0, 2, 5, 7]
    >>> viewer_blocks(np.array([3]), 4).tolist()
    [0, 1]
    """
    m = len(viewer)
    if m == 0:
        return np.zeros(1, dtype=np.int64)
    # move each cut forward to the first row of a new viewer
    change = np.flatnonzero(viewer[1:] != viewer[:-1]) + 1
    if len(change) == 0:
        return np.array([0, m], dtype=np.int64)
    cut = np.linspace(0, m, n_blocks + 1).astype(np.int64)[1:-1]
    at = np.searchsorted(change, cut)
    cut = np.where(at < len(change), change[np.minimum(at, len(change) - 1)], m)
    return np.unique(np.concatenate([[0], cut, [m]])).astype(np.int64)


@njit(cache=True, parallel=True)
def count_edges(blocks, edge, edge_impressions):
    """Count each impression on its follow edge (``edge >= 0``), parallel over blocks of viewers.

    ``blocks`` cut the rows only where the viewer changes, so no two blocks touch
    one edge (an edge belongs to its follower).
    """
    for b in prange(len(blocks) - 1):
        for i in range(blocks[b], blocks[b + 1]):
            e = edge[i]
            if e >= 0:
                edge_impressions[e] += 1


@njit(cache=True, parallel=True)
def mark_masks(blocks, edge, number, author, first_number, mask, mask_number):
    """Set the mask bit of every shown tracked post (``number >= 0``) on its follow edge.

    Each edge's mask is first shifted so that bit 0 is the author's first live
    post number (``first_number``; expired posts drop out), then the post's bit
    is set. Rows with ``number < 0`` are skipped (they go to the seen hash set).
    Parallel over ``blocks`` of rows cut where the viewer changes (see
    :func:`count_edges`).
    """
    for b in prange(len(blocks) - 1):
        for i in range(blocks[b], blocks[b + 1]):
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
