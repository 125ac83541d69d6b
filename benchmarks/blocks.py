"""Per-block figures for splitting one run across machines (docs/design.md, "beyond one machine").

    python benchmarks/blocks.py --users 100000 --days 2 --blocks 8

Runs the default community (every feedback loop on, engagement ranking), then, at the
state of the last tick, times the feed kernel on each of ``--blocks`` equal blocks of
viewers (contiguous account ids, one thread) and counts what a block would have to
receive from the others each tick if the accounts were split that way: the new posts
and reshares of authors outside the block that its viewers follow, and the per-post
engagement-count changes. Per account and day it also reports posts, reshares,
sessions, candidates, impressions and engagements, from which the traffic at other
sizes is scaled. Prints one JSON object (stdout). A benchmark: no assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

# bytes per exchanged record: post id, author, time, appeal, tracked number (8 each) and flags (1);
# a reshare: post, resharer, time (8 each); an engagement-count change: post id (8) and count (4)
POST_BYTES, RESHARE_BYTES, COUNT_BYTES = 41, 24, 12


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=100_000)
    ap.add_argument("--days", type=float, default=2)
    ap.add_argument("--blocks", type=int, default=8)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    import numpy as np

    import feedsim
    from feedsim.engine import feed as fd

    graph = feedsim.networks.default_community(args.users, mean_follows=20, seed=args.seed, as_arrays=True)
    sim = feedsim.Simulation(graph, ranker="engagement", seed=args.seed)
    t0 = time.perf_counter()
    result = sim.run(days=args.days)
    run_seconds = time.perf_counter() - t0
    p = sim.platform
    n = p.n_users
    st = result.stats
    days = args.days
    per_day = {
        "posts": p.posts.n / days / n,
        "reshares": float(result.posts.reshares.sum()) / days / n,
        "sessions": st["sessions"] / days / n,
        "candidates": st["candidates"] / days / n,
        "impressions": st["impressions"] / days / n,
        "engagements": float(result.posts.engagements.sum()) / days / n,
    }

    form = fd.fused_form(p)
    bounds = np.linspace(0, n, args.blocks + 1).astype(np.int64)
    g = p.edges
    indptr, indices = g.indptr, g.indices
    posts_per_tick = per_day["posts"] * n * p.cfg.tick_hours / 24
    reshares_per_tick = per_day["reshares"] * n * p.cfg.tick_hours / 24
    author = p.posts["author"]
    blocks = []
    for b in range(args.blocks):
        lo, hi = int(bounds[b]), int(bounds[b + 1])
        viewers = np.arange(lo, hi, dtype=np.int64)
        sessions = np.ones(len(viewers), dtype=np.int64)
        attention = p.pop.attention[viewers].astype(np.int64)
        fd.fused_feeds(p, viewers[:10], attention[:10], sessions[:10], p.hours, form)  # warm
        c0 = time.perf_counter()
        _, n_cand = fd.fused_feeds(p, viewers, attention, sessions, p.hours, form)
        secs = time.perf_counter() - c0
        # authors outside the block followed by the block's viewers
        followed = np.unique(indices[indptr[lo]:indptr[hi]])
        outside = followed[(followed < lo) | (followed >= hi)]
        posting = np.bincount(author, minlength=n) > 0
        share_outside = float(posting[outside].sum() / max(posting.sum(), 1))
        blocks.append({
            "viewers": hi - lo,
            "seconds_one_session_each": round(secs, 4),
            "candidates": int(n_cand.sum()),
            "ns_per_candidate": round(secs / max(int(n_cand.sum()), 1) * 1e9, 1),
            "share_of_posting_authors_followed_from_outside": round(share_outside, 3),
            "receive_bytes_per_tick": int(share_outside * (posts_per_tick * POST_BYTES
                                                           + reshares_per_tick * RESHARE_BYTES)
                                          + per_day["engagements"] * n * p.cfg.tick_hours / 24 * COUNT_BYTES),
        })
    out = {
        "users": n, "edges": int(g.n_edges), "days": days, "run_seconds": round(run_seconds, 2),
        "threads": int(os.environ["NUMBA_NUM_THREADS"]), "per_account_day": per_day, "blocks": blocks,
        "versions": {"feedsim": feedsim.__version__, "numpy": np.__version__},
    }
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
