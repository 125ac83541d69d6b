"""Posting and the live items, in compiled passes whose work follows the tick's posts.

:func:`post_uniforms` draws the uniforms of every post of a tick from the keyed
hash (the same bits as :func:`.draws.post_uniforms`), parallel over accounts, each
writing its own posts' slots; :func:`number_posts` numbers the tick's posts per
author in creation order; :func:`merge_live` rebuilds a set of live items grouped
by account in one pass, dropping expired items and adding the tick's new ones.

Examples
--------
>>> import numpy as np
>>> counts = np.array([2, 0, 1])
>>> ptr = np.array([0, 2, 2, 3])
>>> authors, u = np.empty(3, np.int64), np.empty((4, 3))
>>> post_uniforms(np.uint64(7), 6, 0, counts, ptr, authors, u)
>>> authors.tolist(), bool(((u >= 0) & (u < 1)).all())
([0, 0, 2], True)
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .hashing import keyed_uniform
from .sorting import sort_index_run, sort_run

__all__ = ["post_uniforms", "uniform_order", "group_by_author", "number_posts", "merge_live"]


@njit(cache=True, parallel=True)
def post_uniforms(key, stream, tick, counts, ptr, authors, u):
    """Authors and four uniforms per post: account ``i``'s posts fill ``ptr[i]:ptr[i + 1]``.

    ``u[c, j]`` is component ``c`` of post ``j`` (0: offset in the tick, 1 and 2: the
    appeal's normal by Box-Muller, 3: the link flag), keyed by (stream, tick,
    account, ``index << 2 | c``) with ``index`` the post's number within the
    account's posts of the tick.
    """
    for i in prange(len(counts)):
        lo = ptr[i]
        for j in range(counts[i]):
            w = lo + j
            authors[w] = i
            for c in range(4):
                u[c, w] = keyed_uniform(key, stream, tick, i, (np.int64(j) << np.int64(2)) | c)


@njit(cache=True)
def uniform_order(x):
    """``np.argsort(x, kind="stable")`` for values in [0, 1), in linear expected time.

    A counting pass into ``len(x)`` equal-width buckets, then an insertion sort
    within each bucket (about one value each for uniform draws); equal values keep
    their order.

    Examples
    --------
    >>> x = np.array([0.5, 0.1, 0.5, 0.99, 0.0])
    >>> uniform_order(x).tolist() == np.argsort(x, kind="stable").tolist()
    True
    """
    m = len(x)
    order = np.empty(m, dtype=np.int64)
    if m == 0:
        return order
    start = np.zeros(m + 1, dtype=np.int64)
    for i in range(m):
        start[min(np.int64(x[i] * m), m - 1) + 1] += 1
    for b in range(m):
        start[b + 1] += start[b]
    pos = start[:m].copy()
    for i in range(m):
        b = min(np.int64(x[i] * m), m - 1)
        order[pos[b]] = i
        pos[b] += 1
    for b in range(m):
        lo, hi = start[b], start[b + 1]
        sort_index_run(order, x, lo, hi)
    return order


@njit(cache=True)
def group_by_author(ptr, rank, out):
    """Rows of the tick's posts grouped by author, each author's in creation order.

    ``ptr`` delimits each account's posts in draw order and ``rank[j]`` is the row
    (creation rank) of draw ``j``: writes the rows of each group sorted.
    """
    for i in range(len(ptr) - 1):
        lo, hi = ptr[i], ptr[i + 1]
        for j in range(lo, hi):
            out[j] = rank[j]
        sort_run(out, lo, hi)


@njit(cache=True)
def number_posts(authors, user_posts, day_posts, first_number, window, number):
    """Number the tick's posts (in creation order) per author and count them.

    A post's number is its author's count of posts so far; it is kept in
    ``number`` when within ``window`` of the author's first live post number (the
    post can be tracked in the follow edges' masks), else -1.
    """
    for i in range(len(authors)):
        a = authors[i]
        k = user_posts[a]
        number[i] = k if k < first_number[a] + window else -1
        user_posts[a] = k + 1
        day_posts[a] += 1


@njit(cache=True)
def merge_live(post, author, via, time, number, first_live, n_post, n_author, n_via, n_time, n_number,
               o_post, o_author, o_via, o_time, o_number, ptr, dropped):
    """Items grouped by ``via``: the live old ones, then the new ones, into the ``o_*`` arrays.

    Items (old ones sorted by ``via``; new ones sorted by ``via``, oldest first
    within one, following the old items of their ``via``) whose post row is below
    ``first_live`` are dropped, their ``via`` written to ``dropped`` (room for
    every item). Writes the CSR
    pointers by ``via`` into ``ptr`` (length accounts + 1) and returns the number
    of items kept and of items dropped.
    """
    i = 0
    j = 0
    w = 0
    d = 0
    n_old = len(post)
    n_new = len(n_post)
    n_rows = len(ptr) - 1
    for v in range(n_rows + 1):
        ptr[v] = 0
    while i < n_old or j < n_new:
        if j >= n_new or (i < n_old and via[i] <= n_via[j]):
            if post[i] < first_live:
                dropped[d] = via[i]
                d += 1
            else:
                o_post[w] = post[i]
                o_author[w] = author[i]
                o_via[w] = via[i]
                o_time[w] = time[i]
                o_number[w] = number[i]
                ptr[via[i] + 1] += 1
                w += 1
            i += 1
        else:
            if n_post[j] < first_live:
                dropped[d] = n_via[j]
                d += 1
            else:
                o_post[w] = n_post[j]
                o_author[w] = n_author[j]
                o_via[w] = n_via[j]
                o_time[w] = n_time[j]
                o_number[w] = n_number[j]
                ptr[n_via[j] + 1] += 1
                w += 1
            j += 1
    for v in range(n_rows):
        ptr[v + 1] += ptr[v]
    return w, d
