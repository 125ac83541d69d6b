"""Shared helpers for the story experiments (not part of the library).

Every experiment script:

* parses ``--quick`` (small sizes for CI), ``--out DIR`` (default
  ``experiments/out/NAME/``) and ``--replicates N``;
* seeds replicate ``r`` of arm ``i`` with ``feedsim.replicate_seeds(ENTROPY, r, point=(i,))``
  (:func:`seeds_for`): its community from ``.graph``, its runs from ``.run`` (that is
  ``SeedSequence(ENTROPY, spawn_key=(i, r))``), and reuses the seeds across arms that
  differ only in ranker or one switch (common random numbers, paired comparisons);
* writes PNG figures and a ``summary.json`` holding every number it prints;
* prints a short plain-language finding.

Matplotlib is forced onto the non-interactive Agg backend before pyplot is
imported, so the scripts run headless (CI, servers).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import feedsim  # noqa: E402
from feedsim.plots import mean_confidence_band  # noqa: E402
from feedsim.plots.labels import metric_label  # noqa: E402
from feedsim.plots.rules import interval_bars, interval_points  # noqa: E402
from feedsim.sweeps import METRIC_BOUNDS  # noqa: E402

#: Root entropy of every experiment (one fixed number, so results are reproducible).
ENTROPY = 20240605

HERE = Path(__file__).resolve().parent


def parse_args(name: str, doc: str | None, *, replicates: int, quick_replicates: int = 2) -> argparse.Namespace:
    """Command line of an experiment: ``--quick``, ``--out`` and ``--replicates``."""
    first = (doc or name).strip().splitlines()[0]
    parser = argparse.ArgumentParser(prog=f"python experiments/{name}.py", description=first,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes for CI (< 60 s)")
    parser.add_argument("--out", type=Path, default=HERE / "out" / name, help="output directory")
    parser.add_argument("--replicates", type=int, default=None,
                        help=f"replicates (different seeds); default {replicates}, {quick_replicates} with --quick")
    args = parser.parse_args()
    if args.replicates is None:
        args.replicates = quick_replicates if args.quick else replicates
    if args.replicates < 1:
        parser.error(f"--replicates must be >= 1; got {args.replicates}")
    args.out.mkdir(parents=True, exist_ok=True)
    args.started = time.perf_counter()
    return args


#: Arm index reserved for design choices (which accounts get a treatment), so they never
#: share a stream with a simulation (whose named streams are children of its own seed).
DESIGN_ARM = 999


def seeds_for(arm: int, replicate: int) -> feedsim.random.ReplicateSeeds:
    """Seeds of replicate ``replicate`` of arm (grid point) ``arm``: ``.graph`` for its community, ``.run`` for runs."""
    return feedsim.replicate_seeds(ENTROPY, replicate, point=(arm,))


def seed_for(arm: int, replicate: int) -> np.random.SeedSequence:
    """Run seed of replicate ``replicate`` of arm ``arm`` (``seeds_for(arm, replicate).run``)."""
    return seeds_for(arm, replicate).run


def design_rng(replicate: int) -> np.random.Generator:
    """Generator for replicate ``replicate``'s design choices (e.g. picking treated accounts)."""
    return np.random.default_rng(seed_for(DESIGN_ARM, replicate))


#: Range of each quantity the story experiments report, by name (the innermost name of a
#: result's path that is listed here wins): shares and chances in [0, 1], counts and rates
#: at least 0, a relative change ("on / off - 1") at least -1. Extends
#: :data:`feedsim.sweeps.METRIC_BOUNDS`.
BOUNDS: dict[str, tuple[float, float]] = {
    **METRIC_BOUNDS,
    **{k: (0.0, 1.0) for k in ("participation", "reciprocal_share", "exact_share", "impression_share_per_account",
                               "follower_reach_off_platform_posts", "follower_reach_on_platform_posts")},
    **{k: (0.0, math.inf) for k in ("posts_per_day", "posts", "total_engagements", "new_follows",
                                    "engagement_per_impression", "engagement_per_sponsored_post",
                                    "engagement_per_organic_post_during", "engagement_per_organic_post_after",
                                    "front_over_back_reach")},
    "reach_gain_from_reciprocity": (-1.0, math.inf),
}


