"""Seed addressing for sweeps: a run's seed is a function of its parameters only.

Run ``r`` of parameter point ``p`` uses ``replicate_seeds(root_seed, r,
point=hash_words(p)).run`` (:func:`feedsim.random.replicate_seeds`), that is
``SeedSequence(root_seed, spawn_key=(*hash_words(p), r))``, where ``hash_words``
is a SHA-256 of the point's canonical JSON (without the ranker, without values
equal to the defaults; swept ``graph.*`` values included), cut into four 32-bit
words. So a run's seed does not
depend on execution order, worker count or which other points are in the sweep,
and arms that differ only in their ranker share their seeds (common random
numbers, paired comparisons).

With ``seeds = "common"`` (:class:`~feedsim.sweeps.SweepSpec`; what sensitivity
studies use) replicate ``r`` of *every* point runs on the same seed,
``replicate_seeds(root_seed, r, point=(COMMON_KEY,)).run``: common random
numbers across points, so a parameter the model never reads gives bit-identical
runs. The graph seed does not depend on the mode (it comes from ``graph.seed``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..engine.config import SimulationConfig
from ..errors import InvalidParameterError
from ..random import SeedInfo, replicate_seeds
from ..rankers.registry import ranker_name
from . import graphs
from .identity import ranker_version

__all__ = ["RunSpec", "canonical_params", "point_words", "run_seed", "make_run", "SEED_MODES", "COMMON_KEY"]

#: How run seeds vary across a sweep's points: a hash of the point (default), or the same at every point.
SEED_MODES = ("per_point", "common")
#: Spawn-key word of common seeds (``b"cmmn"`` little-endian). Their keys have two words
#: (this, the replicate), per-point keys five, so the two modes never share a seed.
COMMON_KEY = 0x6E6D6D63


def canonical_params(point: Mapping[str, Any]) -> dict:
    """The point without its ranker and without values equal to the defaults.

    Two points that configure the same simulation have the same canonical form,
    whatever order or explicit defaults they were written with. Swept graph
    values (``graph.mean_follows``) are always kept.

    Examples
    --------
    >>> canonical_params({"ranker": "engagement", "like_rate": 0.5, "graph.n_users": 100})
    {'graph.n_users': 100, 'like_rate': 0.5}
    """
    defaults = SimulationConfig()
    return {k: v for k, v in sorted(point.items())
            if k != "ranker" and (k.startswith("graph.") or getattr(defaults, k) != v)}


def _canonical_json(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=False)


def point_words(point: Mapping[str, Any]) -> tuple[int, int, int, int]:
    """Four 32-bit words of the SHA-256 of the point's canonical form (ranker excluded).

    Examples
    --------
    >>> point_words({"like_rate": 0.02}) == point_words({"like_rate": 0.02, "ranker": "engagement"})
    True
    """
    digest = hashlib.sha256(_canonical_json(canonical_params(point)).encode()).digest()
    w = [int.from_bytes(digest[4 * i: 4 * i + 4], "little") for i in range(4)]
    return w[0], w[1], w[2], w[3]


def run_seed(root_seed: int, point: Mapping[str, Any], replicate: int, *,
             seeds: str = "per_point") -> np.random.SeedSequence:
    """The SeedSequence of replicate ``replicate`` of parameter point ``point``.

    With ``seeds="common"`` the point is not an input: replicate ``r`` of every
    point gets the same seed (see the module docstring).

    Examples
    --------
    >>> a = run_seed(7, {"ranker": "chronological", "out_of_network_share": 0.1}, 0)
    >>> b = run_seed(7, {"out_of_network_share": 0.1, "ranker": "engagement"}, 0)
    >>> a.spawn_key == b.spawn_key and a.entropy == b.entropy == 7
    True
    >>> c = run_seed(7, {"like_rate": 0.02}, 1, seeds="common")
    >>> c.spawn_key == run_seed(7, {"like_rate": 0.09}, 1, seeds="common").spawn_key == (COMMON_KEY, 1)
    True
    """
    if seeds == "common":
        return replicate_seeds(int(root_seed), replicate, point=(COMMON_KEY,)).run
    if seeds != "per_point":
        raise InvalidParameterError(f"seeds must be one of {', '.join(SEED_MODES)}; got {seeds!r}")
    return replicate_seeds(int(root_seed), replicate, point=point_words(point)).run


@dataclass(frozen=True)
class RunSpec:
    """One run of a sweep: what a worker needs, and the keys it is stored under.

    Attributes
    ----------
    run_key : str
        ``<point_key>/<replicate>``; unique in a store.
    point_key : str
        16 hex digits of the SHA-256 of the point's canonical form with its
        ranker, the ranker's version and the graph's identity (generator
        parameters, or a file's content hash); and ``seeds`` when the sweep's
        seed mode is ``common``.
    params : dict
        The parameter point (ranker by name, or the callable in the Python API).
    replicate : int
        Replicate index.
    seed : SeedInfo
        Entropy and spawn key of the run's SeedSequence.
    graph : dict
        The resolved graph (generator parameters, or an absolute ``file`` and its options).
    days : float
        Simulated days.
    metrics, daily : tuple of str
        What to keep.
    ranker_version : str
        ``builtin``, or the custom ranker's qualified name and version (see
        :func:`feedsim.sweeps.identity.ranker_version`).
    graph_identity : dict
        What identifies the graph in the store (``sha256`` of a file).
    graph_replicate : int or None
        The replicate whose graph is drawn, with ``graph_replicates``; else None.
    """

    run_key: str
    point_key: str
    params: dict
    replicate: int
    seed: SeedInfo
    graph: dict
    days: float
    metrics: tuple
    daily: tuple
    ranker_version: str = "builtin"
    graph_identity: dict | None = None
    graph_replicate: int | None = None

    @property
    def ranker(self) -> str:
        """Name of the run's ranker."""
        return ranker_name(self.params.get("ranker", "chronological"))

    def stored_params(self) -> dict:
        """Parameters as stored: JSON-ready, ranker by name."""
        return {k: ranker_name(v) if k == "ranker" else v for k, v in sorted(self.params.items())}

    def config_params(self) -> dict:
        """The point's :class:`~feedsim.SimulationConfig` fields (no ranker, no ``graph.*``)."""
        return {k: v for k, v in self.params.items() if k != "ranker" and not k.startswith("graph.")}


