"""Seeds, generators and named child streams.

Every run derives all its randomness from one :class:`numpy.random.SeedSequence`.
Child streams are spawned in a fixed, append-only order (:data:`STREAMS`), so extra
draws in one subsystem never shift another. Posting and sessions are keyed draws per
(stream, account, tick) from the ``keyed`` stream's key
(:mod:`feedsim.engine.kernels.draws`), so an account whose rates have not changed
posts and opens sessions the same way whichever ranker runs (common random numbers
account by account).
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np

from .errors import InvalidParameterError

__all__ = ["STREAMS", "SeedInfo", "as_seed_sequence", "make_rng", "spawn_streams", "stream_seed"]

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
