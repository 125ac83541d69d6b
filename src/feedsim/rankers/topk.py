"""Segmented top-k: pick each viewer's best candidates from one flat score array."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["rank_in_blocks", "segmented_topk"]


def rank_in_blocks(blocks: NDArray[np.int64], scores: NDArray, tiebreak: NDArray) -> tuple[NDArray, NDArray]:
    """Rank candidates within blocks by descending score, ties by ascending ``tiebreak``.

    Parameters
    ----------
    blocks : ndarray of int, shape (n,)
        Block id of each candidate (any order).
    scores : ndarray of float, shape (n,)
        Higher is better.
    tiebreak : ndarray of float, shape (n,)
        Breaks ties; a random draw makes ties fair and reproducible.

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
    order = np.lexsort((tiebreak, -scores, blocks))
    b = blocks[order]
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
    """Select the top ``k[block]`` candidates of every block.

    Returns a boolean mask; each block keeps ``min(k[block], block size)`` of its
    candidates, the highest scores first.

    Examples
    --------
    >>> segmented_topk(np.array([0, 0, 0, 1]), np.array([3., 1., 2., 5.]), np.zeros(4),
    ...                np.array([2, 1])).tolist()
    [True, False, True, True]
    """
    rank, _ = rank_in_blocks(blocks, scores, tiebreak)
    return rank < k[blocks]
