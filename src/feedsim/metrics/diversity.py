"""Diversity of what each group was exposed to: normalised Shannon entropy.

Input is a table of ``(group, category, count)`` rows, typically
``(viewer, author, impressions)`` from a run's impression log. Rows may repeat;
they are aggregated with one ``lexsort`` and ``reduceat``, never a Python loop and
never a dense groups x categories matrix.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validate import check_array, check_int
from ..errors import InvalidParameterError
from .groups import _check_same_length, _codes
from .inequality import _as_1d, _nonnegative_vector

__all__ = ["normalized_entropy", "exposure_diversity"]


def _capacity(capacity: Any, n_groups: int) -> NDArray[np.float64]:
    """Return ``capacity`` as float64 of shape (n_groups,) (a scalar is broadcast)."""
    if np.ndim(capacity) == 0:
        cap = check_array("capacity", [capacity], low=0, integer=True)
        return np.full(n_groups, cap[0])
    cap = check_array("capacity", _as_1d("capacity", capacity), low=0, integer=True)
    if cap.shape != (n_groups,):
        raise InvalidParameterError(
            f"capacity must have shape (n_groups,) = ({n_groups},); got {cap.shape}"
        )
    return cap


def _aggregate(
    group: NDArray[np.int64], category: NDArray[np.int64], counts: NDArray[np.float64]
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Sum counts over repeated (group, category) pairs; drop cells whose sum is 0.

    Returns the group of each positive cell and its weight. Weights are divided by
    their group's largest row count, so a group's total lies in ``[1, n_rows]``
    (no overflow for huge counts, no underflow to a zero total for tiny ones).
    """
    if group.size == 0:
        return group, counts
    order = np.lexsort((category, group))
    g, c, w = group[order], category[order], counts[order]
    new_group = np.empty(g.size, dtype=bool)
    new_group[0] = True
    new_group[1:] = g[1:] != g[:-1]
    new_cell = new_group.copy()
    new_cell[1:] |= c[1:] != c[:-1]

    group_starts = np.flatnonzero(new_group)
    group_max = np.maximum.reduceat(w, group_starts)
    group_max[group_max == 0] = 1.0
    scale = np.repeat(group_max, np.diff(np.append(group_starts, g.size)))

    cell_starts = np.flatnonzero(new_cell)
    positive = np.logical_or.reduceat(w > 0, cell_starts)
    cell_weight = np.add.reduceat(w / scale, cell_starts)
    return g[cell_starts][positive], cell_weight[positive]


