"""``feedsim results DB --parquet FILE``: a sweep store's run table as one Parquet file."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

import feedsim
from feedsim.cli import main

pytest.importorskip("pyarrow")


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("store") / "r.sqlite")
    spec = feedsim.SweepSpec(seed=3, days=1, replicates=2, graph={"n_users": 100, "seed": 0},
                             grid={"ranker": ["chronological", "engagement"]},
                             metrics=["gini_impressions", "voice_ratio.quiet"])
    feedsim.run_sweep(spec, path, workers=1)
    return path


def test_parquet_export_equals_load_results(db, tmp_path, capsys):
    out = tmp_path / "runs.parquet"
    assert main(["results", db, "--parquet", str(out)]) == 0
    assert capsys.readouterr().out.strip() == f"4 runs written to {out}"
    back = pd.read_parquet(out)
    table = feedsim.load_results(db)
    assert list(back.columns) == list(table.columns) and len(back) == 4
    for col in ("run_key", "ranker", "status", "feedsim_version"):
        assert back[col].tolist() == table[col].tolist()
    np.testing.assert_array_equal(back["gini_impressions"].to_numpy(), table["gini_impressions"].to_numpy())
    assert back["replicate"].dtype == np.int64
    assert [tuple(v) for v in back["spawn_key"]] == table["spawn_key"].tolist()
    assert (back["started_at"] == table["started_at"]).all()


def test_parquet_export_without_pyarrow_is_one_line(db, tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    assert main(["results", db, "--parquet", str(tmp_path / "x.parquet")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("feedsim: error: ") and len(err.splitlines()) == 1
    assert 'pip install "feedsim[io]"' in err
    assert not (tmp_path / "x.parquet").exists()


def test_parquet_export_to_a_missing_folder(db, tmp_path, capsys):
    assert main(["results", db, "--parquet", str(tmp_path / "no" / "x.parquet")]) == 2
    err = capsys.readouterr().err
    assert "cannot write" in err and "no such directory" in err and len(err.splitlines()) == 1
