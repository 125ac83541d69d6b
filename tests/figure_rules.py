"""The figure rules' check (tests only): what in a finished figure breaks the rules.

The rules and the helpers that keep them are :mod:`feedsim.plots.rules`;
:func:`figure_problems` checks a finished figure against them and says what
breaks them. ``tests/unit/test_figure_rules.py`` holds each check to what it
should catch; the experiments (``experiments/_common.py``) run it on every
figure they save when ``FEEDSIM_CHECK_FIGURES`` is set, and the integration
tests read what it found.
"""

from __future__ import annotations

import math

import numpy as np

from feedsim.plots.palette import label_color
from feedsim.plots.rules import _ATTR

__all__ = ["figure_problems"]


def _hex(colour) -> str:
    from matplotlib.colors import to_hex

    return to_hex(colour, keep_alpha=False).upper()


def _labelled(ax):
    """(label, colour or None) of every labelled data artist of ``ax``."""
    from matplotlib.container import BarContainer, ErrorbarContainer

    out = []
    for line in ax.lines:
        out.append((line.get_label(), _hex(line.get_color())))
    for c in ax.containers:
        if isinstance(c, BarContainer) and len(c.patches):
            faces = {_hex(p.get_facecolor()) for p in c.patches}
            out.append((c.get_label(), faces.pop() if len(faces) == 1 else None))
        elif isinstance(c, ErrorbarContainer) and c.lines[0] is not None:
            out.append((c.get_label(), _hex(c.lines[0].get_color())))
    for coll in ax.collections:
        faces = coll.get_facecolors()
        if len(faces) and len({_hex(f) for f in faces}) == 1:  # one colour: it stands for the label
            out.append((coll.get_label(), _hex(faces[0])))
    return out


def _text_problems(ax, where: str) -> list[str]:
    texts = [("x label", ax.get_xlabel()), ("y label", ax.get_ylabel()), ("title", ax.get_title()),
             ("left title", ax.get_title(loc="left"))]
    texts += [("x tick label", t.get_text()) for t in ax.get_xticklabels()]
    texts += [("y tick label", t.get_text()) for t in ax.get_yticklabels()]
    leg = ax.get_legend()
    if leg is not None:
        texts += [("legend entry", t.get_text()) for t in leg.get_texts()]
        texts.append(("legend title", leg.get_title().get_text()))
    return [f"{where}: {what} {text!r} is not in words (has '_')" for what, text in texts if "_" in text]


def _interval_problems(ax, where: str) -> list[str]:
    from matplotlib.collections import LineCollection, PolyCollection
    from matplotlib.container import ErrorbarContainer

    intervals = []  # (kind, array of (x, y) vertices)
    for c in ax.containers:
        err = c if isinstance(c, ErrorbarContainer) else getattr(c, "errorbar", None)
        if err is None:
            continue
        only = "y" if err.has_yerr and not err.has_xerr else "x" if err.has_xerr and not err.has_yerr else None
        for lc in err.lines[2]:
            if isinstance(lc, LineCollection):
                for seg in lc.get_segments():
                    seg = np.asarray(seg, dtype=float)
                    if seg.shape != (2, 2):
                        continue
                    axis = only or ("y" if seg[0, 0] == seg[1, 0] else "x" if seg[0, 1] == seg[1, 1] else None)
                    if axis is not None:
                        intervals.append(("error bar", axis, seg[:, 1] if axis == "y" else seg[:, 0]))
    for coll in ax.collections:
        if isinstance(coll, PolyCollection):
            for path in coll.get_paths():
                v = np.asarray(path.vertices, dtype=float)
                intervals.append(("band", "y", v[:, 1]))
    if not intervals:
        return []
    bounds = getattr(ax, _ATTR, None)
    if not bounds:
        return [(f"{where}: draws {len(intervals)} intervals but declares no bounds for its quantity "
                 "(feedsim.plots.rules.declare_bounds)")]
    problems = []
    for kind, axis, values in intervals:
        if axis not in bounds:
            problems.append(f"{where}: a {kind} along {axis} but bounds declared only for {', '.join(bounds)}")
            continue
        low, high = bounds[axis]
        v = values[np.isfinite(values)]
        tol = 1e-9 * max([1.0, *(abs(b) for b in (low, high) if math.isfinite(b))])
        if len(v) and (v.min() < low - tol or v.max() > high + tol):
            problems.append(f"{where}: a {kind} spans [{v.min():.4g}, {v.max():.4g}], outside the quantity's "
                            f"bounds [{low:g}, {high:g}]")
    return problems


def _bar_problems(ax, where: str) -> list[str]:
    from matplotlib.container import BarContainer

    problems = []
    for c in ax.containers:
        if not isinstance(c, BarContainer):
            continue
        lim = ax.get_xlim() if c.orientation == "horizontal" else ax.get_ylim()
        if not min(lim) <= 0 <= max(lim):
            axis = "x" if c.orientation == "horizontal" else "y"
            problems.append(f"{where}: bars {c.get_label()!r} on a {axis} axis from {min(lim):.4g} to "
                            f"{max(lim):.4g}, which leaves out 0")
    return problems


