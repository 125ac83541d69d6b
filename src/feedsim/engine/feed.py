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
    slot: NDArray[np.int64]
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


def build_candidates(p: Platform, viewers: NDArray[np.int64], now: float) -> tuple[Candidates, NDArray, NDArray]:
    """Candidates of every viewer: followees' live items plus the trending pool.

    Excludes the viewer's own posts and posts already shown to the viewer. A post
    reachable several ways is kept once: the original when the viewer follows the
    author, else the first reshare, else the out-of-network copy.

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
    items = p.items
    via_ptr = items.index_by_via(g.n)
    # in-network: every live item of every followee, grouped by viewer segment
    seg_e, edge = g.expand(viewers)
    followee = g.indices[edge]
    cnt = via_ptr[followee + 1] - via_ptr[followee]
    has = np.flatnonzero(cnt)
    seg_e, edge, followee, cnt = seg_e[has], edge[has], followee[has], cnt[has]
    item = ranges(via_ptr[followee], cnt)
    seg = np.repeat(seg_e, cnt)
    viewer = viewers[seg]
    post = items.post[item]
    author_edge = np.repeat(edge, cnt)
    seq = items.seq[item]
    if p.cfg.exclude_seen:
        seen = _already_shown(p, edge, followee, cnt, item, seq, viewer, post)
        sel = np.flatnonzero(~seen)
        item, seg, viewer, post, author_edge, seq = (
            item[sel], seg[sel], viewer[sel], post[sel], author_edge[sel], seq[sel]
        )
    kind = items.kind[item]
    author = items.author[item]
    if items.has_reshares:
        # a reshare duplicates the original when the viewer follows the author;
        # it is dropped as well for the viewer's own posts and repeated reshares
        rs = np.flatnonzero(kind == RESHARE)
        r_author, r_viewer = author[rs], viewer[rs]
        drop = (r_author == r_viewer) | (g.lookup(r_viewer, r_author) >= 0)
        rest = rs[~drop]
        key = (seg[rest] << 32) | post[rest]
        order = np.argsort(key, kind="stable")
        ks = key[order]
        repeated = np.zeros(len(rest), dtype=bool)
        repeated[order[1:]] = ks[1:] == ks[:-1]
        keep = np.ones(len(item), dtype=bool)
        keep[rs[drop]] = False
        keep[rest[repeated]] = False
        if not keep.all():
            item, seg, viewer, post = item[keep], seg[keep], viewer[keep], post[keep]
            author_edge, kind, author, seq = author_edge[keep], kind[keep], author[keep], seq[keep]
        author_edge[kind == RESHARE] = -1
    via = lambda: items.via[item]  # noqa: E731
    item_time = lambda: items.time[item]  # noqa: E731

    if p.cfg.out_of_network_share > 0 and p.posts.n > p.first_live and n_view:
        seg, viewer, post, author, author_edge, kind, via, item_time, seq = _merge_out_of_network(
            p, viewers, seg, viewer, post, author, author_edge, kind, via(), item_time(), seq
        )

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
        post=post,
        author=author,
        via=via,
        age_hours=lambda: now - P["created"][post],
        item_age_hours=lambda: now - (item_time() if callable(item_time) else item_time),
        appeal=lambda: P["appeal"][post],
        affinity=affinity,
        likes=counts("likes"),
        reshares=counts("reshares"),
        replies=counts("replies"),
        engagements=counts("engagements"),
        impressions=lambda: P["impressions"][post],
        author_followers=lambda: g.in_degree[author],
        author_posts=lambda: p.user_posts[author],
        author_impressions=lambda: p.user_impressions[author],
        in_network=lambda: kind != OUT_OF_NETWORK,
        is_reshare=lambda: kind == RESHARE,
        sponsored=lambda: P["sponsored"][post],
        off_platform=lambda: P["off_platform"][post],
    )
    return cands, kind, author_edge, seq


def _already_shown(p, edge, followee, cnt, item, seq, viewer, post) -> NDArray[np.bool_]:
    """Which candidates were shown to their viewer before.

    A followee's own post with a tracked number (``seq >= 0``) is looked up in the
    follow edge's bit mask: bit ``seq - seen_base[edge]`` of ``seen_bits[edge]``,
    where ``seen_base`` is the number of the followee's oldest live post (edges are
    brought up to date here, shifting out expired posts). Everything else (reshares,
    posts of very prolific accounts) is looked up in the hash set of
    ``(viewer << 32) | post`` keys. The bit masks keep the common case sequential
    in memory: a viewer's edges are contiguous.
    """
    g = p.graph
    base = p.first_seq[followee]
    shift = base - g.seen_base[edge]
    stale = np.flatnonzero(shift)
    if len(stale):
        e, sh = edge[stale], shift[stale]
        g.seen_bits[e] = np.where(sh < 64, g.seen_bits[e] >> np.minimum(sh, 63).astype(np.uint64), np.uint64(0))
        g.seen_base[e] = base[stale]
    bits = np.repeat(g.seen_bits[edge], cnt)
    offset = seq - np.repeat(base, cnt)
    tracked = seq >= 0
    np.bitwise_and(offset, 63, out=offset)  # untracked rows: any shift, masked out below
    seen = ((bits >> offset.astype(np.uint64)) & np.uint64(1)).astype(bool)
    seen &= tracked
    other = np.flatnonzero(~tracked)
    if len(other) and len(p.seen):
        seen[other] = p.seen.contains((viewer[other] << 32) | post[other])
    return seen


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
    n_in = np.bincount(seg, minlength=n_view)
    n_out = np.bincount(t_seg, minlength=n_view)
    ptr = np.zeros(n_view + 1, dtype=np.int64)
    np.cumsum(n_in + n_out, out=ptr[1:])
    pos_in = ptr[seg] + np.arange(len(seg)) - (np.cumsum(n_in) - n_in)[seg]
    pos_out = ptr[t_seg] + n_in[t_seg] + np.arange(len(t_seg)) - (np.cumsum(n_out) - n_out)[t_seg]
    total = int(ptr[-1])

    def merge(a, b):
        out = np.empty(total, dtype=a.dtype)
        out[pos_in] = a
        out[pos_out] = b
        return out

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
    feed_size: NDArray[np.int64],
) -> Feeds:
    """Score candidates with the active ranker and keep each viewer's top items.

    A viewer with feed size ``k`` gets ``round(out_of_network_share * k)`` slots
    for out-of-network candidates and the rest for in-network ones; a side with too
    few candidates leaves its slots to the other. Ties are broken by a random draw
    from the ranking stream. Slots are numbered by score across both sides.
    """
    n = len(cands)
    n_view = cands.n_viewers
    rng = p.streams["ranking"]
    try:
        raw = p.ranker(cands, rng)
    finally:
        cands._close()
    key = jitter(validate_scores(raw, n, p.ranker_label, cands.now), rng.random(n))
    oon = kind == OUT_OF_NETWORK
    if not oon.any():
        shown, slot, _ = topk_segments(cands.viewer_ptr, key, feed_size)
    else:
        seg = cands.segment
        in_idx = np.flatnonzero(~oon)
        oon_idx = np.flatnonzero(oon)
        ptr_in, ptr_oon = _ptr(seg[in_idx], n_view), _ptr(seg[oon_idx], n_view)
        n_in, n_oon = np.diff(ptr_in), np.diff(ptr_oon)
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
    return Feeds(
        viewer=viewer[shown],
        post=cands.post[shown],
        author=cands.author[shown],
        slot=slot,
        kind=kind[shown],
        author_edge=author_edge[shown],
        seq=seq[shown],
    )
