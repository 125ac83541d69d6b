"""The explorer's model part: parameters in, numbers and figures out.

Both front ends (:func:`feedsim.lesson.explore` in Jupyter and ``feedsim lesson`` in a
browser) call :func:`explore_state`; neither computes anything of its own.

One state is ``replicates`` communities (replicate ``r`` builds its community
:func:`feedsim.replicate_community` from ``replicate_seeds(seed, r).graph`` and runs on
``replicate_seeds(seed, r).run``, :func:`feedsim.random.replicate_seeds`, as ``feedsim
compare --users N --seed S --replicates R`` does), each run under the chosen ranker and under the chronological
feed with the same random numbers (common random numbers). Intervals are over
those replicates: a Student-t interval on the log of quiet members' voice ratio
(a positive quantity, so the interval never goes below zero) and a paired
t-interval on the difference, ranker minus chronological. A bootstrap over
members would be cheaper but would miss the run-to-run variation that decides
whether a difference is real, so replicates it is.
"""

from __future__ import annotations

import dataclasses
import html
import math
import os
import threading
import time
from collections import OrderedDict
from concurrent.futures import CancelledError
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from .._files import plain
from .._validate import check_bool, check_choice, check_int, check_number
from ..compare import replicate_community
from ..engine.config import FEEDBACK_LOOPS
from ..engine.result import SimulationResult
from ..engine.simulation import Simulation
from ..errors import FeedsimError, InvalidParameterError
from ..network.generators import default_community
from ..network.graph import ROLES
from ..params import DAYS, SIMULATION_PARAMS, check_days
from ..plots.palette import ranker_color, role_color
from ..random import replicate_seeds
from ..rankers.registry import RANKERS
from ..sweeps.intervals import bounded_interval, paired_difference

__all__ = ["ExploreParams", "ExploreState", "RunCache", "explore_state", "draw_feed_view", "role_table_html",
           "warm_up", "default_workers", "prefetch_next", "prefetch_rankers", "state_jobs", "BASELINE", "Abandoned",
           "people", "audited_viewers", "person_view", "PERSON_FOLLOWERS"]

#: The reference feed every state is compared with.
BASELINE = "chronological"

#: Cards in the feed view: the first shown items, then the best candidates not shown (readable at 5 in high).
FEED_SHOWN, FEED_UNSHOWN = 8, 3

#: Roles shown in the table and bars (lurkers never post, so they have no share of posts).
POSTING_ROLES = tuple(r for r in ROLES if r != "lurker")


@dataclass(frozen=True)
class ExploreParams:
    """What the explorer's controls set.

    Parameters
    ----------
    ranker : str, default "engagement"
        A built-in ranker name (``feedsim.rankers.RANKERS``).
    rich_get_richer, reciprocity, creator_adaptation, follow_discovery : bool, default True
        Each feedback loop (see :class:`feedsim.SimulationConfig`), for both feeds.
    out_of_network_share : float, default 0.0
        Share of each feed reserved for posts from accounts the viewer does not follow.
    n_users : int, default 1000
        Accounts in the community (``feedsim.networks.default_community``), 100 to 20,000.
    days : float, default 7
        Simulated days, more than 0 and at most 60.
    replicates : int, default 3
        Communities (seeds) the numbers are averaged over, 2 to 10.
    seed : int, default 1
        Root seed of the replicates.

    Examples
    --------
    >>> ExploreParams(ranker="fair_exposure").ranker
    'fair_exposure'
    >>> ExploreParams(days=0)
    Traceback (most recent call last):
    ...
    feedsim.errors.InvalidParameterError: days must be a finite number > 0 and <= 60; got 0
    """

    ranker: str = "engagement"
    # the loops' effective default (None: same as ``dynamics``) and the share come from feedsim.params
    rich_get_richer: bool = SIMULATION_PARAMS["dynamics"].default
    reciprocity: bool = SIMULATION_PARAMS["dynamics"].default
    creator_adaptation: bool = SIMULATION_PARAMS["dynamics"].default
    follow_discovery: bool = SIMULATION_PARAMS["dynamics"].default
    out_of_network_share: float = SIMULATION_PARAMS["out_of_network_share"].default
    n_users: int = 1000
    days: float = 7.0
    replicates: int = 3
    seed: int = 1

    def __post_init__(self) -> None:
        check_choice("ranker", self.ranker, RANKERS)
        for loop in FEEDBACK_LOOPS:
            check_bool(loop, getattr(self, loop))
        SIMULATION_PARAMS["out_of_network_share"].check(self.out_of_network_share)
        object.__setattr__(self, "n_users", check_int("n_users", self.n_users, low=100, high=20_000))
        # the declared rule of days, with the explorer's own ceiling (a page answers in seconds)
        check_number("days", self.days, low=DAYS.low, low_inclusive=not DAYS.low_open, high=60)
        check_days(self.days, SIMULATION_PARAMS["tick_hours"].default)  # whole ticks, at least one
        object.__setattr__(self, "replicates", check_int("replicates", self.replicates, low=2, high=10))
        object.__setattr__(self, "seed", check_int("seed", self.seed, low=0))

    def loops(self) -> dict[str, bool]:
        """The feedback-loop switches as keyword arguments of :class:`feedsim.Simulation`."""
        return {loop: bool(getattr(self, loop)) for loop in FEEDBACK_LOOPS}

    def replace(self, **changes: Any) -> ExploreParams:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)


class _Run(NamedTuple):
    """One cached run with the numbers the explorer reads from it (computed once)."""

    result: SimulationResult
    summary: dict
    role_table: dict


def _run_key(params: ExploreParams, ranker: str, replicate: int, audit: list[int] | None) -> tuple:
    # the ranker and the replicate count are not part of one run's identity
    return (dataclasses.replace(params, ranker=BASELINE, replicates=2), ranker, replicate, tuple(audit or ()))


class Abandoned(FeedsimError):
    """A computation stopped because a newer request replaced it (:meth:`RunCache.new_ticket`)."""


#: Simulated days between two checks whether a newer request came (whole ticks at the default 1 h tick).
CHECK_DAYS = 0.25

#: In a worker process: the generation counter shared with the process that started it.
_WORKER_GENERATION: Any = None


