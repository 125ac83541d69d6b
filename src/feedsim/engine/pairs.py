"""Viewer-author impression counts: along follow edges, and a counter for the rest.

An impression of a followee's own post is counted on the follow edge
(:attr:`feedsim.engine.edges.FollowEdges.impressions`: one integer per edge, no
sorting); reshares and out-of-network posts, which reach a viewer from an author it
does not follow, go to a :class:`~feedsim.engine.arrays.BufferedCounter`, as do
the counts of edges removed by churn. :meth:`PairCounts.table` merges both into one
table of every distinct (viewer, author) pair.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numba import njit
from numpy.typing import NDArray

from .arrays import BufferedCounter

if TYPE_CHECKING:  # pragma: no cover
    from .edges import FollowEdges

__all__ = ["PairCounts", "row_sums"]

_INT32_MAX = np.iinfo(np.int32).max


@njit(cache=True)
def _merge_rows(indptr, indices, edge_count, ptr, author, count, n_rows, out_ptr, out_author, out_count,
                fill):  # pragma: no cover - compiled
    """Merge two CSR tables of sorted authors per viewer, summing counts of shared authors.

    Rows ``v >= len(ptr) - 1`` of the second table are empty; zero edge counts are
    skipped. With ``fill`` False only ``out_ptr[v + 1]`` (the row sizes) is written.
    """
    n_second = len(ptr) - 1
    for v in range(n_rows):
        i, i_end = indptr[v], indptr[v + 1]
        j, j_end = (ptr[v], ptr[v + 1]) if v < n_second else (0, 0)
        w = out_ptr[v]
        size = 0
        while i < i_end or j < j_end:
            if i < i_end and edge_count[i] == 0:
                i += 1
                continue
            if j >= j_end or (i < i_end and indices[i] < author[j]):
                a, c = np.int64(indices[i]), np.int64(edge_count[i])
                i += 1
            elif i >= i_end or author[j] < indices[i]:
                a, c = np.int64(author[j]), np.int64(count[j])
                j += 1
            else:
                a, c = np.int64(author[j]), np.int64(count[j]) + np.int64(edge_count[i])
                i += 1
                j += 1
            if fill:
                out_author[w + size] = a
                out_count[w + size] = c
            size += 1
        if not fill:
            out_ptr[v + 1] = size


@njit(cache=True)
def row_sums(ptr, values):
    """Sum of ``values[ptr[v]:ptr[v + 1]]`` for every row ``v`` (int64; no temporary per entry).

    Examples
    --------
    >>> row_sums(np.array([0, 2, 2, 3]), np.array([1, 2, 5], dtype=np.int32)).tolist()
    [3, 0, 5]
    """
    out = np.zeros(len(ptr) - 1, dtype=np.int64)
    for v in range(len(ptr) - 1):
        s = np.int64(0)
        for j in range(ptr[v], ptr[v + 1]):
            s += values[j]
        out[v] = s
    return out


class PairCounts:
    """Impressions per (viewer, author) pair over the whole run.

    Examples
    --------
    >>> import numpy as np
    >>> import feedsim
    >>> from feedsim.engine.edges import FollowEdges
    >>> edges = FollowEdges(feedsim.FollowGraph.from_edges([0, 1], [1, 2], 3), 0.0)
    >>> edges.impressions[:] = [2, 0]        # 0 saw 1's posts twice; 1 saw none of 2's
    >>> pairs = PairCounts()
    >>> pairs.add_off_edge(np.array([0, 1]), np.array([2, 0]))
    >>> ptr, author, count = pairs.table(edges, 3)
    >>> ptr.tolist(), author.tolist(), count.tolist()
    ([0, 2, 3, 3], [1, 2, 0], [2, 1, 1])
    """

    def __init__(self) -> None:
        #: counts of pairs not along a current follow edge
        self.off_edge = BufferedCounter()

    def __len__(self) -> int:
        """Distinct pairs counted off the follow edges (merged so far)."""
        return len(self.off_edge)

    @property
    def nbytes(self) -> int:
        """Bytes held by the off-edge counter."""
        return self.off_edge.nbytes

    def add_off_edge(self, viewer: NDArray[np.int64], author: NDArray[np.int64]) -> None:
        """Count one impression for each (viewer, author) not along a follow edge."""
        if len(viewer):
            self.off_edge.add((viewer << 32) | author)

    def add_off_edge_keys(self, keys: NDArray[np.int64]) -> None:
        """Count one impression for each ``(viewer << 32) | author`` key not along a follow edge."""
        if len(keys):
            self.off_edge.add(keys)

    def keep_removed(self, keys: NDArray[np.int64], counts: NDArray[np.int64]) -> None:
        """Keep the counts of follow edges that are removed (``(follower << 32) | followee`` keys)."""
        if len(keys):
            self.off_edge.add(np.repeat(keys, counts))

    def flush(self) -> None:
        """Merge the buffered off-edge impressions into the counter."""
        self.off_edge.flush()

    def table(self, edges: FollowEdges, n_rows: int) -> tuple[NDArray[np.int64], NDArray[np.int32], NDArray]:
        """Every distinct pair as CSR ``(ptr, author, count)`` by viewer, authors sorted within a viewer.

        ``count`` is int32 unless a count needs int64.
        """
        ptr, author, count = self.off_edge.snapshot(n_rows)
        indptr, indices = edges.indptr, edges.indices
        if len(indptr) - 1 < n_rows:
            indptr = np.concatenate([indptr, np.full(n_rows + 1 - len(indptr), indptr[-1])])
        out_ptr = np.zeros(n_rows + 1, dtype=np.int64)
        # a merged count is at most the largest on an edge plus the largest off them
        top = (int(edges.impressions.max()) if edges.n_edges else 0) + (int(count.max()) if len(count) else 0)
        dtype = np.int32 if top <= _INT32_MAX else np.int64
        none = np.zeros(0, dtype=dtype)
        _merge_rows(indptr, indices, edges.impressions, ptr, author, count, n_rows, out_ptr, none.astype(np.int32),
                    none, False)
        np.cumsum(out_ptr, out=out_ptr)
        total = int(out_ptr[-1])
        out_author = np.empty(total, dtype=np.int32)
        out_count = np.empty(total, dtype=dtype)
        _merge_rows(indptr, indices, edges.impressions, ptr, author, count, n_rows, out_ptr, out_author,
                    out_count, True)
        if dtype == np.int64 and total and int(out_count.max()) <= _INT32_MAX:
            out_count = out_count.astype(np.int32)
        return out_ptr, out_author, out_count
