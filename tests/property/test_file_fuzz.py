"""Byte mutations of a saved result, a checkpoint and a sweep store: a one-line error or the same data.

Each test draws one change of one file (a byte XORed with a non-zero mask, or the
file cut short) and asserts that reading it either raises the module's one-line
error (ResultFileError, CheckpointError, StoreError) or gives back exactly what
was saved: never another exception, and never different data.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import feedsim
from feedsim.engine.checkpoint import run_checkpointed
from feedsim.errors import CheckpointError, ResultFileError
from feedsim.sweeps import StoreError, StoreWarning, load_daily, load_results, run_sweep

pytest.importorskip("pyarrow")

#: a change: (where, XOR mask) or (where, None) to cut the file there; ``where`` is a fraction of the
#: file, or a byte offset into its first 2 KiB (headers and records: where a change could go unnoticed)
mutations = st.tuples(st.one_of(st.floats(0, 1, exclude_max=True), st.integers(0, 2047)),
                      st.one_of(st.integers(1, 255), st.none()))


def _mutate(data: bytes, change) -> bytes:
    where, mask = change
    i = min(where, len(data) - 1) if isinstance(where, int) else int(where * len(data))
    if mask is None:
        return data[:i]
    out = bytearray(data)
    out[i] ^= mask
    return bytes(out)


class _Data(tuple):
    """Fixture data with a short repr (Hypothesis prints the arguments of a failing example)."""

    def __repr__(self) -> str:
        return f"<{len(self)} items>"


def _one_line(exc: BaseException) -> None:
    text = str(exc)
    assert text and "\n" not in text, repr(text)


@pytest.fixture(scope="module")
def graph():
    return feedsim.networks.default_community(60, seed=1, mean_follows=10)


# ------------------------------------------------------------------ saved results
@pytest.fixture(scope="module")
def saved(graph, tmp_path_factory):
    sim = feedsim.Simulation(graph, seed=1, record_impressions=True)
    sim.set_param("out_of_network_share", 0.2, at_day=1)
    res = sim.run(days=2)
    path = tmp_path_factory.mktemp("saved") / "r"
    res.save(path)
    files = {name: (path / name).read_bytes() for name in sorted(os.listdir(path))}
    return _Data((res.summary(), files))


@settings(max_examples=200, deadline=None)
@given(name=st.one_of(st.just("result.json"), st.sampled_from(["SHA256SUMS", "authors.parquet", "daily.parquet",
                                                                   "impressions.parquet", "pairs.parquet",
                                                                   "posts.parquet", "sessions.parquet"])),
       change=mutations)
def test_a_mutated_saved_result_is_refused_or_identical(saved, name, change):
    summary, files = saved
    assert name in files
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "r")
        os.mkdir(path)
        for n, data in files.items():
            with open(os.path.join(path, n), "wb") as fh:
                fh.write(_mutate(data, change) if n == name else data)
        try:
            back = feedsim.load_result(path)
        except ResultFileError as exc:
            _one_line(exc)
            assert name in str(exc) or "SHA256SUMS" in str(exc), (name, str(exc))
        else:
            assert back.summary() == summary


# ------------------------------------------------------------------ checkpoints
@pytest.fixture(scope="module")
def checkpoint(graph, tmp_path_factory):
    path = tmp_path_factory.mktemp("ckpt") / "c.ckpt"
    feedsim.Simulation(graph, seed=1).run(days=1, checkpoint=path)
    whole = feedsim.Simulation(graph, seed=1).run(days=2).summary()
    return _Data((path.read_bytes(), whole))


@settings(max_examples=100, deadline=None)
@given(change=mutations)
def test_a_mutated_checkpoint_is_refused_or_resumes_identically(graph, checkpoint, change):
    data, whole = checkpoint
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "c.ckpt")
        with open(path, "wb") as fh:
            fh.write(_mutate(data, change))
        try:
            res, _ = run_checkpointed(feedsim.Simulation(graph, seed=1), 2, path)
        except CheckpointError as exc:
            _one_line(exc)
        else:
            assert res.summary() == whole


# ------------------------------------------------------------------ sweep stores
@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("store") / "s.sqlite"
    spec = feedsim.SweepSpec(seed=1, days=2, replicates=2, graph={"n_users": 60, "seed": 0, "mean_follows": 10},
                             grid={"ranker": ["chronological", "engagement"]},
                             metrics=["gini_impressions", "voice_ratio.quiet"], daily=["impressions", "posts"])
    run_sweep(spec, str(path), workers=1)
    with sqlite3.connect(path) as conn:  # everything in the one file
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")
    return _Data((path.read_bytes(), load_results(path), load_daily(path)))


@settings(max_examples=200, deadline=None)
@given(change=mutations)
def test_a_mutated_store_is_refused_or_identical(store, change):
    data, table, daily = store
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "s.sqlite")
        with open(path, "wb") as fh:
            fh.write(_mutate(data, change))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", StoreWarning)  # a note that runs are unchecked, not a change
                got, got_daily = load_results(path), load_daily(path)
        except StoreError as exc:
            _one_line(exc)
            assert "locked" not in str(exc)
        else:
            assert got.equals(table) and got_daily.equals(daily)
        shutil.rmtree(tmp, ignore_errors=True)
