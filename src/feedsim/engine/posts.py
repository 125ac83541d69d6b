"""The post table of a run: one row per post, in creation order, and the live window.

Units: hours for times. Row ``r`` of the table is the post with id
``r + offset``: with ``keep_posts=False`` the rows of expired posts are folded into
per-role totals and dropped (:meth:`PostTable.fold_expired`), and ``offset`` counts
them. The engine's arrays (live items, feeds, the seen set) hold rows; ids that
leave the engine (results, the audit, keyed draws) are ``row + offset``, made by
:meth:`PostTable.ids`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..network.graph import ROLES
from ..state import StateArray, declare
from .arrays import GrowableTable

__all__ = ["POST_ARRAYS", "POST_COLUMNS", "FOLDED_COLUMNS", "PostTable"]

_GIVEN = "given by the posting phase"
#: Columns of the post table, one entry per post (see :class:`feedsim.state.StateArray`).
POST_ARRAYS: dict[str, StateArray] = declare(
    StateArray("author", np.int64, None, "the account that made the post", rule=_GIVEN, writers=("posting",)),
    StateArray("created", np.float64, None, "hour the post was made", rule=_GIVEN, writers=("posting",)),
    StateArray("appeal", np.float64, None, "how engaging the post is (multiplier, 1 = typical)", rule=_GIVEN,
               writers=("posting", "user")),
    StateArray("sponsored", np.bool_, None, "made by a campaign", rule=_GIVEN, writers=("posting",)),
    StateArray("off_platform", np.bool_, None, "links off the platform", rule=_GIVEN, writers=("posting",)),
    StateArray("followers_at_creation", np.int64, None, "the author's followers when the post was made",
               rule=_GIVEN, writers=("posting",)),
    StateArray("impressions", np.int64, 0, "times the post was shown", writers=("impressions",)),
    StateArray("follower_impressions", np.int64, 0, "times it was shown to the author's followers",
               writers=("impressions",)),
    StateArray("likes", np.int64, 0, "likes", writers=("engagement",)),
    StateArray("reshares", np.int64, 0, "reshares", writers=("engagement",)),
    StateArray("replies", np.int64, 0, "replies", writers=("engagement",)),
    StateArray("engagements", np.int64, 0, "likes, reshares and replies", writers=("engagement",)),
)
#: Column dtypes of the post table (from :data:`POST_ARRAYS`).
POST_COLUMNS = {name: a.dtype for name, a in POST_ARRAYS.items()}

#: Per-role totals kept for post rows folded away (``keep_posts=False``).
FOLDED_COLUMNS = ("posts", "impressions", "engagements", "seen_posts", "follower_reach_sum", "follower_reach_n")


class PostTable:
    """Rows of posts (see :data:`POST_COLUMNS`), the first live row and the folded totals.

    Parameters
    ----------
    capacity : int
        Rows allocated at first (the table grows by doubling).

    Examples
    --------
    >>> import numpy as np
    >>> t = PostTable(capacity=4)
    >>> t.append(author=np.array([2, 0]), created=np.array([0.5, 0.7]), appeal=np.ones(2),
    ...          sponsored=np.zeros(2, bool), off_platform=np.zeros(2, bool),
    ...          followers_at_creation=np.array([3, 1]))
    >>> t.n, t["author"].tolist(), t.advance_live(now=50.0, max_age_hours=49.4), t.first_live
    (2, [2, 0], 1, 1)
    """

    def __init__(self, capacity: int = 1024) -> None:
        self.table = GrowableTable(POST_COLUMNS, capacity=capacity)
        #: global id of row 0 (rows of expired posts folded away before it)
        self.offset = 0
        #: first row whose post is still live (rows before it can no longer be shown)
        self.first_live = 0
        #: per-role totals of the folded rows (see :meth:`fold_expired`)
        self.folded = {k: np.zeros(len(ROLES)) for k in FOLDED_COLUMNS}

    @property
    def n(self) -> int:
        """Rows held."""
        return self.table.n

    @property
    def total(self) -> int:
        """Posts made so far, folded ones included."""
        return self.table.n + self.offset

    def __getitem__(self, name: str) -> NDArray:
        return self.table[name]

    def columns(self) -> list[str]:
        """Column names."""
        return self.table.columns()

    def append(self, **values: NDArray) -> None:
        """Append rows (columns not given start at 0)."""
        self.table.append(**values)

    def snapshot(self) -> dict[str, NDArray]:
        """Copies of every column."""
        return self.table.snapshot()

    def live_start(self) -> int:
        """The first live row (``first_live``): the seen set's ``stale_below`` (a bound method, so it pickles)."""
        return self.first_live

    def ids(self, rows: NDArray[np.int64]) -> NDArray[np.int64]:
        """Global post ids of table rows (the one place rows become ids)."""
        return rows + self.offset if self.offset else rows

    def advance_live(self, now: float, max_age_hours: float) -> int:
        """Move the live window to posts created after ``now - max_age_hours`` (hours); return ``first_live``.

        The window never moves back (a larger ``max_age_hours`` set mid-run does
        not bring expired posts back).
        """
        cut = int(np.searchsorted(self.table["created"], now - max_age_hours, side="left"))
        self.first_live = max(self.first_live, cut)
        return self.first_live

    def fold_expired(self, role: NDArray[np.int8]) -> int:
        """Fold the rows of expired posts into per-role totals and drop them; return how many.

        Expired posts can no longer be shown, so their rows are final. The totals
        are what :meth:`SimulationResult.role_table` needs. The caller renumbers
        every row the engine holds (``row - m``).

        Parameters
        ----------
        role : ndarray of int8, shape (n_accounts,)
            Role code of every account.
        """
        m = self.first_live
        if m == 0:
            return 0
        t = self.table
        role_of = role[t["author"][:m]]
        k = len(ROLES)
        imp = t["impressions"][:m]
        fol = t["followers_at_creation"][:m]
        has_fol = fol > 0
        frac = np.minimum(1.0, t["follower_impressions"][:m][has_fol] / fol[has_fol])
        f = self.folded
        f["posts"] += np.bincount(role_of, minlength=k)
        f["impressions"] += np.bincount(role_of, weights=imp, minlength=k)
        f["engagements"] += np.bincount(role_of, weights=t["engagements"][:m], minlength=k)
        f["seen_posts"] += np.bincount(role_of, weights=imp > 0, minlength=k)
        f["follower_reach_sum"] += np.bincount(role_of[has_fol], weights=frac, minlength=k)
        f["follower_reach_n"] += np.bincount(role_of[has_fol], minlength=k)
        t.drop_prefix(m)
        self.first_live = 0
        self.offset += m
        return m
