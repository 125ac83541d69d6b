"""Feed assembly for one tick: compiled candidate building, scoring, per-viewer top-k.

Two paths give the same feeds. For a built-in ranker with ``Platform.fused`` on,
:func:`fused_feeds` does the three steps below in one compiled pass per viewer
and writes only the shown items (:mod:`.kernels.fused`). Otherwise (custom
rankers, presets, ``Platform.fused`` off) and for the feed audit, the candidates
are materialised, each step a function with explicit inputs and outputs:

1. :func:`build_rows` (reads state only): every viewer's unseen live items
   (:mod:`.kernels.build`).
2. :func:`score_rows`: the ranker's array form called on
   :class:`~feedsim.rankers.Candidates`.
3. :func:`select_feeds`: each viewer's session feeds (:mod:`.kernels.select`).

Marking what was shown is a separate step (:func:`feedsim.engine.tick.mark_shown`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numba
import numpy as np
from numpy.typing import NDArray

from ..errors import RankerOutputError
from ..rankers.candidates import Candidates
from ..rankers.registry import validate_scores
from .kernels import LAUNCH_LOCK
from .kernels import build as kb
from .kernels import fused as kf
from .kernels import scores as ks
from .kernels import select as kselect
from .kernels.compiled_rankers import compiled_form
from .kernels.hashing import STREAMS, keyed_uniform_np

if TYPE_CHECKING:  # pragma: no cover
    from .platform import Platform

__all__ = ["ORIGINAL", "RESHARE", "OUT_OF_NETWORK", "Feeds", "session_slots", "CandidateRows", "build_rows",
           "candidates_view", "score_rows", "select_feeds", "fused_form", "fused_feeds",
           "build_candidates", "trending_pool"]

#: Item kinds: an original post from a followee, a followee's reshare, an out-of-network post.
ORIGINAL, RESHARE, OUT_OF_NETWORK = kb.ORIGINAL, kb.RESHARE, kb.OUT_OF_NETWORK


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
    #: the author's post number when the post is tracked in the edge bit masks, else -1
    number: NDArray[np.int64]


@dataclass
class CandidateRows:
    """Every viewer's candidates in one tick, grouped by viewer (CSR ``ptr``).

    ``post`` ids are relative to the post table (engine ids); ``edge`` is the
    viewer -> author follow edge (-1 when the viewer does not follow the author);
    ``number`` the author's post number when tracked in the edge bit masks, else -1.
    """

    viewers: NDArray[np.int64]
    ptr: NDArray[np.int64]
    post: NDArray[np.int64]
    author: NDArray[np.int64]
    via: NDArray[np.int64]
    edge: NDArray[np.int64]
    time: NDArray[np.float64]
    kind: NDArray[np.int8]
    number: NDArray[np.int64]

    def __len__(self) -> int:
        return int(self.ptr[-1])

    @property
    def segment(self) -> NDArray[np.int64]:
        """Index of each row's viewer in ``viewers``."""
        return np.repeat(np.arange(len(self.viewers), dtype=np.int64), np.diff(self.ptr))


def trending_pool(p: Platform, size: int) -> NDArray[np.int64]:
    """The ``size`` live posts with most engagement (newest first among equals).

    Partial selection (``argpartition``) keeps the cost linear in the live posts.
    """
    lo, hi = p.posts.first_live, p.posts.n
    n = hi - lo
    if n <= size:
        return np.arange(lo, hi, dtype=np.int64)
    if not p.rich_get_richer:
        return np.arange(hi - size, hi, dtype=np.int64)  # no counts: the newest
    eng = p.posts["engagements"][lo:hi]
    # (engagements, creation order) as one key: ties go to the newer post
    key = eng.astype(np.int64) * np.int64(n) + np.arange(n, dtype=np.int64)
    top = np.argpartition(key, n - size)[n - size:]
    return lo + top[np.argsort(key[top])]  # ascending: fewest engagements first


