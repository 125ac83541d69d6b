"""Per-account engine state: the population's attributes plus what the engine keeps per account.

:class:`AccountState` owns every array indexed by account, declared in one table
(:data:`ACCOUNT_ARRAYS`: one :class:`~feedsim.state.StateArray` each, with its
dtype, the value a new account starts with or the rule that sets it, and the
phases that write it), so a new per-account array is added in one place and
:meth:`AccountState.grow` extends all of them together. The attributes a graph or a user may set (rates,
attention, ...) live in its :class:`~feedsim.population.state.Population`; the
public view for user code is :class:`feedsim.engine.accounts.Accounts`.
Units: days for rates and days, hours for times.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..population.state import Population
from ..state import StateArray, declare, grow_arrays, new_arrays

__all__ = ["ACCOUNT_ARRAYS", "DAY_COUNTERS", "AccountState"]

#: Every engine array indexed by account, declared once (see :class:`feedsim.state.StateArray`).
ACCOUNT_ARRAYS: dict[str, StateArray] = declare(
    # -- whole-run counters
    StateArray("user_posts", np.int64, 0, "posts made (organic and sponsored); also the number of the next post",
               writers=("posting",), result="posts"),
    StateArray("user_impressions", np.int64, 0, "impressions of the account's posts", writers=("impressions",),
               result="impressions"),
    StateArray("user_engagements", np.int64, 0, "engagements with the account's posts", writers=("engagement",),
               result="engagements"),
    StateArray("user_engaged", np.int64, 0, "engagements the account made", writers=("engagement",), result="engaged"),
    StateArray("user_sessions", np.int64, 0, "sessions the account had", writers=("sessions",), result="sessions"),
    StateArray("post_days", np.int64, 0, "days with at least one organic post (creator adaptation's update count)",
               writers=("daily",)),
    StateArray("low_days", np.int64, 0, "consecutive posting days of low response (burnout)", writers=("daily",)),
    StateArray("burnouts", np.int64, 0, "burnouts so far", writers=("daily",), result="burnouts"),
    StateArray("session_days", np.int64, 0, "days with a session (session adaptation's update count)",
               writers=("daily",)),
    # -- counters of the current day (zeroed at midnight)
    StateArray("day_posts", np.int64, 0, "posts made today", writers=("posting", "daily")),
    StateArray("day_engagements", np.int64, 0, "engagements with today's impressions of the account's posts",
               writers=("engagement", "daily")),
    StateArray("day_impressions", np.int64, 0, "impressions of the account's posts today",
               writers=("impressions", "daily")),
    StateArray("day_organic_posts", np.int64, 0, "organic (not sponsored) posts made today",
               writers=("posting", "daily")),
    StateArray("day_organic_engagements", np.int64, 0, "engagements with organic posts today",
               writers=("engagement", "daily")),
    StateArray("day_user_sessions", np.int64, 0, "sessions today", writers=("sessions", "daily")),
    StateArray("day_engaged", np.int64, 0, "engagements the account made today", writers=("engagement", "daily")),
    # -- adaptation and churn
    StateArray("rate_multiplier", np.float64, 1.0, "posting-rate multiplier of creator adaptation", writers=("daily",)),
    StateArray("recent", np.float64, 0.0, "recent response (engagements per organic post)", writers=("daily",)),
    StateArray("reference", np.float64, 0.0, "reference response", writers=("daily",)),
    StateArray("session_multiplier", np.float64, 1.0, "session-rate multiplier of session adaptation",
               writers=("daily",)),
    StateArray("found_recent", np.float64, 0.0, "recent engagements made per session", writers=("daily",)),
    StateArray("found_reference", np.float64, 0.0, "reference engagements made per session", writers=("daily",)),
    StateArray("active", np.bool_, True, "not in a burnout", writers=("daily",), result="active"),
    StateArray("present", np.bool_, True, "has not left the platform", writers=("leave",), result="present"),
    StateArray("creator", np.bool_, None, "had a posting rate above 0 when it joined",
               rule="post_rate > 0 when the account joins", writers=(), result="creator"),
    StateArray("quit_day", np.int64, -1, "day of the last burnout (-1: none)", writers=("daily",), result="quit_day"),
    StateArray("return_day", np.float64, np.inf, "day a burnt-out creator posts again", writers=("daily",)),
    StateArray("joined_day", np.int64, None, "day the account joined (0: there from the start)",
               rule="the day of the grow call", writers=("join",), result="joined_day"),
    StateArray("left_day", np.int64, -1, "day the account left (-1: still there)", writers=("leave",),
               result="left_day"),
    StateArray("sponsored_rate", np.float64, 0.0, "campaign posts/day on top of the organic rate",
               writers=("campaign",)),
    StateArray("followers_start", np.int64, None, "followers when the run (or the account) started",
               rule="the followers passed to the grow call", writers=("join",), result="followers_start"),
    # -- live posts
    StateArray("first_number", np.int64, 0,
               "post number of the account's oldest live post (its posts are numbered 0, 1, ...)",
               writers=("posting",)),
)

#: Counters of the current day, zeroed by :meth:`AccountState.end_day`.
DAY_COUNTERS = tuple(name for name in ACCOUNT_ARRAYS if name.startswith("day_"))


class AccountState:
    """Every per-account array of a run (see :data:`ACCOUNT_ARRAYS`) and the population.

    Parameters
    ----------
    population : Population
        The accounts' attributes (rates in posts/day and sessions/day, attention in
        items per session, ...); held, not copied.
    followers : ndarray of int64, shape (n_accounts,)
        Followers of each account at the start (``followers_start``).

    Examples
    --------
    >>> import numpy as np
    >>> import feedsim
    >>> from feedsim.population.state import Population
    >>> G = feedsim.networks.default_community(50, seed=0, as_arrays=True)
    >>> acc = AccountState(Population.from_graph(G, np.random.default_rng(0)), G.in_degree())
    >>> new = acc.grow(np.array([1, 1], dtype=np.int8), np.random.default_rng(1), day=3, followers=0)
    >>> new.tolist(), acc.n, int(acc.joined_day[-1]), len(acc.user_posts)
    ([50, 51], 52, 3, 52)
    """

    pop: Population
    user_posts: NDArray[np.int64]
    user_impressions: NDArray[np.int64]
    user_engagements: NDArray[np.int64]
    user_engaged: NDArray[np.int64]
    user_sessions: NDArray[np.int64]
    post_days: NDArray[np.int64]
    low_days: NDArray[np.int64]
    burnouts: NDArray[np.int64]
    session_days: NDArray[np.int64]
    day_posts: NDArray[np.int64]
    day_engagements: NDArray[np.int64]
    day_impressions: NDArray[np.int64]
    day_organic_posts: NDArray[np.int64]
    day_organic_engagements: NDArray[np.int64]
    day_user_sessions: NDArray[np.int64]
    day_engaged: NDArray[np.int64]
    rate_multiplier: NDArray[np.float64]
    recent: NDArray[np.float64]
    reference: NDArray[np.float64]
    session_multiplier: NDArray[np.float64]
    found_recent: NDArray[np.float64]
    found_reference: NDArray[np.float64]
    active: NDArray[np.bool_]
    present: NDArray[np.bool_]
    creator: NDArray[np.bool_]
    quit_day: NDArray[np.int64]
    return_day: NDArray[np.float64]
    joined_day: NDArray[np.int64]
    left_day: NDArray[np.int64]
    sponsored_rate: NDArray[np.float64]
    followers_start: NDArray[np.int64]
    first_number: NDArray[np.int64]

    def __init__(self, population: Population, followers: NDArray[np.int64]) -> None:
        self.pop = population
        new_arrays(self, ACCOUNT_ARRAYS, population.n_users, self._ruled(0, day=0, followers=followers))

    @property
    def n(self) -> int:
        """Number of accounts."""
        return self.pop.n_users

    def grow(self, role_codes: NDArray[np.int8], rng: np.random.Generator, *, day: int, followers: Any,
             **attrs: float) -> NDArray[np.int64]:
        """Append accounts of the given roles; return their indices.

        Attributes not in ``attrs`` are drawn from the role defaults with ``rng``;
        every array of :data:`ACCOUNT_ARRAYS` gets its starting value, with
        ``joined_day = day`` and ``followers_start = followers``.
        """
        old = self.n
        self.pop.append(role_codes, rng, **attrs)
        grow_arrays(self, ACCOUNT_ARRAYS, self.n - old, self._ruled(old, day=day, followers=followers))
        return np.arange(old, self.n, dtype=np.int64)

    def _ruled(self, first: int, *, day: int, followers: Any) -> dict[str, Any]:
        """Values of the arrays set by a rule (``initial=None``) for accounts ``first ..``."""
        return {"creator": self.pop.post_rate[first:] > 0, "joined_day": day, "followers_start": followers}

    def end_day(self) -> None:
        """Zero the counters of the day (:data:`DAY_COUNTERS`)."""
        for name in DAY_COUNTERS:
            getattr(self, name)[:] = 0
