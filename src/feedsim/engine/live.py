"""The live items of a run: posts and reshares that can still be shown.

Units: hours for times. Items refer to posts by their row in the post table
(:class:`~feedsim.engine.posts.PostTable`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..state import StateArray, declare, new_arrays
from .kernels.posting import merge_live

__all__ = ["LIVE_ITEM_ARRAYS", "LiveItems", "Live"]

_MERGED = "queued by the posting phase (or by a reshare) and merged in by update"
#: The arrays of :class:`LiveItems`, one entry per live item (see :class:`feedsim.state.StateArray`).
LIVE_ITEM_ARRAYS: dict[str, StateArray] = declare(
    StateArray("post", np.int64, None, "row of the post in the post table", rule=_MERGED,
               writers=("posting", "engagement", "fold")),
    StateArray("author", np.int64, None, "the post's author", rule=_MERGED, writers=("posting", "engagement")),
    StateArray("via", np.int64, None, "the account whose followers can see the item (author or resharer)",
               rule=_MERGED, writers=("posting", "engagement")),
    StateArray("time", np.float64, None, "hour the item was made", rule=_MERGED, writers=("posting", "engagement")),
    StateArray("number", np.int64, -1, "the author's post number when the follow edges track the post, else -1",
               writers=("posting", "engagement")),
)


class LiveItems:
    """Items that can still be shown: originals or reshares of live posts.

    Parallel arrays (post, author, via, time, number) grouped by ``via`` (the
    account whose followers can see the item), oldest first within an account,
    so the items of any account are one contiguous slice (:meth:`index_by_via`).
    ``number`` is the author's post number (its posts are numbered 0, 1, ...) when
    the post is tracked in the follow edges' masks
    (:meth:`feedsim.engine.edges.FollowEdges.mark_shown`), else -1 (reshares, and
    posts of authors with too many live posts).

    New items wait in a buffer until :meth:`update`, which drops the expired items
    and merges the new ones in one compiled pass (:func:`.kernels.posting.merge_live`).

    Examples
    --------
    >>> items = LiveItems()
    >>> items.append(np.array([0, 1]), np.array([3, 2]), np.array([3, 2]), np.array([0.0, 1.0]))
    >>> items.update(first_live=0, n_accounts=4).tolist()
    []
    >>> items.via.tolist(), items.index_by_via(4).tolist()
    ([2, 3], [0, 0, 0, 1, 2])
    """

    post: NDArray[np.int64]
    author: NDArray[np.int64]
    via: NDArray[np.int64]
    time: NDArray[np.float64]
    number: NDArray[np.int64]

    def __init__(self) -> None:
        new_arrays(self, LIVE_ITEM_ARRAYS, 0)
        #: CSR pointers by ``via`` (derived from ``via``, rebuilt by each update)
        self._ptr = np.zeros(1, dtype=np.int64)
        self._pending: list[tuple[NDArray, ...]] = []
        self._grouped = False

    def __len__(self) -> int:
        return len(self.post)

    def append(self, post, author, via, when, number=None, grouped: bool = False) -> None:
        """Queue items (post rows, authors, the account they reach followers through, hours).

        They join the live items at the next :meth:`update`, each after the
        existing items of its ``via``; ``grouped`` says the items are already
        sorted by ``via`` (stably).
        """
        if len(post) == 0:
            return
        num = LIVE_ITEM_ARRAYS["number"].new(len(post)) if number is None else np.asarray(number, dtype=np.int64)
        self._pending.append((np.asarray(post, dtype=np.int64), np.asarray(author, dtype=np.int64),
                              np.asarray(via, dtype=np.int64), np.asarray(when, dtype=np.float64), num))
        self._grouped = grouped and len(self._pending) == 1

    def update(self, first_live: int, n_accounts: int) -> NDArray[np.int64]:
        """Drop items of posts before row ``first_live``, add the queued ones; return the dropped items' ``via``."""
        if self._pending:
            cols = [np.concatenate(c) for c in zip(*self._pending)] if len(self._pending) > 1 \
                else list(self._pending[0])
            self._pending = []
            if self._grouped:
                n_post, n_author, n_via, n_time, n_number = cols
            else:
                order = np.argsort(cols[2], kind="stable")
                n_post, n_author, n_via, n_time, n_number = (c[order] for c in cols)
        else:
            n_post, n_author, n_via, n_time, n_number = (self.post[:0], self.author[:0], self.via[:0],
                                                         self.time[:0], self.number[:0])
        m = len(self.post) + len(n_post)
        o_post, o_author, o_via, o_number = (np.empty(m, dtype=np.int64) for _ in range(4))
        o_time = np.empty(m, dtype=np.float64)
        ptr = np.empty(n_accounts + 1, dtype=np.int64)
        dropped = np.empty(m, dtype=np.int64)
        kept, n_dropped = merge_live(self.post, self.author, self.via, self.time, self.number, first_live,
                                     n_post, n_author, n_via, n_time, n_number,
                                     o_post, o_author, o_via, o_time, o_number, ptr, dropped)
        self.post, self.author, self.via, self.number = o_post[:kept], o_author[:kept], o_via[:kept], o_number[:kept]
        self.time = o_time[:kept]
        self._ptr = ptr
        return dropped[:n_dropped]

    def shift(self, m: int) -> None:
        """Renumber post rows after the post table dropped its first ``m`` rows."""
        self.post -= m
        for item in self._pending:
            item[0][:] -= m

    def index_by_via(self, n_users: int) -> NDArray[np.int64]:
        """CSR pointers into the items by ``via`` (``n_users + 1`` of them)."""
        if len(self._ptr) < n_users + 1:  # accounts added since the last update own no items
            self._ptr = np.concatenate([self._ptr, np.full(n_users + 1 - len(self._ptr), self._ptr[-1])])
        return self._ptr[: n_users + 1]


