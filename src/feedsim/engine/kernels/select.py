"""Per-viewer top-k: fill each viewer's session feeds from its scored candidates.

For viewer ``i`` with feed size ``k`` (attention x sessions) the best candidates
by jittered score are taken, ``round(out_of_network_share * k)`` of them reserved
for out-of-network candidates (a side with too few leaves its slots to the other);
``-inf`` scores are never shown. The jitter is ``score * (1 + L 2^-52)`` with ``L``
the top 16 bits of a keyed hash of (tick, viewer, post) (``L * 2^-1074`` for a zero
score); equal jittered scores go to the lower post id. ``tests/topk_oracle.py``
states the same contract by sorting, and the tests hold this kernel to it.
Parallel over viewers; each writes only its own rows.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .hashing import STREAMS, keyed_hash

__all__ = ["jittered", "take_one", "take_counts", "select_rows", "select"]

_JITTER = STREAMS["jitter"]
_EPS = 2.0**-52
_TINY = 2.0**-1074
_OON = 2


@njit(cache=True, inline="always")
def jittered(score, key, tick, viewer, post_global):
    """The tie-broken key of one candidate."""
    level = float(keyed_hash(key, _JITTER, tick, viewer, post_global) >> np.uint64(48))
    if score == 0.0:
        return level * _TINY
    return score * (1.0 + level * _EPS)


@njit(cache=True, inline="always")
def _key_bound(score):
    """Largest value :func:`jittered` can give for ``score`` (rounding is monotone)."""
    if score > 0.0:
        return score * (1.0 + 65535.0 * _EPS)
    if score == 0.0:
        return 65535.0 * _TINY
    return score


@njit(cache=True, inline="always")
def take_one(lo, hi, score, kind, feed_size, share):
    """``(in-network, out-of-network)`` counts shown from rows ``lo:hi`` (one viewer)."""
    n_in = 0
    n_oon = 0
    for j in range(lo, hi):
        if score[j] != -np.inf:
            if kind[j] == _OON:
                n_oon += 1
            else:
                n_in += 1
    k = min(feed_size, n_in + n_oon)
    target = np.int64(np.rint(share * k))
    t_in = min(n_in, k - min(n_oon, target))
    return t_in, min(n_oon, k - t_in)


@njit(cache=True, parallel=True)
def take_counts(cptr, score, kind, feed_size, share):
    """How many in-network and out-of-network candidates each viewer is shown."""
    n = len(feed_size)
    take_in = np.empty(n, dtype=np.int64)
    take_oon = np.empty(n, dtype=np.int64)
    for i in prange(n):
        take_in[i], take_oon[i] = take_one(cptr[i], cptr[i + 1], score, kind, feed_size[i], share)
    return take_in, take_oon


@njit(cache=True, inline="always")
def _worse(ka, pa, kb, pb):
    """Whether candidate a ranks below candidate b (lower key; equal keys: higher post)."""
    return ka < kb or (ka == kb and pa > pb)


@njit(cache=True, inline="always")
def _swap(hk, hp, hi, a, b):
    hk[a], hk[b] = hk[b], hk[a]
    hp[a], hp[b] = hp[b], hp[a]
    hi[a], hi[b] = hi[b], hi[a]


@njit(cache=True)
def _sift_down(hk, hp, hi, size, pos):
    # min-heap on "worse": the root is the worst kept candidate
    while True:
        left = 2 * pos + 1
        if left >= size:
            return
        child = left
        right = left + 1
        if right < size and _worse(hk[right], hp[right], hk[left], hp[left]):
            child = right
        if _worse(hk[child], hp[child], hk[pos], hp[pos]):
            _swap(hk, hp, hi, pos, child)
            pos = child
        else:
            return


@njit(cache=True)
def _sift_up(hk, hp, hi, pos):
    while pos > 0:
        parent = (pos - 1) >> 1
        if _worse(hk[pos], hp[pos], hk[parent], hp[parent]):
            _swap(hk, hp, hi, pos, parent)
            pos = parent
        else:
            return


@njit(cache=True)
def _top(lo, hi_, score, post, kind, want_oon, k, key, tick, v, post_offset, hk, hp, hix, out_idx, out_key, out_post):
    """The ``k`` best of rows ``lo:hi_`` of one side, best first, into the out arrays.

    ``hk``, ``hp``, ``hix``: heap buffers of at least ``k`` entries. A row's jittered
    key (a hash) is computed only when its score could still beat the worst kept
    row (:func:`_key_bound`), which gives the same picks as keying every row.
    """
    if k <= 0:
        return
    size = 0
    for j in range(lo, hi_):
        sj = score[j]
        if sj == -np.inf or (kind[j] == _OON) != want_oon:
            continue
        if size == k and _key_bound(sj) < hk[0]:
            continue  # cannot displace the worst kept row
        kj = jittered(sj, key, tick, v, post[j] + post_offset)
        pj = post[j]
        if size < k:
            hk[size], hp[size], hix[size] = kj, pj, j
            _sift_up(hk, hp, hix, size)
            size += 1
        elif _worse(hk[0], hp[0], kj, pj):
            hk[0], hp[0], hix[0] = kj, pj, j
            _sift_down(hk, hp, hix, size, 0)
    # pop worst first into the back
    while size > 0:
        size -= 1
        out_idx[size] = hix[0]
        out_key[size] = hk[0]
        out_post[size] = hp[0]
        hk[0], hp[0], hix[0] = hk[size], hp[size], hix[size]
        _sift_down(hk, hp, hix, size, 0)


@njit(cache=True)
def select_rows(lo, hi_, score, kind, post, v, a, b, key, tick, post_offset, buf_f, buf_i, shown, rank, w):
    """Viewer ``v``'s ``a`` in-network and ``b`` out-of-network best rows of ``lo:hi_``, best first.

    Writes row indices to ``shown[w:w + a + b]`` and ranks 0, 1, ... to ``rank``;
    ``buf_f`` (float64) and
    ``buf_i`` (int64) are scratch of at least ``3 * max(a, b)`` and
    ``6 * max(a, b)`` entries.
    """
    if a + b == 0:
        return
    c = max(a, b)
    hk, ka, kb = buf_f[:c], buf_f[c:2 * c], buf_f[2 * c:3 * c]
    hp, hix = buf_i[:c], buf_i[c:2 * c]
    ia, pa = buf_i[2 * c:3 * c], buf_i[3 * c:4 * c]
    ib, pb = buf_i[4 * c:5 * c], buf_i[5 * c:6 * c]
    _top(lo, hi_, score, post, kind, False, a, key, tick, v, post_offset, hk, hp, hix, ia, ka, pa)
    _top(lo, hi_, score, post, kind, True, b, key, tick, v, post_offset, hk, hp, hix, ib, kb, pb)
    # merge the two sides by key
    x = 0
    y = 0
    r = 0
    while x < a or y < b:
        if y >= b or (x < a and not _worse(ka[x], pa[x], kb[y], pb[y])):
            shown[w] = ia[x]
            x += 1
        else:
            shown[w] = ib[y]
            y += 1
        rank[w] = r
        r += 1
        w += 1


@njit(cache=True, parallel=True)
def select(cptr, score, kind, post, viewers, take_in, take_oon, out_ptr, key, tick, post_offset, shown, rank):
    """Write each viewer's shown candidates (row indices) and their rank, best first."""
    for i in prange(len(viewers)):
        a, b = take_in[i], take_oon[i]
        c = max(a, b)
        buf_f = np.empty(3 * c, dtype=np.float64)
        buf_i = np.empty(6 * c, dtype=np.int64)
        select_rows(cptr[i], cptr[i + 1], score, kind, post, viewers[i], a, b, key, tick, post_offset,
                    buf_f, buf_i, shown, rank, out_ptr[i])
