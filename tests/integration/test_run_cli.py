"""``feedsim run``: one run from the command line, printed, as JSON, or saved (subprocess end to end)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import feedsim
from feedsim.cli import main
from feedsim.random import stream_seed

RUN = ["run", "--users", "150", "--days", "1", "--seed", "4"]


def feedsim_cli(*args, cwd):
    env = dict(os.environ, NUMBA_NUM_THREADS="1")
    env.pop("TQDM_DISABLE", None)
    return subprocess.run([sys.executable, "-m", "feedsim", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=180, env=env)


def _without_cli_keys(summary):
    summary = json.loads(json.dumps(summary))
    summary["config"].pop("graph", None)
    summary.pop("saved", None)
    return summary


def test_json_save_and_load_end_to_end(tmp_path):
    pytest.importorskip("pyarrow")
    saved = tmp_path / "result"
    proc = feedsim_cli(*RUN, "--ranker", "fair_exposure", "--json", "--save", str(saved), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # not a terminal: no progress bar
    payload = json.loads(proc.stdout)  # exactly one JSON object
    assert payload["ranker"] == "fair_exposure" and payload["saved"] == str(saved)
    graph = payload["config"]["graph"]  # the graph's seed is recorded, and the one-line Python equivalent
    assert graph["n_users"] == 150 and graph["seed"] == {"entropy": 4, "spawn_key": [0]}
    assert graph["python"] == "feedsim.replicate_community(150, seed=4)"
    assert payload["seed"] == {"entropy": 4, "spawn_key": []}
    # the same run in this process gives the same summary, and so does the saved result
    G = feedsim.replicate_community(150, seed=4)
    old = feedsim.networks.default_community(150, mean_follows=40, seed=stream_seed(4, "network"), as_arrays=True)
    np.testing.assert_array_equal(G.indices, old.indices)  # the graph 0.2.0 drew: unchanged
    here = feedsim.Simulation(G, ranker="fair_exposure", seed=4).run(days=1).summary()
    assert _without_cli_keys(payload) == _without_cli_keys(here)
    assert _without_cli_keys(feedsim.load_result(saved).summary()) == _without_cli_keys(payload)


def test_bad_ranker_is_one_line_and_exit_2(tmp_path):
    proc = feedsim_cli(*RUN, "--ranker", "engagment", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("feedsim: error: --ranker must be one of chronological, engagement")
    assert "did you mean 'engagement'?" in proc.stderr and "got 'engagment'" in proc.stderr
    assert len(proc.stderr.splitlines()) == 1 and "Traceback" not in proc.stderr


def test_table_output_from_a_graph_file(tmp_path):
    edges = tmp_path / "follows.txt"
    G = feedsim.networks.default_community(120, seed=2)
    edges.write_text("# u follows v\n" + "".join(f"{u}\t{v}\n" for u, v in G.edges()))
    proc = feedsim_cli("run", "--graph", str(edges), "--assign-roles", "--ranker", "chronological", "--days", "1",
                       cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("== chronological ==  (120 users, 1 days,")
    for role in ("influencer", "regular", "quiet"):
        assert role in proc.stdout


def _one_line_error(capsys, args):
    code = main(args)
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and len(err.splitlines()) == 1 and err.startswith("feedsim: error: ")
    return err


def test_save_target_is_checked_before_the_run(tmp_path, capsys):
    pytest.importorskip("pyarrow")
    taken = tmp_path / "taken"
    taken.mkdir()
    err = _one_line_error(capsys, [*RUN, "--save", str(taken)])
    assert "already exists; pass --overwrite" in err
    err = _one_line_error(capsys, [*RUN, "--save", str(tmp_path / "no" / "such")])
    assert "--save: no such directory" in err


@pytest.mark.parametrize("args, message", [
    (["--days", "0"], "--days must be a number > 0; got 0.0"),
    (["--seed", "-1"], "--seed must be an integer >= 0; got -1"),
    (["--users", "1"], "--users must be an integer >= 2; got 1"),
])
def test_bad_numbers_are_one_line(capsys, args, message):
    assert message in _one_line_error(capsys, [*RUN, *args])


def test_users_and_graph_are_exclusive(capsys):
    with pytest.raises(SystemExit) as e:
        main(["run", "--users", "10", "--graph", "x.txt"])
    assert e.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("args, shown", [([], True), (["--quiet"], False), (["--json"], False)])
def test_progress_on_a_terminal_unless_quiet_or_json(monkeypatch, args, shown):
    import feedsim.progress

    monkeypatch.setattr(feedsim.progress, "DEFAULT_DELAY", 0.0)  # the 1-day run is shorter than 2 s
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    term = _Terminal()
    with contextlib.redirect_stderr(term), contextlib.redirect_stdout(io.StringIO()) as out:
        assert main(["run", "--users", "60", "--days", "1", "--ranker", "chronological", *args]) == 0
    assert ("feedsim chronological" in term.getvalue()) is shown
    assert "%|" not in out.getvalue()  # never on stdout
    if "--json" in args:
        json.loads(out.getvalue())


def test_run_with_checkpoint_resumes_and_gives_the_same_summary(tmp_path):
    """feedsim run --checkpoint: a longer rerun resumes from the file and equals a fresh run."""
    import json as _json
    import subprocess as _sp
    import sys as _sys

    def run(days, *extra):
        cmd = [_sys.executable, "-m", "feedsim", "run", "--users", "300", "--days", str(days), "--seed", "3",
               "--json", *extra]
        p = _sp.run(cmd, capture_output=True, text=True, cwd=tmp_path, timeout=300)
        assert p.returncode == 0, p.stderr
        return _json.loads(p.stdout), p.stderr

    ck = str(tmp_path / "run.ckpt")
    run(2, "--checkpoint", ck)
    resumed, err = run(3, "--checkpoint", ck)
    assert "resumed from" in err and "after day 2" in err
    fresh, _ = run(3)
    for key in ("n_posts", "n_impressions", "impression_share", "gini_impressions"):
        assert resumed[key] == fresh[key]
