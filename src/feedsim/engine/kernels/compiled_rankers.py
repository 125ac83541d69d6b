"""Which rankers have a compiled form, and its parameters.

Only the exact built-in types and functions qualify (a subclass may override
``__call__``); everything else runs through its array form.
"""

from __future__ import annotations

import numpy as np

from . import scores as ks

__all__ = ["compiled_form"]


def _engagement_params(base, link_penalty: float = 1.0, boost_exponent: float = 0.0) -> np.ndarray:
    b = base
    return np.array([
        b.reply_weight * b.base_reply,
        b.like_weight * b.base_like + b.reshare_weight * b.base_reshare,
        b.engagement_weight, b.popularity_weight,
        b.base_like, b.base_reshare, b.base_reply,
        b.like_weight, b.reshare_weight, b.reply_weight,
        -1.0 / b.half_life_hours,
        link_penalty, boost_exponent, 0.0,
    ], dtype=np.float64)


def compiled_form(ranker) -> tuple[int, np.ndarray, int] | None:
    """``(code, params, per-author cap or -1)`` of a built-in ranker, else None."""
    from ...rankers import builtin as rb

    none = np.zeros(14)
    if ranker is rb.chronological:
        return ks.CHRONOLOGICAL, none, -1
    if ranker is rb.popularity:
        return ks.POPULARITY, none, -1
    if ranker is rb.random_ranker:
        return ks.RANDOM, none, -1
    t = type(ranker)
    if t is rb.EngagementRanker:
        return ks.ENGAGEMENT, _engagement_params(ranker), -1
    if t is rb.PlatformFavoringRanker and type(ranker.base) is rb.EngagementRanker:
        return ks.ENGAGEMENT, _engagement_params(ranker.base, link_penalty=float(ranker.link_penalty)), -1
    if t is rb.FairExposureRanker and type(ranker.base) is rb.EngagementRanker:
        params = _engagement_params(ranker.base, boost_exponent=float(ranker.boost_exponent))
        return ks.ENGAGEMENT, params, int(ranker.max_per_author)
    return None