_I64 = NDArray[np.int64]
_F64 = NDArray[np.float64]
#: What the candidate kernels read, in their argument order (see :func:`_sources`); a
#: fixed-length tuple, so a type checker can match ``*sources`` to the kernel's parameters.
_Sources = tuple[
    _I64, NDArray[np.int32], NDArray[np.uint64], NDArray[np.int32], _I64,  # follow edges, masks, first_number
    _I64, _I64, _F64, _I64,  # originals: ptr, post, time, number
    _I64, _I64, _I64, _F64,  # reshares: ptr, post, author, time
    _I64, _I64, _F64,  # trending pool: post, author, time
    _I64, np.int64, bool, bool,  # seen table, its bits, use it, exclude_seen
]
#: What a compiled ranker reads besides the candidates (see :func:`_score_inputs`).
_ScoreArrays = tuple[_F64, _I64, _I64, NDArray[np.bool_], _I64, _I64, _F64]


def _sources(p: Platform, n_viewers: int) -> _Sources:
    """What candidate building reads: the follow graph, live items, seen state and the pool."""
    g = p.edges
    cfg = p.cfg
    o, r = p.live.originals, p.live.reshares
    optr = o.index_by_via(g.n)
    rptr = r.index_by_via(g.n)
    if cfg.out_of_network_share > 0 and p.posts.n > p.posts.first_live and n_viewers:
        pool = trending_pool(p, cfg.trending_pool_size)
    else:
        pool = np.zeros(0, dtype=np.int64)
    seen = p.seen
    return (g.indptr, g.indices, g.mask, g.mask_number, p.accounts.first_number,
            optr, o.post, o.time, o.number, rptr, r.post, r.author, r.time,
            pool, p.posts["author"][pool], p.posts["created"][pool],
            seen.table, np.int64(seen.bits), len(seen) > 0, bool(cfg.exclude_seen))


def build_rows(p: Platform, viewers: NDArray[np.int64]) -> CandidateRows:
    """Candidates of every viewer: followees' live items plus the trending pool.

    Excludes the viewer's own posts and, with ``exclude_seen``, posts already shown
    to the viewer. A post reachable several ways is kept once: the original when
    the viewer follows the author, else the newest reshare by a followee (ties by
    a keyed draw), else the out-of-network copy. Reads state only.
    """
    src = _sources(p, len(viewers))
    indptr, indices, optr, rptr, pool = src[0], src[1], src[5], src[9], src[13]
    with LAUNCH_LOCK:
        ub = kb.upper_bounds(viewers, indptr, indices, optr, rptr, len(pool))
    ub_ptr = np.zeros(len(viewers) + 1, dtype=np.int64)
    np.cumsum(ub, out=ub_ptr[1:])
    m = int(ub_ptr[-1])
    cols = _empty_columns(m)
    with LAUNCH_LOCK:
        count = kb.build(viewers, ub_ptr, *src, p.key, p.tick, p.posts.offset, *cols)
    ptr = np.zeros(len(viewers) + 1, dtype=np.int64)
    np.cumsum(count, out=ptr[1:])
    if ptr[-1] < m:
        out = _empty_columns(int(ptr[-1]))
        with LAUNCH_LOCK:
            kb.compact(ub_ptr, count, ptr, *cols, *out)
        cols = out
    return CandidateRows(viewers, ptr, *cols)


def _empty_columns(m: int) -> tuple[_I64, _I64, _I64, _I64, _F64, NDArray[np.int8], _I64]:
    return (np.empty(m, dtype=np.int64), np.empty(m, dtype=np.int64), np.empty(m, dtype=np.int64),
            np.empty(m, dtype=np.int64), np.empty(m, dtype=np.float64), np.empty(m, dtype=np.int8),
            np.empty(m, dtype=np.int64))


