"""Rankers: the plug-in point of feedsim.

A ranker is any callable ``f(candidates, rng) -> scores`` receiving read-only
candidate arrays (:class:`Candidates`) and a ``numpy.random.Generator``, returning
one float per candidate (higher is shown first). The engine checks the output and
does the per-viewer top-k with random tie-breaking.

Examples
--------
>>> import numpy as np, feedsim
>>> def friends_first(c, rng):
...     return c.affinity - 0.01 * c.item_age_hours
>>> G = feedsim.networks.default_community(200, seed=0)
>>> result = feedsim.Simulation(G, ranker=friends_first, seed=0).run(days=1)
>>> result.ranker
'friends_first'
"""

from .builtin import (
    TWITTER_2023_WEIGHTS,
    EngagementRanker,
    FairExposureRanker,
    PlatformFavoringRanker,
    chronological,
    popularity,
    random_ranker,
)
from .candidates import CANDIDATE_FIELDS, Candidates
from .check import CheckReport, check_ranker
from .presets import (
    PRESETS,
    FacebookMSIRanker,
    RedditHotRanker,
    SimSoMRanker,
    Twitter2023Ranker,
    X2026Ranker,
)
from .registry import RANKERS, Ranker, get_ranker, ranker_name, validate_scores

__all__ = [
    "CANDIDATE_FIELDS",
    "CheckReport",
    "FacebookMSIRanker",
    "PRESETS",
    "RedditHotRanker",
    "SimSoMRanker",
    "Twitter2023Ranker",
    "X2026Ranker",
    "check_ranker",
    "TWITTER_2023_WEIGHTS",
    "Candidates",
    "EngagementRanker",
    "FairExposureRanker",
    "PlatformFavoringRanker",
    "RANKERS",
    "Ranker",
    "chronological",
    "get_ranker",
    "popularity",
    "random_ranker",
    "ranker_name",
    "validate_scores",
]