def _compute(params: ExploreParams, ranker: str, replicate: int, audit: list[int] | None, G=None,
             ticket: int | None = None, generation: Any = None) -> _Run:
    """One run of the explorer's experiment (also the job of a worker process).

    With a ``ticket``, the run goes :data:`CHECK_DAYS` simulated days at a time and
    stops with :class:`Abandoned` as soon as the shared ``generation`` counter has
    moved past it (a newer request came). Running in chunks gives the same bits as
    one ``run`` call (``Simulation.run`` continues where it stopped).
    """
    generation = generation if generation is not None else _WORKER_GENERATION
    cancellable = ticket is not None and generation is not None

    def check(hours: float) -> None:
        if cancellable and generation.value != ticket:
            raise Abandoned(f"run of {ranker!r} abandoned at {hours:g} h: a newer request replaced it")

    check(0.0)  # (before building a community: that alone takes seconds at 20,000 accounts)
    if G is None:
        G = _WORKER_GRAPHS.graph(params.n_users, params.seed, replicate)
    check(0.0)
    extra: dict[str, Any] = {"audit": list(audit)} if audit else {}
    sim = Simulation(G, ranker=ranker, seed=replicate_seeds(params.seed, replicate).run,
                     out_of_network_share=params.out_of_network_share, **params.loops(), **extra)
    if not cancellable:
        res = sim.run(days=params.days)
    else:
        whole = int(params.days / CHECK_DAYS)
        rest = params.days - whole * CHECK_DAYS
        for chunk in [CHECK_DAYS] * whole + ([rest] if rest > 1e-9 else []):
            check(sim.now)
            sim.run(days=chunk)
        res = sim.result()
    return _Run(res, res.summary(), res.role_table())


def _worker_start(generation: Any = None) -> None:
    """A worker process: one compiled-kernel thread (the workers are the parallelism), kernels loaded.

    It also leaves when the process that started it is gone (killed without a chance to
    stop its workers), rather than staying behind.
    """
    import numba  # noqa: PLC0415

    global _WORKER_GENERATION
    _WORKER_GENERATION = generation
    numba.set_num_threads(1)
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="feedsim-worker-watch", daemon=True).start()
    warm_up()


