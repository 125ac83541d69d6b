"""``feedsim sweep`` and ``feedsim results``; a sweep killed with SIGKILL and resumed."""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from feedsim.cli import main
from feedsim.metrics.registry import DAILY
from feedsim.network.graph import ROLES
from feedsim.sweeps import SweepSpec, run_sweep

SMALL = textwrap.dedent("""
    seed = 11
    days = 1
    replicates = 2
    metrics = ["gini_impressions", "impression_share.quiet"]
    daily = ["posts"]
    [graph]
    n_users = 120
    seed = 2
    [grid]
    ranker = ["chronological", "engagement"]
    out_of_network_share = [0.0, 0.25]
""")


def store_contents(path):
    """Everything in a store except timing and worker identity, in a fixed order."""
    con = sqlite3.connect(path)
    try:
        runs = con.execute(
            "SELECT run_key, point_key, ranker, replicate, params, seed_entropy, spawn_key, status, error, "
            "metrics, feedsim_version, numpy_version FROM runs ORDER BY run_key").fetchall()
        daily = con.execute("SELECT run_key, day, series, value FROM daily ORDER BY run_key, series, day").fetchall()
        meta = con.execute("SELECT key, value FROM meta ORDER BY key").fetchall()
        lock = con.execute("SELECT COUNT(*) FROM sweep_lock").fetchone()[0]
    finally:
        con.close()
    return runs, daily, meta, lock


@pytest.fixture
def spec_file(tmp_path):
    path = tmp_path / "spec.toml"
    path.write_text(SMALL)
    return str(path)


