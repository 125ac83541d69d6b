"""Parameter recovery of like_rate and reshare_rate by ABC-SMC: coverage of the 95% interval and time.

The slow-tier test (tests/validation/test_calibrate_recovery.py) at its size by default; ``--bigger``
runs a larger version once (300 accounts, 7 days, 100 particles, 6 generations). Prints one JSON object
(per repetition: covered or not, interval, simulations, CPU and wall seconds; the totals), a table on
stderr.

    NUMBA_NUM_THREADS=1 python benchmarks/calibrate_recovery.py [--reps 10] [--bigger] > recovery.json
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "validation"))
from test_calibrate_recovery import TRUTH, covered, recovery_study  # noqa: E402

from feedsim.calibrate import calibrate  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--bigger", action="store_true")
    args = parser.parse_args()
    size = dict(n_users=300, days=7.0, population=100, generations=6) if args.bigger else {}
    rows = []
    with tempfile.TemporaryDirectory() as d:
        for rep in range(args.reps):
            cpu, wall = time.process_time(), time.perf_counter()
            fit = calibrate(recovery_study(rep, **size), Path(d) / f"rec{rep}.db")
            post = fit.posterior.set_index("parameter")
            row = {"rep": rep, "covered": covered(fit), "simulations": int(fit.generations.simulations.sum()),
                   "cpu_seconds": time.process_time() - cpu, "wall_seconds": time.perf_counter() - wall,
                   "interval": {k: [float(post.loc[k, "low"]), float(post.loc[k, "high"])] for k in TRUTH},
                   "matched": fit.matched}
            rows.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
    out = {"size": size or "test", "truth": TRUTH, "reps": rows,
           "coverage": {k: sum(r["covered"][k] for r in rows) for k in TRUTH},
           "cpu_seconds": sum(r["cpu_seconds"] for r in rows), "wall_seconds": sum(r["wall_seconds"] for r in rows)}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
