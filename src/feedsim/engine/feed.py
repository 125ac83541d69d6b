"""Feed assembly for one tick: candidates from the follow graph, ranking, per-viewer top-k.

Everything here is array work over all viewers of the tick at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from ..rankers.candidates import Candidates
from ..rankers.registry import validate_scores
from ..rankers.topk import jitter, topk_segments
from .arrays import ranges

if TYPE_CHECKING:  # pragma: no cover
    from .platform import Platform

__all__ = ["ORIGINAL", "RESHARE", "OUT_OF_NETWORK", "Feeds", "build_candidates", "rank_and_select"]

#: Item kinds: an original post from a followee, a followee's reshare, an out-of-network post.
ORIGINAL, RESHARE, OUT_OF_NETWORK = 0, 1, 2


@dataclass
class Feeds:
    """The items shown in one tick (one row per impression)."""

    viewer: NDArray[np.int64]
    post: NDArray[np.int64]
    author: NDArray[np.int64]
    #: position within the session's feed (0 = top); each session is its own feed
    slot: NDArray[np.int64]
    #: which of the viewer's sessions in the tick (0, 1, ...)
    session: NDArray[np.int64]
    kind: NDArray[np.int8]
    author_edge: NDArray[np.int64]
    #: the author's number for the post when it is tracked in edge bit masks, else -1
    seq: NDArray[np.int64]


def trending_pool(p: Platform, size: int) -> NDArray[np.int64]:
    """The ``size`` live posts with most engagement (newest first among equals)."""
    lo, hi = p.first_live, p.posts.n
    live = np.arange(lo, hi, dtype=np.int64)
    if len(live) <= size:
        return live
    if p.rich_get_richer:
        eng = p.posts["engagements"][lo:hi]
    else:
        eng = np.zeros(hi - lo, dtype=np.int64)
    order = np.lexsort((p.posts["created"][lo:hi], eng))
    return live[order[-size:]]


def build_candidates(
    p: Platform, viewers: NDArray[np.int64], now: float
) -> tuple[Candidates, NDArray, NDArray, NDArray]:
    """Candidates of every viewer: followees' live items plus the trending pool.

    Excludes the viewer's own posts and posts already shown to the viewer. A post
    reachable several ways is kept once: the original when the viewer follows the
    author, else the newest reshare by a followee (ties at random), else the
    out-of-network copy.

    Returns
    -------
    candidates : Candidates
    kind : ndarray of int8
        :data:`ORIGINAL`, :data:`RESHARE` or :data:`OUT_OF_NETWORK` per candidate.
    author_edge : ndarray of int64
        Index of the viewer -> author follow edge, -1 if the viewer does not follow.
    seq : ndarray of int64
        The author's number for the post when it is tracked in edge bit masks
        (an original from a followee), else -1.
    """
    g = p.graph
    n_view = len(viewers)
    seg_e, edge = g.expand(viewers)
    followee = g.indices[edge]
    seg, post, author, author_edge, seq, item_time, o_followee, o_count = _originals(p, viewers, seg_e, edge, followee)
    viewer = viewers[seg]
    kind = np.zeros(len(seg), dtype=np.int8)  # ORIGINAL
    via = author
    # how per-author values reach the candidates: by edge for originals, then merged
    # like the other columns (random gathers per candidate are slow at 1M accounts)
    layout = []
    if len(p.reshares):
        r = _reshares(p, viewers, seg_e, followee)
        if len(r[0]):
            merge = _merger(seg, r[0], n_view)
            r_seg, r_post, r_author, r_via, r_time = r
            m = len(r_seg)
            seg, post, author = merge(seg, r_seg), merge(post, r_post), merge(author, r_author)
            via, item_time = merge(via, r_via), merge(item_time, r_time)
            author_edge = merge(author_edge, np.full(m, -1, dtype=np.int64))
            seq = merge(seq, np.full(m, -1, dtype=np.int64))
            kind = merge(kind, np.full(m, RESHARE, dtype=np.int8))
            viewer = viewers[seg]
            layout.append((merge, r_author))

    if p.cfg.out_of_network_share > 0 and p.posts.n > p.first_live and n_view:
        seg, viewer, post, author, author_edge, kind, via, item_time, seq, oon = _merge_out_of_network(
            p, viewers, seg, viewer, post, author, author_edge, kind, via, item_time, seq
        )
        layout.append(oon)

    def per_author(values):
        out = np.repeat(values[o_followee], o_count)
        for merge_with, other_author in layout:
            out = merge_with(out, values[other_author])
        return out

    viewer_ptr = np.zeros(n_view + 1, dtype=np.int64)
    np.cumsum(np.bincount(seg, minlength=n_view), out=viewer_ptr[1:])
    P = p.posts
    rgr = p.rich_get_richer

    def affinity():
        return g.edge_affinity(author_edge)

    def counts(column):
        return (lambda: P[column][post]) if rgr else (lambda: np.zeros(len(post), dtype=np.int64))

    cands = Candidates(
        now,
        viewer_ptr,
        viewers,
        viewer=viewer,
        segment=seg,
        post=post + p.post_offset if p.post_offset else post,
        author=author,
        via=via,
        age_hours=lambda: now - P["created"][post],
        item_age_hours=lambda: now - item_time,
        appeal=lambda: P["appeal"][post],
        affinity=affinity,
        likes=counts("likes"),
        reshares=counts("reshares"),
        replies=counts("replies"),
        engagements=counts("engagements"),
        impressions=lambda: P["impressions"][post],
        author_followers=lambda: per_author(g.in_degree),
        author_posts=lambda: per_author(p.user_posts),
        author_impressions=lambda: per_author(p.user_impressions),
        typical_impressions_per_post=lambda: np.full(len(post), p.stats["impressions"] / max(p.posts.n + p.post_offset, 1)),
        in_network=lambda: kind != OUT_OF_NETWORK,
        is_reshare=lambda: kind == RESHARE,
        sponsored=lambda: P["sponsored"][post],
        off_platform=lambda: P["off_platform"][post],
    )
    return cands, kind, author_edge, seq


def _low_bits(width: NDArray[np.int64]) -> NDArray[np.uint64]:
    """Masks with the lowest ``width`` bits set (``0 <= width <= 64``)."""
    w = np.minimum(width, 63).astype(np.uint64)
    return np.where(width >= 64, np.uint64(0xFFFFFFFFFFFFFFFF), (np.uint64(1) << w) - np.uint64(1))


_BIT_POSITIONS: NDArray[np.int8] | None = None


def _set_bits(masks: NDArray[np.uint64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Every set bit of every mask: (index of the mask, bit position), in order.

    Masks are split into 16-bit chunks; a table of the set-bit positions of all
    65,536 chunk values turns the enumeration into array gathers, so the cost is
    proportional to the masks plus the bits set.

    Examples
    --------
    >>> [a.tolist() for a in _set_bits(np.array([5, 0, 1 << 40], dtype=np.uint64))]
    [[0, 0, 2], [0, 2, 40]]
    """
    global _BIT_POSITIONS
    if _BIT_POSITIONS is None:
        v = np.arange(1 << 16, dtype=np.int64)
        clear = ((v[:, None] >> np.arange(16)) & 1) == 0
        _BIT_POSITIONS = np.argsort(clear, axis=1, kind="stable").astype(np.int8).ravel()
    chunks = np.ascontiguousarray(masks, dtype="<u8").view("<u2")  # 4 chunks per mask, low first
    nz = np.flatnonzero(chunks)
    vals = chunks[nz]
    c = np.bitwise_count(vals).astype(np.int64)
    within = np.arange(int(c.sum()), dtype=np.int64) - np.repeat(np.cumsum(c) - c, c)
    chunk = np.repeat(nz, c)
    pos = _BIT_POSITIONS[np.repeat(vals.astype(np.int64) << 4, c) + within] + ((chunk & 3) << 4)
    return chunk >> 2, pos