def _covers(artist, box, renderer) -> bool:
    """Whether ``artist`` draws anything inside the display box ``box``."""
    from matplotlib.collections import Collection, PathCollection, PolyCollection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.path import Path

    if not artist.get_visible():
        return False
    if isinstance(artist, Line2D):
        xy = artist.get_transform().transform(np.asarray(artist.get_xydata(), dtype=float))
        if not len(xy):
            return False
        ok = np.all(np.isfinite(xy), axis=1)
        if artist.get_marker() not in (None, "None", "none", "", " "):
            r = artist.get_markersize() * renderer.points_to_pixels(1.0) / 2
            p = xy[ok]
            inside = ((p[:, 0] >= box.x0 - r) & (p[:, 0] <= box.x1 + r) & (p[:, 1] >= box.y0 - r)
                      & (p[:, 1] <= box.y1 + r))
            if inside.any():
                return True
        if artist.get_linestyle() in ("None", "none", "", " "):
            return False
        runs = np.split(xy, np.flatnonzero(~ok))
        return any(Path(run[np.all(np.isfinite(run), axis=1)]).intersects_bbox(box, filled=False)
                   for run in runs if np.isfinite(run).all(axis=1).sum() >= 2)
    if isinstance(artist, Patch):
        ext = artist.get_window_extent(renderer)
        return bool(np.all(np.isfinite(ext.get_points())) and ext.width * ext.height > 0 and ext.overlaps(box))
    if isinstance(artist, PathCollection):
        offsets = np.asarray(artist.get_offsets(), dtype=float)
        if not len(offsets):
            return False
        p = artist.get_offset_transform().transform(offsets)
        sizes = artist.get_sizes()
        r = np.sqrt(sizes if len(sizes) else [36.0]).max() * renderer.points_to_pixels(1.0) / 2
        return bool(np.any((p[:, 0] >= box.x0 - r) & (p[:, 0] <= box.x1 + r) & (p[:, 1] >= box.y0 - r)
                           & (p[:, 1] <= box.y1 + r)))
    if isinstance(artist, Collection):
        filled = isinstance(artist, PolyCollection)
        tr = artist.get_transform()
        for path in artist.get_paths():
            v = tr.transform(np.asarray(path.vertices, dtype=float))
            v = v[np.all(np.isfinite(v), axis=1)]
            if len(v) >= 2 and Path(v).intersects_bbox(box, filled=filled):
                return True
    return False


def _legend_problems(fig, renderer) -> list[str]:
    from matplotlib.transforms import Bbox

    legends = [(f"legend of axes {i} ({ax.get_title() or ax.get_title(loc='left') or 'untitled'})", ax.get_legend())
               for i, ax in enumerate(fig.axes)] + [("figure legend", leg) for leg in fig.legends]
    problems = []
    for name, leg in legends:
        if leg is None or not leg.get_visible():
            continue
        box = leg.get_window_extent(renderer)
        for j, ax in enumerate(fig.axes):
            inside = Bbox.intersection(box, ax.bbox)  # data is clipped to its Axes
            if inside is None or inside.width <= 0 or inside.height <= 0:
                continue
            artists = [*ax.lines, *ax.patches, *ax.collections]
            hits = [a for a in artists if _covers(a, inside, renderer)]
            if hits:
                kinds = ", ".join(sorted({type(a).__name__ for a in hits}))
                problems.append(f"{name} covers data of axes {j}: {kinds}")
    return problems


def figure_problems(fig) -> list[str]:
    """What in a finished figure breaks the rules of :mod:`feedsim.plots.rules`.

    Call it on the figure as it will be saved (after ``tight_layout``): the legend
    check draws the figure to measure where legends and data are.

    Parameters
    ----------
    fig : matplotlib Figure

    Returns
    -------
    list of str
        One sentence per problem (empty when the figure follows every rule).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.bar([0, 1], [3.0, 4.0], color="#E69F00", label="engagement")
    >>> _ = ax.set_ylim(2, 5)
    >>> _ = ax.set_ylabel("reach_per_post")
    >>> for p in figure_problems(fig): print(p)
    axes 0: y label 'reach_per_post' is not in words (has '_')
    axes 0: bars 'engagement' on a y axis from 2 to 5, which leaves out 0
    >>> plt.close(fig)
    """
    if not hasattr(fig.canvas, "get_renderer"):  # a bare matplotlib.figure.Figure: give it an Agg canvas
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(fig)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    problems = []
    for i, ax in enumerate(fig.axes):
        where = f"axes {i}" + (f" ({ax.get_title()})" if ax.get_title() else "")
        problems += _text_problems(ax, where)
        for label, colour in _labelled(ax):
            want = label_color(label)
            if want is not None and colour != want.upper():
                problems.append(f"{where}: {label!r} is drawn in {colour}, not its palette colour {want.upper()}")
        problems += _interval_problems(ax, where)
        problems += _bar_problems(ax, where)
    problems += _legend_problems(fig, renderer)
    return problems
