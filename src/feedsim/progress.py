"""A dependency-free progress bar for long runs (terminal and notebook).

It writes to ``sys.stderr`` with carriage returns, which terminals and Jupyter
both render in place, and stays silent for runs shorter than ``delay`` seconds.
"""

from __future__ import annotations

import sys
import time

__all__ = ["CountProgressBar", "ProgressBar"]


class ProgressBar:
    """Show ``label [#####     ] 50% 12.3 s`` once a run has taken ``delay`` seconds.

    Parameters
    ----------
    total : float
        Amount of work (e.g. simulated hours).
    label : str
        Text before the bar.
    delay : float, default 2.0
        Seconds before the bar first appears.
    stream : file-like, optional
        Where to write (default ``sys.stderr``).

    Examples
    --------
    >>> bar = ProgressBar(10, "run", delay=0.0, stream=None)
    >>> bar.update(10); bar.close()
    """

    def __init__(self, total: float, label: str = "", delay: float = 2.0, stream=sys.stderr, width: int = 30):
        self.total = max(float(total), 1e-12)
        self.label = label
        self.delay = delay
        self.stream = stream
        self.width = width
        self.start = time.perf_counter()
        self._last = 0.0
        self.shown = False

    def update(self, done: float) -> None:
        """Report ``done`` units of work."""
        self._draw(done, lambda frac, elapsed: f"{frac:4.0%} {elapsed:6.1f} s")

    def _draw(self, done: float, middle) -> None:
        """Throttled redraw: ``label [bar] <middle(frac, elapsed)>, ETA ...``."""
        if self.stream is None:
            return
        now = time.perf_counter()
        elapsed = now - self.start
        if elapsed < self.delay or (now - self._last < 0.2 and done < self.total):
            return
        self._last = now
        frac = min(1.0, done / self.total)
        filled = int(round(frac * self.width))
        eta = elapsed / frac - elapsed if frac > 0 else float("nan")
        bar = "#" * filled + " " * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {middle(frac, elapsed)}, ETA {eta:5.1f} s")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        """End the line if anything was shown."""
        if self.shown and self.stream is not None:
            self.stream.write("\n")
            self.stream.flush()


class CountProgressBar(ProgressBar):
    """Count finished tasks: ``sweep [#####     ] 12/40 runs, 1 failed, 3.2 s, ETA 9.1 s``.

    Shown from the first update (``delay`` 0 by default); the ETA assumes the
    remaining runs take as long as the finished ones did on average.

    Examples
    --------
    >>> import io
    >>> out = io.StringIO()
    >>> bar = CountProgressBar(4, "sweep", stream=out)
    >>> bar.update(4, failed=1); bar.close()
    >>> "4/4 runs, 1 failed" in out.getvalue()
    True
    """

    def __init__(self, total: int, label: str = "", delay: float = 0.0, stream=sys.stderr, width: int = 30):
        super().__init__(total, label, delay=delay, stream=stream, width=width)
        self.count = int(total)

    def update(self, done: float, failed: int = 0) -> None:  # type: ignore[override]
        """Report ``done`` finished tasks of which ``failed`` failed."""
        if not self.count:
            done = self.total
        self._draw(done, lambda frac, elapsed: f"{int(done)}/{self.count} runs, {failed} failed, {elapsed:6.1f} s")
