"""Progress bars (tqdm): the stderr of the moment, TQDM_DISABLE, notebooks, the CLI's choice."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import types

import pytest

import feedsim
import feedsim.progress as progress
from feedsim.cli import main
from feedsim.progress import CountProgressBar, ProgressBar


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def no_delay(monkeypatch):
    monkeypatch.setattr(progress, "DEFAULT_DELAY", 0.0)
    monkeypatch.delenv("TQDM_DISABLE", raising=False)


def test_bar_writes_to_the_redirected_stderr(no_delay):
    buf = io.StringIO()
    with contextlib.redirect_stderr(buf):
        bar = ProgressBar(48, "feedsim test")
        bar.update(24)
        bar.update(48)
        bar.close()
    assert "feedsim test" in buf.getvalue() and "48/48 h" in buf.getvalue()


def test_run_progress_follows_redirect_stderr(no_delay, tiny_graph, capfd):
    buf = io.StringIO()
    with contextlib.redirect_stderr(buf):
        feedsim.Simulation(tiny_graph, seed=0).run(days=1, progress=True)
    assert "feedsim chronological" in buf.getvalue() and "24/24 h" in buf.getvalue()
    assert "feedsim" not in capfd.readouterr().err  # nothing reached the real stderr


def test_default_delay_hides_short_runs(monkeypatch):
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    buf = io.StringIO()
    bar = ProgressBar(10, "short", stream=buf)  # 2 s delay
    bar.update(10)
    bar.close()
    assert buf.getvalue() == "" and not bar.shown


@pytest.mark.parametrize("value, silent", [("1", True), ("true", True), ("0", False), ("", False)])
def test_tqdm_disable(no_delay, monkeypatch, value, silent):
    monkeypatch.setenv("TQDM_DISABLE", value)
    buf = io.StringIO()
    bar = CountProgressBar(3, "sweep", stream=buf)
    bar.update(3, failed=1)
    bar.close()
    assert (buf.getvalue() == "") is silent
    if not silent:
        assert "3/3 runs, 1 failed" in buf.getvalue()


def test_kernel_without_widgets_writes_one_line(no_delay, monkeypatch):
    # in a Jupyter kernel every redraw would stay in an executed notebook as its own output line
    import tqdm.auto  # noqa: F401 - choose tqdm's class first, as outside a kernel

    monkeypatch.setitem(sys.modules, "ipykernel.zmqshell", types.ModuleType("ipykernel.zmqshell"))
    buf = io.StringIO()
    bar = ProgressBar(100, "nb", stream=buf)
    for done in range(0, 101, 5):
        bar.update(done)
    bar.close()
    out = buf.getvalue()
    assert out.count("\n") == 1 and "\r" not in out and "100/100 h" in out


def _compare(args, stderr):
    with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()) as out:
        code = main(["compare", "--users", "60", "--days", "1", *args])
    assert code == 0
    return out.getvalue()


@pytest.mark.parametrize("args, shown", [([], True), (["--quiet"], False), (["--json"], False)])
def test_cli_shows_progress_on_a_terminal_only(no_delay, args, shown):
    term = _Terminal()
    out = _compare(args, term)
    assert ("feedsim chronological" in term.getvalue()) is shown
    assert "%|" not in out  # never on stdout (the --json object stays clean)


def test_cli_no_progress_when_stderr_is_not_a_terminal(no_delay):
    err = io.StringIO()
    _compare([], err)
    assert err.getvalue() == ""


def test_tqdm_alone_does_not_silence_the_widget():
    """Why feedsim.progress reads TQDM_DISABLE itself: tqdm's notebook widget ignores it (tqdm 4.70).

    If this fails, tqdm honours the variable everywhere and ``progress_disabled`` can go.
    """
    pytest.importorskip("ipywidgets")
    code = ("import io, warnings; warnings.simplefilter('ignore')\n"
            "from tqdm.notebook import tqdm; from tqdm.std import tqdm as text\n"
            "print(text(range(2), file=io.StringIO()).disable, tqdm(range(2), display=False).disable)")
    env = {**os.environ, "TQDM_DISABLE": "1"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "False"]  # the text bar reads it, the widget does not
