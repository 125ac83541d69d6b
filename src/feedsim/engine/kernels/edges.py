"""Compiled upkeep of the follow edges (CSR by follower, followees sorted within a row).

Every kernel is parallel over rows (followers) or queries, each iteration writing
only its own slots, so the results do not depend on the number of threads.

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
from numba import njit, prange

__all__ = ["find_edges", "edge_rows", "decay_affinity", "keep_edges", "shown_edges", "rebuild"]


@njit(cache=True, parallel=True)
def find_edges(indptr, indices, u, v, out):
    """Edge index of ``u[i] -> v[i]`` (binary search in row ``u[i]``), or -1 where there is none."""
    for i in prange(len(u)):
        lo = indptr[u[i]]
        hi = indptr[u[i] + 1]
        t = v[i]
        res = -1
        while lo < hi:
            mid = (lo + hi) >> 1
            x = indices[mid]
            if x < t:
                lo = mid + 1
            elif x > t:
                hi = mid
            else:
                res = mid
                break
        out[i] = res


@njit(cache=True, parallel=True)
def edge_rows(indptr, out):
    """The follower (row) of every edge."""
    for u in prange(len(indptr) - 1):
        for e in range(indptr[u], indptr[u + 1]):
            out[e] = u


@njit(cache=True, parallel=True)
def decay_affinity(aff, mutual, mutual_affinity, factor):
    """``a = base + (a - base) * factor`` per edge, ``base`` the mutual affinity on mutual edges, else 0.

    The same floating-point steps as NumPy's ``a -= base; a *= factor; a += base``.
    """
    for e in prange(len(mutual)):
        base = mutual_affinity if mutual[e] else 0.0
        aff[e] = (aff[e] - base) * factor + base


@njit(cache=True, parallel=True)
def keep_edges(indptr, indices, gone, keep):
    """``keep[e]`` False for edges into or out of accounts where ``gone``; return the edges dropped."""
    n = len(indptr) - 1
    dropped = 0
    for u in prange(n):
        out_gone = gone[u]
        for e in range(indptr[u], indptr[u + 1]):
            k = not (out_gone or gone[indices[e]])
            keep[e] = k
            dropped += np.int64(not k)
    return dropped


@njit(cache=True, parallel=True)
def _count_shown(indptr, indices, gone, mask, counts):
    for u in prange(len(indptr) - 1):
        c = 0
        if not gone[u]:
            for e in range(indptr[u], indptr[u + 1]):
                if gone[indices[e]] and mask[e] != 0:
                    c += 1
        counts[u] = c


@njit(cache=True, parallel=True)
def _fill_shown(indptr, indices, gone, mask, ptr, out):
    for u in prange(len(indptr) - 1):
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


@njit(cache=True, parallel=True)
def rebuild(old_indptr, old_indices, keep, new_indptr, ins_ptr, ins_v, ins_aff, ins_mutual, ins_since,
            aff, mutual, since, mask, mask_number, impressions,
            o_indices, o_aff, o_mutual, o_since, o_mask, o_mask_number, o_impressions):
    """Write the edges of each row: its kept old edges merged with its inserted ones, by followee.

    Row ``u`` inserts ``ins_v[ins_ptr[u]:ins_ptr[u + 1]]`` (sorted, absent from the
    row) with their affinity, mutual flag and hour; inserted edges start with an
    empty shown mask and no impressions. Old edges are kept where ``keep``.
    """
    for u in prange(len(old_indptr) - 1):
        i = old_indptr[u]
        i_end = old_indptr[u + 1]
        j = ins_ptr[u]
        j_end = ins_ptr[u + 1]
        w = new_indptr[u]
        if j == j_end and new_indptr[u + 1] - w == i_end - i:  # unchanged row: plain copies
            for k in range(i_end - i):
                o_indices[w + k] = old_indices[i + k]
            for k in range(i_end - i):
                o_aff[w + k] = aff[i + k]
            for k in range(i_end - i):
                o_mutual[w + k] = mutual[i + k]
            for k in range(i_end - i):
                o_since[w + k] = since[i + k]
            for k in range(i_end - i):
                o_mask[w + k] = mask[i + k]
            for k in range(i_end - i):
                o_mask_number[w + k] = mask_number[i + k]
            for k in range(i_end - i):
                o_impressions[w + k] = impressions[i + k]
            continue
        while i < i_end or j < j_end:
            if i < i_end and not keep[i]:
                i += 1
                continue
            if j >= j_end or (i < i_end and old_indices[i] < ins_v[j]):
                o_indices[w] = old_indices[i]
                o_aff[w] = aff[i]
                o_mutual[w] = mutual[i]
                o_since[w] = since[i]
                o_mask[w] = mask[i]
                o_mask_number[w] = mask_number[i]
                o_impressions[w] = impressions[i]
                i += 1
            else:
                o_indices[w] = ins_v[j]
                o_aff[w] = ins_aff[j]
                o_mutual[w] = ins_mutual[j]
                o_since[w] = ins_since[j]
                o_mask[w] = 0
                o_mask_number[w] = 0
                o_impressions[w] = 0
                j += 1
            w += 1
