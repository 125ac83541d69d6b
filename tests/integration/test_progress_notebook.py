"""In an executed notebook a progress bar leaves at most one line, not one per redraw."""

from __future__ import annotations

import json
import sys

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

CELL = """
import time
import feedsim, feedsim.progress
feedsim.progress.DEFAULT_DELAY = 0.0
sim = feedsim.Simulation(feedsim.networks.default_community(100, seed=0), seed=0)

def slow(sim):  # about 1.5 s of wall time, so an ordinary bar would redraw many times
    while True:
        yield sim.env.timeout(1)
        time.sleep(0.02)

sim.process(slow)
result = sim.run(days=3, progress=True)
"""


@pytest.mark.slow  # a Jupyter kernel: the slow tier (pytest -m slow)
def test_executed_notebook_gets_one_line(tmp_path, monkeypatch):
    spec = tmp_path / "kernels" / "feedsim-progress"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "feedsim progress test", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CELL)])
    nbclient.NotebookClient(nb, kernel_name="feedsim-progress", timeout=120).execute()
    outputs = nb.cells[0].outputs
    assert [o for o in outputs if o.output_type == "error"] == []
    text = "".join(o.text for o in outputs if o.output_type == "stream")
    widgets = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    if widgets:  # ipywidgets installed: the widget, no text
        assert text == ""
    else:
        assert len([o for o in outputs if o.output_type == "stream"]) == 1
        assert text.count("\n") == 1 and "\r" not in text and "72/72 h" in text
