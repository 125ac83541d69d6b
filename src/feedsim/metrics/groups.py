"""Group-level helpers: shares of a total by group code, and safe ratios.

Groups are integer codes ``0..n_groups-1`` (roles, communities, ranker arms), one
per unit, as produced by e.g. ``feedsim.network`` role assignment.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validate import check_array, check_int
from ..errors import InvalidParameterError
from .inequality import _as_1d, _nonnegative_vector, _rescale

__all__ = ["group_shares", "ratio_or_nan"]

_INT64_MAX = np.iinfo(np.int64).max


def _codes(name: str, values: Any, *, n_codes: int | None = None) -> NDArray[np.int64]:
    """Return ``values`` as int64 codes in ``[0, n_codes)`` (``[0, inf)`` if None), or raise."""
    arr = _as_1d(name, values)
    if arr.dtype.kind in "bi" or (arr.dtype.kind == "u" and arr.dtype.itemsize < 8):
        codes = arr.astype(np.int64)
    elif arr.dtype.kind == "u":
        big = arr > _INT64_MAX
        if big.any():
            i = int(np.flatnonzero(big)[0])
            raise InvalidParameterError(
                f"{name} must be integers that fit in int64; got {int(arr[i])} (index {i})"
            )
        codes = arr.astype(np.int64)
    else:
        whole = check_array(name, arr, integer=True, low=0)
        big = whole >= 2.0**63
        if big.any():
            i = int(np.flatnonzero(big)[0])
            raise InvalidParameterError(
                f"{name} must be integers that fit in int64; got {whole[i]!r} (index {i})"
            )
        codes = whole.astype(np.int64)
    bad = codes < 0
    if n_codes is not None:
        bad |= codes >= n_codes
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        rule = f"an integer code in [0, {n_codes})" if n_codes is not None else "an integer >= 0"
        raise InvalidParameterError(f"{name} must be {rule}; got {int(codes[i])} (index {i})")
    return codes


def _check_same_length(name: str, arr: np.ndarray, ref_name: str, n: int) -> None:
    """Raise if ``arr`` does not have ``n`` entries, the length of ``ref_name``."""
    if arr.shape[0] != n:
        raise InvalidParameterError(
            f"{name} must have the same length as {ref_name} ({n}); got {arr.shape[0]}"
        )


def group_shares(values: ArrayLike, groups: ArrayLike, n_groups: int) -> NDArray[np.float64]:
    """Share of the total of ``values`` held by each group.

    Parameters
    ----------
    values : array_like of shape (n_units,)
        Non-negative, finite amounts, one per unit (e.g. impressions per author).
    groups : array_like of int, shape (n_units,)
        Group code of each unit, in ``[0, n_groups)``.
    n_groups : int
        Number of groups, ``>= 0``. Groups with no units get a share of 0.

    Returns
    -------
    ndarray of shape (n_groups,)
        ``sum(values[groups == g]) / sum(values)``; sums to 1 when the total is
        positive, all zeros when the total is 0 (or there are no units).

    Raises
    ------
    InvalidParameterError
        If ``values`` holds a negative, NaN or infinite entry, ``groups`` holds a
        code outside ``[0, n_groups)``, their lengths differ, or ``n_groups < 0``.

    Notes
    -----
    .. math::

        s_g = \\frac{\\sum_{i : g_i = g} x_i}{\\sum_i x_i}, \\qquad g = 0, \\dots, G - 1,

    computed with one :func:`numpy.bincount`. Convention: when :math:`\\sum_i x_i = 0`
    the shares are undefined (0/0) and zeros are returned, so that the result can be
    stacked with other runs' shares without NaN handling. Comparing :math:`s_g` with
    the group's share of units shows which groups a ranker over- or under-serves.

    References
    ----------
    .. [1] Lorenz, M. O. (1905). Methods of measuring the concentration of wealth.
       *Publications of the American Statistical Association*, 9(70), 209-219.
       (Shares of a total by class, of which group shares are the unordered form.)

    Examples
    --------
    >>> from feedsim.metrics import group_shares
    >>> group_shares([10, 30, 60, 0], groups=[0, 1, 1, 2], n_groups=3).tolist()
    [0.1, 0.9, 0.0]
    >>> group_shares([0, 0], groups=[0, 1], n_groups=2).tolist()
    [0.0, 0.0]
    """
    n_groups = check_int("n_groups", n_groups, low=0)
    x = _nonnegative_vector("values", values)
    codes = _codes("groups", groups, n_codes=n_groups)
    _check_same_length("groups", codes, "values", x.shape[0])
    if x.size == 0 or x.max() == 0:
        return np.zeros(n_groups, dtype=np.float64)
    sums = np.bincount(codes, weights=_rescale(x), minlength=n_groups)
    return sums / sums.sum()


def _as_float_array(name: str, value: Any) -> np.ndarray:
    """Return ``value`` as a float64 array of any shape, or raise naming ``name``."""
    if np.iscomplexobj(value):
        raise InvalidParameterError(f"{name} must hold real numbers; got {value!r}")
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidParameterError(f"{name} must be an array of numbers; got {value!r}") from None


def ratio_or_nan(a: ArrayLike, b: ArrayLike) -> NDArray[np.float64] | np.float64:
    """Elementwise ``a / b``, with NaN where ``b == 0``, without warnings.

    Parameters
    ----------
    a : array_like of float
        Numerators.
    b : array_like of float
        Denominators; broadcast against ``a``.

    Returns
    -------
    ndarray of float64 or numpy.float64
        ``a / b`` with the broadcast shape of ``a`` and ``b``; NaN where ``b == 0``
        (including ``0 / 0``). A scalar (``numpy.float64``) when both inputs are
        scalars.

    Raises
    ------
    InvalidParameterError
        If ``a`` or ``b`` is not numeric or complex, or the shapes do not broadcast.

    Notes
    -----
    .. math::

        r = \\begin{cases} a / b & b \\ne 0 \\\\ \\text{NaN} & b = 0 \\end{cases}

    A rate with an empty denominator (engagements per impression for an author
    nobody saw) is undefined, not zero: NaN keeps it out of ``nanmean`` and out of
    plots. No ``RuntimeWarning`` is emitted, not even for overflow (which gives
    ``inf``) or NaN inputs (which propagate).

    References
    ----------
    .. [1] IEEE (2019). *IEEE Standard for Floating-Point Arithmetic* (IEEE 754-2019),
       section 7 (default exception handling, quiet NaN).

    Examples
    --------
    >>> from feedsim.metrics import ratio_or_nan
    >>> ratio_or_nan([1, 0, 3], [2, 0, 0]).tolist()
    [0.5, nan, nan]
    >>> float(ratio_or_nan(3, 4))
    0.75
    """
    num = _as_float_array("a", a)
    den = _as_float_array("b", b)
    try:
        shape = np.broadcast_shapes(num.shape, den.shape)
    except ValueError:
        raise InvalidParameterError(
            f"b must broadcast against a (shape {num.shape}); got shape {den.shape}"
        ) from None
    out = np.full(shape, np.nan, dtype=np.float64)
    with np.errstate(all="ignore"):
        np.divide(num, den, out=out, where=den != 0)
    return out[()]
