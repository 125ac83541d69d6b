"""Results of a run: per-post and per-account arrays, daily series and the summary.

Units: hours for times, counts for impressions and engagements.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from .. import __version__
from .._frames import object_frame
from .._result_format import save_result
from ..errors import InvalidParameterError
from ..metrics import lorenz_curve, normalized_entropy
from ..metrics.registry import METRICS, SummaryInputs, present_accounts
from ..network.graph import ROLES
from ..random import SeedInfo
from .config import SimulationConfig
from .pairs import row_sums
from .snapshot import _PAIR_BLOCK, RunSnapshot, SnapshotSource

__all__ = ["Table", "SimulationResult"]


class Table(Mapping):
    """Equal-length NumPy columns with attribute access (``table.author``).

    Examples
    --------
    >>> t = Table({"a": np.arange(3)})
    >>> t.a.tolist(), len(t), list(t)
    ([0, 1, 2], 3, ['a'])
    """

    _columns: dict[str, np.ndarray]  # set with object.__setattr__

    def __init__(self, columns: dict[str, np.ndarray]) -> None:
        object.__setattr__(self, "_columns", dict(columns))

    def __getitem__(self, key: str) -> np.ndarray:
        return self._columns[key]

    def __getattr__(self, key: str) -> np.ndarray:
        # only reached when normal lookup fails; during unpickling or copying
        # ``_columns`` is not set yet, so read the instance dict directly
        try:
            return self.__dict__["_columns"][key]
        except KeyError:
            raise AttributeError(key) from None

    def __getstate__(self) -> dict[str, np.ndarray]:
        return self._columns

    def __setstate__(self, columns: dict[str, np.ndarray]) -> None:
        object.__setattr__(self, "_columns", dict(columns))

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    def __len__(self) -> int:
        return len(next(iter(self._columns.values()))) if self._columns else 0

    def __repr__(self) -> str:
        return f"Table(rows={len(self)}, columns={list(self._columns)})"

    def to_pandas(self):
        """Return the columns as a ``pandas.DataFrame`` (``object`` columns stay ``object``)."""
        return object_frame(self._columns)


def _clean(x: Any) -> Any:
    """Convert NumPy scalars to Python and NaN/inf to None (strict JSON)."""
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        x = float(x)
        return x if math.isfinite(x) else None
    return x


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
        ``created`` (hours), ``impressions``,
        ``reach`` (unique viewers; a feed never repeats a post to a viewer, so it
        equals ``impressions``; absent when ``exclude_seen=False``), ``likes``, ``reshares``, ``replies``,
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
                 impressions, sessions=None, pairs=None, stats, days, folded=None, post_id_offset=0,
                 pair_table=None, audit=None) -> None:
        self.config: SimulationConfig = config
        self.seed: SeedInfo = seed
        self.ranker: str = ranker
        self.interventions: list[dict] = interventions
        self.posts = Table(posts)
        self.authors = Table(authors)
        self.daily = daily
        self.impressions = Table(impressions) if impressions is not None else None
        self.sessions = Table(sessions) if sessions is not None else None
        # viewer-author impression counts as CSR (ptr, author, count): row v lists the
        # authors viewer v was shown, sorted; given directly (pair_table) or as the
        # (viewer, author, counts) rows of ``pairs``
        if pair_table is None:
            viewer, author, counts = pairs if pairs is not None else (np.zeros(0, np.int64),) * 3
            pair_table = _pair_table(viewer, author, counts, n_rows=len(self.authors))
        self._pair_table = pair_table
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

    @classmethod
    def from_snapshot(cls, snap: RunSnapshot) -> SimulationResult:
        """Build a result from a plain snapshot of a run (see :mod:`feedsim.engine.snapshot`).

        Examples
        --------
        >>> import feedsim
        >>> from feedsim.engine.snapshot import RunSnapshot
        >>> sim = feedsim.Simulation(feedsim.networks.default_community(100, seed=0), seed=0)
        >>> _ = sim.run(days=1)
        >>> res = SimulationResult.from_snapshot(RunSnapshot.of(sim, wall_seconds=0.0))
        >>> res.days, res.summary() == sim.result().summary()
        (1.0, True)
        """
        return cls(
            config=snap.config,
            seed=snap.seed,
            ranker=snap.ranker,
            interventions=snap.interventions,
            posts=snap.posts,
            authors=snap.authors,
            daily=snap.daily,
            impressions=snap.impressions,
            sessions=snap.sessions,
            pair_table=snap.pair_table,
            stats=snap.stats,
            days=snap.days,
            folded=snap.folded,
            post_id_offset=snap.post_id_offset,
            audit=snap.audit,
        )

    @classmethod
    def from_platform(cls, sim: SnapshotSource, wall_seconds: float) -> SimulationResult:
        """Snapshot a simulation's state (copies, so the run can continue) and build its result."""
        return cls.from_snapshot(RunSnapshot.of(sim, wall_seconds))

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
        return _clean(out)

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
        return save_result(self, path, overwrite=overwrite, stacklevel=3)


def _pad_ptr(ptr: NDArray[np.int64], n: int) -> NDArray[np.int64]:
    """CSR pointers extended (or cut) to ``n`` rows; rows past the end are empty."""
    if len(ptr) >= n + 1:
        return ptr[: n + 1]
    return np.concatenate([ptr, np.full(n + 1 - len(ptr), ptr[-1], dtype=np.int64)])


def _pair_table(viewer, author, counts, n_rows: int):
    """CSR ``(ptr, author int32, count)`` from ``(viewer, author, counts)`` rows (summed if repeated)."""
    viewer = np.asarray(viewer, dtype=np.int64)
    author = np.asarray(author, dtype=np.int64)
    counts = np.asarray(counts, dtype=np.int64)
    keys = (viewer << 32) | author
    uniq, inverse = np.unique(keys, return_inverse=True)
    total = np.bincount(inverse.ravel(), weights=counts, minlength=len(uniq)).astype(np.int64)
    rows = max(n_rows, int(viewer.max()) + 1 if len(viewer) else 0)
    ptr = np.zeros(rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(uniq >> 32, minlength=rows), out=ptr[1:])
    return ptr, (uniq & 0xFFFFFFFF).astype(np.int32), total


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
