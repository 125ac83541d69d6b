"""The fused feed kernel: candidates, scores and top-k of each viewer in one pass.

For a built-in ranker (a compiled form in :mod:`.scores`) nothing per candidate
leaves the kernel: each viewer's rows are written into a small scratch block that
stays in cache (:func:`.build.viewer_rows`), scored (:func:`.scores.score_one`),
capped per author when the ranker says so, and the feed picked from them
(:func:`.select.select_rows`); only the shown items are written out. It runs the
same functions, in the same order, as the materialising path
(:func:`.build.build`, :func:`.scores.score`, :func:`.select.select`), so both give
the same feeds bit for bit.

Parallel over blocks of viewers (``prange``); each viewer writes only its own
output slots, so the result does not depend on the number of threads or on how
the viewers are blocked.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .build import viewer_bound, viewer_rows
from .scores import CHRONOLOGICAL, ENGAGEMENT, POPULARITY, RANDOM, cap_rows, score_one
from .select import select_rows, take_one

__all__ = ["fused_feeds"]


@njit(cache=True)
def _row_scratch(room):
    """Per-block scratch for ``room`` candidate rows: the columns of :func:`.build.viewer_rows` and the score."""
    return (np.empty(room, dtype=np.int64), np.empty(room, dtype=np.int64), np.empty(room, dtype=np.int64),
            np.empty(room, dtype=np.int64), np.empty(room, dtype=np.float64), np.empty(room, dtype=np.int8),
            np.empty(room, dtype=np.int64), np.empty(room, dtype=np.float64))


@njit(cache=True)
def _heap_scratch(k_room):
    """Scratch of :func:`.select.select_rows` for up to ``k_room`` items a side (``2 * k_room`` shown)."""
    return (np.empty(3 * k_room, dtype=np.float64), np.empty(6 * k_room, dtype=np.int64),
            np.empty(2 * k_room, dtype=np.int64), np.empty(2 * k_room, dtype=np.int64))


@njit(cache=True, inline="always")
def _score_block(m, code, params, now, key, tick, post_offset, v, post, author, edge, item_time,
                 affinity, engagements, followers, off_platform, author_posts, author_impr, log_table, out):
    # one loop per ranker, each with a constant code: the branch is taken once per
    # viewer, not per row (measured: chronological scoring ~100x cheaper than one
    # loop testing ``code`` per row)
    if code == CHRONOLOGICAL:
        for j in range(m):
            out[j] = score_one(CHRONOLOGICAL, params, now, key, tick, post_offset, v, post[j], author[j],
                               edge[j], item_time[j], affinity, engagements, followers, off_platform,
                               author_posts, author_impr, log_table)
    elif code == POPULARITY:
        for j in range(m):
            out[j] = score_one(POPULARITY, params, now, key, tick, post_offset, v, post[j], author[j],
                               edge[j], item_time[j], affinity, engagements, followers, off_platform,
                               author_posts, author_impr, log_table)
    elif code == RANDOM:
        for j in range(m):
            out[j] = score_one(RANDOM, params, now, key, tick, post_offset, v, post[j], author[j],
                               edge[j], item_time[j], affinity, engagements, followers, off_platform,
                               author_posts, author_impr, log_table)
    else:
        for j in range(m):
            out[j] = score_one(ENGAGEMENT, params, now, key, tick, post_offset, v, post[j], author[j],
                               edge[j], item_time[j], affinity, engagements, followers, off_platform,
                               author_posts, author_impr, log_table)


@njit(cache=True, parallel=True)
def fused_feeds(viewers, feed_size, out_ptr, n_blocks,
                indptr, indices, seen_bits, seen_base, first_seq,
                optr, opost, otime, oseq, rptr, rpost, rauthor, rtime,
                pool_post, pool_author, pool_time, table, bits, use_table, exclude_seen,
                code, params, cap, now, share, key, tick, post_offset,
                affinity, engagements, followers, off_platform, author_posts, author_impr, log_table,
                o_post, o_author, o_edge, o_kind, o_number, o_rank, n_shown, n_cand):
    """Each viewer's feed, written from ``out_ptr[i]`` (room for ``feed_size[i]`` items).

    Outputs per shown item: post (relative to the post table), author, follow edge
    (-1 if none), kind, tracked post number (-1 if none) and rank within the
    viewer's feeds (0 = best); per viewer: items shown (``n_shown``) and candidates
    considered (``n_cand``).
    """
    n = len(viewers)
    step = (n + n_blocks - 1) // n_blocks
    pool_size = len(pool_post)
    for blk in prange(n_blocks):
        first = blk * step
        last = min(n, first + step)
        room = 64
        s_post, s_author, s_via, s_edge, s_time, s_kind, s_seq, s_score = _row_scratch(room)
        k_room = 16
        buf_f, buf_i, shown, rank = _heap_scratch(k_room)
        for i in range(first, last):
            v = viewers[i]
            need = viewer_bound(v, indptr, indices, optr, rptr, pool_size)
            if need > room:
                room = max(need, 2 * room)
                s_post, s_author, s_via, s_edge, s_time, s_kind, s_seq, s_score = _row_scratch(room)
            m = viewer_rows(v, 0, indptr, indices, seen_bits, seen_base, first_seq,
                            optr, opost, otime, oseq, rptr, rpost, rauthor, rtime,
                            pool_post, pool_author, pool_time, table, bits, use_table, exclude_seen,
                            key, tick, s_post, s_author, s_via, s_edge, s_time, s_kind, s_seq)
            n_cand[i] = m
            _score_block(m, code, params, now, key, tick, post_offset, v, s_post, s_author, s_edge, s_time,
                         affinity, engagements, followers, off_platform, author_posts, author_impr, log_table,
                         s_score)
            if cap >= 0:
                cap_rows(0, m, s_author, s_score, cap)
            a, b = take_one(0, m, s_score, s_kind, feed_size[i], share)
            k = a + b
            c = max(a, b)
            if c > k_room:
                k_room = max(c, 2 * k_room)
                buf_f, buf_i, shown, rank = _heap_scratch(k_room)
            select_rows(0, m, s_score, s_kind, s_post, v, a, b, key, tick, post_offset,
                        buf_f, buf_i, shown, rank, 0)
            w = out_ptr[i]
            for t in range(k):
                j = shown[t]
                o_post[w + t] = s_post[j]
                o_author[w + t] = s_author[j]
                o_edge[w + t] = s_edge[j]
                o_kind[w + t] = s_kind[j]
                o_number[w + t] = s_seq[j]
                o_rank[w + t] = rank[t]
            n_shown[i] = k
