"""Parameter checks with one message style.

A message names the parameter, the rule and the value that broke it::

    post_rate must be a finite number >= 0; got -1.0 (node 17)

All checks raise :class:`feedsim.errors.InvalidParameterError`, a ``ValueError``.
They run at the public boundary, never inside the simulation loop.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from .errors import InvalidParameterError

__all__ = [
    "check_number",
    "check_int",
    "check_bool",
    "check_choice",
    "check_array",
]


def _fmt(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    return repr(value)


def _bounds_rule(low, high, low_inclusive, high_inclusive) -> str:
    parts = []
    if low is not None:
        parts.append((">= " if low_inclusive else "> ") + repr(low))
    if high is not None:
        parts.append(("<= " if high_inclusive else "< ") + repr(high))
    return " and ".join(parts)


def check_number(
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
    where: str = "",
    allow_inf: bool = False,
) -> float:
    """Return ``value`` as a float after checking it is finite and in range.

    Parameters
    ----------
    name : str
        Field name used in the message.
    value : object
        The value to check.
    low, high : float, optional
        Bounds; ``None`` means unbounded.
    low_inclusive, high_inclusive : bool
        Whether the bounds themselves are allowed.
    where : str
        Extra context appended to the message, e.g. ``"node 17"``.
    allow_inf : bool, default False
        Accept ``+inf`` too (for half-lives and durations where it means "never").

    Examples
    --------
    >>> check_number("tick_hours", 1, low=0, low_inclusive=False)
    1.0
    """
    suffix = f" ({where})" if where else ""
    rule = "a number (inf allowed)" if allow_inf else "a finite number"
    bounds = _bounds_rule(low, high, low_inclusive, high_inclusive)
    if bounds:
        rule += " " + bounds
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidParameterError(f"{name} must be {rule}; got {_fmt(value)}{suffix}")
    v = float(value)
    if allow_inf and v == math.inf and high is None:
        return v
    ok = math.isfinite(v)
    if ok and low is not None:
        ok = v >= low if low_inclusive else v > low
    if ok and high is not None:
        ok = v <= high if high_inclusive else v < high
    if not ok:
        raise InvalidParameterError(f"{name} must be {rule}; got {_fmt(value)}{suffix}")
    return v


def check_int(
    name: str,
    value: Any,
    *,
    low: int | None = None,
    high: int | None = None,
    where: str = "",
) -> int:
    """Return ``value`` as an int after checking it is an integer in ``[low, high]``.

    Examples
    --------
    >>> check_int("attention", 10, low=1)
    10
    """
    suffix = f" ({where})" if where else ""
    rule = "an integer"
    bounds = _bounds_rule(low, high, True, True)
    if bounds:
        rule += " " + bounds
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        # a whole float (3.0) is taken as the integer; a bool is not a number
        if not isinstance(value, (bool, np.bool_)) and isinstance(value, numbers.Real) and float(value).is_integer():
            value = int(value)  # type: ignore[call-overload]  # typeshed's numbers.Real lacks __int__
        else:
            raise InvalidParameterError(f"{name} must be {rule}; got {_fmt(value)}{suffix}")
    v = int(value)
    if (low is not None and v < low) or (high is not None and v > high):
        raise InvalidParameterError(f"{name} must be {rule}; got {v}{suffix}")
    return v


def check_bool(name: str, value: Any) -> bool:
    """Return ``value`` if it is a bool, else raise.

    Examples
    --------
    >>> check_bool("dynamics", True)
    True
    """
    if not isinstance(value, (bool, np.bool_)):
        raise InvalidParameterError(f"{name} must be True or False; got {_fmt(value)}")
    return bool(value)


def check_choice(name: str, value: Any, allowed: Iterable[str], *, where: str = "") -> str:
    """Return ``value`` if it is one of ``allowed``, else raise naming the options.

    Examples
    --------
    >>> check_choice("role", "quiet", ["influencer", "quiet"])
    'quiet'
    """
    allowed = list(allowed)
    if value not in allowed:
        suffix = f" ({where})" if where else ""
        opts = ", ".join(repr(a) for a in allowed)
        raise InvalidParameterError(f"{name} must be one of {opts}; got {_fmt(value)}{suffix}")
    return value


def check_array(
    name: str,
    values: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_inclusive: bool = True,
    integer: bool = False,
    ids: Sequence[Any] | None = None,
) -> np.ndarray:
    """Check every element of a 1-d numeric array; report the first offender.

    Parameters
    ----------
    name : str
        Field name, e.g. ``"post_rate"``.
    values : array_like
        Values to check.
    low, high : float, optional
        Bounds (``high`` inclusive).
    low_inclusive : bool
        Whether ``low`` itself is allowed.
    integer : bool
        Require whole numbers.
    ids : sequence, optional
        Node identifiers used to name the offending element (``node 17``).

    Returns
    -------
    ndarray of float64

    Raises
    ------
    InvalidParameterError
        For the first element that is not a number (a string such as ``"2"``,
        or a bool), not finite, out of bounds, or not whole when ``integer``.

    Examples
    --------
    >>> check_array("post_rate", [0.5, 2.0], low=0).tolist()
    [0.5, 2.0]
    """
    raw = np.asarray(values)
    if raw.dtype.kind in "bUSO":  # a bool or a string is not a number, whatever float() makes of it
        flat = raw.ravel()
        if raw.dtype.kind == "O":
            is_num = np.fromiter((isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))
                                  for v in flat), dtype=bool, count=len(flat))
        else:
            is_num = np.zeros(len(flat), dtype=bool)
        if not is_num.all():
            i = int(np.flatnonzero(~is_num)[0])
            where = f"node {ids[i]!r}" if ids is not None else f"index {i}"
            rule = "a finite whole number" if integer else "a finite number"
            bounds = _bounds_rule(low, high, low_inclusive, True)
            if bounds:
                rule += " " + bounds
            v = flat[i]
            raise InvalidParameterError(
                f"{name} must be {rule}; got {_fmt(v.item() if isinstance(v, np.generic) else v)} ({where})")
    arr = np.asarray(raw, dtype=np.float64)
    bad = ~np.isfinite(arr)
    if low is not None:
        bad |= (arr < low) if low_inclusive else (arr <= low)
    if high is not None:
        bad |= arr > high
    if integer:
        bad |= np.isfinite(arr) & (arr != np.round(arr))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        rule = "a finite whole number" if integer else "a finite number"
        bounds = _bounds_rule(low, high, low_inclusive, True)
        if bounds:
            rule += " " + bounds
        where = f"node {ids[i]!r}" if ids is not None else f"index {i}"
        raise InvalidParameterError(f"{name} must be {rule}; got {_fmt(arr[i])} ({where})")
    return arr
