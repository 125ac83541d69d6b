"""The posts of a simulation, as user processes see them: ``sim.posts``.

Post ids count every post of the run in creation order (0, 1, ...), the same
numbering as ``result.posts``. With ``keep_posts=False`` the rows of expired posts
are folded away during the run, so only ids from :attr:`Posts.first_id` on can be
read or changed. Columns are read-only copies taken when they are read; the one
editable column is ``appeal`` (through :meth:`Posts.set`), which acts from the next
tick: the feeds and the engagement draws read it then.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validate import check_array
from ..errors import InvalidParameterError
from .posts import POST_COLUMNS

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .simulation import Simulation

__all__ = ["EDITABLE_POST_COLUMNS", "Posts"]

#: Post columns user code may change, with their meaning.
EDITABLE_POST_COLUMNS = {
    "appeal": "the post's engagement multiplier (finite, >= 0; drawn with mean 1 x the author's quality)",
}


class Posts:
    """The posts kept by a simulation, indexed by post id (see the module docstring).

    Use ``sim.posts``; do not build one directly. Times are hours since the start.

    Parameters
    ----------
    sim : Simulation
        The simulation whose posts these are.

    Attributes
    ----------
    author, created, appeal, sponsored, off_platform, followers_at_creation : ndarray
        Read-only copies of the kept rows, aligned with :attr:`ids` (``created`` in
        hours).
    impressions, follower_impressions, likes, reshares, replies, engagements : ndarray
        The posts' counts so far, read-only copies aligned with :attr:`ids`.

    Examples
    --------
    >>> import feedsim
    >>> sim = feedsim.Simulation(feedsim.networks.default_community(200, seed=0), seed=0)
    >>> _ = sim.run(days=1)
    >>> P = sim.posts
    >>> len(P) == len(P.ids) and P.first_id == 0 and bool((P.created < 24).all())
    True
    >>> mine = P.ids[P.author == 3]
    >>> before = P.appeal[mine]                     # a copy, read now
    >>> P.set("appeal", mine, 0.5 * before)         # checked, then written
    >>> bool((P.appeal[mine] == 0.5 * before).all())
    True
    >>> P.set("appeal", mine, -1.0)
    Traceback (most recent call last):
    ...
    feedsim.errors.InvalidParameterError: posts.appeal must be a finite number >= 0.0; got -1.0 (post 54)
    """

    __slots__ = ("_sim",)

    def __init__(self, sim: Simulation) -> None:
        self._sim = sim

    @property
    def _table(self) -> Any:
        return self._sim.platform.posts

    def __len__(self) -> int:
        """Posts kept (ids ``first_id`` to ``first_id + len - 1``)."""
        return int(self._table.n)

    def __repr__(self) -> str:
        return f"<Posts: {len(self)} kept, ids {self.first_id}..{self.first_id + len(self) - 1}>"

    @property
    def first_id(self) -> int:
        """Id of the first kept post (0 unless ``keep_posts=False`` folded older rows away)."""
        return int(self._table.offset)

    @property
    def total(self) -> int:
        """Posts created so far, kept or folded away."""
        return self.first_id + len(self)

    @property
    def ids(self) -> NDArray[np.int64]:
        """Ids of the kept posts, in creation order."""
        return np.arange(self.first_id, self.total, dtype=np.int64)

    def live_ids(self) -> NDArray[np.int64]:
        """Ids of the posts still live (younger than ``max_age_hours``)."""
        return np.arange(self.first_id + int(self._table.first_live), self.total, dtype=np.int64)

    def __getattr__(self, name: str) -> NDArray:
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in POST_COLUMNS:
            raise AttributeError(f"Posts has no column {name!r}; columns: {', '.join(POST_COLUMNS)}")
        out = np.array(self._table[name])
        out.flags.writeable = False
        return out

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "_sim":
            object.__setattr__(self, name, value)
            return
        raise AttributeError(f"set post columns with posts.set(name, ids, values); "
                             f"editable: {', '.join(EDITABLE_POST_COLUMNS)}")

    def to_frame(self) -> pd.DataFrame:
        """Every column of the kept posts as a DataFrame (index: post id).

        Examples
        --------
        >>> import feedsim
        >>> sim = feedsim.Simulation(feedsim.networks.default_community(200, seed=0), seed=0)
        >>> _ = sim.run(days=1)
        >>> df = sim.posts.to_frame()
        >>> len(df) == len(sim.posts) and {"author", "appeal", "likes"} <= set(df.columns)
        True
        """
        import pandas as pd

        frame = pd.DataFrame({name: getattr(self, name) for name in POST_COLUMNS}, index=self.ids)
        return frame.rename_axis("post")

    def set(self, name: str, ids: ArrayLike, value: ArrayLike) -> None:
        """Check ``value`` and write it to column ``name`` of posts ``ids``.

        Parameters
        ----------
        name : str
            One of :data:`EDITABLE_POST_COLUMNS`.
        ids : array_like of int
            Post ids, each in ``[first_id, total)``.
        value : float or array_like
            New values (broadcast to the ids).

        Raises
        ------
        InvalidParameterError
            For an unknown column, an id that is not kept, or a value out of bounds
            (nothing is written then).
        """
        if name not in EDITABLE_POST_COLUMNS:
            raise InvalidParameterError(f"name must be one of {', '.join(EDITABLE_POST_COLUMNS)}; got {name!r}")
        idx = np.asarray(ids)
        lo, hi = self.first_id, self.total
        if idx.size and (idx.dtype.kind not in "iu" or idx.min() < lo or idx.max() >= hi):
            flat = idx.ravel()
            bad = flat[(flat < lo) | (flat >= hi)][0] if idx.dtype.kind in "iu" else flat[0]
            raise InvalidParameterError(f"ids must be kept post ids (whole numbers in [{lo}, {hi})); got {bad!r}")
        rows = idx.astype(np.int64).ravel() - lo
        vals = np.broadcast_to(np.asarray(value), idx.shape).ravel()
        try:
            vals = check_array(f"posts.{name}", vals, low=0.0)
        except InvalidParameterError as err:
            head, sep, tail = str(err).rpartition(" (index ")
            msg = f"{head} (post {int(rows[int(tail.rstrip(')'))] + lo)})" if sep else str(err)
            raise InvalidParameterError(msg) from None
        self._table[name][rows] = vals
