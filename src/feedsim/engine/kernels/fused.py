"""The fused feed kernel: candidates, scores and top-k of each viewer in one pass.

For a built-in ranker (a compiled form in :mod:`.scores`) nothing per candidate
leaves the kernel; only the shown items are written out.

1. Once per tick, :func:`original_table` and :func:`item_table` compute what a
   candidate's score owes to its live item alone (engagement ranker: the post's
   engagement and author factor, the item's age decay, the link penalty and the
   author boost; chronological and popularity: the whole score) into one table
   row per item, next to the item's post and number; ``heads`` gives each
   account's rows. A viewer's candidate then costs one row read and, for the
   engagement ranker, a few flops with the edge's affinity
   (:func:`.scores.engagement_value`) instead of gathers by post and author.
2. Per viewer, :func:`_gather` walks the follow edges once (rows prefetched
   ahead, :mod:`.prefetch`), writing the unseen originals with their scores to a
   small scratch that stays in cache and collecting the followees' reshares;
   :func:`_feed` keeps the newest reshare per post, adds the trending posts,
   applies the per-author cap and picks each side's best (:func:`_top_rows`)
   for the out-of-network quota of :func:`.select.take_one`.

It gives the same feeds, bit for bit, as the materialising path
(:func:`.build.build`, the ranker's array form, :func:`.select.select`): the same
candidates (the same filters, some tested later or in another order), the same
floating-point operations per score (the :mod:`.scores` helpers follow the
array form's order), the same per-author cap (:func:`.scores.cap_rows`; a followee's own
items never share an author with a reshare or a trending post, so those are
capped apart) and the same order on (jittered key, post).

Parallel over blocks of viewers (``prange``); each viewer writes only its own
output rows, so the result does not depend on the number of threads or on how
the viewers are blocked.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .build import ORIGINAL, OUT_OF_NETWORK, RESHARE, find_in_row, hash_contains, hash_slot
from .hashing import STREAMS, keyed_hash, keyed_uniform
from .prefetch import prefetch
from .scores import (
    CHRONOLOGICAL,
    ENGAGEMENT,
    POPULARITY,
    RANDOM,
    cap_rows,
    engagement_boost,
    engagement_common,
    engagement_decay,
    engagement_link,
    engagement_params,
    engagement_value,
    log1p_count,
)
from .select import _key_bound, _worse, jittered
from .sorting import stable_argsort

__all__ = ["POST", "AUX", "FACTOR", "DECAY", "LINK", "BOOST", "TIME", "POOL_AUTHOR", "FEED_FIELDS", "item_table",
           "original_table", "fused_feeds", "close_gaps"]

#: Columns of an item table (int64 rows; the float columns are read through a float64 view):
#: the post, an integer the kernel needs (originals: the number tracked in the seen
#: masks or -1; reshares and trending posts: the author), the item's score factor
#: (the whole score for chronological and popularity), its age decay, link penalty
#: and author boost (engagement), and the item's time (reshares).
POST, AUX, FACTOR, DECAY, LINK, BOOST, TIME = 0, 1, 2, 3, 4, 5, 6
#: Column of a trending post's row holding its author's number among the trending authors.
POOL_AUTHOR = 7
#: Rows of the kernel's output, one column per shown item: the fields of :class:`~feedsim.engine.feed.Feeds`.
FEED_FIELDS = ("viewer", "post", "author", "slot", "session", "kind", "author_edge", "number")
_VIEWER, _POST, _AUTHOR, _SLOT, _SESSION, _KIND, _EDGE, _NUMBER = range(8)
# A viewer's scratch: float rows (score, then the survivors' score and key in
# :func:`_top_rows`) and int rows (post, item row, edge, author, then the
# survivors' row, post and rank).
_SCORE, _S_SCORE, _S_KEY = 0, 1, 2
_PAD = 8
_C_POST, _C_ITEM, _C_EDGE, _C_AUTHOR, _S_ROW, _S_POST, _S_RANK = 0, 1, 2, 3, 4, 5, 6
#: Follow edges ahead of the one being read whose followee's first live item is prefetched.
_AHEAD = 4
#: A candidate's edge ``e`` is stored as ``_UNCHECKED - e`` until the seen hash set is read for it
#: (-1 marks a reshare, -2 a trending post).
_UNCHECKED = -3
_NOISE = STREAMS["noise"]
_RESHARE_TIE = STREAMS["reshare_tie"]


@njit(cache=True, inline="always")
def _item_factors(code, params, now, time, n_engagements, log_engagements, log_followers, off_platform,
                  author_posts, author_impr):
    """An item's :data:`FACTOR`, :data:`DECAY`, :data:`LINK` and :data:`BOOST` (``params``: a tuple)."""
    if code == CHRONOLOGICAL:
        return -(now - time), 1.0, 1.0, 1.0
    if code == POPULARITY:
        return float(n_engagements), 1.0, 1.0, 1.0
    if code == ENGAGEMENT:
        return (engagement_common(params[2], params[3], log_engagements, log_followers),
                engagement_decay(params[10], now, time), engagement_link(params[11], off_platform),
                engagement_boost(params[12], params[13], author_posts, author_impr))
    return 0.0, 1.0, 1.0, 1.0


