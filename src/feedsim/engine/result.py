"""Results of a run: per-post and per-account arrays, daily series and the summary.

Units: hours for times, counts for impressions and engagements.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from .. import __version__
from .._files import plain
from .._frames import object_frame
from ..errors import InvalidParameterError
from ..metrics import lorenz_curve, normalized_entropy
from ..metrics.registry import METRICS, SummaryInputs, present_accounts
from ..network.graph import ROLES
from ..population.state import POPULATION_ARRAYS
from ..random import SeedInfo
from ..state import result_columns
from .account_state import ACCOUNT_ARRAYS
from .config import SimulationConfig
from .pairs import row_sums
from .platform import IMPRESSION_LOG, SESSION_LOG

__all__ = ["Table", "SimulationResult"]

#: Pairs per block when the viewer-author table is walked (bounds temporaries: the entropy of a
#: block of 2**18 pairs takes about 28 MiB, measured 2026-12-07).
_PAIR_BLOCK = 1 << 18

#: Deprecated columns: name -> (the column it duplicates, why). Read with a DeprecationWarning, not stored.
_POST_ALIASES = {"reach": ("impressions", "a feed never repeats a post to a viewer (exclude_seen=True), so a "
                           "post's unique viewers are its impressions")}


class Table(Mapping):
    """Equal-length NumPy columns with attribute access (``table.author``).

    Examples
    --------
    >>> t = Table({"a": np.arange(3)})
    >>> t.a.tolist(), len(t), list(t)
    ([0, 1, 2], 3, ['a'])
    """

    _columns: dict[str, np.ndarray]  # set with object.__setattr__
    _aliases: dict[str, tuple[str, str]]

    def __init__(self, columns: dict[str, np.ndarray], aliases: dict[str, tuple[str, str]] | None = None) -> None:
        object.__setattr__(self, "_columns", dict(columns))
        object.__setattr__(self, "_aliases", dict(aliases or {}))

    def _alias(self, key: str) -> np.ndarray:
        """A deprecated column: the column it duplicates, with a DeprecationWarning (KeyError if none)."""
        target, why = self.__dict__.get("_aliases", {})[key]
        warnings.warn(f"the column {key!r} is deprecated and will be removed in the next release: {why}; "
                      f"read {target!r} instead", DeprecationWarning, stacklevel=3)
        return self._columns[target]

    def __getitem__(self, key: str) -> np.ndarray:
        try:
            return self._columns[key]
        except KeyError:
            return self._alias(key)

    def __contains__(self, key: object) -> bool:
        return key in self._columns

    def __getattr__(self, key: str) -> np.ndarray:
        # only reached when normal lookup fails; during unpickling or copying
        # ``_columns`` is not set yet, so read the instance dict directly
        try:
            return self.__dict__["_columns"][key]
        except KeyError:
            pass
        try:
            return self._alias(key)
        except KeyError:
            raise AttributeError(key) from None

    def __getstate__(self) -> tuple[dict[str, np.ndarray], dict[str, tuple[str, str]]]:
        return self._columns, self._aliases

    def __setstate__(self, state) -> None:
        columns, aliases = state if isinstance(state, tuple) else (state, {})
        object.__setattr__(self, "_columns", dict(columns))
        object.__setattr__(self, "_aliases", dict(aliases))

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    def __len__(self) -> int:
        return len(next(iter(self._columns.values()))) if self._columns else 0

    def __repr__(self) -> str:
        return f"Table(rows={len(self)}, columns={list(self._columns)})"

    def to_pandas(self):
        """Return the columns as a ``pandas.DataFrame`` (``object`` columns stay ``object``)."""
        return object_frame(self._columns)




class SimulationResult:
    """What a run produced, with the config and seed that reproduce it.

    Attributes
    ----------
    config : SimulationConfig
        Parameters at the start of the run.
    seed : SeedInfo
        Entropy and spawn key of the run's SeedSequence.
    ranker : str
        Name of the ranker the run started with.
    interventions : list of dict
        Interventions that took effect (``hours``, ``action``; a ``set_param``
        also gives ``param`` and ``value``).
    config_history : list of (float, SimulationConfig)
        The config in force from each time on (hours): the start, then one entry
        per ``set_param`` that took effect.
    posts : Table
        One row per post (with ``keep_posts=False``, only the posts still live at
        the end; row ``i`` is post id ``post_id_offset + i``): ``author``,
        ``created`` (hours), ``impressions`` (with ``exclude_seen=True``, the
        default, also its unique viewers: a feed never repeats a post to a
        viewer; ``reach``, the same array, is deprecated), ``likes``, ``reshares``, ``replies``,
        ``engagements``, ``appeal``, ``sponsored``, ``off_platform``,
        ``followers_at_creation``, ``follower_impressions``, ``role``.
    authors : Table
        One row per account: ``node_id``, ``role``, ``posts``, ``impressions``,
        ``reach`` (unique viewers of any of its posts), ``engagements``
        (received), ``engaged`` (given), ``sessions``, ``followers``,
        ``followers_start`` (at the start, or when the account joined),
        ``following``, ``creator`` (positive posting rate when it joined),
        ``active`` (not in a burnout), ``present`` (has not left), ``quit_day``
        (day of the latest burnout, -1 if never), ``burnouts`` (how many),
        ``joined_day`` (0 for the starting accounts), ``left_day`` (-1 if never).
    daily : dict of str to ndarray
        Per-day series (``posts``, ``impressions``, ``engagements``,
        ``sessions``, ``new_follows``, ``creators_posting``, ``creators_active``
        (present creators not in a burnout), ``accounts`` (present),
        ``mean_followers`` (follow edges per present account), ``joins``,
        ``leaves``,
        ``gini_impressions`` (over accounts that posted that day, of the
        impressions they received that day); ``*_by_role`` of shape (days, 5),
        columns in :data:`feedsim.ROLES` order). Only completed days are included.
    impressions : Table or None
        The per-impression log (``viewer``, ``post``, ``time`` (hours), ``slot``
        (0 = top of the session's feed), ``session`` (which of the viewer's
        sessions in the tick), ``in_network``) when ``record_impressions=True``.
    sessions : Table or None
        With ``record_impressions=True``, one row per viewer per tick with a
        session: ``viewer``, ``time`` (hours), ``sessions`` (sessions in the
        tick), ``feed_size`` (attention x sessions), ``candidates``.
    audit : pandas.DataFrame
        With ``Simulation(..., audit=[accounts])``, one row per candidate of each
        audited account's feed in each tick it had sessions: the post, author and
        role, how it arrived, its age, score (and the score's parts for built-in
        rankers), and the session and slot it was shown in (columns in
        :data:`feedsim.engine.audit.AUDIT_COLUMNS`). Empty without an audit.
    stats : dict
        Work done: ticks, sessions, candidates scored, impressions, wall seconds,
        seconds per phase.
    """

    def __init__(self, *, config, seed, ranker, interventions, posts, authors, daily,
                 impressions, sessions=None, pair_table=None, stats, days, folded=None, post_id_offset=0,
                 audit=None) -> None:
        self.config: SimulationConfig = config
        self.seed: SeedInfo = seed
        self.ranker: str = ranker
        self.interventions: list[dict] = interventions
        posts = dict(posts)
        aliases = {}
        if config.exclude_seen:  # results of format 1 and older pickles stored the duplicate
            posts.pop("reach", None)
            aliases = _POST_ALIASES
        self.posts = Table(posts, aliases)
        self.authors = Table(authors)
        self.daily = daily
        self.impressions = Table(impressions) if impressions is not None else None
        self.sessions = Table(sessions) if sessions is not None else None
        #: viewer-author impression counts as CSR ``(ptr, author int32, count)``: row v lists
        #: the authors viewer v was shown, ascending (see :func:`pair_table_from_rows`)
        self._pair_table = pair_table if pair_table is not None else _empty_pairs(len(self.authors))
        self.stats = stats
        self.days = days
        #: per-role totals of post rows folded away during the run (``keep_posts=False``)
        self.folded = folded
        #: global id of the first row of ``posts`` (0 unless rows were folded away)
        self.post_id_offset = int(post_id_offset)
        self.version = __version__
        if audit is None:
            from .audit import empty_audit

            audit = empty_audit()
        self.audit = audit

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        if self.config.exclude_seen and "reach" in self.posts:  # pickled by feedsim 0.2
            cols = dict(self.posts.items())
            cols.pop("reach")
            self.posts = Table(cols, _POST_ALIASES)

    @property
    def _pairs(self) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
        """Viewer-author impression counts as rows ``(viewer, author, counts)``, sorted (new arrays)."""
        ptr, author, count = self._pair_table
        viewer = np.repeat(np.arange(len(ptr) - 1, dtype=np.int64), np.diff(ptr))
        return viewer, author.astype(np.int64), count.astype(np.int64)

    @property
    def config_history(self) -> list[tuple[float, SimulationConfig]]:
        """The config in force from each time on: ``[(0.0, config), (hours, changed), ...]``.

        Built from :attr:`config` and the ``set_param`` entries of
        :attr:`interventions`, so it survives ``save``/``load_result``.

        Examples
        --------
        >>> import feedsim
        >>> sim = feedsim.Simulation(feedsim.networks.default_community(200, seed=0), seed=0)
        >>> sim.set_param("out_of_network_share", 0.25, at_day=1)
        >>> res = sim.run(days=2)
        >>> [(h, c.out_of_network_share) for h, c in res.config_history]
        [(0.0, 0.0), (24.0, 0.25)]
        """
        out = [(0.0, self.config)]
        for item in self.interventions:
            if "param" in item:
                out.append((float(item["hours"]), out[-1][1].replace(**{item["param"]: item["value"]})))
        return out

    # ---------------------------------------------------------------- metrics
    def roles_present(self) -> list[int]:
        """Role codes with at least one account."""
        return [int(r) for r in np.flatnonzero(np.bincount(self.authors.role, minlength=len(ROLES)))]

    def role_table(self) -> dict[str, NDArray]:
        """Per-role aggregates as arrays indexed by role code.

        Keys: ``accounts``, ``posts``, ``impressions``, ``engagements``,
        ``seen_posts`` (posts with >= 1 impression), ``follower_reach`` (mean share
        of the author's followers reached per post, over posts whose author had
        followers).
        """
        k = len(ROLES)
        P = self.posts
        role = P.role
        fol = P.followers_at_creation
        has_fol = fol > 0
        frac = np.zeros(len(P))
        frac[has_fol] = np.minimum(1.0, P.follower_impressions[has_fol] / fol[has_fol])
        t = {
            "accounts": np.bincount(self.authors.role[present_accounts(self.authors)], minlength=k),
            "posts": np.bincount(role, minlength=k),
            "impressions": np.bincount(role, weights=P.impressions, minlength=k),
            "engagements": np.bincount(role, weights=P.engagements, minlength=k),
            "seen_posts": np.bincount(role, weights=P.impressions > 0, minlength=k),
        }
        reach_sum = np.bincount(role[has_fol], weights=frac[has_fol], minlength=k)
        reach_n = np.bincount(role[has_fol], minlength=k)
        if self.folded is not None:  # rows folded away during the run
            F = self.folded
            for key in ("posts", "impressions", "engagements", "seen_posts"):
                t[key] = t[key] + F[key].astype(t[key].dtype)
            reach_sum = reach_sum + F["follower_reach_sum"]
            reach_n = reach_n + F["follower_reach_n"]
        t["follower_reach"] = np.divide(reach_sum, reach_n, out=np.full(k, np.nan), where=reach_n > 0)
        return t

    def reach_per_post(self) -> NDArray[np.float64]:
        """Mean unique viewers per post, per role code (NaN for roles without posts)."""
        t = self.role_table()
        return np.divide(t["impressions"], t["posts"], out=np.full(len(ROLES), np.nan), where=t["posts"] > 0)

    def author_amplification(self, baseline: SimulationResult) -> NDArray[np.float64]:
        """Per-account amplification against a baseline run of the same population.

        ``(reach per post here) / (reach per post in baseline) - 1``; NaN where the
        account has no posts or no reach in the baseline, and for accounts that
        joined during either run (churn makes them different accounts in the two).
        """
        here = np.divide(self.authors.impressions, self.authors.posts, out=np.full(len(self.authors), np.nan),
                         where=self.authors.posts > 0)
        m = min(len(here), len(baseline.authors))
        there = np.divide(baseline.authors.impressions[:m], baseline.authors.posts[:m],
                          out=np.full(m, np.nan), where=baseline.authors.posts[:m] > 0)
        out = np.full(len(here), np.nan)
        ok = np.isfinite(there) & (there > 0) & np.isfinite(here[:m])
        # accounts that joined during a run are different accounts in the two runs
        for A in (self.authors, baseline.authors):
            if "joined_day" in A:
                ok &= A.joined_day[:m] == 0
        out[:m][ok] = here[:m][ok] / there[ok] - 1.0
        return out

    def exposure_diversity(self) -> float:
        """Mean normalised entropy of authors in each viewer's impressions.

        For viewer ``v`` with impression counts ``n_va`` over authors ``a``:
        ``H_v / ln K_v`` where ``H_v`` is the Shannon entropy of ``n_va`` and
        ``K_v = min(impressions_v, max(following_v, distinct authors seen_v))``:
        the most distinct authors the viewer could have seen. Viewers with
        ``K_v <= 1`` are left out (Pielou 1966 evenness, with the capacity as the
        number of available categories).
        """
        ptr, author, counts = self._pair_table
        n = len(self.authors)
        if len(author) == 0:
            return float("nan")
        ptr = _pad_ptr(ptr, n)
        distinct = np.diff(ptr)
        seen_imp = row_sums(ptr, counts)
        cap = np.minimum(seen_imp, np.maximum(self.authors.following, distinct))
        # viewers in blocks of about _PAIR_BLOCK pairs: a viewer's entropy depends on its
        # own rows only, in the same order, so the values are those of one call over all
        # rows, and the temporaries stay small however long the run
        ent = np.full(n, np.nan)
        edges = np.unique(np.searchsorted(ptr, np.arange(0, int(ptr[-1]), _PAIR_BLOCK), side="right") - 1)
        bounds = np.append(edges, n)
        for v0, v1 in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
            lo, hi = int(ptr[v0]), int(ptr[v1])
            group = np.repeat(np.arange(v1 - v0, dtype=np.int64), distinct[v0:v1])
            ent[v0:v1] = normalized_entropy(group, author[lo:hi], counts[lo:hi], n_groups=v1 - v0,
                                            capacity=cap[v0:v1])
        return float(np.nanmean(ent)) if np.isfinite(ent).any() else float("nan")

    def lorenz(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Lorenz curve of impressions over accounts that posted at least once."""
        return lorenz_curve(self.authors.impressions[self.authors.posts > 0])

    def summary(self, baseline: SimulationResult | None = None) -> dict:
        """The run's metrics as a JSON-serialisable dict.

        Parameters
        ----------
        baseline : SimulationResult, optional
            A chronological run of the same population and seed; when given,
            ``amplification`` per role is ``reach per post / baseline reach per
            post - 1`` (0 = no amplification; in the spirit of Huszár et al.,
            PNAS 2022, who compare reach under the ranked timeline to a
            reverse-chronological control). Without a baseline it is omitted.

        Returns
        -------
        dict
            ``ranker`` and ``days``; then one entry per metric declared in
            :data:`feedsim.metrics.registry.METRICS`, in its order (a number, or a
            dict keyed by role name for per-role metrics; ``None`` where undefined),
            e.g. ``gini_impressions``, ``impression_share``, ``voice_ratio``
            (impression share / post share), ``visibility``, ``exposure_diversity``;
            ``amplification`` only with a ``baseline``; then the ``config``, ``seed``
            and ``interventions`` that reproduce the run. docs/metrics.md lists them.
        """
        inputs = SummaryInputs(self)
        out: dict[str, Any] = {"ranker": self.ranker, "days": self.days}
        out.update((m.name, m.compute(inputs)) for m in METRICS if not m.paired and m.compute is not None)
        out.update(config=self.config.to_dict(), seed=self.seed.to_dict(), interventions=list(self.interventions))
        if baseline is not None:
            _check_baseline(self, baseline)
            base = SummaryInputs(baseline)
            out.update((m.name, m.compute(inputs, base)) for m in METRICS if m.paired and m.compute is not None)
        return plain(out, strict=True)

    def __repr__(self) -> str:
        return (f"SimulationResult(ranker={self.ranker!r}, days={self.days:g}, users={len(self.authors)}, "
                f"posts={int(self.authors.posts.sum())}, impressions={int(self.authors.impressions.sum())})")

    # ---------------------------------------------------------------- tables (pandas)
    def daily_frame(self) -> pd.DataFrame:
        """The daily series as one tidy long table: a row per day x role x metric.

        Returns
        -------
        pandas.DataFrame
            Columns ``day`` (int64, 0 = the first simulated day), ``role``
            (``object``: a name of :data:`feedsim.ROLES`, or ``"all"`` for a
            series without roles), ``metric`` (the series name; ``impressions_by_role`` becomes
            metric ``impressions`` with one row per role, next to the total
            ``impressions`` with role ``"all"``) and ``value`` (float64). Rows
            are ordered by metric (in :attr:`daily` order), then role, then day.

        Examples
        --------
        >>> import feedsim
        >>> G = feedsim.networks.default_community(200, seed=0)
        >>> res = feedsim.Simulation(G, seed=0).run(days=2)
        >>> df = res.daily_frame()
        >>> list(df.columns)
        ['day', 'role', 'metric', 'value']
        >>> per_role = df[(df.metric == "posts") & (df.role != "all")].groupby("day")["value"].sum()
        >>> per_role.tolist() == df[(df.metric == "posts") & (df.role == "all")]["value"].tolist()
        True
        """
        days, roles, metrics, values = [np.zeros(0, np.int64)], [], [], [np.zeros(0, np.float64)]
        for key, vals in self.daily.items():
            arr = np.asarray(vals, dtype=np.float64)
            n_days = arr.shape[0]
            if key.endswith("_by_role") and arr.ndim == 2:
                roles.append(np.repeat(np.array(ROLES, dtype=object), n_days))
                days.append(np.tile(np.arange(n_days, dtype=np.int64), len(ROLES)))
                values.append(arr.T.reshape(-1))
                key = key[: -len("_by_role")]
            else:
                roles.append(np.full(n_days, "all", dtype=object))
                days.append(np.arange(n_days, dtype=np.int64))
                values.append(arr.reshape(-1))
            metrics.append(np.full(len(days[-1]), key, dtype=object))
        return object_frame({"day": np.concatenate(days), "role": np.concatenate([np.zeros(0, object), *roles]),
                             "metric": np.concatenate([np.zeros(0, object), *metrics]),
                             "value": np.concatenate(values)})

    def to_frames(self) -> dict[str, pd.DataFrame]:
        """The result's tables as pandas DataFrames.

        Returns
        -------
        dict of str to pandas.DataFrame
            ``posts`` (one row per post in :attr:`posts`, index ``post`` = the
            global post id, ``post_id_offset + row``), ``authors`` (one row per
            account, index ``account`` = the account's row), ``daily``
            (:meth:`daily_frame`), and with ``record_impressions=True`` also
            ``impressions`` and ``sessions``. Columns are the arrays of the
            tables, unchanged, except ``role``, which holds role names
            (``"quiet"``) instead of codes.

        Examples
        --------
        >>> import feedsim
        >>> G = feedsim.networks.default_community(200, seed=0)
        >>> res = feedsim.Simulation(G, seed=0).run(days=1)
        >>> frames = res.to_frames()
        >>> sorted(frames)
        ['authors', 'daily', 'posts']
        >>> int(frames["posts"].groupby("role")["impressions"].sum().sum()) == int(res.posts.impressions.sum())
        True
        """
        names = np.array(ROLES, dtype=object)

        def frame(table: Table, index_name: str, offset: int = 0) -> pd.DataFrame:
            cols = {k: (names[v] if k == "role" else v) for k, v in table.items()}
            return object_frame(cols, pd.RangeIndex(offset, offset + len(table), name=index_name))

        out = {"posts": frame(self.posts, "post", self.post_id_offset),
               "authors": frame(self.authors, "account"),
               "daily": self.daily_frame()}
        if self.impressions is not None:
            out["impressions"] = self.impressions.to_pandas()
        if self.sessions is not None:
            out["sessions"] = self.sessions.to_pandas()
        return out

    # ---------------------------------------------------------------- saving
    def save(self, path, *, overwrite: bool = False) -> str:
        """Save the result to the directory ``path``: Parquet tables and a JSON record.

        The directory holds ``posts``, ``authors``, ``daily`` and ``pairs`` (and
        with ``record_impressions=True`` ``impressions`` and ``sessions``) as
        Parquet files, ``result.json`` with the config, seed (entropy and
        spawn key), ranker, interventions, run statistics and the versions of
        feedsim, NumPy, SciPy, pandas, pyarrow and Python, and ``SHA256SUMS``
        with the SHA-256 of each of them. Load it with
        :func:`feedsim.load_result`; see :mod:`feedsim.results_io`.

        Parameters
        ----------
        path : str or path-like
            The directory to create (written next to it, then renamed into place).
        overwrite : bool, default False
            Replace a result saved there before.

        Returns
        -------
        str
            ``path``.

        Raises
        ------
        MissingDependencyError
            Without pyarrow: ``pip install "feedsim[io]"``.
        ResultFileError
            If ``path`` exists (without ``overwrite``) or cannot be written.

        Examples
        --------
        >>> import os, tempfile, feedsim
        >>> res = feedsim.Simulation(feedsim.networks.default_community(200, seed=0), seed=0).run(days=1)
        >>> path = res.save(os.path.join(tempfile.mkdtemp(), "run"))
        >>> sorted(os.listdir(path))
        ['SHA256SUMS', 'authors.parquet', 'daily.parquet', 'pairs.parquet', 'posts.parquet', 'result.json']
        """
        from ..results_io import save_result  # noqa: PLC0415 (results_io builds results: imported on use)

        return save_result(self, path, overwrite=overwrite, stacklevel=3)


