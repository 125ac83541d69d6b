"""Platform state and the vectorised tick.

One :class:`Platform` holds the whole state of a run as arrays: the evolving
follow graph, the post table, the live items (posts and reshares that can still
be shown), what each viewer has already been shown, per-account counters and the
daily series. :meth:`Platform.step` advances one tick with array work only.
Units: hours for times and ages, days for rates.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from ..metrics import gini
from ..network.graph import ROLES, FollowGraph
from ..population.state import Population
from .arrays import BufferedCounter, GrowableTable, HashSet, ranges, set_bits
from .config import SimulationConfig
from .engagement import engage
from .feed import ORIGINAL, build_rows, fused_feeds, fused_form, score_rows, select_feeds
from .kernels.draws import keyed_poisson, post_normals, post_uniforms
from .kernels.hashing import STREAMS

if TYPE_CHECKING:  # pragma: no cover
    from .audit import FeedAudit

__all__ = ["LiveItems", "Platform", "POST_COLUMNS", "PHASES", "DAILY_SERIES"]

#: Columns of the post table (one row per post, ids in creation order).
POST_COLUMNS = {
    "author": np.int64,
    "created": np.float64,
    "appeal": np.float64,
    "sponsored": np.bool_,
    "off_platform": np.bool_,
    "followers_at_creation": np.int64,
    "impressions": np.int64,
    "follower_impressions": np.int64,
    "likes": np.int64,
    "reshares": np.int64,
    "replies": np.int64,
    "engagements": np.int64,
}

#: Per-role totals kept for post rows folded away (``keep_posts=False``).
FOLDED_COLUMNS = ("posts", "impressions", "engagements", "seen_posts", "follower_reach_sum", "follower_reach_n")

#: Phases timed by the profiler, in tick order.
#: Phases of the tick timed in ``stats["phase_seconds"]``; with a built-in ranker,
#: "feeds" is candidates, ranking and top-k in one compiled pass.
PHASES = ("posting", "sessions", "candidates", "ranking", "feeds", "impressions", "engagement", "daily")

#: Per-account integer counters (all start at 0; new accounts get 0).
_USER_COUNTERS = (
    "user_posts",
    "user_impressions",
    "user_engagements",
    "user_engaged",
    "user_sessions",
    "day_posts",
    "day_engagements",
    "day_impressions",
    "day_organic_posts",
    "day_organic_engagements",
    "post_days",
    "low_days",
    "burnouts",
    "day_user_sessions",
    "day_engaged",
    "session_days",
)

#: Names of the per-day series in ``Platform.daily``.
DAILY_SERIES = (
    "posts",
    "impressions",
    "engagements",
    "sessions",
    "new_follows",
    "creators_posting",
    "creators_active",
    "accounts",
    "mean_followers",
    "joins",
    "leaves",
    "posts_by_role",
    "impressions_by_role",
    "engagements_by_role",
    "gini_impressions",
)


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


class LiveItems:
    """Items that can still be shown: originals or reshares of live posts.

    Parallel arrays (post, author, via, time, kind, number, seq) kept sorted by
    ``via`` (the account whose followers can see the item), oldest first within an
    account, so the items of any account are one contiguous slice. New items are
    merged into place (``np.insert``, linear in the live items) instead of
    re-sorting. ``number`` is the author's running count of the post (originals;
    -1 for reshares) and ``seq`` the same number when the post is tracked in the
    follow edges' bit masks, else -1 (see :meth:`Platform.mark_seen`).
    """

    def __init__(self) -> None:
        self.post = np.zeros(0, dtype=np.int64)
        self.author = np.zeros(0, dtype=np.int64)
        self.via = np.zeros(0, dtype=np.int64)
        self.time = np.zeros(0, dtype=np.float64)
        self.kind = np.zeros(0, dtype=np.int8)
        self.number = np.zeros(0, dtype=np.int64)
        self.seq = np.zeros(0, dtype=np.int64)
        self._ptr: NDArray[np.int64] | None = None

    _COLS = ("post", "author", "via", "time", "kind", "number", "seq")

    def __len__(self) -> int:
        return len(self.post)

    def append(self, post, author, via, when, kind: int, number=None, seq=None) -> None:
        """Add items of one kind, each after the existing items of its ``via``."""
        if len(post) == 0:
            return
        order = np.argsort(via, kind="stable")
        none = np.full(len(post), -1, dtype=np.int64)
        new = {
            "post": np.asarray(post)[order],
            "author": np.asarray(author)[order],
            "via": np.asarray(via)[order],
            "time": np.asarray(when)[order],
            "kind": np.full(len(post), kind, dtype=np.int8),
            "number": (none if number is None else np.asarray(number))[order],
            "seq": (none if seq is None else np.asarray(seq))[order],
        }
        at = np.searchsorted(self.via, new["via"], side="right")
        for name in self._COLS:
            setattr(self, name, np.insert(getattr(self, name), at, new[name]))
        self._ptr = None

    def expire(self, first_live_post: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Drop items whose post is older than the live window (order is kept).

        Returns the author and number of every original dropped.
        """
        keep = self.post >= first_live_post
        gone = np.flatnonzero(~keep)
        gone = gone[self.kind[gone] == ORIGINAL]
        dropped = self.author[gone], self.number[gone]
        if not keep.all():
            for name in self._COLS:
                setattr(self, name, getattr(self, name)[keep])
            self._ptr = None
        return dropped

    def index_by_via(self, n_users: int) -> NDArray[np.int64]:
        """CSR pointers into the items by ``via`` (recomputed after a change)."""
        if self._ptr is None or len(self._ptr) != n_users + 1:
            ptr = np.zeros(n_users + 1, dtype=np.int64)
            np.cumsum(np.bincount(self.via, minlength=n_users), out=ptr[1:])
            self._ptr = ptr
        return self._ptr


