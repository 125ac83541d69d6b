"""Scale benchmark: one large default community, one ranker, every feedback loop on.

    python benchmarks/scale.py --users 1000000 --days 7 [--ranker engagement] [--mean-follows 20]
    python benchmarks/scale.py --users 10000000 --days 1 --memory-limit none   # the 10M run

The whole run's peak memory is estimated before the graph is generated
(``feedsim.engine.memory.plan_memory``) and checked against ``--memory-limit``; the JSON reports
it as ``planned_peak_gib`` (resident memory at start plus the estimate) next to the measured peak.

Prints a readable table (stderr) and one JSON object (stdout): wall time for graph generation,
set-up and the run, peak RSS, sessions/s, candidates scored/s, and seconds per tick phase
(posting, sessions, candidates, ranking, impressions, engagement, daily), so the next bottleneck
is visible. A benchmark, not a test: no assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time


def _current_rss_gib() -> float:
    """Resident memory now (not the peak), GiB: what the process holds before the simulation is built."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**30


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=100_000)
    ap.add_argument("--days", type=float, default=7)
    ap.add_argument("--ranker", default="engagement")
    ap.add_argument("--mean-follows", type=float, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-dynamics", action="store_true")
    ap.add_argument("--memory-limit", default="available",
                    help='the run\'s memory check: "available" (default), a size such as "20 GiB", or "none"')
    ap.add_argument("--keep-posts", choices=("true", "false"), default="true",
                    help="keep one row per post for the whole run (default true, as the library does)")
    args = ap.parse_args()

    import numpy as np

    import feedsim
    from feedsim.engine.config import SimulationConfig
    from feedsim.engine.memory import check_memory, plan_memory
    from feedsim.errors import InsufficientMemoryError
    from feedsim.random import stream_seed

    # the whole run's memory, estimated and checked before the graph is generated
    limit = None if args.memory_limit.lower() == "none" else args.memory_limit
    config = SimulationConfig(dynamics=not args.no_dynamics, keep_posts=args.keep_posts == "true")
    rss_start = _current_rss_gib()
    try:
        import numba

        threads = numba.get_num_threads()
    except ImportError:  # pragma: no cover
        threads = 1
    plan = plan_memory(args.users, mean_follows=args.mean_follows, config=config, days=args.days, threads=threads)
    try:
        check_memory(plan, limit)
    except InsufficientMemoryError as exc:
        print(f"scale.py: {exc}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    graph = feedsim.networks.default_community(
        args.users, mean_follows=args.mean_follows, seed=stream_seed(args.seed, "network"), as_arrays=True,
        memory_limit=None,  # checked above, with the run
    )
    t_graph = time.perf_counter() - t0
    rss_graph = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    rss_before = _current_rss_gib()
    t0 = time.perf_counter()
    sim = feedsim.Simulation(graph, ranker=args.ranker, seed=args.seed, dynamics=not args.no_dynamics,
                             memory_limit=limit, keep_posts=args.keep_posts == "true")
    estimate = sim.estimate_memory(days=args.days).total
    t_setup = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = sim.run(days=args.days)
    wall = time.perf_counter() - t0
    st = result.stats
    out = {
        "users": args.users,
        "edges": graph.n_edges,
        "mean_follows": args.mean_follows,
        "days": args.days,
        "ranker": args.ranker,
        "dynamics": not args.no_dynamics,
        "graph_seconds": round(t_graph, 2),
        "setup_seconds": round(t_setup, 2),
        "run_seconds": round(wall, 2),
        "sessions": st["sessions"],
        "candidates": st["candidates"],
        "impressions": st["impressions"],
        "posts": len(result.posts),
        "sessions_per_second": round(st["sessions"] / wall),
        "candidates_per_second": round(st["candidates"] / wall),
        "peak_rss_gib_after_graph": round(rss_graph, 3),
        "rss_gib_before_simulation": round(rss_before, 3),
        "peak_rss_gib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 3),
        "estimated_peak_gib": round(estimate / 2**30, 3),
        "rss_gib_at_start": round(rss_start, 3),
        "planned_peak_gib": round(rss_start + plan.total / 2**30, 3),
        "planned_parts_mib": {k: round(v / 2**20) for k, v in plan.parts.items()},
        "phase_seconds": {k: round(v, 2) for k, v in st["phase_seconds"].items()},
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "numpy": np.__version__, "feedsim": feedsim.__version__},
    }
    print(f"{args.users:,} users, {graph.n_edges:,} edges, {args.days:g} days, {args.ranker}: "
          f"graph {t_graph:.1f} s, set-up {t_setup:.1f} s, run {wall:.1f} s, peak {out['peak_rss_gib']:.2f} GiB "
          f"(estimated before the graph was built: {out['planned_peak_gib']:.2f} GiB)",
          file=sys.stderr)
    for phase, sec in out["phase_seconds"].items():
        print(f"  {phase:<12}{sec:8.1f} s  {100 * sec / max(wall, 1e-9):5.1f}%", file=sys.stderr)
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
