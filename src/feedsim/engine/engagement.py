"""Engagement draws for shown items and the feedback loops they drive."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .feed import Feeds
from .kernels.engage import engage_counts

if TYPE_CHECKING:  # pragma: no cover
    from .state_types import PlatformState

__all__ = ["engage"]


def engage(p: PlatformState, feeds: Feeds, now: float) -> None:
    """Turn impressions into likes, reshares and replies, then run the feedback loops.

    The chance that an impression becomes each action is

    ``rate * propensity[viewer] * appeal[post] * (1 + affinity) * (1 + slot) ** -position_decay``

    (clipped to 1), with an extra ``(1 + affinity)`` for replies, which concentrate
    between people who know each other; ``slot`` is the position within the
    session's feed (it restarts at 0 for each session). The three actions are
    drawn independently, so one impression can become a like, a reshare and a
    reply at once, from keyed draws per (tick, viewer, post): the same impression
    under another ranker on the same seed is engaged with the same way.
    """
    cfg = p.cfg
    n_shown = len(feeds.post)
    if n_shown == 0:
        return
    P = p.posts
    acc = p.accounts
    # weight of each feed slot (0 = top): (1 + slot) ** -position_decay
    slot_weight = (1.0 + np.arange(int(feeds.slot.max()) + 1)) ** -cfg.position_decay
    aff1 = p.edges.edge_affinity(feeds.author_edge)
    aff1 += 1.0
    like = np.empty(n_shown, dtype=np.bool_)
    reshare = np.empty(n_shown, dtype=np.bool_)
    reply = np.empty(n_shown, dtype=np.bool_)
    n_engaged = engage_counts(
        p.key, np.int64(p.tick), np.int64(P.offset), feeds.viewer, feeds.post, feeds.author, feeds.slot,
        aff1, slot_weight, acc.pop.propensity, P["appeal"], P["sponsored"],
        float(cfg.like_rate), float(cfg.reshare_rate), float(cfg.reply_rate),
        P["likes"], P["reshares"], P["replies"], P["engagements"],
        acc.user_engagements, acc.day_engagements, acc.day_organic_engagements, acc.user_engaged, acc.day_engaged,
        like, reshare, reply)
    n_eng = like.astype(np.int64) + reshare + reply

    if reshare.any():
        p.live.reshare(feeds.post[reshare], feeds.author[reshare], feeds.viewer[reshare], now)

    if n_engaged == 0:
        return
    engaged = n_eng > 0
    viewer = feeds.viewer[engaged]
    author = feeds.author[engaged]
    counts = n_eng[engaged]
    g = p.edges
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