def _originals(p, viewers, seg_e, edge, followee):
    """The followees' own live posts not yet shown to the viewer.

    The live posts of account ``f`` are numbered ``first_seq[f], first_seq[f] + 1,
    ...`` and stored contiguously, oldest first, so post number ``first_seq[f] + i``
    is item ``ptr[f] + i``. A follow edge's bit mask marks which of the first 64 the
    follower was shown (see :meth:`Platform.mark_seen`): the unseen ones are the
    clear bits, enumerated with a table (:func:`_set_bits`), so the work is
    proportional to the edges plus the unseen posts, not to everything still live.
    Positions past 64 and posts not tracked in the masks are checked in the hash set.

    Returns per candidate (grouped by viewer segment, then edge, oldest first):
    segment, post, author, author edge, tracked number (-1 if untracked), time;
    then per edge with candidates: the followee and its number of candidates (an
    author's value per candidate is a gather per edge and a repeat).
    """
    g = p.graph
    items = p.originals
    ptr = items.index_by_via(g.n)
    live = ptr[followee + 1] - ptr[followee]
    has = np.flatnonzero(live)
    seg_e, edge, followee, live = seg_e[has], edge[has], followee[has], live[has]
    start = ptr[followee]
    if not p.cfg.exclude_seen:
        count = live
        item = ranges(start, live)
        seg = np.repeat(seg_e, live)
        author_edge = np.repeat(edge, live)
    else:
        # bring the edges' masks up to date: shift out posts that expired
        base = p.first_seq[followee]
        shift = base - g.seen_base[edge]
        stale = np.flatnonzero(shift)
        if len(stale):
            e, sh = edge[stale], shift[stale]
            g.seen_bits[e] = np.where(sh < 64, g.seen_bits[e] >> np.minimum(sh, 63).astype(np.uint64), np.uint64(0))
            g.seen_base[e] = base[stale]
        unseen = ~g.seen_bits[edge] & _low_bits(live)
        n_low = np.bitwise_count(unseen).astype(np.int64)
        n_high = np.maximum(live - 64, 0)
        count = n_low + n_high
        out_ptr = np.cumsum(count) - count
        offset = np.empty(int(count.sum()), dtype=np.int64)
        _, low_offset = _set_bits(unseen)
        offset[np.arange(len(low_offset)) + np.repeat(out_ptr - (np.cumsum(n_low) - n_low), n_low)] = low_offset
        over = np.flatnonzero(n_high)
        if len(over):
            k = n_high[over]
            offset[ranges(out_ptr[over] + n_low[over], k)] = ranges(np.full(len(over), 64, dtype=np.int64), k)
        item = np.repeat(start, count) + offset
        seg = np.repeat(seg_e, count)
        author_edge = np.repeat(edge, count)
    post = items.post[item]
    seq = items.seq[item]
    if p.cfg.exclude_seen and len(p.seen):
        other = np.flatnonzero(seq < 0)
        if len(other):
            shown = p.seen.contains((viewers[seg[other]] << 32) | post[other])
            if shown.any():  # few: copying around them beats a boolean mask
                gone = other[shown]
                item, seg, author_edge, post, seq = (
                    np.delete(a, gone) for a in (item, seg, author_edge, post, seq)
                )
                run_start = np.cumsum(count) - count
                count = count - np.bincount(np.searchsorted(run_start, gone, side="right") - 1,
                                            minlength=len(count))
    return seg, post, items.author[item], author_edge, seq, items.time[item], followee, count