@njit(cache=True)
def _fill_rows(optr, code, params, now, post, time, aux, engagements, followers, off_platform,
               author_posts, author_impr, log_table, out):
    """The rows of an item table (see :func:`item_table`). Each row's author is the account ``f`` with
    ``optr[f] <= row < optr[f + 1]`` or, with ``optr`` empty, its :data:`AUX`. One flat loop: an
    inlined function taking these arrays would be reference counted per call."""
    out_f = out.view(np.float64)
    width = out.shape[1]
    full = width > BOOST
    pt = (params[0], params[1], params[2], params[3], params[4], params[5], params[6], params[7], params[8],
          params[9], params[10], params[11], params[12], params[13])
    by_ptr = len(optr) > 0
    f = 0
    last = -1
    log_fol = 0.0
    for j in range(len(post)):
        if by_ptr:
            while optr[f + 1] <= j:
                f += 1
            a = f
        else:
            a = aux[j]
        p = post[j]
        n_eng = engagements[p]
        log_eng = 0.0
        if code == ENGAGEMENT:
            log_eng = log1p_count(log_table, n_eng)
            if a != last:
                log_fol = log1p_count(log_table, followers[a])
                last = a
        off = off_platform[p] if full else False
        factor, decay, link, boost = _item_factors(code, pt, now, time[j], n_eng, log_eng, log_fol, off,
                                                   author_posts[a] if full else 0, author_impr[a] if full else 0)
        out[j, POST] = p
        out[j, AUX] = aux[j]
        out_f[j, FACTOR] = factor
        out_f[j, DECAY] = decay
        if full:
            out_f[j, LINK] = link
            out_f[j, BOOST] = boost
        if width > TIME:
            out_f[j, TIME] = time[j]


@njit(cache=True)
def item_table(code, params, now, post, author, time, engagements, followers, off_platform,
               author_posts, author_impr, log_table, out):
    """Fill the item table ``out`` of reshares or trending posts for ranker ``code`` (see the column constants).

    Parameters
    ----------
    code, params, now
        The ranker's code and parameters (:func:`.compiled_rankers.compiled_form`) and the time, hours.
    post, author : ndarray of shape (n,), int64
        Each item's post (relative to the post table) and the post's author
        (which goes to column :data:`AUX`).
    time : ndarray of shape (n,), float64
        When each item entered the network, hours.
    engagements, followers, off_platform, author_posts, author_impr, log_table
        What a score reads per post or author.
    out : ndarray of shape (n, width), int64
        Filled in place (float columns by their bits); ``width`` 4 holds the
        columns up to :data:`DECAY`, 6 or more :data:`LINK` and :data:`BOOST`
        too, 7 or more :data:`TIME` too.

    Notes
    -----
    Not parallel: a few milliseconds per tick, and a parallel kernel costs
    seconds of compiling on a cold start.
    """
    _fill_rows(np.zeros(0, dtype=np.int64), code, params, now, post, time, author, engagements, followers,
               off_platform, author_posts, author_impr, log_table, out)


@njit(cache=True)
def original_table(optr, rptr, post, time, number, code, params, now, engagements, followers, off_platform,
                   author_posts, author_impr, log_table, heads, out):
    """The item table of the live originals (:data:`AUX`: the tracked number) and each account's ``heads`` row.

    ``optr`` and ``rptr`` index the originals and the reshares by account (the
    originals are their authors' own); ``heads[f]`` gets account ``f``'s rows
    ``optr[f]:optr[f + 1]`` and ``rptr[f]:rptr[f + 1]``. Other parameters as in
    :func:`item_table`.
    """
    for f in range(len(optr) - 1):
        heads[f, 0] = optr[f]
        heads[f, 1] = optr[f + 1]
        heads[f, 2] = rptr[f]
        heads[f, 3] = rptr[f + 1]
    _fill_rows(optr, code, params, now, post, time, number, engagements, followers, off_platform,
               author_posts, author_impr, log_table, out)


