"""The state of one run, each part with one owner, and its tick.

:class:`Platform` holds the run's state as small containers: the accounts
(:class:`~feedsim.engine.account_state.AccountState`), the follow edges with
their shown masks (:class:`~feedsim.engine.edges.FollowEdges`), the post table
(:class:`~feedsim.engine.posts.PostTable`), the live items
(:class:`~feedsim.engine.live.Live`), the seen hash set, the viewer-author pair
counts and the daily series, and the run's one clock (:attr:`Platform.tick`;
hours and the day derive from it, see :mod:`.clock`). The tick is the pipeline
of :mod:`.tick`; the close of a day is :mod:`.day`. Units: hours for times and
ages, days for rates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from ..network.graph import FollowGraph
from ..population.state import Population
from ..state import StateArray, declare
from .account_state import AccountState
from .arrays import HashSet
from .clock import hours_at, ticks_per_day
from .config import SimulationConfig
from .day import close_day
from .edges import FollowEdges
from .live import Live, LiveItems
from .membership import add_accounts
from .pairs import PairCounts
from .posts import FOLDED_COLUMNS, POST_COLUMNS, PostTable
from .series import DAILY_SERIES, DailySeries
from .tick import step

if TYPE_CHECKING:  # pragma: no cover
    from .audit import FeedAudit

__all__ = ["LiveItems", "Platform", "POST_COLUMNS", "FOLDED_COLUMNS", "PHASES", "DAILY_SERIES", "IMPRESSION_LOG",
           "SESSION_LOG"]

#: Phases of the tick timed in ``stats["phase_seconds"]``, in tick order; with a
#: built-in ranker, "feeds" is candidates, ranking and top-k in one compiled pass.
PHASES = ("posting", "sessions", "candidates", "ranking", "feeds", "impressions", "engagement", "daily")

_TICK = "given by the tick"
#: Columns of the impression log (``record_impressions=True``), one row per impression; kept as
#: one chunk per tick and concatenated into ``result.impressions``.
IMPRESSION_LOG: dict[str, StateArray] = declare(
    StateArray("viewer", np.int64, None, "the account shown the post", rule=_TICK, writers=("impressions",)),
    StateArray("post", np.int64, None, "the post's id", rule=_TICK, writers=("impressions",)),
    StateArray("time", np.float64, None, "hour of the tick", rule=_TICK, writers=("impressions",)),
    StateArray("slot", np.int64, None, "position in the session's feed (0 = top)", rule=_TICK,
               writers=("impressions",)),
    StateArray("session", np.int64, None, "which of the viewer's sessions in the tick", rule=_TICK,
               writers=("impressions",)),
    StateArray("in_network", np.bool_, None, "from a followed account (not out of network)", rule=_TICK,
               writers=("impressions",)),
)
#: Columns of the session log (``record_impressions=True``), one row per viewer per tick with a session.
SESSION_LOG: dict[str, StateArray] = declare(
    StateArray("viewer", np.int64, None, "the account", rule=_TICK, writers=("sessions",)),
    StateArray("time", np.float64, None, "hour of the tick", rule=_TICK, writers=("sessions",)),
    StateArray("sessions", np.int64, None, "sessions in the tick", rule=_TICK, writers=("sessions",)),
    StateArray("feed_size", np.int64, None, "feed slots (attention x sessions)", rule=_TICK, writers=("sessions",)),
    StateArray("candidates", np.int64, None, "candidates of the viewer in the tick", rule=_TICK,
               writers=("sessions",)),
)


class Platform:
    """The state of one run and its tick.

    Parameters
    ----------
    graph : FollowGraph
        Starting follow graph.
    population : Population
        Per-account attributes.
    config : SimulationConfig
        Model parameters.
    streams : dict of str to Generator
        Named random streams (see :data:`feedsim.random.STREAMS`).
    ranker : callable
        The active ranker.
    ranker_label : str
        Its name, for messages and results.

    Attributes
    ----------
    accounts : AccountState
        Every per-account array and the population.
    edges : FollowEdges
        The follow edges (CSR), their affinity and shown masks.
    posts : PostTable
        One row per post and the live window.
    live : Live
        Live originals by author and reshares by resharer.
    seen : HashSet
        ``(viewer << 32) | row`` of live posts shown to the viewer that the edge
        masks do not track (reshares, out-of-network posts, prolific authors).
    pairs : PairCounts
        Viewer-author impression counts off the follow edges (those along an edge
        are ``edges.impressions``); author reach and exposure diversity read both.
    days : DailySeries
        The per-day series and the open day's totals.
    tick : int
        The run's one clock: ticks run so far; while a tick runs, its number
        (the keyed draws' tick coordinate). :attr:`hours` and :attr:`day` derive
        from it.
    """

    #: Width of a follow edge's shown mask (at most 64). A post is tracked there
    #: when it is within SEEN_BITS of its author's oldest live post.
    SEEN_BITS = 64
    #: With ``keep_posts=False``, expired post rows are folded away at the end of a
    #: day once at least this many (and at least half the table) have expired.
    FOLD_MIN = 1 << 16

    def __init__(
        self,
        graph: FollowGraph,
        population: Population,
        config: SimulationConfig,
        streams: dict[str, np.random.Generator],
        ranker: Callable,
        ranker_label: str,
    ) -> None:
        if not 0 <= self.SEEN_BITS <= 64:
            raise ValueError(f"Platform.SEEN_BITS must be in [0, 64] (the edge masks are 64-bit); got {self.SEEN_BITS}")
        self.cfg = config
        self.streams = streams
        self.ranker = ranker
        self.ranker_label = ranker_label
        self.edges = FollowEdges(graph, config.mutual_affinity, config.mutual_affinity_lasts)
        n = population.n_users
        self.accounts = AccountState(population, self.edges.in_degree.copy())
        self.posts = PostTable(capacity=max(1024, n))
        self.live = Live()
        # keys of expired posts are dropped daily and whenever the table has to grow
        self.seen = HashSet(capacity=4 * n, stale_below=self.posts.live_start)
        self.pairs = PairCounts()
        self.days = DailySeries()
        #: follows made by engagement during the day, applied at midnight
        self.pending_follows: list[tuple[np.ndarray, np.ndarray]] = []
        self.log: dict[str, list] = {k: [] for k in IMPRESSION_LOG}
        self.session_log: dict[str, list] = {k: [] for k in SESSION_LOG}
        #: work counters (the number of ticks is the clock, :attr:`tick`)
        self.stats = {"sessions": 0, "candidates": 0, "impressions": 0}
        self.phase_seconds = dict.fromkeys(PHASES, 0.0)
        #: key of the counter-based draws (see ``kernels.hashing``)
        self.key = np.uint64(streams["keyed"].integers(0, np.iinfo(np.uint64).max, dtype=np.uint64, endpoint=True))
        #: the one clock: ticks run so far; while a tick runs, its number (the keyed draws' tick coordinate)
        self.tick = 0
        #: run built-in rankers in their compiled form (False: their array form)
        self.fused = True
        #: the feed audit (``Simulation(audit=...)``), or None
        self.audit: FeedAudit | None = None

    # ------------------------------------------------------------------ views
    @property
    def pop(self) -> Population:
        """The accounts' attributes (``accounts.pop``)."""
        return self.accounts.pop

    @property
    def rich_get_richer(self) -> bool:
        """Whether engagement counts reach rankers (the rich-get-richer loop)."""
        return self.cfg.loop_enabled("rich_get_richer")

    @property
    def n_users(self) -> int:
        """Current number of accounts."""
        return self.edges.n

    @property
    def daily(self) -> dict[str, list]:
        """The per-day series (``days.series``)."""
        return self.days.series

    @property
    def hours(self) -> float:
        """The time the state describes, hours: the start of tick :attr:`tick` (:func:`.clock.hours_at`)."""
        return hours_at(self.tick, self.cfg.tick_hours)

    @property
    def day(self) -> int:
        """Days closed so far; while the last tick of a day closes it, that day's number (0, 1, ...)."""
        return self.tick // ticks_per_day(self.cfg.tick_hours)

    def typical_impressions_per_post(self) -> float:
        """Impressions per post over every post so far (0 before the first post)."""
        return self.stats["impressions"] / max(self.posts.total, 1)

    # ------------------------------------------------------------------- time
    def step(self) -> None:
        """Run tick :attr:`tick` (closing the day after its last tick) and advance the clock by one.

        See :func:`feedsim.engine.tick.step`.
        """
        step(self, close_day)

    # ----------------------------------------------------------- interventions
    def add_accounts(self, role_code: int, n: int, follows: int, **attrs: float) -> NDArray[np.int64]:
        """Add ``n`` accounts that each follow ``follows`` present accounts (preferentially popular).

        Returns the new accounts' indices (:func:`feedsim.engine.membership.add_accounts`).
        """
        return add_accounts(self, role_code, n, follows, **attrs)
