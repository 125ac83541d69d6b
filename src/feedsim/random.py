"""Seeds, generators and named child streams.

Every run derives all its randomness from one :class:`numpy.random.SeedSequence`.
Child streams are spawned in a fixed, append-only order (:data:`STREAMS`), so extra
draws in one subsystem never shift another. Posting and sessions are keyed draws per
(stream, account, tick) from the ``keyed`` stream's key
(:mod:`feedsim.engine.kernels.draws`), so an account whose rates have not changed
posts and opens sessions the same way whichever ranker runs (common random numbers
account by account).

Which seed a replicate gets is decided in one place, :func:`replicate_seeds`:
every entry point (``compare``, ``run_worlds``, sweeps, the explorer, the report,
the CLI, the experiments and notebooks) asks it for the seed of replicate ``r``'s
community and of its runs.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple, cast

import numpy as np

from .errors import InvalidParameterError

__all__ = ["REPLICATE_KEY", "STREAMS", "ReplicateSeeds", "SeedInfo", "as_seed_sequence", "make_rng",
           "replicate_seeds", "spawn_streams", "stream_seed"]

#: Names of the per-run child streams, in spawn order. Append only.
STREAMS = (
    "network",  # generating a community (used by the CLI and compare helpers)
    "population",  # filling missing node attributes
    "posting",  # unused since posting draws are keyed (kept: the order is append only)
    "sessions",  # unused since session draws are keyed (kept: the order is append only)
    "ranking",  # ranker randomness and tie-breaking
    "engagement",  # like / reshare / reply draws
    "dynamics",  # follow-backs, discovery follows
    "interventions",  # accounts added during a run
    "campaigns",  # unused since campaign posts are keyed draws of their own (kept: append only)
    "churn",  # who leaves and how many join (depends on nothing else, so it is shared across rankers)
    "joining",  # newcomers' copied edges and attributes
    "burnout",  # lengths of burnouts
    "keyed",  # the key of counter-based draws (tie-breaks, posting and sessions per account and tick)
    "roles",  # assigning roles to a loaded graph (feedsim.networks.assign_roles; no run draws from it)
)


@dataclass(frozen=True)
class SeedInfo:
    """Provenance of a run's randomness: enough to rebuild its SeedSequence.

    Attributes
    ----------
    entropy : int or tuple of int
        The SeedSequence entropy.
    spawn_key : tuple of int
        The SeedSequence spawn key.
    """

    entropy: int | Sequence[int] | None
    spawn_key: tuple[int, ...]

    def seed_sequence(self) -> np.random.SeedSequence:
        """Rebuild the SeedSequence this info describes."""
        return np.random.SeedSequence(self.entropy, spawn_key=self.spawn_key)

    def to_dict(self) -> dict:
        """Return a JSON-serialisable dict."""
        ent = self.entropy
        if isinstance(ent, (list, tuple)):
            ent = [int(e) for e in ent]
        else:
            ent = int(cast(int, ent))  # numpy's stubs allow None; a SeedSequence always has entropy
        return {"entropy": ent, "spawn_key": [int(k) for k in self.spawn_key]}


def as_seed_sequence(
    seed: int | np.integer | np.random.SeedSequence | np.random.Generator | None = None,
) -> np.random.SeedSequence:
    """Turn a user seed into a :class:`numpy.random.SeedSequence`.

    Parameters
    ----------
    seed : None, int, SeedSequence or Generator
        ``None`` draws fresh OS entropy (recorded, so the run stays reproducible
        from its result). A ``Generator`` is consumed once to derive entropy.

    Returns
    -------
    SeedSequence

    Examples
    --------
    >>> as_seed_sequence(42).entropy
    42
    """
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, np.random.Generator):
        return np.random.SeedSequence([int(x) for x in seed.integers(0, 2**63, size=4)])
    if seed is None:
        return np.random.SeedSequence()
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and seed >= 0:
        return np.random.SeedSequence(int(seed))
    raise InvalidParameterError(
        "seed must be None, an int >= 0, a numpy SeedSequence or a numpy Generator; "
        f"got {seed!r}"
    )


def make_rng(seed=None) -> np.random.Generator:
    """Return a Generator for ``seed`` (a Generator is returned unchanged).

    Examples
    --------
    >>> bool(make_rng(1).integers(10) == make_rng(1).integers(10))
    True
    """
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.Generator(np.random.PCG64(as_seed_sequence(seed)))


def spawn_streams(ss: np.random.SeedSequence) -> dict[str, np.random.Generator]:
    """Spawn one Generator per name in :data:`STREAMS` from ``ss``.

    The children are addressed by position, so the same ``ss`` always gives the
    same streams. ``ss`` itself is not advanced (a copy is spawned from).

    Examples
    --------
    >>> s = spawn_streams(np.random.SeedSequence(3))
    >>> sorted(s) == sorted(STREAMS)
    True
    """
    base = np.random.SeedSequence(ss.entropy, spawn_key=ss.spawn_key)
    children = base.spawn(len(STREAMS))
    return {
        name: np.random.Generator(np.random.PCG64(child))
        for name, child in zip(STREAMS, children)
    }


def stream_seed(seed, name: str) -> np.random.SeedSequence:
    """The SeedSequence of child stream ``name`` of ``seed`` (see :data:`STREAMS`).

    Lets a caller draw a community from the ``network`` stream of the same seed
    a simulation uses, without overlapping any stream the simulation draws from.

    Examples
    --------
    >>> stream_seed(7, "network").spawn_key
    (0,)
    """
    ss = as_seed_sequence(seed)
    if name not in STREAMS:
        raise InvalidParameterError(f"stream must be one of {', '.join(STREAMS)}; got {name!r}")
    return np.random.SeedSequence(ss.entropy, spawn_key=tuple(ss.spawn_key) + (STREAMS.index(name),))


#: First spawn-key word of replicates 1, 2, ... of a seed (``b"repl"`` read as a
#: little-endian 32-bit integer). A run's own streams are one-word children of its seed
#: and a sweep point's replicates are five words long, so no replicate seed is ever a
#: stream of another run.
REPLICATE_KEY = 0x6C706572


class ReplicateSeeds(NamedTuple):
    """The seeds of one replicate: of its community and of its runs (see :func:`replicate_seeds`).

    Attributes
    ----------
    graph : SeedSequence
        Seeds the replicate's community (``feedsim.networks.default_community(..., seed=graph)``).
    run : SeedSequence
        Seeds every run of the replicate (``feedsim.Simulation(..., seed=run)``), whatever
        its ranker: arms that differ only in their ranker share it (common random numbers).
    replicate : int
        The replicate index.
    """

    graph: np.random.SeedSequence
    run: np.random.SeedSequence
    replicate: int

    def to_dict(self) -> dict:
        """``{"replicate": r, "graph": {"entropy", "spawn_key"}, "run": {...}}``, JSON-ready.

        Examples
        --------
        >>> replicate_seeds(1).to_dict()
        {'replicate': 0, 'graph': {'entropy': 1, 'spawn_key': [0]}, 'run': {'entropy': 1, 'spawn_key': []}}
        """
        def info(ss: np.random.SeedSequence) -> dict:
            return SeedInfo(ss.entropy, tuple(ss.spawn_key)).to_dict()

        return {"replicate": int(self.replicate), "graph": info(self.graph), "run": info(self.run)}


def replicate_seeds(seed=None, replicate: int = 0, *, point: Sequence[int] = ()) -> ReplicateSeeds:
    """The seeds of replicate ``replicate`` of ``seed``: of its community (graph) and of its runs.

    The one rule every entry point follows, so that the same seed gives the same
    communities and the same runs on the explorer page, in the report, in the
    notebooks, from ``feedsim compare`` and from Python:

    - the run seed of replicate 0 is ``seed`` itself, so a single run or a
      one-replicate comparison is exactly ``Simulation(G, seed=seed)``;
      replicate ``r >= 1`` runs on ``SeedSequence(entropy, spawn_key=spawn_key +
      (REPLICATE_KEY, r))`` of ``seed``;
    - with ``point`` (a sweep's grid point, or an experiment's arm, as integers)
      every replicate, 0 included, runs on ``SeedSequence(entropy,
      spawn_key=spawn_key + (*point, r))``;
    - the community of a replicate is drawn from the ``network`` stream of its run
      seed (:func:`stream_seed`), a stream no run draws from. So ``feedsim run
      --users N --seed S`` builds ``default_community(N, seed=replicate_seeds(S).graph)``.

    The ranker is not an input: arms that differ only in their ranker get the same
    seeds (common random numbers, paired comparisons).

    Parameters
    ----------
    seed : int, SeedSequence, Generator or None
        The root seed (see :func:`as_seed_sequence`).
    replicate : int, default 0
        Replicate index, ``>= 0``.
    point : sequence of int, default ()
        Spawn-key words of a grid point or arm (each ``>= 0``); empty for none.

    Returns
    -------
    ReplicateSeeds
        ``(graph, run, replicate)``; ``to_dict()`` records both seeds.

    Raises
    ------
    InvalidParameterError
        For a negative or non-integer replicate or point word, or a bad seed.

    Examples
    --------
    >>> s = replicate_seeds(1)
    >>> s.run.entropy, s.run.spawn_key, s.graph.spawn_key
    (1, (), (0,))
    >>> replicate_seeds(1, 2).run.spawn_key == (REPLICATE_KEY, 2)
    True
    >>> replicate_seeds(1, 2, point=(5,)).run.spawn_key
    (5, 2)
    """
    root = as_seed_sequence(seed)
    words: list[int] = []
    for name, value in [("replicate", replicate), *(("point", w) for w in point)]:
        if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 0:
            raise InvalidParameterError(f"{name} must be an integer >= 0; got {value!r}")
        words.append(int(value))
    r = words[0]
    if words[1:]:
        key: tuple[int, ...] = (*root.spawn_key, *words[1:], r)
    elif r:
        key = (*root.spawn_key, REPLICATE_KEY, r)
    else:
        key = tuple(root.spawn_key)
    run = root if key == tuple(root.spawn_key) else np.random.SeedSequence(root.entropy, spawn_key=key)
    return ReplicateSeeds(stream_seed(run, "network"), run, r)
