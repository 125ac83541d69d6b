"""Sensitivity indices with their intervals, factors sorted, and the seed-noise floor."""

from __future__ import annotations

from ..errors import InvalidParameterError
from .labels import metric_label
from .palette import NEUTRAL_COLOR, RANKER_COLORS, UNSHOWN_COLOR
from .rules import interval_points, legend_outside

__all__ = ["plot_indices"]

#: Colour of each index (from the library palette): total order dark, first order light.
INDEX_COLORS = {"ST": RANKER_COLORS["chronological"], "S1": RANKER_COLORS["fair_exposure"],
                "mu_star": RANKER_COLORS["chronological"]}


def plot_indices(table, *, ax=None, title: str | None = None):
    """Horizontal interval plot of a study's indices, largest first, with the seed-noise floor shaded.

    With common seeds (``table.attrs["common_seeds"]``) the seed-noise row is
    not a floor, so it is given in the legend instead of shaded.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`feedsim.sensitivity.analyze` or
        :func:`~feedsim.sensitivity.run_sensitivity`.
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).
    title : str, optional
        Axes title (default: the metric and the method).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"parameter": ["a", "a", "b", "b", "seed noise"],
    ...                   "index": ["S1", "ST", "S1", "ST", "ST"], "estimate": [0.7, 0.8, 0.0, 0.05, 0.04],
    ...                   "conf": [0.1, 0.1, 0.02, 0.03, float("nan")], "low": [0.6, 0.7, -0.02, 0.02, 0.02],
    ...                   "high": [0.8, 0.9, 0.02, 0.08, 0.06]})
    >>> ax = plot_indices(t)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['a', 'b']

    Factor names are shown in words (``ranker.reply_weight`` as ``ranker: reply weight``).
    """
    import numpy as np  # noqa: PLC0415

    missing = [c for c in ("parameter", "index", "estimate", "low", "high") if c not in table.columns]
    if missing:
        raise InvalidParameterError(f"table must be a sensitivity table with parameter, index, estimate, low, high; "
                                    f"got no column {missing[0]!r}")
    if ax is None:
        import matplotlib.pyplot as plt  # noqa: PLC0415

        _, ax = plt.subplots(figsize=(6.4, 1.2 + 0.42 * table["parameter"].nunique()))
    noise = table[table["parameter"] == "seed noise"]
    factors = table[table["parameter"] != "seed noise"]
    indices = [i for i in ("ST", "S1", "mu_star") if i in set(factors["index"])]
    names = list(dict.fromkeys(factors["parameter"]))  # the table is sorted, largest first
    y = np.arange(len(names))[::-1].astype(float)
    where = dict(zip(names, y))
    if len(noise) and table.attrs.get("common_seeds"):
        # common seeds: the row is not a floor under the indices, so no band; its value goes in the legend
        ax.plot([], [], " ", label=f"seed noise: {float(noise.iloc[0]['estimate']):.2g} of the variance "
                                   f"(common seeds)")
    elif len(noise):
        row = noise.iloc[0]
        ax.axvspan(0, float(row["high"]) if np.isfinite(row["high"]) else float(row["estimate"]),
                   color=UNSHOWN_COLOR, alpha=0.35, lw=0,
                   label=f"seed noise (floor of {'mu*' if row['index'] == 'mu_star' else row['index']}, "
                         f"{float(row['estimate']):.2g})")
    offsets = {"ST": 0.12, "S1": -0.12, "mu_star": 0.0}
    for index in indices:
        sub = factors[factors["index"] == index]
        ys = np.array([where[p] for p in sub["parameter"]]) + offsets[index]
        label = {"ST": "total order (ST)", "S1": "first order (S1)", "mu_star": "mean |elementary effect|"}[index]
        # estimates: sampling error can take them below 0 (or a Sobol index above 1), so no bound is cut
        interval_points(ax, ys, sub["estimate"].to_numpy(), sub["low"].to_numpy(), sub["high"].to_numpy(),
                        bounds=(-np.inf, np.inf), horizontal=True, ms=5, capsize=3, color=INDEX_COLORS[index],
                        label=label)
    ax.axvline(0, color=NEUTRAL_COLOR, lw=0.8)
    ax.set_yticks(y, [_words(n) for n in names])
    ax.set_ylim(-0.6, len(names) - 0.4)
    ax.set_xlabel("Sobol index (share of output variance)" if "ST" in indices else "mu* (output units)")
    metric = table.attrs.get("metric")
    if title is None and metric:
        contrast = table.attrs.get("contrast")
        title = metric_label(metric) + (f", {contrast[0]} minus {contrast[1]}" if contrast else "")
    if title:
        ax.set_title(title)
    legend_outside(ax, frameon=False)
    return ax


def _words(name: str) -> str:
    """``ranker.reply_weight`` -> ``ranker: reply weight``."""
    head, dot, rest = name.partition(".")
    return (f"{head}: {rest}" if dot else head).replace("_", " ")
