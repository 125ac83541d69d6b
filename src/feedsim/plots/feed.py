"""One person's feed drawn as a phone-like column, from a run's feed audit."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .._validate import check_int, check_number
from ..errors import InvalidParameterError
from .figures import _axes
from .palette import UNSHOWN_COLOR, ranker_color, role_color

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..engine.result import SimulationResult

__all__ = ["plot_feed", "feed_at"]

_ARRIVED = {"followee": "followed", "reshare": "reshared by @{by}", "out_of_network": "out of network"}
_CARD_H = 0.86  # height of a card, in rows
_GAP = 1.25  # horizontal distance between two phones, in phone widths


def feed_at(result: SimulationResult, viewer: int, hour: float) -> pd.DataFrame:
    """The audited candidates of ``viewer`` at the session nearest ``hour``.

    Parameters
    ----------
    result : SimulationResult
        A run with ``viewer`` in ``Simulation(..., audit=[...])``.
    viewer : int
        The account (position in the graph's node order).
    hour : float
        Hours since the start; the tick with sessions closest to it is taken (the
        earlier one on a tie).

    Returns
    -------
    pandas.DataFrame
        The rows of ``result.audit`` for that viewer and tick, shown items first
        in feed order (session, slot), then the others by rank.

    Raises
    ------
    InvalidParameterError
        When the viewer was not audited (the message lists who was).

    Examples
    --------
    >>> import feedsim
    >>> G = feedsim.networks.default_community(300, seed=1)
    >>> res = feedsim.Simulation(G, ranker="engagement", seed=1, audit=[6]).run(days=1)
    >>> f = feed_at(res, 6, 12)
    >>> bool(f.shown.iloc[0]), int(f.slot.iloc[0])
    (True, 0)
    """
    check_number("hour", hour)
    a = result.audit
    mine = a[a.viewer == viewer] if len(a) else a
    if len(mine) == 0:
        audited = list(a.attrs.get("audited", []))
        if viewer in audited:
            raise InvalidParameterError(f"viewer must have had a session during the run; got {viewer!r}, "
                                        "audited but never opened the app")
        raise InvalidParameterError(
            f"viewer must be an audited account; got {viewer!r} (audited: {audited or 'none'}; "
            "run Simulation(..., audit=[accounts]))")
    times = np.unique(mine.time.to_numpy())
    t = times[int(np.argmin(np.abs(times - float(hour))))]
    f = mine[mine.time == t]
    order = np.lexsort((f["rank"].to_numpy(), f.slot.to_numpy(), f.session.to_numpy(), ~f.shown.to_numpy()))
    return f.iloc[order]


def _label(result: SimulationResult, account: int) -> str:
    node = result.authors.node_id[account] if account < len(result.authors) else account
    return f"@{node}"


def _card_text(result: SimulationResult, row) -> tuple[str, str]:
    head = f"{_label(result, int(row.author))}  {row.author_role}"
    arrived = _ARRIVED.get(row.arrived, str(row.arrived))
    if row.arrived == "reshare":
        arrived = arrived.format(by=_label(result, int(row.reshared_by))[1:])
    score = "never shown" if np.isneginf(row.score) else f"score {row.score:.3g}"
    return head, f"{row.age_hours:.0f} h old · {arrived} · {score}"


def _phone(ax, result: SimulationResult, f: pd.DataFrame, x0: float, unshown: int, max_shown: int | None):
    from matplotlib.patches import FancyBboxPatch

    shown = f[f.shown]
    hidden = 0
    if max_shown is not None and len(shown) > max_shown:
        hidden = len(shown) - max_shown
        shown = shown.iloc[:max_shown]
    rest = f[~f.shown & np.isfinite(f.score)].iloc[:unshown]
    viewer = int(f.viewer.iloc[0])
    role = result.authors.role[viewer]
    from ..network.graph import ROLES

    t = float(f.time.iloc[0])
    n_rows = len(shown) + len(rest) + (len(rest) > 0) + (hidden > 0) + max(int(shown.session.nunique()) - 1, 0)
    height = n_rows + 2.2
    ax.add_patch(FancyBboxPatch((x0 - 0.06, -height + 0.6), 1.12, height + 0.2,
                                boxstyle="round,pad=0.02,rounding_size=0.18", facecolor="white",
                                edgecolor="0.25", linewidth=1.5, zorder=0))
    ax.text(x0 + 0.5, 0.25, f"{result.ranker}", ha="center", va="center", fontsize="medium",
            fontweight="bold", color=ranker_color(result.ranker), gid="feed-ranker")
    ax.text(x0 + 0.5, -0.35, f"feed of {_label(result, viewer)} ({ROLES[int(role)]}), day {int(t // 24)}, "
            f"{t % 24:02.0f}:00", ha="center", va="center", fontsize="x-small", color="0.2", gid="feed-title")
    y = -1.2
    session = int(shown.session.iloc[0]) if len(shown) else 0
    for row in shown.itertuples():
        if row.session != session:
            session = int(row.session)
            ax.text(x0 + 0.5, y + 0.1, f"session {session + 1}", ha="center", va="center",
                    fontsize="xx-small", color="0.4", gid="feed-divider")
            y -= 1
        _card(ax, result, row, x0, y, faded=False)
        y -= 1
    if hidden:
        ax.text(x0 + 0.5, y + 0.1, f"... {hidden} more shown", ha="center", va="center",
                fontsize="xx-small", color="0.4", gid="feed-divider")
        y -= 1
    if len(rest):
        ax.text(x0 + 0.5, y + 0.1, "not shown: the next best candidates", ha="center", va="center",
                fontsize="xx-small", color="0.4", style="italic", gid="feed-divider")
        y -= 1
        for row in rest.itertuples():
            _card(ax, result, row, x0, y, faded=True)
            y -= 1
    return -height + 0.4


def _card(ax, result, row, x0: float, y: float, faded: bool) -> None:
    from matplotlib.patches import Rectangle

    face = "0.95" if faded else "white"
    colour = role_color(row.author_role)
    ax.add_patch(Rectangle((x0, y - _CARD_H / 2), 1.0, _CARD_H, facecolor=face, edgecolor="0.8", linewidth=0.6,
                           zorder=1))
    ax.add_patch(Rectangle((x0, y - _CARD_H / 2), 0.035, _CARD_H, facecolor=UNSHOWN_COLOR if faded else colour,
                           edgecolor="none", zorder=2))
    head, line = _card_text(result, row)
    ink = "0.55" if faded else "black"
    ax.text(x0 + 0.06, y + 0.16, head, ha="left", va="center", fontsize="x-small", fontweight="bold",
            color=ink if faded else colour, zorder=3, gid="feed-item-unshown" if faded else "feed-item")
    ax.text(x0 + 0.06, y - 0.2, line, ha="left", va="center", fontsize="xx-small", color=ink, zorder=3,
            gid="feed-detail")


def plot_feed(result: SimulationResult, viewer: int, hour: float, ax=None, other: SimulationResult | None = None,
              *, unshown: int = 5, max_shown: int | None = None):
    """Draw one viewer's feed at one session as a phone-like column.

    The shown items come first, in feed order (one block per session of the
    tick), each a card with the author, the author's role (the stripe's colour,
    :data:`~feedsim.plots.palette.ROLE_COLORS`), the post's age, how it arrived and its
    score; then the best candidates that were not shown, greyed. With ``other``
    (a run of the same seed under another ranker, also auditing ``viewer``) the
    two feeds stand side by side.

    Parameters
    ----------
    result : SimulationResult
        A run with ``viewer`` audited (``Simulation(..., audit=[viewer])``).
    viewer : int
        The account (position in the graph's node order).
    hour : float
        Hours since the start; the session nearest it is drawn (see :func:`feed_at`).
    ax : matplotlib Axes, optional
    other : SimulationResult, optional
        A second run drawn to the right (its session nearest the same hour).
    unshown : int, default 5
        How many of the best unshown candidates to show greyed.
    max_shown : int, optional
        Draw at most this many shown items (default: all).

    Returns
    -------
    matplotlib.axes.Axes
        Card texts carry ``gid`` ``"feed-item"`` (shown, in order) or
        ``"feed-item-unshown"``; ``ax.feedsim_feeds`` holds the drawn
        :func:`feed_at` frames, one per phone.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import feedsim
    >>> G = feedsim.networks.default_community(300, seed=1)
    >>> res = feedsim.Simulation(G, ranker="engagement", seed=1, audit=[6]).run(days=1)
    >>> ax = plot_feed(res, 6, 12)
    >>> items = [t.get_text() for t in ax.texts if t.get_gid() == "feed-item"]
    >>> len(items) == int(feed_at(res, 6, 12).shown.sum())
    True
    """
    check_int("unshown", unshown, low=0)
    if max_shown is not None:
        check_int("max_shown", max_shown, low=0)
    if other is not None and other.seed != result.seed:
        raise InvalidParameterError(f"other must be a run with the same seed; got {other.seed} and {result.seed}")
    frames = [feed_at(result, viewer, hour)]
    if other is not None:
        frames.append(feed_at(other, viewer, hour))
    if ax is None:
        import matplotlib.pyplot as plt

        rows = max(int(f.shown.sum()) if max_shown is None else min(max_shown, int(f.shown.sum())) for f in frames)
        _, ax = plt.subplots(figsize=(3.6 * len(frames), 0.34 * (rows + unshown + 4) + 0.4))
    ax = _axes(ax)
    bottom = 0.0
    runs = [result] if other is None else [result, other]
    for i, (res, f) in enumerate(zip(runs, frames)):
        bottom = min(bottom, _phone(ax, res, f, i * _GAP, unshown, max_shown))
    ax.set_xlim(-0.12, (len(frames) - 1) * _GAP + 1.12)
    ax.set_ylim(bottom - 0.1, 0.75)
    ax.set_axis_off()
    ax.feedsim_feeds = frames
    return ax
