"""Starting fast: ``feedsim warmup`` fills the kernel cache; a cold run says it is compiling."""

from __future__ import annotations

import importlib
import io
import os
import re
import subprocess
import sys
import time

import pytest

import feedsim
from feedsim.cli import main
from feedsim.progress import ProgressBar

warmup_module = importlib.import_module("feedsim.warmup")  # (feedsim.warmup is the function)
PREPARING = "preparing the simulation engine (compiling"


def _cold(monkeypatch) -> None:
    monkeypatch.setattr(warmup_module, "kernels_cached", lambda: False)


def test_cli_says_it_is_compiling_on_a_cold_cache(monkeypatch, capsys):
    _cold(monkeypatch)
    assert main(["compare", "--users", "200", "--days", "1", "--json"]) == 0
    err = capsys.readouterr().err
    assert err.count(PREPARING) == 1, err


def test_cli_is_silent_on_a_warm_cache(monkeypatch, capsys):
    monkeypatch.setattr(warmup_module, "kernels_cached", lambda: True)
    assert main(["run", "--users", "200", "--days", "1", "--ranker", "chronological"]) == 0
    assert PREPARING not in capsys.readouterr().err


def test_quiet_says_nothing(monkeypatch, capsys):
    _cold(monkeypatch)
    assert main(["run", "--users", "200", "--days", "1", "--quiet"]) == 0
    assert capsys.readouterr().err == ""


def test_progress_bar_says_it_once(monkeypatch, capsys):
    _cold(monkeypatch)
    G = feedsim.networks.default_community(200, seed=0)
    feedsim.Simulation(G, seed=0).run(days=0.25, progress=True)
    assert capsys.readouterr().err.count(PREPARING) == 1


def test_first_update_is_left_out_of_the_rate():
    out = io.StringIO()
    bar = ProgressBar(100, "run", delay=0.0, stream=out)
    time.sleep(0.5)  # the first tick: compiling
    bar.update(1)
    assert out.getvalue().rstrip().endswith("<?]"), out.getvalue()  # no estimate from the compiling tick
    t0 = time.perf_counter()
    time.sleep(0.15)
    bar.update(50)
    warm = time.perf_counter() - t0
    rate = bar._bar.format_dict["rate"]
    # the rate is that of the warm update alone (49 h in `warm` s), not diluted by the 0.5 s of the first
    assert rate is not None and rate * warm >= 0.9 * 49, (rate, warm)
    bar.close()


def test_warmup_command(capsys):
    assert main(["warmup"]) == 0
    out = capsys.readouterr().out
    assert re.fullmatch(r"feedsim warmup: kernels for \d+ run configurations (compiled and cached|already cached, "
                        r"loaded) in \d+\.\d s\n", out), out
    assert warmup_module.kernels_cached()


@pytest.mark.slow
def test_warmup_fills_an_empty_cache(tmp_path):
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "numba")}
    env.pop("NUMBA_DISABLE_JIT", None)

    def feedsim_cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "feedsim", *args], capture_output=True, text=True, env=env,
                              timeout=1200)

    first = feedsim_cli("warmup")
    assert first.returncode == 0, first.stderr
    assert PREPARING in first.stderr and "compiled and cached" in first.stdout
    run = feedsim_cli("compare", "--users", "200", "--days", "1")
    assert run.returncode == 0, run.stderr
    assert PREPARING not in run.stderr
    again = feedsim_cli("warmup")
    assert again.returncode == 0 and "already cached, loaded" in again.stdout and PREPARING not in again.stderr
