"""The one declaration of every metric and daily series feedsim reports.

Each :class:`Metric` names a quantity of :meth:`feedsim.SimulationResult.summary`,
its kind (one value per run, per role, or per follower group), its feasible range,
a label in plain words and the function that computes it. Summaries, sweeps
(which metrics a spec may keep and the range their intervals respect), the
figures' axis labels and the docs all read this table, so a metric is added or
changed in one place.

Each :class:`Series` names one per-day series of
:attr:`feedsim.SimulationResult.daily` (whether it has one column per role, and
its label). The engine records exactly these series.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..network.graph import ROLES
from .inequality import gini, top_share

__all__ = [
    "Metric",
    "METRICS",
    "SCALAR_METRICS",
    "ROLE_METRICS",
    "GROUP_METRICS",
    "PAIRED_METRICS",
    "METRIC_BOUNDS",
    "metric",
    "Series",
    "DAILY",
    "DAILY_SERIES",
    "markdown_table",
]


@dataclass(frozen=True)
class Metric:
    """One reported metric.

    Attributes
    ----------
    name : str
        Key in :meth:`~feedsim.SimulationResult.summary` (and the sweep column
        prefix: ``voice_ratio.quiet``).
    kind : {"scalar", "role", "group"}
        One value per run, one per role (a dict keyed by role name), or one per
        follower group (:data:`feedsim.amplification.FOLLOWER_GROUPS`).
    low, high : float
        Feasible range; intervals over replicates never leave it.
    label : str
        The metric in plain words (axis labels, the docs table).
    paired : bool
        Computed from a run and its chronological partner on the same seed, not
        from the run alone.
    compute : callable or None
        ``compute(inputs)`` for a run's own metrics, ``compute(inputs, baseline_inputs)``
        for paired ones (``None`` where another module computes it, named in the label).
    source : str
        The paper the measure comes from (author and year; the docs list the full
        references); empty for a count or a measure defined by feedsim.
    """

    name: str
    kind: str
    low: float
    high: float
    label: str
    paired: bool = False
    compute: Callable[..., Any] | None = None
    source: str = ""


_GINI = "Gini (1912)"
_HUSZAR = "Huszár et al. (2022)"


class SummaryInputs:
    """Per-run aggregates the metric functions share, each computed once.

    Parameters
    ----------
    result : SimulationResult
        The run.
    """

    def __init__(self, result: Any) -> None:
        self.result = result
        self.A = result.authors
        self.posted = self.A.posts > 0
        self.t = result.role_table()
        self.present = result.roles_present()

    @cached_property
    def post_share(self) -> NDArray[np.float64]:
        return self.t["posts"] / max(int(self.t["posts"].sum()), 1)

    @cached_property
    def total_impressions(self) -> float:
        return float(self.t["impressions"].sum())

    @cached_property
    def impression_share(self) -> NDArray[np.float64]:
        tot = self.total_impressions
        return self.t["impressions"] / tot if tot > 0 else np.zeros(len(ROLES))

    @cached_property
    def reach_per_post(self) -> NDArray[np.float64]:
        return self.result.reach_per_post()

    def per_role(self, values: NDArray) -> dict[str, float]:
        """``{role name: value}`` for the roles with accounts."""
        return {ROLES[r]: float(values[r]) for r in self.present}

    def over_posters(self, fn: Callable[[NDArray], float], values: NDArray) -> float:
        return fn(values[self.posted]) if self.posted.any() else float("nan")


def _ratio(num: NDArray, den: NDArray) -> NDArray[np.float64]:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def present_accounts(A) -> NDArray[np.bool_]:
    """Accounts still on the platform at the end (all of them for results without churn data)."""
    return A.present if "present" in A else np.ones(len(A), dtype=bool)


def _retention(s: SummaryInputs) -> float:
    creator = s.A.creator & present_accounts(s.A)
    return float(np.mean(s.A.active[creator])) if creator.any() else float("nan")


def _amplification(s: SummaryInputs, base: SummaryInputs) -> dict[str, float]:
    return s.per_role(_ratio(s.reach_per_post, base.reach_per_post) - 1.0)


_INF = math.inf
#: Every metric, in the order :meth:`~feedsim.SimulationResult.summary` reports them.
METRICS: tuple[Metric, ...] = (
    Metric("n_users", "scalar", 0, _INF, "accounts ever on the platform", compute=lambda s: len(s.A)),
    Metric("n_posts", "scalar", 0, _INF, "posts", compute=lambda s: int(s.t["posts"].sum())),
    Metric("n_impressions", "scalar", 0, _INF, "impressions", compute=lambda s: int(s.total_impressions)),
    Metric("n_engagements", "scalar", 0, _INF, "engagements", compute=lambda s: int(s.t["engagements"].sum())),
    Metric("n_sessions", "scalar", 0, _INF, "sessions", compute=lambda s: int(s.A.sessions.sum())),
    Metric("gini_impressions", "scalar", 0, 1, "Gini coefficient of impressions (0 = even, 1 = one account gets all)",
           compute=lambda s: s.over_posters(gini, s.A.impressions), source=_GINI),
    Metric("gini_engagements", "scalar", 0, 1, "Gini coefficient of engagements",
           compute=lambda s: s.over_posters(gini, s.A.engagements), source=_GINI),
    Metric("gini_followers", "scalar", 0, 1, "Gini coefficient of followers",
           compute=lambda s: gini(s.A.followers[present_accounts(s.A)]), source=_GINI),
    Metric("top1_share", "scalar", 0, 1, "share of impressions going to the top 1% of accounts",
           compute=lambda s: s.over_posters(lambda x: top_share(x, 0.01), s.A.impressions)),
    Metric("post_share", "role", 0, 1, "share of posts", compute=lambda s: s.per_role(s.post_share)),
    Metric("impression_share", "role", 0, 1, "share of impressions",
           compute=lambda s: s.per_role(s.impression_share)),
    Metric("voice_ratio", "role", 0, _INF, "voice ratio (share of impressions / share of posts)",
           compute=lambda s: s.per_role(_ratio(s.impression_share, s.post_share))),
    Metric("visibility", "role", 0, 1, "share of posts seen by anyone",
           compute=lambda s: s.per_role(_ratio(s.t["seen_posts"], s.t["posts"]))),
    Metric("visibility_all", "scalar", 0, 1, "share of posts seen by anyone",
           compute=lambda s: float(s.t["seen_posts"].sum() / s.t["posts"].sum()) if s.t["posts"].sum()
           else float("nan")),
    Metric("follower_reach", "role", 0, 1, "share of the author's followers reached per post",
           compute=lambda s: s.per_role(s.t["follower_reach"])),
    Metric("reach_per_post", "role", 0, _INF, "people reached per post",
           compute=lambda s: s.per_role(s.reach_per_post)),
    Metric("engagement_per_post", "role", 0, _INF, "engagements per post",
           compute=lambda s: s.per_role(_ratio(s.t["engagements"], s.t["posts"]))),
    Metric("exposure_diversity", "scalar", 0, 1, "exposure diversity (0 = one author, 1 = evenly spread)",
           compute=lambda s: s.result.exposure_diversity(), source="Shannon (1948); Pielou (1966) evenness"),
    Metric("creator_retention", "scalar", 0, 1, "share of creators still posting", compute=_retention),
    Metric("amplification", "role", -1, _INF, "reach per post vs chronological - 1", paired=True,
           compute=_amplification, source=_HUSZAR),
    # computed by feedsim.amplification.split_amplification from a run and its chronological partner
    Metric("follower_amplification", "group", -1, _INF, "reach per post vs chronological - 1", paired=True,
           source=_HUSZAR),
)

_BY_NAME = {m.name: m for m in METRICS}


def metric(name: str) -> Metric:
    """The declaration of metric ``name`` (a column such as ``voice_ratio.quiet`` names its family).

    Examples
    --------
    >>> metric("voice_ratio.quiet").kind, metric("gini_impressions").high
    ('role', 1)
    """
    return _BY_NAME[name.partition(".")[0]]


#: Metrics with one value per run.
SCALAR_METRICS = tuple(m.name for m in METRICS if m.kind == "scalar")
#: Metrics with one value per role, kept as ``name.role`` (``impression_share.quiet``).
ROLE_METRICS = tuple(m.name for m in METRICS if m.kind == "role")
#: Metrics with one value per follower group, kept as ``name.group`` (``follower_amplification.0-19``).
GROUP_METRICS = tuple(m.name for m in METRICS if m.kind == "group")
#: Metrics computed from a run and its chronological partner (same seed), not by the run alone.
PAIRED_METRICS = tuple(m.name for m in METRICS if m.paired)
#: Feasible range of each metric family: ``(low, high)``.
METRIC_BOUNDS = {m.name: (float(m.low), float(m.high)) for m in METRICS}


@dataclass(frozen=True)
class Series:
    """One per-day series of :attr:`feedsim.SimulationResult.daily`.

    Attributes
    ----------
    name : str
        Key in ``result.daily``.
    label : str
        Plain words (axis labels, the docs).
    by_role : bool
        One column per role (shape ``(days, 5)``, columns in :data:`feedsim.ROLES` order).
    """

    name: str
    label: str
    by_role: bool = False


#: Every daily series, in the order the engine records them.
DAILY: tuple[Series, ...] = (
    Series("posts", "posts per day"),
    Series("impressions", "impressions per day"),
    Series("engagements", "engagements per day"),
    Series("sessions", "sessions per day"),
    Series("new_follows", "new follows per day"),
    Series("creators_posting", "creators who posted that day"),
    Series("creators_active", "creators still active"),
    Series("accounts", "accounts on the platform"),
    Series("mean_followers", "followers per account"),
    Series("joins", "accounts joining per day"),
    Series("leaves", "accounts leaving per day"),
    Series("posts_by_role", "posts per day", by_role=True),
    Series("impressions_by_role", "impressions per day", by_role=True),
    Series("engagements_by_role", "engagements per day", by_role=True),
    Series("gini_impressions", "Gini coefficient of the day's impressions over accounts that posted"),
)
#: Names of the daily series.
DAILY_SERIES = tuple(d.name for d in DAILY)


def markdown_table() -> str:
    """The metrics as a Markdown table (name, kind, range, meaning, source) for the docs.

    Examples
    --------
    >>> print(markdown_table().splitlines()[2])
    | `n_users` | scalar | [0, inf] | accounts ever on the platform | count |
    """
    def num(x: float) -> str:
        return "inf" if x == _INF else "-inf" if x == -_INF else f"{x:g}"

    rows = ["| metric | kind | range | meaning | source |", "| --- | --- | --- | --- | --- |"]
    for m in METRICS:
        words = m.label + (" (needs a chronological run on the same seed)" if m.paired else "")
        source = m.source or ("count" if m.name.startswith("n_") else "defined by feedsim")
        rows.append(f"| `{m.name}` | {m.kind} | [{num(m.low)}, {num(m.high)}] | {words} | {source} |")
    return "\n".join(rows)
