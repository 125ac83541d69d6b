"""The follow edges of a run while they evolve: sorted edge keys, CSR pointers, per-edge state.

Per edge: affinity (decaying towards a baseline), whether the pair is mutual, the
hour the follow took effect, and the mask of the followee's posts already shown
to the follower (:meth:`FollowEdges.mark_shown`). Units: hours for times.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..network.graph import FollowGraph
from .arrays import ranges, set_bits

__all__ = ["FollowEdges"]

_SHIFT = np.int64(32)
_MASK = np.int64(0xFFFFFFFF)


class FollowEdges:
    """Follow edges as sorted int64 keys ``(u << 32) | v`` (u follows v).

    The key order is CSR order, so ``indptr`` and ``indices`` are views of the same
    data; ``affinity`` holds one float per edge (u's affinity to v), ``mutual``
    whether v follows u too, ``since`` the hour the follow took effect (0 for the
    starting graph), and ``mask``/``mask_number`` what the follower was shown of
    the followee's own posts: bit ``b`` of ``mask[e]`` is set when the followee's
    post number ``mask_number[e] + b`` was shown (posts are numbered per author
    0, 1, ...; see :meth:`mark_shown`). New follows are inserted in place and the edges of departed
    accounts removed in one pass (both linear in the edge count, once a day).

    Parameters
    ----------
    graph : FollowGraph
        The starting graph.
    mutual_affinity : float
        Initial affinity of reciprocated edges (others start at 0).
    """

    def __init__(self, graph: FollowGraph, mutual_affinity: float) -> None:
        src, dst = graph.edges()
        self.n = graph.n_users
        self.keys = (src.astype(np.int64) << _SHIFT) | dst.astype(np.int64)
        self.indices = graph.indices.astype(np.int32, copy=True)
        self.indptr = graph.indptr.copy()
        self.in_degree = graph.in_degree()
        mutual = self.lookup(dst.astype(np.int64), src.astype(np.int64), sort=True) >= 0
        # one trailing 0.0 after the last edge, so that edge index -1 (no edge) reads 0
        self._aff = np.append(np.where(mutual, mutual_affinity, 0.0), 0.0)
        self.mutual = mutual
        self.since = np.zeros(len(self.keys), dtype=np.float64)
        self.mutual_affinity = float(mutual_affinity)
        # what each follower has been shown of the followee's own posts: bit b of
        # mask[e] is the followee's post number mask_number[e] + b (one trailing entry)
        self.mask = np.zeros(len(self.keys) + 1, dtype=np.uint64)
        self.mask_number = np.zeros(len(self.keys) + 1, dtype=np.int64)
        #: (follower, followee) of the edges inserted by the last add_edges call
        self.last_added = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))

    @property
    def affinity(self) -> NDArray[np.float64]:
        """Affinity of every edge (a writable view, one float per edge)."""
        return self._aff[:-1]

    def edge_affinity(self, edge: NDArray[np.int64]) -> NDArray[np.float64]:
        """Affinity per edge index, 0.0 where the index is -1 (no follow edge)."""
        return self._aff.take(edge)

    @property
    def n_edges(self) -> int:
        """Number of follow edges."""
        return len(self.keys)

    def out_degree(self) -> NDArray[np.int64]:
        """Accounts each user follows."""
        return np.diff(self.indptr)

    def expand(self, viewers: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Edges out of ``viewers``: (position of the viewer in ``viewers``, edge index)."""
        starts = self.indptr[viewers]
        deg = self.indptr[viewers + 1] - starts
        seg = np.repeat(np.arange(len(viewers), dtype=np.int64), deg)
        return seg, ranges(starts, deg)

    def lookup(self, u: NDArray[np.int64], v: NDArray[np.int64], *, sort: bool = False) -> NDArray[np.int64]:
        """Edge index of ``u -> v`` for each pair, or -1 where u does not follow v.

        ``sort=True`` sorts the queries first: for millions of random queries the
        binary searches then walk the edge keys in order (about 10x faster at 20M).
        """
        if len(self.keys) == 0:
            return np.full(len(u), -1, dtype=np.int64)
        key = (np.asarray(u, dtype=np.int64) << _SHIFT) | np.asarray(v, dtype=np.int64)
        if sort:
            order = np.argsort(key)
            pos = np.empty(len(key), dtype=np.int64)
            pos[order] = np.searchsorted(self.keys, key[order])
        else:
            pos = np.searchsorted(self.keys, key)
        safe = np.minimum(pos, len(self.keys) - 1)
        return np.where(self.keys[safe] == key, safe, -1)

    def decay_affinity(self, factor: float) -> None:
        """Move every affinity towards its baseline: ``base + (a - base) * factor``.

        The baseline is ``mutual_affinity`` on mutual edges and 0 elsewhere.
        """
        if factor >= 1.0 or self.n_edges == 0:
            return
        base = np.where(self.mutual, self.mutual_affinity, 0.0)
        a = self.affinity
        a -= base
        a *= factor
        a += base

    def bump_affinity(self, edge: NDArray[np.int64], amount: float, ceiling: float) -> None:
        """Raise affinity by ``amount`` per occurrence of each edge index (-1 ignored), saturating.

        Each occurrence adds ``amount * (1 - a / ceiling)`` (evaluated once per call),
        so affinity approaches ``ceiling`` but never passes it.
        """
        edge = edge[edge >= 0]
        if len(edge) and amount:
            uniq, times = np.unique(edge, return_counts=True)
            a = self.affinity[uniq]
            a += amount * times * np.maximum(0.0, 1.0 - a / ceiling)
            self.affinity[uniq] = np.minimum(a, ceiling)

    def add_edges(self, u: NDArray[np.int64], v: NDArray[np.int64], since: float = 0.0) -> int:
        """Insert follows ``u -> v`` (self-loops and existing edges skipped); return the count.

        ``since`` is the hour the follows take effect. A pair that becomes mutual,
        through an existing edge or another edge of the same batch, gets the
        mutual affinity on both edges.
        """
        u = np.asarray(u, dtype=np.int64)
        v = np.asarray(v, dtype=np.int64)
        ok = u != v
        key = np.unique((u[ok] << _SHIFT) | v[ok])
        if len(key) == 0:
            self.last_added = (key, key)
            return 0
        if len(self.keys):
            pos = np.searchsorted(self.keys, key)
            safe = np.minimum(pos, len(self.keys) - 1)
            key = key[self.keys[safe] != key]
        if len(key) == 0:
            self.last_added = (key, key)
            return 0
        nu = key >> _SHIFT
        nv = key & _MASK
        reverse = self.lookup(nv, nu) >= 0
        # the reverse follow may be in this batch too (key is sorted and unique)
        rkey = (nv << _SHIFT) | nu
        at = np.minimum(np.searchsorted(key, rkey), len(key) - 1)
        in_batch = key[at] == rkey
        mutual = reverse | in_batch
        aff = np.where(mutual, self.mutual_affinity, 0.0)
        pos = np.searchsorted(self.keys, key)
        self.keys = np.insert(self.keys, pos, key)
        self.indices = np.insert(self.indices, pos, nv.astype(np.int32))
        self._aff = np.insert(self._aff, pos, aff)  # pos <= n_edges: the sentinel stays last
        self.mutual = np.insert(self.mutual, pos, mutual)
        self.since = np.insert(self.since, pos, float(since))
        self.mask = np.insert(self.mask, pos, np.uint64(0))
        self.mask_number = np.insert(self.mask_number, pos, 0)
        self.last_added = (nu, nv)
        added = np.bincount(nu, minlength=self.n)
        self.indptr[1:] += np.cumsum(added)
        if reverse.any():  # the pair is mutual now: the older edge gets the mutual affinity too
            back = self.lookup(nv[reverse], nu[reverse])
            self.affinity[back] = np.maximum(self.affinity[back], self.mutual_affinity)
            self.mutual[back] = True
        self.in_degree += np.bincount(nv, minlength=self.n)
        return len(key)

    def remove_accounts(self, gone: NDArray[np.bool_]) -> int:
        """Remove every follow edge into or out of the accounts where ``gone`` is True.

        Returns the number of edges removed. Edge indices change; call between ticks.
        """
        if self.n_edges == 0 or not gone.any():
            return 0
        u = (self.keys >> _SHIFT).astype(np.int64)
        drop = gone[u] | gone[self.indices]
        if not drop.any():
            return 0
        keep = ~drop
        # a remaining edge whose reverse is removed cannot be mutual any more, but the
        # reverse of an edge touching a departed account touches it too: nothing to fix
        self.in_degree -= np.bincount(self.indices[drop], minlength=self.n)
        removed_out = np.bincount(u[drop], minlength=self.n)
        self.indptr[1:] -= np.cumsum(removed_out)
        self.keys = self.keys[keep]
        self.indices = self.indices[keep]
        self.mutual = self.mutual[keep]
        self.since = self.since[keep]
        keep1 = np.append(keep, True)  # the sentinel stays
        self._aff = self._aff[keep1]
        self.mask = self.mask[keep1]
        self.mask_number = self.mask_number[keep1]
        return int(drop.sum())

    # ------------------------------------------------------------ shown masks
    def mark_shown(self, edge: NDArray[np.int64], number: NDArray[np.int64], first: NDArray[np.int64]) -> None:
        """Record that the followee's post ``number`` was shown along each ``edge``.

        ``first`` is the followee's first live post number: each mask is first
        shifted so that bit 0 is that post (expired posts drop out), then the
        post's bit is set. The bits are distinct and were clear (the posts were
        candidates, so unseen), so adding them is or-ing them. Every post must be
        within 64 of ``first`` (tracked).
        """
        shift = first - self.mask_number[edge]
        stale = np.flatnonzero(shift)
        if len(stale):
            es, sh = edge[stale], shift[stale]  # an edge may repeat: every copy writes the same value
            self.mask[es] = np.where(sh < 64, self.mask[es] >> np.minimum(sh, 63).astype(np.uint64), np.uint64(0))
            self.mask_number[es] = first[stale]
        bit = np.left_shift(np.uint64(1), (number - first).astype(np.uint64))
        np.add.at(self.mask, edge, bit)

    def start_masks(self, edge: NDArray[np.int64], first: NDArray[np.int64]) -> None:
        """Empty masks for new edges, starting at the followee's first live post number ``first``."""
        self.mask[edge] = 0
        self.mask_number[edge] = first

    def set_shown(self, edge: NDArray[np.int64], offset: NDArray[np.int64]) -> None:
        """Set bit ``offset`` (post number minus the mask's first number) of each edge's mask."""
        np.add.at(self.mask, edge, np.left_shift(np.uint64(1), offset.astype(np.uint64)))

    def shown_into(self, gone: NDArray[np.bool_]) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
        """What followers who stay were shown of accounts where ``gone`` is True.

        Returns ``(follower, followee, post number)``, one entry per set bit of a
        mask on an edge from an account that stays to one that goes.
        """
        none = np.zeros(0, dtype=np.int64)
        if self.n_edges == 0:
            return none, none, none
        u = (self.keys >> _SHIFT).astype(np.int64)
        v = self.indices.astype(np.int64)
        edges = np.flatnonzero(gone[v] & ~gone[u] & (self.mask[:-1] != 0))
        if len(edges) == 0:
            return none, none, none
        which, bit = set_bits(self.mask[edges])
        e = edges[which]
        return u[e], v[e], self.mask_number[e] + bit

    def grow(self, n_new: int) -> None:
        """Add ``n_new`` accounts with no edges."""
        self.indptr = np.concatenate([self.indptr, np.full(n_new, self.indptr[-1])])
        self.in_degree = np.concatenate([self.in_degree, np.zeros(n_new, dtype=np.int64)])
        self.n += n_new

    def to_follow_graph(self, node_ids, attrs=None) -> FollowGraph:
        """Snapshot as a :class:`FollowGraph`."""
        return FollowGraph(self.indptr.copy(), self.indices.copy(), node_ids=node_ids, attrs=attrs)
