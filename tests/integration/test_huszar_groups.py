"""experiments/field/huszar_groups.py: Huszár et al.'s group design, day by day (issue 31, part 4)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from _script_runs import check_figures, run_quick

import feedsim
from feedsim.amplification import ViewerSplit, split_amplification

FIELD = Path(__file__).resolve().parents[2] / "experiments" / "field"


@pytest.fixture(scope="module")
def H():
    sys.path[:0] = [str(FIELD), str(FIELD.parent)]
    try:
        import huszar_groups
    finally:
        del sys.path[:2]
    return huszar_groups


def test_daily_reach_matches_split_amplification_and_control_sees_only_followed(H):
    G = feedsim.networks.default_community(400, seed=2)
    parties = H.legislators(G, 5, np.random.default_rng(1))
    assert sum(len(m) for m in parties.values()) == 15
    assert {G.nodes[int(v)]["post_rate"] for v in parties["prolific"]} == {12.0}
    split = ViewerSplit.holdout("engagement", H.in_network_chronological, control_share=0.2, seed=3)
    res = feedsim.Simulation(G, ranker=split, seed=4, out_of_network_share=0.2, record_impressions=True).run(days=1)
    arms = split.arms(len(res.authors))
    log = res.impressions
    shown_control = arms[np.asarray(log["viewer"])] == 0
    assert shown_control.any() and np.asarray(log["in_network"])[shown_control].all()  # the holdout: no trending slots
    assert not np.asarray(log["in_network"])[~shown_control].all()  # the ranked arm gets out-of-network items
    # the whole-run row, grouped by role, is feedsim's own split_amplification
    role = np.asarray(res.authors.role, dtype=np.int64)
    got = H.daily_amplification(res, split, role, len(feedsim.ROLES), 1)[-1]
    want = split_amplification(res, split)["role"]
    for code, name in enumerate(feedsim.ROLES):
        if want[name]["amplification"] is not None:
            assert got[code] == pytest.approx(want[name]["amplification"], rel=1e-12, abs=1e-12), name


@pytest.mark.slow
def test_quick_run_reports_group_amplification_with_intervals(tmp_path):
    code, stdout, stderr, out = run_quick({"huszar_groups": FIELD / "huszar_groups.py"}, tmp_path)["huszar_groups"]
    assert code == 0, stderr
    s = json.loads((out / "summary.json").read_text())
    assert s["experiment"] == "field/huszar_groups" and s["quick"] and s["finding"] in stdout
    check_figures(out, s["figures"])
    for arm in s["parameters"]["arms"]:
        for window in ("daily", "whole_run"):
            for group, st in s["results"][arm][window].items():
                assert st["mean"] > -1 and st["lo"] <= st["mean"] <= st["hi"], (arm, window, group)
    # the everyone-else group is nearly every active viewer in both arms: its reach is not amplified
    rest = s["results"]["ranked + out-of-network"]["daily"]["everyone else"]
    assert rest["lo"] < 0.05 and rest["hi"] > -0.05
