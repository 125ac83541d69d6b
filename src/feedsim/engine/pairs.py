"""Viewer-author impression counts: along follow edges, and a counter for the rest.

An impression of a followee's own post is counted on the follow edge
(:attr:`feedsim.engine.edges.FollowEdges.impressions`: one integer per edge, no
sorting); reshares and out-of-network posts, which reach a viewer from an author it
does not follow, go to a :class:`~feedsim.engine.arrays.BufferedCounter`, as do
the counts of edges removed by churn. :meth:`PairCounts.table` moves the edges'
counts into the counter (they restart from zero) and lends the counter's table of
every distinct (viewer, author) pair, so taking a result holds no second copy of
the whole run's pairs.
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
        #: counts of pairs not along a current follow edge (and of those along one, up to the last table)
        self.counter = BufferedCounter()

    def __len__(self) -> int:
        """Distinct pairs in the counter: off the follow edges, and on them up to the last :meth:`table`."""
        return len(self.counter)

    @property
    def nbytes(self) -> int:
        """Bytes held by the counter."""
        return self.counter.nbytes

    def add_off_edge(self, viewer: NDArray[np.int64], author: NDArray[np.int64]) -> None:
        """Count one impression for each (viewer, author) not along a follow edge."""
        if len(viewer):
            self.counter.add((viewer << 32) | author)

    def add_off_edge_keys(self, keys: NDArray[np.int64]) -> None:
        """Count one impression for each ``(viewer << 32) | author`` key not along a follow edge."""
        if len(keys):
            self.counter.add(keys)

    def keep_removed(self, keys: NDArray[np.int64], counts: NDArray[np.int64]) -> None:
        """Keep the counts of follow edges that are removed (``(follower << 32) | followee`` keys)."""
        if len(keys):
            self.counter.add(np.repeat(keys, counts))

    def flush(self) -> None:
        """Merge the buffered off-edge impressions into the counter."""
        self.counter.flush()

    def table(self, edges: FollowEdges, n_rows: int) -> tuple[NDArray[np.int64], NDArray[np.int32], NDArray]:
        """Every distinct pair as CSR ``(ptr, author, count)`` by viewer, authors sorted within a viewer.

        The edges' counts move into the counter first (each edge's restarts from
        0; the sums are unchanged), and the counter's arrays are lent read-only
        (its next merge copies them). ``count`` is int32 unless a count needs int64.
        """
        n = edges.n_edges
        if n:
            counts = edges.impressions[:n]
            self.counter.add_table(edges.indptr, edges.indices, counts)
            counts[:] = 0
        ptr, author, count = self.counter.snapshot(n_rows)
        if count.dtype == np.int64 and len(count) and int(count.max()) <= _INT32_MAX:
            count = count.astype(np.int32)
        return ptr, author, count
