"""The close of a simulated day: follows take effect, daily series, adaptation, churn, decay.

Units: days for rates and the day count, hours for times.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from .config import SimulationConfig
from .kernels.hashing import STREAMS, keyed_uniform_np
from .membership import churn, remember_shown, start_new_edges
from .memory import release_free_memory

if TYPE_CHECKING:  # pragma: no cover
    from .account_state import AccountState
    from .platform import Platform

__all__ = ["close_day", "unfollow", "adapt_creators", "adapt_sessions"]

def close_day(p: Platform) -> None:
    """Close day ``p.day`` at its midnight (run by its last tick, before the clock moves on).

    In order: the day's follows take effect (and replace weak ties, see
    :func:`unfollow`); the day's series are recorded;
    creators adapt (and may burn out or return); viewers adapt their session
    rates; accounts leave and join; affinity decays by one day; the
    viewer-author counts are merged; expired keys leave the seen set and (with
    ``keep_posts=False``) expired post rows are folded away.
    """
    cfg = p.cfg
    acc = p.accounts
    midnight = (p.day + 1) * 24.0  # the end of the tick that closes the day
    if p.pending_follows:
        # follows made during the day take effect at midnight (one batched insert);
        # follows to or from accounts that have left are dropped
        u = np.concatenate([f[0] for f in p.pending_follows])
        v = np.concatenate([f[1] for f in p.pending_follows])
        p.pending_follows = []
        ok = acc.present[u] & acc.present[v]
        p.days.new_follows += p.edges.add_edges(u[ok], v[ok], since=midnight)
        start_new_edges(p)
        unfollow(p, midnight)
    p.days.record(acc, p.edges)
    if cfg.loop_enabled("creator_adaptation"):
        adapt_creators(acc, cfg, p.day, p.streams["burnout"])
    if cfg.session_adaptation and cfg.dynamics:
        adapt_sessions(acc, cfg)
    churn(p, midnight)
    p.days.record_churn()
    if cfg.dynamics and math.isfinite(cfg.affinity_half_life_days):
        # with dynamics off nothing raises affinity, so it stays as it started (a static world)
        p.edges.decay_affinity(0.5 ** (1.0 / cfg.affinity_half_life_days))
    p.pairs.flush()
    # (viewer, post) keys of expired posts are dropped daily, not only when the table must grow
    p.seen.prune_stale()
    if not cfg.keep_posts and p.posts.first_live >= max(p.FOLD_MIN, p.posts.n // 2):
        m = p.posts.fold_expired(acc.pop.role)
        p.live.shift(m)
        p.seen.shift_low(m)
    acc.end_day()
    p.days.reset()
    release_free_memory()  # the day's freed temporaries go back to the system: memory follows the state


def unfollow(p: Platform, midnight: float) -> None:
    """The follows that just took effect (``p.edges.last_added``) replace weak ties: unfollows.

    Each new follow, with probability ``cfg.unfollow_share`` (a keyed draw per
    day, follower and followee), makes its follower unfollow its weakest older
    tie (least affinity above the baseline, i.e. least recent interaction;
    :meth:`~feedsim.engine.edges.FollowEdges.unfollow_weakest`). What the
    follower had been shown of the unfollowed account stays remembered (its
    posts may still reach the follower through reshares), and the impressions
    along the removed edges move to the viewer-author pair record.
    """
    share = p.cfg.unfollow_share
    u, v = p.edges.last_added
    if share <= 0.0 or len(u) == 0:
        return
    if share < 1.0:
        hit = keyed_uniform_np(p.key, STREAMS["unfollow_share"], p.day, u, v) < share
        u = u[hit]
    drop = np.bincount(u, minlength=p.edges.n)
    follower, followee, number = p.edges.unfollow_weakest(drop, midnight, p.key, p.day)
    p.pairs.keep_removed(*p.edges.dropped_impressions)
    if p.cfg.exclude_seen:
        remember_shown(p, follower, followee, number)


def _remember(recent, reference, idx, values, n, cfg: SimulationConfig) -> None:
    """Update the recent (and, unless ``reference`` is None, the reference) memories at ``idx``.

    Exponentially weighted means with half-lives ``cfg.adaptation_half_life_days`` and
    ``cfg.adaptation_reference_days`` (in updates, i.e. days with data); the weight is at
    least ``1 / n`` for the ``n``-th update, so both start as plain means of what was seen.
    """
    a = np.maximum(1.0 / n, 1.0 - 0.5 ** (1.0 / cfg.adaptation_half_life_days))
    recent[idx] += a * (values - recent[idx])
    if reference is not None:
        a = np.maximum(1.0 / n, 1.0 - 0.5 ** (1.0 / cfg.adaptation_reference_days))
        reference[idx] += a * (values - reference[idx])


def _response_ratio(recent, reference, smoothing: float) -> NDArray[np.float64]:
    """``(recent + s) / (reference + s)``, 1 where both are 0 and ``s`` is 0."""
    num, den = recent + smoothing, reference + smoothing
    return np.divide(num, den, out=np.ones(len(num)), where=den > 0)


def adapt_creators(acc: AccountState, cfg: SimulationConfig, day: int, rng: np.random.Generator) -> None:
    """Creator adaptation at midnight: response memories, posting rate, burnout, returns.

    Only organic posts and the engagements they drew count (sponsored campaign
    posts do not). ``rng`` is the burnout stream (rest lengths). See
    :class:`~feedsim.engine.config.SimulationConfig`.
    """
    posted = np.flatnonzero(acc.day_organic_posts > 0)
    resp = acc.day_organic_engagements[posted] / acc.day_organic_posts[posted]
    acc.post_days[posted] += 1
    learn = cfg.adaptation_target is None
    _remember(acc.recent, acc.reference if learn else None, posted, resp, acc.post_days[posted], cfg)
    reference = acc.reference if learn else np.full(acc.n, cfg.adaptation_target)
    ratio = _response_ratio(acc.recent, reference, cfg.adaptation_smoothing)
    acc.rate_multiplier = np.clip(ratio ** cfg.adaptation_elasticity, cfg.min_rate_multiplier,
                                  cfg.max_rate_multiplier)
    low = ratio[posted] < cfg.burnout_threshold
    acc.low_days[posted] = np.where(low, acc.low_days[posted] + 1, 0)
    quit_now = np.flatnonzero(acc.active & acc.creator & acc.present & (acc.low_days >= cfg.burnout_days))
    if len(quit_now):
        acc.active[quit_now] = False
        acc.quit_day[quit_now] = day
        acc.burnouts[quit_now] += 1
        rest = rng.exponential(1.0, len(quit_now)) * cfg.burnout_rest_days
        acc.return_day[quit_now] = day + 1 + rest
    back = np.flatnonzero(~acc.active & (acc.return_day <= day + 1))
    if len(back):  # the rest is over: post again, with a fresh memory of response
        acc.active[back] = True
        acc.return_day[back] = np.inf
        acc.low_days[back] = 0
        acc.recent[back] = reference[back]
        acc.rate_multiplier[back] = 1.0


def adapt_sessions(acc: AccountState, cfg: SimulationConfig) -> None:
    """Session adaptation at midnight: viewers return more often when feeds engage them.

    See ``SimulationConfig.session_adaptation``.
    """
    had = np.flatnonzero(acc.day_user_sessions > 0)
    found = acc.day_engaged[had] / acc.day_user_sessions[had]
    acc.session_days[had] += 1
    _remember(acc.found_recent, acc.found_reference, had, found, acc.session_days[had], cfg)
    ratio = _response_ratio(acc.found_recent, acc.found_reference, cfg.session_smoothing)
    acc.session_multiplier = np.clip(ratio ** cfg.session_elasticity, cfg.min_rate_multiplier,
                                     cfg.max_rate_multiplier)
