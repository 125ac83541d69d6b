"""The default community calibrated to Pew Research Center's "Sizing Up Twitter Users" (2019) by ABC-SMC.

Fits the posting-related account attributes (regulars' median ``post_rate`` and its log-normal sigma,
quiet members' median) to Pew's posting distribution (``experiments/calibrate_pew.toml``: the top 10 %
write 80 % of the posts, their median posts 138 a month, the median and the other 90 %'s median 2 a
month) and compares the posterior with today's hand-set defaults. Writes ``posterior.csv``,
``targets.csv``, ``particles.csv``, ``calibration.png`` and ``summary.json`` to ``--out``; the pyabc
database (``--db``, default ``OUT/pew.db``) makes it resumable: run the same command again after a kill.

    NUMBA_NUM_THREADS=1 nice -n 10 python experiments/calibrate_pew.py          # about 20-30 min of one core
    python experiments/calibrate_pew.py --quick                                 # a smoke run (seconds)
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import feedsim  # noqa: E402
from feedsim.calibrate import Budget, CalibrationStudy, calibrate  # noqa: E402

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tiny community and budget (smoke test)")
    parser.add_argument("--out", type=Path, default=HERE / "out" / "calibrate_pew")
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--max-generations", type=int, default=None,
                        help="stop at this many generations (a study cut short: finish it with what is stored)")
    args = parser.parse_args()
    study = CalibrationStudy.from_toml(HERE / "calibrate_pew.toml")
    if args.max_generations is not None:
        study = dataclasses.replace(study, budget=dataclasses.replace(study.budget,
                                                                      max_generations=args.max_generations))
    if args.quick:
        study = dataclasses.replace(study, community={"n_users": 200}, days=10.0,
                                    budget=Budget(population_size=10, max_generations=2, predictive=5))
    args.out.mkdir(parents=True, exist_ok=True)
    db = args.db or args.out / ("pew_quick.db" if args.quick else "pew.db")
    started = time.process_time()
    fit = calibrate(study, db, workers=args.workers)
    cpu = time.process_time() - started
    fit.posterior.to_csv(args.out / "posterior.csv", index=False)
    fit.targets.to_csv(args.out / "targets.csv", index=False)
    fit.particles.to_csv(args.out / "particles.csv", index=False)
    fig = fit.plot()
    fig.savefig(args.out / "calibration.png", dpi=110)
    summary = {
        "feedsim": feedsim.__version__, "study": study.to_dict(), "db": str(db), "wall_seconds": fit.seconds,
        "cpu_seconds_this_process": cpu, "simulations": int(fit.generations.simulations.sum()),
        "generations": fit.generations.to_dict(orient="records"),
        "posterior": fit.posterior.to_dict(orient="records"), "targets": fit.targets.to_dict(orient="records"),
        "matched": fit.matched, "unmatched": fit.unmatched,
    }
    (args.out / "summary.json").write_text(json.dumps(summary, indent=1, default=str))
    print(fit)
    print(f"{summary['simulations']} simulations in {fit.seconds:.0f} s wall, {cpu:.0f} s CPU; written to {args.out}")


if __name__ == "__main__":
    main()
