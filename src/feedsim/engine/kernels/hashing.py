"""Counter-based random numbers: a keyed hash of (run key, stream, tick, account, post).

A draw is a pure function of its coordinates, so it does not depend on how many
other draws were made, in which order, or on how many threads: the same account at
the same tick gets the same numbers under every ranker (common random numbers).
The mixer is SplitMix64's finaliser (Steele, Lea and Flood 2014), applied once per
coordinate. NumPy and Numba forms give the same bits.

Examples
--------
>>> import numpy as np
>>> h = keyed_uniform_np(np.uint64(7), 1, 3, np.array([0, 1]), np.array([5, 5]))
>>> bool(((h >= 0) & (h < 1)).all()), bool(h[0] != h[1])
(True, True)
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

__all__ = ["STREAMS", "mix", "keyed_hash", "keyed_uniform", "keyed_hash_np", "keyed_uniform_np"]

#: Stream numbers of the keyed draws (append only: a new stream never shifts another).
STREAMS = {"jitter": 1, "noise": 2, "reshare_tie": 3, "posting": 4, "sessions": 5, "post_attrs": 6,
           "campaigns": 7, "campaign_attrs": 8, "like": 9, "reshare": 10, "reply": 11,
           "unfollow": 12, "unfollow_share": 13}

_C0 = np.uint64(0x9E3779B97F4A7C15)
_C1 = np.uint64(0xBF58476D1CE4E5B9)
_C2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)
_S11, _S32 = np.uint64(11), np.uint64(32)
_TO_UNIT = 2.0**-53


@njit(cache=True, inline="always")
def mix(x):
    """SplitMix64 finaliser of a uint64."""
    z = x + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@njit(cache=True, inline="always")
def keyed_hash(key, stream, tick, account, post):
    """64 random bits for (stream, tick, account, post) under run ``key``."""
    h = mix(key ^ np.uint64(stream))
    h = mix(h ^ np.uint64(tick))
    return mix(h ^ ((np.uint64(account) << np.uint64(32)) | np.uint64(post)))


@njit(cache=True, inline="always")
def keyed_uniform(key, stream, tick, account, post):
    """A uniform number in [0, 1) for (stream, tick, account, post)."""
    return float(keyed_hash(key, stream, tick, account, post) >> np.uint64(11)) * 2.0**-53


def _mix_np(z: NDArray[np.uint64]) -> NDArray[np.uint64]:
    z = z + _C0
    z = (z ^ (z >> _S30)) * _C1
    z = (z ^ (z >> _S27)) * _C2
    return z ^ (z >> _S31)


def keyed_hash_np(key, stream: int, tick: int, account, post) -> NDArray[np.uint64]:
    """Array form of :func:`keyed_hash` (same bits); ``account`` and ``post`` broadcast."""
    with np.errstate(over="ignore"):
        h = _mix_np(np.asarray(np.uint64(key) ^ np.uint64(stream), dtype=np.uint64))
        h = _mix_np(h ^ np.uint64(tick))
        a = np.asarray(account).astype(np.uint64)
        p = np.asarray(post).astype(np.uint64)
        return _mix_np(h ^ ((a << _S32) | p))


def keyed_uniform_np(key, stream: int, tick: int, account, post) -> NDArray[np.float64]:
    """Array form of :func:`keyed_uniform` (same bits)."""
    return (keyed_hash_np(key, stream, tick, account, post) >> _S11).astype(np.float64) * _TO_UNIT
