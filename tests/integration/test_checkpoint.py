"""Checkpoints: atomic writes, bit-identical resume (also after SIGKILL), refusals, failures."""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest

import feedsim
from feedsim import CheckpointError, InvalidParameterError, RankerOutputError, RunFailedError, Simulation
from feedsim.engine import checkpoint as ck
from feedsim.engine.platform import Platform

DAYS = 5


@pytest.fixture(scope="module")
def graph():
    return feedsim.networks.default_community(300, seed=11)


def make_sim(graph, ranker="engagement", **params):
    """A run with every kind of state: dynamics, churn, out-of-network feeds, all built-in interventions."""
    cfg = dict(seed=5, churn=True, leave_rate=0.03, join_rate=0.03, out_of_network_share=0.2)
    cfg.update(params)
    sim = Simulation(graph, ranker=ranker, **cfg)
    sim.campaign([0, 1, 2], posts_per_day=3, start_day=1, days=2)
    sim.set_param("out_of_network_share", 0.4, at_hours=30.5)
    sim.switch_ranker("chronological", at_day=2)
    sim.switch_ranker(ranker, at_day=3.5)
    sim.add_accounts(12, role="quiet", at_day=3, follows=5)
    return sim


def assert_same_result(a, b):
    assert a.summary() == b.summary()
    assert a.interventions == b.interventions
    for name in ("posts", "authors"):
        ta, tb = getattr(a, name), getattr(b, name)
        assert list(ta) == list(tb)
        for col in ta:
            assert ta[col].dtype == tb[col].dtype, (name, col)
            assert np.array_equal(ta[col], tb[col], equal_nan=ta[col].dtype.kind == "f"), (name, col)
    assert list(a.daily) == list(b.daily)
    for key in a.daily:
        assert np.array_equal(a.daily[key], b.daily[key], equal_nan=True), key
    for key in ("ticks", "sessions", "candidates", "impressions"):
        assert a.stats[key] == b.stats[key], key


def assert_same_state(a, b, where="platform", seen=None):
    """Every attribute reachable from the platform is equal (timings aside)."""
    seen = set() if seen is None else seen
    if id(a) in seen:
        return
    seen.add(id(a))
    if isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape, where
        assert np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"), where
    elif isinstance(a, np.random.Generator):
        assert a.bit_generator.state == b.bit_generator.state, where
    elif isinstance(a, dict):
        assert list(a) == list(b), where
        for k in a:
            if k != "phase_seconds":
                assert_same_state(a[k], b[k], f"{where}[{k!r}]", seen)
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same_state(x, y, f"{where}[{i}]", seen)
    elif callable(a):
        name = lambda f: getattr(f, "__qualname__", type(f).__qualname__)  # noqa: E731
        assert name(a) == name(b), where
    elif hasattr(a, "__dict__") and not isinstance(a, type):
        assert type(a) is type(b), where
        assert_same_state(vars(a), vars(b), where, seen)
    elif isinstance(a, float) and np.isnan(a):
        assert isinstance(b, float) and np.isnan(b), where
    else:
        assert a == b and type(a) is type(b), where


class Crash(Exception):
    pass


def crash_after(day):
    def hook(info):
        if info.day == day:
            raise Crash(f"crash after day {day}")
    return hook


def friends_and_fresh(c, rng):
    """A custom ranker (the array form of the engine, not the fused built-ins)."""
    return 2.0 * c.affinity + np.exp2(-c.item_age_hours / 6.0)


