"""The candidate arrays a ranker receives.

Candidates of all viewers in a tick are parallel arrays in CSR layout: the
candidates of viewer segment ``i`` are ``viewer_ptr[i]:viewer_ptr[i + 1]``. Every
array is read-only; a ranker returns one float score per candidate (higher is
shown first) and the engine does the per-viewer top-k.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import NDArray

__all__ = ["Candidates"]


@dataclass(frozen=True)
class Candidates:
    """Read-only candidate arrays for one tick (length ``n`` unless stated).

    Attributes
    ----------
    now : float
        Time of the sessions, hours since the start of the run.
    viewer_ptr : ndarray of int64, shape (n_viewers + 1,)
        CSR offsets of each viewer's candidates.
    viewers : ndarray of int64, shape (n_viewers,)
        The viewing accounts, one per segment.
    viewer : ndarray of int64
        Viewing account of each candidate.
    segment : ndarray of int64
        Segment index of each candidate (``viewers[segment] == viewer``).
    post, author : ndarray of int64
        Post id and its author.
    via : ndarray of int64
        Account whose activity brought the post: the author for an original, the
        resharer for a reshare, the author for an out-of-network post.
    age_hours : ndarray of float64
        Hours since the post was created.
    item_age_hours : ndarray of float64
        Hours since the post entered the viewer's network (reshare time for
        reshares, creation time otherwise). The chronological ranker sorts by it.
    appeal : ndarray of float64
        Latent quality of the post (mean 1). A real platform does not see it;
        an oracle ranker may.
    affinity : ndarray of float64
        Viewer-to-author affinity (0 when the viewer does not follow the author).
    likes, reshares, replies : ndarray of int64
        Engagement counts so far (zeros when the rich-get-richer loop is off).
    impressions : ndarray of int64
        The post's impressions so far.
    author_followers : ndarray of int64
        Author's follower count.
    author_posts, author_impressions : ndarray of int64
        Author's posts so far and impressions received so far.
    in_network : ndarray of bool
        True when the viewer follows ``via`` (original or reshare), False for
        out-of-network candidates.
    is_reshare, sponsored, off_platform : ndarray of bool
        Item flags.

    Examples
    --------
    A custom ranker is a plain function of the candidates and a Generator:

    >>> def newest_from_friends(c, rng):
    ...     return -c.item_age_hours + 10.0 * (c.affinity > 0)
    """

    now: float
    viewer_ptr: NDArray[np.int64]
    viewers: NDArray[np.int64]
    viewer: NDArray[np.int64]
    segment: NDArray[np.int64]
    post: NDArray[np.int64]
    author: NDArray[np.int64]
    via: NDArray[np.int64]
    age_hours: NDArray[np.float64]
    item_age_hours: NDArray[np.float64]
    appeal: NDArray[np.float64]
    affinity: NDArray[np.float64]
    likes: NDArray[np.int64]
    reshares: NDArray[np.int64]
    replies: NDArray[np.int64]
    impressions: NDArray[np.int64]
    author_followers: NDArray[np.int64]
    author_posts: NDArray[np.int64]
    author_impressions: NDArray[np.int64]
    in_network: NDArray[np.bool_]
    is_reshare: NDArray[np.bool_]
    sponsored: NDArray[np.bool_]
    off_platform: NDArray[np.bool_]

    def __post_init__(self) -> None:
        for f in fields(self):
            val = getattr(self, f.name)
            if isinstance(val, np.ndarray):
                val.setflags(write=False)

    def __len__(self) -> int:
        return len(self.post)

    @property
    def n_viewers(self) -> int:
        """Number of viewer segments."""
        return len(self.viewers)

    @property
    def engagements(self) -> NDArray[np.int64]:
        """Total engagement so far: likes + reshares + replies."""
        return self.likes + self.reshares + self.replies

    def rank_within(self, keys: NDArray, scores: NDArray) -> NDArray[np.int64]:
        """Rank of each candidate among the same viewer's candidates with equal ``keys``.

        Ranked by descending ``scores`` (ties by position); used for per-author caps.

        Examples
        --------
        Rank of each post among the same author's posts in one feed:
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
