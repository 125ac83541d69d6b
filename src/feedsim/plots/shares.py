"""Share of impressions against share of posts per role, one point per role and run."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..engine.result import SimulationResult
from ..network.graph import ROLES
from .figures import _axes
from .palette import ROLE_COLORS
from .rules import legend_outside

__all__ = ["plot_role_share_scatter"]

_MARKERS = "osD^vP*Xh<>"


def plot_role_share_scatter(results: SimulationResult | Mapping[str, SimulationResult], ax=None, *,
                            log: bool = False):
    """Scatter each role's share of impressions against its share of posts.

    Points on the diagonal are heard as much as they speak; below it a role is
    heard less (voice ratio below 1). Colour is the role, marker shape the run;
    a grey segment joins the same role across runs.

    Parameters
    ----------
    results : SimulationResult or mapping of name to SimulationResult
    ax : matplotlib Axes, optional
    log : bool, default False
        Log-scale both axes (separates roles with small shares); impression shares
        below 1e-4 (a role never seen) are drawn at 1e-4.

    Returns
    -------
    matplotlib.axes.Axes
        One ``PathCollection`` per run in ``ax.collections`` (in order), with one
        point per posting role, ``(post share, impression share)``.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import feedsim
    >>> res = feedsim.Simulation(feedsim.networks.default_community(300, seed=0), seed=0).run(days=1)
    >>> ax = plot_role_share_scatter(res)
    >>> len(ax.collections)
    1
    """
    ax = _axes(ax)
    if isinstance(results, SimulationResult):
        results = {results.ranker: results}
    points: dict[str, list] = {}
    hi = 0.0
    for i, (name, res) in enumerate(results.items()):
        s = res.summary()
        roles = [ROLES[r] for r in res.roles_present() if (s["post_share"][ROLES[r]] or 0) > 0]
        x = np.array([s["post_share"][r] for r in roles], dtype=float)
        y = np.array([s["impression_share"][r] or 0.0 for r in roles], dtype=float)
        if log:
            y = np.maximum(y, 1e-4)  # a role never seen sits on the bottom edge
        ax.scatter(x, y, c=[ROLE_COLORS[r] for r in roles], marker=_MARKERS[i % len(_MARKERS)],
                   s=60, edgecolors="black", linewidths=0.5, label=str(name).replace("_", " "), zorder=3)
        for r, xi, yi in zip(roles, x, y):
            points.setdefault(r, []).append((xi, yi))
        hi = max(hi, float(np.max(x, initial=0)), float(np.max(y, initial=0)))
    for r, pts in points.items():
        if len(pts) > 1:
            px, py = zip(*pts)
            ax.plot(px, py, color="0.7", linewidth=1, zorder=1)
        ax.annotate(r, pts[0], textcoords="offset points", xytext=(5, 5), fontsize="small", color=ROLE_COLORS[r])
    top = min(1.0, hi * 1.1 + 0.02)
    if log:
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.plot([1e-4, 1], [1e-4, 1], color="0.6", linestyle="--", linewidth=1, zorder=0)
    else:
        ax.plot([0, top], [0, top], color="0.6", linestyle="--", linewidth=1, zorder=0)
        ax.set_xlim(0, top)
        ax.set_ylim(0, top)
    ax.set_xlabel("share of posts")
    ax.set_ylabel("share of impressions")
    ax.set_title("Heard as much as they speak? (diagonal = yes)")
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], linestyle="", marker=_MARKERS[i % len(_MARKERS)], color="0.5", markeredgecolor="black",
                      label=str(name).replace("_", " ")) for i, name in enumerate(results)]
    legend_outside(ax, handles=handles, title="run (marker)")
    return ax
