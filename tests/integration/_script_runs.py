"""Running the repository's experiment scripts in --quick mode, and checking their interval records.

Shared by the story-experiment, mechanisms and field-result tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def run_quick(scripts: dict[str, Path], base: Path, timeout: float = 600) -> dict[str, tuple]:
    """Run each script with ``--quick --out base/NAME`` at once.

    Returns ``{name: (returncode, stdout, stderr, out dir)}``. Matplotlib draws off
    screen and warnings are errors in the scripts too; every figure saved is checked
    against the figure rules (see :func:`check_figures`).
    """
    env = {**os.environ, **SCRIPT_ENV}
    procs = {}
    for name, path in scripts.items():
        out = base / name
        procs[name] = (subprocess.Popen([sys.executable, str(path), "--quick", "--out", str(out)],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                                        cwd=str(base)), out)
    done = {}
    for name, (proc, out) in procs.items():
        stdout, stderr = proc.communicate(timeout=timeout)
        done[name] = (proc.returncode, stdout, stderr, out)
    return done


#: Environment of a quick run: off-screen drawing, warnings as errors, figures checked as saved.
SCRIPT_ENV = {"MPLBACKEND": "Agg", "PYTHONWARNINGS": "error", "FEEDSIM_CHECK_FIGURES": "1"}


def check_figures(out: Path, figures: list[str]) -> None:
    """Every figure a quick run saved follows the figure rules (``tests/figure_rules.py``).

    The run recorded, per figure, what breaks the rules (palette colours of roles and
    rankers, words on axes, intervals inside their quantity's bounds, bars from zero,
    legends clear of the data) in ``figure_problems.json``.
    """
    found = json.loads((out / "figure_problems.json").read_text())
    assert sorted(found) == sorted(figures)
    bad = {name: p for name, p in found.items() if p}
    assert not bad, "figures breaking the figure rules:\n" + json.dumps(bad, indent=1)


def check_stat(s: dict, low=None, high=None, *, n: int) -> None:
    """A ``{"mean", "lo", "hi", "values"}`` record over ``n`` replicates, its values within bounds."""
    assert set(s) == {"mean", "lo", "hi", "values"}
    assert len(s["values"]) == n
    assert s["lo"] <= s["mean"] <= s["hi"]
    if low is not None:
        assert min(s["values"]) >= low
    if high is not None:
        assert max(s["values"]) <= high
