"""Running a calibration: ABC-SMC through pyabc (stored, resumable) and a seeded Sobol search.

Reproducibility. Every simulation is seeded from the study seed and its parameter values
(:meth:`CalibrationStudy.run_seed`), and each ABC-SMC generation ``t`` seeds pyabc's draws (it uses
NumPy's global generator; feedsim saves and restores that generator's state around the call) from
``SeedSequence(seed, spawn_key=(CALIBRATE_KEY, 2, t))``. With ``workers=1`` (pyabc's
``SingleCoreSampler``) a study is therefore bit-reproducible given its seed, and a study stopped after
any generation and resumed gives exactly the particles of an uninterrupted one (a generation cut short
by a kill is run again from its start). With ``workers > 1`` (``MulticoreEvalParallelSampler``) each
simulation is still a function of its parameter values, but pyabc's worker processes draw the proposals
from fresh OS entropy and return them in the order they finish: the posterior is a valid sample, not a
bit-identical one.
"""

from __future__ import annotations

import ast
import logging
import math
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InvalidParameterError, MissingDependencyError
from ..random import replicate_seeds
from .study import CALIBRATE_KEY, CalibrationStudy

__all__ = ["Calibration", "calibrate", "search", "load_calibration"]

_PREDICTIVE_WORD, _GENERATION_WORD, _SEARCH_WORD = 1, 2, 3
_META_KEY = "feedsim_study"


def _pyabc():
    try:
        import pyabc
    except ImportError:
        raise MissingDependencyError('ABC-SMC calibration needs pyabc: pip install "feedsim[calibrate]"') from None
    return pyabc


class _Model:
    """pyabc's model: the study's simulation of a particle (picklable, for worker processes)."""

    def __init__(self, study: CalibrationStudy) -> None:
        self.study = study

    def __call__(self, pars: Mapping[str, float]) -> dict[str, float]:
        return self.study.simulate({k: float(pars[k]) for k in self.study.names})


class _Distance:
    """Euclidean distance of the targets, each miss in units of its sd (NaN statistics: infinitely far)."""

    def __init__(self, study: CalibrationStudy) -> None:
        self.sd = {t.name: float(t.sd) for t in study.targets}

    def __call__(self, x: Mapping[str, float], x0: Mapping[str, float]) -> float:
        z = np.array([(float(x[k]) - float(x0[k])) / s for k, s in self.sd.items()])
        return float(np.sqrt(np.sum(z * z))) if np.isfinite(z).all() else math.inf


def distance(study: CalibrationStudy, stats: Mapping[str, float]) -> float:
    """The distance of simulated statistics from the targets (in units of each target's sd).

    Examples
    --------
    >>> from feedsim.calibrate import Prior, Target
    >>> study = CalibrationStudy([Prior("like_rate", 0.0, 0.2)], [Target("n_posts", 10.0, 2.0)], days=1)
    >>> distance(study, {"n_posts": 14.0})
    2.0
    """
    return _Distance(study)({t.name: stats[t.name] for t in study.targets}, {t.name: t.observed for t in study.targets})


def _weighted_quantile(x: np.ndarray, w: np.ndarray, q: float) -> float:
    from pyabc.weighted_statistics import weighted_quantile

    return float(weighted_quantile(np.asarray(x, dtype=float), np.asarray(w, dtype=float), alpha=q))


