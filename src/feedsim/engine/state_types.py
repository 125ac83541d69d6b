"""What the tick's phases read of the platform, as a protocol.

:mod:`feedsim.engine.feed`, :mod:`feedsim.engine.engagement` and
:mod:`feedsim.engine.audit` work on the state of a run without importing
:class:`~feedsim.engine.platform.Platform` (which imports them): they are typed
against :class:`PlatformState`, the part of the platform they use.
:class:`~feedsim.engine.platform.Platform` satisfies it structurally.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from ..population.state import Population
from .arrays import GrowableTable, HashSet
from .config import SimulationConfig
from .graphstate import DynamicGraph
from .live import LiveItems

__all__ = ["PlatformState"]


class PlatformState(Protocol):
    """The state of a run that candidate building, ranking, engagement and the audit use.

    Units: hours for times, days for rates. Arrays indexed by account have one
    entry per account (``graph.n``); post ids in the arrays are relative to
    ``post_offset``.

    Examples
    --------
    >>> import feedsim
    >>> from feedsim.engine.platform import Platform
    >>> sim = feedsim.Simulation(feedsim.networks.default_community(50, seed=0), seed=0)
    >>> state: PlatformState = sim.platform  # a Platform is a PlatformState
    >>> isinstance(sim.platform, Platform), state.tick, state.posts.n
    (True, 0, 0)
    """

    #: model parameters in force
    cfg: SimulationConfig
    #: per-account attributes
    pop: Population
    #: named random streams (see :data:`feedsim.random.STREAMS`)
    streams: dict[str, np.random.Generator]
    #: the active ranker and its name
    ranker: Callable
    ranker_label: str
    #: the evolving follow graph
    graph: DynamicGraph
    #: one row per post (rows of folded posts removed; see ``post_offset``)
    posts: GrowableTable
    #: global id of the first row of ``posts``
    post_offset: int
    #: live originals by author and live reshares by resharer
    originals: LiveItems
    reshares: LiveItems
    #: first live row of ``posts``
    first_live: int
    #: number of each account's oldest live post
    first_seq: NDArray[np.int64]
    #: (viewer << 32) | post of live posts shown and not tracked by the edge masks
    seen: HashSet
    #: key of the counter-based draws, the current tick and the current day
    key: np.uint64
    tick: int
    day: int
    #: run built-in rankers in their compiled form
    fused: bool
    #: follows made by engagement, applied at the end of the day
    pending_follows: list[tuple[np.ndarray, np.ndarray]]
    #: per-account counters updated during a tick
    user_posts: NDArray[np.int64]
    user_impressions: NDArray[np.int64]
    user_engagements: NDArray[np.int64]
    user_engaged: NDArray[np.int64]
    day_engagements: NDArray[np.int64]
    day_organic_engagements: NDArray[np.int64]
    day_engaged: NDArray[np.int64]

    @property
    def rich_get_richer(self) -> bool:
        """Whether engagement counts reach rankers."""
        ...

    def typical_impressions_per_post(self) -> float:
        """Impressions per post over every post so far."""
        ...
