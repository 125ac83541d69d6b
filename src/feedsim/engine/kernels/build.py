"""Candidate building: every viewer's unseen live items, one viewer per parallel iteration.

Reads the follow graph, the live items, the seen masks and the seen hash set;
writes nothing but its outputs (state changes happen in ``mark_seen``). Output rows
of viewer ``i`` are grouped: originals (by follow edge, oldest first), then
followees' reshares (one per post: the newest, ties by a keyed draw; sorted by post),
then out-of-network trending posts (pool order).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .hashing import STREAMS, keyed_hash
from .sorting import stable_argsort

__all__ = ["ORIGINAL", "RESHARE", "OUT_OF_NETWORK", "find_in_row", "hash_slot", "hash_contains", "viewer_bound",
           "viewer_rows", "upper_bounds", "build", "compact"]

ORIGINAL, RESHARE, OUT_OF_NETWORK = 0, 1, 2
_RESHARE_TIE = STREAMS["reshare_tie"]
_GOLDEN = np.int64(0x9E3779B97F4A7C15 - (1 << 64))


@njit(cache=True, inline="always")
def find_in_row(indices, lo, hi, target):
    """Position of ``target`` in the sorted slice ``indices[lo:hi]``, or -1."""
    while lo < hi:
        mid = (lo + hi) >> 1
        v = indices[mid]
        if v < target:
            lo = mid + 1
        elif v > target:
            hi = mid
        else:
            return mid
    return -1


@njit(cache=True, inline="always")
def hash_slot(bits, key):
    """The slot where the search for ``key`` starts in a table of ``2**bits`` slots."""
    return ((key * _GOLDEN) >> np.int64(64 - bits)) & ((np.int64(1) << bits) - 1)


@njit(cache=True, inline="always")
def hash_contains(table, bits, key):
    """Whether ``key`` is in the open-addressing table of :class:`~feedsim.engine.arrays.HashSet`."""
    mask = (np.int64(1) << bits) - 1
    pos = hash_slot(bits, key)
    while True:
        v = table[pos]
        if v == key:
            return True
        if v == -1:
            return False
        pos = (pos + 1) & mask


@njit(cache=True, parallel=True)
def upper_bounds(viewers, indptr, indices, optr, rptr, pool_size):
    """Per viewer: live originals plus live reshares of its followees, plus the pool size."""
    n = len(viewers)
    out = np.empty(n, dtype=np.int64)
    for i in prange(n):
        out[i] = viewer_bound(viewers[i], indptr, indices, optr, rptr, pool_size)
    return out


@njit(cache=True)
def _sort_by_post(lo, hi, post, author, via, time):
    """Stable sort of rows ``lo:hi`` by post, in place (insertion sort for short runs)."""
    m = hi - lo
    if m <= 32:
        for j in range(lo + 1, hi):
            p, a, v, t = post[j], author[j], via[j], time[j]
            k = j - 1
            while k >= lo and post[k] > p:
                post[k + 1], author[k + 1], via[k + 1], time[k + 1] = post[k], author[k], via[k], time[k]
                k -= 1
            post[k + 1], author[k + 1], via[k + 1], time[k + 1] = p, a, v, t
        return
    order = stable_argsort(post[lo:hi])
    tp, ta, tv, tt = post[lo:hi].copy(), author[lo:hi].copy(), via[lo:hi].copy(), time[lo:hi].copy()
    for j in range(m):  # element by element: no array-expression shape checks to compile
        o = order[j]
        post[lo + j], author[lo + j], via[lo + j], time[lo + j] = tp[o], ta[o], tv[o], tt[o]


@njit(cache=True, inline="always")
def viewer_bound(v, indptr, indices, optr, rptr, pool_size):
    """Most rows viewer ``v`` can have: its followees' live originals and reshares, plus the pool."""
    total = pool_size
    for e in range(indptr[v], indptr[v + 1]):
        f = indices[e]
        total += optr[f + 1] - optr[f] + rptr[f + 1] - rptr[f]
    return total