@dataclass
class Calibration:
    """The outcome of :func:`calibrate`.

    Attributes
    ----------
    study : CalibrationStudy
    particles : DataFrame
        The last generation's particles: one column per parameter, ``weight`` (summing to 1) and
        ``distance``.
    posterior : DataFrame
        One row per parameter: ``parameter``, ``prior`` (uniform or loguniform), ``prior_low``,
        ``prior_high``, ``default`` (today's declared value), ``mean``, ``sd``, ``low`` and ``high``
        (the weighted 2.5 % and 97.5 % quantiles), ``median``.
    targets : DataFrame
        One row per target: ``target``, ``observed``, ``sd``, ``simulated`` (posterior predictive mean),
        ``low``, ``high`` (its 95 % interval, the target's sd added as measurement noise) and
        ``matched`` (observed inside the interval). NaN and None until the study is done.
    generations : DataFrame
        One row per generation: ``t``, ``epsilon``, ``simulations``, ``acceptance``.
    done : bool
        A stopping rule of the budget was met (False: resume with :func:`calibrate` on the same ``db``).
    db : str
        The pyabc database.
    seconds : float
        Wall time of this call.
    """

    study: CalibrationStudy
    particles: Any
    posterior: Any
    targets: Any
    generations: Any
    done: bool
    db: str
    seconds: float

    @property
    def matched(self) -> list[str]:
        """Targets whose observed value lies in the posterior predictive 95 % interval."""
        return [r.target for r in self.targets.itertuples() if r.matched is True]

    @property
    def unmatched(self) -> list[str]:
        """Targets the calibrated model could not match."""
        return [r.target for r in self.targets.itertuples() if r.matched is False]

    def __str__(self) -> str:
        gens = len(self.generations)
        sims = int(self.generations["simulations"].sum()) if gens else 0
        lines = [f"calibration: {gens} generations, {sims} simulations, "
                 f"{'done' if self.done else 'not done (resume on the same --db)'}"]
        for r in self.posterior.itertuples():
            lines.append(f"  {r.parameter}: mean {r.mean:.4g}, 95% [{r.low:.4g}, {r.high:.4g}] "
                         f"(default {r.default:.4g})")
        for r in self.targets.itertuples():
            if r.matched is None:
                continue
            lines.append(f"  {r.target}: observed {r.observed:.4g}, simulated {r.simulated:.4g} "
                         f"[{r.low:.4g}, {r.high:.4g}] {'matched' if r.matched else 'NOT matched'}")
        return "\n".join(lines)

    def plot(self, fig: Any = None) -> Any:
        """Prior against posterior (one panel per parameter) and simulated against observed targets.

        Returns the matplotlib Figure (see :func:`feedsim.calibrate.plot_calibration`).
        """
        from .figure import plot_calibration

        return plot_calibration(self, fig=fig)


def _db_url(db: str | os.PathLike) -> str:
    path = os.path.abspath(os.fspath(db))
    if os.path.isdir(path):
        raise InvalidParameterError(f"db must be a file path; got the folder {db}")
    if not os.path.isdir(os.path.dirname(path)):
        raise InvalidParameterError(f"db: no such directory {os.path.dirname(path)}")
    return "sqlite:///" + path


def _open(study: CalibrationStudy, url: str, sampler: Any, t0: int) -> Any:
    pyabc = _pyabc()
    prior = pyabc.Distribution(**{p.name: pyabc.RV(*(("loguniform", p.low, p.high) if p.log else
                                                      ("uniform", p.low, p.high - p.low)))
                                  for p in study.parameters})
    eps = pyabc.MedianEpsilon(initial_epsilon=math.inf if t0 == 0 else "from_sample")
    return pyabc.ABCSMC(_Model(study), prior, _Distance(study), population_size=study.budget.population_size,
                        sampler=sampler, eps=eps)


def _stored_fingerprint(history: Any) -> str | None:
    try:
        options = ast.literal_eval(history.get_abc().json_parameters)
    except (ValueError, SyntaxError):
        return None
    return options.get(_META_KEY) if isinstance(options, dict) else None


