"""A damaged sweep store is reported in one line naming the damaged runs, never read as data."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys

import pytest

import feedsim
from feedsim.sweeps import StoreDamagedError, StoreError, StoreWarning, load_daily, load_results, run_sweep
from feedsim.sweeps.store import ResultsStore

SPEC = dict(seed=1, days=2, replicates=2, graph={"n_users": 60, "seed": 0, "mean_follows": 10},
            grid={"ranker": ["chronological", "engagement"]}, metrics=["gini_impressions", "voice_ratio.quiet"],
            daily=["impressions", "posts"])


@pytest.fixture(scope="module")
def store_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("store") / "s.sqlite"
    run_sweep(feedsim.SweepSpec(**SPEC), str(path), workers=1)
    with sqlite3.connect(path) as conn:  # one file, no WAL beside it
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")
    return path


@pytest.fixture
def db(store_file, tmp_path):
    path = tmp_path / "s.sqlite"
    shutil.copy(store_file, path)
    return path


def _sql(path, stmt):
    conn = sqlite3.connect(path)
    conn.execute(stmt)
    conn.commit()
    conn.close()


def _one_line(exc_info):
    assert "\n" not in str(exc_info.value)
    return str(exc_info.value)


def test_an_intact_store_reads_without_warnings(db):
    assert len(load_results(db)) == 4 and len(load_daily(db)) == 4 * 2 * 2


@pytest.mark.parametrize("stmt", [
    "UPDATE daily SET value = value + 1 WHERE rowid = 3",  # one daily value
    "UPDATE runs SET metrics = substr(metrics, 2) WHERE rowid = 2",  # a bad JSON cell
    "UPDATE runs SET ranker = 'engagemenu' WHERE rowid = 2",
    "UPDATE runs SET spawn_key = '[0, 7]' WHERE rowid = 2",
    "DELETE FROM daily WHERE rowid = 5",
    "UPDATE daily SET run_key = 'x' WHERE rowid = 5",
], ids=["value", "json", "ranker", "seed", "deleted-daily", "orphan-daily"])
def test_changed_values_name_the_damaged_runs(db, stmt):
    _sql(db, stmt)
    for load in (load_results, load_daily):
        with pytest.raises(StoreDamagedError, match=r"of 4 runs are damaged .*run the sweep on it again") as e:
            load(db)
        _one_line(e)
        assert e.value.runs


def test_a_damaged_run_is_rerun_by_the_next_sweep(db, store_file):
    _sql(db, "UPDATE daily SET value = value + 1 WHERE rowid = 3")
    with pytest.warns(StoreWarning, match="deleted 1 damaged run"):
        report = run_sweep(feedsim.SweepSpec(**SPEC), str(db), workers=1)
    assert report.planned == 4 and report.skipped == 3
    good = load_results(store_file)
    back = load_results(db)
    assert back["gini_impressions"].tolist() == good["gini_impressions"].tolist()
    assert load_daily(db)["value"].tolist() == load_daily(store_file)["value"].tolist()


@pytest.mark.parametrize("size", ["minus1", 4096, 8192])
def test_a_truncated_store_is_refused_in_one_line(db, store_file, size):
    data = db.read_bytes()
    db.write_bytes(data[:-1] if size == "minus1" else data[:size])
    try:
        table = load_results(db)
    except StoreError as exc:
        assert "\n" not in str(exc) and "damaged" in str(exc), exc
    else:  # SQLite ignores a partial last page only when nothing was cut from the data
        assert table.equals(load_results(store_file))


def test_a_flipped_header_byte_is_refused_or_harmless(db, store_file):
    """Each of the 100 bytes of SQLite's header flipped: one-line StoreError (never "locked"), or the same table."""
    good = load_results(store_file)
    data0 = db.read_bytes()
    refused = 0
    for offset in range(100):
        data = bytearray(data0)
        data[offset] ^= 0xFF
        db.write_bytes(bytes(data))
        try:
            table = load_results(db)
        except StoreError as exc:
            refused += 1
            assert "\n" not in str(exc) and "locked" not in str(exc), (offset, exc)
        else:
            assert table.equals(good), offset
    assert refused >= 30  # measured: 45 refused, 55 harmless (reserved or advisory fields)


def test_the_stored_spec_is_checked(db):
    _sql(db, "UPDATE meta SET value = substr(value, 2) WHERE key = 'order'")
    with pytest.raises(StoreDamagedError, match="stored sweep spec is damaged") as e:
        load_results(db)
    _one_line(e)


def test_the_cli_says_one_line(db):
    _sql(db, "UPDATE daily SET value = 122368 WHERE rowid = 3")
    proc = subprocess.run([sys.executable, "-m", "feedsim", "results", str(db)], capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "damaged" in proc.stderr


def _as_schema_2(path):
    _sql(path, "DROP TABLE run_checksums")
    _sql(path, "DELETE FROM meta WHERE key = 'meta_sha256'")
    _sql(path, "UPDATE meta SET value = '2' WHERE key = 'schema_version'")


def test_a_store_without_checksums_loads_with_a_note_and_a_sweep_adds_them(db, store_file):
    _as_schema_2(db)
    with pytest.warns(StoreWarning, match="4 runs have no checksums") as warned:
        table = load_results(db)
    assert warned[0].filename == __file__
    assert table.equals(load_results(store_file))
    run_sweep(feedsim.SweepSpec(**SPEC), str(db), workers=1)  # nothing to run; adds the checksums
    with ResultsStore(db, create=False) as store:
        assert store.meta("schema_version") == "3"
    _sql(db, "UPDATE daily SET value = value + 1 WHERE rowid = 3")
    with pytest.raises(StoreDamagedError):
        load_results(db)
