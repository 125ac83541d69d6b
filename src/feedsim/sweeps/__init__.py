"""Parameter sweeps: specs, graphs, seed addressing, execution on any executor, the results store.

Examples
--------
>>> import os, tempfile, feedsim
>>> spec = feedsim.SweepSpec(seed=1, days=1, replicates=2, graph={"n_users": 100, "seed": 0},
...                          grid={"ranker": ["chronological", "engagement"]})
>>> db = os.path.join(tempfile.mkdtemp(), "r.sqlite")
>>> feedsim.run_sweep(spec, db, workers=1).n_failed
0
>>> agg = feedsim.sweeps.aggregate(feedsim.load_results(db), "gini_impressions")
>>> [int(n) for n in agg["gini_impressions.n"]]
[2, 2]
"""

from ..plots.sweep_results import plot_sweep_results as plot_results
from ..worlds import run_worlds, unpredictability  # multiple-worlds designs (Salganik et al. 2006)
from .execute import SweepReport, execute_run, run_sweep
from .identity import ranker_version
from .intervals import bounded_interval, paired_difference, unpaired_difference
from .results import aggregate, load_daily, load_results, param_columns
from .seeds import RunSpec, point_words, run_seed
from .spec import (
    DAILY_SERIES,
    GROUP_METRICS,
    METRIC_BOUNDS,
    ROLE_METRICS,
    SCALAR_METRICS,
    SweepSpec,
    SweepSpecError,
    load_spec,
    metric_bounds,
)
from .store import ResultsStore, SpecMismatchError, StoreDamagedError, StoreError, StoreLockedError, StoreWarning

__all__ = [
    "run_worlds",
    "unpredictability",
    "DAILY_SERIES",
    "GROUP_METRICS",
    "METRIC_BOUNDS",
    "ROLE_METRICS",
    "ResultsStore",
    "RunSpec",
    "SCALAR_METRICS",
    "SpecMismatchError",
    "StoreDamagedError",
    "StoreError",
    "StoreLockedError",
    "StoreWarning",
    "SweepReport",
    "SweepSpec",
    "SweepSpecError",
    "aggregate",
    "bounded_interval",
    "execute_run",
    "load_daily",
    "load_results",
    "load_spec",
    "metric_bounds",
    "paired_difference",
    "param_columns",
    "plot_results",
    "point_words",
    "ranker_version",
    "run_seed",
    "run_sweep",
    "unpaired_difference",
]
