"""``feedsim compare --graph`` with compressed and CSV files (read straight into arrays)."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys

import pytest

from feedsim.cli import main

N = 40


def edge_lines() -> list[str]:
    lines = ["# u follows v"]
    lines += [f"{u}\t{(u + 1) % N}" for u in range(N)]
    lines += [f"{u} {(u + 7) % N}" for u in range(N)]
    lines += [f"{u} 0" for u in range(1, N, 3)]
    lines += ["5 5"]  # a self-loop: dropped
    return lines


@pytest.fixture
def files(tmp_path):
    text = "\n".join(edge_lines()) + "\n"
    plain = tmp_path / "follows.txt"
    plain.write_text(text)
    packed = tmp_path / "follows.txt.gz"
    packed.write_bytes(gzip.compress(text.encode()))
    return plain, packed


def run(capsys, *args):
    code = main(["compare", "--days", "1", "--seed", "2", "--json", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_gzipped_edge_list_gives_the_same_run_as_the_plain_file(capsys, files):
    plain, packed = files
    code, out, err = run(capsys, "--graph", str(packed))
    assert code == 0, err
    # one line for the dropped self-loop (the rule of every graph source), one for the missing roles
    assert err.count("feedsim: warning:") == 2 and "--assign-roles" in err
    assert "1 self-loop (an account following itself, e.g. edge (5, 5))" in err
    payload = json.loads(out)
    assert payload["config"]["n_users"] == N
    assert payload["config"]["n_edges"] == len({tuple(x.split()) for x in edge_lines()[1:-1]})
    code2, out2, _ = run(capsys, "--graph", str(plain))
    assert code2 == 0
    ref = json.loads(out2)
    assert payload["rankers"] == ref["rankers"]


def test_gzipped_csv_with_assigned_roles(capsys, tmp_path):
    rows = ["who,whom"] + [x.replace("\t", " ").replace(" ", ",") for x in edge_lines()[1:]]
    path = tmp_path / "follows.csv.gz"
    path.write_bytes(gzip.compress(("\n".join(rows) + "\n").encode()))
    code, out, err = run(capsys, "--graph", str(path), "--assign-roles")
    assert code == 0 and err.count("feedsim: warning:") == 1 and "self-loop" in err
    summary = json.loads(out)["rankers"]["chronological"]
    assert len(summary["post_share"]) > 1  # roles were assigned


def test_broken_gzip_is_one_error_line(capsys, tmp_path):
    path = tmp_path / "cut.txt.gz"
    path.write_bytes(gzip.compress(b"0 1\n1 2\n" * 100)[:20])
    code, out, err = run(capsys, "--graph", str(path))
    assert (code, out) == (2, "")
    assert err.startswith("feedsim: error: ") and len(err.splitlines()) == 1
    assert "gzip" in err and "cut.txt.gz" in err


def test_subprocess_reads_a_gzipped_snap_file(files, tmp_path):
    _, packed = files
    proc = subprocess.run(
        [sys.executable, "-m", "feedsim", "compare", "--graph", str(packed), "--days", "1", "--json"],
        capture_output=True, text=True, cwd=tmp_path, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert json.loads(proc.stdout)["config"]["n_users"] == N