class Live:
    """The live originals (by author) and reshares (by resharer) of a run.

    An author's live originals are its most recent posts, numbered
    ``first_number[a] .. user_posts[a] - 1`` (posts expire in creation order).

    Examples
    --------
    >>> live = Live()
    >>> live.publish(np.array([0, 1]), np.array([1, 1]), np.array([0.5, 0.7]), np.array([0, 1]))
    >>> first = np.zeros(2, dtype=np.int64)
    >>> live.update(0, first); live.update(1, first); first.tolist(), live.originals.post.tolist()
    ([0, 1], [1])
    """

    def __init__(self) -> None:
        self.originals = LiveItems()
        self.reshares = LiveItems()

    def publish(self, rows: NDArray[np.int64], authors: NDArray[np.int64], created: NDArray[np.float64],
                number: NDArray[np.int64], grouped: bool = False) -> None:
        """Queue new posts (table ``rows``, ``created`` hours; ``number`` tracked or -1) for :meth:`update`.

        ``grouped``: already sorted by author, oldest first within one.
        """
        self.originals.append(rows, authors, authors, created, number, grouped=grouped)

    def reshare(self, rows: NDArray[np.int64], authors: NDArray[np.int64], resharers: NDArray[np.int64],
                now: float) -> None:
        """Queue reshares of posts ``rows`` made at ``now`` (hours) for :meth:`update`."""
        self.reshares.append(rows, authors, resharers, np.full(len(rows), now))

    def update(self, first_live: int, first_number: NDArray[np.int64]) -> None:
        """Drop items of posts before row ``first_live`` and add the queued ones.

        Each expired original raises its author's ``first_number`` by one (an
        author's posts expire oldest first).
        """
        n = len(first_number)
        self.reshares.update(first_live, n)
        gone = self.originals.update(first_live, n)
        if len(gone):
            np.add.at(first_number, gone, 1)

    def shift(self, m: int) -> None:
        """Renumber post rows after the post table dropped its first ``m`` rows."""
        self.originals.shift(m)
        self.reshares.shift(m)
