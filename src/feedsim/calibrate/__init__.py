"""Calibration by simulation-based inference: fit declared parameters to observed statistics.

A :class:`CalibrationStudy` names the parameters to fit with their priors (:class:`Prior`; names from
:mod:`feedsim.params`, supports checked against the declared bounds), the observed statistics
(:class:`Target`; a metric of the registry, one of :data:`STATISTICS` or a callable on the result),
the community and runs they are measured on, a :class:`Budget` and a seed. :func:`calibrate` runs
ABC-SMC through pyabc (``pip install "feedsim[calibrate]"``), stores the study in pyabc's database so it
resumes after a kill, and returns a :class:`Calibration`: the weighted particles, the posterior per
parameter (mean, 95 % interval, against today's default), which targets the calibrated model matches
(observed within the posterior predictive 95 % interval) and :meth:`Calibration.plot`.
:func:`search` is a cheap start without pyabc: the study at scrambled Sobol points of the prior.

From the command line: ``feedsim calibrate SPEC.toml --db PATH`` (see ``experiments/calibrate_pew.toml``).
"""

from .figure import plot_calibration
from .run import Calibration, calibrate, distance, load_calibration, search
from .study import CALIBRATE_KEY, STATISTICS, Budget, CalibrationStudy, Prior, Target

__all__ = ["Budget", "CALIBRATE_KEY", "Calibration", "CalibrationStudy", "Prior", "STATISTICS", "Target",
           "calibrate", "distance", "load_calibration", "plot_calibration", "search"]
