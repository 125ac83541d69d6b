"""feedsim.calibrate: studies checked before any work, seeds, ABC-SMC stored and resumed, search, figure, CLI."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from feedsim import Simulation
from feedsim.calibrate import (
    Budget,
    CalibrationStudy,
    Prior,
    Target,
    calibrate,
    load_calibration,
    search,
)
from feedsim.cli import main
from feedsim.errors import InvalidParameterError

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from figure_rules import figure_problems  # noqa: E402

sys.path.pop(0)

pytest.importorskip("pyabc")

PRIOR = Prior("like_rate", 0.0, 0.2)
TARGET = Target("likes_per_impression", 0.012, 0.003)


def tiny(**kw) -> CalibrationStudy:
    args = dict(days=1, community={"n_users": 40}, base={"tick_hours": 24}, seed=5,
                budget=Budget(population_size=6, max_generations=3, predictive=3))
    args.update(kw)
    return CalibrationStudy([PRIOR], [TARGET], **args)


# ------------------------------------------------------------ refused before any work, one line each
BAD = [
    (lambda: Prior("like_rate", 0.0, 1.5), "parameters.like_rate: the prior's high must lie in like_rate's bounds"),
    (lambda: Prior("post_rate.regular", -1.0, 2.0), "parameters.post_rate.regular: the prior's low must lie in"),
    (lambda: Prior("no_such_rate", 0.0, 1.0), "unknown parameter 'no_such_rate'"),
    (lambda: Prior("burnout_days", 1, 5), "parameters: 'burnout_days' must be a float simulation parameter"),
    (lambda: Prior("post_rate.nobody", 0.1, 1.0), "parameters: 'post_rate.nobody' must be <attribute>.<role>"),
    (lambda: Prior("quality.regular.sigma", 0.0, 1.0), "quality has no declared spread per role"),
    (lambda: Prior("post_rate.regular.sigma", -0.5, 1.0), "the prior's low must be >= 0"),
    (lambda: Prior("like_rate", 0.1, 0.1), "the prior needs low < high"),
    (lambda: Prior("like_rate", 0.0, 0.1, log=True), "a log-uniform prior needs low > 0"),
    (lambda: Target("no_such_metric", 1.0, 1.0), "targets: statistic 'no_such_metric' is not a metric"),
    (lambda: Target("amplification.quiet", 0.0, 1.0), "needs a chronological partner run"),
    (lambda: Target("voice_ratio", 1.0, 1.0), "must be voice_ratio.<role>"),
    (lambda: Target("n_posts", 1.0, 0.0), "targets.sd must be a finite number > 0"),
    (lambda: Target("n_posts", float("nan"), 1.0), "targets.observed must be a finite number"),
    (lambda: Budget(population_size=1), "budget.population_size must be an integer >= 2"),
    (lambda: tiny(base={"like_rate": 0.1}), "base.like_rate is also a fitted parameter"),
    (lambda: tiny(base={"like_rat": 0.1}), "base.like_rat is not a simulation parameter"),
    (lambda: tiny(community={"n_user": 50}), "community.n_user is not a default_community keyword"),
    (lambda: tiny(days=1.5), "days must cover a whole number of ticks"),
    (lambda: CalibrationStudy([PRIOR, PRIOR], [TARGET], days=1), "parameters must have distinct names"),
    (lambda: CalibrationStudy.from_dict({"days": 1, "parameters": {}, "targets": [], "budgett": {}}),
     "budgett is not a calibration spec key"),
    (lambda: CalibrationStudy.from_dict({"days": 1, "targets": [], "parameters": {"like_rate": {"low": 0}}}),
     "parameters.like_rate must be a table with low, high"),
]


@pytest.mark.parametrize("make, message", BAD, ids=[m for _, m in BAD])
def test_bad_input_is_refused_in_one_line(make, message):
    with pytest.raises(InvalidParameterError) as info:
        make()
    text = str(info.value)
    assert message in text and "\n" not in text, text


# ------------------------------------------------------------ seeds and simulation
def test_role_attribute_at_its_default_reproduces_a_plain_run():
    """post_rate.regular at the declared median (1.75) and sigma (1.25) gives every account the value a plain
    run draws: the same run, post for post."""
    study = CalibrationStudy([Prior("post_rate.regular", 0.1, 10.0, log=True), Prior("post_rate.regular.sigma",
                                                                                      0.1, 2.0)],
                             [Target("n_posts", 1.0, 1.0), Target("n_impressions", 1.0, 1.0)], days=2,
                             community={"n_users": 60}, base={"tick_hours": 12})
    values = {"post_rate.regular": 1.75, "post_rate.regular.sigma": 1.25}
    plain = Simulation(study.community_graph(), seed=study.run_seed(values), tick_hours=12).run(days=2)
    assert study.simulate(values) == {"n_posts": plain.summary()["n_posts"],
                                      "n_impressions": plain.summary()["n_impressions"]}
    # and a higher median means more posts (same deviates, scaled)
    more = study.simulate({**values, "post_rate.regular": 5.0})
    assert more["n_posts"] > plain.summary()["n_posts"]


def test_run_seed_follows_the_values_and_the_study_seed():
    study = tiny()
    a, b = study.run_seed({"like_rate": 0.05}), study.run_seed({"like_rate": 0.05000001})
    assert a.spawn_key != b.spawn_key
    assert study.run_seed({"like_rate": 0.05}).spawn_key == a.spawn_key
    assert tiny(seed=6).run_seed({"like_rate": 0.05}).entropy == 6
    assert study.run_seed({"like_rate": 0.05}, replicate=1).spawn_key != a.spawn_key


# ------------------------------------------------------------ ABC-SMC: stored, resumed, reproducible
@pytest.fixture(scope="module")
def whole(tmp_path_factory):
    """The tiny study run to the end without a stop."""
    return calibrate(tiny(), tmp_path_factory.mktemp("cal") / "whole.db")


def test_stopped_after_one_generation_resumes_to_the_same_posterior(whole, tmp_path):
    before = np.random.get_state()[1].copy()  # noqa: NPY002  (the global-RNG sentinel)
    db = tmp_path / "stopped.db"
    first = calibrate(tiny(), db, generations=1)
    assert not first.done and len(first.generations) == 1 and first.targets.matched.isna().all()
    again = calibrate(tiny(), db)
    assert again.done and len(again.generations) == 3 == len(whole.generations)
    # bit-identical to the run that never stopped (SingleCoreSampler, generations seeded from the study seed)
    assert again.particles.equals(whole.particles)
    assert again.posterior.equals(whole.posterior)
    assert again.generations[["t", "epsilon", "simulations"]].equals(whole.generations[["t", "epsilon",
                                                                                           "simulations"]])
    assert (np.random.get_state()[1] == before).all()  # noqa: NPY002
    # a finished study resumed does no more work, and loads as it stands
    assert calibrate(tiny(), db).generations.equals(again.generations)
    assert load_calibration(tiny(), db).particles.equals(whole.particles)


def test_result_frames(whole):
    p = whole.particles
    assert list(p.columns) == ["like_rate", "weight", "distance"] and len(p) == 6
    assert abs(p.weight.sum() - 1) < 1e-12 and ((p.like_rate >= 0) & (p.like_rate <= 0.2)).all()
    row = whole.posterior.iloc[0]
    assert row.parameter == "like_rate" and row.default == 0.05
    assert row.prior_low <= row["low"] <= row["median"] <= row["high"] <= row.prior_high
    t = whole.targets.iloc[0]
    assert t.target == "likes_per_impression" and t.low <= t.simulated <= t.high
    assert whole.matched + whole.unmatched == ["likes_per_impression"]
    assert "like_rate: mean" in str(whole)


def test_db_of_another_study_is_refused(whole):
    with pytest.raises(InvalidParameterError, match="holds another study"):
        calibrate(tiny(seed=6), whole.db)


def test_figure_follows_the_rules(whole):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = whole.plot()
    fig.canvas.draw()
    assert figure_problems(fig) == []
    assert len(fig.axes) == 2
    plt.close(fig)


def test_search_is_seeded_and_sorted():
    a = search(tiny(), n=4)
    assert a.equals(search(tiny(), n=4)) and a.distance.is_monotonic_increasing
    assert list(a.columns) == ["like_rate", "likes_per_impression", "distance"]
    with pytest.raises(InvalidParameterError, match="power of two"):
        search(tiny(), n=6)


# ------------------------------------------------------------ the command line
SPEC = textwrap.dedent("""
    seed = 3
    days = 1
    [community]
    n_users = 40
    [base]
    tick_hours = 24
    [parameters]
    like_rate = { low = 0.0, high = 0.2 }
    [[targets]]
    statistic = "likes_per_impression"
    observed = 0.012
    sd = 0.003
    [budget]
    population_size = 5
    max_generations = 2
    predictive = 3