@njit(cache=True, inline="always")
def _score(code, pe, factor, decay, aff, key, tick, v, post_global):
    """Score of a candidate from its item's :data:`FACTOR` and :data:`DECAY`, as the ranker's array form
    computes it (with the engagement ranker's link penalty and boost, :data:`LINK` and :data:`BOOST`, still
    to multiply when on). Scalars only: arrays passed to an inlined function are reference counted per call."""
    if code == RANDOM:
        return keyed_uniform(key, _NOISE, tick, v, post_global)
    if code != ENGAGEMENT:
        return factor
    return engagement_value(pe, factor, aff, decay)


@njit(cache=True, inline="always")
def _key_floor(score):
    """Smallest value :func:`.select.jittered` can give for ``score`` (rounding is monotone)."""
    if score < 0.0:
        return score * (1.0 + 65535.0 * 2.0**-52)
    return score  # a zero score's key is >= 0


@njit(cache=True, inline="always")
def _floor(cf, row, lo, hi, t, pick_key, side):
    """A lower bound on the ``t``-th best key of rows ``lo:hi`` of ``cf[row]``: split into ``t`` groups, the
    smallest of the groups' best scores is at most the ``t``-th best score (``pick_key[side]``: scratch)."""
    for g in range(t):
        pick_key[side, g] = -np.inf
    g = 0
    for j in range(lo, hi):
        pick_key[side, g] = max(pick_key[side, g], cf[row, j])
        g += 1
        g = 0 if g == t else g
    floor = pick_key[side, 0]
    for g in range(1, t):
        floor = min(floor, pick_key[side, g])
    return _key_floor(floor)


@njit(cache=True)
def _top_rows(lo, hi, t, side, cf, ci, key, tick, v, post_offset, pick_key, pick_int):
    """The ``t`` best candidate rows ``lo:hi`` by (jittered key, post), best first.

    Reads the scores and posts of rows ``lo:hi`` of the scratch ``cf``, ``ci``
    (at least ``t`` above ``-inf``, which are never taken) and writes the picks'
    keys to ``pick_key[side]``, posts to ``pick_int[2 * side]`` and rows to
    ``pick_int[2 * side + 1]``.

    A row's key (a hash) is drawn only for rows that could be among the best:
    rows whose key cannot reach :func:`_floor` are dropped (twice, which leaves
    about ``1.5 t`` rows); the rows left are ranked by counting the rows above
    each. Loops without data-dependent branches (a survivor is kept by
    advancing the write position by the test; the counts are vectorised),
    which measured 2x faster than keeping the best in a sorted list or a heap.
    When many rows tie at the floor (integer scores), a sorted list takes over,
    as counting would cost the square of their number. The same picks as
    keying every row.
    """
    if t <= 0:
        return
    ps = 2 * side  # pick_int rows: posts, then rows
    few = t + (t >> 1)
    floor = _floor(cf, _SCORE, lo, hi, t, pick_key, side) if hi - lo > few else -np.inf
    n = 0
    for j in range(lo, hi):
        s = cf[_SCORE, j]
        cf[_S_SCORE, n] = s
        ci[_S_ROW, n] = j
        n += (s != -np.inf) & (_key_bound(s) >= floor)
    if n > few:
        floor = _floor(cf, _S_SCORE, 0, n, t, pick_key, side)
        kept = 0
        for q in range(n):
            s = cf[_S_SCORE, q]
            cf[_S_SCORE, kept] = s
            ci[_S_ROW, kept] = ci[_S_ROW, q]
            kept += _key_bound(s) >= floor
        n = kept
    if n > 2 * t + 32:
        # many rows tie at the floor: keep the best t in a sorted list
        size = 0
        for q in range(n):
            s = cf[_S_SCORE, q]
            if size == t and _key_bound(s) < pick_key[side, t - 1]:
                continue
            j = ci[_S_ROW, q]
            p = ci[_C_POST, j]
            kq = jittered(s, key, tick, v, p + post_offset)
            if size == t:
                if not _worse(pick_key[side, t - 1], pick_int[ps, t - 1], kq, p):
                    continue
                pos = t - 1
            else:
                pos = size
                size += 1
            while pos > 0 and _worse(pick_key[side, pos - 1], pick_int[ps, pos - 1], kq, p):
                pick_key[side, pos] = pick_key[side, pos - 1]
                pick_int[ps, pos] = pick_int[ps, pos - 1]
                pick_int[ps + 1, pos] = pick_int[ps + 1, pos - 1]
                pos -= 1
            pick_key[side, pos], pick_int[ps, pos], pick_int[ps + 1, pos] = kq, p, j
        return
    padded = (n + _PAD - 1) // _PAD * _PAD  # whole vectors; the padding ranks below every row
    for q in range(padded):
        if q < n:
            p = ci[_C_POST, ci[_S_ROW, q]]
            cf[_S_KEY, q] = jittered(cf[_S_SCORE, q], key, tick, v, p + post_offset)
            ci[_S_POST, q] = p
        else:
            cf[_S_KEY, q] = -np.inf
            ci[_S_POST, q] = 0
        ci[_S_RANK, q] = 0
    for u in range(n):  # rows above each row (posts differ, so ranks do)
        ku = cf[_S_KEY, u]
        pu = ci[_S_POST, u]
        for q in range(padded):
            ci[_S_RANK, q] += (ku > cf[_S_KEY, q]) | ((ku == cf[_S_KEY, q]) & (pu < ci[_S_POST, q]))
    for q in range(n):
        r = ci[_S_RANK, q]
        if r < t:
            pick_key[side, r] = cf[_S_KEY, q]
            pick_int[ps, r] = ci[_S_POST, q]
            pick_int[ps + 1, r] = ci[_S_ROW, q]


