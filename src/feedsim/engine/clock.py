"""The run's one clock: an integer tick, and the times derived from it.

The platform owns the clock: :attr:`Platform.tick <feedsim.engine.platform.Platform.tick>`
counts the ticks run (while a tick runs, it is that tick's number). Everything
else is a function of it, computed here and nowhere else:

* hours: tick ``i`` starts at ``i * tick_hours`` (:func:`hours_at`) and its
  sessions happen at its end (:func:`tick_end`);
* the day: ``tick // ticks_per_day`` (:func:`ticks_per_day`), the number of
  days closed (while the last tick of a day closes it, that day's number);
* the keyed draws' tick coordinate: the tick itself;
* the tick before which an action due at a time acts (:func:`tick_at`).

SimPy's ``env.now`` follows the platform: the platform process waits until
``hours_at(tick)`` and checks the two agree before each tick.

Examples
--------
>>> ticks_per_day(2.0), hours_at(13, 2.0), tick_end(13, 2.0), tick_at(25.0, 2.0), tick_at(26.0, 2.0)
(12, 26.0, 28.0, 13, 13)
"""

from __future__ import annotations

import math

__all__ = ["ticks_per_day", "hours_at", "tick_end", "tick_at"]


def ticks_per_day(tick_hours: float) -> int:
    """Ticks in a day (``tick_hours`` divides 24, see :class:`~feedsim.engine.config.SimulationConfig`).

    Examples
    --------
    >>> ticks_per_day(1.0), ticks_per_day(0.5)
    (24, 48)
    """
    return round(24.0 / tick_hours)


def hours_at(tick: int, tick_hours: float) -> float:
    """The start of tick ``tick``, hours: exactly ``tick * tick_hours``, so the clock never drifts.

    Examples
    --------
    >>> hours_at(0, 1.0), hours_at(36, 1.0)
    (0.0, 36.0)
    """
    return tick * tick_hours


def tick_end(tick: int, tick_hours: float) -> float:
    """The end of tick ``tick`` (its sessions' time), hours: its start plus ``tick_hours``.

    For tick lengths that are not exact in binary (0.1 h) this can differ from
    ``hours_at(tick + 1)`` in the last bit; the engine has always timed the
    tick's sessions, ages and live window this way, so results stay the same.

    Examples
    --------
    >>> tick_end(0, 1.0), tick_end(3, 0.5)
    (1.0, 2.0)
    """
    return tick * tick_hours + tick_hours


def tick_at(hours: float, tick_hours: float) -> int:
    """The first tick that starts at or after ``hours`` (the tick before which an action due then acts).

    ``hours`` within a relative 1e-9 of a tick's start counts as that start (so
    ``at_day=1`` is tick 240 with ticks of 0.1 h, whatever the rounding of
    ``240 * 0.1``); a time inside a tick gives the next tick.

    Examples
    --------
    >>> tick_at(24.0, 1.0), tick_at(30.5, 1.0), tick_at(24.0, 0.1)
    (24, 31, 240)
    """
    x = hours / tick_hours
    k = round(x)
    if abs(x - k) <= 1e-9 * max(1.0, abs(x)):
        return int(k)
    return int(math.ceil(x))
