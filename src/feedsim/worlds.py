"""Multiple-worlds designs: the same community run as several independent worlds.

Salganik, Dodds and Watts (2006) [1]_ ran one artificial music market as eight
independent "worlds" with social influence (download counts shown, songs
listed by popularity) and one world without (independent condition), and
measured how unequal success was within a world and how unpredictable it was
across worlds. :func:`run_worlds` runs that design on a follow graph: every
world has the same accounts with the same attributes (drawn once, as the
songs and the market's tastes were the same in every world); only the
run's own randomness (who posts when, who opens the app, what they engage
with, ranking ties) differs between worlds. Items are accounts (authors):
the same accounts exist in every world, whereas posts are created afresh.

Measures (over items ``i = 1..S`` and worlds ``j = 1..W``, with ``m_ij`` the
item's share of the world's total, e.g. of impressions):

- inequality: the Gini coefficient of ``m_ij`` within world ``j``,
  ``G_j = sum_i sum_k |m_ij - m_kj| / (2 S sum_k m_kj)`` (Salganik et al. 2006);
- unpredictability: ``U = (1 / S) sum_i u_i`` with
  ``u_i = sum_{j < k} |m_ij - m_ik| / C(W, 2)``, the mean absolute difference
  in an item's share over all pairs of worlds (:func:`unpredictability`).

References
----------
.. [1] M. J. Salganik, P. S. Dodds and D. J. Watts, "Experimental study of
   inequality and unpredictability in an artificial cultural market",
   Science 311 (5762), 854-856 (2006), doi:10.1126/science.1121066.

Examples
--------
>>> import feedsim
>>> G = feedsim.networks.default_community(300, seed=0)
>>> t = run_worlds(G, ["popularity", "random"], n_worlds=2, days=1, seed=0)
>>> sorted(set(t["ranker"].tolist())), len(t["share"]) == 2 * 2 * 300
(['popularity', 'random'], True)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._validate import check_choice, check_int
from .engine.result import Table
from .errors import InvalidParameterError
from .metrics import gini
from .network.graph import FollowGraph
from .params import check_days
from .population.state import NUMERIC_ATTRIBUTES, Population
from .random import as_seed_sequence, replicate_seeds, stream_seed
from .rankers.registry import ranker_name

__all__ = ["MEASURES", "freeze_community", "run_worlds", "share_matrix", "unpredictability", "world_gini"]

#: Per-account columns of ``result.authors`` a world's success can be measured by.
MEASURES = ("impressions", "engagements", "reach")


def freeze_community(graph: Any, seed: Any = None) -> FollowGraph:
    """A copy of ``graph`` with every node attribute filled in, so every run sees the same accounts.

    Missing attributes (posting and session rates, attention, propensity,
    quality, link share) are drawn once from the role defaults with the
    ``population`` stream of ``seed``; given ones are kept.

    Parameters
    ----------
    graph : networkx.DiGraph, FollowGraph or scipy.sparse matrix
        The follow graph.
    seed : int, SeedSequence or None
        Seeds the attribute draws.

    Returns
    -------
    FollowGraph

    Examples
    --------
    >>> import feedsim
    >>> G = feedsim.networks.default_community(200, seed=1)
    >>> F = freeze_community(G, seed=1)
    >>> bool(np.isfinite(F.attrs["post_rate"]).all()), F.n_users
    (True, 200)
    """
    fg = FollowGraph.coerce(graph)
    pop = Population.from_graph(fg, np.random.default_rng(stream_seed(as_seed_sequence(seed), "population")))
    attrs = dict(fg.attrs)
    for name in NUMERIC_ATTRIBUTES:
        attrs[name] = np.asarray(getattr(pop, name), dtype=np.float64).copy()
    return FollowGraph(fg.indptr, fg.indices, node_ids=fg.node_ids, attrs=attrs)


def run_worlds(graph: Any, rankers: Sequence[str | Callable], n_worlds: int, days: float, seed: Any = None, *,
               measure: str = "impressions", freeze: bool = True, **config: Any) -> Table:
    """Run the same community as ``n_worlds`` independent worlds under each ranker.

    World ``w`` of every ranker runs on ``replicate_seeds(seed, w).run``
    (:func:`feedsim.random.replicate_seeds`: world 0 on ``seed`` itself; common
    random numbers across rankers, independent across worlds).

    Parameters
    ----------
    graph : networkx.DiGraph, FollowGraph or scipy.sparse matrix
        The follow graph.
    rankers : sequence of str or callable
        The conditions, e.g. ``["popularity", "random"]`` for social influence
        against independent choice.
    n_worlds : int
        Worlds per ranker, ``>= 2`` (unpredictability needs pairs of worlds).
    days : float
        Length of each run in days, ``> 0``.
    seed : int, SeedSequence or None
        Root seed.
    measure : {"impressions", "engagements", "reach"}, default "impressions"
        Per-account success: impressions of the account's posts, engagements they
        received, or unique viewers.
    freeze : bool, default True
        Draw missing node attributes once (:func:`freeze_community`) so every
        world has the same accounts. False: each world draws its own.
    **config
        Passed to :class:`feedsim.Simulation` (``tick_hours``, ``dynamics``, ...).
        Churn is off unless ``churn=True`` is given: every world keeps the same
        accounts, as MusicLab's worlds had the same kind of participants.

    Returns
    -------
    Table
        One row per (ranker, world, account): ``ranker`` (name), ``world``
        (its run seed: ``replicate_seeds(seed, world).run``),
        ``account`` (index), ``role``, ``creator`` (positive posting rate at the
        start: the accounts that can succeed), ``posts``, every measure in
        :data:`MEASURES` (``impressions``, ``engagements``, ``reach``), ``value``
        (the chosen measure) and
        ``share`` (``value`` over the world's total; 0 in a world with no
        success at all).

    Raises
    ------
    InvalidParameterError
        For fewer than 2 worlds, no rankers, days <= 0 or an unknown measure.

    Examples
    --------
    >>> import feedsim
    >>> G = feedsim.networks.default_community(300, seed=0)
    >>> t = run_worlds(G, ["random"], n_worlds=3, days=1, seed=0)
    >>> S = share_matrix(t, "random")
    >>> S.shape, bool(np.allclose(S.sum(axis=1), 1.0))
    ((3, 300), True)
    """
    from .engine.simulation import Simulation  # late import: the engine imports rankers

    n_worlds = check_int("n_worlds", n_worlds, low=2)
    check_days(days)
    check_choice("measure", measure, MEASURES)
    rankers = list(rankers)
    if not rankers:
        raise InvalidParameterError("rankers must name at least one ranker; got an empty sequence")
    names = [ranker_name(r) for r in rankers]
    if len(set(names)) != len(names):
        raise InvalidParameterError(f"rankers must have distinct names; got {names}")
    root = as_seed_sequence(seed)
    community = freeze_community(graph, root) if freeze else FollowGraph.coerce(graph)
    cols: dict[str, list[NDArray]] = {k: [] for k in ("ranker", "world", "account", "role", "creator", "posts",
                                                      *MEASURES, "value", "share")}
    for ranker, name in zip(rankers, names):
        for w in range(n_worlds):
            run_seed = replicate_seeds(root, w).run
            res = Simulation(community, ranker=ranker, seed=run_seed, **{"churn": False, **config}).run(days=days)
            A = res.authors
            value = np.asarray(A[measure], dtype=np.float64)
            total = value.sum()
            n = len(value)
            cols["ranker"].append(np.full(n, name, dtype=object))
            cols["world"].append(np.full(n, w, dtype=np.int64))
            cols["account"].append(np.arange(n, dtype=np.int64))
            cols["role"].append(np.asarray(A.role).copy())
            cols["creator"].append(np.asarray(A.creator, dtype=bool).copy())
            cols["posts"].append(np.asarray(A.posts).copy())
            for key in MEASURES:
                cols[key].append(np.asarray(A[key], dtype=np.float64).copy())
            cols["value"].append(value)
            cols["share"].append(value / total if total > 0 else np.zeros(n))
    return Table({k: np.concatenate(v) for k, v in cols.items()})


def share_matrix(table: Table, ranker: str, *, measure: str | None = None,
                 creators_only: bool = False) -> NDArray[np.float64]:
    """Shares of one ranker's worlds as an array of shape (n_worlds, n_accounts).

    ``measure`` (one of :data:`MEASURES`) computes the shares from that column
    instead of the table's ``share`` column (the measure the table was run with).

    With ``creators_only=True`` only the columns of accounts that are creators
    (``creator`` column) in the first world are kept, and each row is rescaled
    to sum to 1 over them (accounts that never post cannot succeed; the songs
    in Salganik et al. could all be downloaded). Creators have the same posting
    rates in every world when the community is frozen (:func:`run_worlds`).

    Examples
    --------
    >>> t = Table({"ranker": np.array(["a"] * 4, dtype=object), "world": np.array([0, 0, 1, 1]),
    ...            "account": np.array([0, 1, 0, 1]), "share": np.array([0.25, 0.75, 0.5, 0.5])})
    >>> share_matrix(t, "a").tolist()
    [[0.25, 0.75], [0.5, 0.5]]
    """
    keep = np.asarray(table["ranker"]) == ranker
    if not keep.any():
        raise InvalidParameterError(f"ranker must be one of the table's rankers; got {ranker!r}")
    world = np.asarray(table["world"])[keep]
    account = np.asarray(table["account"])[keep]
    worlds = np.unique(world)
    out = np.zeros((len(worlds), int(account.max()) + 1))
    if measure is None:
        out[np.searchsorted(worlds, world), account] = np.asarray(table["share"], dtype=np.float64)[keep]
    else:
        check_choice("measure", measure, MEASURES)
        out[np.searchsorted(worlds, world), account] = np.asarray(table[measure], dtype=np.float64)[keep]
        tot = out.sum(axis=1, keepdims=True)
        out = np.divide(out, tot, out=np.zeros_like(out), where=tot > 0)
    if creators_only:
        first = world == worlds[0]
        creator = np.zeros(out.shape[1], dtype=bool)
        creator[account[first]] = np.asarray(table["creator"], dtype=bool)[keep][first]
        out = out[:, creator]
        tot = out.sum(axis=1, keepdims=True)
        out = np.divide(out, tot, out=np.zeros_like(out), where=tot > 0)
    return out


def unpredictability(shares: NDArray) -> float:
    """Salganik et al.'s unpredictability: mean over items of the mean absolute share difference over pairs of worlds.

    Parameters
    ----------
    shares : array_like of shape (n_worlds, n_items)
        ``m_ij``: item ``i``'s share of world ``j``'s total (rows are worlds);
        at least 2 worlds.

    Returns
    -------
    float
        ``U = (1 / S) sum_i u_i`` with ``u_i = sum_{j < k} |m_ij - m_ik| / C(W, 2)``.
        0 when every world gives every item the same share.

    Notes
    -----
    Salganik, Dodds and Watts (2006) define the unpredictability of song ``i``
    as the average difference in its market share between two realisations,
    over all pairs of worlds, and the unpredictability of a condition as the
    mean over songs. Computed with sorted columns in O(W log W) per item.

    Examples
    --------
    >>> unpredictability([[0.5, 0.5], [0.5, 0.5]])
    0.0
    >>> unpredictability([[1.0, 0.0], [0.0, 1.0]])
    1.0
    >>> round(unpredictability([[0.6, 0.4], [0.4, 0.6], [0.5, 0.5]]), 4)
    0.1333
    """
    m = np.asarray(shares, dtype=np.float64)
    if m.ndim != 2 or m.shape[0] < 2 or m.shape[1] < 1 or not np.isfinite(m).all():
        raise InvalidParameterError(
            f"shares must be a finite 2-d array with >= 2 worlds (rows) and >= 1 item; got shape {m.shape}"
        )
    w = m.shape[0]
    s = np.sort(m, axis=0)
    # sum_{j<k} |x_j - x_k| = sum_j (2j - W + 1) x_(j) for sorted x (0-based j)
    coef = (2.0 * np.arange(w) - w + 1.0)[:, None]
    pair_sums = (coef * s).sum(axis=0)
    return float(np.mean(pair_sums / (w * (w - 1) / 2.0)))


def world_gini(shares: NDArray) -> NDArray[np.float64]:
    """Gini coefficient of each world's shares (rows), as in Salganik et al. (2006).

    Examples
    --------
    >>> world_gini([[0.25, 0.25, 0.25, 0.25], [1.0, 0.0, 0.0, 0.0]]).tolist()
    [0.0, 0.75]
    """
    m = np.asarray(shares, dtype=np.float64)
    if m.ndim != 2:
        raise InvalidParameterError(f"shares must be a 2-d array (worlds x items); got shape {m.shape}")
    return np.array([gini(row) for row in m], dtype=np.float64)
