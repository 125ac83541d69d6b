"""Shared set-up of the field validation scripts (not part of the library).

The scripts follow the story experiments' pattern (``experiments/_common.py``):
``--quick`` for CI, ``--out`` (default ``experiments/out/field/NAME/``), ``--replicates``;
replicate ``r`` of arm ``i`` is seeded with ``feedsim.replicate_seeds(ENTROPY, r, point=(i,))``
(community from ``.graph``, runs from ``.run``);
every number printed is stored in ``summary.json``. Each script compares feedsim with a
published measurement; ``docs/validation.md`` holds the verdicts.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import _common as C  # noqa: E402

sys.path.pop(0)

QUICK_REPLICATES = 3


def parse_args(name: str, doc: str | None, *, replicates: int):
    """``_common.parse_args`` for ``experiments/field/NAME.py`` (3 replicates with --quick)."""
    return C.parse_args(f"field/{name}", doc, replicates=replicates, quick_replicates=QUICK_REPLICATES)


def quantiles(x, qs=(0.05, 0.25, 0.5, 0.75, 0.95)) -> dict[str, float]:
    """Named quantiles of the finite values of ``x`` (``q05``, ``q25``, ...)."""
    x = np.asarray(x, dtype=np.float64)
    x = x[np.isfinite(x)]
    return {f"q{round(100 * q):02d}": float(np.quantile(x, q)) for q in qs}
