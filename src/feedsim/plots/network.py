"""The follow graph drawn with node colour by role and node size by reach."""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np
from numpy.typing import NDArray

from .._validate import check_int
from ..engine.arrays import ranges
from ..engine.result import SimulationResult
from ..errors import InvalidParameterError
from ..network.graph import ROLES, FollowGraph
from ..random import make_rng
from .figures import _axes
from .palette import ROLE_COLORS

__all__ = ["plot_follow_graph", "sample_nodes", "sample_neighbourhood"]


def sample_nodes(n_users: int, max_nodes: int, seed: Any = 0) -> NDArray[np.int64]:
    """Sorted positions of ``min(n_users, max_nodes)`` accounts drawn uniformly without replacement.

    A uniform sample of a sparse graph keeps few of its edges; figures use
    :func:`sample_neighbourhood` instead.
    """
    if n_users <= max_nodes:
        return np.arange(n_users, dtype=np.int64)
    rng = make_rng(seed)
    return np.sort(rng.choice(n_users, size=max_nodes, replace=False)).astype(np.int64)


def sample_neighbourhood(graph: Any, max_nodes: int, seed: Any = 0, center: int | None = None) -> NDArray[np.int64]:
    """A connected neighbourhood of ``min(n_users, max_nodes)`` accounts (breadth-first snowball).

    Starting from ``center`` (default: a random account with at least one follow
    or follower), adds its followers and followees, then theirs, layer by layer;
    a layer too large to fit is drawn at random (with ``seed``). When the
    component is exhausted first, the snowball restarts from a random account
    not yet taken. Edges in either direction count, so the drawn accounts keep
    the follows that connect them.

    Returns
    -------
    ndarray of int64
        Sorted account positions.

    Examples
    --------
    A chain 0 -> 1 -> 2 -> 3 -> 4 and a pair 5 -> 6 (``A[u, v]``: u follows v):

    >>> import scipy.sparse as sp
    >>> A = sp.csr_array((np.ones(5), ([0, 1, 2, 3, 5], [1, 2, 3, 4, 6])), shape=(7, 7))
    >>> sample_neighbourhood(A, 3, center=2).tolist()
    [1, 2, 3]
    """
    import scipy.sparse as sp

    fg = FollowGraph.coerce(graph)
    check_int("max_nodes", max_nodes, low=1)
    n = fg.n_users
    if n <= max_nodes:
        return np.arange(n, dtype=np.int64)
    rng = make_rng(seed)
    src, dst = fg.edges()
    A = sp.csr_array((np.ones(len(src)), (np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64))),
                     shape=(n, n))
    S = (A + A.T).tocsr()
    degree = np.diff(S.indptr)
    taken = np.zeros(n, dtype=bool)
    if center is not None:
        center = check_int("center", center, low=0, high=n - 1)
    count = 0
    while count < max_nodes:
        if center is None:
            pool = np.flatnonzero(~taken & (degree > 0))
            if len(pool) == 0:
                pool = np.flatnonzero(~taken)
            start = int(pool[rng.integers(len(pool))])
        else:
            start, center = center, None
        frontier = np.array([start], dtype=np.int64)
        taken[start] = True
        count += 1
        while count < max_nodes and len(frontier):
            nbr = np.unique(S.indices[ranges(S.indptr[frontier], degree[frontier])])
            nbr = nbr[~taken[nbr]]
            if len(nbr) > max_nodes - count:
                nbr = np.sort(rng.choice(nbr, size=max_nodes - count, replace=False))
            taken[nbr] = True
            count += len(nbr)
            frontier = nbr
    return np.flatnonzero(taken).astype(np.int64)