@njit(cache=True)
def _cap_run(lo, hi, cf, cap, keep_score, keep_row):
    """Set ``-inf`` on candidate rows ``lo:hi`` (one author's) beyond the ``cap`` best, ties to the earlier row.

    ``keep_score``, ``keep_row``: scratch of at least ``min(cap, hi - lo)`` entries.
    The same rows as :func:`.scores.cap_rows` caps for an author's rows.
    """
    n = 0
    for j in range(lo, hi):
        s = cf[_SCORE, j]
        if n == cap:
            if n == 0 or not s > keep_score[n - 1]:
                continue
            q = n - 1
        else:
            q = n
            n += 1
        while q > 0 and keep_score[q - 1] < s:
            keep_score[q], keep_row[q] = keep_score[q - 1], keep_row[q - 1]
            q -= 1
        keep_score[q], keep_row[q] = s, j
    for j in range(lo, hi):
        cf[_SCORE, j] = -np.inf
    for q in range(n):
        cf[_SCORE, keep_row[q]] = keep_score[q]


@njit(cache=True)
def _scratch(rows, reshares, picks, kept):
    """A block's scratch: candidate rows (float and int), reshares, both sides' picks (float and int), the cap's."""
    rows += _PAD  # :func:`_top_rows` pads to whole vectors
    return (np.empty((3, rows), dtype=np.float64), np.empty((7, rows), dtype=np.int64),
            np.empty((3, reshares), dtype=np.int64), np.empty((2, picks), dtype=np.float64),
            np.empty((4, picks), dtype=np.int64), np.empty(kept, dtype=np.float64), np.empty(kept, dtype=np.int64))


@njit(cache=True)
def _followed(n):
    """Per trending author, the last viewer found to follow them (none yet: -1)."""
    return np.full(n, -1, dtype=np.int64)


@njit(cache=True)
def _sort_by_post(n, rs):
    """Sort reshare rows ``:n`` (post, item, via) by post, in place (insertion sort for short runs)."""
    if n <= 32:
        for j in range(1, n):
            p, x, w = rs[0, j], rs[1, j], rs[2, j]
            k = j - 1
            while k >= 0 and rs[0, k] > p:
                rs[0, k + 1], rs[1, k + 1], rs[2, k + 1] = rs[0, k], rs[1, k], rs[2, k]
                k -= 1
            rs[0, k + 1], rs[1, k + 1], rs[2, k + 1] = p, x, w
        return
    order = stable_argsort(rs[0, :n])
    tmp = rs[:, :n].copy()
    for j in range(n):
        o = order[j]
        rs[0, j], rs[1, j], rs[2, j] = tmp[0, o], tmp[1, o], tmp[2, o]


