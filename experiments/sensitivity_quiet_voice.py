"""Which assumptions matter for the quiet-voice effect: Sobol indices over ten model assumptions.

Runs the study ``experiments/sensitivity_quiet_voice.toml`` (or ``--spec``) through a sweep
store (``--db``; rerunning resumes, finished runs are not run again), then writes the indices
table (CSV and a Markdown table), the figure ``sensitivity_quiet_voice.png`` and
``summary.json`` (budget, CPU and wall time, seed noise) to ``--out``. The page
``docs/guide/sensitivity.md`` reports one such run.

Usage::

    nice -n 10 python experiments/sensitivity_quiet_voice.py --db /tmp/quiet_voice.sqlite --workers 2
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from feedsim.sensitivity import SensitivitySpec, plot_indices, run_sensitivity  # noqa: E402
from feedsim.sensitivity.study import _outputs  # noqa: E402  (the per-point outputs, for the sign's robustness)

HERE = os.path.dirname(os.path.abspath(__file__))
SPEC = os.path.join(HERE, "sensitivity_quiet_voice.toml")


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def markdown(table) -> str:
    """The indices as a Markdown table, one row per factor (S1 and ST with their intervals)."""
    lines = ["| assumption | S1 | 95% interval | ST | 95% interval |", "| --- | --- | --- | --- | --- |"]
    for name in dict.fromkeys(table["parameter"]):
        rows = table[table["parameter"] == name].set_index("index")
        if name == "seed noise":
            r = rows.loc["ST"]
            lines.append(f"| *seed noise (floor of ST)* | | | {r.estimate:.3f} | [{r.low:.3f}, {r.high:.3f}] |")
            continue
        s1, st = rows.loc["S1"], rows.loc["ST"]
        lines.append(f"| `{name}` | {s1.estimate:.3f} | [{s1.low:.3f}, {s1.high:.3f}] | {st.estimate:.3f} | "
                     f"[{st.low:.3f}, {st.high:.3f}] |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", default=SPEC, help="the study (default experiments/sensitivity_quiet_voice.toml)")
    parser.add_argument("--db", required=True, help="sweep store (keep it outside the repository)")
    parser.add_argument("--out", default=os.path.join(HERE, "out", "sensitivity_quiet_voice"), help="output folder")
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: CPU count)")
    parser.add_argument("--n", type=int, default=None, help="base samples (overrides the spec's n; a power of 2)")
    parser.add_argument("--extend", action="store_true", help="reuse a store of the same study with another n")
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    spec = SensitivitySpec.from_toml(args.spec)
    if args.n is not None:
        spec = SensitivitySpec.from_dict({**spec.to_dict(), "n": args.n}, root=spec.root)
    wall, cpu = time.perf_counter(), _cpu_seconds()
    table = run_sensitivity(spec, args.db, workers=args.workers, extend=args.extend, progress=True)
    wall, cpu = time.perf_counter() - wall, _cpu_seconds() - cpu
    report = table.attrs["sweep"]
    table.to_csv(os.path.join(args.out, "indices.csv"), index=False)
    fig, ax = plt.subplots(figsize=(7.0, 1.2 + 0.45 * table["parameter"].nunique()))
    plot_indices(table, ax=ax, title="Quiet members' follower reach, engagement minus chronological")
    fig.savefig(os.path.join(args.out, "sensitivity_quiet_voice.png"), dpi=150, bbox_inches="tight")
    _, y, _ = _outputs(spec, args.db, spec.sweep())
    means = y.mean(axis=1)
    md = markdown(table)
    with open(os.path.join(args.out, "indices.md"), "w") as fh:
        fh.write(md + "\n")
    summary = {"experiment": "sensitivity_quiet_voice", "spec": spec.problem, "n": spec.n, "days": spec.days,
               "n_users": spec.graph.get("n_users"), "replicates": spec.replicates, "points": spec.n_points,
               "runs": report.planned, "runs_now": report.done, "runs_stored_before": report.skipped,
               "wall_seconds": round(wall, 1), "cpu_seconds": round(cpu, 1),
               "cpu_seconds_per_run": round(cpu / max(report.done, 1), 3),
               **{k: v for k, v in table.attrs.items() if k != "sweep"},
               "output_sd": float(means.std(ddof=1)), "output_min": float(means.min()),
               "output_max": float(means.max()), "share_points_negative": float((means < 0).mean()),
               "indices": table.to_dict(orient="records")}
    with open(os.path.join(args.out, "summary.json"), "w") as fh:
        json.dump(summary, fh, indent=1, default=float)
    print(report)
    print(md)
    print(f"mean difference {table.attrs['mean']:.4f} (sd {means.std(ddof=1):.4f}, {100 * (means < 0).mean():.0f}% of "
          f"points below 0); seed noise {table.attrs['noise_share']:.3f} of the variance; "
          f"{report.done} runs in {wall:.0f} s wall, {cpu:.0f} s CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
