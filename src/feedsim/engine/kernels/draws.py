"""Keyed draws per account and tick: Poisson counts and per-post uniforms and normals.

Posting and sessions draw from a counter-based hash of (run key, stream, tick,
account, draw number) (:mod:`.hashing`) instead of a sequential generator, so an
account's draws depend only on its own rate: under two rankers on one seed, an
account whose rate has not changed posts at the same times and has the same
sessions, whatever the other accounts do (common random numbers account by
account). Poisson counts use inversion for means below 10 and Hörmann's
transformed rejection (PTRS) above, each attempt reading the next draw numbers.

References
----------
W. Hörmann, "The transformed rejection method for generating Poisson random
variables", Insurance: Mathematics and Economics 12 (1993) 39-45.

Examples
--------
>>> import numpy as np
>>> lam = np.array([0.0, 0.5, 3.0, 250.0])
>>> a = keyed_poisson(np.uint64(7), 4, 0, lam)
>>> b = keyed_poisson(np.uint64(7), 4, 0, np.array([9.0, 0.5, 3.0, 250.0]))
>>> int(a[0]), bool((a[1:] == b[1:]).all())   # other accounts' rates do not matter
(0, True)
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange
from numpy.typing import NDArray

from . import LAUNCH_LOCK
from .hashing import keyed_uniform, keyed_uniform_np

__all__ = ["keyed_poisson", "keyed_poisson_rates", "post_uniforms", "post_normals"]

_INVERSION_BELOW = 10.0


@njit(cache=True)
def _poisson_one(key, stream, tick, account, lam):
    if lam <= 0.0:
        return 0
    if lam < _INVERSION_BELOW:
        u = keyed_uniform(key, stream, tick, account, 0)
        k = 0
        p = math.exp(-lam)
        s = p
        while u > s and k < 1000:
            k += 1
            p *= lam / k
            s += p
        return k
    slam = math.sqrt(lam)
    loglam = math.log(lam)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    invalpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2.0)
    draw = 0
    while True:
        u = keyed_uniform(key, stream, tick, account, draw) - 0.5
        v = keyed_uniform(key, stream, tick, account, draw + 1)
        draw += 2
        us = 0.5 - abs(u)
        k = math.floor((2.0 * a / us + b) * u + lam + 0.43)
        if us >= 0.07 and v <= vr:
            return np.int64(k)
        if k < 0 or (us < 0.013 and v > us):
            continue
        if (math.log(v) + math.log(invalpha) - math.log(a / (us * us) + b)
                <= -lam + k * loglam - math.lgamma(k + 1.0)):
            return np.int64(k)


@njit(cache=True, parallel=True)
def _poisson(key, stream, tick, lam, out):
    for i in prange(len(lam)):
        out[i] = _poisson_one(key, stream, tick, np.int64(i), lam[i])  # int64: one specialisation for both


def keyed_poisson(key, stream: int, tick: int, lam: NDArray[np.float64]) -> NDArray[np.int64]:
    """One Poisson count per account: account ``i`` draws with mean ``lam[i]``.

    Parameters
    ----------
    key : numpy.uint64
        The run's key (``Platform.key``).
    stream : int
        Stream number (:data:`.hashing.STREAMS`).
    tick : int
        Tick number (hours since the start over the tick length).
    lam : ndarray of shape (n_accounts,)
        Means (finite, >= 0).

    Returns
    -------
    ndarray of int64, shape (n_accounts,)
    """
    lam = np.ascontiguousarray(lam, dtype=np.float64)
    out = np.empty(len(lam), dtype=np.int64)
    with LAUNCH_LOCK:  # parallel launches from two Python threads at once abort (see LAUNCH_LOCK)
        _poisson(np.uint64(key), np.int64(stream), np.int64(tick), lam, out)
    return out


@njit(cache=True, parallel=True)
def _poisson_rates(key, stream, tick, rate, multiplier, scale, mask, out):
    for i in prange(len(rate)):
        lam = rate[i] * multiplier[i] * scale if mask[i] else 0.0
        out[i] = _poisson_one(key, stream, tick, np.int64(i), lam)


def keyed_poisson_rates(key, stream: int, tick: int, rate: NDArray[np.float64], multiplier: NDArray[np.float64],
                        scale: float, mask: NDArray[np.bool_]) -> NDArray[np.int64]:
    """:func:`keyed_poisson` with means ``rate * multiplier * scale`` where ``mask``, else 0.

    The means are formed inside the kernel (no temporaries); the draws are the
    same bits as ``keyed_poisson(key, stream, tick, np.where(mask, rate *
    multiplier * scale, 0))``.

    Examples
    --------
    >>> r = np.array([3.0, 5.0])
    >>> a = keyed_poisson_rates(np.uint64(7), 4, 0, r, np.ones(2), 0.5, np.array([True, False]))
    >>> b = keyed_poisson(np.uint64(7), 4, 0, np.array([1.5, 0.0]))
    >>> bool((a == b).all()), int(a[1])
    (True, 0)
    """
    out = np.empty(len(rate), dtype=np.int64)
    with LAUNCH_LOCK:
        _poisson_rates(np.uint64(key), np.int64(stream), np.int64(tick), rate, multiplier, float(scale), mask, out)
    return out


def post_uniforms(key, stream: int, tick: int, account: NDArray[np.int64], index: NDArray[np.int64],
                  component: int) -> NDArray[np.float64]:
    """Uniforms in [0, 1) per post: ``index`` numbers the account's posts in the tick.

    ``component`` (0-3) tells apart the draws of one post (offset, appeal, link).
    """
    return keyed_uniform_np(key, stream, tick, account, (np.asarray(index, dtype=np.int64) << 2) | component)


def post_normals(key, stream: int, tick: int, account: NDArray[np.int64],
                 index: NDArray[np.int64]) -> NDArray[np.float64]:
    """Standard normals per post (Box-Muller on components 1 and 2)."""
    u1 = 1.0 - post_uniforms(key, stream, tick, account, index, 1)   # (0, 1]
    u2 = post_uniforms(key, stream, tick, account, index, 2)
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)