@njit(cache=True)
def _newest_per_post(n, rs, etab_f, key, tick, v):
    """Keep one reshare row per post among rows ``:n`` (sorted by post): the newest, ties by a keyed draw of
    the via. Returns the rows kept, moved to the front in post order.
    """
    out = 0
    j = 0
    while j < n:
        best = j
        bt = etab_f[rs[1, j], TIME]
        bh = np.uint64(0)
        have = False
        j2 = j + 1
        while j2 < n and rs[0, j2] == rs[0, j]:
            t = etab_f[rs[1, j2], TIME]
            if t > bt:
                best, bt, have = j2, t, False
            elif t == bt:
                if not have:
                    bh = keyed_hash(key, _RESHARE_TIE, tick, v, rs[2, best])
                    have = True
                h = keyed_hash(key, _RESHARE_TIE, tick, v, rs[2, j2])
                if h > bh:
                    best, bh = j2, h
            j2 += 1
        # out <= j <= best: rows not yet read are never overwritten
        rs[0, out], rs[1, out], rs[2, out] = rs[0, best], rs[1, best], rs[2, best]
        out += 1
        j = j2
    return out


@njit(cache=True)
def _gather(v, e_lo, e_hi, indices, masks, mask_number, first_number, heads, otab, otab_f, etab,
            table, bits, use_table, exclude_seen, code, params, extras, key, tick, post_offset, affinity,
            pool_of, followed, cf, ci, rs):
    """Walk viewer ``v``'s follow edges ``e_lo:e_hi`` once.

    Writes the followees' unseen originals with their scores to the candidate
    rows (by edge, oldest first) and collects their unseen reshares (post, item
    row, via; not yet one per post) in ``rs``. Returns ``(rows, reshares)``; a
    buffer too small gives ``rows`` -1 (``cf``, ``ci``) or ``reshares`` -1
    (``rs``), and the caller grows it and starts the viewer again (arrays are
    never reallocated here, which keeps the loop free of reference counting).

    ``followed[pool_of[f]]`` is set to ``v`` for each followee ``f`` among the
    trending posts' authors (``pool_of``: empty when there are none).

    The rows of all the viewer's followees, each followee's first and last
    items and first reshare are prefetched ahead of the walk; items only the
    seen hash set can rule out are kept with their slot prefetched and looked
    up after the walk, so the lookups (misses in a large table) overlap
    instead of following each other.
    """
    room = cf.shape[1] - _PAD
    r_room = rs.shape[1]
    pe = engagement_params(params)
    vkey = np.int64(v) << np.int64(32)
    check = exclude_seen and use_table
    trending = len(pool_of) > 0
    m = 0
    nr = 0
    n_check = 0
    for e in range(e_lo, e_hi):
        prefetch(heads, indices[e])
    for e in range(e_lo, e_hi):
        f = indices[e]
        if e + _AHEAD < e_hi:
            g = indices[e + _AHEAD]
            prefetch(otab, heads[g, 0])
            prefetch(otab, heads[g, 1] - 1)  # a followee's items often span two cache lines
            if heads[g, 2] < heads[g, 3]:
                prefetch(etab, heads[g, 2])  # and its first reshare
            if exclude_seen:
                prefetch(first_number, g)
        if trending and pool_of[f] >= 0:
            followed[pool_of[f]] = v
        # -- the followee's own posts
        lo, hi = heads[f, 0], heads[f, 1]
        if lo < hi:
            if m + (hi - lo) > room:
                return -1, 0
            mask = np.uint64(0)
            if exclude_seen:
                shift = first_number[f] - mask_number[e]
                if shift < 64:
                    mask = masks[e] >> np.uint64(shift)
            aff = affinity[e] + 1.0
            for k in range(hi - lo):
                item = lo + k
                p = otab[item, POST]
                y = e
                if exclude_seen:
                    s = otab[item, AUX]
                    if s >= 0:
                        if (mask >> np.uint64(k)) & np.uint64(1):
                            continue
                    elif check:
                        prefetch(table, hash_slot(bits, vkey | p))
                        y = _UNCHECKED - e
                        n_check += 1
                sc = _score(code, pe, otab_f[item, FACTOR], otab_f[item, DECAY], aff, key, tick, v, p + post_offset)
                if extras:  # factors of exactly 1.0 where a part is off: no bit changes
                    sc = sc * otab_f[item, LINK]
                    sc = sc * otab_f[item, BOOST]
                cf[_SCORE, m] = sc
                ci[_C_POST, m] = p
                ci[_C_ITEM, m] = item
                ci[_C_EDGE, m] = y
                m += 1
        # -- the followee's reshares
        for item in range(heads[f, 2], heads[f, 3]):
            a = etab[item, AUX]
            if a == v or find_in_row(indices, e_lo, e_hi, a) >= 0:
                continue  # one's own post, or the original is the candidate
            if nr == r_room:
                return 0, -1
            p = etab[item, POST]
            if check:
                prefetch(table, hash_slot(bits, vkey | p))
            rs[0, nr], rs[1, nr], rs[2, nr] = p, item, f
            nr += 1
    # -- the seen hash set, now that its slots have arrived
    if n_check > 0:
        out = 0
        for j in range(m):
            y = ci[_C_EDGE, j]
            if y <= _UNCHECKED:
                if hash_contains(table, bits, vkey | ci[_C_POST, j]):
                    continue
                y = _UNCHECKED - y
            cf[_SCORE, out] = cf[_SCORE, j]
            ci[_C_POST, out], ci[_C_ITEM, out], ci[_C_EDGE, out] = ci[_C_POST, j], ci[_C_ITEM, j], y
            out += 1
        m = out
    if check and nr > 0:
        out = 0
        for j in range(nr):
            if not hash_contains(table, bits, vkey | rs[0, j]):
                rs[0, out], rs[1, out], rs[2, out] = rs[0, j], rs[1, j], rs[2, j]
                out += 1
        nr = out
    return m, nr


