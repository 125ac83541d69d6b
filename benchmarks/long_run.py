"""Long runs hold memory flat: peak RSS of a long run against a short one (issue 13, part 6).

    python benchmarks/long_run.py --users 100000 --days 7 365 [--ranker chronological] [--keep-posts]

Each run is a fresh process: the default community (mean 20 follows), engagement
ranking unless ``--ranker``, every feedback loop on, ``keep_posts=False`` unless
``--keep-posts``, then ``result.summary()``
(the peak includes the result and its metrics). Prints one JSON object (stdout)
and a line per run (stderr): peak RSS (``ru_maxrss``), the process before the
simulation was built, the viewer-author pair table (distinct pairs and bytes),
the other big state structures, and the ratio of the last run's peak to the
first's (the target is at most 1.3). A benchmark, not a test: no assertions.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time


def _rss_mib() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def one_run(users: int, days: float, seed: int, ranker: str = "engagement", keep_posts: bool = False) -> dict:
    """Run in this process and report (called in a child process)."""
    import resource

    import feedsim
    from feedsim.random import stream_seed

    graph = feedsim.networks.default_community(users, mean_follows=20, seed=stream_seed(seed, "network"),
                                               as_arrays=True)
    before = _rss_mib()
    sim = feedsim.Simulation(graph, ranker=ranker, seed=seed, keep_posts=keep_posts)
    estimate = sim.estimate_memory(days=days).total / 2**20
    t0 = time.perf_counter()
    res = sim.run(days=days)
    wall = time.perf_counter() - t0
    summary = res.summary()
    p = sim.platform
    return {
        "users": users,
        "days": days,
        "ranker": ranker,
        "keep_posts": keep_posts,
        "run_seconds": round(wall, 1),
        "seconds_per_day": round(wall / days, 2),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "rss_before_simulation_mib": round(before, 1),
        "estimated_peak_mib": round(estimate, 1),
        "posts_total": summary["n_posts"],
        "post_rows_held": p.posts.n,
        "live_originals": len(p.live.originals),
        "live_reshares": len(p.live.reshares),
        "seen_hash_keys": len(p.seen),
        "seen_hash_mib": round(p.seen.table.nbytes / 2**20, 1),
        "top_post_rates": sorted((sim.accounts.post_rate * p.accounts.rate_multiplier).round(1).tolist())[-3:],
        "viewer_author_pairs": len(p.pairs),
        "pair_table_mib": round(p.pairs.nbytes / 2**20, 1),
        "edges": p.edges.n_edges,
        "exposure_diversity": summary["exposure_diversity"],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=100_000)
    ap.add_argument("--days", type=float, nargs="+", default=[7, 365])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--ranker", default="engagement")
    ap.add_argument("--keep-posts", action="store_true")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(one_run(args.users, args.days[0], args.seed, args.ranker, args.keep_posts)))
        return 0
    runs = []
    for days in args.days:
        cmd = [sys.executable, __file__, "--child", "--users", str(args.users), "--days", str(days),
               "--seed", str(args.seed), "--ranker", args.ranker] + (["--keep-posts"] if args.keep_posts else [])
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        runs.append(json.loads(out))
        r = runs[-1]
        print(f"{args.users:,} users, {days:g} days, {args.ranker}: run {r['run_seconds']} s, peak {r['peak_rss_mib']:.0f} MiB "
              f"(before the simulation {r['rss_before_simulation_mib']:.0f}), pairs {r['viewer_author_pairs']:,} "
              f"({r['pair_table_mib']} MiB), hash keys {r['seen_hash_keys']:,} ({r['seen_hash_mib']} MiB), "
              f"live reshares {r['live_reshares']:,}, edges {r['edges']:,}",
              file=sys.stderr)
    base = runs[0]["peak_rss_mib"]
    for r in runs:
        r["peak_ratio_to_first"] = round(r["peak_rss_mib"] / base, 3)
    print(f"peak ratio {runs[-1]['days']:g} / {runs[0]['days']:g} days: {runs[-1]['peak_ratio_to_first']:.3f} "
          f"(target <= 1.3)", file=sys.stderr)
    print(json.dumps({"runs": runs, "machine": {"python": platform.python_version(),
                                                "platform": platform.platform()}}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
