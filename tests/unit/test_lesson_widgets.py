"""feedsim.explore(): the ipywidgets front end of the explorer."""

from __future__ import annotations

import matplotlib
import pytest

import feedsim
from feedsim.plots.palette import ranker_color

pytest.importorskip("ipywidgets")
matplotlib.use("Agg")


def test_explore_returns_a_widget_box():
    import ipywidgets

    box = feedsim.explore(n_users=200, days=1, replicates=2, workers=0)
    assert isinstance(box, ipywidgets.VBox)
    # not only a box: it holds the drawn figure, the computed headline and the table
    (controls, figure), headline, table = box.children[0].children, box.children[1], box.children[2]
    assert "class='bar'" in figure.value and "quiet" in headline.value and "<table" in table.value
    assert any(getattr(c, "value", None) == "engagement" for c in controls.children)


def test_changing_the_ranker_control_updates_figure_numbers_and_table():
    from feedsim.lesson.widgets import Explorer

    ex = Explorer(n_users=200, days=1, replicates=2, ranker="engagement", workers=0)
    before = (ex.figure.value, ex.headline.value, ex.table.value)
    assert "class='bar'" in ex.figure.value
    ex.controls["ranker"].value = "fair_exposure"
    assert ex.state.params.ranker == "fair_exposure"
    after = (ex.figure.value, ex.headline.value, ex.table.value)
    assert all(a != b for a, b in zip(after, before))
    assert "fair exposure" in ex.headline.value and "fair exposure" in ex.table.value
    # the table's colour key is the library's ranker palette
    assert f"background:{ranker_color('fair_exposure')}" in ex.table.value
    assert f"background:{ranker_color('engagement')}" not in ex.table.value
    ex.controls["reciprocity"].value = False
    assert ex.state.results["fair_exposure"][0].config.reciprocity is False
    assert "updated in" in ex.status.value