@njit(cache=True)
def _feed(v, size, att, w, indptr, indices, masks, mask_number, first_number, heads, otab, otab_f, etab, etab_f,
          n_reshares, table, bits, use_table, exclude_seen, code, params, extras, cap, share, key, tick,
          post_offset, affinity, pool_of, followed, cf, ci, rs, keep_score, keep_row, pick_key, pick_int, out):
    """Viewer ``v``'s feed of up to ``size`` items in sessions of ``att``, written to ``out`` from column ``w``.

    Returns ``(shown, candidates)``, or ``(-s, 0)`` when scratch ``s`` is too
    small (1 the candidate rows ``cf``, ``ci``; 2 ``keep_*``; 3 ``rs``); the
    picks need ``size`` entries.
    """
    e_lo, e_hi = indptr[v], indptr[v + 1]
    vkey = np.int64(v) << np.int64(32)
    n_etab = len(etab)
    if exclude_seen and use_table:
        for j in range(n_reshares, n_etab):  # the trending posts, looked up at the end
            prefetch(table, hash_slot(bits, vkey | etab[j, POST]))
    m, nr = _gather(v, e_lo, e_hi, indices, masks, mask_number, first_number, heads, otab, otab_f, etab,
                    table, bits, use_table, exclude_seen, code, params, extras, key, tick, post_offset,
                    affinity, pool_of, followed, cf, ci, rs)
    if m < 0:
        return -1, 0
    if nr < 0:
        return -3, 0
    if cap >= 0:  # the per-author cap: a followee's rows (one edge's) are its own
        j = np.int64(0)  # not a literal: _cap_run compiles once
        while j < m:
            run = j
            while j < m and ci[_C_EDGE, j] == ci[_C_EDGE, run]:
                j += 1
            if j - run > cap:
                if cap > len(keep_score):
                    return -2, 0
                _cap_run(run, j, cf, cap, keep_score, keep_row)
    # -- reshares: the newest per post (ties by a keyed draw), in post order
    if nr > 1:
        _sort_by_post(nr, rs)
        nr = _newest_per_post(nr, rs, etab_f, key, tick, v)
    if m + nr + n_etab - n_reshares > cf.shape[1] - _PAD:
        return -1, 0
    aff_none = affinity[len(affinity) - 1] + 1.0  # no follow edge
    pe = engagement_params(params)
    r0 = m
    for j in range(nr):
        x = rs[1, j]
        sc = _score(code, pe, etab_f[x, FACTOR], etab_f[x, DECAY], aff_none, key, tick, v, rs[0, j] + post_offset)
        if extras:
            sc = sc * etab_f[x, LINK]
            sc = sc * etab_f[x, BOOST]
        cf[_SCORE, m] = sc
        ci[_C_POST, m] = rs[0, j]
        ci[_C_ITEM, m] = x
        ci[_C_EDGE, m] = -1
        ci[_C_AUTHOR, m] = etab[x, AUX]
        m += 1
    # -- out of network: the trending pool
    r1 = m
    r_posts = rs[0]  # sorted
    for j in range(n_reshares, n_etab):
        a = etab[j, AUX]
        if a == v or followed[etab[j, POOL_AUTHOR]] == v:
            continue
        p = etab[j, POST]
        if nr > 0 and find_in_row(r_posts, 0, nr, p) >= 0:
            continue  # already a candidate through a followee's reshare
        if exclude_seen and use_table and hash_contains(table, bits, vkey | p):
            continue
        sc = _score(code, pe, etab_f[j, FACTOR], etab_f[j, DECAY], aff_none, key, tick, v, p + post_offset)
        if extras:
            sc = sc * etab_f[j, LINK]
            sc = sc * etab_f[j, BOOST]
        cf[_SCORE, m] = sc
        ci[_C_POST, m] = p
        ci[_C_ITEM, m] = j
        ci[_C_EDGE, m] = -2
        ci[_C_AUTHOR, m] = a
        m += 1
    n_in = r1
    n_oon = m - r1
    if cap >= 0:
        # reshares and trending posts share authors (never a followee's)
        cap_rows(r0, m, ci[_C_AUTHOR], cf[_SCORE], cap)
        for j in range(r0, m):
            if cf[_SCORE, j] == -np.inf:
                if j < r1:
                    n_in -= 1
                else:
                    n_oon -= 1
        for j in range(r0):
            n_in -= cf[_SCORE, j] == -np.inf
    # -- how many of each side (as :func:`.select.take_one`), best first, merged by key
    k = min(size, n_in + n_oon)
    target = np.int64(np.rint(share * k))
    t_in = min(n_in, k - min(n_oon, target))
    t_oon = min(n_oon, k - t_in)
    # (np.int64: a literal argument would compile a second specialisation)
    _top_rows(np.int64(0), r1, t_in, np.int64(0), cf, ci, key, tick, v, post_offset, pick_key, pick_int)
    _top_rows(r1, m, t_oon, np.int64(1), cf, ci, key, tick, v, post_offset, pick_key, pick_int)
    x = 0
    y = 0
    slot = 0
    session = 0
    # a short feed (k < size) is spread evenly over the tick's sessions, the first ones
    # taking one more, as :func:`feedsim.engine.feed.session_slots`
    n_ses = size // att
    q = k // n_ses
    r = k - q * n_ses
    per = q + 1 if r > 0 else q
    while x < t_in or y < t_oon:
        if y >= t_oon or (x < t_in and not _worse(pick_key[0, x], pick_int[0, x], pick_key[1, y], pick_int[2, y])):
            j = pick_int[1, x]
            x += 1
        else:
            j = pick_int[3, y]
            y += 1
        out[_VIEWER, w] = v
        out[_POST, w] = ci[_C_POST, j]
        out[_SLOT, w] = slot
        out[_SESSION, w] = session
        slot += 1
        if slot == per:  # the rank x + y - 1, split into the sessions
            slot = 0
            session += 1
            if session == r:
                per = q
        e = ci[_C_EDGE, j]
        if e >= 0:
            out[_AUTHOR, w] = indices[e]
            out[_EDGE, w] = e
            out[_KIND, w] = ORIGINAL
            out[_NUMBER, w] = otab[ci[_C_ITEM, j], AUX]
        else:
            out[_AUTHOR, w] = ci[_C_AUTHOR, j]
            out[_EDGE, w] = -1
            out[_KIND, w] = RESHARE if e == -1 else OUT_OF_NETWORK
            out[_NUMBER, w] = -1
        w += 1
    return t_in + t_oon, m


