"""Engagement draws for shown items and the feedback loops they drive."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .feed import Feeds
from .kernels import LAUNCH_LOCK
from .kernels.engage import add_engagements, draw_actions

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
    actions = np.empty(n_shown, dtype=np.int8)
    with LAUNCH_LOCK:
        draw_actions(p.key, np.int64(p.tick), np.int64(P.offset), feeds.viewer, feeds.post,
                                 feeds.author_edge, feeds.slot, p.edges._aff, slot_weight, acc.pop.propensity,
                                 P["appeal"], float(cfg.like_rate), float(cfg.reshare_rate), float(cfg.reply_rate),
                                 actions)
    which = np.flatnonzero(actions)
    if len(which) == 0:
        return
    add_engagements(which, actions, feeds.viewer, feeds.post, feeds.author, P["sponsored"],
                    P["likes"], P["reshares"], P["replies"], P["engagements"], acc.user_engagements,
                    acc.day_engagements, acc.day_organic_engagements, acc.user_engaged, acc.day_engaged)
    act = actions[which]
    reshared = which[(act & 2) != 0]
    if len(reshared):
        p.live.reshare(feeds.post[reshared], feeds.author[reshared], feeds.viewer[reshared], now)
    n_eng = (act & 1) + ((act >> 1) & 1) + ((act >> 2) & 1)
    viewer = feeds.viewer[which]
    author = feeds.author[which]
    counts = n_eng.astype(np.int64)
    g = p.edges
    rng = p.streams["dynamics"]
    draws = rng.random((2, len(viewer)))
    new_u, new_v = [], []
    if cfg.loop_enabled("rich_get_richer"):
        g.bump_affinity(np.repeat(feeds.author_edge[which], counts), cfg.affinity_gain, cfg.affinity_max)
    if cfg.loop_enabled("reciprocity"):
        back = g.lookup(author, viewer)
        g.bump_affinity(np.repeat(back, counts), cfg.reciprocity_gain, cfg.affinity_max)
        follow_back = (back < 0) & (draws[0] < cfg.follow_back_prob)
        new_u.append(author[follow_back])
        new_v.append(viewer[follow_back])
    if cfg.loop_enabled("follow_discovery"):
        discover = (feeds.author_edge[which] < 0) & (draws[1] < cfg.discovery_follow_prob)
        new_u.append(viewer[discover])
        new_v.append(author[discover])
    if new_u:
        p.pending_follows.append((np.concatenate(new_u), np.concatenate(new_v)))
