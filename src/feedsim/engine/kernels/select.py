"""Per-viewer top-k: fill each viewer's session feeds from its scored candidates.

For viewer ``i`` with feed size ``k`` (attention x sessions) the best candidates
by jittered score are taken, ``round(out_of_network_share * k)`` of them reserved
for out-of-network candidates (a side with too few leaves its slots to the other);
``-inf`` scores are never shown. The jitter is ``score * (1 + L 2^-52)`` with ``L``
the top 16 bits of a keyed hash of (tick, viewer, post) (``L * 2^-1074`` for a zero
score), as :func:`feedsim.rankers.topk.jitter` computes it; equal jittered scores go
to the lower post id. Parallel over viewers; each writes only its own rows.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .hashing import STREAMS, keyed_hash

__all__ = ["jittered", "take_counts", "select"]

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


@njit(cache=True, parallel=True)
def take_counts(cptr, score, kind, feed_size, share):
    """How many in-network and out-of-network candidates each viewer is shown."""
    n = len(feed_size)
    take_in = np.empty(n, dtype=np.int64)
    take_oon = np.empty(n, dtype=np.int64)
    for i in prange(n):
        n_in = 0
        n_oon = 0
        for j in range(cptr[i], cptr[i + 1]):
            if score[j] != -np.inf:
                if kind[j] == _OON:
                    n_oon += 1
                else:
                    n_in += 1
        k = min(feed_size[i], n_in + n_oon)
        target = np.int64(np.rint(share * k))
        t_in = min(n_in, k - min(n_oon, target))
        take_in[i] = t_in
        take_oon[i] = min(n_oon, k - t_in)
    return take_in, take_oon


@njit(cache=True, inline="always")
def _worse(ka, pa, kb, pb):
    """Whether candidate a ranks below candidate b (lower key; equal keys: higher post)."""
    return ka < kb or (ka == kb and pa > pb)


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
            hk[pos], hk[child] = hk[child], hk[pos]
            hp[pos], hp[child] = hp[child], hp[pos]
            hi[pos], hi[child] = hi[child], hi[pos]
            pos = child
        else:
            return


@njit(cache=True)
def _top(lo, hi_, jkey, post, kind, want_oon, k, out_idx, out_key, out_post):
    """The ``k`` best of rows ``lo:hi_`` of one side, best first, into the out arrays."""
    if k <= 0:
        return
    hk = np.empty(k, dtype=np.float64)
    hp = np.empty(k, dtype=np.int64)
    hix = np.empty(k, dtype=np.int64)
    size = 0
    for j in range(lo, hi_):
        kj = jkey[j]
        if kj == -np.inf or (kind[j] == _OON) != want_oon:
            continue
        pj = post[j]
        if size < k:
            # sift up
            pos = size
            hk[pos], hp[pos], hix[pos] = kj, pj, j
            size += 1
            while pos > 0:
                parent = (pos - 1) >> 1
                if _worse(hk[pos], hp[pos], hk[parent], hp[parent]):
                    hk[pos], hk[parent] = hk[parent], hk[pos]
                    hp[pos], hp[parent] = hp[parent], hp[pos]
                    hix[pos], hix[parent] = hix[parent], hix[pos]
                    pos = parent
                else:
                    break
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


@njit(cache=True, parallel=True)
def select(cptr, score, kind, post, viewers, take_in, take_oon, out_ptr, key, tick, post_offset, jkey, shown, rank):
    """Write each viewer's shown candidates (row indices) and their rank, best first.

    ``jkey`` (length of ``score``) receives the jittered keys.
    """
    n = len(viewers)
    for i in prange(n):
        v = viewers[i]
        lo, hi_ = cptr[i], cptr[i + 1]
        for j in range(lo, hi_):
            jkey[j] = jittered(score[j], key, tick, v, post[j] + post_offset)
        a, b = take_in[i], take_oon[i]
        if a + b == 0:
            continue
        ia = np.empty(a, dtype=np.int64)
        ka = np.empty(a, dtype=np.float64)
        pa = np.empty(a, dtype=np.int64)
        ib = np.empty(b, dtype=np.int64)
        kb = np.empty(b, dtype=np.float64)
        pb = np.empty(b, dtype=np.int64)
        _top(lo, hi_, jkey, post, kind, False, a, ia, ka, pa)
        _top(lo, hi_, jkey, post, kind, True, b, ib, kb, pb)
        # merge the two sides by key
        x = 0
        y = 0
        w = out_ptr[i]
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