""")


def test_cli_calibrate_runs_and_resumes(tmp_path, capsys):
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC)
    db = tmp_path / "fit.db"
    assert main(["calibrate", str(spec), "--db", str(db), "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "2 generations" in out and "done" in out and "like_rate: mean" in out
    assert (tmp_path / "out" / "calibration.png").read_bytes()[:4] == b"\x89PNG"
    assert main(["calibrate", str(spec), "--db", str(db)]) == 0  # resumes: already done
    assert "2 generations" in capsys.readouterr().out


@pytest.mark.parametrize("change, message", [
    (("high = 0.2", "high = 2.0"), "parameters.like_rate: the prior's high must lie in like_rate's bounds"),
    (("n_users = 40", "n_user = 40"), "community.n_user is not a default_community keyword"),
])
def test_cli_refuses_a_bad_spec_before_any_work(tmp_path, capsys, change, message):
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC.replace(*change))
    assert main(["calibrate", str(spec), "--db", str(tmp_path / "fit.db")]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not (tmp_path / "fit.db").exists()


def test_cli_refuses_a_db_in_a_missing_folder(tmp_path, capsys):
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC)
    assert main(["calibrate", str(spec), "--db", str(tmp_path / "nowhere" / "fit.db")]) == 2
    assert "--db: cannot write" in capsys.readouterr().err


def test_a_file_that_is_not_a_calibration_db_is_refused(tmp_path):
    db = tmp_path / "notes.db"
    db.write_text("not a database, and long enough to be read as one " * 20)
    with pytest.raises(InvalidParameterError, match="is not a calibration database"):
        calibrate(tiny(), db)


@pytest.mark.slow
def test_killed_cli_run_resumes_to_the_uninterrupted_posterior(tmp_path):
    """SIGKILL `feedsim calibrate` once generation 0 is stored; the same command finishes it, and the
    posterior is the one of a run never killed (slow tier: two processes and their imports)."""
    import os
    import signal
    import sqlite3
    import subprocess
    import time

    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC.replace("max_generations = 2", "max_generations = 4"))
    command = [sys.executable, "-m", "feedsim", "calibrate", str(spec), "--db"]
    killed, whole = tmp_path / "killed.db", tmp_path / "whole.db"
    proc = subprocess.Popen(command + [str(killed)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    def stored():
        if not killed.exists():  # (connecting would create it)
            return None
        try:
            with sqlite3.connect(killed) as con:
                return con.execute("SELECT max(t) FROM populations").fetchone()[0]
        except sqlite3.Error:  # tables not made yet
            return None

    deadline = time.time() + 240
    while time.time() < deadline and proc.poll() is None and (stored() is None or stored() < 0):
        time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL and 0 <= stored() < 3  # killed part-way
    for db in (killed, whole):
        subprocess.run(command + [str(db)], check=True, capture_output=True, timeout=300)
    a, b = (load_calibration(CalibrationStudy.from_toml(spec), db) for db in (killed, whole))
    assert a.done and len(a.generations) == 4
    assert a.particles.equals(b.particles)