def candidates_view(p: Platform, rows: CandidateRows, now: float) -> Candidates:
    """The rows as read-only :class:`~feedsim.rankers.Candidates` for a ranker's array form.

    Fields other than the layout are gathered on first access.
    """
    P = p.posts
    g = p.edges
    acc = p.accounts
    post, author, kind = rows.post, rows.author, rows.kind
    rgr = p.rich_get_richer
    seg = rows.segment
    viewer = rows.viewers[seg]

    def counts(column):
        return (lambda: P[column][post]) if rgr else (lambda: np.zeros(len(post), dtype=np.int64))

    return Candidates(
        now,
        rows.ptr,
        rows.viewers,
        viewer=viewer,
        segment=seg,
        post=P.ids(post),
        author=author,
        via=rows.via,
        age_hours=lambda: now - P["created"][post],
        item_age_hours=lambda: now - rows.time,
        appeal=lambda: P["appeal"][post],
        affinity=lambda: g.edge_affinity(rows.edge),
        likes=counts("likes"),
        reshares=counts("reshares"),
        replies=counts("replies"),
        engagements=counts("engagements"),
        impressions=lambda: P["impressions"][post],
        author_followers=lambda: g.in_degree[author],
        author_posts=lambda: acc.user_posts[author],
        author_impressions=lambda: acc.user_impressions[author],
        typical_impressions_per_post=lambda: np.full(len(post), p.typical_impressions_per_post()),
        in_network=lambda: kind != OUT_OF_NETWORK,
        is_reshare=lambda: kind == RESHARE,
        sponsored=lambda: P["sponsored"][post],
        off_platform=lambda: P["off_platform"][post],
        noise=lambda: keyed_uniform_np(p.key, STREAMS["noise"], p.tick, viewer, P.ids(post)),
    )


def score_rows(p: Platform, rows: CandidateRows, now: float) -> NDArray[np.float64]:
    """One score per candidate row: the active ranker's array form on :func:`candidates_view`.

    The output is validated. A ranker that raises is re-raised as
    :class:`~feedsim.errors.RankerOutputError` naming it and the simulated time.
    """
    cands = candidates_view(p, rows, now)
    try:
        raw = p.ranker(cands, p.streams["ranking"])
    except RankerOutputError:
        raise
    except Exception as exc:  # a user's ranker: name it and the time, keep the cause
        raise RankerOutputError(
            f"ranker {p.ranker_label!r} raised {type(exc).__name__} at hour {now:g} (day {int(now // 24)}): {exc}"
        ) from exc
    finally:
        cands._close()
    return validate_scores(raw, len(rows), p.ranker_label, now)


def _score_inputs(p: Platform, code: int, params: NDArray) -> tuple[NDArray, _ScoreArrays]:
    """The arrays and parameters a compiled form reads (``params`` completed for this tick)."""
    from ..rankers.builtin import log1p_counts, log1p_table

    P = p.posts
    g = p.edges
    eng = P["engagements"] if p.rich_get_richer else np.zeros(P.n, dtype=np.int64)
    if code == ks.ENGAGEMENT:
        params = params.copy()
        params[13] = p.typical_impressions_per_post()
        # the log table must cover the counts the candidates read (as log1p_counts does)
        top = max(int(eng.max()) if len(eng) else 0, int(g.in_degree.max()) if g.n else 0)
        log1p_counts(np.array([min(top, (1 << 22) - 1)], dtype=np.int64))
    return params, (g._aff, eng, g.in_degree, P["off_platform"], p.accounts.user_posts, p.accounts.user_impressions,
                    log1p_table())


def fused_form(p: Platform) -> tuple[int, NDArray, int] | None:
    """The compiled form :func:`fused_feeds` runs for the active ranker, or None."""
    return compiled_form(p.ranker) if p.fused else None