def _reshares(p, viewers, seg_e, followee):
    """The followees' live reshares worth showing: segment, post, author, via, time.

    A reshare is dropped when the viewer wrote the post or follows its author (the
    original is a candidate then) and when it was shown before. Of several
    followees' reshares of the same post the newest stands for it (ties in time,
    as for reshares made in the same tick, broken at random from the ranking
    stream), so the choice never depends on account labels.
    """
    g = p.graph
    items = p.reshares
    ptr = items.index_by_via(g.n)
    cnt = ptr[followee + 1] - ptr[followee]
    has = np.flatnonzero(cnt)
    cnt = cnt[has]
    item = ranges(ptr[followee[has]], cnt)
    seg = np.repeat(seg_e[has], cnt)
    viewer = viewers[seg]
    post, author = items.post[item], items.author[item]
    ok = author != viewer
    if p.cfg.exclude_seen and len(p.seen):
        ok &= ~p.seen.contains((viewer << 32) | post)
    ok[ok] = g.lookup(viewer[ok], author[ok]) < 0
    rest = np.flatnonzero(ok)
    key = (seg[rest] << 32) | post[rest]
    u = p.streams["ranking"].random(len(rest))
    order = np.lexsort((u, -items.time[item[rest]], key))  # per (viewer, post): newest first
    ks = key[order]
    first = np.ones(len(rest), dtype=bool)
    first[1:] = ks[1:] != ks[:-1]
    keep = rest[np.sort(order[first])]
    item = item[keep]
    return seg[keep], post[keep], author[keep], items.via[item], items.time[item]


