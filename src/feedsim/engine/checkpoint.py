"""Checkpoints: the whole state of a run, written at day boundaries, to resume after a crash.

``sim.run(days, checkpoint=PATH, checkpoint_every_days=K)`` writes the state
after every K-th completed day (and at the end of the run, when it ends on a day
boundary). Rerunning the same script, the same call resumes from the last
complete checkpoint, and the result is bit for bit the one of an uninterrupted
run.

What is saved, and how
----------------------
* The platform (every attribute of :class:`~feedsim.engine.platform.Platform`
  and of the objects it holds: the declared state arrays of its containers
  (:mod:`feedsim.state`), tables, counters, the result accumulators, the random
  streams with their bit-generator states) is one plain pickle: the platform
  holds no closures or locks, so state added to the engine later is saved
  without changes here. The one reference that is code, the active ranker, is
  saved as its place among the run's rankers (the one it started with, then
  those given to ``switch_ranker``) and taken from the new
  :class:`~feedsim.engine.simulation.Simulation` on resume. Anything that does
  not pickle (a lock, a local function, an open file) is refused before the
  run starts, in one line.
* The clock: the platform's tick, part of the platform (hours and the day
  derive from it; SimPy's clock is restarted at its hours). The built-in
  interventions (``switch_ranker``, ``set_param``, ``campaign``,
  ``add_accounts``) are registered again by the same calls in the resumed
  script; those due before the saved tick were already applied. User processes (``sim.process``) and custom
  actions (``sim.schedule``) cannot be saved: asking to checkpoint such a run
  raises :class:`~feedsim.errors.CheckpointError`.

File format: ``MAGIC``, the SHA-256 of everything after it (32 bytes), the
length of a JSON header (8 bytes, little endian), the header (format, versions,
the run's fingerprint, day and hours) and a pickle of the state. The file is
written to a temporary file in the same folder, flushed to disk and renamed over
the old checkpoint, so a crash leaves either the old or the new checkpoint. The
checksum is verified before anything is unpickled; as with any pickle, load only
checkpoints you wrote.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import math
import os
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import simpy

from .. import __version__
from .._files import atomic_write
from .._validate import check_int
from ..errors import CheckpointError, InvalidParameterError, RunFailedError

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Generator

    from ..network.graph import FollowGraph
    from ..population.state import Population
    from ..random import SeedInfo
    from .config import SimulationConfig
    from .platform import Platform
    from .result import SimulationResult

__all__ = ["CheckpointInfo", "CheckpointedRun", "ScheduledAction", "checkpoint_info", "run_checkpointed", "FORMAT",
           "MAGIC"]

#: Version of the file layout and of the payload's structure (2: the platform's one tick is the clock;
#: 3: a plain pickle, the active ranker saved as its place among the run's rankers).
FORMAT = 3
#: First bytes of every checkpoint file.
MAGIC = b"FEEDSIM-CHECKPOINT\n"

#: Attributes of a Simulation saved in a checkpoint (the platform is saved whole).
SIM_STATE = ("interventions", "_wall")
#: Attributes of a Simulation rebuilt by the same constructor and calls on resume
#: (or only meaningful during one ``run`` call).
SIM_REBUILT = ("config", "_ranker", "ranker_name", "seed", "graph", "population", "platform", "env",
               "_progress", "_progress_start", "_scheduled", "_user_code", "_checkpointer", "_broken",
               "memory_limit", "_memory_plans", "_until", "_estimate", "_audit")


@dataclass
class ScheduledAction:
    """An action registered on the simulation clock (an intervention).

    ``spec`` describes a built-in intervention as data (it enters the run's
    fingerprint); it is None for a custom action, which a checkpoint cannot
    save. ``ranker`` is the ranker a ``switch_ranker`` installs. ``record`` holds
    extra fields for the run's ``interventions`` entry (``set_param``: the
    parameter and its new value, from which ``result.config_history`` is built).
    """

    tick: int  # it acts just before this tick
    action: Callable
    label: str
    spec: tuple | None = None
    ranker: Callable | None = None
    record: dict | None = None


class CheckpointedRun(Protocol):
    """What checkpointing reads and restores of a run (a :class:`~feedsim.Simulation` has it).

    Typed here, rather than importing the simulation (which imports this module),
    so that the two modules form no import cycle. Besides these members, the
    attributes named in :data:`SIM_STATE` are saved and restored.

    Examples
    --------
    >>> import feedsim
    >>> run: CheckpointedRun = feedsim.Simulation(feedsim.networks.default_community(50, seed=0), seed=0)
    >>> fingerprint(run)["ranker"]
    'chronological'
    """

    config: SimulationConfig
    ranker_name: str
    seed: SeedInfo
    graph: FollowGraph
    population: Population
    platform: Platform
    env: simpy.Environment
    _ranker: Callable
    _scheduled: list[ScheduledAction]
    _user_code: list[str]

    @property
    def now(self) -> float:
        """Simulated time, hours."""
        ...

    def _platform_loop(self) -> Generator:
        """The process that runs the ticks (and the scheduled actions), from the platform's tick."""
        ...

    def run(self, days: float, *, progress: bool = False, checkpoint: str | os.PathLike | None = None,
            checkpoint_every_days: int | None = None) -> SimulationResult:
        """Advance the run by ``days`` days and return its result."""
        ...


