"""Tick length (issue 31 part 2): feed positions and engagement do not depend on it.

A viewer with ``s`` sessions in one tick gets one ranked list split into ``s``
feeds (:func:`feedsim.engine.feed.session_slots`). A short list used to go all
into the first sessions, so the longer the tick (the more sessions share one),
the lower the feed positions items were shown at and the lower engagement per
impression (``(1 + slot) ** -position_decay``): -1.8% in the mean slot weight per
impression at 6 h against 0.5 h ticks here (6 SE), -3.3% (dynamics off) and -4.3%
(dynamics on) in engagements per impression at 3 h against 0.5 h on the default
3,000 accounts (``benchmarks/tick_length.py``). Spreading the short list evenly
brings the slot weight within 1.5% and engagements per impression within 4 SE.

Sizes: 800 accounts, 6 days (days 1-5 measured: day 0 starts from empty feeds),
3 seeds; SE over the seed x day values. Tolerance: 4 SE and a bound in %.
"""

from __future__ import annotations

import numpy as np
import pytest

import feedsim

N, DAYS, SEEDS = 800, 6, (1, 2, 3)


def _per_day(tick_hours: float) -> tuple[np.ndarray, np.ndarray]:
    """Per (seed, day): the mean slot weight per impression and engagements per impression."""
    weights, epi = [], []
    for seed in SEEDS:
        G = feedsim.networks.default_community(N, seed=seed)
        sim = feedsim.Simulation(G, seed=seed, tick_hours=tick_hours, dynamics=False, record_impressions=True)
        res = sim.run(days=DAYS)
        log = res.impressions
        day = np.floor((np.asarray(log["time"], float) - 1e-9) / 24.0).astype(np.int64)
        w = (1.0 + np.asarray(log["slot"], float)) ** -sim.config.position_decay
        n = np.bincount(day, minlength=DAYS)[1:]
        weights.append(np.bincount(day, weights=w, minlength=DAYS)[1:] / n)
        d = res.daily
        epi.append((np.asarray(d["engagements"], float) / np.asarray(d["impressions"], float))[1:])
    return np.concatenate(weights), np.concatenate(epi)


def _diff(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Relative difference of the means of ``b`` against ``a`` and its z-score (SE over the values)."""
    se = np.hypot(a.std(ddof=1) / np.sqrt(len(a)), b.std(ddof=1) / np.sqrt(len(b)))
    return float(b.mean() / a.mean() - 1), float((b.mean() - a.mean()) / se)


@pytest.fixture(scope="module")
def runs():
    return {h: _per_day(h) for h in (0.5, 6.0)}


def test_slot_weight_per_impression_does_not_depend_on_tick_length(runs):
    rel, z = _diff(runs[0.5][0], runs[6.0][0])
    assert abs(z) < 4 and abs(rel) < 0.015, f"slot weight per impression, 6 h vs 0.5 h ticks: {rel:+.2%} ({z:+.1f} SE)"


def test_engagements_per_impression_do_not_depend_on_tick_length(runs):
    rel, z = _diff(runs[0.5][1], runs[6.0][1])
    assert abs(z) < 4, f"engagements per impression, 6 h vs 0.5 h ticks: {rel:+.2%} ({z:+.1f} SE)"
