"""Signals during ``feedsim sweep --workers 2`` (issue 34), with real processes, each bounded in time.

SIGKILL or SIGTERM of the sweep leaves no worker behind; one Ctrl-C keeps the runs in flight; a
second Ctrl-C stops within seconds, without a traceback. Linux only (the process table is read from
/proc); every process started here is killed by its process group at the end.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

# runs of about a second each on this machine: 16 runs on 2 workers take well over the time to signal
SPEC = textwrap.dedent("""
    seed = 4
    days = 3
    replicates = 4
    metrics = ["gini_impressions"]
    daily = false
    [graph]
    n_users = 1500
    seed = 3
    [grid]
    ranker = ["chronological", "engagement"]
    out_of_network_share = [0.0, 0.2]
""")
N_RUNS = 16


def children(pid: int) -> list[int]:
    """Pids whose parent is ``pid``."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(entry))
    return out


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


def count_runs(db) -> int:
    if not os.path.exists(db):
        return 0
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.1)
        try:
            return con.execute("SELECT COUNT(*) FROM runs WHERE status = 'ok'").fetchone()[0]
        finally:
            con.close()
    except sqlite3.OperationalError:
        return 0


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.fixture
def sweep(tmp_path):
    """Start ``feedsim sweep SPEC --db DB --workers 2`` in its own process group; yields (proc, db)."""
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC)
    db = str(tmp_path / "r.sqlite")
    env = dict(os.environ, NUMBA_NUM_THREADS="1")
    procs = []

    def start():
        proc = subprocess.Popen([sys.executable, "-m", "feedsim", "sweep", str(spec), "--db", db, "--workers", "2",
                                 "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                                start_new_session=True)
        procs.append(proc)
        # the two workers exist, and the first run is stored (the workers are busy computing)
        assert wait_for(lambda: len(children(proc.pid)) >= 2 and count_runs(db) >= 1, 90), proc.poll()
        return proc

    yield start, db
    for proc in procs:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate(timeout=30)


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM])
def test_workers_die_with_the_sweep(sweep, signum):
    start, db = sweep
    proc = start()
    workers = children(proc.pid)
    assert len(workers) >= 2
    os.kill(proc.pid, signum)  # the sweep alone, not its process group
    proc.wait(timeout=20)
    assert wait_for(lambda: not any(alive(w) for w in workers), 10), [w for w in workers if alive(w)]
    if signum == signal.SIGTERM:
        _, err = proc.communicate(timeout=10)
        assert proc.returncode == 130 and "Traceback" not in err, err


def test_one_ctrl_c_keeps_the_runs_in_flight(sweep):
    start, db = sweep
    proc = start()
    before = count_runs(db)
    t0 = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal does: the whole foreground group
    _, err = proc.communicate(timeout=60)
    after = count_runs(db)
    assert proc.returncode == 130, err
    assert "Traceback" not in err, err
    assert "storing the runs in flight" in err and "rerun the same command to resume" in err
    # the two runs the workers were computing were finished and stored, and nothing after them started
    assert before + 1 <= after < N_RUNS, (before, after)
    assert time.monotonic() - t0 < 60


def test_a_second_ctrl_c_stops_within_seconds(sweep):
    start, db = sweep
    proc = start()
    workers = children(proc.pid)
    os.killpg(proc.pid, signal.SIGINT)
    time.sleep(0.3)
    t0 = time.monotonic()
    try:
        os.killpg(proc.pid, signal.SIGINT)
    except ProcessLookupError:  # pragma: no cover - the runs in flight finished within 0.3 s
        pytest.skip("the sweep ended before the second Ctrl-C")
    _, err = proc.communicate(timeout=30)
    assert time.monotonic() - t0 < 10
    assert proc.returncode == 130 and "Traceback" not in err, err
    assert len(err.strip().splitlines()) <= 2, err  # one line per press at most
    assert wait_for(lambda: not any(alive(w) for w in workers), 10)
