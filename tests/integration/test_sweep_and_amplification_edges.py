"""Edge cases of sweeps and amplification: readers during a sweep, ranker names, empty arms, zeros."""

import sqlite3

import pytest

import feedsim
from feedsim.amplification import ViewerSplit, paired_amplification, split_amplification
from feedsim.sweeps.spec import SweepSpecError
from feedsim.rankers.presets import X2026Ranker

SPEC = dict(seed=5, days=1, replicates=2, graph={"n_users": 100, "seed": 0},
            grid={"ranker": ["chronological", "engagement"]},
            metrics=["gini_impressions"], daily=["posts"])


def test_a_reader_holding_a_transaction_does_not_abort_a_sweep(tmp_path):
    db = str(tmp_path / "r.sqlite")
    feedsim.sweeps.ResultsStore(db).close()  # create (in WAL mode)
    reader = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    reader.execute("BEGIN")
    reader.execute("SELECT * FROM runs").fetchall()  # an open read transaction, as a notebook may hold
    try:
        report = feedsim.run_sweep(feedsim.SweepSpec(**SPEC), db, workers=1)
    finally:
        reader.execute("ROLLBACK")
        reader.close()
    assert report.done == 4 and report.failed == []
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT COUNT(*) FROM runs WHERE status = 'ok'").fetchone() == (4,)
        assert con.execute("SELECT COUNT(*) FROM sweep_lock").fetchone() == (0,)


def test_a_variant_under_a_built_in_rankers_name_is_refused():
    variant = X2026Ranker(oon_factor=0.0)
    with pytest.raises(SweepSpecError, match=r"grid\.ranker\[0\].*name of a built-in ranker"):
        feedsim.SweepSpec(**{**SPEC, "grid": {"ranker": [variant]}})

    def x2026_without_oon(c, rng):
        return variant(c, rng)

    spec = feedsim.SweepSpec(**{**SPEC, "grid": {"ranker": [x2026_without_oon]}})
    assert feedsim.rankers.ranker_name(spec.grid["ranker"][0]) == "x2026_without_oon"


def test_paired_amplification_keeps_replicates_where_a_group_vanished():
    out = paired_amplification([0.0, 0.0, 0.0, 1.2, 1.3], [1.0] * 5)
    assert out["n"] == 5 and out["n_zero"] == 3
    assert out["estimate"] == pytest.approx(0.5 / 1.0 - 1.0)  # ratio of means, not +25%
    assert out["ci_low"] is None and out["ci_high"] is None


def test_split_amplification_is_undefined_for_an_empty_arm():
    G = feedsim.networks.default_community(200, seed=1)
    for share in (0.0, 1.0):
        split = ViewerSplit("engagement", share=share, seed=1)
        res = feedsim.Simulation(G, ranker=split, seed=1).run(days=1)
        out = split_amplification(res, split)
        for table in (v for k, v in out.items() if isinstance(v, dict)):
            for row in table.values():
                assert row["amplification"] is None
