"""Speed benchmark: the default community at several sizes under several rankers.

Each (size, ranker) runs in a fresh subprocess so peak memory is measured per run.
Prints one JSON object (and a table on stderr). Not a test: figures, no assertions.

    python benchmarks/speed.py                       # 10k and 100k users, 7 days
    python benchmarks/speed.py --users 10000 --days 3 --rankers engagement
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import subprocess
import sys
import time


def one_run(users: int, days: float, ranker: str, seed: int) -> dict:
    import feedsim
    from feedsim.random import stream_seed

    t0 = time.perf_counter()
    graph = feedsim.networks.default_community(users, seed=stream_seed(seed, "network"), as_arrays=True)
    t_graph = time.perf_counter() - t0
    t0 = time.perf_counter()
    sim = feedsim.Simulation(graph, ranker=ranker, seed=seed)
    t_setup = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = sim.run(days=days)
    wall = time.perf_counter() - t0
    st = result.stats
    return {
        "users": users,
        "edges": graph.n_edges,
        "days": days,
        "ranker": ranker,
        "seed": seed,
        "graph_seconds": round(t_graph, 3),
        "setup_seconds": round(t_setup, 3),
        "run_seconds": round(wall, 3),
        "sessions": st["sessions"],
        "candidates": st["candidates"],
        "impressions": st["impressions"],
        "posts": len(result.posts),
        "sessions_per_second": round(st["sessions"] / wall),
        "candidates_per_second": round(st["candidates"] / wall),
        "peak_rss_gib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 3),
        "phase_seconds": {k: round(v, 3) for k, v in st["phase_seconds"].items()},
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", default="10000,100000", help="comma-separated sizes")
    ap.add_argument("--days", type=float, default=7)
    ap.add_argument("--rankers", default="chronological,engagement")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(one_run(int(args.users), args.days, args.rankers, args.seed)))
        return 0
    load_at_start = os.getloadavg()[0]  # other work on the machine slows the runs: recorded with the figures
    runs = []
    for users in [int(u) for u in args.users.split(",")]:
        for ranker in args.rankers.split(","):
            out = subprocess.run(
                [sys.executable, __file__, "--child", "--users", str(users), "--days", str(args.days),
                 "--rankers", ranker, "--seed", str(args.seed)],
                capture_output=True, text=True, check=True,
            )
            run = json.loads(out.stdout)
            runs.append(run)
            print(f"{users:>8} users {ranker:<14} {run['run_seconds']:8.1f} s  "
                  f"{run['sessions_per_second']:>9,} sessions/s  {run['candidates_per_second']:>11,} candidates/s  "
                  f"{run['peak_rss_gib']:.2f} GiB", file=sys.stderr)
    import feedsim
    import numpy as np

    print(json.dumps({
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "processor": platform.processor(), "numpy": np.__version__, "feedsim": feedsim.__version__,
                    "date": datetime.date.today().isoformat(), "cpus": os.cpu_count(),
                    "load_average": round(load_at_start, 2)},
        "runs": runs,
    }, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
