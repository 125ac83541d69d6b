"""Run a sweep on any :class:`concurrent.futures.Executor` and store each run as it finishes.

Workers only simulate and return plain data; the calling process is the only
writer of the store. A run that raises is recorded as ``failed`` with its error
and the sweep goes on.

Interruption. Local worker processes ignore SIGINT (a terminal's Ctrl-C reaches
the whole process group; only the sweep decides) and die with the sweep on any
signal, SIGKILL included (Linux: ``prctl(PR_SET_PDEATHSIG)``; elsewhere a thread
watching the parent's pid). A first :class:`KeyboardInterrupt` drops the queued
runs and waits for the runs in flight, storing each as it finishes; a second one
(or :class:`SweepAbort`, e.g. on SIGTERM) kills the workers at once. Either way
only unfinished runs are lost.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import signal
import socket
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import __version__
from ..network.graph import ROLES
from ..progress import CountProgressBar
from . import graphs
from .seeds import RunSpec
from .spec import PAIRED_METRICS, SweepSpec, load_spec
from .store import ResultsStore, SpecMismatchError

__all__ = ["SweepReport", "run_sweep", "execute_run", "SweepAbort"]


class SweepAbort(KeyboardInterrupt):
    """Raise (e.g. from a SIGTERM handler) to stop a sweep at once: workers killed, runs in flight dropped.

    A plain :class:`KeyboardInterrupt` first lets the runs in flight finish and be stored.
    """

#: Spec fields that must not change under an existing store, even with ``extend``.
#: (The graph may: it is part of every point's key, so another graph makes other points.)
_FIXED = ("seed", "seeds", "days", "metrics", "daily")
#: Prefix of the per-group reach kept for amplification (computed when the table is loaded).
REACH_PREFIX = "_reach_per_post."
#: Most futures in flight at once (bounds memory for long sweeps).
MAX_IN_FLIGHT = 256


def _metric(summary: dict, name: str) -> float | None:
    head, _, role = name.partition(".")
    value = summary.get(head)
    if role:
        value = value.get(role) if isinstance(value, dict) else None
    return None if value is None else float(value)


def _reach_metrics(result) -> dict[str, float | None]:
    """Reach per post of each role and follower group (Huszar et al. 2022), for amplification."""
    from ..amplification import group_reach  # noqa: PLC0415

    out = {}
    for kind, groups in group_reach(result).items():
        for label, (imp, posts) in groups.items():
            out[f"{REACH_PREFIX}{kind}.{label}"] = imp / posts if posts > 0 else None
    return out


def _daily_rows(daily: dict, keep: tuple) -> list[tuple[int, str, float]]:
    rows: list[tuple[int, str, float]] = []
    for name in keep:
        values = np.asarray(daily.get(name, []))
        for day in range(len(values)):
            if values.ndim == 2:
                rows.extend((day, f"{name}.{role}", float(values[day, j])) for j, role in enumerate(ROLES))
            else:
                rows.append((day, name, float(values[day])))
    return rows


def execute_run(run: RunSpec) -> dict:
    """Simulate one run and return its stored row and daily series (runs in a worker).

    Errors raised by the simulation are caught and returned as a ``failed`` row,
    so one bad run never stops the sweep; the traceback is kept in ``error``.
    """
    from ..engine.simulation import Simulation  # noqa: PLC0415

    started = time.time()
    t0 = time.perf_counter()
    row = {
        "run_key": run.run_key, "point_key": run.point_key, "ranker": run.ranker, "replicate": run.replicate,
        "ranker_version": run.ranker_version, "started_at": started, "worker": f"{socket.gethostname()}:{os.getpid()}",
        "feedsim_version": __version__, "numpy_version": np.__version__,
    }
    daily: list = []
    try:
        identity = run.graph_identity or {}
        if "file" in run.graph and graphs.file_sha256(run.graph["file"]) != identity.get("sha256"):
            raise RuntimeError(f"graph file {run.graph['file']} changed since the sweep started")
        graph = graphs.load_graph(run.graph, run.graph_replicate, warn=False)
        ranker = run.params.get("ranker", "chronological")
        sim = Simulation(graph, ranker=ranker, seed=run.seed.seed_sequence(), **run.config_params())
        result = sim.run(days=run.days)
        summary = result.summary()
        row["metrics"] = {m: _metric(summary, m) for m in run.metrics if m.partition(".")[0] not in PAIRED_METRICS}
        if len(row["metrics"]) < len(run.metrics):
            row["metrics"].update(_reach_metrics(result))
        row["status"] = "ok"
        daily = _daily_rows(result.daily, run.daily)
    # A sweep isolates faults per run: any error a simulation raises (a bad
    # custom ranker, an engine bug) is recorded with its traceback, not swallowed.
    except Exception as exc:  # noqa: BLE001
        row["status"] = "failed"
        row["error"] = f"{type(exc).__name__}: {exc}\n" + traceback.format_exc(limit=8)
        row["metrics"] = None
    row["wall_seconds"] = time.perf_counter() - t0
    return {"row": row, "daily": daily}


@dataclass
class SweepReport:
    """What :func:`run_sweep` did.

    Attributes
    ----------
    planned : int
        Runs in the spec.
    skipped : int
        Runs already finished in the store (not run again).
    done : int
        Runs finished now (ok or failed).
    failed : list of str
        ``run_key: error`` of every run that failed now.
    seconds : float
        Wall time of the sweep.
    path : str
        The store.
    """

    planned: int
    skipped: int
    done: int = 0
    failed: list = field(default_factory=list)
    seconds: float = 0.0
    path: str = ""

    @property
    def n_failed(self) -> int:
        """Number of runs that failed now."""
        return len(self.failed)

    def __str__(self) -> str:
        return (f"sweep: {self.planned} runs planned, {self.skipped} already done, {self.done} run, "
                f"{self.n_failed} failed in {self.seconds:.1f} s -> {self.path}")


def _plan_hash(runs: list[RunSpec]) -> str:
    import hashlib  # noqa: PLC0415

    return hashlib.sha256("\n".join(sorted(r.run_key for r in runs)).encode()).hexdigest()


def _check_graphs(spec: SweepSpec, runs: list[RunSpec]) -> None:
    """Read every distinct graph once before any run starts (bad files fail here; warnings show once)."""
    seen = set()
    for run in runs:
        key = _json(run.graph)
        if key in seen:
            continue
        seen.add(key)
        graphs.load_graph(run.graph, run.graph_replicate)


def _check_compatible(store: ResultsStore, spec: SweepSpec, runs: list[RunSpec], extend: bool) -> None:
    old = store.spec()
    new = spec.to_dict()
    if old is None or old == new:
        return
    old_seeds, new_seeds = old.get("seeds", "per_point"), new.get("seeds", "per_point")
    if old_seeds != new_seeds:
        raise SpecMismatchError(f"{store.path} holds runs with seeds = {old_seeds!r}; this sweep has seeds = "
                                f"{new_seeds!r} (a store holds one seed mode): use another database")
    changed = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    if not any(k in _FIXED for k in changed) and store.meta("plan") == _plan_hash(runs):
        return  # the same runs, written another way (e.g. grid values reordered)
    if not extend:
        raise SpecMismatchError(
            f"{store.path} holds a different sweep (changed: {', '.join(changed)}); "
            "use another database, or extend=True / --extend to add the new runs to it"
        )
    fixed = [k for k in changed if k in _FIXED]
    if fixed:
        raise SpecMismatchError(
            f"{store.path} cannot be extended with a different {', '.join(fixed)} (runs would not be "
            f"comparable); only base, grid, points and replicates may change"
        )


def _outcome_of_future(fut: cf.Future, run: RunSpec) -> dict:
    try:
        return fut.result()
    # The executor itself failed (a worker process died, a lost Dask worker):
    # record the run as failed and keep the sweep going.
    except Exception as exc:  # noqa: BLE001
        row = {"run_key": run.run_key, "point_key": run.point_key, "ranker": run.ranker,
               "ranker_version": run.ranker_version, "replicate": run.replicate, "status": "failed", "metrics": None,
               "error": f"{type(exc).__name__}: {exc}"}
        return {"row": row, "daily": []}


def run_sweep(spec: Any, db, *, executor: cf.Executor | None = None, workers: int | None = None,
              extend: bool = False, progress: bool = False, stream=None) -> SweepReport:
    """Run every missing run of a sweep and write each to the results store.

    Parameters
    ----------
    spec : SweepSpec, dict or path to a TOML file
        The sweep.
    db : str or path-like
        The SQLite results store (created if missing). Runs already stored as
        ``ok`` are skipped; failed runs are tried again.
    executor : concurrent.futures.Executor, optional
        Where runs execute, e.g. ``distributed.Client(...).get_executor()``. The
        caller owns it (it is not shut down).
    workers : int, optional
        Without ``executor``: ``1`` runs in this process; more starts a local
        ``ProcessPoolExecutor`` with that many processes. Default: CPU count.
    extend : bool, default False
        Allow a store holding a different sweep (same seed, days, graph,
        metrics and daily series) to be extended with this spec's runs.
    progress : bool, default False
        Show runs done, failures and ETA on ``stream`` (default stderr).

    Returns
    -------
    SweepReport

    Raises
    ------
    SweepSpecError
        For a bad spec, before any run starts.
    StoreError
        If ``db`` is not a feedsim store, is in use by another sweep, or holds a
        different sweep and ``extend`` is False.

    Warns
    -----
    GraphAttributeWarning
        Once, when a graph file has no ``role`` attribute (and ``assign_roles``
        is not set) or has node attributes feedsim does not know.

    Examples
    --------
    >>> import os, tempfile
    >>> spec = SweepSpec(seed=1, days=1, replicates=2, graph={"n_users": 100, "seed": 0},
    ...                  grid={"ranker": ["chronological", "engagement"]})
    >>> report = run_sweep(spec, os.path.join(tempfile.mkdtemp(), "r.sqlite"), workers=1)
    >>> report.done, report.n_failed
    (4, 0)
    """
    spec = load_spec(spec)
    runs = spec.runs()
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        from ..errors import InvalidParameterError  # noqa: PLC0415

        raise InvalidParameterError(f"workers must be an integer >= 1; got {workers!r}")
    if workers is not None and executor is not None:
        from ..errors import InvalidParameterError  # noqa: PLC0415

        raise InvalidParameterError("give either executor or workers, not both (workers sizes the local pool)")
    t0 = time.perf_counter()
    store = ResultsStore(db)
    try:
        store.acquire()
        _check_compatible(store, spec, runs, extend)
        _check_graphs(spec, runs)
        store.set_spec(spec.to_dict(), plan=_plan_hash(runs), order=[r.run_key for r in runs])
        finished = store.finished_keys()
        todo = [r for r in runs if r.run_key not in finished]
        report = SweepReport(planned=len(runs), skipped=len(runs) - len(todo), path=store.path)
        bar = CountProgressBar(len(todo), "sweep", stream=stream or sys.stderr) if progress else None

        def record(outcome: dict) -> None:
            row = dict(outcome["row"])
            run = by_key[row["run_key"]]
            row["params"] = _json(run.stored_params())
            row["ranker_version"] = run.ranker_version
            row["graph"] = _json(run.graph_identity)
            row["seed_entropy"] = str(run.seed.entropy)
            row["spawn_key"] = _json(list(run.seed.spawn_key))
            row["metrics"] = None if row.get("metrics") is None else _json(row["metrics"])
            store.write_run(row, outcome["daily"])
            report.done += 1
            if row["status"] != "ok":
                report.failed.append(f"{row['run_key']}: {row['error'].splitlines()[0]}")
            if bar is not None:
                bar.update(report.done, report.n_failed)

        by_key = {r.run_key: r for r in todo}
        try:
            if executor is None and (workers == 1 or not todo):
                for run in todo:
                    record(execute_run(run))
            elif executor is None:
                n = workers or os.cpu_count() or 1
                pool = _local_pool(min(n, len(todo)))
                try:
                    _drain(pool, todo, record)
                except BaseException:  # an interrupt or a store error: what was finishing is stored
                    _kill_workers(pool)
                    raise
                pool.shutdown()
            else:
                _drain(executor, todo, record)
        finally:
            if bar is not None:
                bar.close()
        report.seconds = time.perf_counter() - t0
        return report
    finally:
        store.close()


#: Seconds between two looks at the parent's pid where PR_SET_PDEATHSIG is not available.
_PARENT_POLL_SECONDS = 0.5


def _die_with_parent(parent_pid: int) -> None:
    """Worker initializer: ignore SIGINT, and end this process when ``parent_pid`` ends, however it ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    armed = False
    if sys.platform.startswith("linux"):
        try:
            import ctypes  # noqa: PLC0415

            libc = ctypes.CDLL(None, use_errno=True)
            pr_set_pdeathsig = 1
            armed = libc.prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0) == 0
        except (OSError, AttributeError):  # no libc prctl (e.g. musl without it): fall back to watching
            armed = False
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(1)
    if not armed:
        def watch() -> None:
            while os.getppid() == parent_pid:
                time.sleep(_PARENT_POLL_SECONDS)
            os._exit(1)

        threading.Thread(target=watch, name="feedsim-watch-parent", daemon=True).start()


