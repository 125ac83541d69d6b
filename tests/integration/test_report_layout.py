"""The report's layout: no two text labels of its figures overlap, one headline, settings folded at the end."""

from __future__ import annotations

from html.parser import HTMLParser
from itertools import combinations

import matplotlib
import pytest
from matplotlib.text import Text

import feedsim
from feedsim.lesson import report

matplotlib.use("Agg")


def _drawn_texts(fig, monkeypatch) -> list[Text]:
    """The visible, non-empty texts a draw of ``fig`` puts on the canvas (hidden and off-axis ticks left out)."""
    drawn: list[Text] = []
    original = Text.draw

    def record(self, renderer):
        if self.get_visible() and self.get_text().strip():
            drawn.append(self)
        return original(self, renderer)

    with monkeypatch.context() as m:
        m.setattr(Text, "draw", record)
        fig.canvas.draw()
    return list(dict.fromkeys(drawn))


def _overlaps(fig, monkeypatch) -> list[tuple[str, str]]:
    renderer = fig.canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in _drawn_texts(fig, monkeypatch)]
    assert len(boxes) > 10  # titles, tick labels, bar labels, legend entries
    return [(a, b) for (a, ba), (b, bb) in combinations(boxes, 2)
            if min(ba.x1, bb.x1) - max(ba.x0, bb.x0) > 0 and min(ba.y1, bb.y1) - max(ba.y0, bb.y0) > 0]


@pytest.mark.parametrize("rankers", [["chronological", "engagement"],
                                     ["chronological", "engagement", "fair_exposure"]])
def test_no_two_text_labels_of_the_report_figures_overlap(community, rankers, monkeypatch):
    import matplotlib.pyplot as plt

    cmp = feedsim.compare(community, rankers, days=1, seed=4)
    figs = report._draw_figures(cmp)
    assert set(figs) == {"role_shares", "lorenz"}
    try:
        for name, fig in figs.items():
            assert _overlaps(fig, monkeypatch) == [], name
    finally:
        for fig in figs.values():
            plt.close(fig)


class _Outline(HTMLParser):
    """The page's elements in document order, as (depth, tag, id), and which ids sit inside a <details>."""

    def __init__(self):
        super().__init__()
        self.stack: list[str] = []
        self.order: list[tuple[int, str, str | None]] = []
        self.in_details: set[str] = set()

    def handle_starttag(self, tag, attrs):
        i = dict(attrs).get("id")
        self.order.append((len(self.stack), tag, i))
        if i and "details" in self.stack:
            self.in_details.add(i)
        if tag not in ("meta", "img", "br", "hr", "link", "input"):
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass


def test_headline_once_and_settings_folded_at_the_end(community):
    cmp = feedsim.compare(community, ["chronological", "engagement"], days=1, seed=4)
    page = report.report_html(cmp)
    line = report.headline(cmp)
    import html as _html

    assert _html.unescape(page).count(line) == 1
    p = _Outline()
    p.feed(page)
    assert {"seed", "versions", "config"} <= p.in_details
    body_children = [(tag, i) for depth, tag, i in p.order if depth == 2]  # html > body > child
    assert body_children[-1] == ("details", "settings"), body_children[-3:]
    assert "open" not in page.split('<details id="settings"', 1)[1].split(">", 1)[0]  # folded
    assert "@media print" in page and "size:A4" in page