def normalized_entropy(
    group: ArrayLike,
    category: ArrayLike,
    counts: ArrayLike | None = None,
    n_groups: int | None = None,
    capacity: ArrayLike | int | None = None,
) -> NDArray[np.float64]:
    """Normalised Shannon entropy of each group's distribution over categories.

    Parameters
    ----------
    group : array_like of int, shape (n_rows,)
        Group code of each row (e.g. the viewer), in ``[0, n_groups)``.
    category : array_like of int, shape (n_rows,)
        Category label of each row (e.g. the author), non-negative integers; need
        not be contiguous.
    counts : array_like of float, shape (n_rows,), optional
        Non-negative weight of each row (e.g. impressions). Default: 1 per row.
        Rows with the same ``(group, category)`` are summed.
    n_groups : int, optional
        Length of the output; must exceed every code in ``group``. Default
        ``max(group) + 1`` (0 when there are no rows).
    capacity : int or array_like of int, shape (n_groups,), optional
        Number of categories each group could have drawn from (e.g. the number of
        accounts a viewer follows), broadcast if a scalar. Must be at least the
        number of distinct categories observed with positive count in the group.
        Default: that observed number.

    Returns
    -------
    ndarray of shape (n_groups,)
        :math:`H_g / \\ln K_g` in ``[0, 1]``; NaN for groups with no positive count
        or with :math:`K_g \\le 1` (a single possible category has no diversity to
        measure).

    Raises
    ------
    InvalidParameterError
        If ``group`` or ``category`` holds a negative or non-integer entry, ``group``
        a code ``>= n_groups``, ``counts`` a negative, NaN or infinite entry, the
        lengths differ, ``capacity`` has the wrong shape or is below the number of
        categories observed in some group.

    See Also
    --------
    exposure_diversity : the mean over groups.

    Notes
    -----
    For group :math:`g` with aggregated counts :math:`w_{gc}` and
    :math:`p_{gc} = w_{gc} / \\sum_{c'} w_{gc'}`, the Shannon (1948) entropy in nats
    is :math:`H_g = -\\sum_c p_{gc} \\ln p_{gc}` (with :math:`0 \\ln 0 = 0`), and the
    normalised entropy is

    .. math::

        J_g = \\frac{H_g}{\\ln K_g},

    where :math:`K_g` is ``capacity[g]`` or, by default, the number of categories
    with :math:`w_{gc} > 0`. The default is Pielou's (1966) evenness :math:`J'`:
    1 when exposure is spread equally over the categories seen, whatever their
    number. With ``capacity``, :math:`J_g` measures spread over everything the
    group could have seen: a viewer who follows 100 accounts but sees 2 equally
    gets :math:`\\ln 2 / \\ln 100 \\approx 0.15`, not 1. Categories with zero total
    count are not "observed". The result is clipped to ``[0, 1]`` to absorb
    rounding.

    References
    ----------
    .. [1] Shannon, C. E. (1948). A mathematical theory of communication. *Bell
       System Technical Journal*, 27(3), 379-423.
    .. [2] Pielou, E. C. (1966). The measurement of diversity in different types of
       biological collections. *Journal of Theoretical Biology*, 13, 131-144.

    Examples
    --------
    Viewer 0 sees authors 5 and 7 equally often; viewer 1 sees only author 5;
    viewer 2 sees author 5 three times as often as author 7:

    >>> from feedsim.metrics import normalized_entropy
    >>> J = normalized_entropy(group=[0, 0, 1, 2, 2, 0], category=[5, 7, 5, 5, 7, 5],
    ...                        counts=[1, 2, 4, 3, 1, 1])
    >>> J.round(3).tolist()
    [1.0, nan, 0.811]

    If viewer 1 follows four accounts, seeing one of them is zero diversity:

    >>> normalized_entropy([0, 0, 1, 2, 2, 0], [5, 7, 5, 5, 7, 5], [1, 2, 4, 3, 1, 1],
    ...                    capacity=[2, 4, 2]).round(3).tolist()
    [1.0, 0.0, 0.811]
    """
    g = _codes("group", group)
    n_rows = g.shape[0]
    c = _codes("category", category)
    _check_same_length("category", c, "group", n_rows)
    if counts is None:
        w = np.ones(n_rows, dtype=np.float64)
    else:
        w = _nonnegative_vector("counts", counts)
        _check_same_length("counts", w, "group", n_rows)
    if n_groups is None:
        n_groups = int(g.max()) + 1 if n_rows else 0
    else:
        n_groups = check_int("n_groups", n_groups, low=0)
        g = _codes("group", g, n_codes=n_groups)

    cell_group, cell_weight = _aggregate(g, c, w)
    observed = np.bincount(cell_group, minlength=n_groups)
    total = np.bincount(cell_group, weights=cell_weight, minlength=n_groups)

    if capacity is None:
        k = observed.astype(np.float64)
    else:
        k = _capacity(capacity, n_groups)
        short = k < observed
        if short.any():
            i = int(np.flatnonzero(short)[0])
            raise InvalidParameterError(
                "capacity must be >= the number of distinct categories observed in "
                f"each group; got {k[i]!r} < {int(observed[i])} (group {i})"
            )

    p = cell_weight / total[cell_group]
    neg_plogp = -p * np.log(np.where(p > 0, p, 1.0))
    entropy = np.bincount(cell_group, weights=neg_plogp, minlength=n_groups)

    out = np.full(n_groups, np.nan)
    defined = (observed > 0) & (k > 1)
    out[defined] = np.clip(entropy[defined] / np.log(k[defined]), 0.0, 1.0)
    return out


def exposure_diversity(
    group: ArrayLike,
    category: ArrayLike,
    counts: ArrayLike | None = None,
    n_groups: int | None = None,
    capacity: ArrayLike | int | None = None,
) -> float:
    """Mean normalised exposure entropy over the groups where it is defined.

    Parameters
    ----------
    group, category, counts, n_groups, capacity
        As for :func:`normalized_entropy`.

    Returns
    -------
    float
        The unweighted mean of :func:`normalized_entropy` over groups where it is
        not NaN (each viewer counts once, however much it saw), in ``[0, 1]``;
        NaN when it is defined for no group (no rows, or every group saw at most
        one category with ``K_g <= 1``). No warning is emitted in that case.

    Raises
    ------
    InvalidParameterError
        As for :func:`normalized_entropy`.

    Notes
    -----
    .. math::

        D = \\frac{1}{|\\mathcal{G}|} \\sum_{g \\in \\mathcal{G}} \\frac{H_g}{\\ln K_g},
        \\qquad \\mathcal{G} = \\{g : K_g > 1,\\ \\textstyle\\sum_c w_{gc} > 0\\}.

    Groups with an undefined entropy are left out rather than counted as 0, so a
    viewer who saw a single item does not pull the mean down; report the number of
    such groups alongside ``D`` when it matters.

    References
    ----------
    .. [1] Pielou, E. C. (1966). The measurement of diversity in different types of
       biological collections. *Journal of Theoretical Biology*, 13, 131-144.

    Examples
    --------
    >>> from feedsim.metrics import exposure_diversity
    >>> round(exposure_diversity([0, 0, 1, 2, 2, 0], [5, 7, 5, 5, 7, 5],
    ...                          [1, 2, 4, 3, 1, 1]), 4)
    0.9056
    >>> exposure_diversity([], [])
    nan
    """
    values = normalized_entropy(group, category, counts, n_groups=n_groups, capacity=capacity)
    defined = ~np.isnan(values)
    if not defined.any():
        return float("nan")
    return float(values[defined].mean())
