"""Parameter sweeps: specs, seed addressing, execution on any executor, the results store.

Examples
--------
>>> import os, tempfile, feedsim
>>> spec = feedsim.SweepSpec(seed=1, days=1, replicates=2, graph={"n_users": 100, "seed": 0},
...                          grid={"ranker": ["chronological", "engagement"]})
>>> db = os.path.join(tempfile.mkdtemp(), "r.sqlite")
>>> feedsim.run_sweep(spec, db, workers=1).n_failed
0
>>> agg = feedsim.experiments.aggregate(feedsim.load_results(db, as_pandas=False), "gini_impressions")
>>> [int(n) for n in agg["gini_impressions.n"]]
[2, 2]
"""

from .execute import SweepReport, execute_run, run_sweep
from .plotting import plot_results
from .results import aggregate, load_daily, load_results, param_columns
from .seeds import RunSpec, point_words, run_seed
from .spec import DAILY_SERIES, ROLE_METRICS, SCALAR_METRICS, SweepSpec, SweepSpecError, load_spec
from .store import ResultsStore, SpecMismatchError, StoreError, StoreLockedError

__all__ = [
    "DAILY_SERIES",
    "ROLE_METRICS",
    "ResultsStore",
    "RunSpec",
    "SCALAR_METRICS",
    "SpecMismatchError",
    "StoreError",
    "StoreLockedError",
    "SweepReport",
    "SweepSpec",
    "SweepSpecError",
    "aggregate",
    "execute_run",
    "load_daily",
    "load_results",
    "load_spec",
    "param_columns",
    "plot_results",
    "point_words",
    "run_seed",
    "run_sweep",
]
