"""The documentation site builds with warnings as errors, with an API page for every public name.

Runs the documented command (``python -m sphinx -W -b html docs <out>``) into a temporary directory.
Skipped with a reason when the ``docs`` extra is not installed, except under ``CI=1`` (``.ci/run``
installs it), where its absence fails the test.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "") not in ("", "0", "false")  # as tests/integration/conftest.py
DOCS_EXTRA = ("sphinx", "pydata_sphinx_theme", "myst_parser", "numpydoc")


@pytest.mark.slow
def test_docs_build_without_warnings(tmp_path: Path, quick_runs: dict) -> None:
    missing = [m for m in DOCS_EXTRA if importlib.util.find_spec(m) is None]
    if missing:
        msg = f"the docs build needs {', '.join(missing)}"
        if IN_CI:
            pytest.fail(msg + " (CI=1: .ci/run must install the docs extra)")
        pytest.skip(msg + ' (pip install -e ".[docs]")')
    # The gallery shows the story and field scripts' quick runs, the ones their own tests check (run once
    # per session: the fixture's set-up, not this test's call).
    runs = quick_runs
    gallery_out = {out.parent for _, _, _, out in runs.values()}
    assert len(gallery_out) == 1
    out = tmp_path / "html"
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
                           "-d", str(tmp_path / "doctrees"), str(ROOT / "docs"), str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=900,
                          env={**os.environ, "FEEDSIM_GALLERY_OUT": str(gallery_out.pop())})
    elapsed = time.perf_counter() - start
    assert proc.returncode == 0, f"sphinx -W failed after {elapsed:.0f} s:\n{proc.stderr[-5000:]}"
    for page in ("index", "design", "experiments", "presets", "sweeps", "validation", "parameters",
                 "metrics", "api", "guide/graphs", "guide/running", "guide/results", "guide/interventions",
                 "guide/rankers", "guide/sweeps", "guide/large-runs", "guide/classroom", "guide/stories",
                 "model/odd", "guide/performance", "gallery/index"):
        assert (out / f"{page}.html").is_file(), page
    # A gallery page per story and field script, with the figures its quick run saved; a page per notebook.
    for name, (code, _, stderr, run_out) in runs.items():
        assert code == 0, f"{name} failed:\n{stderr}"
        section = "field" if (ROOT / "experiments" / "field" / f"{name}.py").is_file() else "stories"
        html = (out / "gallery" / section / f"{name}.html").read_text(encoding="utf-8")
        figures = json.loads((run_out / "summary.json").read_text())["figures"]
        pngs = [Path(f).stem for f in figures if f.endswith(".png")]  # Sphinx copies them to _images/STEM[N].png
        shown = [s for s in pngs if re.search(rf'<img [^>]*src="[^"]*_images/{re.escape(s)}\d*\.png"', html)]
        assert pngs and shown == pngs, (name, pngs, shown)
    for notebook in (ROOT / "notebooks").glob("*.ipynb"):
        assert (out / "gallery" / "notebooks" / f"{notebook.stem}.html").is_file(), notebook.name
    # Every public name is on its module's API page (with its own page, or a link to the one page of
    # an object that several modules export).
    for modname in ("feedsim", "feedsim.networks", "feedsim.rankers", "feedsim.metrics", "feedsim.sweeps",
                    "feedsim.plots", "feedsim.params", "feedsim.lesson"):
        module = importlib.import_module(modname)
        html = (out / "api" / f"{modname}.html").read_text(encoding="utf-8")
        absent = [name for name in module.__all__ if name not in html]
        assert not absent, f"{modname}: no entry for {absent}"
    assert (out / "api" / "generated" / "feedsim.Simulation.html").is_file()
