"""Seed addressing for sweeps: a run's seed is a function of its parameters only.

Run ``r`` of parameter point ``p`` uses
``SeedSequence(root_seed, spawn_key=(*hash_words(p), r))`` where ``hash_words``
is a SHA-256 of the point's canonical JSON (without the ranker, without values
equal to the defaults), cut into four 32-bit words. So a run's seed does not
depend on execution order, worker count or which other points are in the sweep,
and arms that differ only in their ranker share their seeds (common random
numbers, paired comparisons).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..random import SeedInfo
from ..rankers.registry import ranker_name
from .spec import canonical_params

__all__ = ["RunSpec", "point_words", "run_seed", "make_run"]


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
    return tuple(int.from_bytes(digest[4 * i: 4 * i + 4], "little") for i in range(4))


def run_seed(root_seed: int, point: Mapping[str, Any], replicate: int) -> np.random.SeedSequence:
    """The SeedSequence of replicate ``replicate`` of parameter point ``point``.

    Examples
    --------
    >>> a = run_seed(7, {"ranker": "chronological", "out_of_network_share": 0.1}, 0)
    >>> b = run_seed(7, {"out_of_network_share": 0.1, "ranker": "engagement"}, 0)
    >>> a.spawn_key == b.spawn_key and a.entropy == b.entropy == 7
    True
    """
    return np.random.SeedSequence(int(root_seed), spawn_key=(*point_words(point), int(replicate)))


@dataclass(frozen=True)
class RunSpec:
    """One run of a sweep: what a worker needs, and the keys it is stored under.

    Attributes
    ----------
    run_key : str
        ``<point_key>/<replicate>``; unique in a store.
    point_key : str
        16 hex digits of the SHA-256 of the point's canonical form with its ranker.
    params : dict
        The parameter point (ranker by name, or the callable in the Python API).
    replicate : int
        Replicate index.
    seed : SeedInfo
        Entropy and spawn key of the run's SeedSequence.
    graph : dict
        The community (``n_users``, ``seed``, optional ``mean_follows``).
    days : float
        Simulated days.
    metrics, daily : tuple of str
        What to keep.
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

    @property
    def ranker(self) -> str:
        """Name of the run's ranker."""
        return ranker_name(self.params.get("ranker", "chronological"))

    def stored_params(self) -> dict:
        """Parameters as stored: JSON-ready, ranker by name."""
        return {k: ranker_name(v) if k == "ranker" else v for k, v in sorted(self.params.items())}


def make_run(spec, point: Mapping[str, Any], replicate: int) -> RunSpec:
    """Build the :class:`RunSpec` of ``point`` and ``replicate`` in ``spec``."""
    named = dict(canonical_params(point))
    named["ranker"] = ranker_name(point.get("ranker", "chronological"))
    point_key = hashlib.sha256(_canonical_json(named).encode()).hexdigest()[:16]
    ss = run_seed(spec.seed, point, replicate)
    return RunSpec(
        run_key=f"{point_key}/{replicate}",
        point_key=point_key,
        params=dict(point),
        replicate=int(replicate),
        seed=SeedInfo(ss.entropy, tuple(ss.spawn_key)),
        graph=dict(spec.graph),
        days=spec.days,
        metrics=tuple(spec.metrics),
        daily=tuple(spec.daily),
    )