def _pad_ptr(ptr: NDArray[np.int64], n: int) -> NDArray[np.int64]:
    """CSR pointers extended (or cut) to ``n`` rows; rows past the end are empty."""
    if len(ptr) >= n + 1:
        return ptr[: n + 1]
    return np.concatenate([ptr, np.full(n + 1 - len(ptr), ptr[-1], dtype=np.int64)])


def _empty_pairs(n_rows: int) -> tuple[NDArray[np.int64], NDArray[np.int32], NDArray[np.int64]]:
    return np.zeros(n_rows + 1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.int64)


def pair_table_from_rows(viewer: NDArray, author: NDArray, count: NDArray, n_rows: int):
    """CSR ``(ptr, author, count)`` from the rows of a pair table, sorted by viewer then author.

    The rows are the CSR's entries with their row index written out (as a saved
    result stores them), so the conversion is a count per viewer; ``author`` and
    ``count`` keep their dtypes.

    Raises
    ------
    ValueError
        If the rows are not sorted by (viewer, author) without repeats, or a
        viewer is out of range.

    Examples
    --------
    >>> ptr, a, c = pair_table_from_rows(np.array([0, 0, 2]), np.array([1, 2, 0], np.int32), np.array([3, 1, 1]), 3)
    >>> ptr.tolist(), a.tolist(), c.tolist()
    ([0, 2, 2, 3], [1, 2, 0], [3, 1, 1])
    """
    viewer = np.asarray(viewer, dtype=np.int64)
    author = np.asarray(author)
    if len(viewer) and (viewer[0] < 0 or viewer[-1] >= n_rows):
        raise ValueError(f"pair rows must have viewers in [0, {n_rows}); got {int(viewer.min())}..{int(viewer.max())}")
    step = np.diff(viewer)
    if (step < 0).any() or ((step == 0) & (np.diff(author.astype(np.int64)) <= 0)).any():
        raise ValueError("pair rows must be sorted by (viewer, author) without repeats")
    ptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(viewer, minlength=n_rows), out=ptr[1:])
    return ptr, author, np.asarray(count)