@pytest.mark.parametrize("case", ["builtin", "custom_ranker", "folded_posts", "split_coarse_ticks"])
def test_resumed_run_equals_uninterrupted_run_in_results_and_state(graph, tmp_path, monkeypatch, case):
    # fails if a piece of state is not captured: the state after the resume and two
    # more days (dynamics, churn, burnouts, session adaptation, campaign, parameter
    # change, ranker switches, new accounts) must equal the uninterrupted run's,
    # attribute by attribute
    ranker = friends_and_fresh if case == "custom_ranker" else "engagement"
    params = {"session_adaptation": True, "burnout_days": 1, "burnout_threshold": 0.5,
              "burnout_rest_days": 1.0, "adaptation_target": 3.0}
    if case == "custom_ranker":
        params["record_impressions"] = True
    if case == "folded_posts":
        monkeypatch.setattr(Platform, "FOLD_MIN", 64)
        params["keep_posts"] = False
    if case == "split_coarse_ticks":  # a ranker object with its own key; ticks of 3 h
        ranker = feedsim.ViewerSplit("engagement", share=0.5, seed=1)
        params["tick_hours"] = 3.0
    path = tmp_path / "run.ckpt"
    ref_sim = make_sim(graph, ranker, **params)
    ref = ref_sim.run(days=DAYS)
    with pytest.raises(RunFailedError) as info:
        make_sim(graph, ranker, **params).run(days=DAYS, checkpoint=path, on_checkpoint=crash_after(3))
    msg = str(info.value)
    assert "\n" not in msg and f"checkpoint {path} (after 3 days, hour 72)" in msg and "Crash: crash after day 3" in msg
    assert isinstance(info.value.__cause__, Crash) and info.value.day == 3 and info.value.checkpoint == str(path)
    written = []
    sim = make_sim(graph, ranker, **params)
    res = sim.run(days=DAYS, checkpoint=path, on_checkpoint=written.append)
    assert [w.day for w in written] == [4, 5]  # resumed after day 3, not from the start
    assert_same_result(ref, res)
    assert_same_state(ref_sim.platform, sim.platform)
    assert res.authors.burnouts.sum() > 0 and res.daily["joins"].sum() > 0
    if case == "folded_posts":
        assert res.post_id_offset > 0
    if case == "custom_ranker":
        for col in ref.impressions:
            assert np.array_equal(ref.impressions[col], res.impressions[col]), col


@pytest.mark.parametrize("extra", ["lock", "closure"])
def test_code_or_locks_on_the_platform_are_refused_before_the_run(graph, tmp_path, extra):
    # the platform holds plain state, so a checkpoint is a plain pickle: a lock or a local
    # function hung on it is refused in one line before the first tick, not walked around
    sim = make_sim(graph)
    sim.platform.extra = threading.Lock() if extra == "lock" else {"hook": [lambda: sim.platform.day]}
    with pytest.raises(CheckpointError, match="^the state of this run cannot be saved: [^\n]*$"):
        sim.run(days=DAYS, checkpoint=tmp_path / "c")
    assert sim.platform.tick == 0 and not (tmp_path / "c").exists()


def test_the_platform_holds_no_code_but_its_ranker(graph):
    # what makes the plain pickle possible: nothing on the platform is a local function or a lock
    sim = make_sim(graph)
    sim.run(days=1)
    state = {k: v for k, v in vars(sim.platform).items() if k != "ranker"}
    restored = pickle.loads(pickle.dumps(state, protocol=5))
    assert restored["seen"].stale_below.__self__ is restored["posts"]  # the seen set reads the restored table


def test_state_that_cannot_be_saved_is_refused_in_one_line(graph, tmp_path):
    sim = make_sim(graph)
    with open(tmp_path / "log.txt", "w") as handle:
        sim.platform.handle = handle
        with pytest.raises(CheckpointError, match="^the state of this run cannot be saved: .*TextIOWrapper"):
            sim.run(days=1, checkpoint=tmp_path / "c")


def test_sigkill_after_second_checkpoint_then_resume_is_bit_identical(graph, tmp_path):
    path = tmp_path / "run.ckpt"
    out = tmp_path / "result.pkl"
    script = textwrap.dedent(f"""
        import os, pickle, signal, sys
        import feedsim
        sys.path.insert(0, {os.path.dirname(__file__)!r})
        from test_checkpoint import make_sim
        G = feedsim.networks.default_community(300, seed=11)
        kill = sys.argv[1] == "kill"
        def hook(info):
            print(info.day, flush=True)
            if kill and info.day == 2:
                os.kill(os.getpid(), signal.SIGKILL)
        res = make_sim(G).run(days={DAYS}, checkpoint={str(path)!r}, on_checkpoint=hook)
        with open({str(out)!r}, "wb") as f:
            pickle.dump(res, f)
    """)
    env = {**os.environ, "NUMBA_NUM_THREADS": "1"}
    killed = subprocess.run([sys.executable, "-c", script, "kill"], capture_output=True, text=True, env=env)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert killed.stdout.split() == ["1", "2"]
    assert not out.exists() and ck.checkpoint_info(path).day == 2
    assert [p.name for p in tmp_path.iterdir()] == ["run.ckpt"]  # no temporary file left behind
    resumed = subprocess.run([sys.executable, "-c", script, "resume"], capture_output=True, text=True, env=env)
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout.split() == ["3", "4", "5"]
    with open(out, "rb") as f:
        res = pickle.load(f)
    assert_same_result(make_sim(graph).run(days=DAYS), res)