def make_run(spec, point: Mapping[str, Any], replicate: int) -> RunSpec:
    """Build the :class:`RunSpec` of ``point`` and ``replicate`` in ``spec``."""
    ranker = point.get("ranker", "chronological")
    named = dict(canonical_params(point))
    named["ranker"] = ranker_name(ranker)
    named["ranker_version"] = ranker_version(ranker)
    graph = spec.point_graph(point)
    identity = graphs.graph_identity(graph)
    if spec.graph_replicates:
        identity["per_replicate"] = True
    named["graph"] = identity
    seeds = getattr(spec, "seeds", "per_point")
    if seeds != "per_point":
        named["seeds"] = seeds  # a run of the other mode is another run (per-point keys are unchanged)
    point_key = hashlib.sha256(_canonical_json(named).encode()).hexdigest()[:16]
    ss = run_seed(spec.seed, point, replicate, seeds=seeds)
    return RunSpec(
        run_key=f"{point_key}/{replicate}",
        point_key=point_key,
        params=dict(point),
        replicate=int(replicate),
        seed=SeedInfo(ss.entropy, tuple(ss.spawn_key)),
        graph=graph,
        days=spec.days,
        metrics=tuple(spec.metrics),
        daily=tuple(spec.daily),
        ranker_version=named["ranker_version"],
        graph_identity=identity,
        graph_replicate=int(replicate) if spec.graph_replicates else None,
    )
