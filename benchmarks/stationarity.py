"""Does the default world hold still for a year? (issue 31, part 1)

    python benchmarks/stationarity.py [--users 3000] [--days 365] [--seeds 1 2]
        [--rankers chronological engagement] [--early 31 60] [--late 336 365] [--json out.json]

The default community (``default_community(users, seed=seed)``), default
parameters, ``keep_posts=False``, each ranker and seed. At every midnight a user
process records the state behind the daily series: live reshares, follow edges,
keys in the seen hash set, the top posting rates (the mean of the ten highest
``post_rate * rate_multiplier`` among active accounts), mutual edges and mean
affinity; the reshares made each day are counted too. Prints, per series, the
change of the window mean of days ``--late`` against days ``--early`` (1-based,
inclusive), per run and the largest over the runs (stderr: a Markdown table),
and a JSON object (stdout or ``--json``) with every run's daily values. A
benchmark, not a test: no assertions.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np

SERIES = ("posts", "creators_posting", "creators_active", "sessions", "impressions", "engagements",
          "new_follows", "mean_followers")
STATE = ("reshares", "live_reshares", "follow_edges", "seen_keys", "top_post_rates", "mutual_share",
         "mean_affinity", "mean_rate_multiplier")


def one_run(users: int, days: int, seed: int, ranker: str, **params) -> dict:
    """One run; return every daily series and the state recorded at each midnight."""
    import feedsim

    graph = feedsim.networks.default_community(users, seed=seed)
    sim = feedsim.Simulation(graph, ranker=ranker, seed=seed, keep_posts=False, **params)
    p = sim.platform
    state: dict[str, list] = {k: [] for k in STATE}
    made = [0]
    reshare = p.live.reshare

    def counting(rows, *args, **kw):
        made[0] += len(rows)
        return reshare(rows, *args, **kw)

    p.live.reshare = counting

    def midnight(s):
        while True:
            yield s.env.timeout(24.0)
            acc = p.accounts
            state["reshares"].append(made[0])
            made[0] = 0
            state["live_reshares"].append(len(p.live.reshares))
            state["follow_edges"].append(p.edges.n_edges)
            state["seen_keys"].append(len(p.seen))
            rate = acc.pop.post_rate * acc.rate_multiplier * (acc.active & acc.present)
            state["top_post_rates"].append(float(np.sort(rate)[-10:].mean()))
            state["mutual_share"].append(float(p.edges.mutual.mean()) if p.edges.n_edges else 0.0)
            state["mean_affinity"].append(float(p.edges.affinity.mean()) if p.edges.n_edges else 0.0)
            here = acc.present & acc.active & acc.creator
            state["mean_rate_multiplier"].append(float(acc.rate_multiplier[here].mean()) if here.any() else 1.0)

    sim.process(midnight)
    t0 = time.perf_counter()
    res = sim.run(days=days)
    wall = time.perf_counter() - t0
    daily = {k: np.asarray(res.daily[k], dtype=float).tolist() for k in SERIES}
    return {"users": users, "days": days, "seed": seed, "ranker": ranker, "params": params,
            "seconds": round(wall, 1), "daily": daily, "state": state}


def change(x, early, late) -> float:
    """Mean of days ``late`` over the mean of days ``early`` minus 1 (1-based, inclusive windows)."""
    x = np.asarray(x, dtype=float)
    e = x[early[0] - 1:early[1]].mean()
    return float(x[late[0] - 1:late[1]].mean() / e - 1.0) if e else float("nan")


def table(runs: list[dict], early, late) -> str:
    """A Markdown table: one row per series, one column per ranker (both seeds), and the largest change."""
    rankers = sorted({r["ranker"] for r in runs}, key=lambda k: (k != "chronological", k))
    head = "| series | " + " | ".join(rankers) + " | largest |"
    rows = [head, "|---|" + "---:|" * (len(rankers) + 1)]
    for key in (*SERIES, *STATE):
        cells, worst = [], 0.0
        for rk in rankers:
            ch = []
            for r in runs:
                if r["ranker"] == rk:
                    x = r["daily"][key] if key in r["daily"] else r["state"][key]
                    ch.append(change(x, early, late))
            worst = max([worst, *(abs(c) for c in ch)])
            cells.append(" / ".join(f"{c:+.1%}" for c in ch))
        rows.append(f"| {key} | " + " | ".join(cells) + f" | {worst:.1%} |")
    return "\n".join(rows)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=3000)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--rankers", nargs="+", default=["chronological", "engagement"])
    ap.add_argument("--early", type=int, nargs=2, default=[31, 60])
    ap.add_argument("--late", type=int, nargs=2, default=[336, 365])
    ap.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                    help="a simulation parameter (repeatable), e.g. unfollow_rate=0")
    ap.add_argument("--json", help="write the JSON here instead of stdout")
    args = ap.parse_args()
    params = {}
    for item in args.param:
        k, v = item.split("=", 1)
        params[k] = json.loads(v) if v not in ("inf", "nan") else float(v)
    runs = []
    for seed in args.seeds:  # every ranker on a seed before the next seed
        for ranker in args.rankers:
            r = one_run(args.users, args.days, seed, ranker, **params)
            runs.append(r)
            print(f"{ranker} seed {seed}: {r['seconds']} s", file=sys.stderr, flush=True)
            if args.json:  # what is done so far survives an interrupted benchmark
                with open(args.json, "w") as f:
                    json.dump({"early": args.early, "late": args.late, "runs": runs}, f)
    print(f"change of the daily mean, days {args.late[0]}-{args.late[1]} against days "
          f"{args.early[0]}-{args.early[1]} ({args.users:,} accounts, seeds {args.seeds}):", file=sys.stderr)
    print(table(runs, args.early, args.late), file=sys.stderr)
    out = json.dumps({"early": args.early, "late": args.late, "runs": runs})
    if args.json:
        with open(args.json, "w") as f:
            f.write(out)
    else:
        print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
