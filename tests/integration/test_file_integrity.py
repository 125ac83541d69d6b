"""Saved results: every byte is checksummed, and an interrupted save is repaired by the next save or load."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import textwrap

import pytest

import feedsim
from feedsim import ResultFileError
from feedsim.errors import ResultFileWarning

pytest.importorskip("pyarrow")


@pytest.fixture(scope="module")
def small_run():
    G = feedsim.networks.default_community(60, seed=1, mean_follows=10)
    sim = feedsim.Simulation(G, seed=1)
    sim.set_param("out_of_network_share", 0.2, at_day=1)
    return sim.run(days=2)


def _edit(path, change):
    record = json.loads((path / "result.json").read_text())
    change(record)
    (path / "result.json").write_text(json.dumps(record, indent=1, sort_keys=True))


EDITS = {
    "ranker": lambda r: r.__setitem__("ranker", "engagement"),
    "days": lambda r: r.__setitem__("days", 3.0),
    "seed": lambda r: r["seed"].__setitem__("entropy", 2),
    "config": lambda r: r["config"].__setitem__("tick_hours", 2.0),
    "interventions": lambda r: r.__setitem__("interventions", []),
    "dtype": lambda r: r["tables"]["posts"]["dtypes"].__setitem__("impressions", "<i4"),
    "format_version": lambda r: r.__setitem__("format_version", 1),
}


@pytest.mark.parametrize("what", sorted(EDITS))
def test_an_edited_record_is_refused_naming_result_json(small_run, tmp_path, what):
    path = tmp_path / "r"
    small_run.save(path)
    _edit(path, EDITS[what])
    with pytest.raises(ResultFileError, match=r"result\.json is corrupt \(its SHA-256 differs") as e:
        feedsim.load_result(path)
    assert "\n" not in str(e.value)


def test_a_format_1_result_still_loads(small_run, tmp_path):
    """Results saved before SHA256SUMS (tables' checksums in result.json) load as before."""
    import hashlib

    path = tmp_path / "r"
    small_run.save(path)
    (path / "SHA256SUMS").unlink()

    def to_v1(r):
        r["format_version"] = 1
        for info in r["tables"].values():
            info["sha256"] = hashlib.sha256((path / info["file"]).read_bytes()).hexdigest()

    _edit(path, to_v1)
    assert feedsim.load_result(path).summary() == small_run.summary()


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


_KILL_AT_RENAME = """
import os, signal, sys
import feedsim
res = feedsim.Simulation(feedsim.networks.default_community(60, seed=1, mean_follows=10), seed=2).run(days=1)
import feedsim.results_io as fmt
renames = []
real = os.rename
def rename(a, b):
    renames.append(a)
    if len(renames) == int(sys.argv[2]):
        os.kill(os.getpid(), signal.SIGKILL)
    real(a, b)
fmt.os.rename = rename
res.save(sys.argv[1], overwrite=True)
"""


@pytest.mark.parametrize("kill_at", [1, 2])
def test_a_save_killed_during_overwrite_is_repaired_by_the_next_load(small_run, tmp_path, kill_at):
    """SIGKILL before the first rename (a .tmp is left) or between the two (the target is gone)."""
    path = tmp_path / "r"
    small_run.save(path)
    script = tmp_path / "kill.py"
    script.write_text(textwrap.dedent(_KILL_AT_RENAME))
    proc = subprocess.run([sys.executable, str(script), str(path), str(kill_at)], capture_output=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-2000:]
    hidden = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("."))
    assert hidden and all(".r.saving-" in name for name in hidden), hidden
    assert path.exists() == (kill_at == 1)
    with pytest.warns(ResultFileWarning) as warned:
        back = feedsim.load_result(path)
    assert back.summary() == small_run.summary()  # the old result, whole
    assert all(w.filename == __file__ for w in warned)  # points at the caller
    if kill_at == 2:
        assert any("restored the saved result" in str(w.message) for w in warned)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_leftovers_of_a_killed_save_are_cleaned_by_the_next_save(small_run, tmp_path):
    path = tmp_path / "r"
    stale = tmp_path / f".r.saving-{_dead_pid()}-abcd1234.tmp"
    stale.mkdir()
    (stale / "posts.parquet").write_bytes(b"half")
    legacy = tmp_path / ".r.x1y2z3w4.tmp"  # an older feedsim's name
    legacy.mkdir()
    other = tmp_path / ".r.5.saving-1-abcd1234.tmp"  # another result's (r.5) folder: not touched
    other.mkdir()
    with pytest.warns(ResultFileWarning, match="removed .* an unfinished save") as warned:
        small_run.save(path)
    assert len(warned) == 2 and all(w.filename == __file__ for w in warned)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".r.5.saving-1-abcd1234.tmp", "r"]