def test_sweep_then_results_and_csv(spec_file, tmp_path, capsys):
    db = str(tmp_path / "r.sqlite")
    assert main(["sweep", spec_file, "--db", db, "--workers", "1"]) == 0
    out, err = capsys.readouterr()
    assert "8 runs planned, 0 already done, 8 run, 0 failed" in out
    assert "8/8 runs, 0 failed" in err  # the progress bar
    assert main(["sweep", spec_file, "--db", db, "--workers", "1", "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert "8 already done, 0 run" in out and err == ""
    assert main(["results", db]) == 0
    out, _ = capsys.readouterr()
    assert out.startswith("8 runs, 0 failed")
    assert "ranker=engagement, out_of_network_share=0.25  (n=2)" in out
    assert "impression_share.quiet" in out
    target = str(tmp_path / "out.csv")
    assert main(["results", db, "--csv", target]) == 0
    with open(target, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 8 and {r["status"] for r in rows} == {"ok"}
    assert {"ranker", "out_of_network_share", "replicate", "gini_impressions", "spawn_key"} <= set(rows[0])


def one_line_error(code, out, err):
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("feedsim: error: "), err
    return lines[0]


def test_bad_spec_fails_before_any_run(tmp_path, capsys):
    path = tmp_path / "bad.toml"
    path.write_text(SMALL.replace("[0.0, 0.25]", "[0.0, 0.25, 2]"))
    db = tmp_path / "r.sqlite"
    line = one_line_error(main(["sweep", str(path), "--db", str(db)]), *capsys.readouterr())
    assert "grid.out_of_network_share[2] must be a finite number >= 0 and <= 1; got 2.0" in line
    assert not db.exists()
    path.write_text("verbose = true\n" + SMALL)
    line = one_line_error(main(["sweep", str(path), "--db", str(db)]), *capsys.readouterr())
    assert "verbose is not a sweep spec key" in line


def test_cli_errors_are_one_line(spec_file, tmp_path, capsys):
    notdb = tmp_path / "x.sqlite"
    notdb.write_text("plain text")
    line = one_line_error(main(["sweep", spec_file, "--db", str(notdb)]), *capsys.readouterr())
    assert "is not a feedsim results store" in line
    line = one_line_error(main(["results", str(tmp_path / "none.sqlite")]), *capsys.readouterr())
    assert "no such results store" in line
    line = one_line_error(main(["sweep", spec_file, "--db", str(tmp_path / "a.sqlite"), "--workers", "0"]),
                          *capsys.readouterr())
    assert "--workers must be an integer >= 1; got 0" in line
    db = str(tmp_path / "r.sqlite")
    assert main(["sweep", spec_file, "--db", db, "--workers", "1", "--quiet"]) == 0
    capsys.readouterr()
    other = tmp_path / "other.toml"
    other.write_text(SMALL.replace("replicates = 2", "replicates = 3"))
    line = one_line_error(main(["sweep", str(other), "--db", db, "--quiet"]), *capsys.readouterr())
    assert "holds a different sweep (changed: replicates)" in line
    assert main(["sweep", str(other), "--db", db, "--quiet", "--extend", "--workers", "1"]) == 0
    assert "8 already done, 4 run" in capsys.readouterr().out


def test_exit_code_3_when_runs_failed(spec_file, tmp_path, capsys, monkeypatch):
    from feedsim.engine.simulation import Simulation

    original = Simulation.run

    def flaky(self, days, **kw):
        if self.ranker_name == "engagement" and self.config.out_of_network_share > 0:
            raise FloatingPointError("injected failure")
        return original(self, days, **kw)

    monkeypatch.setattr(Simulation, "run", flaky)
    db = str(tmp_path / "r.sqlite")
    assert main(["sweep", spec_file, "--db", db, "--workers", "1", "--quiet"]) == 3  # some failed
    out, err = capsys.readouterr()
    assert "8 run, 2 failed" in out
    assert err.count("failed ") == 2 and "FloatingPointError: injected failure" in err
    monkeypatch.setattr(Simulation, "run", original)
    assert main(["sweep", spec_file, "--db", db, "--workers", "1", "--quiet"]) == 0
    assert "6 already done, 2 run, 0 failed" in capsys.readouterr().out


# ---------------------------------------------------------------- SIGKILL
# Runs of ~0.3-0.6 s each (1000 users, 2 days), 12 runs on 2 workers.
KILL_SPEC = textwrap.dedent("""
    seed = 4
    days = 2
    replicates = 3
    metrics = ["gini_impressions", "voice_ratio.quiet", "exposure_diversity"]
    daily = true
    [graph]
    n_users = 1000
    seed = 3
    [grid]
    ranker = ["chronological", "engagement"]
    out_of_network_share = [0.0, 0.2]
""")


def count_runs(db):
    if not os.path.exists(db):
        return 0
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.1)
        try:
            return con.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
        finally:
            con.close()
    except sqlite3.OperationalError:  # schema not created yet, or a writer holds the lock
        return 0


def cli(*args):
    return [sys.executable, "-m", "feedsim", *args]


@pytest.mark.slow  # three 12-run sweeps on worker processes, one killed: the slow tier (pytest -m slow)
def test_sigkill_part_way_then_resume_equals_uninterrupted(tmp_path):
    spec_path = tmp_path / "spec.toml"
    spec_path.write_text(KILL_SPEC)
    n_runs = len(SweepSpec.from_toml(spec_path).runs())
    assert n_runs == 12

    reference = str(tmp_path / "reference.sqlite")
    subprocess.run(cli("sweep", str(spec_path), "--db", reference, "--workers", "2", "--quiet"),
                   check=True, capture_output=True, timeout=120)

    db = str(tmp_path / "killed.sqlite")
    proc = subprocess.Popen(cli("sweep", str(spec_path), "--db", db, "--workers", "2", "--quiet"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while count_runs(db) < 3 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)
    finally:
        # SIGKILL the sweep and its worker processes (the whole session), no cleanup possible
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    written = count_runs(db)
    assert 3 <= written < n_runs, written
    runs, daily, _, lock = store_contents(db)
    assert lock == 1  # the dead sweep's in-progress marker is still there
    per_day = sum(len(ROLES) if d.by_role else 1 for d in DAILY)  # values per day of every daily series
    assert len(daily) == written * 2 * per_day  # only whole runs

    done = subprocess.run(cli("sweep", str(spec_path), "--db", db, "--workers", "2", "--quiet"),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"{written} already done, {n_runs - written} run, 0 failed" in done.stdout

    got, want = store_contents(db), store_contents(reference)
    assert len(got[0]) == n_runs and len({r[0] for r in got[0]}) == n_runs
    assert got[0] == want[0]  # runs: same keys, params, seeds, metrics
    assert got[1] == want[1]  # daily series, no duplicates or gaps
    assert got[2] == want[2] and got[3] == want[3] == 0


def test_serial_and_two_processes_give_identical_stores(spec_file, tmp_path):
    spec = SweepSpec.from_toml(spec_file)
    a, b = str(tmp_path / "serial.sqlite"), str(tmp_path / "pool.sqlite")
    run_sweep(spec, a, workers=1)
    run_sweep(spec, b, workers=2)
    assert store_contents(a) == store_contents(b)
    assert len(store_contents(a)[0]) == 8
