"""The live items of a run: posts and reshares that can still be shown.

Units: hours for times.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .kernels.build import ORIGINAL

__all__ = ["LiveItems"]


class LiveItems:
    """Items that can still be shown: originals or reshares of live posts.

    Parallel arrays (post, author, via, time, kind, number, seq) kept sorted by
    ``via`` (the account whose followers can see the item), oldest first within an
    account, so the items of any account are one contiguous slice. New items are
    merged into place (``np.insert``, linear in the live items) instead of
    re-sorting. ``number`` is the author's running count of the post (originals;
    -1 for reshares) and ``seq`` the same number when the post is tracked in the
    follow edges' bit masks, else -1 (see :meth:`feedsim.engine.platform.Platform.mark_seen`).

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