def _local_pool(n: int) -> cf.ProcessPoolExecutor:
    return cf.ProcessPoolExecutor(max_workers=n, initializer=_die_with_parent, initargs=(os.getpid(),))


def _kill_workers(pool: cf.ProcessPoolExecutor) -> None:
    """Stop a local pool now: kill its processes (their runs are unfinished), cancel the rest."""
    terminate = getattr(pool, "terminate_workers", None)  # Python 3.14
    if terminate is not None:
        terminate()
        return
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            proc.kill()
        except (OSError, ValueError):  # already gone, or closed
            pass
    pool.shutdown(wait=False, cancel_futures=True)


def _drain(executor: cf.Executor, todo: list[RunSpec], record) -> None:
    pending: dict[cf.Future, RunSpec] = {}
    queue = iter(todo)

    def collect(done) -> None:
        for fut in done:
            record(_outcome_of_future(fut, pending.pop(fut)))

    for run in queue:
        pending[executor.submit(execute_run, run)] = run
        if len(pending) >= MAX_IN_FLIGHT:
            break
    try:
        while pending:
            done, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            for fut in done:
                record(_outcome_of_future(fut, pending.pop(fut)))
                nxt = next(queue, None)
                if nxt is not None:
                    pending[executor.submit(execute_run, nxt)] = nxt
    except SweepAbort:
        raise
    except KeyboardInterrupt:
        # the first interrupt: start nothing new, keep what is finishing
        for fut in [f for f in pending if f.cancel()]:
            del pending[fut]
        collect([f for f in pending if f.done()])
        while pending:  # a second interrupt propagates from here
            done, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            collect(done)
        raise


def _json(obj) -> str:
    import json  # noqa: PLC0415

    return json.dumps(obj, sort_keys=True, separators=(",", ":"))
