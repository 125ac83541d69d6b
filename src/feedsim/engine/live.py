"""The live items of a run: posts and reshares that can still be shown.

Units: hours for times. Items refer to posts by their row in the post table
(:class:`~feedsim.engine.posts.PostTable`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .kernels.build import ORIGINAL, RESHARE

__all__ = ["LiveItems", "Live"]


class LiveItems:
    """Items that can still be shown: originals or reshares of live posts.

    Parallel arrays (post, author, via, time, kind, number) kept sorted by
    ``via`` (the account whose followers can see the item), oldest first within an
    account, so the items of any account are one contiguous slice. ``number`` is
    the author's post number (its posts are numbered 0, 1, ...) when the post is
    tracked in the follow edges' masks (:meth:`feedsim.engine.edges.FollowEdges.mark_shown`),
    else -1 (reshares, and posts of authors with too many live posts).

    Examples
    --------
    >>> items = LiveItems()
    >>> items.append(np.array([0, 1]), np.array([3, 2]), np.array([3, 2]), np.array([0.0, 1.0]), ORIGINAL)
    >>> items.via.tolist(), items.index_by_via(4).tolist()
    ([2, 3], [0, 0, 0, 1, 2])
    """

    def __init__(self) -> None:
        self.post = np.zeros(0, dtype=np.int64)
        self.author = np.zeros(0, dtype=np.int64)
        self.via = np.zeros(0, dtype=np.int64)
        self.time = np.zeros(0, dtype=np.float64)
        self.kind = np.zeros(0, dtype=np.int8)
        self.number = np.zeros(0, dtype=np.int64)
        self._ptr: NDArray[np.int64] | None = None

    _COLS = ("post", "author", "via", "time", "kind", "number")

    def __len__(self) -> int:
        return len(self.post)

    def append(self, post, author, via, when, kind: int, number=None) -> None:
        """Add items of one kind, each after the existing items of its ``via``."""
        if len(post) == 0:
            return
        order = np.argsort(via, kind="stable")
        new = {
            "post": np.asarray(post)[order],
            "author": np.asarray(author)[order],
            "via": np.asarray(via)[order],
            "time": np.asarray(when)[order],
            "kind": np.full(len(post), kind, dtype=np.int8),
            "number": (np.full(len(post), -1, dtype=np.int64) if number is None else np.asarray(number))[order],
        }
        at = np.searchsorted(self.via, new["via"], side="right")
        for name in self._COLS:
            setattr(self, name, np.insert(getattr(self, name), at, new[name]))
        self._ptr = None

    def expire(self, first_live_post: int) -> NDArray[np.int64]:
        """Drop items whose post is older than the live window (order is kept); return their ``via``."""
        keep = self.post >= first_live_post
        if keep.all():
            return np.zeros(0, dtype=np.int64)
        gone = self.via[~keep]
        for name in self._COLS:
            setattr(self, name, getattr(self, name)[keep])
        self._ptr = None
        return gone

    def shift(self, m: int) -> None:
        """Renumber post rows after the post table dropped its first ``m`` rows."""
        self.post -= m

    def index_by_via(self, n_users: int) -> NDArray[np.int64]:
        """CSR pointers into the items by ``via`` (recomputed after a change)."""
        if self._ptr is None or len(self._ptr) != n_users + 1:
            ptr = np.zeros(n_users + 1, dtype=np.int64)
            np.cumsum(np.bincount(self.via, minlength=n_users), out=ptr[1:])
            self._ptr = ptr
        return self._ptr


class Live:
    """The live originals (by author) and reshares (by resharer) of a run.

    An author's live originals are its most recent posts, numbered
    ``first_number[a] .. user_posts[a] - 1`` (posts expire in creation order), so
    :meth:`expire` keeps ``first_number`` as ``user_posts - live originals``.

    Examples
    --------
    >>> live = Live()
    >>> live.publish(np.array([0, 1]), np.array([1, 1]), np.array([0.5, 0.7]), np.array([0, 1]))
    >>> first, posted = np.zeros(2, dtype=np.int64), np.array([0, 2])
    >>> live.expire(1, posted, first); first.tolist()
    [0, 1]
    """

    def __init__(self) -> None:
        self.originals = LiveItems()
        self.reshares = LiveItems()

    def publish(self, rows: NDArray[np.int64], authors: NDArray[np.int64], created: NDArray[np.float64],
                number: NDArray[np.int64]) -> None:
        """Add new posts (table ``rows``, ``created`` hours; ``number`` tracked or -1)."""
        self.originals.append(rows, authors, authors, created, ORIGINAL, number)

    def reshare(self, rows: NDArray[np.int64], authors: NDArray[np.int64], resharers: NDArray[np.int64],
                now: float) -> None:
        """Add reshares of posts ``rows`` made at ``now`` (hours)."""
        self.reshares.append(rows, authors, resharers, np.full(len(rows), now), RESHARE)

    def expire(self, first_live: int, user_posts: NDArray[np.int64], first_number: NDArray[np.int64]) -> None:
        """Drop items of posts before row ``first_live``; update ``first_number`` of authors who lost posts."""
        self.reshares.expire(first_live)
        gone = self.originals.expire(first_live)
        if len(gone):
            ptr = self.originals.index_by_via(len(user_posts))
            first_number[gone] = user_posts[gone] - (ptr[gone + 1] - ptr[gone])

    def shift(self, m: int) -> None:
        """Renumber post rows after the post table dropped its first ``m`` rows."""
        self.originals.shift(m)
        self.reshares.shift(m)