@dataclass(frozen=True)
class CheckpointInfo:
    """What a checkpoint file holds.

    Attributes
    ----------
    path : str
        The file.
    day : int
        Completed days of the run it holds.
    hours : float
        Simulated time the state describes, hours.
    feedsim_version : str
        Version of feedsim that wrote it.
    """

    path: str
    day: int
    hours: float
    feedsim_version: str


# --------------------------------------------------------------------- file format
def _sha256(*chunks: bytes | memoryview) -> bytes:
    h = hashlib.sha256()
    for chunk in chunks:
        h.update(chunk)
    return h.digest()


#: Largest header a checkpoint may have (its fingerprint lists the config and interventions: a few KiB).
_MAX_HEADER = 1 << 24


def _read(path: Path, payload: bool = True) -> tuple[dict, bytes | None]:
    """Header and (unless ``payload=False``) payload of a checkpoint, checksum verified.

    Every field is checked before it is used: a damaged length field or header
    gives :class:`CheckpointError`, never an allocation of the size it claims.
    """
    damaged = f"checkpoint {path} is damaged"
    start = len(MAGIC) + 40
    try:
        with open(path, "rb") as f:
            file_size = os.fstat(f.fileno()).st_size
            head = f.read(start)
            if len(head) < start or not head.startswith(MAGIC):
                raise CheckpointError(f"checkpoint {path} is not a feedsim checkpoint (no header); "
                                      "delete it or choose another path")
            digest, size = head[len(MAGIC):len(MAGIC) + 32], head[len(MAGIC) + 32:]
            n = int.from_bytes(size, "little")
            if n > min(file_size - start, _MAX_HEADER):
                raise CheckpointError(f"{damaged} (its header length, {n} bytes, exceeds the "
                                      f"{file_size - start} bytes after it); delete it to start over")
            header_bytes = f.read(n)
            rest = f.read() if payload else None
    except OSError as exc:
        raise CheckpointError(f"checkpoint {path} cannot be read: {exc}") from exc
    if rest is not None and _sha256(size, header_bytes, rest) != digest:
        raise CheckpointError(f"{damaged} (SHA-256 checksum mismatch); delete it to start over")
    try:
        header = json.loads(header_bytes)
    except (ValueError, RecursionError) as exc:
        raise CheckpointError(f"{damaged} (unreadable header); delete it to start over") from exc
    problem = _header_problem(header)
    if problem is not None:
        raise CheckpointError(f"{damaged} (header {problem}); delete it to start over")
    return header, rest


def _header_problem(header: Any) -> str | None:
    """What is wrong with a decoded header (None when every field has its type)."""
    if not isinstance(header, dict):
        return "is not a JSON object"
    kinds: dict[str, tuple[type | tuple[type, ...], str]] = {
        "format": (int, "an integer"), "feedsim": (str, "text"), "day": (int, "an integer"),
        "hours": ((int, float), "a finite number"), "fingerprint": (dict, "an object")}
    for key, (kind, words) in kinds.items():
        value = header.get(key)
        ok = isinstance(value, kind) and not isinstance(value, bool)
        if not ok or (key == "hours" and not math.isfinite(value)):  # type: ignore[arg-type]
            return f"field {key!r} is missing or not {words}"
    if header["day"] < 0 or header["hours"] < 0:
        return "day or hours is negative"
    return None


def _info(path: Path, header: dict) -> CheckpointInfo:
    return CheckpointInfo(str(path), int(header["day"]), float(header["hours"]), str(header["feedsim"]))