@njit(cache=True)
def viewer_rows(v, w, indptr, indices, masks, mask_number, first_number,
                optr, opost, otime, onumber, rptr, rpost, rauthor, rtime,
                pool_post, pool_author, pool_time, table, bits, use_table, exclude_seen,
                key, tick, c_post, c_author, c_via, c_edge, c_time, c_kind, c_number):
    """Write viewer ``v``'s rows into the ``c_*`` arrays from row ``w``; return the end row.

    Post ids are relative to the post table; keys of the seen hash set and the
    tie-break draws use ``(viewer << 32) | post`` with relative and global ids
    respectively. Needs room for :func:`viewer_bound` rows.
    """
    row_lo, row_hi = indptr[v], indptr[v + 1]
    vkey = np.int64(v) << np.int64(32)
    # -- followees' own posts
    for e in range(row_lo, row_hi):
        f = indices[e]
        lo, hi = optr[f], optr[f + 1]
        if lo == hi:
            continue
        mask = np.uint64(0)
        if exclude_seen:
            shift = first_number[f] - mask_number[e]
            if shift < 64:
                mask = masks[e] >> np.uint64(shift)
        for k in range(hi - lo):
            item = lo + k
            s = onumber[item]
            p = opost[item]
            if exclude_seen:
                if s >= 0:
                    if (mask >> np.uint64(k)) & np.uint64(1):
                        continue
                elif use_table and hash_contains(table, bits, vkey | p):
                    continue
            c_post[w] = p
            c_author[w] = f
            c_via[w] = f
            c_edge[w] = e
            c_time[w] = otime[item]
            c_kind[w] = ORIGINAL
            c_number[w] = s
            w += 1
    # -- followees' reshares: one per post, the newest (ties by a keyed draw)
    r0 = w
    for e in range(row_lo, row_hi):
        f = indices[e]
        for item in range(rptr[f], rptr[f + 1]):
            a = rauthor[item]
            if a == v:
                continue
            p = rpost[item]
            if exclude_seen and use_table and hash_contains(table, bits, vkey | p):
                continue
            if find_in_row(indices, row_lo, row_hi, a) >= 0:
                continue  # the viewer follows the author: the original is the candidate
            c_post[w] = p
            c_author[w] = a
            c_via[w] = f
            c_time[w] = rtime[item]
            w += 1
    m = w - r0
    if m > 1:
        _sort_by_post(r0, w, c_post, c_author, c_via, c_time)
        out = r0
        j = r0
        while j < w:
            best = j
            bh = keyed_hash(key, _RESHARE_TIE, tick, v, c_via[j])
            j2 = j + 1
            while j2 < w and c_post[j2] == c_post[j]:
                h = keyed_hash(key, _RESHARE_TIE, tick, v, c_via[j2])
                if c_time[j2] > c_time[best] or (c_time[j2] == c_time[best] and h > bh):
                    best = j2
                    bh = h
                j2 += 1
            # out <= j <= best: rows not yet read are never overwritten
            c_post[out] = c_post[best]
            c_author[out] = c_author[best]
            c_via[out] = c_via[best]
            c_time[out] = c_time[best]
            out += 1
            j = j2
        w = out
    for j in range(r0, w):
        c_edge[j] = -1
        c_kind[j] = RESHARE
        c_number[j] = -1
    r1 = w
    # -- out of network: the trending pool
    for j in range(len(pool_post)):
        p = pool_post[j]
        a = pool_author[j]
        if a == v:
            continue
        if exclude_seen and use_table and hash_contains(table, bits, vkey | p):
            continue
        if find_in_row(indices, row_lo, row_hi, a) >= 0:
            continue
        if r1 > r0 and find_in_row(c_post, r0, r1, p) >= 0:
            continue  # already a candidate through a followee's reshare
        c_post[w] = p
        c_author[w] = a
        c_via[w] = a
        c_edge[w] = -1
        c_time[w] = pool_time[j]
        c_kind[w] = OUT_OF_NETWORK
        c_number[w] = -1
        w += 1
    return w


@njit(cache=True, parallel=True)
def build(viewers, ub_ptr, indptr, indices, masks, mask_number, first_number,
          optr, opost, otime, onumber, rptr, rpost, rauthor, rtime,
          pool_post, pool_author, pool_time, table, bits, use_table, exclude_seen,
          key, tick, post_offset,
          c_post, c_author, c_via, c_edge, c_time, c_kind, c_number):
    """Fill each viewer's rows from ``ub_ptr[i]`` (:func:`viewer_rows`); return the number written per viewer."""
    n = len(viewers)
    count = np.empty(n, dtype=np.int64)
    for i in prange(n):
        end = viewer_rows(viewers[i], ub_ptr[i], indptr, indices, masks, mask_number, first_number,
                          optr, opost, otime, onumber, rptr, rpost, rauthor, rtime,
                          pool_post, pool_author, pool_time, table, bits, use_table, exclude_seen,
                          key, tick, c_post, c_author, c_via, c_edge, c_time, c_kind, c_number)
        count[i] = end - ub_ptr[i]
    return count


@njit(cache=True, parallel=True)
def compact(src_ptr, count, dst_ptr, a, b, c, d, e, f, g, oa, ob, oc, od, oe, of, og):
    """Copy each viewer's ``count[i]`` rows from ``src_ptr[i]`` to ``dst_ptr[i]`` (7 columns)."""
    for i in prange(len(count)):
        s, t = src_ptr[i], dst_ptr[i]
        for k in range(count[i]):
            oa[t + k] = a[s + k]
            ob[t + k] = b[s + k]
            oc[t + k] = c[s + k]
            od[t + k] = d[s + k]
            oe[t + k] = e[s + k]
            of[t + k] = f[s + k]
            og[t + k] = g[s + k]