def _merger(seg_a, seg_b, n_seg):
    """``merge(a, b)`` for columns of two segment-grouped tables, ``a``'s rows first per segment."""
    n_a = np.bincount(seg_a, minlength=n_seg)
    n_b = np.bincount(seg_b, minlength=n_seg)
    ptr = np.cumsum(n_a + n_b) - (n_a + n_b)
    pos_a = np.arange(len(seg_a), dtype=np.int64) + (ptr - (np.cumsum(n_a) - n_a))[seg_a]
    pos_b = np.arange(len(seg_b), dtype=np.int64) + (ptr + n_a - (np.cumsum(n_b) - n_b))[seg_b]
    total = len(seg_a) + len(seg_b)

    def merge(a, b):
        out = np.empty(total, dtype=a.dtype)
        out[pos_a] = a
        out[pos_b] = b
        return out

    return merge


def _merge_out_of_network(p, viewers, seg, viewer, post, author, author_edge, kind, via, item_time, seq):
    """Add trending-pool candidates to each viewer's segment (after the in-network ones).

    A pool post is skipped when the viewer wrote it, has seen it, follows its author
    (the original is already a candidate) or already has it through a reshare.
    """
    n_view = len(viewers)
    g = p.graph
    pool = trending_pool(p, p.cfg.trending_pool_size)
    t_seg = np.repeat(np.arange(n_view, dtype=np.int64), len(pool))
    t_post = np.tile(pool, n_view)
    t_viewer = viewers[t_seg]
    t_author = p.posts["author"][t_post]
    ok = t_author != t_viewer
    if p.cfg.exclude_seen:
        ok &= ~p.seen.contains((t_viewer << 32) | t_post)
    ok[ok] = g.lookup(t_viewer[ok], t_author[ok]) < 0
    rs = kind == RESHARE
    if rs.any() and ok.any():
        have = np.sort((seg[rs] << 32) | post[rs])
        tk = (t_seg[ok] << 32) | t_post[ok]
        pos = np.minimum(np.searchsorted(have, tk), len(have) - 1)
        ok[ok] = have[pos] != tk
    t_seg, t_post, t_author = t_seg[ok], t_post[ok], t_author[ok]
    merge = _merger(seg, t_seg, n_view)

    return (
        merge(seg, t_seg),
        merge(viewer, viewers[t_seg]),
        merge(post, t_post),
        merge(author, t_author),
        merge(author_edge, np.full(len(t_seg), -1, dtype=np.int64)),
        merge(kind, np.full(len(t_seg), OUT_OF_NETWORK, dtype=np.int8)),
        merge(via, t_author),
        merge(item_time, p.posts["created"][t_post]),
        merge(seq, np.full(len(t_seg), -1, dtype=np.int64)),
        (merge, t_author),
    )