def checkpoint_info(path: str | os.PathLike) -> CheckpointInfo | None:
    """Describe the checkpoint at ``path`` (None if there is no file).

    Reads the header only (the checksum is verified when the state is loaded).

    Raises
    ------
    CheckpointError
        If the file is not a feedsim checkpoint.

    Examples
    --------
    >>> import feedsim, tempfile, os
    >>> tmp = tempfile.TemporaryDirectory(); path = os.path.join(tmp.name, "run.ckpt")
    >>> sim = feedsim.Simulation(feedsim.networks.default_community(200, seed=0), seed=0)
    >>> _ = sim.run(days=2, checkpoint=path)
    >>> checkpoint_info(path).day
    2
    >>> tmp.cleanup()
    """
    p = Path(os.fspath(path))
    if not p.exists():
        return None
    header, _ = _read(p, payload=False)
    return _info(p, header)


# --------------------------------------------------------------------- fingerprint
def _digest_graph(graph) -> str:
    """SHA-256 of a FollowGraph: structure, node ids and attributes."""
    h = hashlib.sha256()
    h.update(np.ascontiguousarray(graph.indptr).tobytes())
    h.update(np.ascontiguousarray(graph.indices).tobytes())
    ids = graph.node_ids
    h.update(repr(ids if isinstance(ids, range) else list(ids)).encode())
    for key in sorted(graph.attrs):
        arr = graph.attrs[key]
        h.update(key.encode())
        h.update(repr(arr.tolist()).encode() if arr.dtype == object else arr.dtype.str.encode() + arr.tobytes())
    return h.hexdigest()


def _spec_text(spec: tuple) -> str:
    """A stable text for an intervention's description (arrays by digest)."""
    parts = []
    for x in spec:
        if isinstance(x, np.ndarray):
            parts.append(f"array[{len(x)}]:{hashlib.sha256(np.ascontiguousarray(x).tobytes()).hexdigest()[:16]}")
        else:
            parts.append(x if isinstance(x, str) else repr(x))
    return " ".join(parts)


def fingerprint(sim: CheckpointedRun) -> dict:
    """What must agree between a checkpoint and the run that loads it (JSON-ready)."""
    fp = {
        "format": FORMAT,
        "feedsim": __version__,
        "seed": sim.seed.to_dict(),
        "ranker": sim.ranker_name,
        "config": sim.config.to_dict(),
        "graph": _digest_graph(sim.graph),
        "interventions": [[s.tick, _spec_text(s.spec)] for s in sim._scheduled if s.spec is not None],
    }
    return json.loads(json.dumps(fp))


def _short(x: Any) -> str:
    text = json.dumps(x, sort_keys=True)
    return text if len(text) <= 80 else text[:77] + "..."


def _compare(saved: dict, here: dict, path: Path, interventions: bool) -> None:
    """Raise a one-line CheckpointError naming the first thing that differs."""
    def refuse(what: str, a: Any, b: Any) -> None:
        hint = " (seed=None draws a new seed every time: pass the same int to resume)" if what == "seed" else ""
        raise CheckpointError(f"checkpoint {path} is from another run: {what} differs (checkpoint {_short(a)}, "
                              f"this run {_short(b)}){hint}; delete it or choose another path")

    same = lambda a, b: json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)  # noqa: E731
    if saved.get("format") != here["format"]:
        raise CheckpointError(f"checkpoint {path} has file format {saved.get('format')!r} and this feedsim reads "
                              f"format {here['format']}; resume it with the feedsim that wrote it "
                              f"({saved.get('feedsim')}) or delete it to start over")
    for key in ("format", "feedsim", "seed", "ranker"):
        if not same(saved.get(key), here[key]):
            refuse("feedsim version" if key == "feedsim" else "file format" if key == "format" else key,
                   saved.get(key), here[key])
    a, b = saved.get("config", {}), here["config"]
    for key in sorted(set(a) | set(b)):
        if not same(a.get(key), b.get(key)):
            refuse(f"config.{key}", a.get(key), b.get(key))
    if saved.get("graph") != here["graph"]:
        refuse("graph (follow graph or node attributes)", saved.get("graph", "")[:12], here["graph"][:12])
    if interventions:
        a, b = saved.get("interventions", []), here["interventions"]
        for i in range(max(len(a), len(b))):
            x = a[i] if i < len(a) else None
            y = b[i] if i < len(b) else None
            if not same(x, y):
                refuse(f"intervention {i + 1} (tick, what)", x, y)


