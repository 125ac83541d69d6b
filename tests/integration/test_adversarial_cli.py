"""The CLI under adversarial input (issue 34): outputs checked before the run, a write that fails at
the end goes to a fallback path, conflicting or empty options refused in one line, distinct exit
codes, no traceback. In-process through ``feedsim.cli.main`` (small runs), except where a fresh
process is the point."""

from __future__ import annotations

import os
import sys

import pytest

import feedsim
from feedsim.cli import EXIT_CODES, main
from feedsim.warmup import PREPARING_MESSAGE

RUN = ["run", "--users", "60", "--days", "1", "--seed", "1"]
COMPARE = ["compare", "--users", "60", "--days", "1", "--rankers", "chronological,engagement"]


def call(capsys, argv):
    """Exit code, stdout and stderr of ``feedsim ARGV`` in this process (argparse's SystemExit included)."""
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    # the one line a cold kernel cache adds before any run (feedsim.warmup) is not what these tests check
    err = "".join(line for line in err.splitlines(keepends=True) if line.rstrip("\n") != PREPARING_MESSAGE)
    return code, out, err


def one_line(code, out, err, *, code_wanted=2):
    """The error line of a refusal: exit 2, nothing on stdout, one line on stderr, no traceback."""
    assert code == code_wanted, (code, out, err)
    assert out == "", out
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("feedsim: error: "), err
    return lines[0]


@pytest.fixture
def read_only(tmp_path):
    """A folder in which no file can be created, even by root (then /proc, which takes no new files)."""
    if os.name == "posix" and os.geteuid() != 0:
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o555)
        yield str(folder)
        folder.chmod(0o755)
    elif sys.platform.startswith("linux"):
        yield "/proc"
    else:  # pragma: no cover
        pytest.skip("no folder that cannot be written")


@pytest.fixture
def no_work(monkeypatch):
    """Building the community is the first work a command does: fail the test if it starts."""
    import feedsim.networks

    def refuse(*args, **kwargs):
        raise AssertionError("the command started work before refusing its output")

    monkeypatch.setattr(feedsim.networks, "default_community", refuse)


# ------------------------------------------------------------ outputs checked before the run
@pytest.mark.parametrize("what", ["folder", "file"])
def test_save_overwrite_of_something_not_a_result_is_refused_before_the_run(capsys, tmp_path, no_work, what):
    pytest.importorskip("pyarrow")
    target = tmp_path / "target"
    if what == "folder":
        target.mkdir()
        (target / "notes.txt").write_text("mine")
    else:
        target.write_text("mine")
    line = one_line(*call(capsys, [*RUN, "--save", str(target), "--overwrite"]))
    assert "is not a saved feedsim result" in line and str(target) in line
    assert (target / "notes.txt").read_text() == "mine" if what == "folder" else target.read_text() == "mine"


@pytest.mark.parametrize("argv, option", [
    (lambda ro, tmp: [*RUN, "--save", f"{ro}/r"], "--save"),
    (lambda ro, tmp: [*RUN, "--checkpoint", f"{ro}/c.ckpt"], "--checkpoint"),
    (lambda ro, tmp: [*COMPARE, "--out", f"{ro}/x"], "--out"),
    (lambda ro, tmp: [*COMPARE, "--report", f"{ro}/r.html"], "--report"),
    (lambda ro, tmp: [*COMPARE, "--report", f"{tmp}/missing/r.html"], "--report"),
    (lambda ro, tmp: [*COMPARE, "--report", f"{tmp}"], "--report"),
    (lambda ro, tmp: [*COMPARE, "--out", f"{tmp}/file.txt/x"], "--out"),
    (lambda ro, tmp: [*COMPARE, "--out", f"{tmp}/file.txt"], "--out"),
])
def test_unwritable_outputs_are_refused_before_the_run(capsys, tmp_path, read_only, no_work, argv, option):
    if "--save" in argv(read_only, tmp_path):
        pytest.importorskip("pyarrow")
    (tmp_path / "file.txt").write_text("x")
    line = one_line(*call(capsys, argv(read_only, tmp_path)))
    assert line.startswith(f"feedsim: error: {option}: "), line


def test_sweep_db_in_an_unwritable_folder_is_refused_before_any_run(capsys, tmp_path, read_only):
    spec = tmp_path / "s.toml"
    spec.write_text('seed = 1\ndays = 1\n[graph]\nn_users = 60\nseed = 0\n[grid]\nranker = ["chronological"]\n')
    line = one_line(*call(capsys, ["sweep", str(spec), "--db", f"{read_only}/r.sqlite", "--workers", "1"]))
    assert line.startswith("feedsim: error: --db: cannot write in"), line