def test_the_folder_of_a_save_in_progress_is_left_alone(small_run, tmp_path):
    live = tmp_path / f".r.saving-{os.getppid()}-abcd1234.tmp"  # owner alive
    live.mkdir()
    small_run.save(tmp_path / "r")
    assert live.exists()


def test_an_old_result_is_restored_when_its_save_died_between_the_renames(small_run, tmp_path):
    path = tmp_path / "r"
    old = tmp_path / f".r.saving-{_dead_pid()}-abcd1234.old"
    old.mkdir()
    small_run.save(old / "r")
    with pytest.warns(ResultFileWarning, match="restored the saved result"):
        with pytest.raises(ResultFileError, match="already exists"):  # restored, so not overwritten
            small_run.save(path)
    assert feedsim.load_result(path).summary() == small_run.summary()


def test_saving_into_a_folder_that_cannot_be_written(small_run, tmp_path, monkeypatch):
    def refuse(*args, dir=None, **kwargs):
        raise PermissionError(13, "Permission denied", os.path.join(dir, ".r.saving-1-abcd1234.tmp"))

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    with pytest.raises(ResultFileError, match=r"cannot save to .*/r: Permission denied \(folder .* is not writable\)"
                       ) as e:
        small_run.save(tmp_path / "r")
    assert ".tmp" not in str(e.value) and "\n" not in str(e.value)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a folder this user cannot write")