def _concat(chunks: list, dtype: Any) -> np.ndarray:
    return np.concatenate(chunks) if chunks else np.zeros(0, dtype=dtype)


def _distinct_viewers(author: NDArray, n: int) -> NDArray[np.int64]:
    """Distinct viewers per author (each row of the pair table is one distinct pair), in blocks."""
    out = np.zeros(n, dtype=np.int64)
    for lo in range(0, len(author), _PAIR_BLOCK):
        out += np.bincount(author[lo: lo + _PAIR_BLOCK], minlength=n)[:n]
    return out


def result_of(sim, wall_seconds: float) -> SimulationResult:
    """The result of a simulation's run so far, from copies of its state (so the run can continue).

    Called by :meth:`feedsim.Simulation.result`. ``sim`` is the
    :class:`~feedsim.Simulation` (its ``platform``, ``config``, ``seed``,
    ``ranker_name``, ``interventions`` and ``now`` are read; it is not imported
    here, so the two modules form no import cycle).

    Examples
    --------
    >>> import feedsim
    >>> sim = feedsim.Simulation(feedsim.networks.default_community(100, seed=0), seed=0)
    >>> _ = sim.run(days=1)
    >>> res = result_of(sim, wall_seconds=0.0)
    >>> res.days, res.summary() == sim.result().summary()
    (1.0, True)
    """
    p = sim.platform
    acc = p.accounts
    posts = p.posts.snapshot()
    posts["role"] = acc.pop.role[posts["author"]]
    n = p.n_users
    pair_table = p.pairs.table(p.edges, n)
    # the declared arrays that the result reports (StateArray.result), then what is derived from state
    authors = {
        "node_id": np.array(acc.pop.node_ids, dtype=object),
        **result_columns(acc.pop, POPULATION_ARRAYS),
        **result_columns(acc, ACCOUNT_ARRAYS),
        "followers": p.edges.in_degree.copy(),
        "following": p.edges.out_degree().copy(),
        "reach": _distinct_viewers(pair_table[1], n),
    }
    log = sessions = None
    if p.cfg.record_impressions:
        log = {k: _concat(v, IMPRESSION_LOG[k].dtype) for k, v in p.log.items()}
        sessions = {k: _concat(v, SESSION_LOG[k].dtype) for k, v in p.session_log.items()}
    stats: dict[str, Any] = {"ticks": p.tick, **p.stats}  # the ticks run are the clock
    stats["wall_seconds"] = wall_seconds
    stats["phase_seconds"] = dict(p.phase_seconds)
    return SimulationResult(
        config=sim.config,
        seed=sim.seed,
        ranker=sim.ranker_name,
        interventions=list(sim.interventions),
        posts=posts,
        authors=authors,
        daily=p.days.arrays(),
        impressions=log,
        sessions=sessions,
        pair_table=pair_table,
        stats=stats,
        days=sim.now / 24.0,
        folded={k: v.copy() for k, v in p.posts.folded.items()} if p.posts.offset else None,
        post_id_offset=p.posts.offset,
        audit=p.audit.frame() if p.audit is not None else None,
    )


