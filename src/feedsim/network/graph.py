"""The follow graph as arrays: CSR adjacency plus per-node attribute arrays.

Edge ``(u, v)`` means **u follows v**, so v's posts can reach u's feed. Row ``u`` of
the CSR structure lists the accounts u follows (its followees), sorted by index.
A :class:`FollowGraph` is built once from a ``networkx.DiGraph`` (or a SciPy sparse
matrix, or edge arrays) with a fixed node order, and every hot path runs on it.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from .._suggest import did_you_mean
from ..errors import InvalidParameterError
from ..params import ACCOUNT_ATTRIBUTES, ROLES

__all__ = ["FollowGraph", "GraphAttributeWarning", "KNOWN_NODE_ATTRIBUTES", "NODE_ATTRIBUTES", "ROLES",
           "SelfLoopWarning"]

#: Optional numeric node attributes and their units (derived from :data:`feedsim.params.ACCOUNT_ATTRIBUTES`).
NODE_ATTRIBUTES = {name: p.unit for name, p in ACCOUNT_ATTRIBUTES.items() if p.kind != "choice"}

#: Node attributes feedsim reads or writes (``community`` is written by the default community).
KNOWN_NODE_ATTRIBUTES = ("role", *NODE_ATTRIBUTES, "community")


class GraphAttributeWarning(UserWarning):
    """A graph's node attributes will not do what they seem to: unknown names, or no roles at all."""


class SelfLoopWarning(GraphAttributeWarning):
    """A follow graph had self-loops (an account following itself): they were dropped, the accounts kept.

    One rule wherever a graph comes from (a networkx graph, a sparse matrix, edge
    arrays, an edge list, CSV or GraphML file): a self-loop means nothing in a
    follow graph, so it is dropped with this warning, which says how to remove them
    first (and so silence it).
    """


#: How to remove self-loops before feedsim sees them, per source (the fix in the warning).
SELF_LOOP_FIX = {
    "networkx": "G.remove_edges_from(list(networkx.selfloop_edges(G)))",
    "scipy": "A.setdiag(0); A.eliminate_zeros()",
    "edges": "keep = src != dst; src, dst = src[keep], dst[keep]",
    "file": "delete the lines 'u u' from the file",
}


def warn_self_loops(count: int, who: Any, source: str, where: str = "", stacklevel: int = 3) -> None:
    """Warn (:class:`SelfLoopWarning`) that ``count`` self-loops were dropped, with the fix for ``source``."""
    at = f" ({where})" if where else ""
    warnings.warn(
        f"follow graph has {count} self-loop{'s' if count != 1 else ''} (an account following itself, e.g. "
        f"edge ({who!r}, {who!r})){at}; dropped, the accounts kept; to silence this, remove them first: "
        f"{SELF_LOOP_FIX[source]}",
        SelfLoopWarning, stacklevel=stacklevel + 1,
    )


#: The warning for a graph without roles (also printed by the CLI for a graph read from a file).
NO_ROLES_MESSAGE = (
    "the graph has no 'role' node attribute, so every account is a 'regular' member and each "
    "per-role table has one row; assign roles from follower counts with "
    "feedsim.networks.assign_roles(G) (or set a 'role' attribute per node)"
)


def _warn_attributes(G: nx.DiGraph, has_roles: bool) -> None:
    """Warn once per graph about unknown node attribute names and about missing roles."""
    keys: dict[str, int] = {}
    for _, data in G.nodes(data=True):
        for key in data:
            keys[key] = keys.get(key, 0) + 1
    unknown = [k for k in keys if k not in KNOWN_NODE_ATTRIBUTES]
    if unknown:
        parts = [f"{k!r} ({keys[k]} nodes{did_you_mean(k, KNOWN_NODE_ATTRIBUTES).replace('; ', ', ')})"
                 for k in sorted(unknown, key=str)]
        warnings.warn(
            f"node attribute {', '.join(parts)} is not a feedsim attribute and is ignored; "
            f"known attributes: {', '.join(KNOWN_NODE_ATTRIBUTES)}",
            GraphAttributeWarning, stacklevel=3,
        )
    if not has_roles:
        warnings.warn(NO_ROLES_MESSAGE, GraphAttributeWarning, stacklevel=3)


