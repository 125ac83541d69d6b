"""Fuzz the command line (issue 34): whatever the arguments, ``feedsim`` either succeeds or prints one
line on stderr and exits 2; never a traceback. In-process through ``feedsim.cli.main``; values are
drawn from adversarial sets (bad numbers, conflicting options, unusable paths, broken spec files), and
the valid runs are kept tiny (at most 60 accounts, 2 days). ``lesson`` is left out: it serves forever.

Left out on purpose, with the helpers of issue 34 that own them: ``--days 1e308`` and ``1e-300``
(parameter validation) and damaged result stores (store integrity).
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedsim.cli import main
from feedsim.warmup import PREPARING_MESSAGE

# valid values come first and are drawn half of the time (see ``value``)
USERS = ["2", "3", "60", "1", "0", "-5", "abc", "1e3", ""]
DAYS = ["1", "0.5", "2", "0", "-1", "nan", "inf", "-inf", "abc", ""]
SEEDS = ["0", "7", "18446744073709551616", "-1", "abc"]
SHARES = ["0.2", "1.5", "-0.1", "nan", "abc"]
RANKERS = ["engagement", "chronological,engagement", "nope", "chronological,chronological", "", ","]
RANKER = ["engagement", "fair_exposure", "nope", ""]
REPLICATES = ["1", "2", "0", "1000000000", "abc", "-3"]
EVERY = ["2", "0", "-1", "x"]
WORKERS = ["1", "0", "abc", "-2"]
PATHS = ["new", "file.txt", "folder", "result", "/proc/x", "missing/x", "", "."]
GRAPHS = ["edges.txt", "missing.txt", "empty.txt", "garbage.bin", "folder"]
SPECS = ["tiny.toml", "missing.toml", "latin1.toml", "broken.toml", "badkey.toml", "huge.toml", "folder"]
DBS = ["missing.sqlite", "store.sqlite"]

SPEC_HEAD = "seed = 1\ndays = 1\nmetrics = [\"gini_impressions\"]\ndaily = false\n[graph]\nn_users = 40\nseed = 0\n"
FILES = {
    "file.txt": b"not a result",
    "empty.txt": b"",
    "garbage.bin": bytes(range(256)) * 4,
    "edges.txt": b"".join(f"{i} {(i * 7 + 3) % 30}\n{i} {(i * 11 + 5) % 30}\n".encode() for i in range(30)),
    "latin1.toml": b"seed = 1\ndays = 1\n# caf\xe9\n[grid]\nranker = [\"chronological\"]\n",
    "broken.toml": b"seed = = 1\n[grid",
    "badkey.toml": (SPEC_HEAD + "[grid]\nrankr = [\"chronological\"]\n").encode(),
    "huge.toml": (SPEC_HEAD + "replicates = 100000000\n[grid]\nranker = [\"chronological\"]\n").encode(),
    "tiny.toml": (SPEC_HEAD + "[grid]\nranker = [\"chronological\", \"engagement\"]\n").encode(),
}

OPTIONS = {
    "run": {"--users": USERS, "--graph": GRAPHS, "--days": DAYS, "--seed": SEEDS, "--ranker": RANKER,
            "--out-of-network-share": SHARES, "--save": PATHS, "--checkpoint": PATHS,
            "--checkpoint-every-days": EVERY, "--overwrite": None, "--assign-roles": None, "--no-dynamics": None,
            "--json": None, "--quiet": None, "--progress": None},
    "compare": {"--users": USERS, "--graph": GRAPHS, "--days": DAYS, "--seed": SEEDS, "--rankers": RANKERS,
                "--replicates": REPLICATES, "--out-of-network-share": SHARES, "--out": PATHS, "--report": PATHS,
                "--assign-roles": None, "--no-dynamics": None, "--json": None, "--quiet": None, "--progress": None},
    "sweep": {"--db": PATHS + DBS, "--workers": WORKERS, "--quiet": None, "--extend": None},
    "results": {"--csv": PATHS, "--parquet": PATHS, "--contrast": ["ranker", "nope", "seed"],
                "--baseline": ["chronological", "x", "1"], "--unpaired": None},
}
POSITIONAL = {"sweep": SPECS, "results": DBS + ["missing.sqlite", "file.txt"]}


@st.composite
def argvs(draw):
    command = draw(st.sampled_from([*OPTIONS, "bogus"]))
    if command == "bogus":
        return [draw(st.sampled_from(["bogus", "--bogus", "", "-h"]))]
    argv = [command]
    if command in POSITIONAL:
        argv.append(draw(st.sampled_from(POSITIONAL[command])))
    names = draw(st.lists(st.sampled_from(sorted(OPTIONS[command])), max_size=3, unique=True))
    if command in ("run", "compare") and "--graph" not in names and "--users" not in names:
        names.append("--users")  # keep valid runs tiny (the default is 10,000 accounts)
    if command in ("run", "compare") and "--days" not in names:
        names.append("--days")
    if command == "sweep" and "--workers" not in names:
        names.append("--workers")
    for name in names:
        argv.append(name)
        values = OPTIONS[command][name]
        if values is not None:
            argv.append(draw(st.sampled_from(values[:1]) | st.sampled_from(values)))
    if draw(st.integers(0, 4)) == 0 and len(argv) > 2:
        extra = draw(st.sampled_from(["--unknown", "--days", "-x", "--users=5"]))
        argv.insert(draw(st.integers(1, len(argv))), extra)
    return argv


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    store = folder / "store.sqlite"
    spec = folder / "store.toml"
    spec.write_bytes(FILES["tiny.toml"])
    assert main(["sweep", str(spec), "--db", str(store), "--workers", "1", "--quiet"]) == 0
    return folder


def _example_folder(base) -> str:
    here = tempfile.mkdtemp(dir=base)
    for name, data in FILES.items():
        with open(os.path.join(here, name), "wb") as fh:
            fh.write(data)
    os.mkdir(os.path.join(here, "folder"))
    os.symlink(os.path.join(base, "store.sqlite"), os.path.join(here, "store.sqlite"))
    return here


def _paths(argv, here):
    """Relative names become names in the example's folder (absolute ones, like /proc/x, stay)."""
    out = []
    for arg in argv:
        if arg and not arg.startswith("-") and ("." in arg or "/" in arg or arg in ("new", "folder", "result")) \
                and not arg.startswith("/") and not arg.replace(".", "").replace("-", "").replace("e", "").isdigit():
            arg = os.path.join(here, arg)
        out.append(arg)
    return out


@settings(max_examples=70, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(argv=argvs())
def test_the_cli_answers_any_arguments_in_one_line_or_succeeds(base, argv):
    here = _example_folder(base)
    argv = _paths(argv, here)
    out, err = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    os.chdir(here)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
                code = exc.code
    finally:
        os.chdir(cwd)
    err_text = err.getvalue()
    assert "Traceback" not in err_text, (argv, err_text)
    assert code in (0, 2, 4), (argv, code, err_text)
    lines = [line for line in err_text.splitlines()
             if not line.startswith("feedsim: warning:") and line != PREPARING_MESSAGE]
    if code == 2:
        assert len(lines) == 1 and lines[0].startswith("feedsim: error: "), (argv, err_text)
    elif code == 4:  # the work was done and an output could not be made: one line per output
        assert lines and all(line.startswith(("feedsim: error: --report: ", "feedsim: error: --out: "))
                             for line in lines), (argv, err_text)
