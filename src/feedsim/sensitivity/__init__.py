"""Global sensitivity analysis: which assumptions matter, over declared parameter ranges.

Sobol first- and total-order indices (Saltelli sampling) or Morris elementary
effects (SALib) of one metric, or of a paired contrast of two rankers on common
random numbers, run through the sweep store (resumable, ``workers`` or Dask) and
reported with bootstrap intervals and the seed noise next to them.

Examples
--------
>>> import os, tempfile
>>> from feedsim.sensitivity import SensitivitySpec, run_sensitivity
>>> spec = SensitivitySpec(seed=1, days=1, n=2, graph={"n_users": 50, "seed": 0},
...                        parameters={"out_of_network_share": [0.0, 0.8], "like_rate": [0.02, 0.1]},
...                        metric="follower_reach.quiet",
...                        contrast={"ranker": "engagement", "baseline": "chronological"})
>>> table = run_sensitivity(spec, os.path.join(tempfile.mkdtemp(), "s.sqlite"), workers=1)
>>> list(table.columns)
['parameter', 'index', 'estimate', 'conf', 'low', 'high']
>>> table["parameter"].iloc[-1]
'seed noise'
"""

from ..plots.sensitivity import plot_indices
from .spec import DISTRIBUTIONS, METHODS, Factor, SensitivitySpec, WeightedEngagementRanker
from .study import NOISE, SensitivityError, analyze, load_study, run_sensitivity

__all__ = ["DISTRIBUTIONS", "METHODS", "NOISE", "Factor", "SensitivityError", "SensitivitySpec",
           "WeightedEngagementRanker", "analyze", "load_study", "plot_indices", "run_sensitivity"]
