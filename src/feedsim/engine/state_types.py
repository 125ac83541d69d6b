"""What the tick's phases read of the platform, as a protocol.

:mod:`feedsim.engine.tick`, :mod:`feedsim.engine.feed`,
:mod:`feedsim.engine.engagement`, :mod:`feedsim.engine.day`,
:mod:`feedsim.engine.membership` and :mod:`feedsim.engine.audit` work on the
state of a run without importing :class:`~feedsim.engine.platform.Platform`
(which imports them): they are typed against :class:`PlatformState`.
:class:`~feedsim.engine.platform.Platform` satisfies it structurally.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from .account_state import AccountState
from .arrays import HashSet
from .config import SimulationConfig
from .edges import FollowEdges
from .live import Live
from .pairs import PairCounts
from .posts import PostTable
from .series import DailySeries

__all__ = ["PlatformState"]


class PlatformState(Protocol):
    """The state of a run that the tick's phases, the day's close and the audit use.

    Units: hours for times, days for rates. Arrays indexed by account have one
    entry per account (``edges.n``); post ids in the engine's arrays are rows of
    ``posts`` (global ids are ``posts.ids(rows)``).

    Examples
    --------
    >>> import feedsim
    >>> from feedsim.engine.platform import Platform
    >>> sim = feedsim.Simulation(feedsim.networks.default_community(50, seed=0), seed=0)
    >>> state: PlatformState = sim.platform  # a Platform is a PlatformState
    >>> isinstance(sim.platform, Platform), state.tick, state.posts.n
    (True, 0, 0)
    """

    #: widths and thresholds (class attributes of Platform)
    SEEN_BITS: int
    FOLD_MIN: int
    #: model parameters in force
    cfg: SimulationConfig
    #: named random streams (see :data:`feedsim.random.STREAMS`)
    streams: dict[str, np.random.Generator]
    #: the active ranker and its name
    ranker: Callable
    ranker_label: str
    #: per-account arrays and the population
    accounts: AccountState
    #: the evolving follow edges and their shown masks
    edges: FollowEdges
    #: one row per post (rows of folded posts removed) and the live window
    posts: PostTable
    #: live originals by author and live reshares by resharer
    live: Live
    #: (viewer << 32) | row of live posts shown and not tracked by the edge masks
    seen: HashSet
    #: viewer-author impression counts off the follow edges
    pairs: PairCounts
    #: the daily series and the open day's totals
    days: DailySeries
    #: follows made by engagement, applied at the end of the day
    pending_follows: list[tuple[np.ndarray, np.ndarray]]
    #: impression and session logs (``record_impressions``)
    log: dict[str, list]
    session_log: dict[str, list]
    #: work counters and seconds per phase
    stats: dict[str, int]
    phase_seconds: dict[str, float]
    #: key of the counter-based draws
    key: np.uint64
    #: the one clock: ticks run so far; while a tick runs, its number (the keyed draws' tick coordinate)
    tick: int
    #: run built-in rankers in their compiled form
    fused: bool
    #: the feed audit, or None
    audit: Any

    @property
    def hours(self) -> float:
        """The start of tick ``tick``, hours."""
        ...

    @property
    def day(self) -> int:
        """Days closed (while a day closes, its number)."""
        ...

    @property
    def rich_get_richer(self) -> bool:
        """Whether engagement counts reach rankers."""
        ...

    def typical_impressions_per_post(self) -> float:
        """Impressions per post over every post so far."""
        ...
