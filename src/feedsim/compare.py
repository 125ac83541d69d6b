"""Run one population under several rankers with common random numbers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ._validate import check_int
from .amplification import group_reach, paired_amplification
from .engine.result import SimulationResult
from .engine.simulation import Simulation
from .errors import InvalidParameterError
from .network.graph import ROLES, FollowGraph
from .random import SeedInfo, as_seed_sequence
from .rankers.registry import get_ranker, ranker_name

__all__ = ["Comparison", "compare", "format_table"]

BASELINE = "chronological"


class Comparison:
    """Results of :func:`compare`: one run per ranker on the same population and seed.

    Attributes
    ----------
    results : dict of str to SimulationResult
        One result per requested ranker, in the order given.
    baseline : SimulationResult
        The chronological run amplification is measured against (one of
        ``results`` when ``chronological`` was requested).
    summaries : dict of str to dict
        ``result.summary(baseline=baseline)`` per ranker.
    config : dict
        What reproduces the comparison: rankers, days, seed, parameters.
    replicates : int
        Number of paired replicates (1 unless ``compare(..., replicates=R)``).
    amplification : dict or None
        With ``replicates > 1``: per ranker, ``{"role": {role: stats},
        "followers": {group: stats}}`` where stats come from
        :func:`feedsim.amplification.paired_amplification` (estimate, 95 %
        interval, per-replicate values). None for a single replicate.
    replicate_reach : dict or None
        With ``replicates > 1``: per ranker (and the chronological baseline), one
        :func:`feedsim.amplification.group_reach` table per replicate
        (impressions and posts per role and follower group).
    """

    def __init__(self, results: dict[str, SimulationResult], baseline: SimulationResult, config: dict,
                 amplification: dict | None = None, replicates: int = 1,
                 replicate_reach: dict | None = None) -> None:
        self.results = results
        self.baseline = baseline
        self.config = config
        self.summaries = {name: res.summary(baseline=baseline) for name, res in results.items()}
        self.amplification = amplification
        self.replicates = replicates
        self.replicate_reach = replicate_reach

    def to_dict(self) -> dict:
        """``{"config": ..., "rankers": {name: summary}}``, JSON-serialisable.

        With replicates, also ``"amplification_ci"`` (see :attr:`amplification`).
        """
        out = {"config": self.config, "rankers": self.summaries}
        if self.amplification is not None:
            out["amplification_ci"] = self.amplification
        return out

    def amplification_table(self) -> str:
        """Amplification per ranker and author group with its interval (replicates only)."""
        return format_amplification(self.amplification or {}, self.replicates)

    def table(self) -> str:
        """A readable table per ranker and role."""
        return format_table(self.summaries)

    def __repr__(self) -> str:
        return f"Comparison(rankers={list(self.results)})"


def _fmt(x: Any, pct: bool = False) -> str:
    if x is None:
        return "-"
    if pct:
        return f"{100 * x:6.1f}%"
    return f"{x:7.3f}"


def format_table(summaries: dict[str, dict]) -> str:
    """Format summaries as plain text: overall metrics, then one row per role.

    Examples
    --------
    >>> print(format_table({}))
    <BLANKLINE>
    """
    lines = []
    for name, s in summaries.items():
        lines.append(f"== {name} ==  ({s['n_users']} users, {s['days']:g} days, {s['n_posts']} posts, "
                     f"{s['n_impressions']} impressions, {s['n_engagements']} engagements)")
        lines.append(
            "   Gini of impressions {g}   top 1% share {t}   exposure diversity {d}   "
            "creator retention {r}   posts seen {v}".format(
                g=_fmt(s["gini_impressions"]).strip(),
                t=_fmt(s["top1_share"], pct=True).strip(),
                d=_fmt(s["exposure_diversity"]).strip(),
                r=_fmt(s["creator_retention"], pct=True).strip(),
                v=_fmt(s["visibility_all"], pct=True).strip(),
            )
        )
        head = (f"   {'role':<11}{'posts':>9}{'impressions':>13}{'voice':>9}{'visible':>9}"
                f"{'followers':>11}{'amplif.':>10}")
        lines.append(head)
        lines.append("   " + "-" * (len(head) - 3))
        amp = s.get("amplification", {})
        for role in s["post_share"]:
            lines.append(
                f"   {role:<11}{_fmt(s['post_share'][role], True):>9}{_fmt(s['impression_share'][role], True):>13}"
                f"{_fmt(s['voice_ratio'][role]):>9}{_fmt(s['visibility'][role], True):>9}"
                f"{_fmt(s['follower_reach'][role], True):>11}"
                f"{(_fmt(amp[role], True) if amp.get(role) is not None else '-'):>10}"
            )
        lines.append("")
    if lines:
        lines.append("posts/impressions: share of all; voice = impression share / post share; visible: share of "
                     "posts seen by anyone;\nfollowers: mean share of the author's followers reached per post; "
                     "amplif.: reach per post vs chronological - 1.")
    return "\n".join(lines)


def format_amplification(amplification: dict, replicates: int) -> str:
    """Plain-text table of amplification with confidence intervals.

    Examples
    --------
    >>> print(format_amplification({}, 3))
    <BLANKLINE>
    """
    lines = []
    for name, by in amplification.items():
        lines.append(f"== {name}: amplification vs chronological, {replicates} paired replicates, 95% CI ==")
        for kind, title in (("role", "role"), ("followers", "followers")):
            lines.append(f"   {title:<11}{'amplif.':>10}{'95% CI':>22}{'n':>5}")
            for group, st in by.get(kind, {}).items():
                if st["estimate"] is None:
                    lines.append(f"   {group:<11}{'-':>10}{'-':>22}{st['n']:>5}")
                    continue
                ci = ("-" if st["ci_low"] is None
                      else f"[{100 * st['ci_low']:+.1f}%, {100 * st['ci_high']:+.1f}%]")
                lines.append(f"   {group:<11}{100 * st['estimate']:>+9.1f}%{ci:>22}{st['n']:>5}")
        lines.append("")
    if lines:
        lines.append("amplif.: reach per post of the group's posts vs the chronological run of the same replicate, "
                     "minus 1\n(geometric mean over replicates); CI: paired t-interval on log ratios.")
    return "\n".join(lines)


def compare(
    graph: Any,
    rankers: Sequence[str | Callable] = ("chronological", "engagement"),
    *,
    days: float = 14,
    seed: Any = None,
    progress: bool = False,
    replicates: int = 1,
    **params: Any,
) -> Comparison:
    """Run the same population and seed under each ranker and compare them.

    Every run uses the same SeedSequence, so posting and session draws are
    identical across rankers wherever the ranker does not change behaviour
    (common random numbers): differences are the ranker's doing, not noise.
    Amplification is measured against the ``chronological`` run (run as an extra
    baseline if not requested).

    Parameters
    ----------
    graph : networkx.DiGraph, FollowGraph or scipy.sparse matrix
        The follow graph (edge ``(u, v)``: u follows v).
    rankers : sequence of str or callable
        Rankers to compare (names or callables; names must be distinct).
    days : float, default 14
        Simulated days per run.
    seed : int, SeedSequence, Generator or None
        Shared by every run.
    progress : bool, default False
        Show a progress bar per run.
    replicates : int, default 1
        Number of paired replicates ``R``. With ``R > 1`` replicate ``r`` runs
        every arm (and the chronological baseline) on
        ``SeedSequence(entropy, spawn_key=spawn_key + (r,))`` of ``seed``
        (common random numbers across arms); ``results`` and ``summaries``
        are those of replicate 0 and :attr:`Comparison.amplification` holds,
        per ranker, role and follower group, the amplification with a 95 %
        paired t-interval on log ratios
        (:func:`feedsim.amplification.paired_amplification`). With ``R = 1``
        the comparison is exactly the single run on ``seed``.
    **params
        Passed to :class:`~feedsim.Simulation` (e.g. ``out_of_network_share``).

    Returns
    -------
    Comparison

    Examples
    --------
    >>> import feedsim
    >>> G = feedsim.networks.default_community(400, seed=3)
    >>> cmp = feedsim.compare(G, ["chronological", "engagement"], days=2, seed=3)
    >>> cmp.summaries["chronological"]["amplification"]["regular"]
    0.0
    """
    if isinstance(rankers, str):
        rankers = [r.strip() for r in rankers.split(",") if r.strip()]
    rankers = list(rankers)
    if not rankers:
        raise InvalidParameterError("rankers must name at least one ranker; got an empty list")
    names = [ranker_name(r) for r in rankers]
    for r in rankers:
        get_ranker(r)
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise InvalidParameterError(f"rankers must have distinct names; got {', '.join(dupes)} more than once")
    replicates = check_int("replicates", replicates, low=1)
    fg = FollowGraph.coerce(graph)
    ss = as_seed_sequence(seed)
    if replicates > 1:
        return _compare_replicates(fg, rankers, names, days, ss, progress, replicates, params)

    def run(r, sim=None):
        sim = sim if sim is not None else Simulation(fg, ranker=r, seed=ss, **params)
        return sim.run(days=days, progress=progress)

    # building the first run validates everything before any run starts
    pending: Simulation | None = Simulation(fg, ranker=rankers[0], seed=ss, **params)
    results: dict[str, SimulationResult] = {}
    for name, r in zip(names, rankers):
        results[name] = run(r, pending)
        pending = None  # each run's state goes once its result is made
    baseline = results.get(BASELINE) or run(BASELINE)
    first = next(iter(results.values()))
    config = {
        "rankers": names,
        "days": days,
        "seed": first.seed.to_dict(),
        "n_users": fg.n_users,
        "n_edges": fg.n_edges,
        "params": first.config.to_dict(),
        "versions": {"feedsim": first.version, "numpy": np.__version__},
        "roles": list(ROLES),
    }
    return Comparison(results, baseline, config)


def _compare_replicates(fg, rankers, names, days, ss, progress, replicates, params) -> Comparison:
    """Paired replicates: every arm on the same child seed per replicate."""
    Simulation(fg, ranker=rankers[0], seed=ss, **params)  # validate before any long run
    arms = list(zip(names, rankers))
    if BASELINE not in names:
        arms.append((BASELINE, BASELINE))
    reach: dict[str, list] = {name: [] for name, _ in arms}
    first: dict[str, SimulationResult] = {}
    for r in range(replicates):
        child = np.random.SeedSequence(ss.entropy, spawn_key=tuple(ss.spawn_key) + (r,))
        for name, rk in arms:
            res = Simulation(fg, ranker=rk, seed=child, **params).run(days=days, progress=progress)
            reach[name].append(group_reach(res))
            if r == 0:
                first[name] = res
    # ranker -> "role" or "followers" -> group -> paired_amplification's dict
    amplification: dict[str, dict[str, dict[str, dict[str, Any]]]] = {}
    for name in names:
        amplification[name] = {}
        for kind in ("role", "followers"):
            table = {}
            for group in reach[name][0][kind]:
                t = [rep[kind][group][0] / rep[kind][group][1] if rep[kind][group][1] else np.nan
                     for rep in reach[name]]
                c = [rep[kind][group][0] / rep[kind][group][1] if rep[kind][group][1] else np.nan
                     for rep in reach[BASELINE]]
                table[group] = paired_amplification(t, c)
            amplification[name][kind] = table
    results = {name: first[name] for name in names}
    head = first[names[0]]
    config = {
        "rankers": names,
        "days": days,
        "seed": SeedInfo(ss.entropy, tuple(ss.spawn_key)).to_dict(),
        "n_users": fg.n_users,
        "n_edges": fg.n_edges,
        "params": head.config.to_dict(),
        "versions": {"feedsim": head.version, "numpy": np.__version__},
        "roles": list(ROLES),
        "replicates": replicates,
        "replicate_seeds": "SeedSequence(entropy, spawn_key=spawn_key + (r,)) for r in range(replicates)",
    }
    from ._files import plain

    return Comparison(results, first[BASELINE], config, amplification=plain(amplification, strict=True),
                      replicates=replicates, replicate_reach=reach)