def plot_follow_graph(graph: Any, result: SimulationResult | None = None, *, ax=None, max_nodes: int = 300,
                      size_by: str = "reach", min_size: float = 8.0, max_size: float = 300.0,
                      seed: Any = 0, edge_alpha: float = 0.08, center: int | None = None):
    """Draw the follow graph: colour = role, area = reach (or another author column).

    Large graphs are sampled as a connected neighbourhood of ``max_nodes``
    accounts (:func:`sample_neighbourhood`: a breadth-first snowball from
    ``center`` or a random account, with ``seed``) and the follows among them,
    so the drawing shows how accounts are connected. Positions come from
    :func:`networkx.spring_layout` with the same seed.

    Parameters
    ----------
    graph : networkx.DiGraph or FollowGraph
        Edge ``(u, v)``: u follows v. Account ``i`` is the ``i``-th node.
    result : SimulationResult, optional
        A run on this graph; node area grows with ``result.authors[size_by]``
        (square-root scaled between ``min_size`` and ``max_size`` points^2) and
        roles come from the result. Without it all nodes have ``min_size`` and roles
        come from the graph's ``role`` attribute.
    ax : matplotlib Axes, optional
    max_nodes : int, default 300
    size_by : str, default "reach"
        A column of ``result.authors`` (``reach``, ``impressions``, ``followers``, ...).
    min_size, max_size : float
        Marker areas, points^2.
    seed : int, SeedSequence, Generator or None, default 0
        For the sample and the layout.
    edge_alpha : float
        Opacity of the edges.
    center : int, optional
        Account the neighbourhood grows from (default: a random account).

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.collections[-1]`` holds the nodes (one point per drawn account, in
        increasing account order); the drawn accounts are in ``ax.feedsim_nodes``.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import feedsim
    >>> G = feedsim.networks.default_community(200, seed=0)
    >>> res = feedsim.Simulation(G, seed=0).run(days=1)
    >>> ax = plot_follow_graph(G, res, max_nodes=100)
    >>> len(ax.feedsim_nodes)
    100
    """
    fg = FollowGraph.coerce(graph)
    check_int("max_nodes", max_nodes, low=1)
    n = fg.n_users
    if result is not None and len(result.authors) < n:
        raise InvalidParameterError(f"result must come from a run on this graph ({n} accounts); "
                                    f"got one with {len(result.authors)}")
    if result is not None and size_by not in result.authors:
        raise InvalidParameterError(f"size_by must be a column of result.authors; got {size_by!r}")
    rng = make_rng(seed)
    nodes = sample_neighbourhood(fg, max_nodes, rng, center=center)
    if result is not None:
        role_names = [ROLES[int(r)] for r in result.authors.role[nodes]]
        value = np.asarray(result.authors[size_by][nodes], dtype=np.float64)
        top = float(value.max()) if len(value) else 0.0
        sizes = min_size + (max_size - min_size) * np.sqrt(value / top) if top > 0 else np.full(len(nodes), min_size)
    else:
        roles = fg.roles()
        role_names = ["regular" if roles[i] is None else str(roles[i]) for i in nodes]
        sizes = np.full(len(nodes), min_size)
    src, dst = fg.edges()
    keep = np.zeros(n, dtype=bool)
    keep[nodes] = True
    mask = keep[src] & keep[dst]
    H = nx.DiGraph()
    H.add_nodes_from(nodes.tolist())
    H.add_edges_from(zip(src[mask].tolist(), np.asarray(dst[mask], dtype=np.int64).tolist()))
    layout_seed = int(rng.integers(2**31 - 1))
    pos = nx.spring_layout(H, seed=layout_seed) if len(nodes) else {}
    ax = _axes(ax)
    if H.number_of_edges():
        from matplotlib.collections import LineCollection

        segs = [(pos[u], pos[v]) for u, v in H.edges()]
        ax.add_collection(LineCollection(segs, colors="0.2", linewidths=0.5, alpha=edge_alpha, zorder=1))
    xy = np.array([pos[i] for i in nodes.tolist()]) if len(nodes) else np.zeros((0, 2))
    ax.scatter(xy[:, 0], xy[:, 1], s=sizes, c=[ROLE_COLORS.get(r, "black") for r in role_names],
               edgecolors="white", linewidths=0.3, zorder=2)
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], linestyle="", marker="o", color=ROLE_COLORS[r], label=r)
               for r in ROLES if r in role_names]
    ax.legend(handles=handles, fontsize="small", loc="best",
              title=f"size: {size_by}" if result is not None else None)
    ax.set_axis_off()
    title = "Follow graph" + (f" (a connected neighbourhood: {len(nodes)} of {n} accounts)" if len(nodes) < n else "")
    ax.set_title(title, fontsize="small")
    ax.feedsim_nodes = nodes
    return ax
