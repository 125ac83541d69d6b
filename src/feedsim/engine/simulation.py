"""`Simulation`: a population on a follow graph, clocked by a SimPy environment.

The SimPy :class:`simpy.Environment` owns time (hours). One platform process
advances the vectorised tick every ``tick_hours``; interventions (switch the
ranker, change a parameter, run a campaign, add accounts) and any process a user
writes are SimPy processes on the same clock. Interventions due at time ``t``
take effect before the tick that starts at ``t``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from typing import Any

import numpy as np
import simpy

from .._validate import check_choice, check_int, check_number
from ..errors import InvalidParameterError
from ..network.graph import ROLES, FollowGraph
from ..population.state import Population
from ..progress import ProgressBar
from ..random import SeedInfo, as_seed_sequence, spawn_streams
from ..rankers.registry import get_ranker, ranker_name
from .audit import FeedAudit
from .config import SimulationConfig
from .platform import Platform
from .result import SimulationResult

__all__ = ["Simulation"]


class Simulation:
    """Run a follow graph under a feed ranker.

    Parameters
    ----------
    graph : networkx.DiGraph, FollowGraph or scipy.sparse matrix
        The follow graph; edge ``(u, v)`` means u follows v. Optional node
        attributes: ``role`` (``influencer``, ``regular``, ``quiet``, ``brand``,
        ``lurker``; default ``regular``), ``post_rate`` (posts/day),
        ``session_rate`` (sessions/day), ``attention`` (items per session),
        ``propensity``, ``quality``, ``link_share``; missing values are drawn
        from per-role defaults (:mod:`feedsim.population.roles`).
    ranker : str or callable, default "chronological"
        A name in :data:`feedsim.rankers.RANKERS` or ``f(candidates, rng) -> scores``.
    seed : int, SeedSequence, Generator or None
        Root of all randomness. The same seed gives the same result bit for bit.
    tick_hours : float, default 1
        Tick length, hours.
    max_age_hours : float, default 48
        Maximum age of a candidate post, hours.
    out_of_network_share : float, default 0
        Share of each feed given to out-of-network (trending) posts.
    dynamics : bool, default True
        ``False`` turns every feedback loop off.
    audit : array_like of int, optional
        Accounts (positions in the graph's node order) whose feeds are recorded
        candidate by candidate in ``result.audit`` (see
        :mod:`feedsim.engine.audit`). Recording does not change the run.
    **params
        Any other :class:`~feedsim.engine.config.SimulationConfig` field, e.g.
        ``reciprocity=False`` or ``like_rate=0.02``.

    Raises
    ------
    InvalidParameterError
        For bad parameters, node attributes or graphs, before anything runs.

    Examples
    --------
    >>> import feedsim
    >>> G = feedsim.networks.default_community(500, seed=1)
    >>> sim = feedsim.Simulation(G, ranker="engagement", seed=1)
    >>> sim.switch_ranker("chronological", at_day=1)
    >>> result = sim.run(days=2)
    >>> result.summary()["n_posts"] > 0
    True
    """

    def __init__(
        self,
        graph: Any,
        ranker: str | Callable = "chronological",
        *,
        seed: Any = None,
        tick_hours: float = 1.0,
        max_age_hours: float = 48.0,
        out_of_network_share: float = 0.0,
        dynamics: bool = True,
        audit: Any = None,
        **params: Any,
    ) -> None:
        known = set(SimulationConfig.__dataclass_fields__)
        for key in params:
            if key not in known:
                raise InvalidParameterError(
                    f"unknown simulation parameter {key!r}; allowed: {', '.join(sorted(known))}"
                )
        self.config = SimulationConfig(
            tick_hours=tick_hours,
            max_age_hours=max_age_hours,
            out_of_network_share=out_of_network_share,
            dynamics=dynamics,
            **params,
        )
        self._ranker = get_ranker(ranker)
        self.ranker_name = ranker_name(ranker)
        ss = as_seed_sequence(seed)
        self.seed = SeedInfo(ss.entropy, tuple(ss.spawn_key))
        self.graph = FollowGraph.coerce(graph)
        streams = spawn_streams(ss)
        self.population = Population.from_graph(self.graph, streams["population"])
        self.platform = Platform(self.graph, self.population, self.config, streams, self._ranker, self.ranker_name)
        if audit is not None:
            self.platform.audit = FeedAudit(audit, self.population.n_users)
        self.env = simpy.Environment()
        self.interventions: list[dict] = []
        self._progress: ProgressBar | None = None
        self._wall = 0.0
        self.env.process(self._platform_loop())

    # ---------------------------------------------------------------- the clock
    @property
    def now(self) -> float:
        """Simulated time, hours since the start."""
        return float(self.env.now)

    def _platform_loop(self) -> Generator:
        # Tick i starts at exactly i * tick_hours (an integer counter, so the clock
        # never drifts for tick lengths that are not exact in binary).
        tick = 0
        while True:
            yield self.env.timeout(0)  # interventions due now act first
            dt = self.platform.cfg.tick_hours
            self.platform.step(tick * dt)
            tick += 1
            if self._progress is not None:
                self._progress.update(tick * dt - self._progress_start)
            yield self.env.timeout(max(0.0, tick * dt - self.env.now))

    def run(self, days: float, *, progress: bool = False) -> SimulationResult:
        """Advance the simulation by ``days`` days and return the result so far.

        Calling ``run`` again continues from where the last call stopped.

        Parameters
        ----------
        days : float
            Simulated days to add; must cover a whole number of ticks.
        progress : bool, default False
            Show a progress bar on stderr if the run takes more than 2 seconds.

        Returns
        -------
        SimulationResult
        """
        check_number("days", days, low=0, low_inclusive=False)
        ticks = days * 24.0 / self.config.tick_hours
        if abs(ticks - round(ticks)) > 1e-9:
            raise InvalidParameterError(
                f"days must cover a whole number of ticks of {self.config.tick_hours} h; got {days!r}"
            )
        ticks_done = round(self.now / self.config.tick_hours)
        until = (ticks_done + round(ticks)) * self.config.tick_hours
        self._progress_start = self.now
        self._progress = ProgressBar(days * 24.0, f"feedsim {self.ranker_name}") if progress else None
        start = time.perf_counter()
        try:
            self.env.run(until=until)
        finally:
            self._wall += time.perf_counter() - start
            if self._progress is not None:
                self._progress.close()
            self._progress = None
        return self.result()

    def result(self) -> SimulationResult:
        """A :class:`SimulationResult` of the run so far (arrays are copies)."""
        return SimulationResult.from_platform(self, wall_seconds=self._wall)

    # ------------------------------------------------------------ interventions
    def _when(self, at_day: float | None, at_hours: float | None) -> float:
        if (at_day is None) == (at_hours is None):
            raise InvalidParameterError("give exactly one of at_day (days) or at_hours (hours)")
        name = "at_day" if at_hours is None else "at_hours"
        value = check_number(name, at_day if at_hours is None else at_hours, low=0)
        t = value * 24.0 if at_hours is None else value
        if t < self.now:
            raise InvalidParameterError(f"{name} must not be in the past (now = {self.now:g} h); got {t / (24.0 if at_hours is None else 1):g}")
        return t

    def schedule(self, action: Callable[[Simulation], Any], *, at_day: float | None = None,
                 at_hours: float | None = None, label: str | None = None) -> None:
        """Call ``action(sim)`` at the given simulated time (before that tick).

        Examples
        --------
        >>> import feedsim
        >>> sim = feedsim.Simulation(feedsim.networks.default_community(200, seed=0), seed=0)
        >>> sim.schedule(lambda s: s.platform.pop.post_rate.__imul__(2), at_day=1, label="double posting")
        """
        when = self._when(at_day, at_hours)
        label = label or getattr(action, "__name__", "action")

        def proc():
            yield self.env.timeout(when - self.now)
            action(self)
            self.interventions.append({"hours": float(self.env.now), "action": label})

        self.env.process(proc())

    def switch_ranker(self, ranker: str | Callable, *, at_day: float | None = None,
                      at_hours: float | None = None) -> None:
        """Switch to another ranker at the given time ("the algorithm change").

        Examples
        --------
        >>> import feedsim
        >>> sim = feedsim.Simulation(feedsim.networks.default_community(200, seed=0), seed=0)
        >>> sim.switch_ranker("engagement", at_day=30)
        """
        fn = get_ranker(ranker)
        name = ranker_name(ranker)

        def action(sim: Simulation) -> None:
            sim.platform.ranker = fn
            sim.platform.ranker_label = name

        self.schedule(action, at_day=at_day, at_hours=at_hours, label=f"switch ranker to {name}")

    def set_param(self, name: str, value: Any, *, at_day: float | None = None,
                  at_hours: float | None = None) -> None:
        """Change a :class:`SimulationConfig` parameter at the given time.

        The new value is validated now. ``tick_hours`` cannot change mid-run.
        """
        if name in ("tick_hours", "mutual_affinity", "exclude_seen", "keep_posts"):
            raise InvalidParameterError(f"{name} cannot change during a run")
        self.config.replace(**{name: value})  # validate now

        def action(sim: Simulation) -> None:
            sim.platform.cfg = sim.platform.cfg.replace(**{name: value})

        self.schedule(action, at_day=at_day, at_hours=at_hours, label=f"set {name} = {value!r}")

    def campaign(self, accounts, *, posts_per_day: float, start_day: float, days: float) -> None:
        """Run a sponsored campaign: extra posts flagged ``sponsored`` for a while.

        Parameters
        ----------
        accounts : array_like of int
            Account indices (positions in the graph's node order).
        posts_per_day : float
            Extra sponsored posts per account per day.
        start_day, days : float
            When the campaign starts and how long it lasts, days.
        """
        arr = np.asarray(accounts).ravel()
        if arr.dtype.kind not in "iu":
            raise InvalidParameterError(
                f"accounts must be indices in [0, {self.platform.n_users}) (whole numbers); got {accounts!r}"
            )
        idx = arr.astype(np.int64)
        if len(idx) == 0 or idx.min() < 0 or idx.max() >= self.platform.n_users:
            raise InvalidParameterError(
                f"accounts must be indices in [0, {self.platform.n_users}); got {accounts!r}"
            )
        rate = check_number("posts_per_day", posts_per_day, low=0, low_inclusive=False)
        check_number("days", days, low=0, low_inclusive=False)

        def start(sim: Simulation) -> None:
            np.add.at(sim.platform.sponsored_rate, idx, rate)

        def stop(sim: Simulation) -> None:
            np.add.at(sim.platform.sponsored_rate, idx, -rate)
            np.maximum(sim.platform.sponsored_rate, 0, out=sim.platform.sponsored_rate)

        self.schedule(start, at_day=start_day, label=f"campaign start ({len(idx)} accounts)")
        self.schedule(stop, at_day=start_day + days, label=f"campaign end ({len(idx)} accounts)")

    def add_accounts(self, n: int, *, role: str = "regular", at_day: float | None = None,
                     at_hours: float | None = None, follows: int = 20, **attrs: float) -> None:
        """Add ``n`` accounts of ``role`` at the given time.

        Each new account follows ``follows`` existing accounts chosen in proportion
        to their follower count plus one. ``attrs`` fixes attributes (e.g.
        ``post_rate=2.0``); the rest are drawn from the role defaults.
        """
        n = check_int("n", n, low=1)
        check_choice("role", role, ROLES)
        follows = check_int("follows", follows, low=0)
        allowed = {"post_rate", "session_rate", "attention", "propensity", "quality", "link_share"}
        for key, val in attrs.items():
            check_choice("attribute", key, sorted(allowed))
            if key == "attention":
                check_number(key, val, low=1)
                if float(val) != round(float(val)):
                    raise InvalidParameterError(f"attention must be a finite whole number >= 1; got {val!r}")
            else:
                check_number(key, val, low=0, high=1 if key == "link_share" else None)
        code = ROLES.index(role)

        def action(sim: Simulation) -> None:
            sim.platform.add_accounts(code, n, follows, **attrs)

        self.schedule(action, at_day=at_day, at_hours=at_hours, label=f"add {n} {role} accounts")

    def process(self, fn: Callable[[Simulation], Generator]) -> simpy.Process:
        """Start a user process ``fn(sim)``: a generator that yields SimPy events.

        Examples
        --------
        >>> import feedsim
        >>> sim = feedsim.Simulation(feedsim.networks.default_community(200, seed=0), seed=0)
        >>> def weekly_boost(sim):
        ...     while True:
        ...         yield sim.env.timeout(7 * 24)
        ...         sim.platform.pop.session_rate *= 1.1
        >>> _ = sim.process(weekly_boost)
        """
        gen = fn(self)
        if not hasattr(gen, "send"):
            raise InvalidParameterError("process must be a generator function fn(sim) that yields SimPy events")
        return self.env.process(gen)
