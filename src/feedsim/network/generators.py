"""Synthetic follow graphs for an online community.

:func:`default_community` builds a directed follow graph (edge ``(u, v)``: **u follows
v**) with the features that shape what a feed can show: participation roles, uneven
communities, heavy-tailed follower counts and role-dependent reciprocity. All edges
are drawn at once with array operations; no Python loop runs over users or edges.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import networkx as nx
import numpy as np
from numpy.typing import NDArray

from .._validate import check_bool, check_choice, check_int, check_number
from ..errors import InvalidParameterError
from ..random import make_rng
from .graph import ROLES, FollowGraph

__all__ = [
    "DEFAULT_ROLE_SHARES",
    "ROLE_ATTRACTIVENESS",
    "ROLE_FOLLOW_BACK",
    "default_community",
]

#: Default share of accounts per role (sums to 1). Influencers, brands and regulars
#: (20 % of accounts) do most of the posting; quiet members post rarely; lurkers never.
DEFAULT_ROLE_SHARES: dict[str, float] = {
    "influencer": 0.01,
    "regular": 0.19,
    "quiet": 0.40,
    "brand": 0.005,
    "lurker": 0.395,
}

#: Median attractiveness (propensity to be followed) per role, relative to ``quiet``.
#: Each account's weight is this value times a Pareto draw (see ``default_community``).
ROLE_ATTRACTIVENESS: dict[str, float] = {
    "influencer": 300.0,
    "regular": 4.0,
    "quiet": 1.0,
    "brand": 100.0,
    "lurker": 0.5,
}

#: Follow-back factor per role of the *followed* account: the probability that v
#: follows u back after u follows v is ``reciprocity * ROLE_FOLLOW_BACK[role of v]``.
ROLE_FOLLOW_BACK: dict[str, float] = {
    "influencer": 0.05,
    "regular": 1.0,
    "quiet": 1.0,
    "brand": 0.02,
    "lurker": 0.5,
}

#: Log-normal sigma of out-degrees (number of accounts followed).
_OUT_DEGREE_SIGMA = 0.8
#: Log-normal sigma of community sizes.
_COMMUNITY_SIZE_SIGMA = 0.8
#: Weighted rounds of re-drawing for duplicates and self-loops, then uniform rounds.
_WEIGHTED_ROUNDS = 6
_UNIFORM_ROUNDS = 4


def default_community(
    n_users: int = 10_000,
    *,
    mean_follows: float = 40,
    role_shares: Mapping[str, float] | None = None,
    n_communities: int | None = None,
    community_mixing: float = 0.15,
    reciprocity: float = 0.3,
    attractiveness_exponent: float = 1.5,
    seed: Any = None,
    as_arrays: bool = False,
    memory_limit: Any = "available",
) -> nx.DiGraph | FollowGraph:
    """Generate a follow graph for an online community with roles and communities.

    Parameters
    ----------
    n_users : int, default 10_000
        Number of accounts (nodes ``0 .. n_users - 1``); at least 2.
    mean_follows : float, default 40
        Target mean out-degree: accounts followed per user, including follow-backs.
        Must be ``> 0`` and ``< n_users``. For ``n_users >= 1000`` the realised mean is
        within a few percent of it.
    role_shares : mapping of str to float, optional
        Share of accounts per role (``influencer``, ``regular``, ``quiet``, ``brand``,
        ``lurker``); missing roles get 0; shares must be ``>= 0`` and sum to 1 (within
        1e-6). Default :data:`DEFAULT_ROLE_SHARES`: influencer 0.01, brand 0.005,
        regular 0.19, quiet 0.40, lurker 0.395, i.e. about 20 % of accounts do most of
        the posting and 40 % never post.
    n_communities : int, optional
        Number of communities (topic or friendship clusters), in ``[1, n_users]``.
        Default ``max(1, round(n_users / 500))``.
    community_mixing : float, default 0.15
        Probability in ``[0, 1]`` that a follow is drawn from the whole network
        instead of the follower's own community (0: closed communities, 1: no
        community structure).
    reciprocity : float, default 0.3
        Follow-back probability in ``[0, 1]`` for a regular or quiet account; other
        roles are scaled by :data:`ROLE_FOLLOW_BACK` (influencer 0.05, brand 0.02,
        lurker 0.5). With the defaults about 35 % of edges are mutual (about 5 %
        with ``reciprocity=0``, from independent follows in both directions, and
        about 78 % with ``reciprocity=1``).
    attractiveness_exponent : float, default 1.5
        Pareto tail index (``> 0``) of the per-account attractiveness that sets
        follower counts within a role; smaller values let a few accounts of each
        role attract far more followers than their peers (with 2000 users and
        ``community_mixing=1``, at 1.1 the 99th percentile of quiet members'
        follower counts is about 9 times their median, at 20 about 2.5 times). The gaps *between* roles are set by
        :data:`ROLE_ATTRACTIVENESS` (influencer 300, brand 100, regular 4, quiet 1,
        lurker 0.5).
    seed : None, int, SeedSequence or Generator
        Source of all randomness; the same seed gives identical edges and attributes.
    as_arrays : bool, default False
        Return a :class:`~feedsim.network.graph.FollowGraph` instead of a DiGraph.
    memory_limit : "available", None, float or str, default "available"
        Before anything is drawn, the generator's peak memory is estimated from
        ``n_users`` and ``mean_follows``
        (:func:`feedsim.engine.memory.estimate_graph_memory`) and the graph is
        refused if it exceeds this limit (as in :class:`feedsim.Simulation`;
        ``None``: no check).

    Returns
    -------
    networkx.DiGraph or FollowGraph
        Nodes ``0 .. n_users - 1`` with node attributes ``role`` (str) and
        ``community`` (int, ``0 .. n_communities - 1``); edge ``(u, v)``: u follows v.
        With ``as_arrays=True`` the same graph as a FollowGraph with ``attrs["role"]``
        (object array of str) and ``attrs["community"]`` (int64 array). No self-loops,
        no duplicate edges.

    Raises
    ------
    InvalidParameterError
        If a parameter is out of range (the message names it and the value).
    InsufficientMemoryError
        If the graph would not fit in ``memory_limit``, before any work.

    Notes
    -----
    Construction, all in array operations:

    1. **Roles.** Counts per role are ``n_users * share`` rounded by largest
       remainder, then randomly permuted over accounts.
    2. **Communities.** Proportions are log-normal (sigma 0.8) draws normalised to
       sum to 1; each community gets at least ``min(2, n_users // n_communities)``
       members and the rest is multinomial, so sizes are uneven (the largest is
       typically 5-10 times the smallest). Labels are permuted over accounts,
       independently of roles.
    3. **Attractiveness.** Account ``v`` has weight
       ``w_v = ROLE_ATTRACTIVENESS[role_v] * P_v`` with ``P_v`` Pareto
       (minimum 1, tail index ``attractiveness_exponent``).
    4. **Out-degrees.** ``d_u`` is log-normal (sigma 0.8) rounded and clipped to
       ``[1, n_users - 1]``, independent of role (lurkers follow as much as anyone).
       Its mean is ``mean_follows / (1 + r)``, where ``r`` is the follow-back
       probability averaged over accounts weighted by ``w_v``, so the mean after
       step 6 is close to ``mean_follows``.
    5. **Targets.** Each of ``d_u`` follows is local with probability
       ``1 - community_mixing`` (at most ``size - 1`` of them, the excess become
       global), else global. A target is drawn with probability proportional to
       ``w_v`` within the follower's community (local) or the whole network
       (global), by ``searchsorted`` on the cumulative weights of accounts sorted by
       community. Self-loops and duplicates (int64 keys ``(u << 32) | v``) are
       dropped and the shortfall redrawn, 6 weighted rounds then 4 uniform rounds
       (uniform draws reach the low-weight accounts left when popular ones are
       already followed); any shortfall after that is accepted.
    6. **Reciprocity.** Each edge ``(u, v)`` adds ``(v, u)`` with probability
       ``p_uv = reciprocity * ROLE_FOLLOW_BACK[role_v]``. If the drawn edges plus
       their expected follow-backs exceed ``n_users * mean_follows``, edges are
       first kept independently with probability
       ``n_users * mean_follows / (m + sum p_uv)`` (``m`` drawn edges).

    Measured at ``n_users=10_000``, ``seed=0``, other parameters default: mean
    out-degree 39.6, 35 % of edges mutual, 86 % of edges inside a community, max
    in-degree 2348 against a median of 21, and the top 1 % of accounts (by
    followers) hold 21 % of all follows. Communities cap the tail: with
    ``community_mixing=1`` the top 1 % hold 46 % and the maximum is 7343.
    Accounts in communities smaller than their out-degree take the excess of
    their follows from the whole network, so small communities mix more than
    ``community_mixing`` says.

    Examples
    --------
    >>> G = default_community(300, mean_follows=12, seed=1)
    >>> G.number_of_nodes(), G.number_of_edges()
    (300, 3622)
    >>> G.nodes[0]
    {'role': 'quiet', 'community': 0}
    >>> fg = default_community(300, mean_follows=12, seed=1, as_arrays=True)
    >>> fg.n_edges, fg.attrs["role"][0], int(fg.attrs["community"][0])
    (3622, 'quiet', 0)
    """
    n = check_int("n_users", n_users, low=2)
    mean_follows = check_number(
        "mean_follows", mean_follows, low=0, high=n, low_inclusive=False, high_inclusive=False
    )
    shares = _check_role_shares(role_shares)
    if n_communities is None:
        n_comm = max(1, round(n / 500))
    else:
        n_comm = check_int("n_communities", n_communities, low=1, high=n)
    mixing = check_number("community_mixing", community_mixing, low=0, high=1)
    reciprocity = check_number("reciprocity", reciprocity, low=0, high=1)
    alpha = check_number(
        "attractiveness_exponent", attractiveness_exponent, low=0, low_inclusive=False
    )
    as_arrays = check_bool("as_arrays", as_arrays)
    if memory_limit is not None:
        from ..engine.memory import check_memory, estimate_graph_memory

        check_memory(estimate_graph_memory(n, mean_follows, as_arrays=as_arrays), memory_limit)
    rng = make_rng(seed)

    role_code = _assign_roles(rng, n, shares)
    community, comm_size = _assign_communities(rng, n, n_comm)

    attract = np.array([ROLE_ATTRACTIVENESS[r] for r in ROLES])
    weight = attract[role_code] * (1.0 + rng.pareto(alpha, size=n))
    follow_back = reciprocity * np.array([ROLE_FOLLOW_BACK[r] for r in ROLES])
    back_per_edge = float(weight @ follow_back[role_code] / weight.sum())

    src, dst = _draw_follows(
        rng, n, mean_follows / (1.0 + back_per_edge), mixing, community, comm_size, weight
    )
    # Thin the drawn follows if their expected follow-backs would overshoot the mean.
    p_back = follow_back[role_code[dst]]
    keep = min(1.0, n * mean_follows / (len(src) + float(p_back.sum())))
    if keep < 1.0:
        kept = rng.random(len(src)) < keep
        src, dst, p_back = src[kept], dst[kept], p_back[kept]
    back = rng.random(len(src)) < p_back
    keys = _sorted_unique(np.concatenate([(src << 32) | dst, (dst[back] << 32) | src[back]]))
    src, dst = keys >> 32, keys & 0xFFFFFFFF

    roles = np.array(ROLES, dtype=object)[role_code]
    if as_arrays:
        return FollowGraph.from_edges(
            src, dst, n, attrs={"role": roles, "community": community}, drop_duplicates=False
        )
    G = nx.DiGraph()
    G.add_nodes_from(
        (i, {"role": r, "community": c})
        for i, r, c in zip(range(n), roles.tolist(), community.tolist())
    )
    G.add_edges_from(zip(src.tolist(), dst.tolist()))
    return G


# ----------------------------------------------------------------- helpers
def _check_role_shares(role_shares: Mapping[str, float] | None) -> NDArray[np.float64]:
    """Validate ``role_shares``; return shares in :data:`ROLES` order."""
    if role_shares is None:
        role_shares = DEFAULT_ROLE_SHARES
    if not isinstance(role_shares, Mapping):
        raise InvalidParameterError(
            f"role_shares must be a dict mapping role to share; got {role_shares!r}"
        )
    shares = np.zeros(len(ROLES))
    for role, share in role_shares.items():
        check_choice("role_shares key", role, ROLES)
        shares[ROLES.index(role)] = check_number(f"role_shares[{role!r}]", share, low=0)
    total = float(shares.sum())
    if abs(total - 1.0) > 1e-6:
        raise InvalidParameterError(f"role_shares must sum to 1 (within 1e-6); got {total!r}")
    return shares / total


def _sorted_unique(keys: NDArray[np.int64]) -> NDArray[np.int64]:
    """Sorted distinct values (sort + mask: faster than hash-based ``np.unique`` here)."""
    keys = np.sort(keys)
    if len(keys) == 0:
        return keys
    return keys[np.concatenate([[True], keys[1:] != keys[:-1]])]


def _quota(n: int, shares: NDArray[np.float64]) -> NDArray[np.int64]:
    """Split ``n`` into integer counts proportional to ``shares`` (largest remainder)."""
    exact = n * shares
    counts = np.floor(exact).astype(np.int64)
    short = n - int(counts.sum())
    if short:
        counts[np.argsort(-(exact - counts), kind="stable")[:short]] += 1
    return counts


def _assign_roles(rng: np.random.Generator, n: int, shares: NDArray) -> NDArray[np.int64]:
    """Role codes (index into ROLES), exact quotas in random order."""
    codes = np.repeat(np.arange(len(ROLES)), _quota(n, shares))
    return rng.permutation(codes)


def _assign_communities(
    rng: np.random.Generator, n: int, n_comm: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Community label per user and community sizes (uneven, each >= 1)."""
    props = np.exp(_COMMUNITY_SIZE_SIGMA * rng.standard_normal(n_comm))
    props /= props.sum()
    floor = min(2, n // n_comm)
    sizes = floor + rng.multinomial(n - floor * n_comm, props)
    labels = rng.permutation(np.repeat(np.arange(n_comm, dtype=np.int64), sizes))
    return labels, sizes.astype(np.int64)


def _draw_follows(
    rng: np.random.Generator,
    n: int,
    base_mean: float,
    mixing: float,
    community: NDArray[np.int64],
    comm_size: NDArray[np.int64],
    weight: NDArray[np.float64],
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Draw distinct follow edges ``(src, dst)``, weighted by ``weight``."""
    # Out-degrees: log-normal with mean base_mean.
    mu = np.log(base_mean) - _OUT_DEGREE_SIGMA**2 / 2
    degree = np.rint(np.exp(mu + _OUT_DEGREE_SIGMA * rng.standard_normal(n)))
    degree = np.clip(degree, 1, n - 1).astype(np.int64)
    size_of = comm_size[community]
    want_local = np.minimum(rng.binomial(degree, 1.0 - mixing), size_of - 1)
    want = np.stack([want_local, degree - want_local])  # row 0 local, row 1 global

    # Accounts sorted by community; one cumulative-weight array serves every pool.
    order = np.argsort(community, kind="stable")
    comm_start = np.concatenate([[0], np.cumsum(comm_size)[:-1]])
    cumw = np.cumsum(weight[order])
    cumw0 = np.concatenate([[0.0], cumw])
    users = np.arange(n, dtype=np.int64)

    keys = np.empty(0, dtype=np.int64)
    kind = np.empty(0, dtype=np.int8)  # 0 local draw, 1 global draw
    for round_ in range(_WEIGHTED_ROUNDS + _UNIFORM_ROUNDS):
        have = np.stack([np.bincount(keys[kind == k] >> 32, minlength=n) for k in (0, 1)])
        deficit = want - have
        if not deficit.any():
            break
        uniform = round_ >= _WEIGHTED_ROUNDS
        new_keys, new_kind = [], []
        for k in (0, 1):
            src = np.repeat(users, deficit[k])
            if k == 0:
                start = comm_start[community[src]]
                size = size_of[src]
            else:
                start = np.zeros_like(src)
                size = np.full_like(src, n)
            u = rng.random(len(src))
            if uniform:
                pos = start + (u * size).astype(np.int64)
            else:
                lo, hi = cumw0[start], cumw0[start + size]
                pos = np.searchsorted(cumw, lo + u * (hi - lo), side="right")
            pos = np.clip(pos, start, start + size - 1)
            dst = order[pos]
            ok = dst != src
            new_keys.append((src[ok] << 32) | dst[ok])
            new_kind.append(np.full(int(ok.sum()), k, dtype=np.int8))
        all_keys = np.concatenate([keys, *new_keys])
        all_kind = np.concatenate([kind, *new_kind])
        keys, first = np.unique(all_keys, return_index=True)
        kind = all_kind[first]
    return keys >> 32, keys & 0xFFFFFFFF
