"""Roles for real graphs: assign influencer, brand, regular, quiet and lurker.

A graph read from a file has no ``role`` attribute, and without one every
account would be a ``regular`` member. :func:`assign_roles` gives each account
a role with the shares of the default community. By default it keeps audience
and activity apart as the default community does: roles are drawn so that the
joint distribution of role and follower count is the default community's (a
quiet member may have a large audience, a regular a small one), and an activity
column, when the user has one, decides who posts. ``method="followers"`` keeps
the quantile rule of feedsim 0.2, which makes a role a follower-count band.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import networkx as nx
import numpy as np
from numpy.typing import NDArray

from .._validate import check_choice
from ..errors import InvalidParameterError
from ..random import make_rng, stream_seed
from .generators import DEFAULT_ROLE_SHARES, _check_role_shares, _quota, default_community
from .graph import ROLES, FollowGraph

__all__ = ["assign_roles", "ASSIGN_METHODS", "REFERENCE_EDGES", "REFERENCE_SIZE", "ROLE_ORDER_BY_FOLLOWERS"]

#: Roles in decreasing order of median follower count in the default community
#: (its attractiveness per role: influencer 300, brand 100, regular 4, quiet 1, lurker 0.5).
ROLE_ORDER_BY_FOLLOWERS = ("influencer", "brand", "regular", "quiet", "lurker")

#: How :func:`assign_roles` can assign roles: ``"community"`` (the default community's
#: joint distribution of role and follower count) and ``"followers"`` (follower quantiles,
#: the rule of feedsim 0.2).
ASSIGN_METHODS = ("community", "followers")

#: Largest reference community :func:`assign_roles` generates (accounts); a larger graph
#: is matched to it by follower-count quantile.
REFERENCE_SIZE = 50_000
#: Most follow edges of the reference community (about 50,000 accounts following 40 each), so a
#: dense graph gets a smaller reference rather than a large allocation.
REFERENCE_EDGES = 2_000_000


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
                 activity: Any = None, method: str = "community", seed: Any = 0) -> nx.DiGraph | FollowGraph:
    """Give every account a role, keeping audience and activity separate as the default community does.

    ``method="community"`` (the default) draws a reference community with
    :func:`~feedsim.networks.default_community` (as many accounts as ``G``, up to
    :data:`REFERENCE_SIZE` accounts and :data:`REFERENCE_EDGES` edges, and ``G``'s
    mean number of accounts followed), ranks
    the accounts of both graphs by follower count (ties at random) and gives the
    account at each rank the role of the reference account at the same rank
    (the same quantile when ``G`` is larger than the reference). The joint
    distribution of role and follower count is then the default community's:
    roles overlap in audience as they do there (quiet members have median
    attractiveness 1 against 0.5 for lurkers and 4 for regulars, each times a
    Pareto draw), so a role is not a follower-count band. With ``activity``,
    influencers and brands are still the accounts matched to them by follower
    count, and the others are ranked by activity, most active first (ties at
    random): the first ``shares["regular"]`` of all accounts become regulars,
    the next ``shares["quiet"]`` quiet members and the rest lurkers, so who
    posts comes from the data and audience does not decide it.

    ``method="followers"`` is the rule of feedsim 0.2: the most followed
    ``shares["influencer"]`` become influencers and the next ``shares["brand"]``
    brands; the others, ranked by ``activity`` when given (else by follower
    count again), become regulars, quiet members and lurkers, most first. Ties
    are broken by the other key (activity, or the number of accounts followed),
    then by node order; it draws no random numbers. On a graph without activity
    data it makes each role a follower-count band, so "quiet" and "small
    audience" become one variable.

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
    method : {"community", "followers"}, default "community"
        See above (:data:`ASSIGN_METHODS`).
    seed : None, int, SeedSequence or Generator, default 0
        Seeds ``method="community"`` through its own stream
        (``feedsim.random.stream_seed(seed, "roles")``), which no run draws from,
        so ``assign_roles(G, seed=s)`` and ``Simulation(G, seed=s)`` never share
        draws. The default 0 gives a graph the same roles every time; ``None``
        draws fresh entropy.

    Returns
    -------
    networkx.DiGraph or FollowGraph
        ``G`` itself (DiGraph) or a new FollowGraph.

    Raises
    ------
    InvalidParameterError
        For an unknown ``method``, bad ``shares``, an ``activity`` value that is
        not a finite number >= 0, or an empty graph (one line naming the field,
        the rule and the value).

    Notes
    -----
    Counts per role are exact quotas (largest remainder of ``n * share``) when
    the reference is as large as ``G`` (up to 50,000 accounts at 40 follows each),
    as in a generated community; a larger graph takes each role from the
    reference's quantiles, so its counts match the quotas to within a few
    percent (a test checks 5 %).

    Measured on the default community's own edges (roles removed, 5,000
    accounts, seeds 1-3; ``docs/guide/graphs.md``): under
    ``method="community"`` the median follower count of regulars, quiet members
    and lurkers equals the generator's, influencers' is within 4 % and brands'
    (25 accounts) within 28 %, and the 10th and 90th percentiles match too;
    under ``method="followers"`` the medians are 1.17-1.21 (regular), 1.24-1.26
    (quiet) and 0.77-0.81 (lurker) times the generator's, quiet members' 10th-90th
    percentiles are 20-37 followers against the generator's 12-44 (seed 1), and no lurker has more
    followers than the median quiet member (about 28 % in the generator).
    Structure alone cannot tell a quiet member from a lurker, or a brand from
    an influencer: either method recovers individual roles only in part.

    Examples
    --------
    Quiet members' follower counts (min, median, max) on a generated community,
    roles re-assigned from its edges alone:

    >>> import numpy as np
    >>> from feedsim.networks import default_community
    >>> G = default_community(1000, seed=1)
    >>> followers = dict(G.in_degree())
    >>> for method in ("community", "followers"):
    ...     _ = assign_roles(G, method=method)
    ...     quiet = [followers[v] for v, r in G.nodes(data="role") if r == "quiet"]
    ...     print(method, len(quiet), min(quiet), int(np.median(quiet)), max(quiet))
    community 400 3 21 226
    followers 400 19 27 42
    """
    method = check_choice("method", method, ASSIGN_METHODS)
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
    if method == "followers":
        code = _by_follower_quantiles(followers, following, act, share)
    else:
        code = _by_reference_community(followers, act, share, make_rng(stream_seed(seed, "roles")))
    roles = np.array(ROLES, dtype=object)[code]
    if fg is not None:
        return FollowGraph(fg.indptr, fg.indices, node_ids=fg.node_ids, attrs={**fg.attrs, "role": roles})
    nx.set_node_attributes(G, dict(zip(nodes, roles.tolist())), "role")
    return G


def _reference_roles(n: int, mean_follows: float, share: NDArray[np.float64],
                     rng: np.random.Generator) -> NDArray[np.int64]:
    """Role codes of a reference default community, ascending by follower count (ties at random)."""
    quota = np.repeat(np.arange(len(ROLES)), _quota(n, share))
    if n < 2 or mean_follows <= 0:  # no edges: follower counts say nothing, roles at random
        return rng.permutation(quota)
    ref = default_community(n, mean_follows=min(mean_follows, (n - 1) / 2), role_shares=dict(zip(ROLES, share)),
                            seed=rng, as_arrays=True, memory_limit=None)
    names, inverse = np.unique(np.asarray(ref.attrs["role"], dtype=str), return_inverse=True)
    code = np.array([ROLES.index(str(name)) for name in names], dtype=np.int64)[inverse]
    return code[np.lexsort((rng.random(n), ref.in_degree()))]


def _by_reference_community(followers: NDArray[np.float64], act: NDArray[np.float64] | None,
                            share: NDArray[np.float64], rng: np.random.Generator) -> NDArray[np.int64]:
    """``method="community"``: the role of the reference account at the same follower quantile."""
    n = len(followers)
    mean_follows = float(followers.sum()) / n
    n_ref = min(n, REFERENCE_SIZE, max(1000, int(REFERENCE_EDGES / max(mean_follows, 1.0))))
    ref_sorted = _reference_roles(n_ref, mean_follows, share, rng)
    # fewest followers first, ties at random; rank i takes the reference's quantile (i + 0.5) / n
    by_followers = np.lexsort((rng.random(n), followers))
    code = np.empty(n, dtype=np.int64)
    code[by_followers] = ref_sorted[((2 * np.arange(n) + 1) * n_ref) // (2 * n)]
    if act is None:
        return code
    top = (code == ROLES.index("influencer")) | (code == ROLES.index("brand"))
    rest = np.flatnonzero(~top)
    rest = rest[np.lexsort((rng.random(len(rest)), -act[rest]))]  # most active first, ties at random
    counts = dict(zip(ROLES, _quota(n, share)))
    bounds = np.minimum(np.cumsum([counts["regular"], counts["quiet"]]), len(rest))
    code[rest] = ROLES.index("lurker")
    code[rest[: bounds[0]]] = ROLES.index("regular")
    code[rest[bounds[0]: bounds[1]]] = ROLES.index("quiet")
    return code


def _by_follower_quantiles(followers: NDArray[np.float64], following: NDArray[np.float64],
                           act: NDArray[np.float64] | None, share: NDArray[np.float64]) -> NDArray[np.int64]:
    """``method="followers"``: the quantile rule of feedsim 0.2 (deterministic)."""
    n = len(followers)
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
    return code
