"""The applications built on the core: the classroom explorer and the shareable report.

:func:`explore_state` is the model part (parameters in, numbers and a figure out),
shared by :func:`explore` (ipywidgets, in Jupyter) and ``feedsim lesson`` (a page
served on 127.0.0.1 by :mod:`feedsim.lesson.server`); :mod:`feedsim.lesson.report`
writes a comparison as one HTML page (``feedsim compare --report``). The widget
front end needs the ``lesson`` extra: ``pip install "feedsim[lesson]"``.
``import feedsim`` does not import this package; ``feedsim.explore`` and
``feedsim.lesson`` load it on first use.
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


def __getattr__(name: str):
    if name == "report":  # the report needs none of the explorer: load it on first use
        import importlib  # noqa: PLC0415

        return importlib.import_module(".report", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def explore(**params):
    """Open the explorer in a Jupyter notebook (needs ``ipywidgets``).

    See :func:`feedsim.lesson.widgets.explore`.
    """
    from .widgets import explore as _explore  # noqa: PLC0415

    return _explore(**params)
