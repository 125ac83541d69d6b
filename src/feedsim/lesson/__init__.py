"""The classroom explorer: change the feed algorithm and see who is heard.

:func:`explore_state` is the model part (parameters in, numbers and a figure out),
shared by :func:`explore` (ipywidgets, in Jupyter) and ``feedsim lesson`` (a page
served on 127.0.0.1 by :mod:`feedsim.lesson.server`). The front ends need the
``lesson`` extra: ``pip install "feedsim[lesson]"``.
"""

from .state import (
    BASELINE,
    ExploreParams,
    ExploreState,
    RunCache,
    default_workers,
    draw_feed_view,
    explore_state,
    role_table_html,
    warm_up,
)

__all__ = ["BASELINE", "ExploreParams", "ExploreState", "RunCache", "default_workers", "draw_feed_view", "explore",
           "explore_state", "role_table_html", "warm_up"]


def explore(**params):
    """Open the explorer in a Jupyter notebook (needs ``ipywidgets``).

    See :func:`feedsim.lesson.widgets.explore`.
    """
    from .widgets import explore as _explore  # noqa: PLC0415

    return _explore(**params)
