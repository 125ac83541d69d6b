"""A plain snapshot of a run: the copies and arrays a result is built from.

:class:`RunSnapshot` holds what :class:`~feedsim.engine.result.SimulationResult`
needs (config, seed, ranker name, interventions, the post and account tables,
daily series, logs, the viewer-author pair table, stats, the audit), taken from a
simulation's platform by :meth:`RunSnapshot.of`. The result is built from the
snapshot alone (:meth:`~feedsim.engine.result.SimulationResult.from_snapshot`),
so the result module knows nothing of the simulation. Units: hours for times,
days for ``days``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from numpy.typing import NDArray

from ..random import SeedInfo
from .config import SimulationConfig

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .platform import Platform

__all__ = ["RunSnapshot", "SnapshotSource"]

#: Pairs per block when the viewer-author table is walked (bounds temporaries: the entropy of a
#: block of 2**18 pairs takes about 28 MiB, measured 2026-12-07).
_PAIR_BLOCK = 1 << 18


class SnapshotSource(Protocol):
    """What :meth:`RunSnapshot.of` reads of a simulation (a :class:`~feedsim.Simulation` has it).

    Examples
    --------
    >>> import feedsim
    >>> source: SnapshotSource = feedsim.Simulation(feedsim.networks.default_community(50, seed=0), seed=0)
    >>> source.now, source.ranker_name
    (0.0, 'chronological')
    """

    platform: Platform
    config: SimulationConfig
    seed: SeedInfo
    ranker_name: str
    interventions: list[dict]

    @property
    def now(self) -> float:
        """Simulated time, hours."""
        ...


@dataclass(frozen=True)
class RunSnapshot:
    """Copies of a run's state at one moment, for building its result.

    Attributes
    ----------
    config : SimulationConfig
        Parameters at the start of the run.
    seed : SeedInfo
        Entropy and spawn key of the run's SeedSequence.
    ranker : str
        Name of the ranker the run started with.
    interventions : list of dict
        Interventions that took effect.
    posts, authors : dict of str to ndarray
        Columns of the post table and of the account table.
    daily : dict of str to ndarray
        Per-day series (``*_by_role`` of shape (days, 5)).
    impressions, sessions : dict of str to ndarray or None
        The impression and session logs (``record_impressions=True``).
    pair_table : tuple of ndarray
        Viewer-author impression counts as CSR ``(ptr, author, count)``.
    stats : dict
        Work done, with ``wall_seconds`` and ``phase_seconds``.
    days : float
        Simulated days.
    folded : dict of str to ndarray or None
        Per-role totals of post rows folded away (``keep_posts=False``).
    post_id_offset : int
        Global id of the first row of ``posts``.
    audit : pandas.DataFrame or None
        The feed audit's rows (None without an audit).

    Examples
    --------
    >>> import feedsim
    >>> sim = feedsim.Simulation(feedsim.networks.default_community(100, seed=0), seed=0)
    >>> _ = sim.run(days=1)
    >>> snap = RunSnapshot.of(sim, wall_seconds=0.0)
    >>> snap.days, snap.ranker, len(snap.authors["posts"])
    (1.0, 'chronological', 100)
    >>> feedsim.SimulationResult.from_snapshot(snap).summary() == sim.result().summary()
    True
    """

    config: SimulationConfig
    seed: SeedInfo
    ranker: str
    interventions: list[dict]
    posts: dict[str, np.ndarray]
    authors: dict[str, np.ndarray]
    daily: dict[str, np.ndarray]
    impressions: dict[str, np.ndarray] | None
    sessions: dict[str, np.ndarray] | None
    pair_table: tuple[NDArray[np.int64], NDArray[np.int32], NDArray]
    stats: dict[str, Any]
    days: float
    folded: dict[str, np.ndarray] | None
    post_id_offset: int
    audit: pd.DataFrame | None

    @classmethod
    def of(cls, sim: SnapshotSource, wall_seconds: float) -> RunSnapshot:
        """Snapshot a simulation's state (copies, so the run can continue).

        Parameters
        ----------
        sim : Simulation
            The simulation (anything with its ``platform``, ``config``, ``seed``,
            ``ranker_name``, ``interventions`` and ``now``).
        wall_seconds : float
            Wall-clock seconds the run took, recorded in ``stats``.
        """
        p = sim.platform
        posts = p.posts.snapshot()
        if sim.config.exclude_seen:  # without repeats, impressions are unique viewers
            posts["reach"] = posts["impressions"].copy()
        acc = p.accounts
        posts["role"] = acc.pop.role[posts["author"]]
        n = p.n_users
        pair_table = p.pairs.table(p.edges, n)
        authors = {
            "node_id": np.array(acc.pop.node_ids, dtype=object),
            "role": acc.pop.role.copy(),
            "posts": acc.user_posts.copy(),
            "impressions": acc.user_impressions.copy(),
            "reach": _distinct_viewers(pair_table[1], n),
            "engagements": acc.user_engagements.copy(),
            "engaged": acc.user_engaged.copy(),
            "sessions": acc.user_sessions.copy(),
            "followers": p.edges.in_degree.copy(),
            "followers_start": acc.followers_start.copy(),
            "following": p.edges.out_degree().copy(),
            "creator": acc.creator.copy(),
            "active": acc.active.copy(),
            "present": acc.present.copy(),
            "quit_day": acc.quit_day.copy(),
            "burnouts": acc.burnouts.copy(),
            "joined_day": acc.joined_day.copy(),
            "left_day": acc.left_day.copy(),
        }
        daily = p.days.arrays()
        log = sessions = None
        if p.cfg.record_impressions:
            log = {k: _concat(v, k) for k, v in p.log.items()}
            sessions = {k: _concat(v, k) for k, v in p.session_log.items()}
        stats: dict[str, Any] = {"ticks": p.tick, **p.stats}  # the ticks run are the clock
        stats["wall_seconds"] = wall_seconds
        stats["phase_seconds"] = dict(p.phase_seconds)
        return cls(
            config=sim.config,
            seed=sim.seed,
            ranker=sim.ranker_name,
            interventions=list(sim.interventions),
            posts=posts,
            authors=authors,
            daily=daily,
            impressions=log,
            sessions=sessions,
            pair_table=pair_table,
            stats=stats,
            days=sim.now / 24.0,
            folded={k: v.copy() for k, v in p.posts.folded.items()} if p.posts.offset else None,
            post_id_offset=p.posts.offset,
            audit=p.audit.frame() if p.audit is not None else None,
        )


def _concat(chunks: list, key: str) -> np.ndarray:
    if chunks:
        return np.concatenate(chunks)
    return np.zeros(0, dtype=np.float64 if key == "time" else np.bool_ if key == "in_network" else np.int64)


def _distinct_viewers(author: NDArray, n: int) -> NDArray[np.int64]:
    """Distinct viewers per author (each row of the pair table is one distinct pair), in blocks."""
    out = np.zeros(n, dtype=np.int64)
    for lo in range(0, len(author), _PAIR_BLOCK):
        out += np.bincount(author[lo: lo + _PAIR_BLOCK], minlength=n)[:n]
    return out