class Platform:
    """The state of one run and its tick.

    Parameters
    ----------
    graph : FollowGraph
        Starting follow graph.
    population : Population
        Per-account attributes.
    config : SimulationConfig
        Model parameters.
    streams : dict of str to Generator
        Named random streams (see :data:`feedsim.random.STREAMS`).
    ranker : callable
        The active ranker.
    ranker_label : str
        Its name, for messages and results.
    """

    #: Width of a follow edge's mask of shown posts (at most 64). A post is tracked
    #: there when it is within SEEN_BITS of its author's oldest live post.
    SEEN_BITS = 64
    #: With ``keep_posts=False``, expired post rows are folded away at the end of a
    #: day once at least this many (and at least half the table) have expired.
    FOLD_MIN = 1 << 16

    # the per-account counters of _USER_COUNTERS, made in __init__ and extended by grow
    user_posts: NDArray[np.int64]
    user_impressions: NDArray[np.int64]
    user_engagements: NDArray[np.int64]
    user_engaged: NDArray[np.int64]
    user_sessions: NDArray[np.int64]
    day_posts: NDArray[np.int64]
    day_engagements: NDArray[np.int64]
    day_impressions: NDArray[np.int64]
    day_organic_posts: NDArray[np.int64]
    day_organic_engagements: NDArray[np.int64]
    post_days: NDArray[np.int64]
    low_days: NDArray[np.int64]
    burnouts: NDArray[np.int64]
    day_user_sessions: NDArray[np.int64]
    day_engaged: NDArray[np.int64]
    session_days: NDArray[np.int64]

    def __init__(
        self,
        graph: FollowGraph,
        population: Population,
        config: SimulationConfig,
        streams: dict[str, np.random.Generator],
        ranker: Callable,
        ranker_label: str,
    ) -> None:
        from .graphstate import DynamicGraph

        if not 0 <= self.SEEN_BITS <= 64:
            raise ValueError(f"Platform.SEEN_BITS must be in [0, 64] (the edge masks are 64-bit); got {self.SEEN_BITS}")
        self.cfg = config
        self.pop = population
        self.streams = streams
        self.ranker = ranker
        self.ranker_label = ranker_label
        self.graph = DynamicGraph(graph, config.mutual_affinity)
        n = population.n_users
        self.posts = GrowableTable(POST_COLUMNS, capacity=max(1024, n))
        #: global id of the first row of ``posts`` (rows of expired posts are folded
        #: away when ``keep_posts=False``); engine arrays hold ids relative to it
        self.post_offset = 0
        #: per-role totals of the folded rows (see :meth:`fold_expired_posts`)
        self.folded = {k: np.zeros(len(ROLES)) for k in FOLDED_COLUMNS}
        # live originals by author (numbered, contiguous) and live reshares by resharer
        self.originals = LiveItems()
        self.reshares = LiveItems()
        self.first_live = 0
        # number of each account's oldest live post (its posts are numbered 0, 1, ...)
        self.first_seq = np.zeros(n, dtype=np.int64)
        # (viewer << 32) | post for live posts already shown to the viewer that the
        # edge bit masks do not track (reshares, out-of-network, prolific authors);
        # keys of expired posts are dropped whenever the table has to grow
        self.seen = HashSet(capacity=4 * n, prune=lambda keys: (keys & 0xFFFFFFFF) >= self.first_live)
        # (viewer << 32) | author impression counts: author reach and exposure diversity
        self.pairs = BufferedCounter()
        for name in _USER_COUNTERS:
            setattr(self, name, np.zeros(n, dtype=np.int64))
        self.rate_multiplier = np.ones(n)
        # creator adaptation: recent and reference response (engagements per organic post)
        self.recent = np.zeros(n)
        self.reference = np.zeros(n)
        # session adaptation: engagement found per session, recent and reference
        self.session_multiplier = np.ones(n)
        self.found_recent = np.zeros(n)
        self.found_reference = np.zeros(n)
        self.active = np.ones(n, dtype=bool)  # not in a burnout
        self.present = np.ones(n, dtype=bool)  # has not left the platform
        self.creator = population.post_rate > 0
        self.quit_day = np.full(n, -1, dtype=np.int64)
        self.return_day = np.full(n, np.inf)
        self.joined_day = np.zeros(n, dtype=np.int64)
        self.left_day = np.full(n, -1, dtype=np.int64)
        self.sponsored_rate = np.zeros(n)
        self.followers_start = self.graph.in_degree.copy()
        self.day = 0
        #: end of the last tick, hours (the time the state describes)
        self.time = 0.0
        self.day_sessions = 0
        self.day_new_follows = 0
        self.day_joins = 0
        self.day_leaves = 0
        self.pending_follows: list[tuple[np.ndarray, np.ndarray]] = []
        self.daily: dict[str, list] = {k: [] for k in DAILY_SERIES}
        self.log: dict[str, list] = {k: [] for k in ("viewer", "post", "time", "slot", "session", "in_network")}
        self.session_log: dict[str, list] = {k: [] for k in ("viewer", "time", "sessions", "feed_size", "candidates")}
        self.stats = {"ticks": 0, "sessions": 0, "candidates": 0, "impressions": 0}
        #: key of the counter-based draws (tie-breaks; see ``kernels.hashing``)
        self.key = np.uint64(streams["keyed"].integers(0, np.iinfo(np.uint64).max, dtype=np.uint64, endpoint=True))
        #: index of the current tick (0, 1, ...), a coordinate of the keyed draws
        self.tick = 0
        #: run built-in rankers in their compiled form (False: their array form)
        self.fused = True
        self.phase_seconds = dict.fromkeys(PHASES, 0.0)
        #: the feed audit (``Simulation(audit=...)``), or None
        self.audit: FeedAudit | None = None

    # ------------------------------------------------------------------ flags
    @property
    def rich_get_richer(self) -> bool:
        """Whether engagement counts reach rankers (the rich-get-richer loop)."""
        return self.cfg.loop_enabled("rich_get_richer")

    @property
    def n_users(self) -> int:
        """Current number of accounts."""
        return self.graph.n

    def typical_impressions_per_post(self) -> float:
        """Impressions per post over every post so far (0 before the first post)."""
        return self.stats["impressions"] / max(self.posts.n + self.post_offset, 1)

    # ------------------------------------------------------------------- tick
    def step(self, t0: float) -> None:
        """Advance one tick starting at ``t0`` hours; sessions happen at its end.

        The last tick of a day closes that day (daily series, creator adaptation,
        the day's follows), before anything scheduled for midnight acts.
        """
        self._tick(t0)
        dt = self.cfg.tick_hours
        ticks_per_day = round(24.0 / dt)
        if (round(t0 / dt) + 1) % ticks_per_day == 0:
            s = time.perf_counter()
            self.close_day()
            self.phase_seconds["daily"] += time.perf_counter() - s

    def _tick(self, t0: float) -> None:
        cfg = self.cfg
        dt = cfg.tick_hours
        t1 = t0 + dt
        self.time = t1
        clock = time.perf_counter
        ph = self.phase_seconds

        s = clock()
        self._post(t0, dt)
        created = self.posts["created"]
        # the live window never moves back (a larger max_age_hours set mid-run
        # does not bring expired posts back)
        self.first_live = max(
            self.first_live, int(np.searchsorted(created, t1 - cfg.max_age_hours, side="left"))
        )
        self.reshares.expire(self.first_live)
        gone_author, gone_number = self.originals.expire(self.first_live)
        if len(gone_author):
            np.maximum.at(self.first_seq, gone_author, gone_number + 1)
        ph["posting"] += clock() - s

        s = clock()
        # drawn for every account, departed ones then zeroed, so that the draws of the
        # accounts still here do not depend on who left
        counts = keyed_poisson(self.key, STREAMS["sessions"], self._tick_number(t0),
                               self.pop.session_rate * self.session_multiplier * (dt / 24.0))
        counts[~self.present] = 0
        viewers = np.flatnonzero(counts).astype(np.int64)
        self.user_sessions[viewers] += counts[viewers]
        self.day_user_sessions[viewers] += counts[viewers]
        n_sessions = int(counts.sum())
        self.day_sessions += n_sessions
        self.stats["sessions"] += n_sessions
        self.tick = self.stats["ticks"]
        self.stats["ticks"] += 1
        ph["sessions"] += clock() - s
        if len(viewers) == 0:
            return

        attention = self.pop.attention[viewers].astype(np.int64)
        sessions = counts[viewers]
        form = fused_form(self)
        s = clock()
        if form is not None:  # a built-in ranker: candidates, scores and top-k in one pass
            feeds, n_cand = fused_feeds(self, viewers, attention, sessions, t1, form)
            ph["feeds"] += clock() - s
        else:
            rows = build_rows(self, viewers)
            n_cand = np.diff(rows.ptr)
            ph["candidates"] += clock() - s
            feeds = None
            if len(rows):  # a ranker is never called without candidates
                s = clock()
                scores = score_rows(self, rows, t1)
                feeds = select_feeds(self, rows, scores, attention, sessions)
                ph["ranking"] += clock() - s
        self.stats["candidates"] += int(n_cand.sum())
        if self.audit is not None:  # audited viewers' candidates, before anything is marked shown
            tick_rows = None if form is not None else (rows, scores) if len(rows) else (rows, np.zeros(0))
            self.audit.record(self, viewers, attention, sessions, t1, tick_rows)
        if cfg.record_impressions:
            sl = self.session_log
            sl["viewer"].append(viewers)
            sl["time"].append(np.full(len(viewers), t1))
            sl["sessions"].append(sessions)
            sl["feed_size"].append(attention * sessions)
            sl["candidates"].append(n_cand)
        if feeds is None or len(feeds.post) == 0:
            return

        s = clock()
        self._record_impressions(feeds, t1)
        ph["impressions"] += clock() - s
        s = clock()
        engage(self, feeds, t1)
        ph["engagement"] += clock() - s

    def _tick_number(self, t0: float) -> int:
        """The number of the tick starting at ``t0`` hours (the keyed draws' tick coordinate)."""
        return int(round(t0 / self.cfg.tick_hours))

    def _draw_posts(self, streams: tuple[int, int], rate: NDArray[np.float64], t0: float, dt: float):
        """Authors, in-tick offsets, appeal and link flags of one tick's posts at ``rate``/day.

        Keyed draws (``streams``: the count stream and the post-attribute stream), so
        each account's posts depend on its own rate only.
        """
        pop = self.pop
        tick = self._tick_number(t0)
        counts = keyed_poisson(self.key, streams[0], tick, rate * (dt / 24.0))
        authors = np.repeat(np.arange(self.n_users, dtype=np.int64), counts)
        m = len(authors)
        index = np.arange(m, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
        offsets = post_uniforms(self.key, streams[1], tick, authors, index, 0)
        sigma = self.cfg.appeal_sigma
        normal = post_normals(self.key, streams[1], tick, authors, index)
        appeal = pop.quality[authors] * np.exp(sigma * normal - 0.5 * sigma * sigma)
        off_platform = post_uniforms(self.key, streams[1], tick, authors, index, 3) < pop.link_share[authors]
        return authors, offsets, appeal, off_platform

    def _post(self, t0: float, dt: float) -> None:
        rate = self.pop.post_rate * self.rate_multiplier * (self.active & self.present)
        authors, offsets, appeal, off_platform = self._draw_posts(
            (STREAMS["posting"], STREAMS["post_attrs"]), rate, t0, dt)
        self.day_organic_posts += np.bincount(authors, minlength=self.n_users)
        sponsored = np.zeros(len(authors), dtype=bool)
        if self.sponsored_rate.any():
            # campaign posts come from their own stream: organic posting is unchanged
            extra = self._draw_posts((STREAMS["campaigns"], STREAMS["campaign_attrs"]),
                                     self.sponsored_rate * self.present, t0, dt)
            authors, offsets, appeal, off_platform = (np.concatenate([a, b]) for a, b in
                                                      zip((authors, offsets, appeal, off_platform), extra))
            sponsored = np.concatenate([sponsored, np.ones(len(extra[0]), dtype=bool)])
        m = len(authors)
        if m == 0:
            return
        order = np.argsort(offsets, kind="stable")
        authors, sponsored, appeal, off_platform = authors[order], sponsored[order], appeal[order], off_platform[order]
        created = t0 + offsets[order] * dt
        first_id = self.posts.n
        self.posts.append(
            author=authors,
            created=created,
            appeal=appeal,
            sponsored=sponsored,
            off_platform=off_platform,
            followers_at_creation=self.graph.in_degree[authors],
        )
        ids = np.arange(first_id, first_id + m, dtype=np.int64)
        # number each post within its author's posts (0, 1, ...); a post is tracked
        # in the edge bit masks when it falls within 64 of the author's oldest live post
        by_author = np.argsort(authors, kind="stable")
        sorted_authors = authors[by_author]
        run_start = np.flatnonzero(np.r_[True, sorted_authors[1:] != sorted_authors[:-1]])
        rank = np.empty(m, dtype=np.int64)
        rank[by_author] = np.arange(m) - np.repeat(run_start, np.diff(np.r_[run_start, m]))
        number = self.user_posts[authors] + rank
        seq = np.where(number < self.first_seq[authors] + self.SEEN_BITS, number, -1)
        self.originals.append(ids, authors, authors, created, ORIGINAL, number, seq)
        per_author = np.bincount(authors, minlength=self.n_users)
        self.user_posts += per_author
        self.day_posts += per_author

    def _record_impressions(self, feeds, now: float) -> None:
        P = self.posts
        lo = self.first_live
        span = P.n - lo
        local = feeds.post - lo
        P["impressions"][lo:] += np.bincount(local, minlength=span)
        # follower reach counts the viewers who followed the author when the post was
        # created: the accounts behind followers_at_creation
        from_follower = np.flatnonzero(feeds.kind == ORIGINAL)
        if len(from_follower):
            at_creation = self.graph.since[feeds.author_edge[from_follower]] <= P["created"][feeds.post[from_follower]]
            from_follower = from_follower[at_creation]
        P["follower_impressions"][lo:] += np.bincount(local[from_follower], minlength=span)
        per_author = np.bincount(feeds.author, minlength=self.n_users)
        self.user_impressions += per_author
        self.day_impressions += per_author
        self.pairs.add((feeds.viewer << 32) | feeds.author)
        if self.cfg.exclude_seen:
            self.mark_seen(feeds)
        self.stats["impressions"] += len(feeds.post)
        if self.cfg.record_impressions:
            self.log["viewer"].append(feeds.viewer.copy())
            self.log["post"].append(feeds.post.copy())
            self.log["time"].append(np.full(len(feeds.post), now))
            self.log["slot"].append(feeds.slot.copy())
            self.log["session"].append(feeds.session.copy())
            self.log["in_network"].append(feeds.kind != 2)

    def mark_seen(self, feeds) -> None:
        """Remember what was shown, so that no viewer is shown a post twice.

        A followee's own post with a tracked number sets bit ``number - seen_base`` of
        its follow edge's mask (the bits are distinct and were clear, so adding
        them is or-ing them); anything else goes into the hash set.
        """
        g = self.graph
        tracked = feeds.number >= 0
        e = feeds.author_edge[tracked]
        # bring the masks of these edges up to date first: shift out posts that expired
        base = self.first_seq[feeds.author[tracked]]
        shift = base - g.seen_base[e]
        stale = np.flatnonzero(shift)
        if len(stale):
            es, sh = e[stale], shift[stale]  # an edge may repeat: every copy writes the same value
            g.seen_bits[es] = np.where(sh < 64, g.seen_bits[es] >> np.minimum(sh, 63).astype(np.uint64), np.uint64(0))
            g.seen_base[es] = base[stale]
        bit = np.left_shift(np.uint64(1), (feeds.number[tracked] - base).astype(np.uint64))
        np.add.at(g.seen_bits, e, bit)
        rest = np.flatnonzero(~tracked)
        if len(rest):
            self.seen.add_new((feeds.viewer[rest] << 32) | feeds.post[rest])  # candidates were unseen

    def _init_new_edges(self, fresh_followers: bool = False) -> None:
        """Start the bit masks of the follow edges just added.

        A new follower may already have seen some of the followee's live posts
        (through reshares or out of network): those are in the hash set, and
        their bits are set now.
        """
        g = self.graph
        u, v = g.last_added
        if not self.cfg.exclude_seen or len(u) == 0:
            return
        edge = g.lookup(u, v)
        g.seen_bits[edge] = 0
        g.seen_base[edge] = self.first_seq[v]
        if fresh_followers or len(self.seen) == 0:  # new accounts have seen nothing
            return
        items = self.originals
        via_ptr = items.index_by_via(g.n)
        cnt = via_ptr[v + 1] - via_ptr[v]
        item = ranges(via_ptr[v], cnt)
        owner = np.repeat(np.arange(len(u), dtype=np.int64), cnt)
        ok = items.seq[item] >= 0
        item, owner = item[ok], owner[ok]
        hit = self.seen.contains((u[owner] << 32) | items.post[item])
        item, owner = item[hit], owner[hit]
        offset = items.seq[item] - self.first_seq[v[owner]]
        np.add.at(g.seen_bits, edge[owner], np.left_shift(np.uint64(1), offset.astype(np.uint64)))

    # -------------------------------------------------------------- day close
    def close_day(self) -> None:
        """Close the finished day: its follows, series, creator adaptation, churn, decay.

        In order, at midnight: the day's follows take effect; the day's series are
        recorded; creators adapt (and may burn out or return); accounts leave and
        join; affinity decays by one day.
        """
        cfg = self.cfg
        midnight = (self.day + 1) * 24.0
        if self.pending_follows:
            # follows made during the day take effect at midnight (one batched insert);
            # follows to or from accounts that have left are dropped
            u = np.concatenate([f[0] for f in self.pending_follows])
            v = np.concatenate([f[1] for f in self.pending_follows])
            self.pending_follows = []
            ok = self.present[u] & self.present[v]
            self.day_new_follows += self.graph.add_edges(u[ok], v[ok], since=midnight)
            self._init_new_edges()
        self._record_day()
        if cfg.loop_enabled("creator_adaptation"):
            self._adapt()
        if cfg.session_adaptation and cfg.dynamics:
            self._adapt_sessions()
        self._churn(midnight)
        self.daily["joins"].append(int(self.day_joins))
        self.daily["leaves"].append(int(self.day_leaves))
        if math.isfinite(cfg.affinity_half_life_days):
            self.graph.decay_affinity(0.5 ** (1.0 / cfg.affinity_half_life_days))
        self.pairs.flush()
        # (viewer, post) keys of expired posts are dropped daily, not only when the table must grow
        self.seen.prune_stale()
        if not cfg.keep_posts and self.first_live >= max(self.FOLD_MIN, self.posts.n // 2):
            self.fold_expired_posts()
        for name in ("day_posts", "day_engagements", "day_impressions", "day_organic_posts",
                     "day_organic_engagements", "day_user_sessions", "day_engaged"):
            getattr(self, name)[:] = 0
        self.day_sessions = 0
        self.day_new_follows = 0
        self.day_joins = 0
        self.day_leaves = 0
        self.day += 1

    def _record_day(self) -> None:
        n_roles = len(ROLES)
        role = self.pop.role
        d = self.daily
        d["posts"].append(int(self.day_posts.sum()))
        d["impressions"].append(int(self.day_impressions.sum()))
        d["engagements"].append(int(self.day_engagements.sum()))
        d["sessions"].append(int(self.day_sessions))
        d["new_follows"].append(int(self.day_new_follows))
        d["creators_posting"].append(int(np.count_nonzero(self.creator & (self.day_organic_posts > 0))))
        d["creators_active"].append(int(np.count_nonzero(self.creator & self.active & self.present)))
        n_present = int(np.count_nonzero(self.present))
        d["accounts"].append(n_present)
        # departed accounts have no edges, so every edge joins two present accounts
        d["mean_followers"].append(self.graph.n_edges / max(n_present, 1))
        d["posts_by_role"].append(np.bincount(role, weights=self.day_posts, minlength=n_roles).astype(np.int64))
        d["impressions_by_role"].append(
            np.bincount(role, weights=self.day_impressions, minlength=n_roles).astype(np.int64)
        )
        d["engagements_by_role"].append(
            np.bincount(role, weights=self.day_engagements, minlength=n_roles).astype(np.int64)
        )
        posted = self.day_posts > 0
        d["gini_impressions"].append(gini(self.day_impressions[posted]) if posted.any() else float("nan"))

    def _adapt(self) -> None:
        """Creator adaptation at midnight: response memories, posting rate, burnout, returns.

        Only organic posts and the engagements they drew count (sponsored campaign
        posts do not). See :class:`~feedsim.engine.config.SimulationConfig`.
        """
        cfg = self.cfg
        posted = np.flatnonzero(self.day_organic_posts > 0)
        resp = self.day_organic_engagements[posted] / self.day_organic_posts[posted]
        self.post_days[posted] += 1
        learn = cfg.adaptation_target is None
        _remember(self.recent, self.reference if learn else None, posted, resp, self.post_days[posted], cfg)
        reference = self.reference if learn else np.full(self.n_users, cfg.adaptation_target)
        ratio = _response_ratio(self.recent, reference, cfg.adaptation_smoothing)
        self.rate_multiplier = np.clip(ratio ** cfg.adaptation_elasticity, cfg.min_rate_multiplier,
                                       cfg.max_rate_multiplier)
        low = ratio[posted] < cfg.burnout_threshold
        self.low_days[posted] = np.where(low, self.low_days[posted] + 1, 0)
        quit_now = np.flatnonzero(self.active & self.creator & self.present & (self.low_days >= cfg.burnout_days))
        if len(quit_now):
            self.active[quit_now] = False
            self.quit_day[quit_now] = self.day
            self.burnouts[quit_now] += 1
            rest = self.streams["burnout"].exponential(1.0, len(quit_now)) * cfg.burnout_rest_days
            self.return_day[quit_now] = self.day + 1 + rest
        back = np.flatnonzero(~self.active & (self.return_day <= self.day + 1))
        if len(back):  # the rest is over: post again, with a fresh memory of response
            self.active[back] = True
            self.return_day[back] = np.inf
            self.low_days[back] = 0
            self.recent[back] = reference[back]
            self.rate_multiplier[back] = 1.0

    def _adapt_sessions(self) -> None:
        """Session adaptation at midnight: viewers return more often when feeds engage them.

        See ``SimulationConfig.session_adaptation``.
        """
        cfg = self.cfg
        had = np.flatnonzero(self.day_user_sessions > 0)
        found = self.day_engaged[had] / self.day_user_sessions[had]
        self.session_days[had] += 1
        _remember(self.found_recent, self.found_reference, had, found, self.session_days[had], cfg)
        ratio = _response_ratio(self.found_recent, self.found_reference, cfg.session_smoothing)
        self.session_multiplier = np.clip(ratio ** cfg.session_elasticity, cfg.min_rate_multiplier,
                                          cfg.max_rate_multiplier)

    def _churn(self, midnight: float) -> None:
        """Accounts leave and join at midnight (``leave_rate``, ``join_rate`` per day).

        A newcomer's prototype is one of the day's leavers while there are any (it
        takes over the departed account's niche: role and a copy of its follows and
        followers), otherwise a random present account.
        """
        cfg = self.cfg
        if not cfg.loop_enabled("churn") or (cfg.leave_rate == 0 and cfg.join_rate == 0):
            return
        # who leaves, how many join and whose niche they take come from the churn stream
        # alone, drawn for every account, so they are the same under every ranker
        rng = self.streams["churn"]
        here = np.flatnonzero(self.present)
        leavers = np.flatnonzero((rng.random(self.n_users) < cfg.leave_rate) & self.present)
        n_join = int(rng.binomial(len(here), cfg.join_rate))
        proto = leavers[rng.permutation(len(leavers))[:n_join]]
        stay = np.setdiff1d(here, leavers, assume_unique=True)
        if n_join > len(proto) and len(stay):
            proto = np.concatenate([proto, stay[rng.integers(0, len(stay), n_join - len(proto))]])
        rng = self.streams["joining"]
        copied = self._copy_edges(rng, proto, stay) if len(proto) else None
        if len(leavers):
            self.present[leavers] = False
            self.left_day[leavers] = self.day
            gone = np.zeros(self.n_users, dtype=bool)
            gone[leavers] = True
            if cfg.exclude_seen:
                self._remember_seen_before_unfollow(gone)
            self.graph.remove_accounts(gone)
            self.day_leaves += len(leavers)
        if copied is not None:
            self._join(self.streams["churn"], proto, *copied, midnight)  # attributes: churn stream

    def _remember_seen_before_unfollow(self, gone: NDArray[np.bool_]) -> None:
        """Move what the staying followers of departing accounts were shown into the hash set.

        A followee's posts a follower was shown are recorded in the follow edge's
        bit mask; when the edge goes, the departed account's live posts can still
        reach the follower (reshares, out of network), so the record must stay.
        """
        g = self.graph
        if g.n_edges == 0:
            return
        u = (g.keys >> np.int64(32)).astype(np.int64)
        v = g.indices.astype(np.int64)
        edges = np.flatnonzero(gone[v] & ~gone[u] & (g.seen_bits[:-1] != 0))
        if len(edges) == 0:
            return
        which, bit = set_bits(g.seen_bits[edges])
        e = edges[which]
        followee = v[e]
        number = g.seen_base[e] + bit
        ptr = self.originals.index_by_via(g.n)
        offset = number - self.first_seq[followee]
        live = (offset >= 0) & (offset < ptr[followee + 1] - ptr[followee])
        post = self.originals.post[ptr[followee[live]] + offset[live]]
        self.seen.add((u[e[live]] << 32) | post)

    def _copy_edges(
        self, rng: np.random.Generator, proto: NDArray[np.int64], stay: NDArray[np.int64]
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
        """The copying model's edges for newcomers with prototypes ``proto``.

        Returns (owner, followee) of the newcomers' follows and (follower, owner) of
        their followers, ``owner`` indexing ``proto``. Each of the prototype's edges
        is kept with probability ``1 - join_random_share``, else replaced by a
        preferential draw (follows) or a uniform draw (followers) among the accounts
        that stay.
        """
        g = self.graph
        n = len(proto)
        beta = self.cfg.join_random_share
        out_deg = g.indptr[proto + 1] - g.indptr[proto]
        out_v = g.indices[ranges(g.indptr[proto], out_deg)].astype(np.int64)
        out_owner = np.repeat(np.arange(n, dtype=np.int64), out_deg)
        is_proto = np.zeros(g.n, dtype=bool)
        is_proto[proto] = True
        e = np.flatnonzero(is_proto[g.indices])
        fol_u = (g.keys[e] >> np.int64(32)).astype(np.int64)
        fol_v = g.indices[e].astype(np.int64)
        order = np.argsort(fol_v, kind="stable")
        fol_u, fol_v = fol_u[order], fol_v[order]
        fptr = np.searchsorted(fol_v, proto)
        in_deg = np.searchsorted(fol_v, proto, side="right") - fptr
        in_u = fol_u[ranges(fptr, in_deg)]
        in_owner = np.repeat(np.arange(n, dtype=np.int64), in_deg)
        keep = np.zeros(g.n, dtype=bool)
        keep[stay] = True
        here = np.flatnonzero(keep & ~is_proto)
        if len(here) == 0:
            return out_owner[:0], out_v[:0], in_u[:0], in_owner[:0]
        cum = np.cumsum(g.in_degree[here] + 1.0)
        swap = rng.random(len(out_v)) < beta
        pick = np.searchsorted(cum, rng.random(int(swap.sum())) * cum[-1], side="right")
        out_v[swap] = here[np.minimum(pick, len(here) - 1)]
        swap = rng.random(len(in_u)) < beta
        in_u[swap] = here[rng.integers(0, len(here), int(swap.sum()))]
        return out_owner, out_v, in_u, in_owner

    def _join(self, rng, proto, out_owner, out_v, in_u, in_owner, midnight: float) -> None:
        """Add newcomers copying ``proto`` (see :meth:`_copy_edges`); edges to leavers are dropped."""
        g = self.graph
        new = self._grow(self.pop.role[proto], rng)
        self.joined_day[new] = self.day + 1
        u = np.concatenate([new[out_owner], in_u])
        v = np.concatenate([out_v, new[in_owner]])
        ok = self.present[u] & self.present[v]
        g.add_edges(u[ok], v[ok], since=midnight)
        self._init_new_edges(fresh_followers=True)
        self.followers_start[new] = g.in_degree[new]
        self.day_joins += len(new)

    def fold_expired_posts(self) -> None:
        """Fold the rows of expired posts into per-role totals and drop them.

        Expired posts can no longer be shown, so their rows are final. The totals
        are exactly what :meth:`SimulationResult.role_table` needs; the remaining
        rows and every post id the engine holds are renumbered from 0.
        """
        m = self.first_live
        if m == 0:
            return
        P = self.posts
        role = self.pop.role[P["author"][:m]]
        k = len(ROLES)
        imp = P["impressions"][:m]
        fol = P["followers_at_creation"][:m]
        has_fol = fol > 0
        frac = np.minimum(1.0, P["follower_impressions"][:m][has_fol] / fol[has_fol])
        f = self.folded
        f["posts"] += np.bincount(role, minlength=k)
        f["impressions"] += np.bincount(role, weights=imp, minlength=k)
        f["engagements"] += np.bincount(role, weights=P["engagements"][:m], minlength=k)
        f["seen_posts"] += np.bincount(role, weights=imp > 0, minlength=k)
        f["follower_reach_sum"] += np.bincount(role[has_fol], weights=frac, minlength=k)
        f["follower_reach_n"] += np.bincount(role[has_fol], minlength=k)
        P.drop_prefix(m)
        self.originals.post -= m
        self.reshares.post -= m
        self.seen.shift_low(m)
        self.first_live = 0
        self.post_offset += m

    # ----------------------------------------------------------- interventions
    def _grow(self, role_codes: NDArray[np.int8], rng: np.random.Generator, **attrs: float) -> NDArray[np.int64]:
        """Append accounts of the given roles (attributes from role defaults); return their indices."""
        n = len(role_codes)
        old = self.n_users
        self.pop.append(role_codes, rng, **attrs)
        self.graph.grow(n)
        for name in _USER_COUNTERS:
            setattr(self, name, np.concatenate([getattr(self, name), np.zeros(n, dtype=np.int64)]))
        grown = {
            "rate_multiplier": 1.0, "recent": 0.0, "reference": 0.0, "active": True, "present": True,
            "session_multiplier": 1.0, "found_recent": 0.0, "found_reference": 0.0,
            "quit_day": -1, "return_day": np.inf, "joined_day": self.day, "left_day": -1, "first_seq": 0,
            "sponsored_rate": 0.0, "followers_start": 0,
        }
        for name, fill in grown.items():
            cur = getattr(self, name)
            setattr(self, name, np.concatenate([cur, np.full(n, fill, dtype=cur.dtype)]))
        self.creator = np.concatenate([self.creator, self.pop.post_rate[old:] > 0])
        return np.arange(old, old + n, dtype=np.int64)

    def add_accounts(self, role_code: int, n: int, follows: int, **attrs: float) -> NDArray[np.int64]:
        """Add ``n`` accounts that each follow ``follows`` present accounts (preferentially popular).

        Returns the new accounts' indices.
        """
        rng = self.streams["interventions"]
        here = np.flatnonzero(self.present)
        new = self._grow(np.full(n, role_code, dtype=np.int8), rng, **attrs)
        if follows > 0 and len(here):
            weight = self.graph.in_degree[here] + 1.0
            cum = np.cumsum(weight)
            targets = np.searchsorted(cum, rng.random(n * follows) * cum[-1], side="right")
            self.graph.add_edges(np.repeat(new, follows), here[np.minimum(targets, len(here) - 1)],
                                 since=self.time)
            self._init_new_edges(fresh_followers=True)
        return new