def test_every_k_days_and_a_final_checkpoint(graph, tmp_path):
    written = []
    make_sim(graph).run(days=DAYS, checkpoint=tmp_path / "c", checkpoint_every_days=2, on_checkpoint=written.append)
    assert [(w.day, w.hours) for w in written] == [(2, 48.0), (4, 96.0), (5, 120.0)]


def test_rerunning_a_finished_run_loads_its_final_checkpoint(graph, tmp_path):
    path = tmp_path / "c"
    first = make_sim(graph).run(days=DAYS, checkpoint=path)
    written = []
    again = make_sim(graph).run(days=DAYS, checkpoint=path, on_checkpoint=written.append)
    assert written == []
    assert_same_result(first, again)


def test_longer_run_continues_from_a_finished_one(graph, tmp_path):
    path = tmp_path / "c"
    make_sim(graph).run(days=3, checkpoint=path)
    res, resumed = ck.run_checkpointed(make_sim(graph), DAYS, path)
    assert resumed.day == 3
    assert_same_result(make_sim(graph).run(days=DAYS), res)


def test_successive_run_calls_with_one_checkpoint(graph, tmp_path):
    path = tmp_path / "c"
    sim = make_sim(graph)
    sim.run(days=2, checkpoint=path)
    res = sim.run(days=3, checkpoint=path)
    assert ck.checkpoint_info(path).day == 5
    assert_same_result(make_sim(graph).run(days=DAYS), res)


def test_checkpoint_past_the_end_of_the_run_is_refused(graph, tmp_path):
    path = tmp_path / "c"
    make_sim(graph).run(days=4, checkpoint=path)
    with pytest.raises(CheckpointError, match=r"holds 4 days, past the end of this run \(2 days\)"):
        make_sim(graph).run(days=2, checkpoint=path)


def _other_version(monkeypatch):
    monkeypatch.setattr(ck, "__version__", "9.9.9")
    return {}


@pytest.mark.parametrize(
    "change, what",
    [
        (lambda g, mp: make_sim(g, seed=6), "seed differs (checkpoint {\"entropy\": 5"),
        (lambda g, mp: make_sim(g, like_rate=0.02), "config.like_rate differs"),
        (lambda g, mp: make_sim(g, "popularity"), 'ranker differs (checkpoint "engagement", this run "popularity")'),
        (lambda g, mp: make_sim(feedsim.networks.default_community(300, seed=12)), "graph (follow graph"),
        (lambda g, mp: (_other_version(mp), make_sim(g))[1], f'feedsim version differs (checkpoint "{feedsim.__version__}"'),
    ],
)
def test_checkpoint_of_another_run_is_refused_naming_what_differs(graph, tmp_path, monkeypatch, change, what):
    path = tmp_path / "c"
    make_sim(graph).run(days=2, checkpoint=path)
    before = path.read_bytes()
    with pytest.raises(CheckpointError) as info:
        change(graph, monkeypatch).run(days=DAYS, checkpoint=path)
    msg = str(info.value)
    assert what in msg and "\n" not in msg and str(path) in msg
    assert path.read_bytes() == before  # nothing overwritten


def test_other_interventions_are_refused(graph, tmp_path):
    path = tmp_path / "c"
    make_sim(graph).run(days=2, checkpoint=path)
    sim = make_sim(graph)
    sim.set_param("like_rate", 0.02, at_day=4)
    what = r"intervention 7 \(tick, what\) differs \(checkpoint null, this run \[96, \"set like_rate = 0.02\"\]\)"
    with pytest.raises(CheckpointError, match=what):
        sim.run(days=DAYS, checkpoint=path)


def test_damaged_or_foreign_files_are_refused(graph, tmp_path):
    path = tmp_path / "c"
    make_sim(graph).run(days=1, checkpoint=path)
    data = bytearray(path.read_bytes())
    data[-100] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="is damaged \\(SHA-256 checksum mismatch\\)"):
        make_sim(graph).run(days=2, checkpoint=path)
    path.write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointError, match="is not a feedsim checkpoint"):
        make_sim(graph).run(days=2, checkpoint=path)


