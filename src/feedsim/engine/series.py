"""The daily series of a run: one value per closed day, and the open day's totals.

Units: days; counts per day.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..metrics import gini
from ..metrics.registry import DAILY_SERIES
from ..network.graph import ROLES

if TYPE_CHECKING:  # pragma: no cover
    from .account_state import AccountState
    from .edges import FollowEdges

__all__ = ["DAILY_SERIES", "DailySeries"]



class DailySeries:
    """One value per closed day of each series in :data:`DAILY_SERIES`, and the open day's totals.

    Examples
    --------
    >>> d = DailySeries()
    >>> d.sessions += 3; d.reset(); d.sessions, sorted(d.series)[:2]
    (0, ['accounts', 'creators_active'])
    """

    def __init__(self) -> None:
        self.series: dict[str, list] = {k: [] for k in DAILY_SERIES}
        #: totals of the day still open
        self.sessions = 0
        self.new_follows = 0
        self.joins = 0
        self.leaves = 0

    def record(self, acc: AccountState, edges: FollowEdges) -> None:
        """Append the closing day's values (before churn: joins and leaves come later)."""
        n_roles = len(ROLES)
        role = acc.pop.role
        d = self.series
        d["posts"].append(int(acc.day_posts.sum()))
        d["impressions"].append(int(acc.day_impressions.sum()))
        d["engagements"].append(int(acc.day_engagements.sum()))
        d["sessions"].append(int(self.sessions))
        d["new_follows"].append(int(self.new_follows))
        d["creators_posting"].append(int(np.count_nonzero(acc.creator & (acc.day_organic_posts > 0))))
        d["creators_active"].append(int(np.count_nonzero(acc.creator & acc.active & acc.present)))
        n_present = int(np.count_nonzero(acc.present))
        d["accounts"].append(n_present)
        # departed accounts have no edges, so every edge joins two present accounts
        d["mean_followers"].append(edges.n_edges / max(n_present, 1))
        d["posts_by_role"].append(np.bincount(role, weights=acc.day_posts, minlength=n_roles).astype(np.int64))
        d["impressions_by_role"].append(
            np.bincount(role, weights=acc.day_impressions, minlength=n_roles).astype(np.int64)
        )
        d["engagements_by_role"].append(
            np.bincount(role, weights=acc.day_engagements, minlength=n_roles).astype(np.int64)
        )
        posted = acc.day_posts > 0
        d["gini_impressions"].append(gini(acc.day_impressions[posted]) if posted.any() else float("nan"))

    def record_churn(self) -> None:
        """Append the day's joins and leaves."""
        self.series["joins"].append(int(self.joins))
        self.series["leaves"].append(int(self.leaves))

    def arrays(self) -> dict[str, np.ndarray]:
        """Copies of the closed days' series as arrays, one row per day.

        Counts are int64 (the ``*_by_role`` series of shape ``(days, roles)``, in
        the order of :data:`feedsim.network.graph.ROLES`); ``gini_impressions``
        and ``mean_followers`` are float64.

        Examples
        --------
        >>> d = DailySeries()
        >>> d.series["posts"] += [3, 5]; d.series["posts_by_role"] += [np.arange(5)] * 2
        >>> a = d.arrays()
        >>> a["posts"].tolist(), a["posts_by_role"].shape, a["sessions"].shape
        ([3, 5], (2, 5), (0,))
        """
        out = {}
        for key, vals in self.series.items():
            if key.endswith("_by_role"):
                out[key] = np.array(vals, dtype=np.int64).reshape(len(vals), len(ROLES))
            elif key in ("gini_impressions", "mean_followers"):
                out[key] = np.array(vals, dtype=np.float64)
            else:
                out[key] = np.array(vals, dtype=np.int64)
        return out

    def reset(self) -> None:
        """Open a new day."""
        self.sessions = 0
        self.new_follows = 0
        self.joins = 0
        self.leaves = 0
