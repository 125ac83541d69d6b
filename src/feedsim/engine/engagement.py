"""Engagement draws for shown items and the feedback loops they drive."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .feed import RESHARE, Feeds

if TYPE_CHECKING:  # pragma: no cover
    from .platform import Platform

__all__ = ["engage"]


def engage(p: Platform, feeds: Feeds, now: float) -> None:
    """Turn impressions into likes, reshares and replies, then run the feedback loops.

    The chance that an impression becomes each action is

    ``rate * propensity[viewer] * appeal[post] * (1 + affinity) * (1 + slot) ** -position_decay``

    (clipped to 1), with an extra ``(1 + affinity)`` for replies, which concentrate
    between people who know each other; ``slot`` is the position within the
    session's feed (it restarts at 0 for each session). The three actions are
    drawn independently, so one impression can become a like, a reshare and a
    reply at once.
    """
    cfg = p.cfg
    n_shown = len(feeds.post)
    if n_shown == 0:
        return
    P = p.posts
    attention = ((1.0 + np.arange(int(feeds.slot.max()) + 1)) ** -cfg.position_decay)[feeds.slot]
    edge = feeds.author_edge
    aff = p.graph.edge_affinity(edge)
    aff += 1.0
    base = p.pop.propensity[feeds.viewer] * P["appeal"][feeds.post] * aff * attention
    u = p.streams["engagement"].random((3, n_shown))
    like = u[0] < np.minimum(1.0, cfg.like_rate * base)
    reshare = u[1] < np.minimum(1.0, cfg.reshare_rate * base)
    reply = u[2] < np.minimum(1.0, cfg.reply_rate * base * aff)
    n_eng = like.astype(np.int64) + reshare + reply

    lo = p.first_live
    span = P.n - lo
    local = feeds.post - lo
    P["likes"][lo:] += np.bincount(local, weights=like, minlength=span).astype(np.int64)
    P["reshares"][lo:] += np.bincount(local, weights=reshare, minlength=span).astype(np.int64)
    P["replies"][lo:] += np.bincount(local, weights=reply, minlength=span).astype(np.int64)
    P["engagements"][lo:] += np.bincount(local, weights=n_eng, minlength=span).astype(np.int64)
    received = np.bincount(feeds.author, weights=n_eng, minlength=p.graph.n).astype(np.int64)
    p.user_engagements += received
    p.day_engagements += received
    organic = ~P["sponsored"][feeds.post]  # campaign posts do not count as a creator's response
    p.day_organic_engagements += np.bincount(feeds.author[organic], weights=n_eng[organic],
                                             minlength=p.graph.n).astype(np.int64)
    given = np.bincount(feeds.viewer, weights=n_eng, minlength=p.graph.n).astype(np.int64)
    p.user_engaged += given
    p.day_engaged += given

    if reshare.any():
        rs_post = feeds.post[reshare]
        p.reshares.append(rs_post, feeds.author[reshare], feeds.viewer[reshare], np.full(len(rs_post), now), RESHARE)

    engaged = n_eng > 0
    if not engaged.any():
        return
    viewer = feeds.viewer[engaged]
    author = feeds.author[engaged]
    counts = n_eng[engaged]
    g = p.graph
    rng = p.streams["dynamics"]
    draws = rng.random((2, len(viewer)))
    new_u, new_v = [], []
    if cfg.loop_enabled("rich_get_richer"):
        g.bump_affinity(np.repeat(feeds.author_edge[engaged], counts), cfg.affinity_gain, cfg.affinity_max)
    if cfg.loop_enabled("reciprocity"):
        back = g.lookup(author, viewer)
        g.bump_affinity(np.repeat(back, counts), cfg.reciprocity_gain, cfg.affinity_max)
        follow_back = (back < 0) & (draws[0] < cfg.follow_back_prob)
        new_u.append(author[follow_back])
        new_v.append(viewer[follow_back])
    if cfg.loop_enabled("follow_discovery"):
        discover = (feeds.author_edge[engaged] < 0) & (draws[1] < cfg.discovery_follow_prob)
        new_u.append(viewer[discover])
        new_v.append(author[discover])
    if new_u:
        p.pending_follows.append((np.concatenate(new_u), np.concatenate(new_v)))
