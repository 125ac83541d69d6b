"""Progress bars for long runs and sweeps, drawn by ``tqdm.auto``.

A terminal gets tqdm's text bar, a Jupyter notebook with ``ipywidgets`` its
widget. Three rules on top of tqdm:

- the bar writes to the ``sys.stderr`` of the moment the bar is made (not the
  one found at import), so ``contextlib.redirect_stderr`` captures it;
- ``TQDM_DISABLE=1`` (any value but ``""``, ``0``, ``false``, ``no``, ``off``)
  silences every bar, the notebook widget included;
- in a notebook kernel without ``ipywidgets`` the bar does not redraw (each
  redraw would stay in an executed notebook as a line of its own): it writes one
  final line when it closes, if the work took longer than ``delay``;
- the first update's time is left out of the rate (it includes loading, or on a
  first run compiling, the kernels), so the first estimate is not absurd: the
  time left shows ``?`` until a second update, and is then from warm updates only.
  A bar made with ``preparing="..."`` writes that line at once (say, that the
  kernels are being compiled).
"""

from __future__ import annotations

import os
import sys
import time
import warnings
from typing import Any

__all__ = ["CountProgressBar", "DEFAULT_DELAY", "ProgressBar", "progress_disabled"]

_OFF = {"", "0", "false", "no", "off"}

#: seconds before a :class:`ProgressBar` first appears when no ``delay`` is given
DEFAULT_DELAY = 2.0


def progress_disabled() -> bool:
    """True when the ``TQDM_DISABLE`` environment variable asks for no bars.

    tqdm (>= 4.66) reads ``TQDM_*`` variables itself, but only for its text bar,
    once, when tqdm is imported, and any value but ``""`` disables (``0`` too);
    its notebook widget passes ``disable`` explicitly and so ignores the
    variable. Read here when each bar is made, so ``TQDM_DISABLE=1`` set in a
    running notebook silences the widget too
    (``tests/unit/test_progress.py::test_tqdm_alone_does_not_silence_the_widget``).

    Examples
    --------
    >>> import os
    >>> os.environ.get("TQDM_DISABLE", "") in ("", "0") or progress_disabled()
    True
    """
    return os.environ.get("TQDM_DISABLE", "").strip().lower() not in _OFF


def _in_kernel() -> bool:
    """Running in a Jupyter kernel (where a redraw is a new output message)."""
    return "ipykernel.zmqshell" in sys.modules


def _tqdm_class() -> tuple[type, bool]:
    """``tqdm.auto.tqdm`` chosen now (not at import), and whether it is the notebook widget."""
    from tqdm import TqdmWarning  # noqa: PLC0415
    from tqdm.std import tqdm as std_tqdm  # noqa: PLC0415

    with warnings.catch_warnings():
        # tqdm warns "IProgress not found" in a kernel without ipywidgets; we handle that case
        warnings.simplefilter("ignore", TqdmWarning)
        from tqdm.auto import tqdm as auto_tqdm  # noqa: PLC0415
    widget = False
    if auto_tqdm is not std_tqdm and "tqdm.notebook" in sys.modules:
        widget = issubclass(auto_tqdm, sys.modules["tqdm.notebook"].tqdm_notebook)
    return auto_tqdm, widget


