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
from ..rankers.topk import rank_in_blocks
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
    affinity: NDArray[np.float64]


def trending_pool(p: Platform, size: int) -> NDArray[np.int64]:
    """The ``size`` live posts with most engagement (newest first among equals)."""
    lo, hi = p.first_live, p.posts.n
    live = np.arange(lo, hi, dtype=np.int64)
    if len(live) <= size:
        return live
    if p.rich_get_richer:
        eng = p.posts["likes"][lo:hi] + p.posts["reshares"][lo:hi] + p.posts["replies"][lo:hi]
    else:
        eng = np.zeros(hi - lo, dtype=np.int64)
    order = np.lexsort((p.posts["created"][lo:hi], eng))
    return live[order[-size:]]


def build_candidates(p: Platform, viewers: NDArray[np.int64], now: float) -> tuple[Candidates, NDArray, NDArray]:
    """Candidates of every viewer: followees' live items plus the trending pool.

    Excludes the viewer's own posts and posts already shown to the viewer; a post
    reachable several ways is kept once (original over reshare over out-of-network).

    Returns
    -------
    candidates : Candidates
    kind : ndarray of int8
        :data:`ORIGINAL`, :data:`RESHARE` or :data:`OUT_OF_NETWORK` per candidate.
    author_edge : ndarray of int64
        Index of the viewer -> author follow edge, -1 if the viewer does not follow.
    """
    g = p.graph
    n_view = len(viewers)
    via_order, via_ptr = p.items.by_via(g.n)
    seg_e, edge = g.expand(viewers)
    followee = g.indices[edge].astype(np.int64)
    cnt = via_ptr[followee + 1] - via_ptr[followee]
    has = cnt > 0
    seg_e, edge, followee, cnt = seg_e[has], edge[has], followee[has], cnt[has]
    item = via_order[ranges(via_ptr[followee], cnt)]
    seg = np.repeat(seg_e, cnt)
    cand_edge = np.repeat(edge, cnt)
    post = p.items.post[item]
    via = p.items.via[item]
    item_time = p.items.time[item]
    kind = p.items.kind[item]

    share = p.cfg.out_of_network_share
    if share > 0 and p.posts.n > p.first_live and n_view:
        pool = trending_pool(p, p.cfg.trending_pool_size)
        seg = np.concatenate([seg, np.repeat(np.arange(n_view, dtype=np.int64), len(pool))])
        pool_post = np.tile(pool, n_view)
        post = np.concatenate([post, pool_post])
        via = np.concatenate([via, p.posts["author"][pool_post]])
        item_time = np.concatenate([item_time, p.posts["created"][pool_post]])
        kind = np.concatenate([kind, np.full(len(pool_post), OUT_OF_NETWORK, dtype=np.int8)])
        cand_edge = np.concatenate([cand_edge, np.full(len(pool_post), -1, dtype=np.int64)])

    viewer = viewers[seg]
    author = p.posts["author"][post]
    keep = (author != viewer) & ~p.seen.contains((post << 32) | viewer)
    if (kind != ORIGINAL).any():
        idx = np.flatnonzero(keep)
        key = (seg[idx] << 34) | (post[idx] << 2) | kind[idx].astype(np.int64)
        o = np.argsort(key, kind="stable")
        ks = key[o] >> 2
        first = np.ones(len(o), dtype=bool)
        first[1:] = ks[1:] != ks[:-1]
        sel = idx[o[first]]
    else:
        sel = np.flatnonzero(keep)
    seg, viewer, post, author, via = seg[sel], viewer[sel], post[sel], author[sel], via[sel]
    item_time, kind, cand_edge = item_time[sel], kind[sel], cand_edge[sel]

    author_edge = np.where(kind == ORIGINAL, cand_edge, -1)
    other = kind != ORIGINAL
    if other.any():
        author_edge[other] = g.lookup(viewer[other], author[other])
    affinity = np.where(author_edge >= 0, g.affinity[np.maximum(author_edge, 0)], 0.0) if g.n_edges else np.zeros(len(post))

    viewer_ptr = np.zeros(n_view + 1, dtype=np.int64)
    np.cumsum(np.bincount(seg, minlength=n_view), out=viewer_ptr[1:])
    P = p.posts
    created = P["created"][post]
    if p.rich_get_richer:
        likes, reshares, replies = P["likes"][post], P["reshares"][post], P["replies"][post]
    else:
        likes = reshares = replies = np.zeros(len(post), dtype=np.int64)
    cands = Candidates(
        now=now,
        viewer_ptr=viewer_ptr,
        viewers=viewers,
        viewer=viewer,
        segment=seg,
        post=post,
        author=author,
        via=via,
        age_hours=now - created,
        item_age_hours=now - item_time,
        appeal=P["appeal"][post],
        affinity=affinity,
        likes=likes,
        reshares=reshares if reshares is not likes else likes.copy(),
        replies=replies if replies is not likes else likes.copy(),
        impressions=P["impressions"][post],
        author_followers=g.in_degree[author],
        author_posts=p.user_posts[author],
        author_impressions=p.user_impressions[author],
        in_network=kind != OUT_OF_NETWORK,
        is_reshare=kind == RESHARE,
        sponsored=P["sponsored"][post],
        off_platform=P["off_platform"][post],
    )
    return cands, kind, author_edge


def rank_and_select(
    p: Platform,
    cands: Candidates,
    kind: NDArray[np.int8],
    author_edge: NDArray[np.int64],
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
    scores = validate_scores(p.ranker(cands, rng), n, p.ranker_label, cands.now)
    tiebreak = rng.random(n)
    seg = cands.segment
    oon = (kind == OUT_OF_NETWORK).astype(np.int64)
    n_oon = np.bincount(seg[oon == 1], minlength=n_view)
    n_in = np.bincount(seg, minlength=n_view) - n_oon
    target_oon = np.rint(p.cfg.out_of_network_share * feed_size).astype(np.int64)
    take_in = np.minimum(n_in, feed_size - np.minimum(n_oon, target_oon))
    take_oon = np.minimum(n_oon, feed_size - take_in)
    quota = np.stack([take_in, take_oon], axis=1).ravel()
    blocks = seg * 2 + oon
    rank, _ = rank_in_blocks(blocks, scores, tiebreak)
    shown = np.flatnonzero(rank < quota[blocks])
    slot, _ = rank_in_blocks(seg[shown], scores[shown], tiebreak[shown])
    return Feeds(
        viewer=cands.viewer[shown],
        post=cands.post[shown],
        author=cands.author[shown],
        slot=slot,
        kind=kind[shown],
        author_edge=author_edge[shown],
        affinity=cands.affinity[shown],
    )
