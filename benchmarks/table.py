"""The performance page's table, written from benchmark output (not a benchmark itself).

Reads the ``benchmarks/results/*.json`` that ``speed.py`` prints (``{"machine": ..., "runs": [...]}``) or
that ``scale.py`` prints (one run, with ``run_seconds``); other benchmarks' output in that folder (for
example ``tick_length.py``'s) is left out. Prints one Markdown table, a row per run, with the machine
each file was measured on. The docs build (``docs/conf.py``) calls :func:`markdown` for
``docs/guide/performance.md``; to refresh the figures, rerun the benchmark into that folder:

    python benchmarks/speed.py > benchmarks/results/speed.json
    python benchmarks/table.py                  # the table, as the page will show it
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def _runs(record: dict) -> list[dict]:
    return record["runs"] if "runs" in record else [record]


def _machine(record: dict, name: str) -> str:
    m = record.get("machine") or _runs(record)[0].get("machine", {})
    parts = [f"`{name}`"]
    if m.get("date"):
        parts.append(m["date"])
    if m.get("feedsim"):
        parts.append(f"feedsim {m['feedsim']}")
    if m.get("processor") or m.get("cpus"):
        parts.append(", ".join(str(x) for x in (m.get("processor"), m.get("cpus") and f"{m['cpus']} cores") if x))
    parts.append(f"Python {m.get('python', '?')}, NumPy {m.get('numpy', '?')}")
    if m.get("load_average") is not None:
        parts.append(f"load average {m['load_average']:.1f} at the start (other work on the machine slows the runs)")
    return "; ".join(parts)


def markdown(results: Path = RESULTS) -> str:
    """The table (Markdown) of every run in ``results/*.json``, and the machine of each file.

    Examples
    --------
    >>> markdown(Path("no-such-folder")).split(":")[0]
    'No benchmark output yet'
    """
    records = [(path, json.loads(path.read_text())) for path in sorted(results.glob("*.json"))]
    records = [(path, r) for path, r in records
               if isinstance(r, dict) and (isinstance(r.get("runs"), list) or "run_seconds" in r)]
    if not records:
        return "No benchmark output yet: run `python benchmarks/speed.py > benchmarks/results/speed.json`.\n"
    rows = ["| file | accounts | follow edges | days | ranker | run (s) | sessions/s | candidates/s | peak memory "
            "(GiB) | feeds' share of the run |",
            "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|"]
    machines = []
    for path, record in records:
        machines.append(f"- {_machine(record, path.name)}")
        for run in _runs(record):
            phases = run.get("phase_seconds", {})
            feeds = sum(phases.get(p, 0.0) for p in ("candidates", "ranking", "feeds"))
            share = f"{100 * feeds / run['run_seconds']:.0f}%" if run.get("run_seconds") else ""
            rows.append(f"| `{path.name}` | {run['users']:,} | {run.get('edges', 0):,} | {run['days']:g} | "
                        f"{run['ranker']} | {run['run_seconds']:.1f} | {run['sessions_per_second']:,} | "
                        f"{run['candidates_per_second']:,} | {run['peak_rss_gib']:.2f} | {share} |")
    return "\n".join(rows) + "\n\nMeasured on:\n\n" + "\n".join(machines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(markdown())