# ------------------------------------------------------------------ state pickling
def _rankers(sim: CheckpointedRun) -> list[Callable]:
    """The rankers a run may have active: the one it started with, then those of ``switch_ranker``."""
    return [sim._ranker] + [s.ranker for s in sim._scheduled if s.ranker is not None]


def _dump_state(sim: CheckpointedRun, file=None) -> memoryview | None:
    """Pickle the run's state into ``file`` (default: a new buffer, returned).

    The state is plain data: every attribute of the platform but the active
    ranker (code, saved as its place in :func:`_rankers`), and :data:`SIM_STATE`.
    """
    p = sim.platform
    which = [i for i, r in enumerate(_rankers(sim)) if r is p.ranker]
    if not which:
        raise CheckpointError("the state of this run cannot be saved: its active ranker is not the one it was "
                              "given or one of switch_ranker")
    state = {
        "platform": {k: None if k == "ranker" else v for k, v in vars(p).items()},  # the ranker: by place
        "ranker": which[0],
        "sim": {k: getattr(sim, k) for k in SIM_STATE},
    }
    buf = io.BytesIO() if file is None else file
    try:
        pickle.dump(state, buf, protocol=5)
    except (pickle.PicklingError, TypeError, AttributeError) as exc:
        raise CheckpointError(f"the state of this run cannot be saved: {str(exc).splitlines()[0]}") from exc
    return buf.getbuffer() if file is None else None  # no copy of a payload that can be large


class _Sink:
    """A file that forgets what is written (to check that the state pickles)."""

    def write(self, data) -> int:
        return memoryview(data).nbytes


def _restore(sim: CheckpointedRun, payload: bytes, path: Path) -> None:
    """Put the saved state into ``sim`` and restart SimPy's clock at the saved tick."""
    try:
        state = pickle.loads(payload)
        ranker = _rankers(sim)[state["ranker"]]
    except (pickle.UnpicklingError, AttributeError, ImportError, KeyError, IndexError, TypeError) as exc:
        raise CheckpointError(f"checkpoint {path} cannot be loaded by this feedsim ({type(exc).__name__}: "
                              f"{str(exc).splitlines()[0] if str(exc) else ''}); delete it to start over") from exc
    p = sim.platform
    vars(p).clear()
    vars(p).update(state["platform"])
    p.ranker = ranker
    sim.population = p.pop
    for key, value in state["sim"].items():
        setattr(sim, key, value)
    sim.env = simpy.Environment(initial_time=p.hours)
    sim.env.process(sim._platform_loop())  # applies the actions due from the saved tick on


# ------------------------------------------------------------------- the run hooks
def _refuse_unsavable(sim: CheckpointedRun) -> None:
    custom = list(sim._user_code) + [f"sim.schedule({s.label!r})" for s in sim._scheduled if s.spec is None]
    if custom:
        raise CheckpointError(
            f"a run with user code on the clock cannot be checkpointed ({', '.join(custom)}): run without "
            "checkpoint=, or use switch_ranker, set_param, campaign or add_accounts"
        )


