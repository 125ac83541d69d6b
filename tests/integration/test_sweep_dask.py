"""A sweep on a real Dask LocalCluster gives exactly the results of the same sweep run serially."""

from __future__ import annotations

import sqlite3

import pytest

from feedsim.cli import main
from feedsim.sweeps import SweepSpec, load_results, run_sweep

distributed = pytest.importorskip("distributed")

# A LocalCluster with worker processes: the slow tier (pytest -m slow).
pytestmark = pytest.mark.slow

TOML = """
seed = 21
days = 1
replicates = 2
metrics = ["gini_impressions", "voice_ratio"]
daily = ["impressions", "posts_by_role"]
[graph]
n_users = 150
seed = 4
[grid]
ranker = ["chronological", "engagement"]
like_rate = [0.03, 0.08]
"""
SPEC = SweepSpec(seed=21, days=1, replicates=2, graph={"n_users": 150, "seed": 4},
                 grid={"ranker": ["chronological", "engagement"], "like_rate": [0.03, 0.08]},
                 metrics=["gini_impressions", "voice_ratio"], daily=["impressions", "posts_by_role"])


def contents(path):
    con = sqlite3.connect(path)
    try:
        runs = con.execute("SELECT run_key, params, seed_entropy, spawn_key, status, metrics FROM runs "
                           "ORDER BY run_key").fetchall()
        daily = con.execute("SELECT * FROM daily ORDER BY run_key, series, day").fetchall()
    finally:
        con.close()
    return runs, daily


# Closing a LocalCluster can emit shutdown-time warnings from distributed's own
# comms and nanny machinery; they say nothing about the sweep's results.
# Closing a LocalCluster can leave "unclosed <socket ...>" / "unclosed transport" notices from
# distributed's comms; they concern the cluster's teardown, not the sweep's results.
@pytest.mark.filterwarnings("ignore:unclosed:ResourceWarning")
def test_local_cluster_equals_serial(tmp_path):
    serial = str(tmp_path / "serial.sqlite")
    run_sweep(SPEC, serial, workers=1)
    dask_db = str(tmp_path / "dask.sqlite")
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=":0") as cluster, distributed.Client(cluster) as client:
        report = run_sweep(SPEC, dask_db, executor=client.get_executor())
        workers = set(load_results(dask_db)["worker"])
        # the CLI's --scheduler connects its own client to the same cluster
        spec_file = tmp_path / "spec.toml"
        spec_file.write_text(TOML)
        cli_db = str(tmp_path / "cli.sqlite")
        code = main(["sweep", str(spec_file), "--db", cli_db, "--scheduler", cluster.scheduler_address, "--quiet"])
    assert code == 0
    assert contents(cli_db) == contents(serial)
    assert (report.done, report.n_failed) == (8, 0)
    assert len(workers) == 2  # both cluster processes ran runs
    assert contents(dask_db) == contents(serial)
    assert len(contents(serial)[0]) == 8
    assert SweepSpec.from_toml(spec_file) == SPEC
