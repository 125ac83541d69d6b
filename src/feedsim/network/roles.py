"""Roles for real graphs: assign influencer, brand, regular, quiet and lurker from quantiles.

A graph read from a file has no ``role`` attribute, and without one every
account would be a ``regular`` member. :func:`assign_roles` gives each account
a role from its follower count (and, when given, its activity), with the shares
of the default community.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import networkx as nx
import numpy as np
from numpy.typing import NDArray

from ..errors import InvalidParameterError
from .generators import DEFAULT_ROLE_SHARES, _check_role_shares, _quota
from .graph import ROLES, FollowGraph

__all__ = ["assign_roles", "ROLE_ORDER_BY_FOLLOWERS"]

#: Roles in decreasing order of median follower count in the default community
#: (its attractiveness per role: influencer 300, brand 100, regular 4, quiet 1, lurker 0.5).
ROLE_ORDER_BY_FOLLOWERS = ("influencer", "brand", "regular", "quiet", "lurker")


def _activity_array(G, activity, nodes) -> NDArray[np.float64] | None:
    if activity is None:
        return None
    if isinstance(activity, str):
        if isinstance(G, FollowGraph):
            if activity not in G.attrs:
                raise InvalidParameterError(f"activity must name a node attribute of the graph; got {activity!r}")
            vals = list(G.attrs[activity])
        else:
            vals = [G.nodes[v].get(activity) for v in nodes]
            if all(x is None for x in vals):
                raise InvalidParameterError(f"activity must name a node attribute of the graph; got {activity!r} "
                                            f"(no node has it)")
    elif isinstance(activity, Mapping):
        vals = [activity.get(v) for v in nodes]
    else:
        vals = list(np.asarray(activity, dtype=np.float64))
        if len(vals) != len(nodes):
            raise InvalidParameterError(f"activity must have one value per node ({len(nodes)}); got {len(vals)}")
    arr = np.array([np.nan if x is None else float(x) for x in vals], dtype=np.float64)
    bad = ~np.isfinite(arr) | (arr < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InvalidParameterError(f"activity must be a finite number >= 0 for every node; got {vals[i]!r} "
                                    f"(node {nodes[i]!r})")
    return arr


def assign_roles(G: nx.DiGraph | FollowGraph, *, shares: Mapping[str, float] | None = None,
                 activity: Any = None) -> nx.DiGraph | FollowGraph:
    """Give every account a role from follower and activity quantiles.

    Accounts are ranked by follower count (in-degree). The most followed
    ``shares["influencer"]`` become influencers and the next ``shares["brand"]``
    brands (the order of the roles' median follower counts in the default
    community). The others are ranked by ``activity`` when given (else by
    follower count again): the most active ``shares["regular"]`` become
    regulars, the next ``shares["quiet"]`` quiet members, the rest lurkers.
    Counts are exact quotas (largest remainder); ties are broken by the other
    key (activity, or the number of accounts followed), then by node order, so
    the result is deterministic.

    Parameters
    ----------
    G : networkx.DiGraph or FollowGraph
        Edge ``(u, v)``: u follows v. A DiGraph gets its ``role`` node attribute
        set **in place** (existing roles are replaced); a FollowGraph is returned
        as a new FollowGraph with ``attrs["role"]``.
    shares : mapping of role to share, optional
        Default :data:`feedsim.network.generators.DEFAULT_ROLE_SHARES`, the
        shares of :func:`~feedsim.networks.default_community`: influencer 0.01,
        brand 0.005, regular 0.19, quiet 0.40, lurker 0.395. Must sum to 1.
    activity : str, mapping or array of shape (n_users,), optional
        Per-account activity (>= 0), e.g. posts in the data set: the name of a
        node attribute, a mapping node -> value, or an array in node order.

    Returns
    -------
    networkx.DiGraph or FollowGraph
        ``G`` itself (DiGraph) or a new FollowGraph.

    Notes
    -----
    Structure cannot tell a brand from an influencer, or a quiet member from a
    lurker, for sure; the quantiles only reproduce the default community's
    shares and its ordering of follower counts. On a default community of 5,000
    accounts the influencers found this way are mostly the generated ones, and
    every role gets its share of accounts; see ``docs/sweeps.md`` for measured
    agreement.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph([(i, 0) for i in range(1, 200)] + [(i, i + 1) for i in range(1, 199)])
    >>> _ = assign_roles(G)
    >>> G.nodes[0]["role"], sum(r == "quiet" for _, r in G.nodes(data="role"))
    ('influencer', 80)
    """
    if isinstance(G, FollowGraph):
        fg, nodes = G, list(G.node_ids)
    elif isinstance(G, nx.DiGraph):
        fg, nodes = None, list(G.nodes)
    else:
        raise InvalidParameterError(f"G must be a networkx.DiGraph or a FollowGraph; got {type(G).__name__}")
    n = len(nodes)
    if n == 0:
        raise InvalidParameterError("G must have at least one node; got an empty graph")
    share = _check_role_shares(DEFAULT_ROLE_SHARES if shares is None else shares)
    if isinstance(G, FollowGraph):
        followers = G.in_degree().astype(np.float64)
        following = G.out_degree().astype(np.float64)
    else:
        # distinct neighbours, so parallel edges of a MultiDiGraph count once (as in FollowGraph)
        followers = np.array([len(G.pred[v]) for v in nodes], dtype=np.float64)
        following = np.array([len(G.succ[v]) for v in nodes], dtype=np.float64)
    act = _activity_array(G, activity, nodes)
    order_idx = np.arange(n)
    second = following if act is None else act
    # most followed first; ties: more active (or following more) first, then node order
    by_followers = np.lexsort((order_idx, -second, -followers))
    counts = dict(zip(ROLES, _quota(n, share)))
    code = np.empty(n, dtype=np.int64)
    top = counts["influencer"] + counts["brand"]
    code[by_followers[: counts["influencer"]]] = ROLES.index("influencer")
    code[by_followers[counts["influencer"]: top]] = ROLES.index("brand")
    rest = by_followers[top:]
    if act is not None:
        rest = rest[np.lexsort((order_idx[rest], -followers[rest], -act[rest]))]
    start = 0
    for role in ("regular", "quiet", "lurker"):
        code[rest[start: start + counts[role]]] = ROLES.index(role)
        start += counts[role]
    roles = np.array(ROLES, dtype=object)[code]
    if fg is not None:
        return FollowGraph(fg.indptr, fg.indices, node_ids=fg.node_ids, attrs={**fg.attrs, "role": roles})
    nx.set_node_attributes(G, dict(zip(nodes, roles.tolist())), "role")
    return G
