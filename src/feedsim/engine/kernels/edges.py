"""Compiled upkeep of the follow edges (CSR by follower, followees sorted within a row).

They run at most once a day or on a tick's few new follows, so they are serial
(each parallel kernel adds about half a second of compiling on first use).
Removing and inserting edges move them in place (:func:`compact`,
:func:`insert`): one pass over the edges, no second copy.

Examples
--------
>>> import numpy as np
>>> indptr, indices = np.array([0, 2, 3, 3]), np.array([1, 2, 0], dtype=np.int32)
>>> out = np.empty(3, np.int64)
>>> find_edges(indptr, indices, np.array([0, 1, 2]), np.array([2, 2, 0]), out)
>>> out.tolist()
[1, -1, -1]
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .build import find_in_row
from .hashing import keyed_uniform

__all__ = ["find_edges", "edge_rows", "decay_affinity", "keep_edges", "weakest_ties", "shown_edges", "compact",
           "insert"]


@njit(cache=True)
def find_edges(indptr, indices, u, v, out):
    """Edge index of ``u[i] -> v[i]`` (binary search in row ``u[i]``), or -1 where there is none."""
    for i in range(len(u)):
        out[i] = find_in_row(indices, indptr[u[i]], indptr[u[i] + 1], v[i])


@njit(cache=True)
def edge_rows(indptr, out):
    """The follower (row) of every edge."""
    for u in range(len(indptr) - 1):
        for e in range(indptr[u], indptr[u + 1]):
            out[e] = u


@njit(cache=True)
def decay_affinity(aff, mutual, mutual_affinity, factor):
    """``a = base + (a - base) * factor`` per edge, ``base`` the mutual affinity on mutual edges, else 0.

    The same floating-point steps as NumPy's ``a -= base; a *= factor; a += base``.
    """
    for e in range(len(mutual)):
        base = mutual_affinity if mutual[e] else 0.0
        aff[e] = (aff[e] - base) * factor + base


@njit(cache=True)
def keep_edges(indptr, indices, gone, keep):
    """``keep[e]`` False for edges into or out of accounts where ``gone``; return the edges dropped."""
    dropped = 0
    for u in range(len(indptr) - 1):
        out_gone = gone[u]
        for e in range(indptr[u], indptr[u + 1]):
            k = not (out_gone or gone[indices[e]])
            keep[e] = k
            if not k:
                dropped += 1
    return dropped


@njit(cache=True)
def weakest_ties(indptr, indices, aff, mutual, mutual_affinity, since, before, drop, key, stream, day, keep):
    """Mark (``keep[e] = False``) the ``drop[u]`` weakest ties of each follower ``u``; return how many.

    Only edges that took effect before hour ``before`` are candidates. A tie's
    strength is its affinity above its baseline (``mutual_affinity`` on mutual
    edges, else 0): the interaction it had recently. Equal strengths (e.g. ties
    with no recent interaction) are broken by a keyed uniform draw per
    (``day``, follower, followee), so the choice does not depend on edge order.
    ``keep`` must be True on entry.
    """
    dropped = 0
    for u in range(len(indptr) - 1):
        k = drop[u]
        lo, hi = indptr[u], indptr[u + 1]
        while k > 0:
            best = -1
            best_s = np.inf
            best_t = np.inf
            for e in range(lo, hi):
                if not keep[e] or since[e] >= before:
                    continue
                s = aff[e] - (mutual_affinity if mutual[e] else 0.0)
                if s < best_s:
                    best, best_s, best_t = e, s, keyed_uniform(key, stream, day, u, indices[e])
                elif s == best_s:
                    t = keyed_uniform(key, stream, day, u, indices[e])
                    if t < best_t:
                        best, best_s, best_t = e, s, t
            if best < 0:
                break
            keep[best] = False
            dropped += 1
            k -= 1
    return dropped


@njit(cache=True)
def _count_shown(indptr, indices, gone, mask, counts):
    for u in range(len(indptr) - 1):
        c = 0
        if not gone[u]:
            for e in range(indptr[u], indptr[u + 1]):
                if gone[indices[e]] and mask[e] != 0:
                    c += 1
        counts[u] = c


@njit(cache=True)
def _fill_shown(indptr, indices, gone, mask, ptr, out):
    for u in range(len(indptr) - 1):
        w = ptr[u]
        if w == ptr[u + 1]:
            continue
        for e in range(indptr[u], indptr[u + 1]):
            if gone[indices[e]] and mask[e] != 0:
                out[w] = e
                w += 1


def shown_edges(indptr, indices, gone, mask):
    """Edges from accounts that stay to accounts where ``gone``, whose shown mask is not empty (sorted)."""
    counts = np.empty(len(indptr) - 1, dtype=np.int64)
    _count_shown(indptr, indices, gone, mask, counts)
    ptr = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=ptr[1:])
    out = np.empty(int(ptr[-1]), dtype=np.int64)
    _fill_shown(indptr, indices, gone, mask, ptr, out)
    return out


@njit(cache=True, inline="always")
def _move_edge(w, e, indices, aff, mutual, since, mask, mask_number, impressions):
    """Copy edge ``e``'s row of every per-edge array to position ``w``."""
    indices[w] = indices[e]
    aff[w] = aff[e]
    mutual[w] = mutual[e]
    since[w] = since[e]
    mask[w] = mask[e]
    mask_number[w] = mask_number[e]
    impressions[w] = impressions[e]


@njit(cache=True)
def compact(keep, indices, aff, mutual, since, mask, mask_number, impressions):
    """Move the edges where ``keep`` to the front, in order, in place (every per-edge array); return how many."""
    w = 0
    for e in range(len(keep)):
        if keep[e]:
            if w != e:
                _move_edge(w, e, indices, aff, mutual, since, mask, mask_number, impressions)
            w += 1
    return w


@njit(cache=True)
def insert(old_indptr, new_indptr, ins_ptr, ins_v, ins_aff, ins_mutual, ins_since,
           indices, aff, mutual, since, mask, mask_number, impressions):
    """Merge inserted edges into each row, in place, from the last row backwards.

    Row ``u`` gains ``ins_v[ins_ptr[u]:ins_ptr[u + 1]]`` (sorted, absent from the
    row) with their affinity, mutual flag and hour, an empty shown mask and no
    impressions. The arrays must hold ``new_indptr[-1]`` edges. Every write lands
    at or after the position it overwrites is read from (rows only move towards
    the end), so no second copy of the edges is needed; rows before the first row
    with an insertion do not move.
    """
    for u in range(len(old_indptr) - 2, -1, -1):
        if new_indptr[u + 1] == old_indptr[u + 1]:
            break  # no insertion here or before: the rest stays where it is
        lo = old_indptr[u]
        i = old_indptr[u + 1] - 1
        j_lo = ins_ptr[u]
        j = ins_ptr[u + 1] - 1
        w = new_indptr[u + 1] - 1
        while j >= j_lo:
            if i >= lo and indices[i] > ins_v[j]:
                _move_edge(w, i, indices, aff, mutual, since, mask, mask_number, impressions)
                i -= 1
            else:
                indices[w] = ins_v[j]
                aff[w] = ins_aff[j]
                mutual[w] = ins_mutual[j]
                since[w] = ins_since[j]
                mask[w] = 0
                mask_number[w] = 0
                impressions[w] = 0
                j -= 1
            w -= 1
        if w != i:
            while i >= lo:
                _move_edge(w, i, indices, aff, mutual, since, mask, mask_number, impressions)
                i -= 1
                w -= 1
