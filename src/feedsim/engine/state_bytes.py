"""Bytes of declared state per account, post, live item and follow edge, from the declarations.

The memory estimate (:mod:`feedsim.engine.memory`) multiplies counts by bytes
per unit; the part of those bytes that is the run's own state is the sum of the
declared arrays' item sizes (:func:`feedsim.state.bytes_per_row`), given here, so
that a new state array changes the figure without an edit elsewhere.
"""

from __future__ import annotations

import numpy as np

from ..population.state import POPULATION_ARRAYS
from ..state import bytes_per_row
from .account_state import ACCOUNT_ARRAYS
from .edges import EDGE_ACCOUNT_ARRAYS, EDGE_ARRAYS
from .live import LIVE_ITEM_ARRAYS
from .posts import POST_ARRAYS

__all__ = ["declared_bytes"]


def declared_bytes() -> dict[str, int]:
    """Bytes one account, post-table row, live item and follow edge take in the declared arrays.

    ``account`` counts the population's attributes, the engine's per-account
    arrays and the edges' per-account arrays (``in_degree`` and the CSR pointer
    ``indptr``); the others, one row of their owner's arrays. Capacity kept for
    growth, copies made by a tick and the result are not included.

    Examples
    --------
    >>> declared_bytes()
    {'account': 296, 'post': 82, 'live_item': 40, 'edge': 37}
    """
    indptr = np.dtype(np.int64).itemsize  # one CSR pointer per account (plus one)
    return {
        "account": (bytes_per_row(POPULATION_ARRAYS) + bytes_per_row(ACCOUNT_ARRAYS)
                    + bytes_per_row(EDGE_ACCOUNT_ARRAYS) + indptr),
        "post": bytes_per_row(POST_ARRAYS),
        "live_item": bytes_per_row(LIVE_ITEM_ARRAYS),
        "edge": bytes_per_row(EDGE_ARRAYS),
    }
