"""Deprecated alias of :mod:`feedsim.sweeps` (kept for one release).

The sweep package was renamed so that it no longer shares a name with the
repository's ``experiments/`` story scripts. ``import feedsim.experiments`` (or
any of its submodules: ``spec``, ``seeds``, ``execute``, ``store``,
``results``, ``plotting``) warns with a ``DeprecationWarning`` and gives the
very same objects as :mod:`feedsim.sweeps` (``plotting`` is now
:mod:`feedsim.plots.sweep_results`).
"""

from __future__ import annotations

import sys
import warnings

from .. import sweeps as _sweeps
from ..plots import sweep_results as _sweep_results
from ..sweeps import *  # noqa: F403
from ..sweeps import __all__  # noqa: F401

warnings.warn(
    "feedsim.experiments is deprecated and will be removed in the next release; "
    "use feedsim.sweeps (and feedsim.plots.plot_sweep_results for plot_results)",
    DeprecationWarning,
    stacklevel=2,
)

# ``import feedsim.experiments.store`` finds these entries and returns the new modules
for _name in ("spec", "seeds", "execute", "store", "results", "identity", "graphs", "intervals"):
    _mod = sys.modules.get(f"{_sweeps.__name__}.{_name}")
    if _mod is not None:
        sys.modules[f"{__name__}.{_name}"] = _mod
        globals()[_name] = _mod
sys.modules[f"{__name__}.plotting"] = _sweep_results
plotting = _sweep_results
