"""result.save / feedsim.load_result: Parquet tables and a JSON record that give back the same result."""

from __future__ import annotations

import hashlib
import json
import os
import sys

import networkx as nx
import numpy as np
import pytest

import feedsim
from feedsim import MissingDependencyError, ResultFileError
from feedsim.engine.platform import Platform

pytest.importorskip("pyarrow")


def _same_tables(a, b):
    assert (a is None) == (b is None)
    if a is None:
        return
    assert list(a) == list(b)
    for col in a:
        assert a[col].dtype == b[col].dtype, col
        np.testing.assert_array_equal(a[col], b[col], err_msg=col)


def _check_round_trip(res, path, baseline=None):
    res.save(path)
    back = feedsim.load_result(path)
    assert back.summary() == res.summary()
    if baseline is not None:
        assert back.summary(baseline=baseline) == res.summary(baseline=baseline)
    for name in ("posts", "authors", "impressions", "sessions"):
        _same_tables(getattr(res, name), getattr(back, name))
    assert list(back.daily) == list(res.daily)
    for key in res.daily:
        assert back.daily[key].dtype == res.daily[key].dtype and back.daily[key].shape == res.daily[key].shape
        np.testing.assert_array_equal(back.daily[key], res.daily[key])
    for x, y in zip(res._pairs, back._pairs):
        np.testing.assert_array_equal(x, y)
    assert back.config == res.config and back.seed == res.seed and back.ranker == res.ranker
    assert back.interventions == res.interventions and back.stats == res.stats
    assert back.post_id_offset == res.post_id_offset and back.days == res.days
    # the loaded seed rebuilds the run
    assert back.seed.seed_sequence().generate_state(2).tolist() == res.seed.seed_sequence().generate_state(2).tolist()
    return back


@pytest.fixture(scope="module")
def community_run(community):
    return feedsim.Simulation(community, ranker="engagement", seed=7, record_impressions=True).run(days=2)


def test_round_trip_keeps_every_table_and_the_summary(community_run, tmp_path):
    back = _check_round_trip(community_run, tmp_path / "run")
    pd_frames = back.to_frames()
    assert len(pd_frames["impressions"]) == int(community_run.posts.impressions.sum()) > 0
    record = json.loads((tmp_path / "run" / "result.json").read_text())
    assert record["seed"] == community_run.seed.to_dict()
    assert {"feedsim", "numpy", "pyarrow", "pandas"} <= set(record["versions"])
    import pandas as pd

    posts = pd.read_parquet(tmp_path / "run" / "posts.parquet")  # plain Parquet, readable without feedsim
    assert len(posts) == len(community_run.posts)


def test_round_trip_with_folded_posts(community, tmp_path, monkeypatch):
    monkeypatch.setattr(Platform, "FOLD_MIN", 1)
    res = feedsim.Simulation(community, seed=8, keep_posts=False, max_age_hours=6).run(days=3)
    assert res.post_id_offset > 0 and res.folded is not None
    back = _check_round_trip(res, tmp_path / "folded")
    for k in res.folded:
        assert back.folded[k].dtype == res.folded[k].dtype
        np.testing.assert_array_equal(back.folded[k], res.folded[k])


def test_round_trip_with_interventions_and_a_baseline(community, tmp_path):
    base = feedsim.Simulation(community, ranker="chronological", seed=9).run(days=2)
    sim = feedsim.Simulation(community, ranker="chronological", seed=9)
    sim.switch_ranker("engagement", at_day=1)
    sim.set_param("out_of_network_share", 0.2, at_day=1)
    sim.campaign([0, 1], posts_per_day=3, start_day=0.5, days=1)
    res = sim.run(days=2)
    assert len(res.interventions) >= 2
    back = _check_round_trip(res, tmp_path / "iv", baseline=base)
    assert back.summary()["interventions"] == res.summary()["interventions"]


@pytest.mark.parametrize("ids", [["star", "a", "b"], [10, 20, 30], [("x", 1), "y", 3]])
def test_node_ids_come_back(ids, tmp_path):
    G = nx.DiGraph([(ids[0], ids[1]), (ids[1], ids[0]), (ids[2], ids[0])])
    nx.set_node_attributes(G, "regular", "role")
    res = feedsim.Simulation(G, seed=1).run(days=1)
    back = _check_round_trip(res, tmp_path / "ids")
    assert back.authors.node_id.tolist() == list(ids)


