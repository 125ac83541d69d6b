"""Lorenz curves per ranker and share of impressions against share of posts by role."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..engine.result import SimulationResult
from ..network.graph import ROLES
from .palette import NEUTRAL_COLOR, ranker_color, role_color

__all__ = ["plot_lorenz", "plot_role_shares"]


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
    return ax


def plot_lorenz(results: SimulationResult | Mapping[str, SimulationResult], ax=None):
    """Lorenz curve of impressions over posting accounts, one line per run.

    Parameters
    ----------
    results : SimulationResult or mapping of name to SimulationResult
        Runs to draw (e.g. ``comparison.results``).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import feedsim
    >>> res = feedsim.Simulation(feedsim.networks.default_community(300, seed=0), seed=0).run(days=1)
    >>> ax = plot_lorenz({"chronological": res})
    >>> len(ax.lines)
    2
    """
    ax = _axes(ax)
    if isinstance(results, SimulationResult):
        results = {results.ranker: results}
    ax.plot([0, 1], [0, 1], color=NEUTRAL_COLOR, linestyle="--", linewidth=1, label="everyone seen equally")
    for name, res in results.items():
        x, y = res.lorenz()
        g = res.summary()["gini_impressions"]
        label = name.replace("_", " ")
        ax.plot(x, y, color=ranker_color(name), linewidth=2,
                label=f"{label} (Gini {g:.2f})" if g is not None else label)
    ax.set_xlabel("share of posting accounts (fewest impressions first)")
    ax.set_ylabel("share of impressions")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_title("Who is seen: Lorenz curves of impressions")
    ax.legend(loc="upper left", fontsize="small")  # above the diagonal: no curve can be there
    return ax


def plot_role_shares(result: SimulationResult, ax=None):
    """Bars of each role's share of posts and share of impressions.

    Each role has its colour (:data:`~feedsim.plots.palette.ROLE_COLORS`): a
    light hatched bar for its share of posts and a solid bar for its share of
    impressions, each labelled with its percentage. A role whose solid bar is
    shorter than its hatched bar is heard less than it speaks (voice ratio below 1).

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.patches`` holds the post bars, then the impression bars (one per role
        present, in :data:`feedsim.ROLES` order).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import feedsim
    >>> res = feedsim.Simulation(feedsim.networks.default_community(300, seed=0), seed=0).run(days=1)
    >>> ax = plot_role_shares(res)
    >>> len(ax.patches) == 2 * len(res.roles_present())
    True
    """
    from matplotlib.patches import Patch

    ax = _axes(ax)
    s = result.summary()
    roles = [ROLES[r] for r in result.roles_present()]
    x = np.arange(len(roles))
    posts = np.array([s["post_share"][r] or 0.0 for r in roles])
    imps = np.array([s["impression_share"][r] or 0.0 for r in roles])
    colours = [role_color(r) for r in roles]
    bars_p = ax.bar(x - 0.2, posts, width=0.4, color=colours, alpha=0.35, hatch="//", edgecolor=colours,
                    label="share of posts")
    bars_i = ax.bar(x + 0.2, imps, width=0.4, color=colours, label="share of impressions")
    for bars, vals in ((bars_p, posts), (bars_i, imps)):
        for b, v in zip(bars, vals):
            ax.annotate(f"{100 * v:.0f}%" if v >= 0.095 else f"{100 * v:.1f}%", (b.get_x() + b.get_width() / 2, v),
                        xytext=(0, 2), textcoords="offset points", ha="center", va="bottom", fontsize="x-small")
    ax.set_xticks(x)
    ax.set_xticklabels(roles)
    ax.set_ylabel("share of all posts / of all impressions")
    ax.set_ylim(0, min(1.0, 1.2 * max(float(posts.max(initial=0)), float(imps.max(initial=0)), 0.05)))
    ax.yaxis.set_major_formatter(_percent)
    handles = [Patch(facecolor="0.6", alpha=0.35, hatch="//", edgecolor="0.4", label="share of posts"),
               Patch(facecolor="0.4", label="share of impressions")]
    ax.legend(handles=handles, fontsize="small", loc="best")
    return ax


def _percent(value, _pos=None) -> str:
    return f"{100 * value:.0f}%"
