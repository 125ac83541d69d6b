"""Ranker names, resolution and output checks."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from ..errors import InvalidParameterError, RankerOutputError
from .builtin import (
    EngagementRanker,
    FairExposureRanker,
    PlatformFavoringRanker,
    chronological,
    popularity,
    random_ranker,
)
from .candidates import Candidates
from .presets import PRESETS

__all__ = ["RANKERS", "Ranker", "get_ranker", "ranker_name", "validate_scores"]

#: A ranker: ``f(candidates, rng) -> scores`` (one float per candidate, higher first).
Ranker = Callable[[Candidates, np.random.Generator], NDArray[np.float64]]

#: Built-in rankers by name.
RANKERS: dict[str, Ranker] = {
    "chronological": chronological,
    "engagement": EngagementRanker(),
    "popularity": popularity,
    "random": random_ranker,
    "platform_favoring": PlatformFavoringRanker(),
    "fair_exposure": FairExposureRanker(),
    **PRESETS,  # published rankers (feedsim.rankers.presets)
}


def get_ranker(ranker: str | Ranker) -> Ranker:
    """Resolve a ranker name or callable.

    Raises
    ------
    InvalidParameterError
        For an unknown name or a non-callable.

    Examples
    --------
    >>> get_ranker("chronological").__name__
    'chronological'
    """
    if isinstance(ranker, str):
        if ranker not in RANKERS:
            raise InvalidParameterError(
                f"ranker must be one of {', '.join(repr(k) for k in RANKERS)} or a callable; got {ranker!r}"
            )
        return RANKERS[ranker]
    if not callable(ranker):
        raise InvalidParameterError(
            f"ranker must be a name ({', '.join(RANKERS)}) or a callable f(candidates, rng); "
            f"got {type(ranker).__name__}"
        )
    return ranker


def ranker_name(ranker: str | Ranker) -> str:
    """A readable name: the registry key, a ``name`` attribute or ``__name__``."""
    if isinstance(ranker, str):
        return ranker
    for key, value in RANKERS.items():
        if value is ranker:
            return key
    return str(getattr(ranker, "name", None) or getattr(ranker, "__name__", type(ranker).__name__))


def validate_scores(scores, n: int, name: str, now: float) -> NDArray[np.float64]:
    """Check a ranker's output: shape ``(n,)``, real numbers, finite or ``-inf`` (never show).

    Raises
    ------
    RankerOutputError
        Naming the ranker, the time and what was wrong.
    """
    where = f"ranker {name!r} at t={now:g} h"
    try:
        arr = np.asarray(scores)
    except (TypeError, ValueError) as exc:  # pragma: no cover - exotic objects
        raise RankerOutputError(f"{where} returned something that is not an array: {exc}") from None
    if arr.shape != (n,):
        raise RankerOutputError(
            f"{where} must return one score per candidate, shape ({n},); got shape {arr.shape}"
        )
    if arr.dtype.kind not in "fiub":
        raise RankerOutputError(f"{where} must return real numbers; got dtype {arr.dtype}")
    arr = arr.astype(np.float64, copy=False)
    if n == 0 or (arr.min() > -np.inf and np.isfinite(arr.max())):  # NaN propagates through min/max
        return arr
    bad = np.isnan(arr) | (arr == np.inf)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise RankerOutputError(
            f"{where} must return finite scores or -inf (never show); got {arr[i]!r} at candidate {i} "
            f"({int(bad.sum())} of {n} not allowed)"
        )
    return arr