@njit(cache=True, parallel=True)
def fused_feeds(viewers, attention, feed_size, out_ptr, n_blocks, indptr, indices, masks, mask_number, first_number,
                heads, otab, etab, n_reshares, pool_of, table, bits, use_table, exclude_seen,
                code, params, extras, cap, share, key, tick, post_offset, affinity, out, counts):
    """Each viewer's feed: shown items to ``out``, items shown and candidates to ``counts``.

    Parameters
    ----------
    viewers, attention, feed_size, out_ptr : ndarray of int64
        The viewers, their items per session and per tick (attention times
        sessions), and where each one's room in ``out`` starts (a prefix sum of
        ``feed_size``).
    n_blocks : int
        Viewers are split into this many blocks of ``step = ceil(n / n_blocks)``,
        one ``prange`` iteration each; block ``b`` writes its viewers' items one
        after the other from ``out_ptr[b * step]`` (:func:`close_gaps` then
        closes the gaps between blocks).
    indptr, indices, masks, mask_number, first_number
        The follow graph (CSR, sorted rows), its per-edge seen masks and each
        author's first tracked number (:func:`.build.viewer_rows`).
    heads : ndarray of shape (n_users, 4), int64
        Per account: its live originals' rows ``[0]:[1]`` in ``otab`` and its
        reshares' rows ``[2]:[3]`` in ``etab``.
    otab, etab : ndarray of int64
        Item tables (:func:`original_table`, :func:`item_table`) of the live
        originals and of the reshares (with :data:`TIME`) followed, from row
        ``n_reshares``, by the trending posts (with :data:`POOL_AUTHOR`).
    pool_of : ndarray of shape (n_users,) or (0,), int32
        Each account's number among the trending posts' authors, or -1 (empty
        without trending posts).
    table, bits, use_table, exclude_seen
        The seen hash set and whether to read it; whether to leave out seen posts.
    code, params, extras, cap
        The ranker (:func:`.compiled_rankers.compiled_form`), whether the link penalty or the
        author boost is on, and the per-author cap (-1 for none).
    share, key, tick, post_offset
        The out-of-network share; the keyed draws' key and tick; the global id of post 0.
    affinity : ndarray of shape (n_edges + 1,), float64
        Per follow edge (the trailing 0.0 for candidates without one).
    out : ndarray of shape (8, out_ptr[-1]), int64
        Per shown item, the rows of :data:`FEED_FIELDS`: viewer, post (relative
        to the post table), author, slot and session (the rank within the
        viewer's feeds, 0 = best, split into sessions of ``attention``; a short
        feed evenly, see :func:`feedsim.engine.feed.session_slots`), kind,
        follow edge (-1 if none) and tracked post number (-1 if none).
    counts : ndarray of shape (2, n), int64
        Per viewer: items shown, candidates considered.
    """
    n = len(viewers)
    step = (n + n_blocks - 1) // n_blocks
    otab_f = otab.view(np.float64)
    etab_f = etab.view(np.float64)
    for blk in prange(n_blocks):
        first = blk * step
        last = min(n, first + step)
        room = np.int64(256)  # int64, not literals: _scratch compiles once, not once per call site
        r_room = np.int64(64)
        k_room = np.int64(16)
        cap_room = max(0, min(cap, 4))
        cf, ci, rs, pick_key, pick_int, keep_score, keep_row = _scratch(room, r_room, k_room, cap_room)
        followed = _followed(len(etab) - n_reshares)
        w = out_ptr[first] if first < n else 0  # the block's items, packed from its first viewer's room
        for i in range(first, last):
            size = feed_size[i]
            while True:
                if size > k_room:
                    k_room = max(size, 2 * k_room)
                    cf, ci, rs, pick_key, pick_int, keep_score, keep_row = _scratch(room, r_room, k_room, cap_room)
                shown, m = _feed(viewers[i], size, attention[i], w, indptr, indices, masks, mask_number,
                                 first_number, heads, otab, otab_f, etab, etab_f, n_reshares, table, bits, use_table,
                                 exclude_seen, code, params, extras, cap, share, key, tick, post_offset, affinity,
                                 pool_of, followed, cf, ci, rs, keep_score, keep_row, pick_key, pick_int, out)
                if shown >= 0:
                    break
                if shown == -1:
                    room *= 2
                elif shown == -2:
                    cap_room = min(cap, max(4, 2 * cap_room))
                else:
                    r_room *= 2
                cf, ci, rs, pick_key, pick_int, keep_score, keep_row = _scratch(room, r_room, k_room, cap_room)
            counts[0, i] = shown
            counts[1, i] = m
            w += shown


@njit(cache=True)
def close_gaps(block_ptr, block_len, out):
    """Move each block's ``block_len[k]`` columns of ``out`` from ``block_ptr[k]`` to follow the previous block's.

    In place, front to back (columns only move left); returns the columns kept.
    """
    t = 0
    for k in range(len(block_len)):
        s = block_ptr[k]
        if s != t:
            for r in range(out.shape[0]):
                for j in range(block_len[k]):
                    out[r, t + j] = out[r, s + j]
        t += block_len[k]
    return t