def test_user_processes_and_custom_actions_cannot_be_checkpointed(graph, tmp_path):
    def weekly_push(sim):
        yield sim.env.timeout(24)

    sim = make_sim(graph)
    sim.process(weekly_push)
    with pytest.raises(CheckpointError, match=r"^a run with user code on the clock cannot be checkpointed "
                                              r"\(sim.process\(weekly_push\)\)"):
        sim.run(days=1, checkpoint=tmp_path / "c")
    sim = make_sim(graph)
    sim.schedule(lambda s: None, at_day=1, label="double posting")
    with pytest.raises(CheckpointError, match=r"\(sim.schedule\('double posting'\)\)"):
        sim.run(days=1, checkpoint=tmp_path / "c")
    assert not (tmp_path / "c").exists()
    assert sim.run(days=1).days == 1  # fine without checkpoints


def test_failing_ranker_says_which_checkpoint_to_resume_from(graph, tmp_path):
    broken = {"on": True}

    def flaky(c, rng):
        if broken["on"] and c.now >= 50:
            raise ZeroDivisionError("bug on day 3")
        return -c.item_age_hours

    path = tmp_path / "c"
    sim = Simulation(graph, ranker=flaky, seed=3)
    with pytest.raises(RunFailedError) as info:
        sim.run(days=DAYS, checkpoint=path, checkpoint_every_days=1)
    msg = str(info.value)
    assert "\n" not in msg and msg.startswith("run failed at hour 49 (RankerOutputError: ")
    assert f"checkpoint {path} (after 2 days, hour 48)" in msg
    assert isinstance(info.value.__cause__, RankerOutputError)
    with pytest.raises(RunFailedError, match="failed midway"):
        sim.run(days=1)
    broken["on"] = False  # the bug is fixed: resume
    res = Simulation(graph, ranker=flaky, seed=3).run(days=DAYS, checkpoint=path)
    assert_same_result(Simulation(graph, ranker=flaky, seed=3).run(days=DAYS), res)


def test_failure_before_the_first_checkpoint(graph, tmp_path):
    def bad(c, rng):
        raise ZeroDivisionError("always")

    with pytest.raises(RunFailedError, match="before its first checkpoint .*starts from the beginning"):
        Simulation(graph, ranker=bad, seed=3).run(days=2, checkpoint=tmp_path / "c")


def test_a_failed_write_keeps_the_previous_checkpoint(graph, tmp_path, monkeypatch):
    path = tmp_path / "c"
    real = os.replace
    calls = []

    def flaky_replace(src, dst):
        calls.append(dst)
        if len(calls) == 3:
            raise OSError("disk full")
        real(src, dst)

    (tmp_path / ".c.k1ll3d.tmp").write_bytes(b"half a checkpoint")  # a run killed while writing
    monkeypatch.setattr(ck.os, "replace", flaky_replace)
    with pytest.raises(RunFailedError, match=f"OSError: disk full.*checkpoint {path} \\(after 2 days"):
        make_sim(graph).run(days=DAYS, checkpoint=path)
    assert ck.checkpoint_info(path).day == 2
    assert [p.name for p in tmp_path.iterdir()] == ["c"]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"checkpoint_every_days": 2}, "checkpoint_every_days and on_checkpoint need checkpoint=PATH"),
        ({"checkpoint": "c", "checkpoint_every_days": 0}, "checkpoint_every_days must be"),
        ({"checkpoint": "c", "checkpoint_every_days": 1.5}, "checkpoint_every_days must be"),
        ({"checkpoint": "no/such/folder/c"}, "checkpoint must be a file in an existing folder"),
        ({"checkpoint": "c", "on_checkpoint": 3}, "on_checkpoint must be a callable"),
    ],
)
def test_bad_checkpoint_arguments(graph, tmp_path, monkeypatch, kwargs, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InvalidParameterError, match=message):
        Simulation(graph, seed=0).run(days=1, **kwargs)


def test_every_simulation_attribute_is_saved_or_rebuilt(graph, tmp_path):
    # a new Simulation attribute must be classified in feedsim.engine.checkpoint
    sim = make_sim(graph)
    sim.run(days=1, checkpoint=tmp_path / "c")
    assert set(vars(sim)) <= set(ck.SIM_STATE) | set(ck.SIM_REBUILT)


def test_errors_pickle_and_subclass_the_builtins():
    e = pickle.loads(pickle.dumps(RunFailedError("m", "p", 2)))
    assert (str(e), e.checkpoint, e.day) == ("m", "p", 2)
    assert isinstance(e, RuntimeError) and issubclass(CheckpointError, ValueError)
