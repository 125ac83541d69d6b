"""The explorer in Jupyter: ipywidgets controls around :func:`feedsim.lesson.explore_state`.

Needs the ``lesson`` extra (``pip install "feedsim[lesson]"``, which brings ipywidgets).
"""

from __future__ import annotations

import dataclasses
import html
from typing import Any

from ..engine.config import FEEDBACK_LOOPS
from ..errors import FeedsimError
from ..rankers.registry import RANKERS
from .state import (
    BASELINE,
    ExploreParams,
    ExploreState,
    RunCache,
    default_workers,
    explore_state,
    prefetch_next,
    role_table_html,
    warm_up,
)
from .words import ranker_name

__all__ = ["explore", "role_table_html", "Explorer"]

#: Words for the controls (the field names stay in the code).
LABELS = {
    "ranker": "feed (ranker)",
    "rich_get_richer": "rich get richer",
    "reciprocity": "reciprocity",
    "creator_adaptation": "creator adaptation",
    "follow_discovery": "follow discovery",
    "out_of_network_share": "out of network",
    "n_users": "community size",
    "days": "days",
}


class Explorer:
    """The widget tree and its callback (``explore()`` builds one and returns its ``box``).

    Parameters
    ----------
    workers : int, optional
        Worker processes for the runs (:class:`RunCache`); default :func:`default_workers`.
    **params
        Starting values of :class:`ExploreParams` fields.
    """

    def __init__(self, workers: int | None = None, **params: Any) -> None:
        try:
            import ipywidgets as w  # noqa: PLC0415
        except ImportError:
            raise FeedsimError('feedsim.explore() needs ipywidgets: pip install "feedsim[lesson]"') from None
        self.params = ExploreParams(**params)
        self.cache = RunCache(max_runs=200, max_account_days=200 * 1000 * 7,
                              workers=default_workers() if workers is None else workers)
        p = self.params
        style = {"description_width": "initial"}
        self.controls = {
            # plain names shown, identifiers as the values
            "ranker": w.Dropdown(options=[(ranker_name(n), n) for n in RANKERS], value=p.ranker,
                                 description=LABELS["ranker"], style=style),
            **{loop: w.Checkbox(value=getattr(p, loop), description=LABELS[loop], indent=False)
               for loop in FEEDBACK_LOOPS},
            "out_of_network_share": w.FloatSlider(value=p.out_of_network_share, min=0, max=0.5, step=0.05,
                                                  description=LABELS["out_of_network_share"], style=style),
            "n_users": w.IntSlider(value=p.n_users, min=200, max=5000, step=100, description=LABELS["n_users"],
                                   style=style, continuous_update=False),
            "days": w.IntSlider(value=int(p.days), min=1, max=30, description=LABELS["days"], style=style,
                                continuous_update=False),
        }
        self.headline = w.HTML()
        self.status = w.HTML()
        self.figure = w.HTML()  # the page's charts: text stays text
        self.table = w.HTML()
        for c in self.controls.values():
            c.observe(self._changed, names="value")
        left = w.VBox([self.controls["ranker"],
                       w.HTML("<b>feedback loops</b>"), *[self.controls[k] for k in FEEDBACK_LOOPS],
                       self.controls["out_of_network_share"], self.controls["n_users"], self.controls["days"],
                       self.status])
        self.box = w.VBox([w.HBox([left, self.figure]), self.headline, self.table])
        warm_up([BASELINE, p.ranker])
        self.update()

    def _changed(self, change) -> None:
        values = {k: c.value for k, c in self.controls.items()}
        try:
            self.params = dataclasses.replace(self.params, **values)
        except FeedsimError as exc:  # a control outside its range: say so, keep the last figure
            self.status.value = f"<span style='color:#a00'>{html.escape(str(exc))}</span>"
            return
        self.update()

    def update(self) -> ExploreState:
        """Compute the state for the current controls and show it (the page's HTML charts and person view)."""
        from .charts import CHART_STYLE, difference_chart_html, person_html, reach_chart_html  # noqa: PLC0415
        from .state import person_view  # noqa: PLC0415

        self.status.value = "<i>running...</i>"
        st = explore_state(self.params, cache=self.cache)
        self.figure.value = (f"<style>{CHART_STYLE}</style><div style='font-size:16px;min-width:36em'>"
                             f"<p style='font-size:1.25em;font-weight:600'>{html.escape(st.reach_sentence)}</p>"
                             f"{reach_chart_html(st)}{difference_chart_html(st)}"
                             f"{person_html(person_view(st), st.rankers)}</div>")
        self.headline.value = f"<p>{html.escape(st.headline)}</p><p><small>{st.interval_method}</small></p>"
        self.table.value = role_table_html(st)
        self.status.value = f"<small>updated in {st.seconds:.1f} s</small>"
        self.state = st
        prefetch_next(self.params, self.cache)  # the other feeds and loop switches, computed ahead in the workers
        return st


def explore(**params: Any):
    """Show the explorer: change the feed and the feedback loops, see who is heard.

    Controls: the ranker, each feedback loop, the out-of-network share, the
    community size and the number of days. Shown: each role's share of posts and
    of views (bars), quiet members' voice ratio with a 95 % interval over
    ``replicates`` communities, a per-role table and a sentence computed from the
    numbers. Every setting is compared with the chronological feed on the same seeds.

    Parameters
    ----------
    **params
        Starting values of :class:`feedsim.lesson.ExploreParams` (``ranker``,
        ``n_users``, ``days``, ``replicates``, ``seed``, ...), and ``workers``
        (processes computing the runs side by side; 0 for none).

    Returns
    -------
    ipywidgets.VBox
        Display it (the last expression of a notebook cell).

    Raises
    ------
    FeedsimError
        Without ipywidgets.

    Examples
    --------
    >>> box = explore(n_users=200, days=1, replicates=2)  # doctest: +SKIP
    """
    return Explorer(**params).box