def _check_baseline(result: SimulationResult, baseline: Any) -> None:
    """Refuse a baseline that is not a result of the same starting accounts (same graph)."""
    if not isinstance(baseline, SimulationResult):
        raise InvalidParameterError(
            f"baseline must be a SimulationResult of the same graph (e.g. its chronological run); "
            f"got {type(baseline).__name__} {baseline!r:.60}")
    mine, theirs = result.authors, baseline.authors
    start = [np.flatnonzero(np.asarray(A.joined_day) == 0) if "joined_day" in A else np.arange(len(A))
             for A in (mine, theirs)]
    rule = "baseline must be a run of the same graph (the same starting accounts, roles and follower counts)"
    if len(start[0]) != len(start[1]):
        raise InvalidParameterError(f"{rule}; got a run of {len(start[1])} starting accounts against "
                                    f"{len(start[0])} here")
    for col in ("node_id", "role", "followers_start"):
        if col in mine and col in theirs:
            a, b = np.asarray(mine[col])[start[0]], np.asarray(theirs[col])[start[1]]
            if not np.array_equal(a, b):
                i = int(np.flatnonzero(a != b)[0])
                there, here = (x.item() if isinstance(x, np.generic) else x for x in (b[i], a[i]))
                raise InvalidParameterError(f"{rule}; got a run whose {col} differs (account {i}: "
                                            f"{there!r} there, {here!r} here)")
