"""Metrics: pure, vectorised functions of a run's arrays.

Inequality of a per-unit quantity (:func:`gini`, :func:`lorenz_curve`,
:func:`top_share`), diversity of exposure (:func:`normalized_entropy`,
:func:`exposure_diversity`) and group helpers (:func:`group_shares`,
:func:`ratio_or_nan`), and the Student-t interval of a mean over replicates
(:func:`t_interval`). Each validates its inputs once, raising
:class:`feedsim.errors.InvalidParameterError` naming the parameter, and never
loops over elements in Python.
"""

from __future__ import annotations

from .diversity import exposure_diversity, normalized_entropy
from .groups import group_shares, ratio_or_nan
from .inequality import gini, lorenz_curve, top_share
from .intervals import TInterval, t_critical, t_interval

__all__ = [
    "gini",
    "lorenz_curve",
    "top_share",
    "normalized_entropy",
    "exposure_diversity",
    "group_shares",
    "ratio_or_nan",
    "TInterval",
    "t_critical",
    "t_interval",
]
