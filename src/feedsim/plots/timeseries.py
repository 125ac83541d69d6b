"""A daily metric over time with the run's interventions marked."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from ..engine.result import SimulationResult
from ..errors import InvalidParameterError
from ..network.graph import ROLES
from .figures import _axes
from .labels import metric_label
from .palette import RANKER_COLORS, ranker_color, role_color
from .rules import legend_outside

__all__ = ["daily_series", "plot_metric_over_time"]


def daily_series(result: SimulationResult, metric: str, role: str | None = None, *,
                 share: bool = False) -> NDArray[np.float64]:
    """One per-day series of ``result.daily``, optionally one role's column or share.

    Parameters
    ----------
    result : SimulationResult
    metric : str
        A key of ``result.daily`` (e.g. ``"impressions"``, ``"creators_posting"``
        or ``"impressions_by_role"``).
    role : str, optional
        For a ``*_by_role`` metric, the role whose column to return.
    share : bool, default False
        For a ``*_by_role`` metric, divide by the day's total over roles (the
        role's share of that day's posts, impressions or engagements).

    Returns
    -------
    ndarray of shape (days,)

    Raises
    ------
    InvalidParameterError
        For an unknown metric or role, or ``role``/``share`` on a metric without roles.
    """
    if metric not in result.daily:
        raise InvalidParameterError(f"metric must be one of {', '.join(sorted(result.daily))}; got {metric!r}")
    values = np.asarray(result.daily[metric], dtype=np.float64)
    if values.ndim == 1:
        if role is not None or share:
            raise InvalidParameterError(f"role and share need a *_by_role metric; got {metric!r}")
        return values
    if role is None:
        raise InvalidParameterError(f"metric {metric!r} has one column per role: give role (one of {', '.join(ROLES)})")
    if role not in ROLES:
        raise InvalidParameterError(f"role must be one of {', '.join(ROLES)}; got {role!r}")
    col = values[:, ROLES.index(role)]
    if share:
        tot = values.sum(axis=1)
        return np.divide(col, tot, out=np.full(len(col), np.nan), where=tot > 0)
    return col


def plot_metric_over_time(results: SimulationResult | Mapping[str, SimulationResult], metric: str = "impressions",
                          *, role: str | None = None, share: bool = False, ax=None, markers: bool = True,
                          ylabel: str | None = None):
    """Plot a per-day series with a vertical line at every intervention.

    Day ``d`` of the series covers hours ``[24 d, 24 (d + 1))`` and is drawn at
    ``x = d``; an intervention at hour ``h`` is drawn at ``x = h / 24`` and labelled
    with its action (a switch at day 30 sits between the last day of the old
    ranker and the first of the new one).

    Parameters
    ----------
    results : SimulationResult or mapping of name to SimulationResult
        One line per run (e.g. an arm with an intervention and a control arm).
    metric, role, share
        What to draw; see :func:`daily_series`. For a ``*_by_role`` metric with
        ``role=None`` one line per role present is drawn (single run only).
    ax : matplotlib Axes, optional
    markers : bool, default True
        Draw the interventions of every run (deduplicated by time and label).
    ylabel : str, optional
        Defaults to the metric in words (:func:`~feedsim.plots.labels.metric_label`).

    The y axis starts at 0 (every daily series is a count, a share or a Gini) and
    the legend sits to the right of the Axes, clear of the data.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import feedsim
    >>> sim = feedsim.Simulation(feedsim.networks.default_community(200, seed=0), seed=0)
    >>> sim.switch_ranker("engagement", at_day=1)
    >>> res = sim.run(days=2)
    >>> ax = plot_metric_over_time(res, "impressions")
    >>> ax.lines[0].get_ydata().tolist() == res.daily["impressions"].tolist()
    True
    """
    ax = _axes(ax)
    if isinstance(results, SimulationResult):
        results = {results.ranker: results}
    by_role = np.asarray(next(iter(results.values())).daily.get(metric, np.zeros(0))).ndim == 2
    for name, res in results.items():
        if by_role and role is None:
            if len(results) > 1:
                raise InvalidParameterError("one line per role needs a single run; give role for several runs")
            for r in res.roles_present():
                y = daily_series(res, metric, ROLES[r], share=share)
                ax.plot(np.arange(len(y)), y, marker=".", label=ROLES[r], color=role_color(ROLES[r]))
        else:
            y = daily_series(res, metric, role, share=share)
            colour = {"color": ranker_color(name)} if name in RANKER_COLORS else {}
            ax.plot(np.arange(len(y)), y, marker=".", label=str(name).replace("_", " "), **colour)
    if markers:
        seen = set()
        for res in results.values():
            for iv in res.interventions:
                key = (iv["hours"], iv["action"])
                if key in seen:
                    continue
                seen.add(key)
                x = iv["hours"] / 24.0
                ax.axvline(x, color="0.3", linestyle=":", linewidth=1)
                ax.annotate(iv["action"], xy=(x, 1.0), xycoords=("data", "axes fraction"), rotation=90,
                            va="top", ha="right", fontsize="x-small", color="0.3")
    ax.set_xlabel("day")
    words = metric_label(metric)
    if share:
        words = f"share of the day's {words.replace(' per day', '')}"
    label = words if role is None else f"{words} ({role} members)"
    ax.set_ylabel(ylabel or label)
    if share:
        ax.set_ylim(0, 1)
    else:  # every daily series is a count (or a Gini): from 0, so a small change is not blown up
        ax.set_ylim(bottom=0)
    legend_outside(ax)
    return ax
