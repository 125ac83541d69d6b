"""The thesis, as a test: engagement ranking quiets the quiet and concentrates attention.

On the default community with default parameters, running the same population
and seed (common random numbers, :func:`feedsim.compare`) under the
chronological and the engagement ranker:

- the quiet role's share of all impressions is lower under ``engagement``;
- so is its visibility (share of its posts seen by at least one viewer);
- the Gini coefficient of impressions over posting accounts is higher.

Only directions are asserted, at default parameters, never tuned to pass. The
fixed-seed test checks all three at once; the per-seed tests check each metric
for each of three more seeds, so a failure names the seed, the metric and the
size of the gap; they run in the slow tier (``-m slow``), the fixed-seed test in the
default tier. Each seed gives independent graph and run streams
(``SeedSequence(seed).spawn(2)``).
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

import feedsim

N_USERS = 2500
DAYS = 6
FIXED_SEED = 2024
SEEDS = (1, 2, 3)


@functools.lru_cache(maxsize=None)
def summaries(seed: int) -> tuple[dict, dict]:
    """(chronological, engagement) summaries for one seed."""
    graph_seed, run_seed = np.random.SeedSequence(seed).spawn(2)
    G = feedsim.networks.default_community(N_USERS, seed=graph_seed, as_arrays=True)
    cmp = feedsim.compare(G, ["chronological", "engagement"], days=DAYS, seed=run_seed)
    return cmp.summaries["chronological"], cmp.summaries["engagement"]


#: metric name -> (value from a summary, expected direction engagement vs chronological)
METRICS = {
    "quiet impression share": (lambda s: s["impression_share"]["quiet"], "lower"),
    "quiet visibility": (lambda s: s["visibility"]["quiet"], "lower"),
    "Gini of impressions": (lambda s: s["gini_impressions"], "higher"),
}


def check(metric: str, chrono: dict, engaged: dict) -> str | None:
    """None if the metric moves the expected way, else a message with the numbers."""
    get, direction = METRICS[metric]
    c, e = get(chrono), get(engaged)
    ok = e < c if direction == "lower" else e > c
    if ok:
        return None
    return (f"{metric}: expected {direction} under engagement; chronological {c:.4f}, "
            f"engagement {e:.4f} (difference {e - c:+.4f})")


def test_thesis_on_default_community():
    chrono, engaged = summaries(FIXED_SEED)
    assert chrono["n_posts"] > 1000 and engaged["n_impressions"] > 10_000
    failures = [msg for metric in METRICS if (msg := check(metric, chrono, engaged))]
    assert not failures, f"seed {FIXED_SEED}: " + "; ".join(failures)


@pytest.mark.slow
@pytest.mark.parametrize("metric", list(METRICS))
@pytest.mark.parametrize("seed", SEEDS)
def test_thesis_direction_holds_for_each_seed(seed, metric):
    msg = check(metric, *summaries(seed))
    assert msg is None, f"seed {seed}: {msg}"