def test_results_export_to_an_unwritable_folder_is_refused(capsys, tmp_path, read_only):
    db = tmp_path / "r.sqlite"
    db.write_bytes(b"")  # never read: the target is checked first
    line = one_line(*call(capsys, ["results", str(db), "--csv", f"{read_only}/runs.csv"]))
    assert line.startswith("feedsim: error: --csv: "), line


# ------------------------------------------------------------ a write that fails at the end
def test_a_save_that_fails_after_the_run_goes_to_a_fallback_and_the_summary_is_printed(
        capsys, tmp_path, monkeypatch):
    pytest.importorskip("pyarrow")
    from feedsim.engine.result import SimulationResult

    monkeypatch.chdir(tmp_path)
    target = str(tmp_path / "wanted")
    real = SimulationResult.save

    def failing(self, path, **kw):
        if os.fspath(path) == target:
            raise PermissionError(13, "Permission denied", target)
        return real(self, path, **kw)

    monkeypatch.setattr(SimulationResult, "save", failing)
    code, out, err = call(capsys, [*RUN, "--save", target])
    assert code == 4 and 4 in EXIT_CODES
    assert "gini" in out.lower() or "voice" in out.lower(), out  # the summary table is there
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("feedsim: error: --save: could not write "), err
    fallback = lines[0].rpartition("written to ")[2].removesuffix(" instead")
    assert fallback.startswith(str(tmp_path)) and fallback in out
    assert feedsim.load_result(fallback).days == 1


def test_a_report_that_fails_after_the_run_goes_to_a_fallback(capsys, tmp_path, monkeypatch):
    import feedsim.lesson.report

    monkeypatch.chdir(tmp_path)
    target = str(tmp_path / "r.html")
    real = feedsim.lesson.report.write_report

    def failing(result, path, **kw):
        if os.fspath(path) == target:
            raise OSError(28, "No space left on device", target)
        return real(result, path, **kw)

    monkeypatch.setattr(feedsim.lesson.report, "write_report", failing)
    code, out, err = call(capsys, [*COMPARE, "--report", target])
    assert code == 4
    lines = err.splitlines()
    assert len(lines) == 1 and "No space left on device" in lines[0], err
    fallback = lines[0].rpartition("written to ")[2].removesuffix(" instead")
    with open(fallback, encoding="utf-8") as fh:
        assert fh.read().startswith("<!DOCTYPE html>")
    assert f"report written to {fallback}" in out


# ------------------------------------------------------------ options that conflict or mean nothing
@pytest.mark.parametrize("argv, words", [
    ([*COMPARE, "--graph", "g.txt"], "not allowed with argument --users"),
    (["compare", "--graph", "g.txt", "--users", "500"], "not allowed with argument --graph"),
    ([*RUN, "--checkpoint-every-days", "3"], "--checkpoint-every-days means nothing without --checkpoint"),
    ([*RUN, "--overwrite"], "--overwrite means nothing without --save"),
    ([*RUN, "--assign-roles"], "--assign-roles means nothing without --graph"),
    ([*RUN, "--progress", "--quiet"], "not allowed with argument --progress"),
    (["results", "x.sqlite", "--csv", "a.csv", "--parquet", "b.parquet"], "not allowed with argument --csv"),
    (["results", "DB", "--csv", "a.csv", "--contrast", "ranker"], "means nothing with --csv"),
    (["results", "DB", "--baseline", "x"], "--baseline means nothing without --contrast"),
    (["results", "DB", "--unpaired"], "--unpaired means nothing without --contrast"),
])
def test_conflicting_or_empty_options_are_one_line(capsys, tmp_path, monkeypatch, argv, words):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "DB").write_bytes(b"")
    line = one_line(*call(capsys, argv))
    assert words in line, line


def _store(tmp_path, rankers):
    spec = tmp_path / "s.toml"
    spec.write_text("seed = 1\ndays = 1\nreplicates = 2\nmetrics = [\"gini_impressions\"]\n"
                    "[graph]\nn_users = 60\nseed = 0\nmean_follows = 5\n[grid]\n"
                    f"ranker = {rankers!r}\n".replace("'", '"'))
    return spec


