"""Cost against size: run ``scale.py`` at several sizes and fit the exponents.

    python benchmarks/scaling.py --users 10000 100000 1000000 --days 7

Each size runs in a fresh process (``benchmarks/scale.py``: default community, mean
20 follows, engagement ranking, every feedback loop on). Prints one JSON object
(stdout) and a table (stderr) with, per size, run seconds per simulated day,
edges, sessions per day and candidates scored, and the least-squares slopes on a
log-log scale of run time against users, against edges x sessions per day (the
issue's bound: the time exponent should not exceed that one) and against
candidates scored (the engine's actual work; 1.0 means linear in the work).
A benchmark, not a test: no assertions.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
from pathlib import Path


def slope(x: list[float], y: list[float]) -> float:
    """Least-squares slope of log(y) on log(x)."""
    lx, ly = [math.log(v) for v in x], [math.log(v) for v in y]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sum((a - mx) ** 2 for a in lx)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--days", type=float, default=7)
    ap.add_argument("--ranker", default="engagement")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    scale = Path(__file__).with_name("scale.py")
    runs = []
    for n in args.users:
        cmd = [sys.executable, str(scale), "--users", str(n), "--days", str(args.days), "--ranker", args.ranker,
               "--seed", str(args.seed)]
        done = subprocess.run(cmd, check=True, capture_output=True, text=True)
        sys.stderr.write(done.stderr)
        r = json.loads(done.stdout)
        r["seconds_per_day"] = r["run_seconds"] / args.days
        r["edges_x_sessions_per_day"] = r["edges"] * r["sessions"] / args.days
        runs.append(r)
    fit = {}
    if len(runs) >= 2:
        t = [r["seconds_per_day"] for r in runs]
        fit = {
            "time_vs_users": round(slope([r["users"] for r in runs], t), 3),
            "edges_x_sessions_vs_users": round(slope([r["users"] for r in runs],
                                                     [r["edges_x_sessions_per_day"] for r in runs]), 3),
            "time_vs_edges_x_sessions": round(slope([r["edges_x_sessions_per_day"] for r in runs], t), 3),
            "time_vs_candidates": round(slope([r["candidates"] for r in runs], t), 3),
        }
    print(f"\n{'users':>10} {'edges':>12} {'s/day':>8} {'sessions/day':>13} {'candidates':>14} {'cand/s':>9} "
          f"{'peak GiB':>9}", file=sys.stderr)
    for r in runs:
        print(f"{r['users']:>10,} {r['edges']:>12,} {r['seconds_per_day']:>8.2f} {r['sessions'] / args.days:>13,.0f} "
              f"{r['candidates']:>14,} {r['candidates_per_second'] / 1e6:>8.2f}M {r['peak_rss_gib']:>9.2f}",
              file=sys.stderr)
    for k, v in fit.items():
        print(f"  log-log slope {k}: {v}", file=sys.stderr)
    print(json.dumps({"days": args.days, "ranker": args.ranker, "runs": runs, "fit": fit}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