def _ptr(seg: NDArray[np.int64], n_seg: int) -> NDArray[np.int64]:
    ptr = np.zeros(n_seg + 1, dtype=np.int64)
    np.cumsum(np.bincount(seg, minlength=n_seg), out=ptr[1:])
    return ptr


def rank_and_select(
    p: Platform,
    cands: Candidates,
    kind: NDArray[np.int8],
    author_edge: NDArray[np.int64],
    seq: NDArray[np.int64],
    attention: NDArray[np.int64],
    sessions: NDArray[np.int64],
) -> Feeds:
    """Score candidates with the active ranker and fill each viewer's session feeds.

    A viewer with ``s`` sessions in the tick gets ``s`` feeds of ``attention``
    slots, filled in score order: the best ``attention`` items make the first
    session's feed, the next ones the second's, and so on (a post is never shown
    twice). Of the ``k = attention * s`` items, ``round(out_of_network_share * k)``
    are reserved for out-of-network candidates and the rest for in-network ones;
    a side with too few candidates leaves its slots to the other. A score of
    ``-inf`` means "never show": such candidates are dropped, and a viewer with
    too few other candidates gets a shorter feed. Ties are broken by a random
    draw from the ranking stream.
    """
    n = len(cands)
    n_view = cands.n_viewers
    rng = p.streams["ranking"]
    try:
        raw = p.ranker(cands, rng)
    finally:
        cands._close()
    key = jitter(validate_scores(raw, n, p.ranker_label, cands.now), rng.random(n))
    feed_size = attention * sessions
    oon = kind == OUT_OF_NETWORK
    excluded = key == -np.inf
    if excluded.any():  # "never show": the viewer's feed is shorter if too few remain
        seg_all = cands.segment
        feed_size = np.minimum(feed_size, cands.viewer_ptr[1:] - cands.viewer_ptr[:-1]
                               - np.bincount(seg_all[excluded], minlength=n_view))
    if not oon.any():
        shown, slot, _ = topk_segments(cands.viewer_ptr, key, feed_size)
    else:
        seg = cands.segment
        in_idx = np.flatnonzero(~oon)
        oon_idx = np.flatnonzero(oon)
        ptr_in, ptr_oon = _ptr(seg[in_idx], n_view), _ptr(seg[oon_idx], n_view)
        n_in, n_oon = np.diff(ptr_in), np.diff(ptr_oon)
        if excluded.any():
            n_in = n_in - np.bincount(seg[excluded & ~oon], minlength=n_view)
            n_oon = n_oon - np.bincount(seg[excluded & oon], minlength=n_view)
        target_oon = np.rint(p.cfg.out_of_network_share * feed_size).astype(np.int64)
        take_in = np.minimum(n_in, feed_size - np.minimum(n_oon, target_oon))
        take_oon = np.minimum(n_oon, feed_size - take_in)
        a, a_rank, _ = topk_segments(ptr_in, key[in_idx], take_in)
        b, b_rank, _ = topk_segments(ptr_oon, key[oon_idx], take_oon)
        a, b = in_idx[a], oon_idx[b]
        comb_ptr = np.zeros(n_view + 1, dtype=np.int64)
        np.cumsum(take_in + take_oon, out=comb_ptr[1:])
        comb = np.empty(int(comb_ptr[-1]), dtype=np.int64)
        comb[comb_ptr[seg[a]] + a_rank] = a
        comb[comb_ptr[seg[b]] + take_in[seg[b]] + b_rank] = b
        order, slot, _ = topk_segments(comb_ptr, key[comb], take_in + take_oon)
        shown = comb[order]
    viewer = cands.viewer
    per_session = attention[cands.segment[shown]]
    return Feeds(
        viewer=viewer[shown],
        post=cands.post[shown] - p.post_offset,  # engine ids are relative to the post table
        author=cands.author[shown],
        slot=slot % per_session,
        session=slot // per_session,
        kind=kind[shown],
        author_edge=author_edge[shown],
        seq=seq[shown],
    )