def test_contrast_on_a_one_ranker_store_says_why_there_is_nothing(capsys, tmp_path):
    spec = _store(tmp_path, ["chronological"])
    db = str(tmp_path / "r.sqlite")
    assert main(["sweep", str(spec), "--db", db, "--workers", "1", "--quiet"]) == 0
    capsys.readouterr()
    line = one_line(*call(capsys, ["results", db, "--contrast", "ranker"]))
    assert "every finished run has ranker=chronological; nothing to contrast" in line, line


def test_sweep_with_failed_runs_exits_3_not_the_usage_code(capsys, tmp_path, monkeypatch):
    from feedsim.engine.simulation import Simulation

    original = Simulation.run

    def flaky(self, days, **kw):
        if self.ranker_name == "engagement":
            raise FloatingPointError("injected failure")
        return original(self, days, **kw)

    monkeypatch.setattr(Simulation, "run", flaky)
    spec = _store(tmp_path, ["chronological", "engagement"])
    code, out, err = call(capsys, ["sweep", str(spec), "--db", str(tmp_path / "r.sqlite"), "--workers", "1",
                                   "--quiet"])
    assert code == 3, (code, err)
    assert "2 failed" in out and err.count("failed ") == 2


def test_exit_codes_are_documented_in_the_help(capsys):
    code, out, _ = call(capsys, ["--help"])
    assert code == 0
    flat = " ".join(out.split())
    for number in EXIT_CODES:
        assert f"{number} " in flat
    assert "exit codes:" in flat and "3 sweep: some runs failed" in flat


# ------------------------------------------------------------ crashes and unbounded work
def test_compare_at_the_documented_minimum_of_two_accounts_works(capsys):
    code, out, err = call(capsys, ["compare", "--users", "2", "--days", "1"])
    assert code == 0 and err == "", err
    assert "no finding to report" in out or "Under engagement ranking" in out


def test_compare_replicates_are_bounded_in_one_line(capsys, no_work):
    line = one_line(*call(capsys, [*COMPARE, "--replicates", "1000000000"]))
    assert "--replicates must be an integer from 1 to 1000; got 1000000000" in line


def test_a_spec_that_is_not_utf8_is_one_line(capsys, tmp_path):
    spec = tmp_path / "s.toml"
    spec.write_bytes(b"seed = 1\ndays = 1\n# caf\xe9\n[grid]\nranker = [\"chronological\"]\n")
    line = one_line(*call(capsys, ["sweep", str(spec), "--db", str(tmp_path / "r.sqlite")]))
    assert "must be UTF-8 text" in line and "byte 23" in line, line


def test_a_dotted_graph_key_in_the_grid_means_the_quoted_key(tmp_path):
    from feedsim.sweeps import SweepSpec

    head = "seed = 1\ndays = 1\n[graph]\nn_users = 60\nseed = 0\n[grid]\n"
    dotted, quoted = tmp_path / "dotted.toml", tmp_path / "quoted.toml"
    dotted.write_text(head + "graph.mean_follows = [10, 20]\n")
    quoted.write_text(head + '"graph.mean_follows" = [10, 20]\n')
    a, b = SweepSpec.from_toml(dotted), SweepSpec.from_toml(quoted)
    assert a == b and [r.run_key for r in a.runs()] == [r.run_key for r in b.runs()] and len(a.runs()) == 2
    points = tmp_path / "points.toml"
    points.write_text(head.replace("[grid]\n", "") + "[[points]]\ngraph.mean_follows = 10\n"
                      "[[points]]\ngraph.mean_follows = 20\n")
    assert [r.run_key for r in SweepSpec.from_toml(points).runs()] == [r.run_key for r in a.runs()]


@pytest.mark.parametrize("body, words", [
    ("replicates = 100000000\n[grid]\nranker = [\"chronological\"]\n", "1 points x 100000000 replicates"),
    ("[graph]\nn_users = 60\nseed = 0\n[grid]\nout_of_network_share = [" + ", ".join(f"{i / 1000}" for i in range(1000))
     + "]\n\"graph.reciprocity\" = [" + ", ".join(f"{i / 1000}" for i in range(1000)) + "]\n",
     "1000000 points x 1 replicates"),
])
def test_a_sweep_past_the_documented_size_is_refused_before_planning(capsys, tmp_path, body, words):
    import time

    from feedsim.sweeps.spec import MAX_RUNS

    spec = tmp_path / "s.toml"
    spec.write_text("seed = 1\ndays = 1\n" + body)
    t0 = time.monotonic()
    line = one_line(*call(capsys, ["sweep", str(spec), "--db", str(tmp_path / "r.sqlite")]))
    assert words in line and f"at most {MAX_RUNS} runs" in line, line
    assert time.monotonic() - t0 < 10
