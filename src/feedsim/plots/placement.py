"""Keep the text labels of a finished figure apart: no two labels may overlap.

A label that fits a wide figure can run into its neighbour in a narrow one
("influencregular" from two tick labels, "0.0%0.0%" from two bar labels).
:func:`overlapping_texts` finds such pairs from the drawn bounding boxes, and
:func:`separate_labels` turns the labels of a crowded axis or bar row upright
(rotated 90 degrees, so each takes only one line height of width) until none
overlap.
"""

from __future__ import annotations

from itertools import combinations

__all__ = ["drawn_texts", "overlapping_texts", "separate_labels"]


def drawn_texts(fig) -> list:
    """Every visible, non-empty Text artist of ``fig`` that a draw puts on the canvas.

    The figure is drawn once (with its own canvas) and the texts the draw
    rendered are returned, so tick labels outside the view limits and hidden
    labels (e.g. of shared axes) are left out.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.set_title("a title")
    >>> "a title" in [t.get_text() for t in drawn_texts(fig)]
    True
    """
    from matplotlib.text import Text

    seen: list = []
    original = Text.draw

    def recording(self, renderer):
        if self.get_visible() and self.get_text().strip():
            seen.append(self)
        return original(self, renderer)

    Text.draw = recording  # type: ignore[method-assign]
    try:
        fig.canvas.draw()
    finally:
        Text.draw = original  # type: ignore[method-assign]
    return list(dict.fromkeys(seen))


def overlapping_texts(fig, texts=None) -> list[tuple]:
    """Pairs of drawn text labels of ``fig`` whose bounding boxes intersect.

    Parameters
    ----------
    fig : matplotlib Figure
    texts : list of Text, optional
        Default :func:`drawn_texts` of ``fig``.

    Returns
    -------
    list of (Text, Text)
        Empty when no two labels overlap (boxes that only touch do not count).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.text(0.5, 0.5, "one"), ax.text(0.5, 0.5, "two")
    >>> [(a.get_text(), b.get_text()) for a, b in overlapping_texts(fig)]
    [('one', 'two')]
    """
    if texts is None:
        texts = drawn_texts(fig)
    renderer = fig.canvas.get_renderer()
    boxes = [(t, t.get_window_extent(renderer)) for t in texts]
    out = []
    for (a, ba), (b, bb) in combinations(boxes, 2):
        w = min(ba.x1, bb.x1) - max(ba.x0, bb.x0)
        h = min(ba.y1, bb.y1) - max(ba.y0, bb.y0)
        if w > 0 and h > 0:
            out.append((a, b))
    return out


def separate_labels(fig, *, layout: bool = True, rect=(0, 0, 1, 1)):
    """Turn upright the tick labels and bar labels of ``fig`` that overlap.

    For each Axes, the x tick labels are rotated 90 degrees if any two of them
    overlap, and its annotations (bar value labels) likewise. With ``layout``
    the figure's ``tight_layout`` is redone after a change (upright labels are
    taller), and the check repeats until nothing changes.

    Parameters
    ----------
    fig : matplotlib Figure
    layout : bool, default True
    rect : tuple of 4 floats, default (0, 0, 1, 1)
        The ``rect`` of that ``tight_layout`` (room kept for a figure legend or title).

    Returns
    -------
    matplotlib Figure
        ``fig``.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(1.5, 2))
    >>> _ = ax.set_xticks([0, 1], ["influencer", "regular"])
    >>> overlapping_texts(separate_labels(fig))
    []
    """
    for _ in range(3):
        texts = drawn_texts(fig)
        pairs = overlapping_texts(fig, texts)
        if not pairs:
            break
        clash = {id(t) for pair in pairs for t in pair}
        changed = False
        for ax in fig.axes:
            groups = [list(ax.get_xticklabels()), [t for t in ax.texts if hasattr(t, "xyann")]]
            for group in groups:
                if any(id(t) in clash for t in group) and any(t.get_rotation() != 90 for t in group):
                    for t in group:
                        if t in ax.texts:  # a bar label: upright, its foot on the bar
                            t.set(rotation=90, ha="left", va="center", rotation_mode="anchor")
                        else:
                            t.set(rotation=90, ha="center", va="top")
                    changed = True
        if not changed:
            break
        if layout:
            fig.tight_layout(rect=rect)
    return fig
