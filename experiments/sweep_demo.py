"""A small study on a loaded graph: is a quiet member heard less under engagement ranking?

The spec ``experiments/sweep_follows.toml``: a 400-account edge list shipped with the
repository (``experiments/follows_400.txt``, no roles: ``assign_roles`` assigns
them), 2 rankers x 2 out-of-network shares x 8 replicates = 32 runs of 2 simulated days
(about 10 s on 2 cores). Results go to an SQLite store; rerunning resumes (finished runs are
skipped). Prints the paired engagement-minus-chronological difference next to the unpaired
one, and writes ``experiments/out/sweep_demo/sweep_demo.png``: the quiet members' voice ratio
per ranker with 95% bands, and the paired differences with their intervals.

Usage::

    python experiments/sweep_demo.py [--out DIR] [--workers N]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import feedsim  # noqa: E402
from feedsim.plots import plot_sweep_results  # noqa: E402
from feedsim.plots.labels import metric_label  # noqa: E402
from feedsim.plots.palette import NEUTRAL_COLOR  # noqa: E402
from feedsim.plots.rules import declare_bounds, legend_outside  # noqa: E402
from feedsim.sweeps import aggregate  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SPEC = os.path.join(HERE, "sweep_follows.toml")
METRICS = ["voice_ratio.quiet", "impression_share.quiet", "gini_impressions"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(HERE, "out", "sweep_demo"),
                        help="output directory (default experiments/out/sweep_demo)")
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: CPU count)")
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    db = os.path.join(args.out, "sweep_demo.sqlite")
    start = time.perf_counter()
    report = feedsim.run_sweep(SPEC, db, workers=args.workers, progress=True)
    print(report)
    table = feedsim.load_results(db)
    summary = {}
    print("engagement - chronological, mean difference [95% CI] over 8 replicates sharing seeds:")
    for paired in (True, False):
        d = aggregate(table, METRICS, contrast="ranker", baseline="chronological", paired=paired, as_pandas=False)
        label = "paired" if paired else "unpaired"
        for i in range(len(d["ranker"])):
            share = float(d["out_of_network_share"][i])
            for m in METRICS:
                mean, lo, hi = (float(d[f"{m}.{s}"][i]) for s in ("mean", "ci_low", "ci_high"))
                summary.setdefault(m, {}).setdefault(f"out_of_network_share={share}", {})[label] = [mean, lo, hi]
                print(f"  {label:<9} out_of_network_share={share:<4} {m:<24} {mean:+.4f} [{lo:+.4f}, {hi:+.4f}]")
    fig, axes = plt.subplots(1, 2, figsize=(14, 4.5))
    plot_sweep_results(table, "voice_ratio.quiet", "out_of_network_share", ax=axes[0])
    axes[0].set_title("Quiet members: impression share / post share")
    ax = axes[1]
    for k, (paired, colour) in enumerate(((True, "#2171B5"), (False, NEUTRAL_COLOR))):
        d = aggregate(table, "voice_ratio.quiet", contrast="ranker", paired=paired, as_pandas=False)
        x = d["out_of_network_share"].astype(float) + (k - 0.5) * 0.02
        mean = d["voice_ratio.quiet.mean"]
        err = [mean - d["voice_ratio.quiet.ci_low"], d["voice_ratio.quiet.ci_high"] - mean]
        ax.errorbar(x, mean, yerr=err, fmt="o", color=colour, capsize=4,
                    label="paired (same seeds)" if paired else "unpaired (Welch)")
    declare_bounds(ax, -math.inf, math.inf)  # a difference of two voice ratios can have either sign
    ax.axhline(0.0, color=NEUTRAL_COLOR, lw=0.8)
    ax.set_xlabel(metric_label("out_of_network_share"))
    ax.set_ylabel(f"{metric_label('voice_ratio.quiet')}:\nengagement - chronological")
    ax.set_title("The same difference, paired vs unpaired 95% CI")
    legend_outside(ax)
    fig.suptitle("feedsim sweep on a loaded edge list (400 accounts, roles assigned), 2 days, 8 replicates")
    fig.tight_layout()
    if os.environ.get("FEEDSIM_CHECK_FIGURES"):  # as experiments/_common.save does
        sys.path.insert(0, os.path.join(HERE, os.pardir, "tests"))
        from figure_rules import figure_problems  # the repository's tests' check of the figure rules

        with open(os.path.join(args.out, "figure_problems.json"), "w") as fh:
            json.dump({"sweep_demo.png": figure_problems(fig)}, fh, indent=2)
    png = os.path.join(args.out, "sweep_demo.png")
    fig.savefig(png, dpi=110)
    plt.close(fig)
    with open(os.path.join(args.out, "summary.json"), "w") as fh:
        json.dump(summary, fh, indent=2, sort_keys=True)
    print(f"plot written to {png} ({time.perf_counter() - start:.1f} s in all)")
    return min(report.n_failed, 125)


if __name__ == "__main__":
    sys.exit(main())
