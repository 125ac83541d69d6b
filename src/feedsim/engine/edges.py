"""The follow edges of a run while they evolve: CSR by follower and per-edge state.

Per edge: affinity (decaying towards a baseline), whether the pair is mutual, the
hour the follow took effect, and the mask of the followee's posts already shown
to the follower (:meth:`FollowEdges.mark_shown`). Units: hours for times.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..network.graph import FollowGraph
from ..state import StateArray, declare, grow_arrays
from .arrays import ranges, set_bits
from .kernels import LAUNCH_LOCK
from .kernels import edges as ke
from .kernels.hashing import STREAMS
from .kernels.impressions import mark_masks

__all__ = ["EDGE_ACCOUNT_ARRAYS", "EDGE_ARRAYS", "FollowEdges"]

_FOLLOW = "set when the follow is inserted"
_CHANGE = ("follow", "join", "leave")  # the midnight rebuild moves every edge's entries
#: The per-edge arrays (each a view of a buffer with room to grow; see :class:`feedsim.state.StateArray`).
EDGE_ARRAYS: dict[str, StateArray] = declare(
    StateArray("indices", np.int32, None, "the followee", rule=_FOLLOW, writers=_CHANGE),
    StateArray("_aff", np.float64, None, "the follower's affinity to the followee (the ``affinity`` view)",
               rule="mutual_affinity when the pair is mutual, else 0", writers=(*_CHANGE, "engagement", "daily")),
    StateArray("mutual", np.bool_, None, "the followee follows back", rule=_FOLLOW, writers=_CHANGE),
    StateArray("since", np.float64, None, "hour the follow took effect (0: the starting graph)", rule=_FOLLOW,
               writers=_CHANGE),
    StateArray("mask", np.uint64, 0, "the followee's posts shown to the follower, one bit per post number",
               writers=(*_CHANGE, "impressions")),
    StateArray("mask_number", np.int32, 0, "post number of the mask's bit 0 (the followee's first live post)",
               writers=(*_CHANGE, "impressions")),
    StateArray("impressions", np.int32, 0, "impressions along the edge (widened to int64 before int32 overflows)",
               writers=(*_CHANGE, "impressions")),
)
#: The per-account arrays of the edges (``indptr`` has one more entry, the CSR end).
EDGE_ACCOUNT_ARRAYS: dict[str, StateArray] = declare(
    StateArray("in_degree", np.int64, 0, "followers of the account (derived: a count of ``indices``)",
               writers=_CHANGE, checkpointed=False),
)
_EDGE_ARRAYS = {name: a.dtype for name, a in EDGE_ARRAYS.items()}
#: Per-edge arrays with one trailing entry read by edge index -1 (no follow edge).
_SENTINEL = ("_aff", "mask", "mask_number")

_SHIFT = np.int64(32)
_MASK = np.int64(0xFFFFFFFF)


class FollowEdges:
    """Follow edges in CSR form by follower (u follows v), followees sorted within a row.

    ``affinity`` holds one float per edge (u's affinity to v), ``mutual``
    whether v follows u too, ``since`` the hour the follow took effect (0 for the
    starting graph), and ``mask``/``mask_number`` what the follower was shown of
    the followee's own posts: bit ``b`` of ``mask[e]`` is set when the followee's
    post number ``mask_number[e] + b`` was shown (posts are numbered per author
    0, 1, ...; see :meth:`mark_shown`). New follows are merged in and the edges of departed
    accounts removed by one compiled pass over the edges, parallel over followers (at most daily).

    Parameters
    ----------
    graph : FollowGraph
        The starting graph.
    mutual_affinity : float
        Initial affinity of reciprocated edges (others start at 0).
    lasting : bool, default True
        Whether ``mutual_affinity`` is also the baseline that the affinity of a
        reciprocated edge decays to (``floor``); otherwise every baseline is 0.
    """

    def __init__(self, graph: FollowGraph, mutual_affinity: float, lasting: bool = True) -> None:
        src, dst = graph.edges()
        self.n = graph.n_users
        self.indptr = graph.indptr.astype(np.int64, copy=True)
        self.in_degree = graph.in_degree()
        self.mutual_affinity = float(mutual_affinity)
        #: the baseline of a mutual edge's affinity (``mutual_affinity`` if lasting, else 0)
        self.floor = self.mutual_affinity if lasting else 0.0
        m = len(dst)
        self._cap = m + max(m // 50, 1024) + 1  # room for new follows before the buffers grow
        self._buf: dict[str, np.ndarray] = {name: np.zeros(self._cap, dtype=dt) for name, dt in _EDGE_ARRAYS.items()}
        self._buf["indices"][:m] = graph.indices
        self._views(m)
        mutual = self.lookup(dst.astype(np.int64), src.astype(np.int64)) >= 0
        self.mutual[:] = mutual
        self.affinity[:] = np.where(mutual, self.mutual_affinity, 0.0)
        #: ``(keys, impressions)`` of the edges with impressions removed by the last
        #: :meth:`remove_accounts` (their viewer-author counts must be kept elsewhere)
        self.dropped_impressions = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
        #: (follower, followee) of the edges inserted by the last add_edges call
        self.last_added = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))

    # per-edge arrays live in buffers with room to grow; the attributes are views
    indices: NDArray[np.int32]
    _aff: NDArray[np.float64]
    mutual: NDArray[np.bool_]
    since: NDArray[np.float64]
    mask: NDArray[np.uint64]
    mask_number: NDArray[np.int32]
    impressions: NDArray[np.int32]

    def _views(self, m: int) -> None:
        """Point the per-edge attributes at the first ``m`` edges of the buffers (and the sentinels)."""
        for name in _EDGE_ARRAYS:
            buf = self._buf[name]
            if name in _SENTINEL:
                buf[m] = 0  # what edge index -1 (no follow edge) reads
                setattr(self, name, buf[: m + 1])
            else:
                setattr(self, name, buf[:m])

    def _reserve(self, m: int) -> None:
        """Make the buffers hold at least ``m`` edges and a sentinel (growing by a quarter at a time)."""
        if m + 1 <= self._cap:
            return
        cap = max(m + 1, int(self._cap * 1.25))
        n_now = self.n_edges + 1
        for name, buf in self._buf.items():
            grown = np.zeros(cap, dtype=buf.dtype)
            grown[:n_now] = buf[:n_now]
            self._buf[name] = grown
        self._cap = cap
        self._views(n_now - 1)

    def __getstate__(self) -> dict:
        # the views would pickle as copies of the buffers: pickle the buffers, make the views again
        state = dict(self.__dict__)
        for name in _EDGE_ARRAYS:
            state[name] = None
        state["_m"] = self.n_edges
        return state

    def __setstate__(self, state: dict) -> None:
        m = state.pop("_m")
        self.__dict__.update(state)
        self._views(m)

    @property
    def keys(self) -> NDArray[np.int64]:
        """``(follower << 32) | followee`` of every edge, sorted (made on each call)."""
        return (self.rows() << _SHIFT) | self.indices.astype(np.int64)

    def rows(self) -> NDArray[np.int64]:
        """The follower of every edge (made on each call)."""
        out = np.empty(self.n_edges, dtype=np.int64)
        ke.edge_rows(self.indptr, out)
        return out

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
        return len(self.indices)

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

        A binary search within row ``u`` per query (``sort`` is kept for
        compatibility and does nothing).
        """
        u = np.ascontiguousarray(u, dtype=np.int64)
        v = np.ascontiguousarray(v, dtype=np.int64)
        out = np.empty(len(u), dtype=np.int64)
        if len(u):
            ke.find_edges(self.indptr, self.indices, u, v, out)
        return out

    def decay_affinity(self, factor: float) -> None:
        """Move every affinity towards its baseline: ``base + (a - base) * factor``.

        The baseline is ``floor`` on mutual edges and 0 elsewhere.
        """
        if factor >= 1.0 or self.n_edges == 0:
            return
        ke.decay_affinity(self._aff, self.mutual, self.floor, float(factor))

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
        mutual affinity on both edges. See :meth:`update`.
        """
        return self.update(u, v, since)[0]

    def remove_accounts(self, gone: NDArray[np.bool_]) -> int:
        """Remove every follow edge into or out of the accounts where ``gone`` is True; return the count.

        See :meth:`update`.
        """
        none = np.zeros(0, dtype=np.int64)
        return self.update(none, none, gone=gone)[1]

    def unfollow_weakest(self, drop: NDArray[np.int64], before: float, key: np.uint64,
                         day: int) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
        """Each follower ``u`` unfollows its ``drop[u]`` weakest ties among the edges older than hour ``before``.

        Strength is affinity above its baseline (recent interaction); equal
        strengths are broken by a keyed draw per (``day``, follower, followee)
        (:func:`.kernels.edges.weakest_ties`). A mutual pair that loses one edge
        is no longer mutual: the other edge loses the mutual flag and the mutual
        baseline ``floor`` (its excess over the baseline stays). The removed edges'
        impression counts are left in ``dropped_impressions``. Returns what the
        followers had been shown of the unfollowed accounts, ``(follower,
        followee, post number)`` as :meth:`shown_into` (to move into the seen set).
        """
        none = np.zeros(0, dtype=np.int64)
        self.dropped_impressions = (none, none)
        if self.n_edges == 0 or not drop.any():
            return none, none, none
        keep = np.ones(self.n_edges, dtype=np.bool_)
        with LAUNCH_LOCK:
            removed = ke.weakest_ties(self.indptr, self.indices, self._aff, self.mutual, self.floor,
                                      self.since, float(before), drop.astype(np.int64), key,
                                      np.int64(STREAMS["unfollow"]), np.int64(day), keep)
        if removed == 0:
            return none, none, none
        gone = np.flatnonzero(~keep)
        row = np.searchsorted(self.indptr, gone, side="right") - 1
        col = self.indices[gone].astype(np.int64)
        shown = self.impressions[gone] > 0
        self.dropped_impressions = ((row[shown] << _SHIFT) | col[shown], self.impressions[gone[shown]].astype(np.int64))
        which, bit = set_bits(self.mask[gone])
        seen = (row[which], col[which], self.mask_number[gone[which]] + bit)
        was_mutual = self.mutual[gone]
        back = self.lookup(col[was_mutual], row[was_mutual])
        back = back[back >= 0]
        back = back[keep[back]]  # both edges of a pair may go on one night
        self.mutual[back] = False
        self.affinity[back] = np.maximum(self.affinity[back] - self.floor, 0.0)
        self.in_degree -= np.bincount(col, minlength=self.n)
        mid_indptr = self.indptr.copy()
        mid_indptr[1:] -= np.cumsum(np.bincount(row, minlength=self.n))
        empty = np.zeros(0, dtype=np.int64)
        self._rebuild(keep, mid_indptr, mid_indptr, np.zeros(self.n + 1, dtype=np.int64), empty.astype(np.int32),
                      empty.astype(np.float64), empty.astype(np.bool_), empty.astype(np.float64))
        return seen

    def update(self, u: NDArray[np.int64], v: NDArray[np.int64], since: float = 0.0,
               gone: NDArray[np.bool_] | None = None) -> tuple[int, int]:
        """Remove the edges into or out of accounts where ``gone`` and insert follows ``u -> v``, in one pass.

        Inserted follows skip self-loops and existing edges and must not touch an
        account that goes; ``since`` is the hour they take effect, and a pair that
        becomes mutual (through an existing edge or another edge of the batch) gets
        the mutual affinity on both edges. The keys and impression counts of the
        removed edges that had impressions are left in ``dropped_impressions``, the
        inserted pairs in ``last_added``. One compiled pass over the edges
        (:func:`.kernels.edges.rebuild`), parallel over followers; edge indices
        change, so call between ticks. Returns ``(inserted, removed)``.
        """
        self.dropped_impressions = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
        removed = 0
        keep = None
        out_removed = None
        if gone is not None and self.n_edges and gone.any():
            keep = np.empty(self.n_edges, dtype=np.bool_)
            removed = int(ke.keep_edges(self.indptr, self.indices, gone, keep))
            if removed:
                drop = np.flatnonzero(~keep)
                row = np.searchsorted(self.indptr, drop, side="right") - 1
                shown = self.impressions[drop] > 0
                self.dropped_impressions = ((row[shown] << _SHIFT) | self.indices[drop[shown]].astype(np.int64),
                                            self.impressions[drop[shown]].astype(np.int64))
                # a remaining edge whose reverse is removed cannot be mutual any more, but the
                # reverse of an edge touching a departed account touches it too: nothing to fix
                self.in_degree -= np.bincount(self.indices[drop], minlength=self.n)
                out_removed = np.bincount(row, minlength=self.n)
            else:
                keep = None
        u = np.asarray(u, dtype=np.int64)
        v = np.asarray(v, dtype=np.int64)
        ok = u != v
        key = np.unique((u[ok] << _SHIFT) | v[ok])
        if len(key):
            key = key[self.lookup(key >> _SHIFT, key & _MASK) < 0]
        nu = key >> _SHIFT
        nv = key & _MASK
        self.last_added = (nu, nv)
        if len(key) == 0 and keep is None:
            return 0, 0
        reverse = self.lookup(nv, nu) >= 0
        # the reverse follow may be in this batch too (key is sorted and unique)
        rkey = (nv << _SHIFT) | nu
        at = np.minimum(np.searchsorted(key, rkey), max(len(key) - 1, 0))
        in_batch = key[at] == rkey if len(key) else np.zeros(0, dtype=np.bool_)
        mutual = reverse | in_batch
        aff = np.where(mutual, self.mutual_affinity, 0.0)
        added = np.bincount(nu, minlength=self.n)
        ins_ptr = np.zeros(self.n + 1, dtype=np.int64)
        np.cumsum(added, out=ins_ptr[1:])
        mid_indptr = self.indptr.copy()
        if out_removed is not None:
            mid_indptr[1:] -= np.cumsum(out_removed)
        self._rebuild(keep, mid_indptr, mid_indptr + ins_ptr, ins_ptr, nv.astype(np.int32), aff, mutual,
                      np.full(len(key), float(since)))
        if reverse.any():  # the pair is mutual now: the older edge gets the mutual affinity too
            back = self.lookup(nv[reverse], nu[reverse])
            self.affinity[back] = np.maximum(self.affinity[back], self.mutual_affinity)
            self.mutual[back] = True
        self.in_degree += np.bincount(nv, minlength=self.n)
        return len(key), removed

    def _rebuild(self, keep, mid_indptr, new_indptr, ins_ptr, ins_v, ins_aff, ins_mutual, ins_since) -> None:
        """Drop the edges where ``keep`` is False, then insert (:func:`.kernels.edges.compact`, ``insert``).

        ``mid_indptr`` is the layout after the removal, ``new_indptr`` after the
        insertion. Both passes move the edges in place.
        """
        bufs = [self._buf[name] for name in _EDGE_ARRAYS]
        if keep is not None:
            kept = ke.compact(keep, *bufs)
            self._views(kept)
        m = int(new_indptr[-1])
        if len(ins_v):
            self._reserve(m)
            bufs = [self._buf[name] for name in _EDGE_ARRAYS]
            ke.insert(mid_indptr, new_indptr, ins_ptr, ins_v, ins_aff, ins_mutual, ins_since, *bufs)
        self.indptr = new_indptr
        self._views(m)

    # ------------------------------------------------------------ shown masks
    def mark_shown(self, blocks: NDArray[np.int64], edge: NDArray[np.int64], number: NDArray[np.int64],
                   author: NDArray[np.int64], first_number: NDArray[np.int64]) -> None:
        """Record that the followee's post ``number`` was shown along each ``edge`` (``number >= 0``).

        ``first_number`` is every account's first live post number: each mask is
        first shifted so that bit 0 is the author's first live post (expired posts
        drop out), then the post's bit is set. Rows with ``number < 0`` (untracked)
        are skipped. The posts were candidates, so their bits were clear. ``blocks``
        cut the rows where the viewer changes (parallel blocks; see
        :func:`.kernels.impressions.viewer_blocks`).
        """
        with LAUNCH_LOCK:
            mark_masks(blocks, edge, number, author, first_number, self.mask, self.mask_number)

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
        edges = ke.shown_edges(self.indptr, self.indices, gone, self.mask)
        if len(edges) == 0:
            return none, none, none
        which, bit = set_bits(self.mask[edges])
        e = edges[which]
        u = np.searchsorted(self.indptr, e, side="right") - 1
        return u, self.indices[e].astype(np.int64), self.mask_number[e] + bit

    def widen_impressions(self, total: int) -> None:
        """Hold the per-edge impression counts as int64 once ``total`` impressions could overflow int32."""
        if total > np.iinfo(np.int32).max and self.impressions.dtype != np.int64:
            self._buf["impressions"] = self._buf["impressions"].astype(np.int64)
            self._views(self.n_edges)

    def grow(self, n_new: int) -> None:
        """Add ``n_new`` accounts with no edges."""
        self.indptr = np.concatenate([self.indptr, np.full(n_new, self.indptr[-1])])
        grow_arrays(self, EDGE_ACCOUNT_ARRAYS, n_new)
        self.n += n_new
