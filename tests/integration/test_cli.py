"""The ``feedsim compare`` command, in-process and as a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import feedsim
from feedsim import ROLES
from feedsim.cli import main
from feedsim.warmup import PREPARING_MESSAGE

SMALL = ["compare", "--users", "300", "--days", "1"]

SUMMARY_KEYS = {
    "gini_impressions",
    "post_share",
    "impression_share",
    "voice_ratio",
    "amplification",
    "visibility",
    "exposure_diversity",
    "top1_share",
    "creator_retention",
}
PER_ROLE = {"post_share", "impression_share", "voice_ratio", "amplification", "visibility"}


def run_cli(capsys, *args):
    code = main([*SMALL, *args])
    out, err = capsys.readouterr()
    # the one line a cold kernel cache adds before any run (feedsim.warmup) is not what these tests check
    err = "".join(line for line in err.splitlines(keepends=True) if line.rstrip("\n") != PREPARING_MESSAGE)
    return code, out, err


def assert_one_line_error(code, out, err):
    assert code == 2
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("feedsim: error: ")
    assert "Traceback" not in err


# -------------------------------------------------------------------- JSON
def test_json_has_config_and_every_summary_key(capsys):
    code, out, err = run_cli(capsys, "--json", "--seed", "3")
    assert code == 0 and err == ""
    payload = json.loads(out)
    assert set(payload) == {"config", "rankers", "voice"}
    cfg = payload["config"]
    assert cfg["rankers"] == ["chronological", "engagement"]
    assert (cfg["days"], cfg["n_users"], cfg["seed"]["entropy"]) == (1.0, 300, 3)
    assert cfg["graph"]["n_users"] == 300
    assert cfg["graph"]["seed"] == cfg["seeds"][0]["graph"] == {"entropy": 3, "spawn_key": [0]}
    assert cfg["seeds"] == [feedsim.replicate_seeds(3).to_dict()]
    assert {"params", "versions", "roles", "n_edges"} <= set(cfg)
    assert cfg["roles"] == list(ROLES)
    assert set(payload["rankers"]) == {"chronological", "engagement"}
    for name, summary in payload["rankers"].items():
        assert SUMMARY_KEYS <= set(summary), name
        for key in PER_ROLE:
            assert isinstance(summary[key], dict) and set(summary[key]) <= set(ROLES), key
            assert "regular" in summary[key]
        assert 0 <= summary["gini_impressions"] < 1
    assert all(v in (0.0, None) for v in payload["rankers"]["chronological"]["amplification"].values())


def test_same_arguments_give_byte_identical_output(capsys):
    _, first, _ = run_cli(capsys, "--json", "--seed", "4")
    _, second, _ = run_cli(capsys, "--json", "--seed", "4")
    assert first == second


def test_a_different_seed_gives_different_numbers(capsys):
    _, a, _ = run_cli(capsys, "--json", "--seed", "4")
    _, b, _ = run_cli(capsys, "--json", "--seed", "5")
    ra, rb = json.loads(a)["rankers"], json.loads(b)["rankers"]
    assert ra["engagement"]["gini_impressions"] != rb["engagement"]["gini_impressions"]
    assert ra["chronological"]["n_posts"] != rb["chronological"]["n_posts"] or (
        ra["chronological"]["n_impressions"] != rb["chronological"]["n_impressions"]
    )


def test_rankers_option_selects_the_rankers(capsys):
    code, out, _ = run_cli(capsys, "--json", "--rankers", "random, fair_exposure")
    assert code == 0
    payload = json.loads(out)
    assert payload["config"]["rankers"] == ["random", "fair_exposure"]  # the order asked for
    assert set(payload["rankers"]) == {"random", "fair_exposure"}  # keys sorted in the JSON
    assert all("amplification" in s for s in payload["rankers"].values())


def test_table_output_names_each_ranker_and_role(capsys):
    code, out, err = run_cli(capsys, "--rankers", "chronological,popularity")
    assert code == 0 and err == ""
    assert "== chronological ==" in out and "== popularity ==" in out
    for role in ("influencer", "regular", "quiet"):
        assert role in out


def test_subprocess_json_matches_in_process(capsys, tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "feedsim", *SMALL, "--json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    payload = json.loads(proc.stdout)
    assert SUMMARY_KEYS <= set(payload["rankers"]["engagement"])
    _, out, _ = run_cli(capsys, "--json")
    assert proc.stdout == out  # another process, another hash seed: same bytes


# ------------------------------------------------------------------- --out
def test_out_writes_figures_and_summary(capsys, tmp_path):
    out_dir = tmp_path / "figs"
    code, out, err = run_cli(capsys, "--json", "--out", str(out_dir))
    assert code == 0 and err == ""
    for name in ("lorenz.png", "role_shares.png"):
        data = (out_dir / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 1000
    assert json.loads((out_dir / "summary.json").read_text()) == json.loads(out)


# ------------------------------------------------------------------ errors
@pytest.mark.parametrize(
    "args, message",
    [
        (["--rankers", "nope"], "ranker must be one of"),
        (["--rankers", "chronological,chronological"], "rankers must have distinct names"),
        (["--users", "1"], "--users must be an integer >= 2; got 1"),
        (["--days", "0"], "--days must be a finite number > 0 and <= 100000; got 0.0"),
        (["--days", "-2"], "--days must be a finite number > 0"),
        (["--days", "1e308"], "--days must be a finite number > 0 and <= 100000; got 1e+308"),
        (["--seed", "-1"], "--seed must be an integer >= 0; got -1"),
        (["--out-of-network-share", "1.5"], "--out-of-network-share must be a finite number >= 0 and <= 1; got 1.5"),
        (["--graph", "no/such/file.txt"], "--graph: no such file: no/such/file.txt"),
    ],
)
def test_bad_input_prints_one_error_line_and_exits_2(capsys, args, message):
    users = [] if "--graph" in args else ["--users", "300"]  # --users and --graph are exclusive
    code = main(["compare", *users, "--days", "1", *args])
    out, err = capsys.readouterr()
    assert_one_line_error(code, out, err)
    assert message in err


def test_small_user_counts_accepted_by_the_cli_run(capsys):
    code = main(["compare", "--users", "20", "--days", "1", "--json"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert json.loads(out)["config"]["n_users"] == 20


def test_the_smallest_user_count_the_cli_accepts_runs(capsys):
    code = main(["compare", "--users", "2", "--days", "1", "--seed", "0", "--json"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert json.loads(out)["config"]["n_users"] == 2


def test_malformed_graph_file_is_one_error_line(capsys, tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("0 1\n2\n")
    code = main(["compare", "--graph", str(path), "--days", "1"])
    out, err = capsys.readouterr()
    assert_one_line_error(code, out, err)
    assert "line 2" in err


def test_subprocess_error_exits_2_without_traceback(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "feedsim", "compare", "--users", "300", "--days", "1", "--rankers", "nope"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith("feedsim: error: ")
    assert len(proc.stderr.splitlines()) == 1 and "Traceback" not in proc.stderr


# ------------------------------------------------------------------ --graph
def test_graph_option_reads_an_edge_list(capsys, tmp_path):
    path = tmp_path / "follows.txt"
    n = 40
    lines = ["# u follows v"]
    lines += [f"{u} {(u + 1) % n}" for u in range(n)]
    lines += [f"{u} {(u + 7) % n}" for u in range(n)]
    lines += [f"{u} 0" for u in range(1, n, 3)]
    path.write_text("\n".join(lines) + "\n")
    code = main(["compare", "--graph", str(path), "--days", "1", "--json"])
    out, err = capsys.readouterr()
    # an edge list has no roles: one warning line saying how to assign them
    assert code == 0 and err.count("feedsim: warning:") == 1 and "--assign-roles" in err
    payload = json.loads(out)
    assert payload["config"]["graph"] == str(path)
    assert payload["config"]["n_users"] == n
    assert payload["config"]["n_edges"] == len(set(lines[1:]))
    summary = payload["rankers"]["chronological"]
    assert summary["n_users"] == n and summary["n_impressions"] > 0
    assert set(summary["post_share"]) == {"regular"}  # nodes without a role are regulars
