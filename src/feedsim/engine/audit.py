"""Feed audit: every candidate an audited viewer's ranker saw, with its score and slot.

``Simulation(..., audit=[accounts])`` records, for each audited account and each
tick in which it opened the app, every candidate of its feed: the post, its
author and the author's role, how it arrived (a followee's post, a followee's
reshare, out of network), its age, its score (and, for built-in rankers, the
parts of the score) and the slot it was shown in, or that it was not shown.

The audit reads the tick's state before anything is marked as shown. With a
built-in ranker run in its fused compiled form, nothing is materialised for the
whole population, so the audited viewers' candidates are built again, for them
only, from the same state (:func:`~feedsim.engine.feed.build_rows`), scored by
the ranker's array form (:func:`~feedsim.engine.feed.score_rows`) and put
through the same top-k (:func:`~feedsim.engine.feed.select_feeds`): the
materialised path, which the engine's tests hold to the fused pass bit for bit.
With any other ranker the tick's own candidate rows and scores are sliced, so
the ranker is never called twice. Building, the built-in rankers' scores (keyed
draws) and selection draw nothing from the run's random streams, so an audited
run is the same run.

Units: times and ages in hours.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ..errors import InvalidParameterError
from ..network.graph import ROLES
from .feed import (
    ORIGINAL,
    OUT_OF_NETWORK,
    RESHARE,
    CandidateRows,
    build_rows,
    candidates_view,
    score_rows,
    select_feeds,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .platform import Platform

__all__ = ["FeedAudit", "AUDIT_COLUMNS", "ARRIVALS", "score_parts", "empty_audit"]

#: How a candidate reached the viewer, by item kind.
ARRIVALS = {ORIGINAL: "followee", RESHARE: "reshare", OUT_OF_NETWORK: "out_of_network"}

#: Columns of ``result.audit`` (one row per candidate per audited viewer and tick), in order.
#: Score parts (``p_like``, ``decay``, ...) follow when the ranker has them.
AUDIT_COLUMNS = {
    "time": "hours since the start: the end of the tick, when the sessions happen",
    "day": "day of the run (0, 1, ...)",
    "viewer": "audited account (position in the graph's node order)",
    "sessions": "sessions the viewer opened in the tick (each its own feed)",
    "feed_size": "slots over those sessions (attention x sessions)",
    "post": "post id (a row of result.posts when no rows were folded away)",
    "author": "author of the post",
    "author_role": "role of the author",
    "arrived": "followee (a followee's post), reshare (a followee reshared it) or out_of_network",
    "reshared_by": "the followee who reshared it (-1 unless arrived is reshare)",
    "age_hours": "hours since the post was created",
    "item_age_hours": "hours since it reached the viewer's network (the reshare time for reshares)",
    "score": "the ranker's score (-inf: never shown)",
    "rank": "position among the viewer's candidates by score, 0 = best (ties as the engine broke them)",
    "shown": "whether the post was shown",
    "session": "which of the tick's sessions showed it (0, 1, ...; -1 if not shown)",
    "slot": "position in that session's feed (0 = top; -1 if not shown)",
}


def score_parts(ranker: Any, c) -> dict[str, NDArray[np.float64]]:
    """The parts of a built-in ranker's score, per candidate.

    Parameters
    ----------
    ranker : callable
        A ranker; built-in ones (and any object with a ``score_parts(c)`` method)
        have parts, others none.
    c : Candidates
        The candidates the ranker scored.

    Returns
    -------
    dict of str to ndarray of shape (len(c),)
        Engagement-based rankers: ``p_like``, ``p_reshare``, ``p_reply`` (predicted
        probabilities) and ``decay`` (``2 ** (-item_age_hours / half_life_hours)``);
        platform-favouring adds ``link_factor``, fair exposure ``exposure_boost``;
        popularity gives ``engagements`` and random ``noise``; chronological none
        (its score is minus ``item_age_hours``).

    Examples
    --------
    >>> import numpy as np
    >>> from feedsim.rankers import Candidates, EngagementRanker
    >>> c = Candidates(0.0, np.array([0, 1]), np.array([3]), affinity=np.zeros(1), likes=np.zeros(1, int),
    ...                reshares=np.zeros(1, int), replies=np.zeros(1, int), author_followers=np.zeros(1, int),
    ...                item_age_hours=np.array([12.0]))
    >>> parts = score_parts(EngagementRanker(), c)
    >>> sorted(parts), float(parts["decay"][0])
    (['decay', 'p_like', 'p_reply', 'p_reshare'], 0.5)
    """
    from ..rankers import builtin as rb

    custom = getattr(ranker, "score_parts", None)
    if callable(custom):
        return {k: np.asarray(v, dtype=np.float64) for k, v in custom(c).items()}
    if ranker is rb.popularity:
        return {"engagements": np.asarray(c.engagements, dtype=np.float64)}
    if ranker is rb.random_ranker:
        return {"noise": np.asarray(c.noise, dtype=np.float64)}
    extra: dict[str, NDArray[np.float64]] = {}
    base = ranker
    if isinstance(ranker, rb.PlatformFavoringRanker):
        base = ranker.base
        extra["link_factor"] = np.where(c.off_platform, float(ranker.link_penalty), 1.0)
    elif isinstance(ranker, rb.FairExposureRanker):
        base = ranker.base
        per_post = c.author_impressions / np.maximum(c.author_posts, 1)
        typical = np.asarray(c.typical_impressions_per_post, dtype=np.float64)
        extra["exposure_boost"] = ((typical + 1.0) / (per_post + 1.0)) ** float(ranker.boost_exponent)
    if not isinstance(base, rb.EngagementRanker):
        return {}
    p_like, p_reshare, p_reply = base.predict(c)
    decay = np.exp2(np.asarray(c.item_age_hours, dtype=np.float64) * (-1.0 / base.half_life_hours))
    return {"p_like": p_like, "p_reshare": p_reshare, "p_reply": p_reply, "decay": decay, **extra}


def empty_audit() -> pd.DataFrame:
    """The audit of a run without audited accounts: no rows, the standard columns."""
    import pandas as pd

    return pd.DataFrame({k: pd.Series(dtype=_DTYPES.get(k, "int64")) for k in AUDIT_COLUMNS})


_DTYPES = {"time": "float64", "age_hours": "float64", "item_age_hours": "float64", "score": "float64",
           "shown": "bool", "author_role": "object", "arrived": "object"}


class FeedAudit:
    """Collects the audited viewers' candidates tick by tick.

    Parameters
    ----------
    accounts : array_like of int
        Audited accounts, positions in the graph's node order, each in
        ``[0, n_users)``.
    n_users : int
        Accounts at the start of the run (for validation).

    Raises
    ------
    InvalidParameterError
        When an account is not a whole number in range.

    Examples
    --------
    >>> FeedAudit([3, 1, 3], n_users=10).accounts.tolist()
    [1, 3]
    """

    def __init__(self, accounts: Any, n_users: int) -> None:
        arr = np.asarray(accounts).ravel()
        if arr.size and arr.dtype.kind not in "iu":
            raise InvalidParameterError(
                f"audit must be account indices in [0, {n_users}) (whole numbers); got {accounts!r}")
        idx = np.unique(arr.astype(np.int64))
        if len(idx) and (idx[0] < 0 or idx[-1] >= n_users):
            bad = int(idx[0] if idx[0] < 0 else idx[-1])
            raise InvalidParameterError(f"audit must be account indices in [0, {n_users}); got {bad}")
        self.accounts: NDArray[np.int64] = idx
        self._chunks: list[dict[str, NDArray]] = []

    def record(self, p: Platform, viewers: NDArray[np.int64], attention: NDArray[np.int64],
               sessions: NDArray[np.int64], now: float,
               tick_rows: tuple[CandidateRows, NDArray[np.float64]] | None) -> None:
        """Record the audited viewers among this tick's ``viewers`` (state before marking).

        ``tick_rows`` is ``(rows, scores)`` when the tick materialised every
        viewer's candidates (they are sliced), None after the fused pass (the
        audited viewers' candidates are built and scored again).
        """
        pick = np.flatnonzero(np.isin(viewers, self.accounts))
        if len(pick) == 0:
            return
        if tick_rows is None:
            rows = build_rows(p, viewers[pick])
            if len(rows) == 0:
                return
            scores = score_rows(p, rows, now)
        else:
            rows, scores = _slice_rows(*tick_rows, pick)
            if len(rows) == 0:
                return
        att, ses = attention[pick], sessions[pick]
        feeds = select_feeds(p, rows, scores, att, ses)
        c = candidates_view(p, rows, now)
        try:
            parts = score_parts(p.ranker, c)
            age, item_age = np.asarray(c.age_hours), np.asarray(c.item_age_hours)
        finally:
            c._close()
        self._chunks.append(_table(p, rows, scores, feeds, att * ses, ses, age, item_age, parts, now))

    def frame(self) -> pd.DataFrame:
        """All recorded rows as a DataFrame (columns :data:`AUDIT_COLUMNS`, then score parts).

        ``df.attrs["audited"]`` lists the audited accounts (also those without sessions).
        """
        import pandas as pd

        if not self._chunks:
            df = empty_audit()
            df.attrs["audited"] = self.accounts.tolist()
            return df
        keys = list(self._chunks[0])
        for ch in self._chunks[1:]:  # a ranker switch may change the parts
            keys += [k for k in ch if k not in keys]
        n = [len(ch["post"]) for ch in self._chunks]
        cols = {}
        for k in keys:
            cols[k] = np.concatenate([ch[k] if k in ch else np.full(m, np.nan) for ch, m in zip(self._chunks, n)])
        df = pd.DataFrame(cols)
        df["author_role"] = np.asarray(ROLES, dtype=object)[df["author_role"].to_numpy()]
        df["arrived"] = np.array([ARRIVALS[k] for k in sorted(ARRIVALS)], dtype=object)[df["arrived"].to_numpy()]
        df.attrs["audited"] = self.accounts.tolist()
        return df


def _slice_rows(rows: CandidateRows, scores: NDArray[np.float64],
                pick: NDArray[np.int64]) -> tuple[CandidateRows, NDArray[np.float64]]:
    """The rows and scores of viewer segments ``pick`` (increasing) as their own CandidateRows."""
    lo, hi = rows.ptr[pick], rows.ptr[pick + 1]
    n = hi - lo
    idx = np.repeat(lo - np.cumsum(np.r_[0, n[:-1]]), n) + np.arange(int(n.sum()))
    ptr = np.zeros(len(pick) + 1, dtype=np.int64)
    np.cumsum(n, out=ptr[1:])
    sub = CandidateRows(rows.viewers[pick], ptr, rows.post[idx], rows.author[idx], rows.via[idx], rows.edge[idx],
                        rows.time[idx], rows.kind[idx], rows.number[idx])
    return sub, np.asarray(scores)[idx]


def _table(p: Platform, rows: CandidateRows, scores, feeds, feed_size, sessions, age, item_age, parts,
           now: float) -> dict[str, NDArray]:
    m = len(rows)
    seg = rows.segment
    viewer = rows.viewers[seg]
    # where each shown item sits among the candidates: (viewer, post) is unique
    key = (viewer << 32) | rows.post
    order = np.argsort(key, kind="stable")
    at = order[np.searchsorted(key[order], (feeds.viewer << 32) | feeds.post)]
    shown = np.zeros(m, dtype=bool)
    shown[at] = True
    session = np.full(m, -1, dtype=np.int64)
    slot = np.full(m, -1, dtype=np.int64)
    session[at] = feeds.session
    slot[at] = feeds.slot
    # rank by score within the viewer; shown items first in feed order, so the rank
    # follows the engine's tie-breaks
    feed_pos = np.full(m, np.iinfo(np.int64).max)
    feed_pos[at] = feeds.session * np.max(feed_size, initial=1) + feeds.slot
    by = np.lexsort((feed_pos, -np.asarray(scores, dtype=np.float64), seg))
    rank = np.empty(m, dtype=np.int64)
    rank[by] = np.arange(m) - rows.ptr[seg[by]]
    kind = rows.kind.astype(np.int64)
    out = {
        "time": np.full(m, now),
        "day": np.full(m, p.day, dtype=np.int64),
        "viewer": viewer,
        "sessions": sessions[seg].astype(np.int64),
        "feed_size": feed_size[seg].astype(np.int64),
        "post": p.posts.ids(rows.post),
        "author": rows.author.copy(),
        "author_role": p.accounts.pop.role[rows.author].astype(np.int64),
        "arrived": kind,
        "reshared_by": np.where(kind == RESHARE, rows.via, -1),
        "age_hours": age.astype(np.float64),
        "item_age_hours": item_age.astype(np.float64),
        "score": np.asarray(scores, dtype=np.float64).copy(),
        "rank": rank,
        "shown": shown,
        "session": session,
        "slot": slot,
    }
    for k, v in parts.items():
        out[k] = np.asarray(v, dtype=np.float64).copy()
    return out