def _item_rows(n: int, width: int) -> NDArray[np.int64]:
    """An uninitialised ``(n, width)`` int64 table whose rows start on 64-byte boundaries (cache lines)."""
    buf = np.empty(n * width + 8, dtype=np.int64)
    skip = (-buf.ctypes.data % 64) // 8
    return buf[skip:skip + n * width].reshape(n, width)


def fused_feeds(p: Platform, viewers: NDArray[np.int64], attention: NDArray[np.int64],
                sessions: NDArray[np.int64], now: float,
                form: tuple[int, NDArray, int]) -> tuple[Feeds, NDArray[np.int64]]:
    """Feeds of ``viewers`` under a compiled ranker ``form``, in one pass per viewer.

    The same feeds as :func:`build_rows`, :func:`score_rows` and
    :func:`select_feeds` in turn, without materialising the candidates. Returns
    the feeds and the number of candidates each viewer had.

    What a score owes to the item alone is computed once per live item first
    (:func:`.kernels.fused.original_table`, :func:`.kernels.fused.item_table`),
    so the kernel reads one table row per candidate instead of gathering per
    post and per author.
    """
    code, params, cap = form
    params, arrays = _score_inputs(p, code, params)
    per_item = arrays[1:]  # all but the affinity, which the kernel reads per edge
    n = len(viewers)
    (indptr, indices, masks, mask_number, first_number, optr, opost, otime, onumber, rptr, rpost, rauthor, rtime,
     pool, pool_author, pool_time, table, bits, use_table, exclude_seen) = _sources(p, n)
    extras = code == ks.ENGAGEMENT and (params[11] != 1.0 or params[12] != 0.0)
    heads = _item_rows(len(optr) - 1, 4)
    otab = _item_rows(len(opost), 8 if extras else 4)
    etab = _item_rows(len(rpost) + len(pool), 8)  # reshares, then the trending posts
    feed_size = attention * sessions
    out_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(feed_size, out=out_ptr[1:])
    total = int(out_ptr[-1])
    out = np.empty((len(kf.FEED_FIELDS), total), dtype=np.int64)
    counts = np.empty((2, n), dtype=np.int64)
    n_blocks = max(1, min(n, 16 * numba.get_num_threads()))
    kf.original_table(optr, rptr, opost, otime, onumber, code, params, now, *per_item, heads, otab)
    kf.item_table(code, params, now, np.concatenate([rpost, pool]), np.concatenate([rauthor, pool_author]),
                  np.concatenate([rtime, pool_time]), *per_item, etab)
    if len(pool):  # number the trending authors, so a viewer's walk can tick those it follows
        authors, etab[len(rpost):, kf.POOL_AUTHOR] = np.unique(pool_author, return_inverse=True)
        pool_of = np.full(len(optr) - 1, -1, dtype=np.int32)
        pool_of[authors] = np.arange(len(authors), dtype=np.int32)
    else:
        pool_of = np.zeros(0, dtype=np.int32)
    with LAUNCH_LOCK:
        kf.fused_feeds(viewers, attention, feed_size, out_ptr, n_blocks, indptr, indices, masks, mask_number,
                       first_number, heads, otab, etab, len(rpost), pool_of, table, bits, use_table, exclude_seen,
                       code, params, extras, cap, float(p.cfg.out_of_network_share), p.key, p.tick, p.posts.offset,
                       arrays[0], out, counts)
    n_shown, n_cand = counts
    shown = int(n_shown.sum())
    if shown < total:  # some viewers had fewer candidates than room: close the gaps between blocks
        starts = np.arange(0, n, (n + n_blocks - 1) // n_blocks)
        shown = kf.close_gaps(out_ptr[starts], np.add.reduceat(n_shown, starts), out)
        out = out[:, :shown]
    viewer, post, author, slot, session, kind, edge, number = out  # kf.FEED_FIELDS
    feeds = Feeds(viewer=viewer, post=post, author=author, slot=slot, session=session, kind=kind.astype(np.int8),
                  author_edge=edge, number=number)
    return feeds, n_cand


def session_slots(rank: NDArray[np.int64], taken: NDArray[np.int64],
                  sessions: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Slot and session of the item of rank ``rank`` in a viewer's ``taken`` items over ``sessions`` sessions.

    The items go to the sessions in rank order, each session taking ``taken //
    sessions`` of them and the first ``taken % sessions`` one more: a full feed
    (``taken`` is attention x sessions) is ``attention`` items per session, and a
    short one is spread evenly, as its items would be had they arrived between the
    sessions. Putting a short feed all into the first sessions would push items
    down the feed (to slots with less engagement) more often the more sessions
    share a tick, so engagement per impression would fall with the tick length.

    Examples
    --------
    >>> import numpy as np
    >>> slot, session = session_slots(np.arange(5), np.full(5, 5), np.full(5, 2))
    >>> slot.tolist(), session.tolist()
    ([0, 1, 2, 0, 1], [0, 0, 0, 1, 1])
    """
    q = taken // sessions
    big = (taken - q * sessions) * (q + 1)  # the items of the sessions that take one more
    first = rank < big
    rest = np.maximum(q, 1)
    slot = np.where(first, rank % (q + 1), (rank - big) % rest)
    session = np.where(first, rank // (q + 1), taken - q * sessions + (rank - big) // rest)
    return slot.astype(np.int64), session.astype(np.int64)


def select_feeds(p: Platform, rows: CandidateRows, scores: NDArray[np.float64],
                 attention: NDArray[np.int64], sessions: NDArray[np.int64]) -> Feeds:
    """Fill each viewer's session feeds from its scored candidates.

    A viewer with ``s`` sessions in the tick gets ``s`` feeds of ``attention``
    slots, filled in score order: the best ``attention`` items make the first
    session's feed, the next ones the second's, and so on (a post is never shown
    twice); a viewer with fewer items than slots gets them spread evenly over its
    sessions (:func:`session_slots`). Of the ``k = attention * s`` items, ``round(out_of_network_share * k)``
    are reserved for out-of-network candidates and the rest for in-network ones;
    a side with too few candidates leaves its slots to the other. A score of
    ``-inf`` means "never show": such candidates are dropped, and a viewer with
    too few other candidates gets a shorter feed. Ties are broken by a keyed draw
    per (tick, viewer, post), the same under every ranker.
    """
    feed_size = attention * sessions
    with LAUNCH_LOCK:
        take_in, take_oon = kselect.take_counts(rows.ptr, scores, rows.kind, feed_size,
                                                float(p.cfg.out_of_network_share))
    out_ptr = np.zeros(len(feed_size) + 1, dtype=np.int64)
    np.cumsum(take_in + take_oon, out=out_ptr[1:])
    total = int(out_ptr[-1])
    shown = np.empty(total, dtype=np.int64)
    rank = np.empty(total, dtype=np.int64)
    with LAUNCH_LOCK:
        kselect.select(rows.ptr, scores, rows.kind, rows.post, rows.viewers, take_in, take_oon, out_ptr,
                       p.key, p.tick, p.posts.offset, shown, rank)
    taken = take_in + take_oon
    seg = np.repeat(np.arange(len(feed_size), dtype=np.int64), taken)
    slot, session = session_slots(rank, taken[seg], sessions[seg])
    return Feeds(
        viewer=rows.viewers[seg],
        post=rows.post[shown],
        author=rows.author[shown],
        slot=slot,
        session=session,
        kind=rows.kind[shown],
        author_edge=rows.edge[shown],
        number=rows.number[shown],
    )


def build_candidates(p: Platform, viewers: NDArray[np.int64], now: float):
    """Candidates of ``viewers`` as a ranker sees them: ``(Candidates, kind, author_edge, number)``."""
    rows = build_rows(p, viewers)
    return candidates_view(p, rows, now), rows.kind, rows.edge, rows.number
