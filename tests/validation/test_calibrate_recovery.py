"""Parameter recovery: ABC-SMC finds like_rate and reshare_rate back from a run's summary statistics.

A run of a small community at known ``like_rate`` and ``reshare_rate`` gives the "observed" likes and
reshares per impression, each with its Poisson standard error (``sqrt(count) / impressions``). The
calibration sees only those two numbers and the community; its posterior's 95 % interval must cover
the truth. ABC's posterior is at least as wide as the exact one (it accepts within a tolerance), so a
well-working pipeline covers the truth in about 95 % of repetitions or more: in at least 9 of 10
(the chance of 8 or fewer of 10 at 95 % coverage is 7.5 %; at 99 %, 0.4 %), slow tier; one
repetition in the default tier.

The observed runs use seeds no particle uses (replicate ``100 + r`` of the truth's values; particles are
replicate 0 and the predictive check's are 1 to ``predictive``).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from feedsim import Simulation
from feedsim.calibrate import Budget, CalibrationStudy, Prior, Target, calibrate

pytest.importorskip("pyabc")

TRUTH = {"like_rate": 0.08, "reshare_rate": 0.02}
PRIORS = (Prior("like_rate", 0.0, 0.25), Prior("reshare_rate", 0.0, 0.06))


def recovery_study(rep: int, *, n_users: int = 100, days: float = 3.0, population: int = 40,
                   generations: int = 4) -> CalibrationStudy:
    """The calibration of repetition ``rep``: observed statistics from a run at the truth."""
    base = {"tick_hours": 24, "ranker": "chronological"}
    probe = CalibrationStudy(PRIORS, [Target("likes_per_impression", 1.0, 1.0)], days=days,
                             community={"n_users": n_users}, base=base, seed=rep)
    result = Simulation(probe.community_graph(), "chronological", seed=probe.run_seed(TRUTH, 100 + rep),
                        tick_hours=24, **TRUTH).run(days=days)
    P = result.posts
    impressions = float(P.impressions.sum())
    targets = []
    for column in ("likes", "reshares"):
        count = float(getattr(P, column).sum())
        se = math.sqrt(max(count, 1.0)) / impressions  # Poisson standard error of the observed rate
        targets.append(Target(f"{column}_per_impression", count / impressions, se))
    return CalibrationStudy(PRIORS, targets, days=days, community={"n_users": n_users}, base=base, seed=rep,
                            budget=Budget(population_size=population, max_generations=generations, predictive=10))


def covered(fit) -> dict[str, bool]:
    post = fit.posterior.set_index("parameter")
    return {name: bool(post.loc[name, "low"] <= value <= post.loc[name, "high"]) for name, value in TRUTH.items()}


def test_one_recovery(tmp_path):
    """Default tier: one repetition recovers both rates, and its posterior is narrower than the prior."""
    fit = calibrate(recovery_study(0), tmp_path / "rec.db")
    assert fit.done and len(fit.generations) == 4
    assert covered(fit) == {"like_rate": True, "reshare_rate": True}, fit.posterior
    post = fit.posterior.set_index("parameter")
    # learned something: the like rate's 95% interval is under half the prior's width
    assert post.loc["like_rate", "high"] - post.loc["like_rate", "low"] < 0.5 * 0.25, fit.posterior
    assert fit.matched == ["likes_per_impression", "reshares_per_impression"], fit.targets


@pytest.mark.slow
def test_recovery_coverage(tmp_path):
    """Slow tier: the 95% interval covers the truth in at least 9 of 10 repetitions, for each rate."""
    hits = {name: 0 for name in TRUTH}
    for rep in range(10):
        fit = calibrate(recovery_study(rep), tmp_path / f"rec{rep}.db")
        for name, ok in covered(fit).items():
            hits[name] += ok
    assert all(h >= 9 for h in hits.values()), hits
    assert np.isfinite(fit.posterior["mean"]).all()
