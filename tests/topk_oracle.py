"""A sort-based oracle of the engine's per-viewer top-k (tests only).

The engine (``feedsim.engine.kernels.select`` and the fused kernel) keeps each
viewer's best candidates with a bounded heap and breaks ties by a keyed jitter
of at most 65535 units in the last place. This module states the same contract
the slow, obvious way: :func:`jitter` is the tie-break as a NumPy formula of a
uniform ``u`` (the engine's ``u`` is the top 16 bits of a keyed hash), and
:func:`rank_in_blocks` / :func:`segmented_topk` rank by ``np.lexsort``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

_TINY = np.float64(2.0**-1074)  # the smallest positive double

__all__ = ["jitter", "rank_in_blocks", "segmented_topk"]


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


def rank_in_blocks(blocks: NDArray[np.int64], scores: NDArray, tiebreak: NDArray) -> tuple[NDArray, NDArray]:
    """Rank candidates within blocks by descending score, ties by ascending ``tiebreak``.

    A sort-based reference (``np.lexsort``); blocks need not be contiguous.

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
