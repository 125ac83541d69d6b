"""Segmented top-k: pick each viewer's best candidates from one flat score array.

Candidates arrive grouped by viewer (CSR offsets). Viewers are bucketed by their
number of candidates and the number to keep (powers of two); each bucket is
padded into a dense block and reduced with ``np.argpartition`` along rows, then
only the kept columns are sorted. The cost is linear in the number of candidates plus ``k log k`` per
viewer, with one Python iteration per bucket (a handful), never per viewer.

The engine breaks ties by a random jitter of at most 65535 units in the last
place (:func:`jitter`), so equal scores are ordered at random but reproducibly,
and scores that differ by more than about 1.5e-11 relative are never swapped;
:func:`topk_segments` itself resolves exact ties deterministically.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

_TINY = np.float64(2.0**-1074)  # the smallest positive double

__all__ = ["jitter", "topk_segments", "rank_in_blocks", "segmented_topk"]


def jitter(scores: NDArray[np.float64], u: NDArray[np.float64]) -> NDArray[np.float64]:
    """Scale each score by ``1 + floor(65536 u) * 2**-52`` (random tie-break).

    Equal scores are reordered at random (reproducibly, given ``u``); scores whose
    relative difference exceeds ``2**-36`` (about 1.5e-11) keep their order. Exact
    zeros get an additive jitter among the smallest subnormals (below 3.3e-319),
    so tied zeros are ordered at random too.

    Examples
    --------
    >>> s = jitter(np.array([1.0, 1.0]), np.array([0.1, 0.9]))
    >>> bool(s[1] > s[0]), bool(abs(s[1] - 1.0) < 2e-11)
    (True, True)
    """
    level = np.floor(u * 65536.0)
    out = scores * (1.0 + level * 2.0**-52)
    zero = scores == 0
    if zero.any():
        out[zero] = level[zero] * _TINY  # zeros: an additive jitter among subnormals
    return out


def topk_segments(
    ptr: NDArray[np.int64], key: NDArray[np.float64], k: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Top ``k[s]`` candidates of every segment ``s`` by descending ``key``.

    Parameters
    ----------
    ptr : ndarray of int64, shape (n_segments + 1,)
        CSR offsets: segment ``s`` holds candidates ``ptr[s]:ptr[s + 1]``.
    key : ndarray of float64, shape (n_candidates,)
        Finite scores, higher first. Exactly equal scores are resolved in a
        deterministic but unspecified order (jitter first for random ties).
    k : ndarray of int, shape (n_segments,)
        How many to keep per segment.

    Returns
    -------
    index : ndarray of int64
        Selected candidates, ordered by segment then rank.
    rank : ndarray of int64
        Rank within the segment (0 = best), aligned with ``index``.
    taken : ndarray of int64, shape (n_segments,)
        ``min(k, segment size)``.

    Examples
    --------
    >>> idx, rank, taken = topk_segments(np.array([0, 3, 4]), np.array([3., 1., 2., 5.]),
    ...                                  np.array([2, 1]))
    >>> idx.tolist(), rank.tolist(), taken.tolist()
    ([0, 2, 3], [0, 1, 0], [2, 1])
    """
    counts = np.diff(ptr)
    taken = np.minimum(counts, np.maximum(k, 0)).astype(np.int64)
    out_ptr = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(taken, out=out_ptr[1:])
    index = np.empty(int(out_ptr[-1]), dtype=np.int64)
    rank = np.empty(int(out_ptr[-1]), dtype=np.int64)
    active = np.flatnonzero(taken > 0)
    if len(active) == 0:
        return index, rank, taken
    # bucket by (size class, kept class), both powers of two: a block is padded
    # to at most twice its rows' sizes and sorts at most twice the kept columns
    bucket = (np.ceil(np.log2(counts[active])).astype(np.int64) << 6) | np.ceil(
        np.log2(taken[active])
    ).astype(np.int64)
    n = len(key)
    for b in np.unique(bucket):
        segs = active[bucket == b]
        rows = len(segs)
        cnt, tk, start = counts[segs], taken[segs], ptr[segs]
        W, kk = int(cnt.max()), int(tk.max())
        idx = start[:, None] + np.arange(W, dtype=np.int64)
        pad = idx >= (start + cnt)[:, None]
        np.minimum(idx, n - 1, out=idx)
        M = key[idx]
        M[pad] = -np.inf
        row_base = np.arange(rows, dtype=np.int64)[:, None]
        if kk < W:
            # the kk best columns of each row (unordered), then sort only those
            part = np.ascontiguousarray(np.argpartition(M, W - kk, axis=1)[:, W - kk :])
            part += row_base * W
            sub = M.ravel()[part]
            np.negative(sub, out=sub)
            order = np.argsort(sub, axis=1)
            order += row_base * kk
            best = part.ravel()[order]  # flat positions in M, best first
        else:
            np.negative(M, out=M)
            best = np.argsort(M, axis=1, kind="stable")[:, :kk] + row_base * W
        keep = np.arange(kk)[None, :] < tk[:, None]
        pos = np.arange(int(tk.sum()), dtype=np.int64) + np.repeat(out_ptr[segs] - (np.cumsum(tk) - tk), tk)
        index[pos] = idx.ravel()[best[keep]]
        rank[pos] = np.broadcast_to(np.arange(kk, dtype=np.int64), (rows, kk))[keep]
    return index, rank, taken


def rank_in_blocks(blocks: NDArray[np.int64], scores: NDArray, tiebreak: NDArray) -> tuple[NDArray, NDArray]:
    """Rank candidates within blocks by descending score, ties by ascending ``tiebreak``.

    A sort-based reference (``np.lexsort``), simpler and slower than
    :func:`topk_segments`; blocks need not be contiguous.

    Returns
    -------
    rank : ndarray of int64, shape (n,)
        0 for the best candidate of its block.
    order : ndarray of int64, shape (n,)
        Candidates sorted by (block, rank).

    Examples
    --------
    >>> rank_in_blocks(np.array([0, 0, 1]), np.array([1.0, 2.0, 0.0]), np.zeros(3))[0].tolist()
    [1, 0, 0]
    """
    n = len(scores)
    order = np.lexsort((tiebreak, -np.asarray(scores, dtype=np.float64), blocks))
    b = np.asarray(blocks)[order]
    new_block = np.ones(n, dtype=bool)
    new_block[1:] = b[1:] != b[:-1]
    starts = np.flatnonzero(new_block)
    block_len = np.diff(np.append(starts, n))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - np.repeat(starts, block_len)
    return rank, order


def segmented_topk(
    blocks: NDArray[np.int64],
    scores: NDArray,
    tiebreak: NDArray,
    k: NDArray[np.int64],
) -> NDArray[np.bool_]:
    """Boolean mask of the top ``k[block]`` candidates of every block (sort-based).

    Examples
    --------
    >>> segmented_topk(np.array([0, 0, 0, 1]), np.array([3., 1., 2., 5.]), np.zeros(4),
    ...                np.array([2, 1])).tolist()
    [True, False, True, True]
    """
    rank, _ = rank_in_blocks(blocks, scores, tiebreak)
    return rank < np.asarray(k)[blocks]
