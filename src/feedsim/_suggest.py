""""Did you mean" hints for misspelt names (metrics, parameters, node attributes)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["did_you_mean"]


def did_you_mean(value: object, choices: Iterable[str], *, n: int = 3, cutoff: float = 0.6) -> str:
    """A hint naming the closest choices to ``value``, or ``""`` when none is close.

    Examples
    --------
    >>> did_you_mean("voice_ratio.quite", ["voice_ratio.quiet", "gini_impressions"])
    "; did you mean 'voice_ratio.quiet'?"
    >>> did_you_mean("zzz", ["post_rate"])
    ''
    """
    if not isinstance(value, str):
        return ""
    close = difflib.get_close_matches(value, list(choices), n=n, cutoff=cutoff)
    if not close:
        return ""
    return "; did you mean " + " or ".join(repr(c) for c in close) + "?"
