"""Nanoseconds per candidate of the fused feed step, timed in-process on one tick's inputs.

    python benchmarks/feed_kernel.py                                   # matched workload, 100k
    python benchmarks/feed_kernel.py --workload community --ranker fair_exposure
    NUMBA_NUM_THREADS=1 taskset -c 1 python benchmarks/feed_kernel.py  # one thread, pinned

``matched`` is the workload of ``benchmarks/peers.py`` (20 random follows, posts
12/day, sessions 24/day, attention 10, a 5-hour window, exclude_seen off, dynamics
off); ``community`` is ``feedsim.networks.default_community`` with the defaults,
every loop on and ``out_of_network_share`` 0.2 (seen masks, the seen hash set,
reshares and the trending pool all in play). The run is warmed up for
``--warmup`` ticks; the next tick's call of ``feed.fused_feeds`` (item tables,
the kernel, closing the gaps) is then repeated ``--repeat`` times on the same
inputs, and so is the kernel (``kernels.fused.fused_feeds``) alone within it.
Prints one JSON object (stdout): median and minimum ns per candidate of both,
the candidates and viewers of the tick. A benchmark: no assertions.

With one thread, pin the process to one core (``taskset``): on a two-core machine
the kernel's worker thread and the waiting main thread otherwise end up on
different cores half of the time, and the timings split in two groups.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


class _Done(Exception):
    pass


def _simulation(workload: str, users: int, ranker: str, seed: int):
    import numpy as np

    import feedsim

    if workload == "matched":
        from peers_models import FOLLOWS, follow_lists

        from feedsim.network.graph import FollowGraph

        graph = FollowGraph.from_edges(
            np.repeat(np.arange(users), FOLLOWS), follow_lists(users, seed).ravel(), users,
            attrs=dict(post_rate=np.full(users, 12.0), session_rate=np.full(users, 24.0),
                       attention=np.full(users, 10)),
        )
        return feedsim.Simulation(graph, ranker=ranker, seed=seed, dynamics=False, max_age_hours=5,
                                  exclude_seen=False)
    graph = feedsim.networks.default_community(users, seed=seed)
    return feedsim.Simulation(graph, ranker=ranker, seed=seed, out_of_network_share=0.2)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workload", choices=("matched", "community"), default="matched")
    ap.add_argument("--users", type=int, default=100_000)
    ap.add_argument("--ranker", default="engagement")
    ap.add_argument("--warmup", type=int, default=None, help="ticks before the timed one (matched 12, community 60)")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    import numba
    import numpy as np

    import feedsim
    from feedsim.engine import feed as fd
    from feedsim.engine import tick as platform_module  # the tick calls feed.fused_feeds by this name
    from feedsim.engine.kernels import fused as kf

    sim = _simulation(args.workload, args.users, args.ranker, args.seed)
    warmup = args.warmup if args.warmup is not None else (12 if args.workload == "matched" else 60)
    tick_days = sim.config.tick_hours / 24
    t0 = time.perf_counter()
    sim.run(days=warmup * tick_days)
    warm_seconds = time.perf_counter() - t0

    kernel_seconds: list[float] = []
    kernel = kf.fused_feeds

    def timed_kernel(*a):
        c = time.perf_counter()
        out = kernel(*a)
        kernel_seconds.append(time.perf_counter() - c)
        return out

    out: dict = {}

    def one_tick(p, viewers, attention, sessions, now, form):
        if form is None:
            raise SystemExit(f"ranker {args.ranker!r} has no compiled form")
        fd.fused_feeds(p, viewers, attention, sessions, now, form)  # compiles or loads the kernels
        kf.fused_feeds = timed_kernel
        calls = []
        try:
            for _ in range(args.repeat):
                c = time.perf_counter()
                _, n_cand = fd.fused_feeds(p, viewers, attention, sessions, now, form)
                calls.append(time.perf_counter() - c)
        finally:
            kf.fused_feeds = kernel
        cand = int(n_cand.sum())
        ns = np.array(calls) / cand * 1e9
        kns = np.array(kernel_seconds) / cand * 1e9
        out.update(candidates=cand, viewers=len(viewers),
                   ns_per_candidate={"median": round(float(np.median(ns)), 1), "min": round(float(ns.min()), 1)},
                   kernel_ns_per_candidate={"median": round(float(np.median(kns)), 1),
                                            "min": round(float(kns.min()), 1)})
        raise _Done

    real = platform_module.fused_feeds
    platform_module.fused_feeds = one_tick
    try:
        sim.run(days=tick_days)
    except _Done:
        pass
    finally:
        platform_module.fused_feeds = real
    result = {"workload": args.workload, "users": args.users, "ranker": args.ranker, "warmup_ticks": warmup,
              "warmup_seconds": round(warm_seconds, 1), "threads": numba.get_num_threads(),
              "repeat": args.repeat, **out,
              "versions": {"feedsim": feedsim.__version__, "numpy": np.__version__, "numba": numba.__version__},
              "load_average": os.getloadavg()}
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
