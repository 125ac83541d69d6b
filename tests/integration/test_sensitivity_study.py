"""feedsim.sensitivity end to end: resume after an interruption, determinism, the CLI."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pandas as pd
import pytest

import feedsim.sweeps.execute as execute
from feedsim.cli import main
from feedsim.sensitivity import NOISE, SensitivityError, SensitivitySpec, analyze, run_sensitivity

TINY = textwrap.dedent("""
    seed = 7
    days = 1
    n = 2
    replicates = 2
    metric = "follower_reach.quiet"
    resamples = 100
    [graph]
    n_users = 50
    seed = 1
    [contrast]
    ranker = "engagement"
    baseline = "chronological"
    [parameters]
    like_rate = [0.02, 0.1]
    ranker.reply_weight = [1.0, 27.0]
""")


@pytest.fixture
def spec_file(tmp_path):
    path = tmp_path / "study.toml"
    path.write_text(TINY)
    return str(path)


def stored(db) -> int:
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT COUNT(*) FROM runs WHERE status = 'ok'").fetchone()[0]
    except sqlite3.OperationalError:  # the store is being created: no table yet
        return 0
    finally:
        con.close()


def test_interrupted_study_resumes_without_rerunning_and_gives_the_same_indices(spec_file, tmp_path, monkeypatch):
    spec = SensitivitySpec.from_toml(spec_file)
    assert spec == SensitivitySpec.from_dict(spec_dict())
    planned = len(spec.sweep().runs())
    reference = run_sensitivity(spec, tmp_path / "ref.sqlite", workers=1)

    calls = []
    real = execute.execute_run

    def dies_after_five(run):
        if len(calls) == 5:
            raise KeyboardInterrupt  # a kill between two runs: the store holds the first five
        calls.append(run.run_key)
        return real(run)

    db = str(tmp_path / "killed.sqlite")
    monkeypatch.setattr(execute, "execute_run", dies_after_five)
    with pytest.raises(KeyboardInterrupt):
        run_sensitivity(spec, db, workers=1)
    assert stored(db) == 5

    rerun = []
    monkeypatch.setattr(execute, "execute_run", lambda run: rerun.append(run.run_key) or real(run))
    table = run_sensitivity(spec, db, workers=1)
    report = table.attrs["sweep"]
    assert (report.skipped, report.done) == (5, planned - 5)
    assert not set(rerun) & set(calls)  # no stored run ran again
    pd.testing.assert_frame_equal(table, reference, check_exact=True)
    pd.testing.assert_frame_equal(analyze(spec, db), reference, check_exact=True)  # from the store alone
    assert reference["parameter"].iloc[-1] == NOISE and reference.attrs["n_runs"] == planned
    assert list(reference.columns) == ["parameter", "index", "estimate", "conf", "low", "high"]
    # another seed is another study: its runs are not in this store, and the error says so
    with pytest.raises(SensitivityError, match="missing or failed"):
        analyze(SensitivitySpec.from_dict({**spec_dict(), "seed": 8}), db)


def spec_dict() -> dict:
    """TINY as a dict."""
    return {"seed": 7, "days": 1, "n": 2, "replicates": 2, "metric": "follower_reach.quiet", "resamples": 100,
            "graph": {"n_users": 50, "seed": 1}, "contrast": {"ranker": "engagement", "baseline": "chronological"},
            "parameters": {"like_rate": [0.02, 0.1], "ranker.reply_weight": [1.0, 27.0]}}


def test_cli_morris_writes_table_and_figure(tmp_path, capsys):
    spec_file = tmp_path / "morris.toml"
    spec_file.write_text(TINY.replace("n = 2", 'n = 2\nmethod = "morris"'))
    db, csv, png = (str(tmp_path / name) for name in ("s.sqlite", "s.csv", "s.png"))
    assert main(["sensitivity", str(spec_file), "--db", db, "--workers", "1", "--table", csv, "--figure", png,
                 "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "already done" in out and "seed noise" in out and "ranker.reply_weight" in out
    table = pd.read_csv(csv)
    assert set(table["parameter"]) == {"like_rate", "ranker.reply_weight", NOISE}
    assert set(table["index"]) == {"mu_star", "mu", "sigma"}
    noise = table[table["parameter"] == NOISE]
    assert list(noise["index"]) == ["mu_star"] and (noise["estimate"] > 0).all()
    assert os.path.getsize(png) > 1000
    # rerun: nothing to run, the same table
    first = table
    assert main(["sensitivity", str(spec_file), "--db", db, "--workers", "1", "--table", csv, "--quiet"]) == 0
    assert "0 run, 0 failed" in capsys.readouterr().out
    pd.testing.assert_frame_equal(pd.read_csv(csv), first)


def test_cli_refuses_bad_targets_before_any_run(spec_file, tmp_path, capsys):
    db = str(tmp_path / "s.sqlite")
    assert main(["sensitivity", spec_file, "--db", db, "--figure", str(tmp_path / "nope" / "f.png")]) == 2
    assert "--figure" in capsys.readouterr().err and not os.path.exists(db)
    bad = tmp_path / "bad.toml"
    bad.write_text(TINY.replace("[0.02, 0.1]", "[0.02, 1.1]"))
    assert main(["sensitivity", str(bad), "--db", db]) == 2
    err = capsys.readouterr().err
    assert "parameters.like_rate[1] must be a finite number >= 0 and <= 1; got 1.1" in err
    assert len(err.strip().splitlines()) == 1 and not os.path.exists(db)


def cli(*args):
    return [sys.executable, "-m", "feedsim", *args]


@pytest.mark.slow  # worker processes (spawned, imported) and a SIGKILL part way: the slow tier
def test_sigkill_then_resume_and_two_workers_equal_one(spec_file, tmp_path):
    spec = SensitivitySpec.from_toml(spec_file)
    planned = len(spec.sweep().runs())
    reference = run_sensitivity(spec, tmp_path / "ref.sqlite", workers=1)
    assert len(reference)
    pd.testing.assert_frame_equal(run_sensitivity(spec, tmp_path / "two.sqlite", workers=2), reference,
                                  check_exact=True)

    db, csv = str(tmp_path / "killed.sqlite"), str(tmp_path / "t.csv")
    proc = subprocess.Popen(cli("sensitivity", spec_file, "--db", db, "--workers", "2", "--quiet"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while (not os.path.exists(db) or stored(db) < 4) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    written = stored(db)
    assert 4 <= written < planned, written
    done = subprocess.run(cli("sensitivity", spec_file, "--db", db, "--workers", "2", "--quiet", "--table", csv),
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    assert f"{written} already done, {planned - written} run, 0 failed" in done.stdout
    got = pd.read_csv(csv)
    want = reference.copy()
    pd.testing.assert_frame_equal(got, want.reset_index(drop=True), check_exact=False, rtol=1e-12)


@pytest.mark.slow  # a Dask LocalCluster with worker processes: the slow tier
@pytest.mark.filterwarnings("ignore:unclosed:ResourceWarning")  # the cluster's teardown, as in test_sweep_dask
def test_dask_scheduler_gives_the_serial_indices(spec_file, tmp_path, capsys):
    distributed = pytest.importorskip("distributed")
    reference = run_sensitivity(spec_file, tmp_path / "serial.sqlite", workers=1)
    csv = str(tmp_path / "dask.csv")
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=":0") as cluster:
        assert main(["sensitivity", spec_file, "--db", str(tmp_path / "dask.sqlite"), "--scheduler",
                     cluster.scheduler_address, "--table", csv, "--quiet"]) == 0
    assert "0 failed" in capsys.readouterr().out
    pd.testing.assert_frame_equal(pd.read_csv(csv), reference.reset_index(drop=True), check_exact=False, rtol=1e-12)
