"""`Simulation`: a population on a follow graph, with a SimPy environment for scheduling.

The platform owns the run's one clock, an integer tick (:mod:`.clock`); hours
and the day derive from it. One SimPy process, the platform process, runs the
vectorised ticks and keeps SimPy's clock on the tick: ``env.now`` is
``hours_at(tick)`` whenever a tick starts. Interventions (switch the ranker,
change a parameter, run a campaign, add accounts, ``schedule``) are converted
to the tick before which they act, in one place (:meth:`Simulation._when`), and
the platform process applies them just before that tick. Processes a user
writes are SimPy processes on the same clock; those due at a tick's start act
before it too.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Generator
from typing import Any, cast

import numpy as np
import simpy

from .._validate import check_int, check_number
from ..errors import InvalidParameterError, RunFailedError
from ..network.graph import ROLES, FollowGraph
from ..params import ACCOUNT_ATTRIBUTES, SIMULATION_PARAMS, check_days
from ..population.roles import ROLE_DEFAULTS
from ..population.state import MAX_POST_RATE, Population
from ..progress import ProgressBar
from ..random import SeedInfo, as_seed_sequence, spawn_streams
from ..rankers.registry import get_ranker, ranker_name
from ..warmup import preparing_message
from .accounts import Accounts
from .audit import FeedAudit
from .checkpoint import Checkpointer, CheckpointInfo, ScheduledAction
from .clock import hours_at, tick_at
from .config import SimulationConfig
from .memory import (
    MemoryEstimate,
    check_graph_size,
    check_memory,
    estimate_memory,
    held_bytes,
    parse_memory_limit,
)
from .platform import Platform
from .post_view import Posts
from .result import SimulationResult, result_of

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
    memory_limit : "available", None, float or str, default "available"
        Before any work (here, and in :meth:`run` once the number of days is
        known), the run's peak memory is estimated from the graph and the rates
        (:func:`feedsim.estimate_memory`) and the run is refused if the estimate
        exceeds this limit: ``"available"`` is the memory available now
        (``MemAvailable`` on Linux; no check where it cannot be read), a number
        is bytes, a string such as ``"16 GB"`` or ``"8 GiB"`` works too, and
        ``None`` switches the check off (for those who know better). Not a
        model parameter: it is not part of ``config``. Interventions are
        estimated when they are scheduled, a sparse or networkx graph by its
        size before it is converted, and each day's close compares the running
        state with the limit.
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
    InsufficientMemoryError
        When the estimated peak memory exceeds ``memory_limit``: one line naming
        the parameter that drives it, e.g. ``post_rate=1e+09 (node 0) with
        max_age_hours=48 gives an estimated 1.3e+03 TB peak; 22.1 GB available;
        pass memory_limit=None to override``.

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
        tick_hours: float = SIMULATION_PARAMS["tick_hours"].default,
        max_age_hours: float = SIMULATION_PARAMS["max_age_hours"].default,
        out_of_network_share: float = SIMULATION_PARAMS["out_of_network_share"].default,
        dynamics: bool = SIMULATION_PARAMS["dynamics"].default,
        memory_limit: Any = "available",
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
        self.memory_limit = parse_memory_limit(memory_limit)
        self._memory_plans: list[dict] = []  # scheduled campaigns, added accounts and parameter changes
        self._until = 0.0
        if self.memory_limit is not None and not isinstance(graph, FollowGraph):
            check_graph_size(graph, self.config, self.memory_limit)  # before the graph is converted
        self.graph = FollowGraph.coerce(graph)
        streams = spawn_streams(ss)
        self.population = Population.from_graph(self.graph, streams["population"])
        self._audit = None if audit is None else FeedAudit(audit, self.population.n_users)
        self._check_memory(days=1.0)  # the state, before anything is allocated for it
        self.platform = Platform(self.graph, self.population, self.config, streams, self._ranker, self.ranker_name)
        if self._audit is not None:
            self.platform.audit = self._audit
        self.env = simpy.Environment()
        self.interventions: list[dict] = []
        self._progress: ProgressBar | None = None
        self._wall = 0.0
        self._scheduled: list[ScheduledAction] = []  # every action put on the clock, in order
        self._user_code: list[str] = []  # user processes (cannot be checkpointed)
        self._checkpointer: Checkpointer | None = None
        self._broken = False  # a run failed midway: the state is incomplete, run() refuses
        self.env.process(self._platform_loop())

    def estimate_memory(self, days: float = 1.0) -> MemoryEstimate:
        """Estimated peak memory of running ``days`` more days (see :func:`feedsim.estimate_memory`).

        Examples
        --------
        >>> import feedsim
        >>> sim = feedsim.Simulation(feedsim.networks.default_community(300, seed=0), seed=0)
        >>> sim.estimate_memory(days=7).total < 1e9
        True
        """
        from .kernels.compiled_rankers import compiled_form

        days = check_days(days)
        done = getattr(self, "env", None)
        now_days = self.now / 24.0 if done is not None else 0.0
        end_days = days + now_days
        try:
            import numba

            threads = numba.get_num_threads()
        except (ImportError, ValueError):  # pragma: no cover
            threads = 1
        graph = self.graph
        population = self.population
        platform = getattr(self, "platform", None)
        config = self.config if platform is None else platform.cfg
        if platform is not None:
            population = platform.accounts.pop
            if platform.edges.n != graph.n_users:  # accounts were added: today's graph
                from types import SimpleNamespace

                g = platform.edges
                extra = list(range(graph.n_users, g.n))
                # a stand-in with the attributes estimate_memory reads
                graph = cast(FollowGraph, SimpleNamespace(
                    n_users=g.n, n_edges=g.n_edges, indptr=g.indptr, indices=g.indices,
                    node_ids=list(self.graph.node_ids) + extra))
        # what is scheduled within the run: campaigns, accounts to add, parameter changes
        campaigns, added, configs = [], [], [config]
        for plan in self._memory_plans:
            start, stop = plan["start"], plan.get("stop", plan["start"])
            if start >= end_days or (plan["kind"] != "campaign" and start < now_days):
                continue  # after the run, or done already (its accounts are in today's graph)
            if plan["kind"] == "campaign":
                if stop > now_days:
                    campaigns.append((plan["accounts"], plan["rate"], min(stop, end_days) - max(start, now_days)))
            elif plan["kind"] == "add":
                added.append(plan)
            else:
                configs.append(configs[-1].replace(**{plan["param"]: plan["value"]}))
        held_audit = getattr(self, "_audit", None)
        audit = None if held_audit is None else held_audit.accounts
        array_ranker = compiled_form(self._ranker) is None
        estimates = [estimate_memory(graph, population, cfg, days=end_days, array_ranker=array_ranker,
                                     threads=threads, audit=audit, campaigns=campaigns, added=added)
                     for cfg in configs]
        return max(estimates, key=lambda e: e.total)

    def _check_memory(self, days: float) -> None:
        if self.memory_limit is not None:
            platform = getattr(self, "platform", None)
            check_memory(self.estimate_memory(days), self.memory_limit,
                         held=0.0 if platform is None else held_bytes(platform))

    def _plan(self, plan: dict, days: float) -> None:
        """Count a scheduled intervention in the estimate, and refuse it now if the run would not fit."""
        self._memory_plans.append(plan)
        try:
            self._check_memory(max(days, 1.0))
        except Exception:
            self._memory_plans.pop()
            raise

    def _day_closed(self) -> None:
        """At a day's close, compare the running state with what the estimate assumed and with the limit."""
        if self.memory_limit is None:
            return
        p = self.platform
        acc, cfg = p.accounts, p.cfg
        est = getattr(self, "_estimate", None)
        rates = acc.pop.post_rate * np.where(acc.active & acc.present, acc.rate_multiplier, 0.0)
        rates = rates + acc.sponsored_rate
        sessions = acc.pop.session_rate * acc.session_multiplier * acc.present
        now = {"accounts": float(p.edges.n), "edges": float(p.edges.n_edges), "posts_per_day": float(rates.sum()),
               "feed_slots": float(np.dot(sessions, acc.pop.attention)) * cfg.tick_hours / 24.0}
        if est is not None and all(v <= 1.1 * est.inputs.get(k, 0.0) + 1.0 for k, v in now.items()):
            return  # within what the estimate assumed
        # past it (user code changed rates, accounts joined, follows grew): the whole run again, from
        # today's accounts, edges, rates and parameters (feedback bounded as at the start)
        self._estimate = self.estimate_memory(max(self._until - self.now, self.config.tick_hours) / 24.0)
        check_memory(self._estimate, self.memory_limit, held=held_bytes(p))

    @property
    def accounts(self) -> Accounts:
        """The accounts: per-account attributes to read and, for user code, to change.

        See :class:`feedsim.engine.accounts.Accounts`: ``sim.accounts.session_rate
        *= 1.05`` in a user process, ``sim.accounts.set("post_rate", ids, 0.0)``.

        Examples
        --------
        >>> import feedsim
        >>> sim = feedsim.Simulation(feedsim.networks.default_community(200, seed=0), seed=0)
        >>> len(sim.accounts)
        200
        """
        return Accounts(self)

    @property
    def posts(self) -> Posts:
        """The posts kept so far: columns to read, ``appeal`` to change (user code).

        See :class:`feedsim.engine.post_view.Posts`: ``sim.posts.author``,
        ``sim.posts.set("appeal", ids, values)``; ids as in ``result.posts``.

        Examples
        --------
        >>> import feedsim
        >>> sim = feedsim.Simulation(feedsim.networks.default_community(200, seed=0), seed=0)
        >>> len(sim.posts)
        0
        """
        return Posts(self)

    @property
    def daily(self) -> dict[str, np.ndarray]:
        """The days closed so far: each daily series as an array, one row per day (copies).

        The same series as ``result.daily`` (``posts``, ``impressions``,
        ``sessions``, ``creators_posting``, ``posts_by_role`` ... per simulated
        day), readable while the run goes on, e.g. by a user process that reacts
        to yesterday's activity. A day's row appears at its midnight.

        Examples
        --------
        >>> import feedsim
        >>> sim = feedsim.Simulation(feedsim.networks.default_community(200, seed=0), seed=0)
        >>> len(sim.daily["posts"])
        0
        >>> _ = sim.run(days=2)
        >>> len(sim.daily["posts"]), bool((sim.daily["posts"] == sim.result().daily["posts"]).all())
        (2, True)
        """
        return self.platform.days.arrays()

    # ---------------------------------------------------------------- the clock
    @property
    def now(self) -> float:
        """Simulated time, hours since the start: SimPy's clock.

        When a tick starts it is the platform's ``hours`` (the start of tick
        ``platform.tick``); a user process may also run between two ticks.
        """
        return float(self.env.now)

    def _platform_loop(self) -> Generator:
        # The platform's tick is the one clock and SimPy's follows it: SimPy's float
        # clock cannot be saved in a checkpoint and an integer tick never drifts, so
        # the tick is the source and env.now is moved to hours_at(tick) and checked
        # equal before every tick. A loop resumed from a checkpoint (a new
        # Environment at the saved hours) simply continues at the saved tick.
        p, env = self.platform, self.env
        while True:
            yield env.timeout(p.hours - env.now)
            yield env.timeout(0)  # user processes due at the tick's start act first
            if env.now != p.hours:
                raise RuntimeError(f"SimPy's clock ({env.now!r} h) is not at tick {p.tick} ({p.hours!r} h); "
                                   "this is a bug in feedsim")
            for item in self._scheduled:  # registration order; an action may schedule more for now
                if item.tick == p.tick:
                    item.action(self)
                    self.interventions.append({"hours": float(p.hours), "action": item.label, **(item.record or {})})
            day = p.day
            if self._user_code:  # user processes may have edited accounts in place
                self.accounts.check()
            p.step()
            if p.day != day:
                self._day_closed()
            if self._progress is not None:
                self._progress.update(p.hours - self._progress_start)
            if self._checkpointer is not None and p.day != day:
                self._checkpointer.day_closed()

    def run(self, days: float, *, progress: bool = False, checkpoint: str | os.PathLike | None = None,
            checkpoint_every_days: int | None = None,
            on_checkpoint: Callable[[CheckpointInfo], Any] | None = None) -> SimulationResult:
        """Advance the simulation by ``days`` days and return the result so far.

        Calling ``run`` again continues from where the last call stopped.

        Parameters
        ----------
        days : float
            Simulated days to add; must cover a whole number of ticks.
        progress : bool, default False
            Show a progress bar on stderr if the run takes more than 2 seconds.
        checkpoint : str or PathLike, optional
            A file for checkpoints (:mod:`feedsim.engine.checkpoint`): the whole
            state is written there after every ``checkpoint_every_days`` completed
            days and at the end (when the run ends on a day boundary). If the file
            holds a checkpoint of this run ahead of the simulation, the run
            resumes from it; the result is the same, bit for bit, as without the
            interruption.
        checkpoint_every_days : int, optional
            Days between checkpoints (default 1; needs ``checkpoint``).
        on_checkpoint : callable, optional
            Called with a :class:`~feedsim.engine.checkpoint.CheckpointInfo`
            after each checkpoint is written.

        Returns
        -------
        SimulationResult

        Raises
        ------
        CheckpointError
            If the checkpoint file is damaged or from another run (config, seed,
            graph, interventions or feedsim version differ), or the run has user
            processes or custom actions, which cannot be saved.
        RunFailedError
            If a checkpointed run fails midway; the message names the checkpoint
            to resume from and the original exception is chained.

        Examples
        --------
        >>> import feedsim, tempfile, os
        >>> tmp = tempfile.TemporaryDirectory(); path = os.path.join(tmp.name, "run.ckpt")
        >>> G = feedsim.networks.default_community(200, seed=0)
        >>> a = feedsim.Simulation(G, seed=0).run(days=3, checkpoint=path)
        >>> b = feedsim.Simulation(G, seed=0).run(days=3, checkpoint=path)  # resumed: no work left
        >>> a.summary() == b.summary()
        True
        >>> tmp.cleanup()
        """
        check_days(days, self.config.tick_hours)
        if self._broken:
            raise RunFailedError("this Simulation failed midway and its state is incomplete; build a new one with "
                                 "the same arguments (with checkpoint=PATH it resumes from the last checkpoint)")
        ticks = days * 24.0 / self.config.tick_hours
        self.accounts.check()  # edits made in place between runs
        if self.memory_limit is not None:
            self._estimate = self.estimate_memory(days)
            check_memory(self._estimate, self.memory_limit, held=held_bytes(self.platform))
        until = hours_at(self.platform.tick + round(ticks), self.config.tick_hours)
        self._until = until
        ckpt = None
        if checkpoint is not None:
            ckpt = Checkpointer(self, checkpoint, 1 if checkpoint_every_days is None else checkpoint_every_days,
                                on_checkpoint)
            ckpt.resume(until)
        elif checkpoint_every_days is not None or on_checkpoint is not None:
            raise InvalidParameterError(
                "checkpoint_every_days and on_checkpoint need checkpoint=PATH; got checkpoint=None")
        self._progress_start = self.now
        self._progress = (ProgressBar(until - self.now, f"feedsim {self.ranker_name}", preparing=preparing_message())
                          if progress else None)
        self._checkpointer = ckpt
        start = time.perf_counter()
        try:
            if until > self.env.now:  # (a resumed checkpoint may already be at the end)
                self.env.run(until=until)
        except Exception as exc:  # re-raised at once, naming the checkpoint to resume from
            self._broken = True
            if ckpt is None:
                raise
            raise ckpt.failed(exc) from exc
        finally:
            self._checkpointer = None
            self._wall += time.perf_counter() - start
            if self._progress is not None:
                self._progress.close()
            self._progress = None
        if ckpt is not None:
            ckpt.finish()
        return self.result()

    def result(self) -> SimulationResult:
        """A :class:`SimulationResult` of the run so far (arrays are copies)."""
        return result_of(self, wall_seconds=self._wall)

    # ------------------------------------------------------------ interventions
    def _when(self, at_day: float | None, at_hours: float | None) -> int:
        """The tick before which an action due at ``at_day`` days or ``at_hours`` hours acts.

        The one place where an intervention's time becomes a tick: the first tick
        that starts at or after that time (:func:`.clock.tick_at`; a time inside a
        tick means the next tick) and has not started yet.
        """
        if (at_day is None) == (at_hours is None):
            raise InvalidParameterError("give exactly one of at_day (days) or at_hours (hours)")
        name = "at_day" if at_hours is None else "at_hours"
        value = check_number(name, at_day if at_hours is None else at_hours, low=0)
        t = value * 24.0 if at_hours is None else value
        if t < self.now:
            raise InvalidParameterError(
                f"{name} must not be in the past (now = {self.now:g} h); got {t / (24.0 if at_hours is None else 1):g}"
            )
        return max(tick_at(t, self.config.tick_hours), self.platform.tick)

    def schedule(self, action: Callable[[Simulation], Any], *, at_day: float | None = None,
                 at_hours: float | None = None, label: str | None = None) -> None:
        """Call ``action(sim)`` at the given simulated time, just before the first tick that starts then or later.

        ``result.interventions`` records the start of that tick (hours).

        Examples
        --------
        >>> import feedsim
        >>> sim = feedsim.Simulation(feedsim.networks.default_community(200, seed=0), seed=0)
        >>> def double_posting(s):
        ...     s.accounts.post_rate *= 2
        >>> sim.schedule(double_posting, at_day=1)
        """
        self._schedule(action, at_day, at_hours, str(label or getattr(action, "__name__", "action")))

    def _schedule(self, action: Callable[[Simulation], Any], at_day: float | None, at_hours: float | None,
                  label: str, spec: tuple | None = None, ranker: Callable | None = None,
                  record: dict | None = None) -> None:
        # spec: a built-in intervention as data (None: custom code, which checkpoints refuse)
        # the platform process applies it just before tick ``item.tick``
        self._scheduled.append(ScheduledAction(self._when(at_day, at_hours), action, label, spec, ranker, record))

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

        label = f"switch ranker to {name}"
        self._schedule(action, at_day, at_hours, label, spec=(label,), ranker=fn)

    def set_param(self, name: str, value: Any, *, at_day: float | None = None,
                  at_hours: float | None = None) -> None:
        """Change a :class:`SimulationConfig` parameter at the given time.

        The new value is validated now. Parameters declared fixed for a run
        (``tick_hours``, ``mutual_affinity``, ``exclude_seen``, ``keep_posts``:
        see ``docs/parameters.md``) cannot change mid-run. The
        change is recorded in the result: ``result.interventions`` (with the
        ``param`` and ``value``) and ``result.config_history``.

        Examples
        --------
        >>> import feedsim
        >>> sim = feedsim.Simulation(feedsim.networks.default_community(200, seed=0), seed=0)
        >>> sim.set_param("out_of_network_share", 0.3, at_day=1)
        >>> [(h, c.out_of_network_share) for h, c in sim.run(days=2).config_history]
        [(0.0, 0.0), (24.0, 0.3)]
        """
        if name in SIMULATION_PARAMS and not SIMULATION_PARAMS[name].mutable:
            raise InvalidParameterError(f"{name} cannot change during a run (it is fixed when the Simulation "
                                        f"is built); got set_param({name!r}, {value!r})")
        held = getattr(self.config.replace(**{name: value}), name)  # validate now
        held = held.item() if hasattr(held, "item") else held  # NumPy scalars: plain, for JSON
        t = hours_at(self._when(at_day, at_hours), self.config.tick_hours)  # the hour it takes effect
        self._plan({"kind": "param", "start": t / 24.0, "param": name, "value": value},
                   t / 24.0 + 1.0 - self.now / 24.0)

        def action(sim: Simulation) -> None:
            sim.platform.cfg = sim.platform.cfg.replace(**{name: value})

        label = f"set {name} = {value!r}"
        self._schedule(action, at_day, at_hours, label, spec=(label,), record={"param": name, "value": held})

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
        rate = check_number("posts_per_day", posts_per_day, low=0, low_inclusive=False, high=MAX_POST_RATE)
        check_days(days)
        t = hours_at(self._when(start_day, None), self.config.tick_hours) / 24.0
        self._plan({"kind": "campaign", "start": t, "stop": t + float(days), "accounts": idx, "rate": float(rate)},
                   t + float(days) - self.now / 24.0)

        def start(sim: Simulation) -> None:
            np.add.at(sim.platform.accounts.sponsored_rate, idx, rate)

        def stop(sim: Simulation) -> None:
            np.add.at(sim.platform.accounts.sponsored_rate, idx, -rate)
            rate_now = sim.platform.accounts.sponsored_rate
            np.maximum(rate_now, 0, out=rate_now)

        for fn, day, what in ((start, start_day, "start"), (stop, start_day + days, "end")):
            label = f"campaign {what} ({len(idx)} accounts)"
            self._schedule(fn, day, None, label, spec=(label, idx, rate))

    def add_accounts(self, n: int, *, role: str = ACCOUNT_ATTRIBUTES["role"].default, at_day: float | None = None,
                     at_hours: float | None = None, follows: int = 20, **attrs: float) -> None:
        """Add ``n`` accounts of ``role`` at the given time.

        Each new account follows ``follows`` existing accounts chosen in proportion
        to their follower count plus one. ``attrs`` fixes attributes (e.g.
        ``post_rate=2.0``); the rest are drawn from the role defaults.
        """
        n = check_int("n", n, low=1)
        ACCOUNT_ATTRIBUTES["role"].check(role)
        follows = check_int("follows", follows, low=0)
        numeric = [name for name in ACCOUNT_ATTRIBUTES if name != "role"]
        for key, val in attrs.items():
            if key not in numeric:
                raise InvalidParameterError(f"attribute must be one of {', '.join(map(repr, numeric))}; got {key!r}")
            attrs[key] = ACCOUNT_ATTRIBUTES[key].check(val)  # the one rule of every path (quality > 0 too)
        code = ROLES.index(role)
        t = hours_at(self._when(at_day, at_hours), self.config.tick_hours) / 24.0  # the day it takes effect
        d = ROLE_DEFAULTS[role]
        means = {"post_rate": d.post_rate * np.exp(d.post_sigma ** 2 / 2),
                 "session_rate": d.session_rate * np.exp(d.session_sigma ** 2 / 2), "attention": d.attention}
        means.update({k: float(v) for k, v in attrs.items() if k in means})
        self._plan({"kind": "add", "start": t, "n": n, "follows": follows, **means}, t + 1.0 - self.now / 24.0)

        def action(sim: Simulation) -> None:
            sim.platform.add_accounts(code, n, follows, **attrs)

        label = f"add {n} {role} accounts"
        self._schedule(action, at_day, at_hours, label, spec=(label, follows, sorted(attrs.items())))

    def process(self, fn: Callable[[Simulation], Generator]) -> simpy.Process:
        """Start a user process ``fn(sim)``: a generator that yields SimPy events.

        Examples
        --------
        >>> import feedsim
        >>> sim = feedsim.Simulation(feedsim.networks.default_community(200, seed=0), seed=0)
        >>> def weekly_boost(sim):
        ...     while True:
        ...         yield sim.env.timeout(7 * 24)
        ...         sim.accounts.session_rate *= 1.1
        >>> _ = sim.process(weekly_boost)
        """
        gen = fn(self)
        if not hasattr(gen, "send"):
            raise InvalidParameterError("process must be a generator function fn(sim) that yields SimPy events")
        self._user_code.append(f"sim.process({getattr(fn, '__name__', 'fn')})")
        return self.env.process(gen)