def bounds_of(*path: str) -> tuple[float, float] | None:
    """Range of the quantity at ``path`` (``("engagement", "voice_ratio", "quiet")``), or None if unknown."""
    for key in reversed(path):
        if key in BOUNDS:
            return BOUNDS[key]
    return None


def stat(values: Sequence[float], bounds: tuple[float, float] | None = None) -> dict[str, Any]:
    """Mean and 95% t-interval over replicates, plus the values (JSON-ready).

    With ``bounds`` (the range of the quantity, e.g. ``(0, 1)`` for a share) the
    interval is the bounded one (logit or log scale), so a share's interval never
    passes 100% and a count's never goes below 0 (:func:`feedsim.plots.mean_confidence_band`).
    """
    x = np.asarray([np.nan if v is None else v for v in values], dtype=np.float64)
    if not np.isfinite(x).any():
        return {"mean": None, "lo": None, "hi": None, "values": [None] * len(x)}
    m, lo, hi = mean_confidence_band(x, bounds=bounds)
    return {"mean": float(m), "lo": float(lo), "hi": float(hi),
            "values": [float(v) if math.isfinite(v) else None for v in x]}


def stats_tree(samples: list[dict], bounds: bool = False, _path: tuple[str, ...] = ()) -> dict:
    """Turn a list (one per replicate) of equally shaped nested dicts of numbers into stats.

    With ``bounds=True`` each interval is cut to the range of its quantity, looked up
    by the names on its path (:func:`bounds_of`).
    """
    first = samples[0]
    if isinstance(first, dict):
        return {k: stats_tree([s[k] for s in samples], bounds, (*_path, str(k))) for k in first}
    return stat(samples, bounds_of(*_path) if bounds else None)


def _within(s: dict, bounds: tuple[float, float] | None) -> dict:
    """A :func:`stat` record whose interval leaves ``bounds`` (computed without them) given the bounded one.

    Plots draw intervals as given (nothing is clipped), so a bounded quantity drawn with its bounds gets
    the interval every bounded quantity gets (:func:`feedsim.sweeps.bounded_interval`), from its values.
    """
    if bounds is None or s["lo"] is None or (s["lo"] >= bounds[0] and s["hi"] <= bounds[1]):
        return s
    _, lo, hi = mean_confidence_band(np.asarray([np.nan if v is None else v for v in s["values"]], dtype=np.float64),
                                     bounds=bounds)
    return {**s, "lo": float(lo), "hi": float(hi)}


def _stat_intervals(draw, ax, positions, stats, bounds, scale, shift, **kwargs):
    stats = [_within(s, bounds) for s in stats]

    def col(key):
        return [None if s[key] is None else scale * (s[key] + shift) for s in stats]

    low, high = bounds if bounds is not None else (-math.inf, math.inf)
    return draw(ax, positions, col("mean"), col("lo"), col("hi"),
                bounds=(scale * (low + shift), scale * (high + shift)), **kwargs)


def stat_bars(ax, positions, stats: Sequence[dict], *, bounds: tuple[float, float] | None, scale: float = 1.0,
              shift: float = 0.0, **kwargs):
    """Bars of :func:`stat` records (``scale * (mean + shift)``) with their intervals inside ``bounds``.

    ``bounds`` is the quantity's range before scaling and shifting (None: unbounded).
    A missing mean draws no bar. See :func:`feedsim.plots.rules.interval_bars`.
    """
    return _stat_intervals(interval_bars, ax, positions, stats, bounds, scale, shift, **kwargs)