def calibrate(study: CalibrationStudy, db: str | os.PathLike, *, workers: int = 1,
              generations: int | None = None) -> Calibration:
    """Fit the study's parameters to its targets by ABC-SMC (pyabc), stored in ``db`` and resumable.

    A new ``db`` starts the study; a ``db`` holding this study resumes it after its last finished
    generation (a ``db`` holding another study is refused). The run stops when a rule of the study's
    :class:`Budget` is met (``done``), or after ``generations`` more generations (work in chunks).

    Parameters
    ----------
    study : CalibrationStudy
    db : path
        SQLite file of pyabc's database (created if missing).
    workers : int, default 1
        1: pyabc's ``SingleCoreSampler``, bit-reproducible given the seed; more: its
        ``MulticoreEvalParallelSampler`` with this many processes (see the module notes).
    generations : int, optional
        Run at most this many generations in this call.

    Returns
    -------
    Calibration

    Raises
    ------
    MissingDependencyError
        Without pyabc (``pip install "feedsim[calibrate]"``).
    InvalidParameterError
        For a bad ``db``, ``workers`` or ``generations``, or a ``db`` holding another study.

    Examples
    --------
    >>> import tempfile, os
    >>> from feedsim.calibrate import Budget, Prior, Target
    >>> study = CalibrationStudy([Prior("like_rate", 0.0, 0.2)], [Target("likes_per_impression", 0.01, 0.002)],
    ...                          days=1, community={"n_users": 60}, base={"tick_hours": 24},
    ...                          budget=Budget(population_size=10, max_generations=2, predictive=4))
    >>> with tempfile.TemporaryDirectory() as d:
    ...     fit = calibrate(study, os.path.join(d, "fit.db"))
    >>> fit.done, list(fit.posterior.parameter)
    (True, ['like_rate'])
    """
    pyabc = _pyabc()
    started = time.perf_counter()
    for name, v, low in (("workers", workers, 1), ("generations", generations, 1)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < low):
            raise InvalidParameterError(f"{name} must be an integer >= {low}; got {v!r}")
    url = _db_url(db)
    fingerprint = study.fingerprint()
    observed = {t.name: float(t.observed) for t in study.targets}
    budget = study.budget
    saved = np.random.get_state()  # noqa: NPY002  (pyabc draws from NumPy's global generator: restored below)
    log = logging.getLogger("ABC")  # pyabc logs every generation at INFO to stderr; a library stays quiet
    level = log.level
    log.setLevel(logging.WARNING)
    try:
        sampler = pyabc.SingleCoreSampler() if workers == 1 else pyabc.MulticoreEvalParallelSampler(n_procs=workers)
        if os.path.exists(os.path.abspath(os.fspath(db))):
            history = _history(url, db)
            if history.all_runs():
                history.id = 1
                if _stored_fingerprint(history) != fingerprint:
                    raise InvalidParameterError(f"db {db} holds another study (its spec differs from this one); "
                                                "give a new path to start this study")
            else:  # killed before pyabc stored the study: start it
                history = None
        else:
            history = None
        ran = 0
        while True:
            t0 = 0 if history is None else history.max_t + 1
            if history is not None and _stop(history, budget):
                break
            if generations is not None and ran >= generations:
                break
            abc = _open(study, url, sampler, t0)
            if history is None:
                history = abc.new(url, observed, meta_info={_META_KEY: fingerprint})
            else:
                abc.load(url, 1)
            word = np.random.SeedSequence(study.seed, spawn_key=(CALIBRATE_KEY, _GENERATION_WORD, t0))
            np.random.seed(int(word.generate_state(1)[0]))  # noqa: NPY002  (pyabc's draws of generation t0)
            history = abc.run(max_nr_populations=1)
            ran += 1
        done = _stop(history, budget)
        result = _collect(study, history, done, str(db))
    finally:
        np.random.set_state(saved)  # noqa: NPY002
        log.setLevel(level)
    result.seconds = time.perf_counter() - started
    return result


def _history(url: str, db: Any) -> Any:
    """pyabc's History of an existing file, or one line saying the file is not a calibration database."""
    from sqlalchemy.exc import DatabaseError

    try:
        history = _pyabc().History(url)
        history.all_runs()
    except DatabaseError:
        raise InvalidParameterError(f"db {db} is not a calibration database (pyabc's SQLite file); give a new "
                                    "path") from None
    return history


def _stop(history: Any, budget: Any) -> bool:
    if history.max_t < 0:
        return False
    pops = history.get_all_populations()
    pops = pops[pops.t >= 0]
    if len(pops) >= budget.max_generations:
        return True
    if budget.max_simulations is not None and int(pops.samples.sum()) >= budget.max_simulations:
        return True
    return float(pops.epsilon.iloc[-1]) <= budget.min_epsilon


def load_calibration(study: CalibrationStudy, db: str | os.PathLike) -> Calibration:
    """The calibration stored in ``db`` as it stands (no simulation but the predictive check once done)."""
    _pyabc()
    if not os.path.exists(os.fspath(db)):
        raise InvalidParameterError(f"no such calibration db: {db}")
    history = _history(_db_url(db), db)
    history.id = 1
    if _stored_fingerprint(history) != study.fingerprint():
        raise InvalidParameterError(f"db {db} holds another study (its spec differs from this one)")
    return _collect(study, history, _stop(history, study.budget), str(db))


