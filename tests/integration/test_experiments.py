"""Each story experiment runs with --quick and writes the figures and numbers it reports.

The five scripts run concurrently (two cores in CI) in a temporary output directory;
each test then checks one script's exit status, its summary.json, that the finding it
printed is the one stored, that the stored numbers are the ones in the finding, and
that every figure it lists is a PNG on disk.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from _script_runs import check_stat as _check_stat
from _script_runs import check_figures

ROOT = Path(__file__).resolve().parents[2]
EXPERIMENTS = ROOT / "experiments"
NAMES = ["frontrunners", "quiet_voices", "gesture_bank", "treadmill", "community_vs_broadcast"]
sys.path.insert(0, str(EXPERIMENTS))
import _common  # noqa: E402

sys.path.remove(str(EXPERIMENTS))

# Five story scripts run end to end: the slow tier (pytest -m slow).
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def runs(quick_runs):
    """Every script run with --quick (once per session, conftest.py): {name: (returncode, stdout, stderr, out)}."""
    return quick_runs


def load(runs, name):
    code, stdout, stderr, out = runs[name]
    assert code == 0, f"{name} failed:\n{stderr}"
    summary = json.loads((out / "summary.json").read_text())
    assert summary["experiment"] == name and summary["quick"] is True and summary["replicates"] == 2
    assert summary["question"] and summary["parameters"] and summary["results"]
    assert summary["finding"] in stdout  # what it printed is what it stored
    assert len(summary["figures"]) >= 1
    for fig in summary["figures"]:
        assert (out / fig).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", fig
    assert sorted(p.name for p in out.glob("*.png")) == sorted(summary["figures"])
    check_figures(out, summary["figures"])
    return summary


def check_stat(s, low=None, high=None, n=2):
    _check_stat(s, low, high, n=n)


def test_frontrunners(runs):
    s = load(runs, "frontrunners")
    assert s["parameters"]["switch_day"] < s["parameters"]["days"]
    for arm in ("algorithm change", "chronological throughout"):
        for when in ("before", "after"):
            r = s["results"][arm][when]
            check_stat(r["participation"], 0, 1)
            check_stat(r["creator_retention"], 0, 1)
            shares = sum(r["impression_share"][role]["mean"] for role in r["impression_share"])
            assert shares == pytest.approx(1.0)
    a = s["results"]["algorithm change"]
    assert _common.fmt(a["after"]["participation"], pct=True) in s["finding"]
    assert _common.fmt(a["after"]["creator_retention"], pct=True) in s["finding"]


def test_quiet_voices(runs):
    s = load(runs, "quiet_voices")
    rankers = s["parameters"]["rankers"]
    assert rankers == ["chronological", "engagement", "platform_favoring", "fair_exposure"]
    for r in rankers:
        res = s["results"][r]
        check_stat(res["voice_ratio"]["quiet"], 0)
        check_stat(res["follower_reach"]["quiet"], 0, 1)
        assert _common.fmt(res["voice_ratio"]["quiet"]) in s["finding"]
    assert s["results"]["chronological"]["amplification"]["quiet"]["mean"] == 0.0


def test_gesture_bank(runs):
    s = load(runs, "gesture_bank")
    res = s["results"]
    for arm in ("reciprocity on", "reciprocity off"):
        check_stat(res[arm]["reciprocal_share"], 0, 1)
        check_stat(res[arm]["exact_share"], 0, 1)
        assert _common.fmt(res[arm]["reciprocal_share"], pct=True) in s["finding"]
    for arm in ("disclosed", "undisclosed"):
        check_stat(res[arm]["promoters"]["engagement_per_sponsored_post"], 0)
    assert set(res["reach_gain_from_reciprocity"]) == {"influencer", "regular", "quiet", "brand"}


def test_treadmill(runs):
    s = load(runs, "treadmill")
    for r in ("chronological", "engagement"):
        for strategy in ("front", "centre", "back"):
            check_stat(s["results"][r][strategy]["reach_per_post"], 0)
            check_stat(s["results"][r][strategy]["posts"], 1)
        assert _common.fmt(s["results"][r]["front_over_back_reach"]) in s["finding"]
    assert "values" in s["results"]["advantage_engagement_minus_chronological"]


def test_community_vs_broadcast(runs):
    s = load(runs, "community_vs_broadcast")
    for r in s["parameters"]["rankers"]:
        for group in ("broadcasting brand", "conversing brand", "regular member"):
            g = s["results"][r][group]
            check_stat(g["reach_per_post"], 0)
            check_stat(g["engagement_per_impression"], 0, 1)
            assert _common.fmt(g["reach_per_post"], digits=1) in s["finding"]
