"""Memory benchmark: peak RSS of a long run against a short one (state, not history).

    python benchmarks/memory.py --users 100000 --days 7 365 [--keep-posts]

Each run is a fresh process (the default community, engagement ranking, every
feedback loop on, ``keep_posts=False`` unless ``--keep-posts``). Prints one JSON
object (stdout) and a table (stderr): peak RSS per run, the size of the main state
structures at the end, and the ratio of each run's peak to the first run's. A
benchmark, not a test: no assertions.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time


def one_run(users: int, days: float, keep_posts: bool, seed: int) -> dict:
    """Run in this process and report (called in a child process)."""
    import resource

    import feedsim
    from feedsim.random import stream_seed

    graph = feedsim.networks.default_community(users, mean_follows=20, seed=stream_seed(seed, "network"),
                                               as_arrays=True)
    sim = feedsim.Simulation(graph, ranker="engagement", seed=seed, keep_posts=keep_posts)
    t0 = time.perf_counter()
    res = sim.run(days=days)
    wall = time.perf_counter() - t0
    p = sim.platform
    return {
        "users": users,
        "days": days,
        "keep_posts": keep_posts,
        "run_seconds": round(wall, 1),
        "peak_rss_gib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 3),
        "posts_total": res.summary()["n_posts"],
        "post_rows_held": p.posts.n,
        "live_originals": len(p.live.originals),
        "live_reshares": len(p.live.reshares),
        "seen_hash_keys": len(p.seen),
        "viewer_author_pairs": len(p.pairs),
        "edges": p.edges.n_edges,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=100_000)
    ap.add_argument("--days", type=float, nargs="+", default=[7, 365])
    ap.add_argument("--keep-posts", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(one_run(args.users, args.days[0], args.keep_posts, args.seed)))
        return 0
    runs = []
    for days in args.days:
        cmd = [sys.executable, __file__, "--child", "--users", str(args.users), "--days", str(days),
               "--seed", str(args.seed)] + (["--keep-posts"] if args.keep_posts else [])
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        runs.append(json.loads(out))
        r = runs[-1]
        print(f"{args.users:,} users, {days:g} days: run {r['run_seconds']} s, peak {r['peak_rss_gib']:.2f} GiB, "
              f"post rows held {r['post_rows_held']:,} of {r['posts_total']:,}, pairs {r['viewer_author_pairs']:,}, "
              f"edges {r['edges']:,}", file=sys.stderr)
    base = runs[0]["peak_rss_gib"]
    for r in runs:
        r["peak_ratio_to_first"] = round(r["peak_rss_gib"] / base, 3)
    print(f"peak ratio {runs[-1]['days']:g} / {runs[0]['days']:g} days: {runs[-1]['peak_ratio_to_first']:.2f}",
          file=sys.stderr)
    print(json.dumps({"runs": runs, "machine": {"python": platform.python_version(),
                                                "platform": platform.platform()}}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