def test_saving_into_a_read_only_folder(small_run, tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        with pytest.raises(ResultFileError, match="cannot save to .*ro/r: Permission denied"):
            small_run.save(ro / "r")
    finally:
        ro.chmod(0o755)


# ------------------------------------------------------------------ checkpoints
from feedsim.engine.checkpoint import MAGIC, checkpoint_info, run_checkpointed  # noqa: E402
from feedsim.errors import CheckpointError  # noqa: E402


@pytest.fixture(scope="module")
def graph60():
    return feedsim.networks.default_community(60, seed=1, mean_follows=10)


@pytest.fixture(scope="module")
def checkpoint_bytes(graph60, tmp_path_factory):
    path = tmp_path_factory.mktemp("ckpt") / "c.ckpt"
    feedsim.Simulation(graph60, seed=1).run(days=1, checkpoint=path)
    return path.read_bytes()


@pytest.mark.parametrize("bit", range(64))
def test_a_flipped_bit_in_the_header_length_is_refused_before_reading(graph60, checkpoint_bytes, tmp_path, bit):
    data = bytearray(checkpoint_bytes)
    data[len(MAGIC) + 32 + bit // 8] ^= 1 << (bit % 8)
    path = tmp_path / "c.ckpt"
    path.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="is damaged") as e:
        checkpoint_info(path)
    assert "\n" not in str(e.value)
    with pytest.raises(CheckpointError, match="is damaged"):
        run_checkpointed(feedsim.Simulation(graph60, seed=1), 2, path)


def _renamed_key(data: bytes, old: bytes, new: bytes, resign: bool) -> bytes:
    import hashlib

    start = len(MAGIC) + 40
    n = int.from_bytes(data[len(MAGIC) + 32:start], "little")
    head = data[start:start + n]
    assert old in head
    head = head.replace(old, new, 1)
    size = len(head).to_bytes(8, "little")
    rest = data[start + n:]
    digest = hashlib.sha256(size + head + rest).digest() if resign else data[len(MAGIC):len(MAGIC) + 32]
    return MAGIC + digest + size + head + rest


@pytest.mark.parametrize("resign", [False, True], ids=["checksum-stale", "checksum-updated"])
@pytest.mark.parametrize("key", [b'"day"', b'"hours"', b'"fingerprint"'])
def test_a_renamed_header_key_is_refused_in_one_line(graph60, checkpoint_bytes, tmp_path, key, resign):
    path = tmp_path / "c.ckpt"
    path.write_bytes(_renamed_key(checkpoint_bytes, key, key[:-2] + b'x"', resign))
    with pytest.raises(CheckpointError, match="is damaged") as e:
        run_checkpointed(feedsim.Simulation(graph60, seed=1), 2, path)
    assert "\n" not in str(e.value)


def test_the_cli_reports_a_damaged_checkpoint_in_one_line(checkpoint_bytes, tmp_path):
    path = tmp_path / "c.ckpt"
    path.write_bytes(_renamed_key(checkpoint_bytes, b'"day"', b'"dax"', resign=True))
    proc = subprocess.run([sys.executable, "-m", "feedsim", "run", "--users", "60", "--days", "2",
                           "--checkpoint", str(path)], capture_output=True, text=True)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr and "is damaged" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


# ------------------------------------------------------------------ posts.reach (deprecated)
def test_posts_reach_is_read_with_a_deprecation_warning_and_not_stored(small_run, tmp_path):
    assert "reach" not in small_run.posts and "reach" not in list(small_run.posts)
    with pytest.warns(DeprecationWarning, match="'reach' is deprecated .* read 'impressions'") as warned:
        reach = small_run.posts.reach
    assert reach is small_run.posts.impressions and warned[0].filename == __file__
    with pytest.warns(DeprecationWarning):
        assert small_run.posts["reach"] is small_run.posts.impressions
    path = tmp_path / "r"
    small_run.save(path)
    import pyarrow.parquet as pq

    assert "reach" not in pq.read_table(path / "posts.parquet").column_names
    back = feedsim.load_result(path)
    with pytest.warns(DeprecationWarning):
        assert (back.posts.reach == small_run.posts.impressions).all()


# ------------------------------------------------------------------ files written by feedsim 0.2.0
OLD = os.path.join(os.path.dirname(__file__), "data", "feedsim_0.2.0")


def test_a_result_saved_by_feedsim_0_2_loads_as_it_was(tmp_path):
    """Format 1 (no SHA256SUMS, posts.reach stored, pairs as int64): the same run, the same summary.

    The file was made before unfollows, decaying mutual affinity and the even split of a short
    feed over a tick's sessions, so today's engine no longer makes the same run. It loads with the
    model it was made with (``unfollow_share=0``, ``mutual_affinity_lasts=True``), and its summary
    equals the one recorded beside it, which feedsim 0.3.0 (a757f5f) computed both by running the
    same settings (``default_community(60, seed=1, mean_follows=10)``, ``seed=1``,
    ``out_of_network_share`` 0.2 from day 1, 2 days) and by loading this file.
    """
    import shutil

    path = tmp_path / "r"
    shutil.copytree(os.path.join(OLD, "result_v1"), path)
    back = feedsim.load_result(path)
    summary = back.summary()
    config = summary.pop("config")
    assert config["unfollow_share"] == 0.0 and config["mutual_affinity_lasts"] is True
    with open(os.path.join(OLD, "result_v1_summary.json")) as f:
        assert json.loads(json.dumps(summary)) == json.load(f)
    assert "reach" not in back.posts
    with pytest.warns(DeprecationWarning):
        assert (back.posts.reach == back.posts.impressions).all()
    # format 1 has no checksum of result.json, but those of its tables still hold
    (path / "posts.parquet").write_bytes((path / "posts.parquet").read_bytes()[:-1])
    with pytest.raises(ResultFileError, match="posts.parquet is corrupt"):
        feedsim.load_result(path)


def test_a_store_written_by_feedsim_0_2_loads_with_a_note_and_is_upgraded_by_a_sweep(tmp_path):
    import shutil

    from feedsim.sweeps import StoreDamagedError, StoreWarning, load_results, run_sweep

    db = tmp_path / "s.sqlite"
    shutil.copy(os.path.join(OLD, "store_v2.sqlite"), db)
    with pytest.warns(StoreWarning, match="store schema 2\\): 2 runs have no checksums"):
        old = load_results(db)
    spec = feedsim.SweepSpec(seed=1, days=2, replicates=1, graph={"n_users": 60, "seed": 0, "mean_follows": 10},
                             grid={"ranker": ["chronological", "engagement"]}, metrics=["gini_impressions"],
                             daily=["posts"])
    report = run_sweep(spec, str(db), workers=1)
    assert report.skipped == 2  # nothing rerun: the old runs are the same runs
    new = load_results(db)  # no warning: checksummed now
    assert new["gini_impressions"].tolist() == old["gini_impressions"].tolist()
    import sqlite3

    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE daily SET value = value + 1 WHERE rowid = 1")
    with pytest.raises(StoreDamagedError):
        load_results(db)