def _collect(study: CalibrationStudy, history: Any, done: bool, db: str) -> Calibration:
    import pandas as pd

    names = study.names
    pops = history.get_all_populations()
    pops = pops[pops.t >= 0]
    generations = pd.DataFrame({"t": pops.t.to_numpy(dtype=int), "epsilon": pops.epsilon.to_numpy(dtype=float),
                                "simulations": pops.samples.to_numpy(dtype=int)})
    counts = history.get_nr_particles_per_population()
    generations["acceptance"] = [counts.get(t, 0) / s if s else math.nan for t, s in
                                 zip(generations.t, generations.simulations)]
    frame, w = history.get_distribution(m=0, t=history.max_t)
    dist = history.get_weighted_distances(t=history.max_t)
    particles = frame[names].reset_index(drop=True).astype(float)
    particles.columns.name = None
    particles["weight"] = np.asarray(w, dtype=float) / np.sum(w)
    particles["distance"] = dist["distance"].to_numpy(dtype=float)
    rows = []
    wts = particles["weight"].to_numpy()
    for p in study.parameters:
        x = particles[p.name].to_numpy()
        mean = float(np.sum(wts * x))
        rows.append({"parameter": p.name, "prior": "loguniform" if p.log else "uniform", "prior_low": p.low,
                     "prior_high": p.high, "default": p.default, "mean": mean,
                     "sd": float(np.sqrt(np.sum(wts * (x - mean) ** 2))),
                     "low": _weighted_quantile(x, wts, 0.025), "median": _weighted_quantile(x, wts, 0.5),
                     "high": _weighted_quantile(x, wts, 0.975)})
    posterior = pd.DataFrame(rows)
    targets = pd.DataFrame({"target": [t.name for t in study.targets],
                            "observed": [float(t.observed) for t in study.targets],
                            "sd": [float(t.sd) for t in study.targets]})
    if done:
        targets = targets.join(_predictive(study, particles))
    else:
        targets["simulated"], targets["low"], targets["high"] = math.nan, math.nan, math.nan
        targets["matched"] = None
    return Calibration(study, particles, posterior, targets, generations, done, db, 0.0)


def _predictive(study: CalibrationStudy, particles: Any) -> Any:
    """Posterior predictive check: simulate at weighted draws of the particles, add the targets' noise."""
    import pandas as pd

    n = study.budget.predictive
    rng = np.random.Generator(np.random.PCG64(replicate_seeds(study.seed, 0, point=(CALIBRATE_KEY,
                                                                                     _PREDICTIVE_WORD)).run))
    idx = rng.choice(len(particles), size=n, p=particles["weight"].to_numpy())
    sims = []
    for j, i in enumerate(idx):
        values = {k: float(particles[k].iloc[i]) for k in study.names}
        sims.append(study.simulate(values, replicate=1 + j))
    out = []
    for t in study.targets:
        y = np.array([s[t.name] for s in sims], dtype=float)
        y = y[np.isfinite(y)]
        noisy = y + t.sd * rng.standard_normal(len(y))
        if len(y) == 0:
            out.append({"simulated": math.nan, "low": math.nan, "high": math.nan, "matched": False})
            continue
        low, high = np.quantile(noisy, [0.025, 0.975])
        out.append({"simulated": float(y.mean()), "low": float(low), "high": float(high),
                    "matched": bool(low <= t.observed <= high)})
    return pd.DataFrame(out)


def search(study: CalibrationStudy, n: int = 64) -> Any:
    """A cheap start without pyabc: the study at ``n`` scrambled Sobol points of the prior, best first.

    Parameters
    ----------
    study : CalibrationStudy
    n : int, default 64
        Points to simulate, a power of two (Sobol sequences are balanced at powers of two).

    Returns
    -------
    DataFrame
        One row per point, sorted by ``distance`` (in units of the targets' sd): one column per
        parameter, one per target statistic, ``distance``.

    Examples
    --------
    >>> from feedsim.calibrate import Prior, Target
    >>> study = CalibrationStudy([Prior("like_rate", 0.0, 0.2)], [Target("likes_per_impression", 0.01, 0.002)],
    ...                          days=1, community={"n_users": 60}, base={"tick_hours": 24})
    >>> table = search(study, n=8)
    >>> len(table), bool(table.distance.is_monotonic_increasing)
    (8, True)
    """
    import pandas as pd
    from scipy.stats import qmc

    if isinstance(n, bool) or not isinstance(n, int) or n < 2 or n & (n - 1):
        raise InvalidParameterError(f"n must be a power of two >= 2; got {n!r}")
    rng = np.random.Generator(np.random.PCG64(replicate_seeds(study.seed, 0, point=(CALIBRATE_KEY,
                                                                                     _SEARCH_WORD)).run))
    u = qmc.Sobol(len(study.parameters), scramble=True, seed=rng).random_base2(int(np.log2(n)))
    rows = []
    for k in range(n):
        values = {p.name: float(p.rv().ppf(u[k, i])) for i, p in enumerate(study.parameters)}
        stats = study.simulate(values)
        rows.append({**values, **stats, "distance": distance(study, stats)})
    return pd.DataFrame(rows).sort_values("distance", kind="stable").reset_index(drop=True)
