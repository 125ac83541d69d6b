"""The candidate arrays a ranker receives.

Candidates of all viewers in a tick are parallel arrays in CSR layout: the
candidates of viewer segment ``i`` are ``viewer_ptr[i]:viewer_ptr[i + 1]``. Every
array is read-only; a ranker returns one float score per candidate (higher is
shown first; ``-inf`` means "never show") and the engine does the per-viewer top-k.

Arrays other than the layout are computed on first access, so a ranker pays only
for what it reads (the chronological ranker reads one array).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import FeedsimError

__all__ = ["Candidates", "CANDIDATE_FIELDS"]

#: Per-candidate arrays a ranker may read, with their meaning (units in brackets).
CANDIDATE_FIELDS = {
    "viewer": "viewing account",
    "segment": "index of the viewer's segment (viewers[segment] == viewer)",
    "post": "post id",
    "author": "author of the post",
    "via": "account that brought the post: the author, or the resharer for a reshare",
    "age_hours": "hours since the post was created",
    "item_age_hours": "hours since the post entered the viewer's network (reshare time for reshares)",
    "appeal": "latent quality of the post, mean 1 (an oracle ranker may read it)",
    "affinity": "viewer-to-author affinity (0 when the viewer does not follow the author)",
    "likes": "likes so far (zero when the rich-get-richer loop is off)",
    "reshares": "reshares so far (zero when the rich-get-richer loop is off)",
    "replies": "replies so far (zero when the rich-get-richer loop is off)",
    "engagements": "likes + reshares + replies so far (zero when the rich-get-richer loop is off)",
    "impressions": "the post's impressions so far",
    "author_followers": "author's follower count",
    "author_posts": "author's posts so far",
    "author_impressions": "impressions the author's posts have received so far",
    "typical_impressions_per_post": "impressions per post over every post so far (one value for all candidates)",
    "in_network": "True when the viewer follows `via` (False for out-of-network candidates)",
    "is_reshare": "True for a followee's reshare",
    "sponsored": "True for a sponsored post",
    "off_platform": "True for a post linking off-platform",
    "noise": "a uniform number in [0, 1) fixed by the run's seed, the tick, the viewer and the post",
}


class Candidates:
    """Read-only candidate arrays for one tick (every array has length ``n``).

    Parameters
    ----------
    now : float
        Time of the sessions, hours since the start of the run.
    viewer_ptr : ndarray of int64, shape (n_viewers + 1,)
        CSR offsets of each viewer's candidates.
    viewers : ndarray of int64, shape (n_viewers,)
        The viewing accounts, one per segment.
    **fields : ndarray or callable
        The arrays listed in :data:`CANDIDATE_FIELDS`; a callable is evaluated on
        first access (the engine passes callables so unused arrays cost nothing).

    Notes
    -----
    Arrays the engine computes lazily are valid only during the ranker call; a
    ranker that keeps the object and reads a new field later gets an error.

    Examples
    --------
    A custom ranker is a plain function of the candidates and a Generator:

    >>> def newest_from_friends(c, rng):
    ...     return -c.item_age_hours + 10.0 * (c.affinity > 0)
    >>> c = Candidates(0.0, np.array([0, 2]), np.array([7]), item_age_hours=np.array([1.0, 3.0]),
    ...                affinity=np.array([0.0, 0.5]), post=np.array([4, 5]))
    >>> newest_from_friends(c, None).tolist()
    [-1.0, 7.0]
    """

    def __init__(self, now: float, viewer_ptr: NDArray[np.int64], viewers: NDArray[np.int64],
                 **fields: NDArray | Callable[[], NDArray]) -> None:
        for key in fields:
            if key not in CANDIDATE_FIELDS:
                raise TypeError(f"unknown candidate field {key!r}; known: {', '.join(CANDIDATE_FIELDS)}")
        d = self.__dict__
        d["now"] = float(now)
        d["viewer_ptr"] = _readonly(viewer_ptr)
        d["viewers"] = _readonly(viewers)
        d["_lazy"] = {}
        d["_open"] = True
        for key, val in fields.items():
            if callable(val):
                d["_lazy"][key] = val
            else:
                d[key] = _readonly(val)
        if "segment" not in d and "segment" not in d["_lazy"]:
            counts = np.diff(d["viewer_ptr"])
            d["_lazy"]["segment"] = lambda: np.repeat(np.arange(len(counts), dtype=np.int64), counts)
        if "engagements" not in d and "engagements" not in d["_lazy"]:
            d["_lazy"]["engagements"] = lambda: self.likes + self.reshares + self.replies
        if "viewer" not in d and "viewer" not in d["_lazy"]:
            d["_lazy"]["viewer"] = lambda: d["viewers"][self.segment]

    def __getattr__(self, name: str) -> Any:
        lazy = self.__dict__.get("_lazy", {})
        if name in lazy:
            if not self.__dict__["_open"]:
                raise FeedsimError(
                    f"candidate array {name!r} was not read during the ranker call and is no longer available"
                )
            val = _readonly(lazy.pop(name)())
            self.__dict__[name] = val
            return val
        if name in CANDIDATE_FIELDS:
            raise AttributeError(f"these candidates carry no {name!r} array")
        raise AttributeError(name)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Candidates are read-only")

    def _close(self) -> None:
        """Forget lazy loaders (called by the engine after the ranker returns)."""
        self.__dict__["_open"] = False

    def __len__(self) -> int:
        return int(self.viewer_ptr[-1])

    @property
    def n_viewers(self) -> int:
        """Number of viewer segments."""
        return len(self.viewers)

    def rank_within(self, keys: NDArray, scores: NDArray) -> NDArray[np.int64]:
        """Rank of each candidate among the same viewer's candidates with equal ``keys``.

        Ranked by descending ``scores`` (ties by position); used for per-author caps:
        ``c.rank_within(c.author, scores)``.
        """
        order = np.lexsort((-np.asarray(scores, dtype=np.float64), keys, self.segment))
        seg_sorted = self.segment[order]
        key_sorted = np.asarray(keys)[order]
        new_block = np.ones(len(order), dtype=bool)
        new_block[1:] = (seg_sorted[1:] != seg_sorted[:-1]) | (key_sorted[1:] != key_sorted[:-1])
        block_start = np.maximum.accumulate(np.where(new_block, np.arange(len(order)), 0))
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order)) - block_start
        return rank


def _readonly(arr: Any) -> np.ndarray:
    arr = np.asarray(arr)
    if arr.flags.writeable:
        arr = arr.view()
        arr.setflags(write=False)
    return arr
