"""Tick length: engagements per impression and role shares at 0.5 h, 1 h and 3 h ticks (issue 31 part 2).

For each tick length, dynamics off and on, and each seed, runs the default
community and reports

* engagements per impression: mean and SE over seeds x days (days 1.. of the
  run; day 0 starts from empty feeds),
* each role's share of impressions (per day, from ``impressions_by_role``),
* each role's share of the posts seen at least once (whole run, per seed),

and each figure's difference from the 1 h ticks, in % and in SE.

Usage::

    nice -n 10 python benchmarks/tick_length.py [--n 3000] [--days 7] [--seeds 1 2] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

import feedsim
from feedsim.params import ROLES

TICKS = (0.5, 1.0, 3.0)


def measure(G, tick_hours: float, dynamics: bool, seed: int, days: int) -> dict:
    """One run's per-day engagement/impression and impression shares, and its seen-post shares."""
    res = feedsim.Simulation(G, seed=seed, tick_hours=tick_hours, dynamics=dynamics).run(days=days)
    d = res.daily
    imp = np.asarray(d["impressions"], float)[1:]
    eng = np.asarray(d["engagements"], float)[1:]
    by_role = np.asarray(d["impressions_by_role"], float)[1:]
    seen = np.asarray(res.role_table()["seen_posts"], float)
    return {"epi": (eng / imp).tolist(), "imp_share": (by_role / by_role.sum(1, keepdims=True)).tolist(),
            "seen_share": (seen / seen.sum()).tolist()}


def stats(x: np.ndarray) -> tuple[float, float]:
    """Mean and SE of the mean over the first axis."""
    x = np.asarray(x, float)
    return float(x.mean(0)), float(x.std(0, ddof=1) / np.sqrt(len(x)))


def summarise(runs: dict) -> list[dict]:
    rows = []
    for dyn in (False, True):
        for tick in TICKS:
            rs = [runs[(tick, dyn, s)] for s in sorted({k[2] for k in runs})]
            row = {"dynamics": dyn, "tick_hours": tick}
            row["epi"] = stats(np.concatenate([r["epi"] for r in rs]))
            imp = np.concatenate([r["imp_share"] for r in rs])
            seen = np.array([r["seen_share"] for r in rs])
            for k, name in enumerate(ROLES):
                if name == "lurker":
                    continue
                row[f"imp_{name}"] = stats(imp[:, k])
                row[f"seen_{name}"] = stats(seen[:, k])
            rows.append(row)
    # differences from 1 h ticks, in % and in SE of the difference
    for row in rows:
        ref = next(r for r in rows if r["dynamics"] == row["dynamics"] and r["tick_hours"] == 1.0)
        row["diff"] = {}
        for key, val in list(row.items()):
            if key in ("dynamics", "tick_hours", "diff"):
                continue
            m, se = val
            m0, se0 = ref[key]
            z = (m - m0) / np.hypot(se, se0) if (se or se0) else 0.0
            row["diff"][key] = (100 * (m / m0 - 1), float(z))
    return rows


def table(rows: list[dict]) -> str:
    keys = [k for k in rows[0] if k not in ("dynamics", "tick_hours", "diff")]
    out = ["| dynamics | tick h | " + " | ".join(keys) + " |", "|---" * (len(keys) + 2) + "|"]
    for r in rows:
        cells = [f"{r[k][0]:.5f} ({r['diff'][k][0]:+.1f}%, {r['diff'][k][1]:+.1f} SE)" for k in keys]
        out.append(f"| {'on' if r['dynamics'] else 'off'} | {r['tick_hours']} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    runs = {}
    for seed in a.seeds:
        G = feedsim.networks.default_community(a.n, seed=seed)
        for dyn in (False, True):
            for tick in TICKS:
                t = time.perf_counter()
                runs[(tick, dyn, seed)] = measure(G, tick, dyn, seed, a.days)
                print(f"seed {seed} dynamics {dyn} tick {tick}: {time.perf_counter() - t:.0f} s", flush=True)
    rows = summarise(runs)
    print(table(rows))
    if a.out:
        with open(a.out, "w") as f:
            json.dump({"args": vars(a), "rows": rows,
                       "runs": {f"{k[0]}/{k[1]}/{k[2]}": v for k, v in runs.items()}}, f, indent=1)


if __name__ == "__main__":
    main()
