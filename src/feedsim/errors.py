"""Exceptions raised by feedsim.

Every exception subclasses :class:`FeedsimError` and the matching built-in, so
``except ValueError`` keeps working for callers that do not know feedsim.
"""

from __future__ import annotations

__all__ = ["FeedsimError", "InvalidParameterError", "RankerOutputError", "InsufficientMemoryError"]


class FeedsimError(Exception):
    """Base class of every error feedsim raises on purpose."""


class InvalidParameterError(FeedsimError, ValueError):
    """A parameter, node attribute or input file failed validation.

    The message names the field, the rule and the value, e.g.
    ``post_rate must be a finite number >= 0; got -1.0 (node 17)``.
    """


class RankerOutputError(FeedsimError, ValueError):
    """A ranker returned scores of the wrong shape, dtype or with NaN/inf."""


class InsufficientMemoryError(FeedsimError, MemoryError):
    """A run's estimated peak memory exceeds what is available (or ``memory_limit``).

    Raised before any work, naming the parameter that drives the estimate; pass
    ``memory_limit=None`` to run anyway.
    """