def stat_points(ax, positions, stats: Sequence[dict], *, bounds: tuple[float, float] | None, scale: float = 1.0,
                shift: float = 0.0, **kwargs):
    """Points with error bars of :func:`stat` records, inside ``bounds`` (see :func:`stat_bars`)."""
    return _stat_intervals(interval_points, ax, positions, stats, bounds, scale, shift, **kwargs)


def words(name: str) -> str:
    """A ranker or arm name in words (``fair_exposure`` -> ``fair exposure``); for metrics see ``label``."""
    return str(name).replace("_", " ")


#: A metric name as an axis label in words (:func:`feedsim.plots.labels.metric_label`).
label = metric_label


def fmt(s: dict, pct: bool = False, digits: int = 2) -> str:
    """``mean [lo, hi]`` of a :func:`stat` dict."""
    if s["mean"] is None:
        return "n/a"
    if pct:
        return f"{100 * s['mean']:.{max(digits - 1, 0)}f}% [{100 * s['lo']:.{max(digits - 1, 0)}f}, {100 * s['hi']:.{max(digits - 1, 0)}f}]"
    return f"{s['mean']:.{digits}f} [{s['lo']:.{digits}f}, {s['hi']:.{digits}f}]"


#: Set this environment variable (to anything) and :func:`save` checks every figure against
#: the figure rules (:func:`figure_problems`) and records what breaks
#: them in ``figure_problems.json`` (figure name -> list of problems) next to the PNGs.
CHECK_FIGURES_ENV = "FEEDSIM_CHECK_FIGURES"


def figure_problems(fig) -> list[str]:
    """The figure rules' check of the repository's tests (``tests/figure_rules.py``), not the library's."""
    sys.path.insert(0, str(HERE.parent / "tests"))
    try:
        from figure_rules import figure_problems as check
    finally:
        sys.path.pop(0)
    return check(fig)


def save(fig, out: Path, name: str) -> str:
    """Save a figure as PNG and close it; return the file name."""
    fig.tight_layout()
    if os.environ.get(CHECK_FIGURES_ENV):
        path = out / "figure_problems.json"
        found = json.loads(path.read_text()) if path.exists() else {}
        found[name] = figure_problems(fig)
        path.write_text(json.dumps(found, indent=2) + "\n")
    fig.savefig(out / name, dpi=110)
    plt.close(fig)
    return name


def write_summary(args: argparse.Namespace, name: str, *, question: str, parameters: dict, results: dict,
                  finding: str, figures: list[str]) -> dict:
    """Write ``summary.json`` (what the script reports, and how to reproduce it)."""
    summary = {
        "experiment": name,
        "question": question,
        "quick": bool(args.quick),
        "replicates": args.replicates,
        "entropy": ENTROPY,
        "seeds": {"rule": "replicate r of arm i: feedsim.replicate_seeds(entropy, r, point=(i,)), its community "
                          "from .graph and its runs from .run = SeedSequence(entropy, spawn_key=(i, r)); design "
                          f"choices (treated accounts) use arm {DESIGN_ARM}",
                  "arm_0": [seeds_for(0, r).to_dict() for r in range(args.replicates)]},
        "parameters": parameters,
        "results": results,
        "finding": finding,
        "figures": figures,
        "versions": {"feedsim": feedsim.__version__, "numpy": np.__version__},
        "wall_seconds": round(time.perf_counter() - args.started, 2),
    }
    with open(args.out / "summary.json", "w") as fh:
        json.dump(summary, fh, indent=2, allow_nan=False)
        fh.write("\n")
    return summary


def report(name: str, finding: str, args: argparse.Namespace) -> None:
    """Print the plain-language finding and where the outputs went."""
    mode = "quick run" if args.quick else "full run"
    print(f"[{name}] {mode}, {args.replicates} replicates, {time.perf_counter() - args.started:.1f} s")
    print(finding)
    print(f"outputs: {args.out}")