def default_workers() -> int:
    """Worker processes a front end uses: one per core up to 6 (two feeds x three replicates); 0 on one core.

    Examples
    --------
    >>> 0 <= default_workers() <= 6
    True
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return 0 if cores < 2 else min(cores, 6)


class RunCache:
    """Keeps recent communities and runs so that a front end only computes what changed.

    Runs are deterministic functions of their parameters and seed, so a cached run
    is the run that would be computed, wherever it was computed. Bounded: the oldest
    entries go first. With ``workers``, the runs one state needs are computed side
    by side in that many worker processes (started on first use, each with one
    compiled-kernel thread and its own copy of the communities); the results are
    the same bits as in-process runs.

    Parameters
    ----------
    max_runs : int, default 64
        Runs kept (about 1 MB each at 1,000 accounts x 7 days).
    max_account_days : int, optional
        Also keep the runs' accounts x days summed below this (a run's memory grows
        with both); default no bound beyond ``max_runs``.
    workers : int, default 0
        Worker processes; 0 computes every run in this process.
        :func:`default_workers` is what ``feedsim lesson`` and ``feedsim.explore()`` use.
        The workers are started with ``spawn``, so a script using them keeps its own
        work under ``if __name__ == "__main__":``.

    Examples
    --------
    >>> cache = RunCache(max_runs=4)
    >>> len(cache)
    0
    """

    def __init__(self, max_runs: int = 64, workers: int = 0, max_account_days: int | None = None) -> None:
        self.max_runs = check_int("max_runs", max_runs, low=1)
        self.max_account_days = None if max_account_days is None else check_int("max_account_days",
                                                                                  max_account_days, low=1)
        self.workers = check_int("workers", workers, low=0)
        self._graphs: OrderedDict = OrderedDict()
        self._runs: OrderedDict = OrderedDict()
        self._pool: Any = None
        self._pending: dict = {}  # computed ahead and handed to the workers: key -> Future
        self._queue: OrderedDict = OrderedDict()  # to compute ahead, not handed out yet: key -> (params, job)
        self._lock = threading.RLock()  # a future cancelled under it runs its callback at once
        self._wake = threading.Condition(self._lock)
        self._feeder: threading.Thread | None = None
        self._generation: Any = None
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._runs)

    def graph(self, n_users: int, seed: int, replicate: int):
        """The community of one replicate (:func:`feedsim.replicate_community`), built once."""
        key = (n_users, seed, replicate)
        if key not in self._graphs:
            self._graphs[key] = replicate_community(n_users, seed, replicate)
            while len(self._graphs) > 16:
                self._graphs.popitem(last=False)
        return self._graphs[key]

    @property
    def generation(self) -> Any:
        """The request generation, shared with the workers: a run whose ticket is behind it stops (Abandoned).

        Made on first use (so that building a cache, or importing this module, allocates no shared memory).
        """
        with self._lock:
            if self._generation is None:
                import multiprocessing  # noqa: PLC0415

                self._generation = multiprocessing.get_context("spawn").Value("q", 0, lock=False)
            return self._generation

    def new_ticket(self) -> int:
        """Start a new request generation: computations holding an older ticket stop at their next day."""
        gen = self.generation
        with self._lock:
            gen.value += 1
            return int(gen.value)

    def run(self, params: ExploreParams, ranker: str, replicate: int, audit: list[int] | None = None):
        """One run (a :class:`SimulationResult`), from the cache when it was computed before."""
        return self.runs(params, [(ranker, replicate, audit)])[0].result

    def runs(self, params: ExploreParams, jobs: list[tuple[str, int, list[int] | None]],
             ticket: int | None = None) -> list[_Run]:
        """Runs for ``(ranker, replicate, audit)`` jobs, each with its summary; computes only the missing ones.

        A job already being computed ahead (:meth:`prefetch`) is waited for; jobs computed
        ahead that this call does not need and that have not started are cancelled first,
        so that they do not queue in front of it. With a ``ticket`` (:meth:`new_ticket`),
        the call raises :class:`Abandoned` within one simulated day of a newer ticket
        (runs finished meanwhile are kept).
        """
        keys = [_run_key(params, *job) for job in jobs]
        if ticket is not None and self.generation.value != ticket:
            raise Abandoned("a newer request came before these runs started")
        with self._lock:
            self._queue.clear()  # what was to be computed ahead is not what is asked for now
            for k, fut in list(self._pending.items()):
                if k not in keys and fut is not None and fut.cancel():
                    self._pending.pop(k, None)  # (its callback may have removed it already)
            have = {k: self._runs[k] for k in keys if k in self._runs}
            waiting = {k: f for k in keys if (f := self._pending.get(k)) is not None and k not in have}
            todo = {k: job for k, job in zip(keys, jobs) if k not in have and k not in waiting}
        self.hits += len(keys) - len(todo)
        self.misses += len(todo)
        done = {}
        if len(todo) > 1 and self.workers:
            try:
                pool = self._executor()
                futures = {k: pool.submit(_compute, params, *job, ticket=ticket) for k, job in todo.items()}
                waiting.update(futures)
            except BrokenProcessPool:
                self._broken()
        try:
            for k, fut in waiting.items():
                try:
                    done[k] = fut.result()
                except (BrokenProcessPool, CancelledError):  # a worker died: compute here, start new workers later
                    self._broken()
            for k, job in zip(keys, jobs):
                if k not in done and k not in have:
                    done[k] = _compute(params, *job, G=self.graph(params.n_users, params.seed, job[1]),
                                       ticket=ticket, generation=self.generation)
        except Abandoned:
            for fut in waiting.values():
                fut.cancel()  # (not started yet: never starts)
            with self._lock:
                for k, run in done.items():
                    self._runs[k] = run
                self._trim()
            raise
        done.update(have)
        with self._lock:
            for k in keys:  # (runs computed ahead may have landed and pushed older ones out meanwhile)
                self._runs[k] = done[k]
                self._runs.move_to_end(k)
            self._trim()
        return [done[k] for k in keys]

    def prefetch(self, params: ExploreParams, jobs: list[tuple[str, int, list[int] | None]]) -> int:
        """Compute runs ahead in the worker processes, without waiting; returns how many were queued.

        A front end calls this after showing a state, for the states a student is likely
        to ask for next: they are then ready, or under way, when asked for. The workers
        get them one per worker at a time, so that a request for something else (which
        drops the rest, :meth:`runs`) waits for at most one run per worker, and so does
        the interpreter's exit. Does nothing without workers.
        """
        if not self.workers:
            return 0
        queued = 0
        with self._lock:
            for job in jobs:
                k = _run_key(params, *job)
                if k in self._runs:
                    self._runs.move_to_end(k)  # wanted again soon: keep it over older runs
                    continue
                if k in self._pending or k in self._queue:
                    continue
                self._queue[k] = (params, job)
                queued += 1
            if self._feeder is None or not self._feeder.is_alive():
                self._feeder = threading.Thread(target=self._feed, name="feedsim-lesson-ahead", daemon=True)
                self._feeder.start()
            self._wake.notify()
        return queued

    def _feed(self) -> None:
        """Hand what is queued to the workers, one per worker at a time (a thread of its own).

        The pool is called outside the cache's lock: the pool's own thread takes that lock
        in :meth:`_landed`.
        """
        while True:
            with self._wake:
                while not self._queue or len(self._pending) >= self.workers:
                    self._wake.wait()
                k, (params, job) = self._queue.popitem(last=False)
                self._pending[k] = None  # (counted as handed out while it is submitted)
                pool = self._executor()  # (a pool closed after this refuses the job: RuntimeError)
            try:
                fut = pool.submit(_compute, params, *job)
            except (BrokenProcessPool, RuntimeError):  # a dead worker, or the interpreter is exiting
                with self._lock:
                    self._pending.pop(k, None)
                    self._queue.clear()
                continue
            with self._lock:
                if k not in self._pending:  # dropped meanwhile (_broken, close)
                    fut.cancel()
                    continue
                self._pending[k] = fut
            fut.add_done_callback(lambda f, k=k: self._landed(k, f))

    def _landed(self, key: tuple, fut) -> None:
        with self._lock:
            if self._pending.get(key) is fut:
                del self._pending[key]
            if not fut.cancelled() and fut.exception() is None and key not in self._runs:
                self._runs[key] = fut.result()
                self._trim()
            self._wake.notify()

    @property
    def computing_ahead(self) -> int:
        """Runs computed ahead that are not ready yet (queued or in the workers)."""
        with self._lock:
            return len(self._pending) + len(self._queue)

    def _broken(self) -> None:
        """Forget a pool whose worker died (the next use starts a new one)."""
        with self._lock:
            pool, self._pool = self._pool, None
            self._pending.clear()
            self._queue.clear()
        if pool is not None:  # outside the lock (see _feed)
            pool.shutdown(wait=False, cancel_futures=True)

    def _trim(self) -> None:
        while len(self._runs) > self.max_runs:
            self._runs.popitem(last=False)
        if self.max_account_days is not None:
            # key[0] is the run's ExploreParams: accounts x days is what a run's memory follows
            used = sum(k[0].n_users * k[0].days for k in self._runs)
            while len(self._runs) > 1 and used > self.max_account_days:
                k, _ = self._runs.popitem(last=False)
                used -= k[0].n_users * k[0].days

    def _executor(self):
        with self._lock:  # (creating the pool starts no process: safe under the lock)
            if self._pool is None:
                import multiprocessing  # noqa: PLC0415
                from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415

                # spawn, not fork: a front end has threads (server, warm-up) and Numba's thread pool
                self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=_worker_start, initargs=(self.generation,))
            return self._pool

    def start_workers(self) -> None:
        """Start the worker processes now (each loads the compiled kernels) rather than at the first change."""
        if self.workers:
            pool = self._executor()
            for f in [pool.submit(int, 0) for _ in range(self.workers)]:
                f.result()

    def close(self) -> None:
        """Stop the worker processes (the cached runs stay)."""
        with self._lock:
            self._queue.clear()
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            self._pending.clear()


#: The communities of a worker process (and of in-process runs without a cache).
_WORKER_GRAPHS = RunCache(max_runs=1)


@dataclass
class ExploreState:
    """Everything the explorer shows for one setting of the controls.

    Attributes
    ----------
    params : ExploreParams
    rankers : tuple of str
        ``("chronological", ranker)``, or ``("chronological",)`` when the chosen ranker is it.
    results : dict of str to list of SimulationResult
        One run per replicate per ranker (same seeds across rankers).
    roles : dict of str to dict of str to dict
        ``roles[ranker][role]``: ``post_share``, ``impression_share``, ``voice_ratio``,
        each the mean over replicates, ``reach_per_post`` (people shown each post,
        impressions over posts pooled over the replicates) and ``amplification``
        (that reach against chronological's, minus 1).
    voice : dict of str to dict
        Quiet members' voice ratio per ranker: ``estimate``, ``ci_low``, ``ci_high``
        (95 %, t-interval on the log over replicates), ``values`` (one per replicate).
    difference : dict
        Quiet voice ratio, ranker minus chronological, paired by seed: ``estimate``,
        ``ci_low``, ``ci_high``, ``values``. All NaN when the ranker is chronological.
    headline : str
        One sentence computed from the numbers above.
    interval_method : str
        How the intervals were made, in words.
    feed_viewer : int
        The account whose feed the feed view shows (a follower of the most followed
        quiet member of replicate 0).
    seconds : float
        Wall time of the call.
    reach : dict of str to dict of str to dict
        ``reach[ranker][role]``: the share of an author's own followers shown each
        post (the ``follower_reach`` metric of :meth:`SimulationResult.summary`):
        ``estimate`` (mean over replicates), ``ci_low``, ``ci_high``, ``values``.
    reach_difference : dict of str to dict
        Per role: that share, ranker minus chronological, paired by seed
        (``estimate``, ``ci_low``, ``ci_high``, ``values``; 95 % paired t-interval).
    reach_sentence : str
        Quiet members' follower reach on both feeds, in words.
    people : dict of str to dict
        The members the person view offers (:func:`people`).
    """

    params: ExploreParams
    rankers: tuple[str, ...]
    results: dict[str, list[SimulationResult]]
    roles: dict[str, dict[str, dict[str, float]]]
    voice: dict[str, dict[str, Any]]
    difference: dict[str, Any]
    headline: str
    interval_method: str
    feed_viewer: int
    seconds: float = 0.0
    reach: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    reach_difference: dict[str, dict[str, Any]] = field(default_factory=dict)
    reach_sentence: str = ""
    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    _figure: Any = field(default=None, repr=False)

    def table_rows(self) -> list[dict[str, Any]]:
        """One row per (ranker, posting role): the per-role table as plain dicts.

        Examples
        --------
        >>> st = explore_state(ExploreParams(n_users=200, days=1, replicates=2))
        >>> sorted(st.table_rows()[0])
        ['amplification', 'feed', 'impression_share', 'post_share', 'reach_per_post', 'role', 'voice_ratio']
        """
        return [{"feed": name, "role": role, **vals} for name in self.rankers
                for role, vals in self.roles[name].items()]

    def to_dict(self) -> dict[str, Any]:
        """Numbers only (no runs, no figure) and every replicate's seeds, JSON-ready: NaN becomes None."""
        return plain({
            "params": dataclasses.asdict(self.params),
            "rankers": list(self.rankers),
            "roles": self.roles,
            "voice": {k: {**v, "values": list(v["values"])} for k, v in self.voice.items()},
            "difference": {**self.difference, "values": list(self.difference["values"])},
            "headline": self.headline,
            "reach": {k: {role: {**v, "values": list(v["values"])} for role, v in per.items()}
                      for k, per in self.reach.items()},
            "reach_difference": {k: {**v, "values": list(v["values"])} for k, v in self.reach_difference.items()},
            "reach_sentence": self.reach_sentence,
            "people": self.people,
            "interval_method": self.interval_method,
            "feed_viewer": self.feed_viewer,
            "seconds": self.seconds,
            "seeds": [replicate_seeds(self.params.seed, r).to_dict() for r in range(self.params.replicates)],
        }, strict=True)

    def figure(self):
        """The explorer's figure: role-share bars, quiet voice ratio with intervals, feed view.

        Returns
        -------
        matplotlib.figure.Figure
            Not attached to pyplot (safe in a web server thread).
        """
        if self._figure is None:
            self._figure = _draw(self)
        return self._figure

    def figure_png(self, dpi: int = 80) -> bytes:
        """The figure as PNG bytes."""
        import io  # noqa: PLC0415

        buf = io.BytesIO()
        # light compression: a third less time than the default level, 1% more bytes
        self.figure().savefig(buf, format="png", dpi=dpi, pil_kwargs={"compress_level": 1})
        return buf.getvalue()




def _feed_viewer(G) -> int:
    """A follower of the most followed quiet member (the lowest account id among them)."""
    src, dst = G.edges()
    quiet = np.flatnonzero(G.roles() == "quiet")
    if len(quiet) == 0:
        return 0
    followers = G.in_degree()
    star = int(quiet[np.argmax(followers[quiet])])
    fans = src[dst == star]
    return int(fans.min()) if len(fans) else star


def _role_numbers(runs: list[_Run], baseline: list[_Run]) -> dict[str, dict[str, float]]:
    summaries = [r.summary for r in runs]
    reach = _pooled_reach(runs)
    base = _pooled_reach(baseline)
    out = {}
    for role in POSTING_ROLES:
        i = ROLES.index(role)

        def mean(key, role=role):
            vals = [s[key].get(role) for s in summaries]
            vals = [np.nan if v is None else v for v in vals]
            return float(np.nanmean(vals)) if np.isfinite(vals).any() else math.nan

        amp = reach[i] / base[i] - 1 if np.isfinite(base[i]) and base[i] > 0 else math.nan
        out[role] = {"post_share": mean("post_share"), "impression_share": mean("impression_share"),
                     "voice_ratio": mean("voice_ratio"), "reach_per_post": float(reach[i]),
                     "amplification": float(amp)}
    return out


def _pooled_reach(runs: list[_Run]) -> np.ndarray:
    """People shown each post per role, impressions and posts summed over the replicates."""
    tables = [r.role_table for r in runs]
    imp = np.sum([t["impressions"] for t in tables], axis=0)
    posts = np.sum([t["posts"] for t in tables], axis=0)
    return np.divide(imp, posts, out=np.full(len(ROLES), np.nan), where=posts > 0)


def _follower_reach(runs: list[_Run]) -> dict[str, dict[str, Any]]:
    """Per role: the share of an author's followers shown each post (``follower_reach``), per replicate and mean."""
    out = {}
    for role in POSTING_ROLES:
        vals = np.array([np.nan if (v := r.summary["follower_reach"].get(role)) is None else v for r in runs],
                        dtype=float)
        n, mean, _, lo, hi, _ = bounded_interval(vals, (0.0, 1.0))
        out[role] = {"estimate": mean, "ci_low": lo, "ci_high": hi, "values": vals.tolist()}
    return out


def _of100(x: float) -> str:
    return "-" if not math.isfinite(x) else f"{100 * x:.0f}"


def _reach_sentence(p: ExploreParams, reach: dict, diff: dict, role: str = "quiet") -> str:
    """The point in words: how many of every 100 followers see a post of ``role``, ranker against chronological."""
    from .words import ROLE_WORDS, ranker_phrase  # noqa: PLC0415

    b = reach[BASELINE][role]["estimate"]
    who = ROLE_WORDS[role][0]
    if p.ranker == BASELINE:
        return f"On the newest-first feed, {who}' posts reach {_of100(b)} of every 100 of their followers."
    r = reach[p.ranker][role]["estimate"]
    d = diff[role]
    if not math.isfinite(d["ci_low"]):
        verdict = "too few communities to tell whether this is more than chance"
    elif d["ci_high"] < 0:
        verdict = f"clearly fewer: more than chance explains over {p.replicates} communities"
    elif d["ci_low"] > 0:
        verdict = f"clearly more: more than chance explains over {p.replicates} communities"
    else:
        verdict = "a difference this small could be chance"
    return (f"On the {ranker_phrase(p.ranker)} feed, {who}' posts reach {_of100(r)} of every 100 followers "
            f"instead of {_of100(b)} on the newest-first feed ({verdict}).")


def _quiet_voice(runs: list[_Run]) -> np.ndarray:
    vals = [r.summary["voice_ratio"].get("quiet") for r in runs]
    return np.array([np.nan if v is None else v for v in vals], dtype=float)


def _headline(p: ExploreParams, voice: dict, diff: dict) -> str:
    b = voice[BASELINE]
    start = (f"On the chronological feed quiet members get {b['estimate']:.2f} of the views their share of posts "
             f"would earn (95% interval {b['ci_low']:.2f} to {b['ci_high']:.2f}, {p.replicates} communities)")
    if p.ranker == BASELINE:
        return start + "."
    v = voice[p.ranker]
    d = diff
    if not math.isfinite(d["ci_low"]):
        verdict = "the difference cannot be judged from these replicates"
    elif d["ci_high"] < 0:
        verdict = "a clear loss"
    elif d["ci_low"] > 0:
        verdict = "a clear gain"
    else:
        verdict = "the interval includes no change, so this could be chance"
    return (f"{start}; on the {p.ranker.replace('_', ' ')} feed {v['estimate']:.2f} "
            f"({v['ci_low']:.2f} to {v['ci_high']:.2f}). Difference {d['estimate']:+.2f} "
            f"({d['ci_low']:+.2f} to {d['ci_high']:+.2f}): {verdict}.")


def state_jobs(params: ExploreParams, cache: RunCache, ranker: str | None = None) -> list[tuple]:
    """The ``(ranker, replicate, audit)`` runs one state needs (``ranker`` overrides the params').

    Replicate 0 of each feed records the feed viewer's feed (``audit``) for the feed view.

    Examples
    --------
    >>> [job[:2] for job in state_jobs(ExploreParams(n_users=200, replicates=2), RunCache())]
    [('chronological', 0), ('chronological', 1), ('engagement', 0), ('engagement', 1)]
    """
    ranker = params.ranker if ranker is None else ranker
    rankers = (BASELINE,) if ranker == BASELINE else (BASELINE, ranker)
    audited = audited_viewers(cache.graph(params.n_users, params.seed, 0))
    return [(name, r, audited if r == 0 else None) for name in rankers for r in range(params.replicates)]


#: Followers of each person (:func:`people`) whose feeds the person view shows.
PERSON_FOLLOWERS = 5
#: Members per role whose followers are recorded (the person view shows the first who posted).
PERSON_CANDIDATES = 3


def people(G) -> dict[str, dict[str, Any]]:
    """The members students can pick, one per posting role, and the followers whose feeds are recorded.

    Each is the most followed member of its role in the community, with the next
    most followed as ``candidates`` (the person view takes the first whose posts
    reached a recorded follower); ``followers`` are a member's first
    :data:`PERSON_FOLLOWERS` followers by account number.

    Examples
    --------
    >>> p = people(RunCache().graph(300, 1, 0))
    >>> sorted(p), len(p["quiet"]["followers"]) <= PERSON_FOLLOWERS
    (['brand', 'influencer', 'quiet', 'regular'], True)
    """
    src, dst = G.edges()
    roles = G.roles()
    fol = G.in_degree()
    out = {}
    for role in POSTING_ROLES:
        members = np.flatnonzero(roles == role)
        if len(members) == 0:
            continue
        top = members[np.argsort(-fol[members], kind="stable")[:PERSON_CANDIDATES]]
        cands = [{"member": int(w), "followers": [int(f) for f in np.unique(src[dst == w])[:PERSON_FOLLOWERS]],
                  "n_followers": int(np.sum(dst == w))} for w in top]
        out[role] = {**cands[0], "candidates": cands}
    return out


def audited_viewers(G) -> list[int]:
    """Every account whose feed replicate 0 records: the picked people's followers (and the feed viewer)."""
    ids = {_feed_viewer(G)}
    for person in people(G).values():
        for cand in person["candidates"]:
            ids.update(cand["followers"])
    return sorted(ids)


#: Communities above this size are not computed ahead (a run is about 1 MB per 1,000 accounts x 7 days).
PREFETCH_MAX_USERS = 5000


def prefetch_rankers(params: ExploreParams, cache: RunCache) -> int:
    """Start computing, in ``cache``'s workers, every other ranker's runs for these controls; returns how many.

    Nothing without workers or above :data:`PREFETCH_MAX_USERS` accounts.

    Examples
    --------
    >>> prefetch_rankers(ExploreParams(n_users=200), RunCache())  # no workers: nothing to do
    0
    """
    if not cache.workers or params.n_users > PREFETCH_MAX_USERS:
        return 0
    jobs = [job for name in RANKERS if name not in (BASELINE, params.ranker)
            for job in state_jobs(params, cache, ranker=name) if job[0] == name]
    return cache.prefetch(params, jobs)


#: Feedback-loop changes are computed ahead only up to this size (6 runs each, 4 loops).
PREFETCH_LOOPS_MAX_USERS = 2000


def prefetch_next(params: ExploreParams, cache: RunCache) -> int:
    """Start computing what a student is likely to ask for next; returns how many runs were started.

    First every other ranker (:func:`prefetch_rankers`, 3 runs each at 3 replicates),
    then each feedback loop switched the other way for the chosen ranker (both feeds,
    6 runs each), the latter up to :data:`PREFETCH_LOOPS_MAX_USERS` accounts. A request
    for anything else cancels what has not started (:meth:`RunCache.runs`).

    Examples
    --------
    >>> prefetch_next(ExploreParams(n_users=200), RunCache())  # no workers: nothing to do
    0
    """
    started = prefetch_rankers(params, cache)
    if cache.workers and params.n_users <= PREFETCH_LOOPS_MAX_USERS:
        for loop in FEEDBACK_LOOPS:
            q = params.replace(**{loop: not getattr(params, loop)})
            started += cache.prefetch(q, state_jobs(q, cache))
    return started


def explore_state(params: ExploreParams | None = None, *, cache: RunCache | None = None,
                  ticket: int | None = None, **changes: Any) -> ExploreState:
    """Run the explorer's experiment for one setting of its controls.

    Parameters
    ----------
    params : ExploreParams, optional
        The controls; default :class:`ExploreParams()`.
    cache : RunCache, optional
        Reuse runs computed before (a front end keeps one); without it every run is computed.
    ticket : int, optional
        From ``cache.new_ticket()``: the call raises :class:`Abandoned` within a
        simulated day of a newer ticket (a front end drops a stale request).
    **changes
        Fields of :class:`ExploreParams` to change, e.g. ``ranker="fair_exposure"``.

    Returns
    -------
    ExploreState
        Numbers (``voice``, ``difference``, ``roles``, ``headline``) and, on demand,
        ``figure()``.

    Raises
    ------
    InvalidParameterError
        For a control outside its range (the message names it).

    Examples
    --------
    >>> st = explore_state(n_users=200, days=1, replicates=2, ranker="engagement")
    >>> st.rankers
    ('chronological', 'engagement')
    >>> 0 < st.voice["chronological"]["estimate"]
    True
    """
    t0 = time.perf_counter()
    p = params if params is not None else ExploreParams()
    if changes:
        p = p.replace(**changes)
    cache = cache if cache is not None else RunCache(max_runs=2 * p.replicates + 2)
    rankers = (BASELINE,) if p.ranker == BASELINE else (BASELINE, p.ranker)
    viewer = _feed_viewer(cache.graph(p.n_users, p.seed, 0))
    jobs = state_jobs(p, cache)
    runs = cache.runs(p, jobs, ticket=ticket)
    done = {name: [run for job, run in zip(jobs, runs) if job[0] == name] for name in rankers}
    results = {name: [run.result for run in done[name]] for name in rankers}
    roles = {name: _role_numbers(done[name], done[BASELINE]) for name in rankers}
    voice = {}
    for name in rankers:
        vals = _quiet_voice(done[name])
        n, mean, _, lo, hi, _ = bounded_interval(vals, (0.0, math.inf))
        voice[name] = {"estimate": mean, "ci_low": lo, "ci_high": hi, "values": vals.tolist()}
    if p.ranker == BASELINE:
        diff = {"estimate": math.nan, "ci_low": math.nan, "ci_high": math.nan, "values": []}
    else:
        a, b = _quiet_voice(done[p.ranker]), _quiet_voice(done[BASELINE])
        n, d, _, lo, hi = paired_difference(a, b)
        diff = {"estimate": d, "ci_low": lo, "ci_high": hi, "values": (a - b).tolist()}
    reach = {name: _follower_reach(done[name]) for name in rankers}
    reach_diff = {}
    for role in POSTING_ROLES:
        a = np.array(reach[p.ranker][role]["values"], dtype=float)
        b = np.array(reach[BASELINE][role]["values"], dtype=float)
        n, d, _, lo, hi = paired_difference(a, b, bounds=(-1.0, 1.0))
        reach_diff[role] = {"estimate": d, "ci_low": lo, "ci_high": hi, "values": (a - b).tolist()}
    method = (f"95% intervals over {p.replicates} communities (replicates over seeds; Student t on the log of "
              "the voice ratio, paired t for the differences)")
    return ExploreState(params=p, rankers=rankers, results=results, roles=roles, voice=voice, difference=diff,
                        headline=_headline(p, voice, diff), interval_method=method, feed_viewer=viewer,
                        seconds=time.perf_counter() - t0, reach=reach, reach_difference=reach_diff,
                        reach_sentence=_reach_sentence(p, reach, reach_diff),
                        people=people(cache.graph(p.n_users, p.seed, 0)))


def warm_up(rankers: list[str] | tuple[str, ...] | None = None) -> float:
    """Load every compiled kernel the explorer uses, on a tiny community; returns seconds.

    The first run of each ranker in a process loads its compiled kernels from
    Numba's cache (about a second each, minutes on the very first install); a front
    end calls this once at start so that the first change of a control is as fast
    as the others.

    Examples
    --------
    >>> warm_up(["chronological"]) >= 0
    True
    """
    t0 = time.perf_counter()
    G = default_community(100, seed=0, as_arrays=True)
    for name in rankers if rankers is not None else RANKERS:
        for share in (0.0, 0.2):
            Simulation(G, ranker=name, seed=0, out_of_network_share=share).run(days=0.25)
    return time.perf_counter() - t0


def _pct(x: float | None) -> str:
    return "-" if x is None or x != x else f"{100 * x:.1f}%"


def _num(x: float | None, fmt: str = ".2f") -> str:
    return "-" if x is None or x != x else format(x, fmt)


#: Inline style of the colour key before each feed's name (inline, so ipywidgets' HTML shows it too).
_SWATCH = "display:inline-block;width:0.8em;height:0.8em;margin-right:0.35em;border-radius:2px;"


def role_table_html(state: ExploreState) -> str:
    """The per-role table as a small HTML table (both front ends show it).

    Each feed's name follows a square in its ranker colour and each role is written
    in its role colour (:mod:`feedsim.plots.palette`), the colours of the figure.

    Examples
    --------
    >>> st = explore_state(n_users=200, days=1, replicates=2)
    >>> role_table_html(st).startswith("<table")
    True
    """
    head = ("<tr><th>feed</th><th>members</th><th>share of posts</th><th>share of views</th>"
            "<th>voice ratio</th><th>people shown each post</th><th>reach vs chronological</th></tr>")
    rows = []
    for name in state.rankers:
        for role in POSTING_ROLES:
            v = state.roles[name][role]
            amp = v["amplification"]
            rows.append(
                f"<tr><td class='feed'><span class='swatch' style='{_SWATCH}background:{ranker_color(name)}'>"
                f"</span>{html.escape(name.replace('_', ' '))}</td>"
                f"<td class='role' style='color:{role_color(role)};font-weight:600'>{role}</td>"
                f"<td>{_pct(v['post_share'])}</td><td>{_pct(v['impression_share'])}</td>"
                f"<td>{_num(v['voice_ratio'])}</td><td>{_num(v['reach_per_post'], '.1f')}</td>"
                f"<td>{'-' if amp != amp else f'{100 * amp:+.0f}%'}</td></tr>")
    return f"<table class='feedsim-roles'>{head}{''.join(rows)}</table>"


def draw_feed_view(ax, state: ExploreState):
    """Draw one member's feed, or say why it cannot be drawn yet.

    The hook for ``feedsim.plots.plot_feed`` (a phone-like column of one viewer's
    feed, which needs runs recorded with ``Simulation(..., audit=[viewer])``): when
    both exist, the chronological and the chosen feed of ``state.feed_viewer`` at
    the middle of the last day are drawn with it; otherwise the Axes shows the text
    "feed view: needs plot_feed".

    Parameters
    ----------
    ax : matplotlib Axes
    state : ExploreState

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> st = explore_state(n_users=200, days=1, replicates=2)
    >>> ax = draw_feed_view(plt.figure().add_subplot(), st)
    """
    from .. import plots  # noqa: PLC0415

    if getattr(state.results[state.rankers[-1]][0], "audit", None) is not None:
        hour = max(0.0, 24.0 * state.params.days - 12.0)
        res = state.results[state.rankers[-1]][0]
        try:
            return plots.plot_feed(res, state.feed_viewer, hour, ax=ax, max_shown=FEED_SHOWN, unshown=FEED_UNSHOWN)
        except InvalidParameterError:  # a small, short run: the member never opened the app
            why = f"feed view: member {state.feed_viewer} had no session in this run"
    else:
        why = "feed view: needs plot_feed"
    ax.set_axis_off()
    ax.text(0.5, 0.5, why, ha="center", va="center", transform=ax.transAxes, color="0.4", fontsize="large")
    return ax


def _draw(state: ExploreState):
    """The three panels; colours from :mod:`feedsim.plots.palette` (roles fill, rankers outline and label)."""
    from matplotlib.colors import to_rgba  # noqa: PLC0415
    from matplotlib.figure import Figure  # noqa: PLC0415
    from matplotlib.patches import Patch  # noqa: PLC0415

    from ..plots.palette import NEUTRAL_COLOR  # noqa: PLC0415
    from ..plots.rules import declare_bounds  # noqa: PLC0415

    fig = Figure(figsize=(12, 5))
    # fixed margins rather than a layout engine: one draw per PNG instead of several
    fig.subplots_adjust(left=0.055, right=0.995, bottom=0.08, top=0.9, wspace=0.32)
    ax_bars, ax_voice, ax_feed = fig.subplots(1, 3, gridspec_kw={"width_ratios": [2.0, 1.1, 1.5]})
    names = state.rankers
    x = np.arange(len(POSTING_ROLES))
    width = 0.8 / (len(names) + 1)
    post = [state.roles[BASELINE][r]["post_share"] for r in POSTING_ROLES]
    ax_bars.bar(x - 0.4 + width / 2, post, width=width, color="white", edgecolor="0.3", hatch="//", gid="posts")
    handles = [Patch(facecolor="white", edgecolor="0.3", hatch="//", label="share of posts")]
    for j, name in enumerate(names):
        imp = [state.roles[name][r]["impression_share"] for r in POSTING_ROLES]
        fade = 0.45 if name == BASELINE and len(names) > 1 else 1.0
        ax_bars.bar(x - 0.4 + width * (j + 1.5), imp, width=width,
                    facecolor=[to_rgba(role_color(r), fade) for r in POSTING_ROLES],
                    edgecolor=ranker_color(name), linewidth=1.8, gid=f"views-{name}")
        handles.append(Patch(facecolor=to_rgba("0.6", fade), edgecolor=ranker_color(name), linewidth=1.8,
                             label=f"share of views, {name.replace('_', ' ')}"))
    ax_bars.set_xticks(x, [r + ("s" if r != "quiet" else " members") for r in POSTING_ROLES])
    for label, role in zip(ax_bars.get_xticklabels(), POSTING_ROLES):
        label.set_color(role_color(role))
    ax_bars.set_ylabel("share of all posts / of all views")
    ax_bars.set_ylim(0, 1)
    ax_bars.set_title("Who speaks and who is heard")
    ax_bars.legend(handles=handles, fontsize="small", loc="upper left", frameon=False)

    est = [state.voice[n]["estimate"] for n in names]
    lo = [state.voice[n]["ci_low"] for n in names]
    hi = [state.voice[n]["ci_high"] for n in names]
    err = np.array([[max(0.0, e - a) if math.isfinite(a) else 0.0 for e, a in zip(est, lo)],
                    [max(0.0, b - e) if math.isfinite(b) else 0.0 for e, b in zip(est, hi)]])
    ax_voice.bar(range(len(names)), est, color=[ranker_color(n) for n in names], yerr=err, capsize=6,
                 edgecolor="0.3", gid="voice")
    ax_voice.axhline(1.0, color=NEUTRAL_COLOR, linestyle="--", linewidth=1)
    declare_bounds(ax_voice, 0.0, np.inf)  # a ratio of shares: its (log-scale) interval stays above 0
    ax_voice.set_xticks(range(len(names)), [n.replace("_", " ") for n in names])
    for label, name in zip(ax_voice.get_xticklabels(), names):
        label.set_color(ranker_color(name))
    top = max([1.1, *[h for h in hi if math.isfinite(h)]]) * 1.05
    ax_voice.set_ylim(0, top)
    ax_voice.set_ylabel("views per fair share (1 = heard as much as they post)")
    ax_voice.set_title("Quiet members' voice ratio\n(95% interval over communities)", fontsize="medium")
    draw_feed_view(ax_feed, state)
    return fig


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def person_view(state: ExploreState, role: str = "quiet", day: int | None = None, hour: float = 12.0,
                follower: int | None = None) -> dict[str, Any]:
    """One member's followers' feeds at one moment, on the chronological feed and on the chosen one.

    Read from the feed audit of replicate 0 (``result.audit``, through
    :func:`feedsim.plots.feed.feed_at`): for each recorded follower of the member,
    the session nearest the moment, what each feed showed in which slot, and where
    the member's own post (their best-placed one) was: its slot, or its rank below
    the cut.

    Parameters
    ----------
    state : ExploreState
    role : str, default "quiet"
        Which person (:attr:`ExploreState.people`): the most followed member of this role.
    day : int, optional
        Day of the run (0 = first). Default: the moment when the most of the member's
        recorded followers were shown their post newest first but not on the chosen
        feed, net of followers for whom it went the other way (else when it was among
        the most followers' candidates; the sentence says the moment was picked).
    hour : float, default 12
        Hour of that day.
    follower : int, optional
        The follower whose whole feeds are listed (``feeds``); default the first
        whose feeds place the member's post differently, else the first.

    Returns
    -------
    dict
        ``member``, ``role``, ``hour`` (since the start), ``followers`` (one row per
        follower: ``follower``, and per feed ``time``, ``slots``, ``candidates``,
        ``slot`` and ``rank`` of the member's post or None), ``follower`` (the one
        listed) and ``feeds`` (per feed: its items, shown first in slot order, then
        the member's post if it was cut), ``sentence``.

    Examples
    --------
    >>> st = explore_state(n_users=200, days=1, replicates=2)
    >>> v = person_view(st, "quiet", day=0, hour=12)
    >>> v["member"] in [c["member"] for c in st.people["quiet"]["candidates"]], sorted(v["feeds"])
    (True, ['chronological', 'engagement'])
    """
    from ..plots.feed import feed_at  # noqa: PLC0415
    from .words import ROLE_WORDS, ranker_phrase  # noqa: PLC0415

    check_choice("role", role, list(state.people))
    last = max(0, math.ceil(state.params.days) - 1)
    a = state.results[BASELINE][0].audit
    person = state.people[role]
    for cand in person["candidates"]:  # the most followed of them whose posts reached a follower's feed
        if len(a) and bool(((a.author == cand["member"]) & a.viewer.isin(cand["followers"])).any()):
            person = cand
            break
    member = person["member"]
    picked = day is None
    if day is None and len(state.rankers) > 1 and len(a):
        # the moment when the most followers were shown the member's post newest first but not on the chosen feed
        b = state.results[state.rankers[-1]][0].audit
        keep = ["viewer", "time"]
        shown = a[(a.author == member) & a.viewer.isin(person["followers"]) & a.shown][keep]
        cut = b[(b.author == member) & b.viewer.isin(person["followers"]) & ~b.shown][keep] if len(b) else b
        both = shown.merge(cut, on=keep).drop_duplicates() if len(cut) else shown.iloc[:0]
        if len(both):
            # net of the reverse (shown on the chosen feed, cut newest first), so that the moment picked
            # shows what the chosen feed takes away, not a moment where it happens to give more
            won = b[(b.author == member) & b.viewer.isin(person["followers"]) & b.shown][keep] if len(b) else b
            lost_first = a[(a.author == member) & a.viewer.isin(person["followers"]) & ~a.shown][keep]
            reverse = won.merge(lost_first, on=keep).drop_duplicates() if len(won) else won.iloc[:0]
            lost = both.groupby("time").viewer.nunique()
            net = lost.sub(reverse.groupby("time").viewer.nunique(), fill_value=0).loc[lost.index]
            best = net[net == net.max()]
            top = lost.loc[best.index]
            t = float(top[top == top.max()].index.max())
            day = min(last, int(t // 24))
            hour = t - 24 * day
    if day is None:  # the moment when the member's post is among the most followers' candidates (last such)
        mine = a[(a.author == member) & a.viewer.isin(person["followers"])] if len(a) else a
        if len(mine):
            counts = mine.groupby("time").viewer.nunique()
            t = float(counts[counts == counts.max()].index.max())
            day = min(last, int(t // 24))
            hour = t - 24 * day  # (24 at the very end of the last day)
        else:
            day = last
    day = check_int("day", day, low=0, high=last)
    check_number("hour", hour, low=0, high=24)
    moment = 24.0 * day + float(hour)
    rows, frames = [], {}
    for fan in person["followers"]:
        row: dict[str, Any] = {"follower": fan}
        for name in state.rankers:
            res = state.results[name][0]
            try:
                f = feed_at(res, fan, moment)
            except InvalidParameterError:  # this follower never opened the app
                row[name] = None
                continue
            frames[(fan, name)] = f
            mine = f[f.author == member]
            shown = mine[mine.shown]
            best = shown.iloc[0] if len(shown) else (mine.sort_values("rank").iloc[0] if len(mine) else None)
            row[name] = {"time": float(f.time.iloc[0]), "slots": int(f.shown.sum()), "candidates": len(f),
                         "slot": int(best.slot) if best is not None and bool(best.shown) else None,
                         "rank": int(best["rank"]) if best is not None else None}
        rows.append(row)

    def placed(r: dict | None) -> tuple:
        return (None, None) if r is None else (r["slot"], r["rank"])

    if follower is None:
        both = [r for r in rows if all(r[n] is not None for n in state.rankers)]
        # first a follower shown the post newest first but not on the chosen feed (where it was a candidate),
        # then one shown it on one feed only, then one whose feeds place it differently
        base, chosen = state.rankers[0], state.rankers[-1]
        lost = [r["follower"] for r in both if len(state.rankers) > 1 and r[base]["slot"] is not None
                and r[chosen]["slot"] is None and r[chosen]["rank"] is not None]
        one = lost + [r["follower"] for r in both if len(state.rankers) > 1
                      and (r[base]["slot"] is None) != (r[chosen]["slot"] is None)]
        differ = [r["follower"] for r in both if len(state.rankers) > 1
                  and placed(r[state.rankers[0]]) != placed(r[state.rankers[-1]])]
        follower = (one or differ or [r["follower"] for r in both] or [None])[0]
    feeds: dict[str, list[dict[str, Any]]] = {}
    for name in state.rankers:
        f = frames.get((follower, name))
        if f is None:
            feeds[name] = []
            continue
        shown = f[f.shown]
        cut = f[~f.shown & (f.author == member)].sort_values("rank").head(1)
        items = []
        for part in (shown, cut):
            for r in part.itertuples():
                items.append({"slot": int(r.slot) if r.shown else None, "session": int(r.session),
                              "rank": int(r.rank), "author": int(r.author), "author_role": str(r.author_role),
                              "arrived": str(r.arrived), "age_hours": float(r.age_hours),
                              "score": float(r.score) if math.isfinite(r.score) else None,
                              "shown": bool(r.shown), "mine": int(r.author) == member})
        feeds[name] = items
    who = ROLE_WORDS[role][1]
    n_seen = {name: sum(1 for r in rows if r[name] is not None and r[name]["slot"] is not None)
              for name in state.rankers}
    opened = sum(1 for r in rows if all(r[n] is not None for n in state.rankers))
    when = f"the end of day {day + 1}" if hour >= 24 else f"day {day + 1}, {hour:02.0f}:00"
    sentence = (f"@{member}, {who} with {person['n_followers']} followers: of {opened} followers who opened the app "
                f"around {when}, "
                + " and ".join(f"{n_seen[n]} saw their post on the {ranker_phrase(n)} feed" for n in state.rankers)
                + ".")
    pick = next((r for r in rows if r["follower"] == follower), None)
    if pick is not None and len(state.rankers) > 1 and all(pick[n] is not None for n in state.rankers):
        a, b = pick[state.rankers[0]], pick[state.rankers[-1]]

        def where(x: dict) -> str:
            if x["slot"] is not None:
                return f"in slot {x['slot'] + 1} of {x['slots']}"
            if x["rank"] is None:
                return "not among the candidates"
            return f"ranked {_ordinal(x['rank'] + 1)} of {x['candidates']}, below the cut of {x['slots']} slots"

        sentence += (f" For follower @{follower} it was {where(a)} on the {ranker_phrase(state.rankers[0])} feed "
                     f"and {where(b)} on the {ranker_phrase(state.rankers[-1])} feed.")
    if picked:
        sentence += (" (This moment was picked: there the chosen feed cut this member's post, against newest "
                     "first, for more of these followers than anywhere else; choose a day and hour to see any other.)")
    return {"member": member, "role": role, "day": day, "hour": float(hour), "moment": moment,
            "followers": rows, "follower": follower, "feeds": feeds, "sentence": sentence}
