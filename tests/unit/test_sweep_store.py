"""The results store: format checks, the in-progress marker, resume, spec changes, failures."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import numpy as np
import pytest

import feedsim
from feedsim.sweeps import (
    ResultsStore,
    SpecMismatchError,
    StoreError,
    StoreLockedError,
    SweepSpec,
    load_daily,
    load_results,
    run_sweep,
)

SPEC = dict(seed=5, days=1, replicates=2, graph={"n_users": 100, "seed": 0},
            grid={"ranker": ["chronological", "engagement"], "out_of_network_share": [0.0, 0.3]},
            metrics=["gini_impressions", "impression_share.quiet"], daily=["posts", "impressions_by_role"])


@pytest.fixture
def db(tmp_path):
    return str(tmp_path / "results.sqlite")


def test_sweep_writes_one_row_per_run_and_daily_series(db):
    spec = SweepSpec(**SPEC)
    report = run_sweep(spec, db, workers=1)
    assert (report.planned, report.skipped, report.done, report.n_failed) == (8, 0, 8, 0)
    table = load_results(db)
    assert sorted(table["run_key"]) == sorted(r.run_key for r in spec.runs())
    assert set(table["status"]) == {"ok"}
    assert np.isfinite(table["gini_impressions"]).all()
    assert table["replicate"].dtype == np.int64
    assert set(table["feedsim_version"]) == {feedsim.__version__}
    assert set(table["numpy_version"]) == {np.__version__}
    # stored metric equals a direct run with the same seed
    run = spec.runs()[3]
    direct = feedsim.Simulation(
        feedsim.networks.default_community(100, mean_follows=40, seed=0, as_arrays=True),
        ranker=run.params["ranker"], seed=run.seed.seed_sequence(),
        out_of_network_share=run.params["out_of_network_share"],
    ).run(days=1)
    i = list(table["run_key"]).index(run.run_key)
    assert table["gini_impressions"][i] == direct.summary()["gini_impressions"]
    assert list(table["spawn_key"][i]) == list(run.seed.spawn_key)
    daily = load_daily(db)
    assert len(daily["run_key"]) == 8 * (1 + len(feedsim.ROLES))
    sel = (daily["run_key"] == run.run_key) & (daily["series"] == "posts")
    assert daily["value"][sel].tolist() == direct.daily["posts"].tolist()


def test_restart_skips_finished_runs(db):
    run_sweep(SweepSpec(**SPEC), db, workers=1)
    before = load_results(db)
    report = run_sweep(SweepSpec(**SPEC), db, workers=1)
    assert (report.skipped, report.done) == (8, 0)
    after = load_results(db)
    assert list(after["started_at"]) == list(before["started_at"])


def test_changed_spec_is_refused_unless_extended(db):
    run_sweep(SweepSpec(**SPEC), db, workers=1)
    bigger = dict(SPEC, grid={**SPEC["grid"], "out_of_network_share": [0.0, 0.3, 0.6]})
    with pytest.raises(SpecMismatchError, match="holds a different sweep \\(changed: grid\\).*--extend"):
        run_sweep(SweepSpec(**bigger), db, workers=1)
    report = run_sweep(SweepSpec(**bigger), db, workers=1, extend=True)
    assert (report.skipped, report.done) == (8, 4)
    assert len(load_results(db)["run_key"]) == 12
    with pytest.raises(SpecMismatchError, match="cannot be extended with a different days"):
        run_sweep(SweepSpec(**dict(bigger, days=2)), db, workers=1, extend=True)


def test_store_of_one_seed_mode_refuses_a_sweep_of_the_other(db):
    small = dict(SPEC, grid={"out_of_network_share": [0.0]}, replicates=1)
    run_sweep(SweepSpec(**small), db, workers=1)
    for extend in (False, True):
        with pytest.raises(SpecMismatchError, match="holds runs with seeds = 'per_point'; this sweep has seeds = "
                                                    "'common' \\(a store holds one seed mode\\)"):
            run_sweep(SweepSpec(**small, seeds="common"), db, workers=1, extend=extend)
    assert len(load_results(db)["run_key"]) == 1


def test_not_a_store_is_refused(tmp_path):
    text = tmp_path / "notes.sqlite"
    text.write_text("hello, not a database\n" * 10)
    with pytest.raises(StoreError, match="is not a feedsim results store \\(not an SQLite database\\)"):
        run_sweep(SweepSpec(**SPEC), str(text), workers=1)
    assert text.read_text().startswith("hello")
    other = tmp_path / "other.sqlite"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE people (name TEXT)")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="an SQLite database but not a feedsim results store \\(tables: people\\)"):
        load_results(str(other))
    with pytest.raises(StoreError, match="no such results store"):
        load_results(str(tmp_path / "missing.sqlite"))


def test_store_in_use_by_a_live_sweep_is_refused(db):
    holder = ResultsStore(db)
    holder.acquire()
    try:
        with pytest.raises(StoreLockedError, match=f"sweep in progress \\(pid {os.getpid()} on "):
            run_sweep(SweepSpec(**SPEC), db, workers=1)
    finally:
        holder.close()
    assert run_sweep(SweepSpec(**SPEC), db, workers=1).done == 8


def test_stale_marker_of_a_dead_process_is_taken_over(db):
    ResultsStore(db).close()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    pid = int(dead.stdout)
    con = sqlite3.connect(db)
    con.execute("INSERT INTO sweep_lock VALUES (1, ?, ?, 0)", (pid, __import__("socket").gethostname()))
    con.commit()
    con.close()
    assert run_sweep(SweepSpec(**SPEC), db, workers=1).done == 8
    with ResultsStore(db) as store:
        assert store.rows("SELECT COUNT(*) FROM sweep_lock") == [(0,)]


def test_database_locked_by_sqlite_gives_clear_error(db, monkeypatch):
    ResultsStore(db).close()
    monkeypatch.setattr("feedsim.sweeps.store.TIMEOUT", 0.05)
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreLockedError, match="is locked by another process"):
            run_sweep(SweepSpec(**SPEC), db, workers=1)
    finally:
        con.execute("ROLLBACK")
        con.close()


def failing_ranker(c, rng):
    raise RuntimeError("boom in ranker")


failing_ranker.name = "failing"


def test_failed_run_is_recorded_and_the_sweep_goes_on(db):
    spec = SweepSpec(**dict(SPEC, grid={"ranker": ["chronological", failing_ranker]}))
    report = run_sweep(spec, db, workers=1)
    assert (report.done, report.n_failed) == (4, 2)
    table = load_results(db)
    status = dict(zip(table["ranker"], table["status"]))
    assert status == {"chronological": "ok", "failing": "failed"}
    err = [e for e, r in zip(table["error"], table["ranker"]) if r == "failing"]
    # the engine names the ranker and the time, and keeps the original error
    assert all(e.startswith("RankerOutputError: ranker 'failing' raised RuntimeError") and "boom in ranker" in e
               for e in err)
    assert np.isnan(table["gini_impressions"][table["ranker"] == "failing"]).all()
    # failed runs are tried again on restart; finished ones are not
    again = run_sweep(spec, db, workers=1)
    assert (again.skipped, again.done, again.n_failed) == (2, 2, 2)
    assert len(load_results(db)["run_key"]) == 4


def test_load_results_is_always_a_typed_dataframe(db):
    import pandas as pd

    run_sweep(SweepSpec(**SPEC), db, workers=1)
    frame = load_results(db)
    assert isinstance(frame, pd.DataFrame) and len(frame) == 8
    head = ["run_key", "point_key", "ranker", "ranker_version", "out_of_network_share", "replicate", "status", "error"]
    assert list(frame.columns[: len(head)]) == head
    assert list(frame.columns[-7:]) == ["seed_entropy", "spawn_key", "started_at", "wall_seconds", "worker",
                                        "feedsim_version", "numpy_version"]
    assert frame["out_of_network_share"].dtype == np.float64 and frame["replicate"].dtype == np.int64
    assert frame["gini_impressions"].dtype == np.float64 and frame["ranker"].dtype == object
    assert str(frame["started_at"].dt.tz) == "UTC"
    assert frame["error"].isna().all()
    agg = feedsim.sweeps.aggregate(frame, "gini_impressions")
    assert isinstance(agg, pd.DataFrame) and len(agg) == 4
    assert (agg["gini_impressions.n"] == 2).all()
    means = frame.groupby(["ranker", "out_of_network_share"])["gini_impressions"].mean()
    np.testing.assert_allclose(means.to_numpy(), agg["gini_impressions.mean"].to_numpy())
    assert isinstance(load_daily(db), pd.DataFrame)
    assert isinstance(load_results(db, form="long"), pd.DataFrame)


def test_plot_results_draws_one_line_and_band_per_ranker(db):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    run_sweep(SweepSpec(**SPEC), db, workers=1)
    fig, ax = plt.subplots()
    out = feedsim.sweeps.plot_results(load_results(db), "impression_share.quiet", "out_of_network_share", ax=ax)
    assert out is ax
    assert [line.get_label() for line in ax.lines] == ["chronological", "engagement"]
    assert len(ax.collections) == 2 and ax.get_xlabel() == "share of each feed from outside the viewer's network"
    assert ax.lines[0].get_xdata().tolist() == [0.0, 0.3]
    plt.close(fig)


def test_reordered_grid_is_the_same_sweep(db):
    run_sweep(SweepSpec(**SPEC), db, workers=1)
    grid = {"out_of_network_share": [0.3, 0.0], "ranker": ["engagement", "chronological"]}
    report = run_sweep(SweepSpec(**dict(SPEC, grid=grid)), db, workers=1)
    assert (report.skipped, report.done) == (8, 0)


def test_bad_workers_are_refused_before_the_store_is_touched(db):
    from concurrent.futures import ThreadPoolExecutor

    with pytest.raises(feedsim.InvalidParameterError, match="workers must be an integer >= 1; got 0"):
        run_sweep(SweepSpec(**SPEC), db, workers=0)
    with ThreadPoolExecutor(1) as ex, pytest.raises(feedsim.InvalidParameterError, match="either executor or workers"):
        run_sweep(SweepSpec(**SPEC), db, workers=2, executor=ex)
    assert not os.path.exists(db)


def test_any_executor_works_and_matches_serial(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    a, b = str(tmp_path / "a.sqlite"), str(tmp_path / "b.sqlite")
    run_sweep(SweepSpec(**SPEC), a, workers=1)
    with ThreadPoolExecutor(2) as ex:
        assert run_sweep(SweepSpec(**SPEC), b, executor=ex).done == 8
    cols = ["run_key", "ranker", "gini_impressions", "impression_share.quiet", "spawn_key"]
    ta, tb = load_results(a), load_results(b)
    for c in cols:
        assert ta[c].tolist() == tb[c].tolist()