class ProgressBar:
    """A tqdm bar over an amount of work, reported as the amount done so far.

    Parameters
    ----------
    total : float
        Amount of work (e.g. simulated hours).
    label : str
        Text before the bar.
    delay : float, optional
        Seconds before the bar first appears, so shorter runs show nothing
        (default :data:`DEFAULT_DELAY`, 2 s).
    stream : file-like, optional
        Where to write; default ``sys.stderr`` as it is when the bar is made.
    unit : str, default "h"
        Unit of ``total`` shown by the bar.
    preparing : str, optional
        A line written to ``stream`` at once (unless bars are disabled), e.g.
        :data:`feedsim.warmup.PREPARING_MESSAGE` while a first run compiles.

    Examples
    --------
    >>> import io
    >>> out = io.StringIO()
    >>> bar = ProgressBar(10, "run", delay=0.0, stream=out)
    >>> bar.update(4); bar.update(10); bar.close()
    >>> "10/10" in out.getvalue()
    True
    """

    def __init__(self, total: float, label: str = "", delay: float | None = None, stream=None,
                 unit: str = "h", preparing: str | None = None) -> None:
        self.total = max(float(total), 0.0)
        self.delay = float(DEFAULT_DELAY if delay is None else delay)
        self.start = time.perf_counter()
        self.stream = sys.stderr if stream is None else stream
        self._quiet_kernel = False
        cls, widget = _tqdm_class()
        kwargs: dict[str, Any] = dict(total=self.total, desc=label, unit=unit, delay=self.delay,
                                      disable=progress_disabled(), leave=True, bar_format=self._format())
        if not widget:
            kwargs["file"] = self.stream
            if _in_kernel():  # no widget: no redraws, one line at the end (see close)
                self._quiet_kernel = True
                kwargs.update(mininterval=float("inf"), delay=float("inf"))
        self._bar = cls(**kwargs)
        self._warm = False  # an update has come: later updates measure the rate
        if preparing and not self._bar.disable:
            self.stream.write(preparing + "\n")
            self.stream.flush()

    def _format(self) -> str:
        return "{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} {unit} [{elapsed}<{remaining}]"

    def update(self, done: float) -> None:
        """Report that ``done`` units of work (cumulative) are finished."""
        bar = self._bar
        step = min(float(done), self.total) - bar.n
        if step <= 0:
            return
        if not self._warm and not bar.disable:
            # the first update's time includes loading (or compiling) the kernels: count its work
            # as done before the clock of the rate starts (tqdm's rate falls back to
            # (n - initial) / elapsed, its smoothed rate to the updates after last_print_*)
            self._warm = True
            bar.n = bar.initial = bar.last_print_n = bar.n + step
            bar.last_print_t = bar._time()
            if not self._quiet_kernel and bar.last_print_t >= bar.start_t + bar.delay:
                bar.refresh()  # shown now, the time left as "?"
            return
        bar.update(step)

    def set_postfix(self, text: str) -> None:
        """Text after the bar (e.g. ``1 failed``), shown at the next redraw."""
        self._bar.set_postfix_str(text, refresh=False)

    @property
    def shown(self) -> bool:
        """Whether anything was written (or a widget shown)."""
        bar = self._bar
        return not bar.disable and getattr(bar, "last_print_t", 0) >= bar.start_t + bar.delay

    def close(self) -> None:
        """Finish the bar (a kernel without widgets gets its single line here)."""
        bar = self._bar
        if self._quiet_kernel and not bar.disable and time.perf_counter() - self.start >= self.delay:
            self.stream.write(str(bar) + "\n")
            self.stream.flush()
        bar.close()

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class CountProgressBar(ProgressBar):
    """Count finished tasks: ``sweep  30%|###       | 12/40 runs, 1 failed [00:03<00:07]``.

    Shown from the first update (``delay`` 0 by default).

    Examples
    --------
    >>> import io
    >>> out = io.StringIO()
    >>> bar = CountProgressBar(4, "sweep", stream=out)
    >>> bar.update(4, failed=1); bar.close()
    >>> "4/4 runs, 1 failed" in out.getvalue()
    True
    """

    def __init__(self, total: int, label: str = "", delay: float = 0.0, stream=None) -> None:
        super().__init__(int(total), label, delay=delay, stream=stream, unit="runs")
        self.set_postfix("0 failed")

    def _format(self) -> str:
        return "{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} runs{postfix} [{elapsed}<{remaining}]"

    def update(self, done: float, failed: int = 0) -> None:
        """Report ``done`` finished tasks of which ``failed`` failed."""
        self.set_postfix(f"{int(failed)} failed")
        before = self._bar.n
        super().update(done)
        if self._bar.n == before and not self._quiet_kernel:
            self._bar.refresh()  # a failure without progress, or an empty sweep
