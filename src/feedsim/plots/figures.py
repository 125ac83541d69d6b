"""Lorenz curves per ranker and share of impressions against share of posts by role."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..engine.result import SimulationResult
from ..network.graph import ROLES

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
    ax.plot([0, 1], [0, 1], color="0.6", linestyle="--", linewidth=1, label="equality")
    for name, res in results.items():
        x, y = res.lorenz()
        g = res.summary()["gini_impressions"]
        ax.plot(x, y, label=f"{name} (Gini {g:.2f})" if g is not None else name)
    ax.set_xlabel("share of posting accounts (fewest impressions first)")
    ax.set_ylabel("share of impressions")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_title("Who is seen: Lorenz curves of impressions")
    ax.legend(loc="upper left", fontsize="small")
    return ax


def plot_role_shares(result: SimulationResult, ax=None):
    """Bars of each role's share of posts and share of impressions.

    A role whose impression bar is shorter than its post bar is heard less than it
    speaks (voice ratio below 1).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import feedsim
    >>> res = feedsim.Simulation(feedsim.networks.default_community(300, seed=0), seed=0).run(days=1)
    >>> ax = plot_role_shares(res)
    >>> len(ax.patches) == 2 * len(res.roles_present())
    True
    """
    ax = _axes(ax)
    s = result.summary()
    roles = [ROLES[r] for r in result.roles_present()]
    x = np.arange(len(roles))
    posts = [s["post_share"][r] or 0.0 for r in roles]
    imps = [s["impression_share"][r] or 0.0 for r in roles]
    ax.bar(x - 0.2, posts, width=0.4, label="share of posts")
    ax.bar(x + 0.2, imps, width=0.4, label="share of impressions")
    ax.set_xticks(x)
    ax.set_xticklabels(roles)
    ax.set_ylabel("share")
    ax.set_ylim(0, 1)
    ax.legend(fontsize="small")
    return ax