def test_existing_path_needs_overwrite(community_run, tmp_path):
    path = tmp_path / "run"
    community_run.save(path)
    with pytest.raises(ResultFileError, match="already exists; pass overwrite=True"):
        community_run.save(path)
    community_run.save(path, overwrite=True)
    assert feedsim.load_result(path).summary() == community_run.summary()
    other = tmp_path / "notes"
    other.mkdir()
    with pytest.raises(ResultFileError, match="is not a saved feedsim result; not replacing it"):
        community_run.save(other, overwrite=True)
    assert [p for p in os.listdir(tmp_path) if p.startswith(".")] == []  # no temporary left behind


def _one_line(exc_info):
    text = str(exc_info.value)
    assert "\n" not in text
    assert isinstance(exc_info.value, OSError) and isinstance(exc_info.value, feedsim.FeedsimError)
    return text


def _resign(path):
    """Rewrite SHA256SUMS for the files now in ``path`` (a hand edit that keeps the manifest consistent)."""
    names = sorted(p.name for p in path.iterdir() if p.name != "SHA256SUMS")
    (path / "SHA256SUMS").write_text("".join(f"{hashlib.sha256((path / n).read_bytes()).hexdigest()}  {n}\n"
                                             for n in names))


def test_missing_and_corrupt_files_give_one_line_errors(community_run, tmp_path):
    with pytest.raises(ResultFileError, match="no such saved result") as e:
        feedsim.load_result(tmp_path / "nothing")
    _one_line(e)
    with pytest.raises(ResultFileError, match="is not a saved feedsim result"):
        feedsim.load_result(tmp_path)
    path = tmp_path / "run"
    community_run.save(path)
    meta = path / "result.json"
    good = meta.read_text()

    (path / "posts.parquet").write_bytes(b"PAR1 not really")  # changed after saving: checksum
    with pytest.raises(ResultFileError, match="posts.parquet is corrupt \\(its SHA-256 differs") as e:
        feedsim.load_result(path)
    _one_line(e)
    _resign(path)  # a corrupt file whose checksum was updated: Parquet's own error
    with pytest.raises(ResultFileError, match="posts.parquet is corrupt \\(cannot read it as Parquet") as e:
        feedsim.load_result(path)
    _one_line(e)
    (path / "posts.parquet").unlink()
    with pytest.raises(ResultFileError, match="is incomplete: posts.parquet is missing"):
        feedsim.load_result(path)

    community_run.save(path, overwrite=True)
    meta.write_text(good[: len(good) // 2])  # result.json is covered by SHA256SUMS too
    with pytest.raises(ResultFileError, match="result.json is corrupt \\(its SHA-256 differs") as e:
        feedsim.load_result(path)
    _one_line(e)
    _resign(path)
    with pytest.raises(ResultFileError, match="result.json is corrupt \\(not valid JSON") as e:
        feedsim.load_result(path)
    _one_line(e)
    record = json.loads(good)
    record["config"]["attention_span"] = 3  # a field from another feedsim version
    meta.write_text(json.dumps(record))
    _resign(path)
    with pytest.raises(ResultFileError, match="config fields this feedsim .* does not know: attention_span"):
        feedsim.load_result(path)
    record = json.loads(good)
    record["format_version"] = 99
    meta.write_text(json.dumps(record))
    _resign(path)
    with pytest.raises(ResultFileError, match="format version 99; this feedsim .* reads versions up to 2"):
        feedsim.load_result(path)
    (path / "SHA256SUMS").write_text("not a manifest\n")
    with pytest.raises(ResultFileError, match="SHA256SUMS is corrupt") as e:
        feedsim.load_result(path)
    _one_line(e)
    record["format_version"] = 2
    meta.write_text(json.dumps(record))
    (path / "SHA256SUMS").unlink()
    with pytest.raises(ResultFileError, match="is incomplete: SHA256SUMS is missing") as e:
        feedsim.load_result(path)


def test_without_pyarrow_the_error_names_the_extra(community_run, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow now raises ImportError
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(MissingDependencyError, match='pip install "feedsim\\[io\\]"') as e:
        community_run.save(tmp_path / "x")
    assert isinstance(e.value, ImportError) and "\n" not in str(e.value)
    with pytest.raises(MissingDependencyError, match='pip install "feedsim\\[io\\]"'):
        feedsim.load_result(tmp_path / "x")
    assert not (tmp_path / "x").exists()
