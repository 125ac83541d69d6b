"""The tick as a pipeline of phases, each a function with explicit inputs and outputs.

Tick ``p.tick`` (the platform's one clock, :mod:`.clock`) runs from
``hours_at(tick)`` to ``tick_end(tick)``, hours:

1. :func:`post` - accounts post (keyed draws); the posts enter the table; the
   live window moves on and the live items drop what expired and take the new
   posts and the last tick's reshares.
2. :func:`draw_sessions` - who opens how many sessions at the end of the tick.
3. :func:`build_feeds` - every viewer's feeds (reads state only; see :mod:`.feed`).
4. :func:`count_impressions` - the post, account and viewer-author counters.
5. :func:`mark_shown` - what was shown, so it is not shown again.
6. :func:`~feedsim.engine.engagement.engage` - engagement draws and feedback loops.

The last tick of a day then closes it (:func:`feedsim.engine.day.close_day`),
and the clock advances by one (:func:`step`). The keyed draws' tick coordinate
is ``p.tick``. Units: hours for times and ages, days for rates.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numba
import numpy as np
from numpy.typing import NDArray

from .clock import hours_at, tick_end, ticks_per_day
from .engagement import engage
from .feed import Feeds, build_rows, fused_feeds, fused_form, score_rows, select_feeds
from .kernels import LAUNCH_LOCK
from .kernels import impressions as ki
from .kernels import posting as kp
from .kernels.draws import keyed_poisson_rates
from .kernels.hashing import STREAMS

if TYPE_CHECKING:  # pragma: no cover
    from .platform import Platform

__all__ = ["Sessions", "step", "run_tick", "post", "draw_posts", "draw_sessions", "build_feeds",
           "count_impressions", "mark_shown"]


@dataclass
class Sessions:
    """Who has sessions at the end of a tick: ``viewers`` with ``sessions`` each of ``attention`` items."""

    viewers: NDArray[np.int64]
    sessions: NDArray[np.int64]
    attention: NDArray[np.int64]

    @property
    def feed_size(self) -> NDArray[np.int64]:
        """Slots per viewer over its sessions (attention x sessions)."""
        return self.attention * self.sessions


def step(p: Platform, close_day) -> None:
    """Run tick ``p.tick`` (sessions happen at its end), then advance the clock by one.

    The last tick of a day calls ``close_day(p)`` (daily series, creator
    adaptation, the day's follows) while ``p.tick`` is still that tick, so
    ``p.day`` is the day that closes; anything scheduled for midnight acts after.
    """
    run_tick(p)
    if (p.tick + 1) % ticks_per_day(p.cfg.tick_hours) == 0:
        s = time.perf_counter()
        close_day(p)
        p.phase_seconds["daily"] += time.perf_counter() - s
    p.tick += 1


def run_tick(p: Platform) -> None:
    """Tick ``p.tick`` of the pipeline (see the module docstring); the clock does not move."""
    cfg = p.cfg
    t0 = hours_at(p.tick, cfg.tick_hours)
    t1 = tick_end(p.tick, cfg.tick_hours)
    clock = time.perf_counter
    ph = p.phase_seconds

    s = clock()
    post(p, t0)
    first_live = p.posts.advance_live(t1, cfg.max_age_hours)
    p.live.update(first_live, p.accounts.first_number)
    ph["posting"] += clock() - s

    s = clock()
    ses = draw_sessions(p)
    ph["sessions"] += clock() - s
    if len(ses.viewers) == 0:
        return

    feeds, n_cand = build_feeds(p, ses, t1)
    p.stats["candidates"] += int(n_cand.sum())
    if cfg.record_impressions:
        sl = p.session_log
        sl["viewer"].append(ses.viewers)
        sl["time"].append(np.full(len(ses.viewers), t1))
        sl["sessions"].append(ses.sessions)
        sl["feed_size"].append(ses.feed_size)
        sl["candidates"].append(n_cand)
    if feeds is None or len(feeds.post) == 0:
        return

    s = clock()
    blocks = ki.viewer_blocks(feeds.viewer, 4 * numba.get_num_threads())
    count_impressions(p, feeds, blocks, t1)
    if cfg.exclude_seen:
        mark_shown(p, feeds, blocks)
    ph["impressions"] += clock() - s
    s = clock()
    engage(p, feeds, t1)
    ph["engagement"] += clock() - s


# ------------------------------------------------------------------ posting
def draw_posts(p: Platform, streams: tuple[int, int], rate: NDArray[np.float64],
               multiplier: NDArray[np.float64], mask: NDArray[np.bool_]):
    """Authors, in-tick offsets, appeal and link flags of the posts of tick ``p.tick``.

    Account ``i`` posts at ``rate[i] * multiplier[i]`` posts/day where ``mask[i]``.
    Keyed draws (``streams``: the count stream and the post-attribute stream), so
    each account's posts depend on its own rate only. Returns the posts grouped
    by author, each account's count and the groups' CSR pointers.
    """
    pop = p.accounts.pop
    tick = p.tick
    counts = keyed_poisson_rates(p.key, streams[0], tick, rate, multiplier, p.cfg.tick_hours / 24.0, mask)
    ptr = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=ptr[1:])
    m = int(ptr[-1])
    authors = np.empty(m, dtype=np.int64)
    u = np.empty((4, m))
    with LAUNCH_LOCK:
        kp.post_uniforms(p.key, np.int64(streams[1]), np.int64(tick), counts, ptr, authors, u)
    sigma = p.cfg.appeal_sigma
    normal = np.sqrt(-2.0 * np.log(1.0 - u[1])) * np.cos(2.0 * np.pi * u[2])  # Box-Muller
    appeal = pop.quality[authors] * np.exp(sigma * normal - 0.5 * sigma * sigma)
    off_platform = u[3] < pop.link_share[authors]
    return authors, u[0], appeal, off_platform, counts, ptr


def post(p: Platform, t0: float) -> None:
    """The organic and campaign posts of tick ``p.tick``: into the post table and the live originals' queue.

    ``t0`` is the tick's start, hours (``hours_at(p.tick)``). A post is numbered
    within its author's posts (0, 1, ...) and tracked in the follow edges' masks
    when it is within ``p.SEEN_BITS`` of the author's oldest live post.
    """
    acc = p.accounts
    dt = p.cfg.tick_hours
    authors, offsets, appeal, off_platform, counts, group = draw_posts(
        p, (STREAMS["posting"], STREAMS["post_attrs"]), acc.pop.post_rate, acc.rate_multiplier,
        acc.active & acc.present)
    acc.day_organic_posts += counts
    sponsored = np.zeros(len(authors), dtype=bool)
    grouped = True  # the draws are grouped by author
    if acc.sponsored_rate.any():
        # campaign posts come from their own stream: organic posting is unchanged
        extra = draw_posts(p, (STREAMS["campaigns"], STREAMS["campaign_attrs"]), acc.sponsored_rate,
                           np.ones(acc.n), acc.present)
        authors, offsets, appeal, off_platform = (np.concatenate([a, b]) for a, b in
                                                  zip((authors, offsets, appeal, off_platform), extra))
        sponsored = np.concatenate([sponsored, np.ones(len(extra[0]), dtype=bool)])
        grouped = False
    m = len(authors)
    if m == 0:
        return
    order = kp.uniform_order(offsets)  # creation order (np.argsort(offsets, kind="stable"))
    authors, sponsored, appeal, off_platform = authors[order], sponsored[order], appeal[order], off_platform[order]
    created = t0 + offsets[order] * dt
    first_row = p.posts.n
    p.posts.append(author=authors, created=created, appeal=appeal, sponsored=sponsored,
                   off_platform=off_platform, followers_at_creation=p.edges.in_degree[authors])
    number = np.empty(m, dtype=np.int64)
    kp.number_posts(authors, acc.user_posts, acc.day_posts, acc.first_number, p.SEEN_BITS, number)
    # the live originals take them grouped by author, oldest first within an author
    if grouped:
        rank = np.empty(m, dtype=np.int64)
        rank[order] = np.arange(m, dtype=np.int64)
        by_author = np.empty(m, dtype=np.int64)
        kp.group_by_author(group, rank, by_author)
    else:
        by_author = np.argsort(authors, kind="stable")
    p.live.publish(first_row + by_author, authors[by_author], created[by_author], number[by_author], grouped=True)


# ----------------------------------------------------------------- sessions
def draw_sessions(p: Platform) -> Sessions:
    """Sessions at the end of tick ``p.tick``: a keyed Poisson count per account.

    Each account's count is a keyed draw of its own (departed accounts have
    none), so the draws of the accounts still here do not depend on who left.
    """
    acc = p.accounts
    counts = keyed_poisson_rates(p.key, STREAMS["sessions"], p.tick, acc.pop.session_rate,
                                 acc.session_multiplier, p.cfg.tick_hours / 24.0, acc.present)
    viewers = np.flatnonzero(counts).astype(np.int64)
    acc.user_sessions[viewers] += counts[viewers]
    acc.day_user_sessions[viewers] += counts[viewers]
    n_sessions = int(counts.sum())
    p.days.sessions += n_sessions
    p.stats["sessions"] += n_sessions
    return Sessions(viewers, counts[viewers], acc.pop.attention[viewers].astype(np.int64))


# -------------------------------------------------------------------- feeds
def build_feeds(p: Platform, ses: Sessions, now: float) -> tuple[Feeds | None, NDArray[np.int64]]:
    """Every viewer's feeds at ``now`` and its number of candidates (reads state only).

    A built-in ranker runs fused (candidates, scores and top-k in one compiled
    pass); any other ranker gets the candidate arrays. The feed audit records
    the audited viewers' candidates here, before anything is marked shown.
    """
    clock = time.perf_counter
    s = clock()
    form = fused_form(p)
    rows = scores = None
    if form is not None:
        feeds, n_cand = fused_feeds(p, ses.viewers, ses.attention, ses.sessions, now, form)
        p.phase_seconds["feeds"] += clock() - s
    else:
        rows = build_rows(p, ses.viewers)
        n_cand = np.diff(rows.ptr)
        p.phase_seconds["candidates"] += clock() - s
        feeds = None
        scores = np.zeros(0)
        if len(rows):  # a ranker is never called without candidates
            s = clock()
            scores = score_rows(p, rows, now)
            feeds = select_feeds(p, rows, scores, ses.attention, ses.sessions)
            p.phase_seconds["ranking"] += clock() - s
    if p.audit is not None:
        tick_rows = None if rows is None or scores is None else (rows, scores)
        p.audit.record(p, ses.viewers, ses.attention, ses.sessions, now, tick_rows)
    return feeds, n_cand


# -------------------------------------------------------------- impressions
def count_impressions(p: Platform, feeds: Feeds, blocks: NDArray[np.int64], now: float) -> None:
    """Add the tick's impressions to the post, account and viewer-author counters (and the log).

    Follower reach counts the viewers who followed the author when the post was
    created (the accounts behind ``followers_at_creation``). Impressions along a
    follow edge count on the edge; the others go to ``p.pairs``. ``blocks`` cut
    the feeds where the viewer changes (:func:`.kernels.impressions.viewer_blocks`).
    """
    P = p.posts
    edges = p.edges
    edges.widen_impressions(p.stats["impressions"] + len(feeds.post))
    off_keys = np.empty(len(feeds.post), dtype=np.int64)
    n_off = ki.count_impressions(feeds.viewer, feeds.post, feeds.author, feeds.author_edge, feeds.kind, P["created"],
                                 edges.since, P["impressions"], P["follower_impressions"],
                                 p.accounts.user_impressions, p.accounts.day_impressions, off_keys)
    with LAUNCH_LOCK:
        ki.count_edges(blocks, feeds.author_edge, edges.impressions)
    p.pairs.add_off_edge_keys(off_keys[:n_off])
    p.stats["impressions"] += len(feeds.post)
    if p.cfg.record_impressions:
        log = p.log
        log["viewer"].append(feeds.viewer.copy())
        log["post"].append(feeds.post.copy())
        log["time"].append(np.full(len(feeds.post), now))
        log["slot"].append(feeds.slot.copy())
        log["session"].append(feeds.session.copy())
        log["in_network"].append(feeds.kind != 2)


def mark_shown(p: Platform, feeds: Feeds, blocks: NDArray[np.int64]) -> None:
    """Remember what was shown, so that no viewer is shown a post twice.

    A followee's own post with a tracked number goes into its follow edge's mask
    (:meth:`~feedsim.engine.edges.FollowEdges.mark_shown`); anything else into
    the seen hash set of ``(viewer << 32) | row`` keys.
    """
    p.edges.mark_shown(blocks, feeds.author_edge, feeds.number, feeds.author, p.accounts.first_number)
    rest = np.flatnonzero(feeds.number < 0)
    if len(rest):
        p.seen.add_new((feeds.viewer[rest] << 32) | feeds.post[rest])  # candidates were unseen