class Checkpointer:
    """Writes (and resumes from) the checkpoints of one ``Simulation.run`` call.

    Parameters
    ----------
    sim : Simulation
        The simulation (any :class:`CheckpointedRun`).
    path : str or PathLike
        The checkpoint file (its folder must exist).
    every_days : int
        Write after every ``every_days``-th completed day.
    on_checkpoint : callable, optional
        Called with a :class:`CheckpointInfo` after each checkpoint is written.
    """

    def __init__(self, sim: CheckpointedRun, path: str | os.PathLike, every_days: int,
                 on_checkpoint: Callable[[CheckpointInfo], Any] | None = None) -> None:
        self.sim = sim
        self.path = Path(os.fspath(path))
        self.every = check_int("checkpoint_every_days", every_days, low=1)
        if on_checkpoint is not None and not callable(on_checkpoint):
            raise InvalidParameterError(f"on_checkpoint must be a callable f(info) or None; got {on_checkpoint!r}")
        if not self.path.parent.is_dir():
            raise InvalidParameterError(f"checkpoint must be a file in an existing folder; got {os.fspath(path)!r}")
        self.on_checkpoint = on_checkpoint
        _refuse_unsavable(sim)
        for stale in self.path.parent.glob(f".{self.path.name}.*.tmp"):  # left by a run killed mid-write
            with contextlib.suppress(OSError):
                stale.unlink()
        _dump_state(sim, _Sink())  # anything that cannot be saved is refused before the run
        self.fingerprint = fingerprint(sim)
        #: the last complete checkpoint of this run (found or written)
        self.last: CheckpointInfo | None = None

    def resume(self, until_hours: float) -> CheckpointInfo | None:
        """Resume from the checkpoint file if it is ahead of the simulation; return what was loaded."""
        if not self.path.exists():
            return None
        sim = self.sim
        header, payload = _read(self.path)
        ahead = float(header["hours"]) > sim.platform.hours
        _compare(header.get("fingerprint", {}), self.fingerprint, self.path, interventions=ahead)
        info = _info(self.path, header)
        self.last = info
        if not ahead:
            return None
        if info.hours > until_hours:
            raise CheckpointError(
                f"checkpoint {self.path} holds {info.day} days, past the end of this run "
                f"({until_hours / 24:g} days); run for at least {info.hours / 24:g} days or choose another path"
            )
        assert payload is not None
        _restore(sim, payload, self.path)
        return info

    def day_closed(self) -> None:
        """Called after a tick that closed a day: write every ``every_days`` days."""
        if self.sim.platform.day % self.every == 0:
            self.write()

    def finish(self) -> None:
        """At the end of the run: write the final state if it is a day boundary not yet written."""
        p = self.sim.platform
        if p.hours == 24.0 * p.day and p.day > 0 and (self.last is None or self.last.hours != p.hours):
            self.write()

    def write(self) -> CheckpointInfo:
        """Write the current state (atomically) and return its description."""
        sim = self.sim
        p = sim.platform
        payload = _dump_state(sim)
        assert payload is not None
        header = {
            "format": FORMAT,
            "feedsim": __version__,
            "numpy": np.__version__,
            "day": int(p.day),
            "hours": float(p.hours),
            "payload_bytes": len(payload),
            "fingerprint": self.fingerprint,
        }
        head = json.dumps(header, sort_keys=True).encode()
        size = len(head).to_bytes(8, "little")
        digest = _sha256(size, head, payload)
        atomic_write(self.path, lambda f: f.writelines([MAGIC, digest, size, head, payload]))
        self.last = _info(self.path, header)
        if self.on_checkpoint is not None:
            self.on_checkpoint(self.last)
        return self.last

    def failed(self, exc: BaseException) -> RunFailedError:
        """The error to raise (from ``exc``) when the run fails midway."""
        sim = self.sim
        first = (str(exc).splitlines() or [""])[0]
        where = f"at hour {sim.now:g}"
        if self.last is None:
            return RunFailedError(
                f"run failed {where} before its first checkpoint ({type(exc).__name__}: {first}); "
                f"repeating the same call starts from the beginning", None, None)
        return RunFailedError(
            f"run failed {where} ({type(exc).__name__}: {first}); repeat the same call on a new Simulation "
            f"to resume from checkpoint {self.last.path} (after {self.last.day} days, hour {self.last.hours:g})",
            self.last.path, self.last.day)


def run_checkpointed(sim: CheckpointedRun, days: float, checkpoint: str | os.PathLike, *, every_days: int = 1,
                     progress: bool = False) -> tuple[SimulationResult, CheckpointInfo | None]:
    """Run ``sim`` for ``days`` with checkpoints; also say which checkpoint it resumed from.

    The call behind ``feedsim run --checkpoint PATH --checkpoint-every-days K``.

    Returns
    -------
    result : SimulationResult
    resumed : CheckpointInfo or None
        The checkpoint the run resumed from (None when it started afresh).

    Examples
    --------
    >>> import feedsim, tempfile, os
    >>> tmp = tempfile.TemporaryDirectory(); path = os.path.join(tmp.name, "run.ckpt")
    >>> G = feedsim.networks.default_community(200, seed=0)
    >>> _, resumed = run_checkpointed(feedsim.Simulation(G, seed=0), 2, path)
    >>> resumed is None
    True
    >>> result, resumed = run_checkpointed(feedsim.Simulation(G, seed=0), 3, path)
    >>> resumed.day, result.days
    (2, 3.0)
    >>> tmp.cleanup()
    """
    before = checkpoint_info(checkpoint)
    resumed = before if before is not None and before.hours > sim.platform.hours else None
    result = sim.run(days, progress=progress, checkpoint=checkpoint, checkpoint_every_days=every_days)
    return result, resumed
