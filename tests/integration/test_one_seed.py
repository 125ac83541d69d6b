"""One setting, one set of numbers: every entry point seeds replicate r with feedsim.replicate_seeds.

The explorer (``explore_state``), notebook 02 (which calls it with its own settings), the
HTML report, ``feedsim compare --json``, ``feedsim run --json`` and the Python API must give
the same quiet members' voice ratios, bit for bit, at the same accounts, days and seed. The
default tier checks a small setting; the slow tier the lesson's own (1,000 accounts, 7 days,
seed 1, the explorer's default number of communities).
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import feedsim
from feedsim import lesson
from feedsim.cli import main
from feedsim.lesson.report import report_html, voice_ratios

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "02_how_ranking_silences_quiet_voices.ipynb"
RANKERS = ("chronological", "engagement")


def _cli(*args: str) -> dict:
    env = dict(os.environ, NUMBA_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, "-m", "feedsim", *args, "--json"], capture_output=True, text=True,
                          timeout=900, env=env)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _notebook_settings() -> dict:
    """N_USERS, DAYS, SEED and REPLICATES as notebook 02 sets them (its first code cell)."""
    nb = json.loads(NOTEBOOK.read_text())
    code = "".join(next(c for c in nb["cells"] if c["cell_type"] == "code")["source"])
    names: dict = {"lesson": lesson}
    for node in ast.parse(code.replace("%matplotlib inline", "")).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, (ast.Name, ast.Tuple)) and
                                                {"N_USERS", "REPLICATES"} & {n.id for n in ast.walk(t)
                                                                             if isinstance(n, ast.Name)}
                                                for t in node.targets):
            exec(compile(ast.Module([node], []), "nb", "exec"), names)  # noqa: S102 - the notebook's own lines
    return {"n_users": names["N_USERS"], "days": names["DAYS"], "seed": names["SEED"],
            "replicates": names["REPLICATES"]}


def entry_point_numbers(n_users: int, days: float, seed: int, replicates: int, *, notebook: bool = False) -> dict:
    """Quiet voice ratio per entry point and ranker: ``{entry: {ranker: (estimate, values)}}``."""
    out = {}
    state = lesson.explore_state(n_users=n_users, days=days, seed=seed, replicates=replicates)
    out["explorer"] = {n: (state.voice[n]["estimate"], state.voice[n]["values"]) for n in RANKERS}
    if notebook:
        nb = lesson.explore_state(**_notebook_settings(), ranker="engagement")
        out["notebook 02"] = {n: (nb.voice[n]["estimate"], nb.voice[n]["values"]) for n in RANKERS}
    cmp = feedsim.compare(n_users, days=days, seed=seed, replicates=replicates)
    out["python"] = {n: (cmp.voice[n]["quiet"]["estimate"], cmp.voice[n]["quiet"]["values"]) for n in RANKERS}
    rep = voice_ratios(cmp, "quiet")
    out["report"] = {n: (rep[n]["estimate"], rep[n]["values"]) for n in RANKERS}
    page = report_html(cmp)
    finding = re.search(r'<p id="finding">(.*?)</p>', page, re.S).group(1)
    shown = re.search(r"got (\d\.\d\d)% of impressions under engagement ranking \(voice ratio, mean over "
                      rf"{replicates} communities; (\d\.\d\d) under chronological\)", finding)
    assert shown, finding
    assert shown.groups() == (f"{rep['engagement']['estimate']:.2f}", f"{rep['chronological']['estimate']:.2f}")
    payload = _cli("compare", "--users", str(n_users), "--days", str(days), "--seed", str(seed),
                   "--replicates", str(replicates))
    voice = payload["voice"]
    out["feedsim compare --json"] = {n: (voice[n]["quiet"]["estimate"], voice[n]["quiet"]["values"]) for n in RANKERS}
    # every one records the same seeds: replicate r's community and runs
    seeds = [feedsim.replicate_seeds(seed, r).to_dict() for r in range(replicates)]
    assert payload["config"]["seeds"] == cmp.config["seeds"] == state.to_dict()["seeds"] == seeds
    return out


def _check_same(numbers: dict) -> None:
    want = numbers["explorer"]
    for entry, got in numbers.items():
        for name in RANKERS:
            assert got[name][0] == want[name][0], (entry, name, got[name], want[name])
            np.testing.assert_array_equal(got[name][1], want[name][1], err_msg=f"{entry} {name}")
    assert want["engagement"][1] != want["chronological"][1]  # the rankers differ: the check can fail


def test_every_entry_point_gives_the_same_quiet_voice_ratios(capsys):
    numbers = entry_point_numbers(300, 2, 1, 2)
    _check_same(numbers)
    # replicate 0 is the single run on the seed: `feedsim run` and a one-replicate comparison give it
    capsys.readouterr()
    assert main(["run", "--users", "300", "--days", "2", "--seed", "1", "--ranker", "engagement", "--json"]) == 0
    one = json.loads(capsys.readouterr().out)
    assert one["config"]["graph"]["seed"] == feedsim.replicate_seeds(1).to_dict()["graph"]
    G = feedsim.replicate_community(300, seed=1)  # the one-line Python equivalent the CLI records
    assert one["config"]["graph"]["python"] == "feedsim.replicate_community(300, seed=1)"
    here = feedsim.Simulation(G, ranker="engagement", seed=1).run(days=2).summary()
    assert one["voice_ratio"]["quiet"] == here["voice_ratio"]["quiet"] == numbers["explorer"]["engagement"][1][0]
    single = feedsim.compare(300, days=2, seed=1)
    assert single.voice["engagement"]["quiet"]["values"] == [here["voice_ratio"]["quiet"]]


@pytest.mark.slow
def test_the_lesson_setting_gives_one_set_of_numbers_everywhere():
    """1,000 accounts, 7 days, seed 1, the explorer's default communities: as the page, notebook 02 and the CLI show."""
    settings = _notebook_settings()
    assert settings == {"n_users": 1000, "days": 7, "seed": 1, "replicates": lesson.ExploreParams().replicates}
    numbers = entry_point_numbers(1000, 7, 1, settings["replicates"], notebook=True)
    _check_same(numbers)
    for entry, got in numbers.items():  # shown in the test log (pytest -s): the table of the closing note
        print(entry, {n: round(v[0], 4) for n, v in got.items()}, {n: [round(x, 4) for x in v[1]]
                                                                   for n, v in got.items()})


def test_a_community_per_replicate_from_a_size_or_a_callable():
    kw = dict(rankers=["engagement"], days=1, seed=2, replicates=2)
    by_size = feedsim.compare(150, **kw)
    by_call = feedsim.compare(lambda ss: feedsim.networks.default_community(150, mean_follows=40, seed=ss), **kw)
    assert json.dumps(by_size.to_dict(), sort_keys=True) == json.dumps(by_call.to_dict(), sort_keys=True)
    assert [s["graph"] for s in by_size.config["seeds"]] == [feedsim.replicate_seeds(2, r).to_dict()["graph"]
                                                             for r in range(2)]
    # one fixed graph (replicate 0's community): replicate 0 is the same run, replicate 1 only reruns it
    fixed = feedsim.compare(feedsim.replicate_community(150, seed=2), **kw)
    a, b = by_size.voice["engagement"]["quiet"]["values"], fixed.voice["engagement"]["quiet"]["values"]
    assert a[0] == b[0] and a[1] != b[1]
    assert fixed.config["seeds"][1]["graph"] is None and "Replicate 0 of 2" in fixed.table()