def _role_missing(role: np.ndarray) -> np.ndarray:
    """Mask of missing roles (``None`` or a float NaN) in an object array."""
    role = np.asarray(role, dtype=object)
    missing = np.equal(role, None)  # type: ignore[call-overload]  # numpy's stubs admit no None operand
    floats = np.array([isinstance(r, float) for r in role[~missing]], dtype=bool) if (~missing).any() else None
    if floats is not None and floats.any():
        idx = np.flatnonzero(~missing)[floats]
        missing[idx] = [r != r for r in role[idx]]
    return missing


class FollowGraph:
    """A follow graph in CSR form with per-node attributes.

    Parameters
    ----------
    indptr : ndarray of shape (n_users + 1,)
        CSR row pointers; row ``u`` holds the accounts ``u`` follows.
    indices : ndarray of shape (n_edges,)
        Followee indices, sorted within each row, no duplicates, no self-loops.
    node_ids : sequence, optional
        Original node identifiers in index order (default ``0..n_users-1``).
    attrs : mapping of str to ndarray, optional
        Per-node attributes: ``role`` (object array of role names or ``None``)
        and the numeric attributes in :data:`NODE_ATTRIBUTES`. Missing values are
        ``None`` in object arrays and ``NaN`` in float arrays; a NaN inside an
        object array counts as given (and is rejected as a bad value).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph([(0, 1), (2, 1)])
    >>> nx.set_node_attributes(G, "regular", "role")
    >>> fg = FollowGraph.from_networkx(G)
    >>> fg.n_users, fg.n_edges, fg.in_degree().tolist()
    (3, 2, [0, 2, 0])
    """

    def __init__(
        self,
        indptr: NDArray[np.integer],
        indices: NDArray[np.integer],
        node_ids: Sequence[Any] | None = None,
        attrs: Mapping[str, NDArray] | None = None,
    ) -> None:
        self.indptr = np.ascontiguousarray(indptr, dtype=np.int64)
        self.indices = np.ascontiguousarray(indices, dtype=np.int32)
        n = len(self.indptr) - 1
        self.n_users = n
        # the default ids 0 .. n-1 as a range: no list of n Python ints (360 MB at 10M accounts)
        self.node_ids: Sequence[Any] = range(n) if node_ids is None else list(node_ids)
        if len(self.node_ids) != n:
            raise InvalidParameterError(
                f"node_ids must have one entry per user ({n}); got {len(self.node_ids)}"
            )
        self.attrs: dict[str, np.ndarray] = {}
        for key, val in (attrs or {}).items():
            arr = np.asarray(val)
            if arr.shape != (n,):
                raise InvalidParameterError(
                    f"attribute {key} must have shape ({n},); got {arr.shape}"
                )
            self.attrs[key] = arr
        self._check_structure()

    # ------------------------------------------------------------------ build
    @classmethod
    def from_edges(
        cls,
        src: NDArray[np.integer],
        dst: NDArray[np.integer],
        n_users: int,
        *,
        node_ids: Sequence[Any] | None = None,
        attrs: Mapping[str, NDArray] | None = None,
        drop_duplicates: bool = True,
        _source: str = "edges",
    ) -> FollowGraph:
        """Build from edge arrays where ``src[i]`` follows ``dst[i]``.

        Duplicate edges are merged; self-loops are dropped with a
        :class:`SelfLoopWarning` (the accounts are kept).

        Examples
        --------
        >>> FollowGraph.from_edges(np.array([0, 0]), np.array([1, 2]), 3).n_edges
        2
        """
        src = np.asarray(src, dtype=np.int64)
        dst = np.asarray(dst, dtype=np.int64)
        if src.shape != dst.shape:
            raise InvalidParameterError("src and dst must have the same length")
        if len(src) and (src.min() < 0 or dst.min() < 0 or max(src.max(), dst.max()) >= n_users):
            raise InvalidParameterError(f"edge endpoints must be in [0, {n_users}); got out-of-range ids")
        loops = src == dst
        if loops.any():
            i = int(np.flatnonzero(loops)[0])
            who = node_ids[src[i]] if node_ids is not None else int(src[i])
            warn_self_loops(int(loops.sum()), who, _source, stacklevel=3)
            src, dst = src[~loops], dst[~loops]
        keys = (src << 32) | dst
        keys = np.sort(keys)  # sort, then drop repeats: np.unique's hash path is ~100x slower on these keys
        if drop_duplicates and len(keys) > 1:
            keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]
        rows = (keys >> 32).astype(np.int64)
        indices = (keys & 0xFFFFFFFF).astype(np.int32)
        indptr = np.zeros(n_users + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=n_users), out=indptr[1:])
        return cls(indptr, indices, node_ids=node_ids, attrs=attrs)

    @classmethod
    def from_networkx(cls, G: nx.DiGraph) -> FollowGraph:
        """Convert a ``networkx.DiGraph`` once, in ``G.nodes`` order.

        A ``networkx.MultiDiGraph`` is accepted too: parallel edges ``(u, v)``
        (whatever their keys) collapse into one follow edge, as in a DiGraph,
        and node attributes are kept. Edge attributes are ignored in both cases.

        Node attributes ``role`` and those in :data:`NODE_ATTRIBUTES` are read;
        missing ones become ``None`` (filled later from role defaults); a given
        NaN is kept and rejected when the population is built.

        Warns (:class:`GraphAttributeWarning`, once per graph) when a node
        attribute is not one feedsim knows (``postrate``: naming it, the closest
        known name and the known ones), and when no node has a ``role`` (every
        account would be a regular member; see
        :func:`feedsim.networks.assign_roles`).

        Raises
        ------
        InvalidParameterError
            If ``G`` is not directed or is empty.

        Warns
        -----
        SelfLoopWarning
            If ``G`` has self-loops: they are dropped (see :class:`SelfLoopWarning`).

        Examples
        --------
        >>> M = nx.MultiDiGraph([(0, 1), (0, 1), (2, 1)])
        >>> M.nodes[1]["role"] = "influencer"
        >>> fg = FollowGraph.from_networkx(M)
        >>> fg.n_edges, fg.roles().tolist()
        (2, [None, 'influencer', None])
        """
        if not isinstance(G, nx.DiGraph):
            raise InvalidParameterError(
                f"graph must be a networkx.DiGraph or MultiDiGraph (edge (u, v): u follows v), a "
                f"FollowGraph or a scipy.sparse matrix; got {type(G).__name__}"
            )
        if G.number_of_nodes() == 0:
            raise InvalidParameterError("graph must have at least one node; got an empty graph")
        nodes = list(G.nodes)
        index = {node: i for i, node in enumerate(nodes)}
        n = len(nodes)
        m = G.number_of_edges()
        # G.edges() yields one (u, v) per edge, parallel edges of a MultiDiGraph
        # included (iterating G.edges there gives (u, v, key)); from_edges merges them
        src = np.fromiter((index[u] for u, _ in G.edges()), dtype=np.int64, count=m)
        dst = np.fromiter((index[v] for _, v in G.edges()), dtype=np.int64, count=m)
        attrs: dict[str, np.ndarray] = {}
        roles = [G.nodes[v].get("role") for v in nodes]
        has_roles = any(r is not None for r in roles)
        if has_roles:
            attrs["role"] = np.array(roles, dtype=object)
        for key in NODE_ATTRIBUTES:
            vals = [G.nodes[v].get(key) for v in nodes]
            if any(x is not None for x in vals):
                arr = np.empty(n, dtype=object)
                arr[:] = vals  # None = missing; a given NaN stays NaN and is rejected later
                attrs[key] = arr
        graph = cls.from_edges(src, dst, n, node_ids=nodes, attrs=attrs, _source="networkx")
        _warn_attributes(G, has_roles)  # after the structural checks: a broken graph raises, not warns
        return graph

    @classmethod
    def from_scipy(
        cls,
        adjacency: Any,
        *,
        node_ids: Sequence[Any] | None = None,
        **attrs: NDArray,
    ) -> FollowGraph:
        """Build from a square SciPy sparse matrix; nonzero ``A[u, v]``: u follows v.

        Examples
        --------
        >>> import scipy.sparse as sp
        >>> A = sp.csr_array(([1, 1], ([0, 1], [1, 2])), shape=(3, 3))
        >>> FollowGraph.from_scipy(A, role=np.array(["quiet"] * 3, dtype=object)).n_edges
        2
        """
        if not sp.issparse(adjacency):
            raise InvalidParameterError(
                f"adjacency must be a scipy.sparse matrix; got {type(adjacency).__name__}"
            )
        A = sp.coo_array(adjacency)
        if A.shape[0] != A.shape[1]:
            raise InvalidParameterError(f"adjacency must be square; got shape {A.shape}")
        if A.shape[0] == 0:
            raise InvalidParameterError("graph must have at least one node; got an empty graph")
        nz = A.data != 0
        return cls.from_edges(A.row[nz], A.col[nz], A.shape[0], node_ids=node_ids, attrs=attrs, _source="scipy")

    @classmethod
    def coerce(cls, graph: Any) -> FollowGraph:
        """Return ``graph`` as a FollowGraph (DiGraph, sparse matrix or FollowGraph)."""
        if isinstance(graph, FollowGraph):
            return graph
        if sp.issparse(graph):
            return cls.from_scipy(graph)
        return cls.from_networkx(graph)

    # ---------------------------------------------------------------- queries
    @property
    def n_edges(self) -> int:
        """Number of follow edges."""
        return int(self.indptr[-1])

    def out_degree(self) -> NDArray[np.int64]:
        """Number of accounts each user follows."""
        return np.diff(self.indptr)

    def in_degree(self) -> NDArray[np.int64]:
        """Number of followers of each user."""
        return np.bincount(self.indices, minlength=self.n_users).astype(np.int64)

    def edges(self) -> tuple[NDArray[np.int64], NDArray[np.int32]]:
        """Return ``(src, dst)`` arrays: ``src[i]`` follows ``dst[i]``."""
        src = np.repeat(np.arange(self.n_users, dtype=np.int64), self.out_degree())
        return src, self.indices

    def roles(self) -> np.ndarray:
        """Role names as an object array (``None`` where missing)."""
        role = self.attrs.get("role")
        if role is None:
            return np.full(self.n_users, None, dtype=object)
        return role

    def to_scipy(self) -> sp.csr_array:
        """Return the adjacency as a ``scipy.sparse.csr_array`` of ones."""
        data = np.ones(self.n_edges, dtype=np.int8)
        return sp.csr_array((data, self.indices, self.indptr), shape=(self.n_users,) * 2)

    def to_networkx(self) -> nx.DiGraph:
        """Return a ``networkx.DiGraph`` with the same nodes, edges and attributes.

        Examples
        --------
        >>> fg = FollowGraph.from_edges(np.array([0]), np.array([1]), 2)
        >>> list(fg.to_networkx().edges)
        [(0, 1)]
        """
        G = nx.DiGraph()
        for i, node in enumerate(self.node_ids):
            data = {}
            for key, arr in self.attrs.items():
                val = arr[i]
                if val is None or (isinstance(val, float) and np.isnan(val)):
                    continue
                data[key] = val.item() if isinstance(val, np.generic) else val
            G.add_node(node, **data)
        src, dst = self.edges()
        ids = self.node_ids
        G.add_edges_from((ids[u], ids[v]) for u, v in zip(src.tolist(), dst.tolist()))
        return G

    # -------------------------------------------------------------- internals
    def _check_structure(self) -> None:
        n = self.n_users
        if n == 0:
            raise InvalidParameterError("graph must have at least one node; got an empty graph")
        if self.indptr[0] != 0 or np.any(np.diff(self.indptr) < 0) or self.indptr[-1] != len(self.indices):
            raise InvalidParameterError("indptr must start at 0, be non-decreasing and end at n_edges")
        if len(self.indices) and (self.indices.min() < 0 or self.indices.max() >= n):
            raise InvalidParameterError(f"indices must be in [0, {n})")
        if len(self.indices):
            rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(self.indptr))
            loops = self.indices == rows
            if loops.any():
                who = self.node_ids[int(rows[np.flatnonzero(loops)[0]])]
                raise InvalidParameterError(
                    "follow graph must not contain self-loops (an account following itself); "
                    f"got edge ({who!r}, {who!r}); build with FollowGraph.from_edges, which drops them"
                )
            same_row = rows[1:] == rows[:-1]
            if (same_row & (np.diff(self.indices) <= 0)).any():
                raise InvalidParameterError(
                    "indices must be strictly increasing within each row (sorted, no duplicate edges); "
                    "build with FollowGraph.from_edges to normalise"
                )
        role = self.attrs.get("role")
        if role is not None:
            ok = _role_missing(role)
            for name in ROLES:
                ok |= role == name
            if not ok.all():
                i = int(np.flatnonzero(~ok)[0])
                ACCOUNT_ATTRIBUTES["role"].check(role[i], where=f"node {self.node_ids[i]!r}")

    def __repr__(self) -> str:
        return f"FollowGraph(n_users={self.n_users}, n_edges={self.n_edges})"
