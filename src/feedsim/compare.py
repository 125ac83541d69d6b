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
from .network.generators import default_community
from .network.graph import ROLES, FollowGraph
from .params import check_days
from .random import ReplicateSeeds, as_seed_sequence, replicate_seeds
from .rankers.registry import get_ranker, ranker_name
from .sweeps.intervals import bounded_interval

__all__ = ["Comparison", "compare", "format_table", "replicate_community"]

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
    voice : dict
        Voice ratio per ranker (and the chronological baseline) and role over the
        replicates: ``voice[ranker][role]``
        is ``{"estimate", "ci_low", "ci_high", "n", "values"}`` (the mean with a 95 %
        Student-t interval kept above 0, :func:`feedsim.sweeps.bounded_interval`, as the
        explorer computes it; one value per replicate, the interval NaN for one).
    seeds : list of dict
        Per replicate, the seeds of its community (None for a graph that was given)
        and of its runs (:meth:`feedsim.random.ReplicateSeeds.to_dict`); also in ``config``.
    """

    def __init__(self, results: dict[str, SimulationResult], baseline: SimulationResult, config: dict,
                 amplification: dict | None = None, replicates: int = 1,
                 replicate_reach: dict | None = None, replicate_voice: dict | None = None) -> None:
        self.results = results
        self.baseline = baseline
        self.config = config
        self.summaries = {name: res.summary(baseline=baseline) for name, res in results.items()}
        self.amplification = amplification
        self.replicates = replicates
        self.replicate_reach = replicate_reach
        self.seeds = config.get("seeds", [])
        if replicate_voice is None:  # one replicate: its summaries (and the baseline's)
            replicate_voice = {name: [s["voice_ratio"]] for name, s in self.summaries.items()}
            replicate_voice.setdefault(BASELINE, [baseline.summary()["voice_ratio"]])
        self.voice = {name: {role: _voice_stats([v.get(role) for v in per_rep]) for role in ROLES}
                      for name, per_rep in replicate_voice.items()}

    def to_dict(self) -> dict:
        """``{"config": ..., "rankers": {name: summary}, "voice": ...}``, JSON-serialisable.

        ``config["seeds"]`` holds the seeds of every replicate's community and runs;
        ``voice`` the voice ratio over the replicates (see :attr:`voice`). With
        replicates, also ``"amplification_ci"`` (see :attr:`amplification`).
        """
        from ._files import plain

        out = {"config": self.config, "rankers": self.summaries, "voice": plain(self.voice, strict=True)}
        if self.amplification is not None:
            out["amplification_ci"] = self.amplification
        return out

    def amplification_table(self) -> str:
        """Amplification per ranker and author group with its interval (replicates only)."""
        return format_amplification(self.amplification or {}, self.replicates)

    def table(self) -> str:
        """A readable table per ranker and role (replicate 0's, with the voice ratio over replicates if several)."""
        text = format_table(self.summaries)
        if self.replicates == 1:
            return text
        units = "communities" if (self.seeds or [{}])[0].get("graph") is not None else "paired replicates"
        over = ", ".join(f"{name} {_fmt(v['quiet']['estimate']).strip()} [{_fmt(v['quiet']['ci_low']).strip()}, "
                         f"{_fmt(v['quiet']['ci_high']).strip()}]" for name, v in self.voice.items())
        return (f"Replicate 0 of {self.replicates} below. Quiet members' voice ratio over the {self.replicates} "
                f"{units} (mean [95% CI]): {over}\n\n{text}")

    def __repr__(self) -> str:
        return f"Comparison(rankers={list(self.results)})"


def _voice_stats(values: Sequence[float | None]) -> dict[str, Any]:
    vals = np.array([np.nan if v is None else v for v in values], dtype=float)
    if not np.isfinite(vals).any():
        return {"estimate": np.nan, "ci_low": np.nan, "ci_high": np.nan, "n": 0, "values": vals.tolist()}
    n, mean, _, lo, hi, _ = bounded_interval(vals, (0.0, np.inf))
    return {"estimate": mean, "ci_low": lo, "ci_high": hi, "n": int(n), "values": vals.tolist()}


def replicate_community(n_users: int, seed: Any = None, replicate: int = 0) -> FollowGraph:
    """The default community of replicate ``replicate`` of ``seed``, as every entry point builds it.

    ``feedsim.networks.default_community(n_users, mean_follows=min(40, (n_users - 1) / 2),
    seed=replicate_seeds(seed, replicate).graph, as_arrays=True)``: the community
    ``feedsim run --users N --seed S`` and ``feedsim compare`` run on, and the
    explorer's community ``replicate`` (see :func:`feedsim.random.replicate_seeds`).

    Parameters
    ----------
    n_users : int
        Accounts, ``>= 2``.
    seed : int, SeedSequence, Generator or None
        The root seed (the same one the runs use).
    replicate : int, default 0
        Replicate index.

    Returns
    -------
    FollowGraph

    Examples
    --------
    >>> import feedsim
    >>> G = replicate_community(300, seed=1)
    >>> res = feedsim.Simulation(G, ranker="engagement", seed=1).run(days=1)  # == feedsim run --users 300 --seed 1
    >>> G.n_users, res.seed.entropy
    (300, 1)
    """
    n_users = check_int("n_users", n_users, low=2)
    graph = default_community(n_users, mean_follows=min(40.0, (n_users - 1) / 2),
                              seed=replicate_seeds(seed, replicate).graph, as_arrays=True)
    return graph


def _fmt(x: Any, pct: bool = False) -> str:
    if x is None or (isinstance(x, float) and np.isnan(x)):
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

    Every run of a replicate uses the same SeedSequence, so posting and session
    draws are identical across rankers wherever the ranker does not change
    behaviour (common random numbers): differences are the ranker's doing, not
    noise. Amplification is measured against the ``chronological`` run (run as an
    extra baseline if not requested).

    Parameters
    ----------
    graph : networkx.DiGraph, FollowGraph, scipy.sparse matrix, int or callable
        The follow graph (edge ``(u, v)``: u follows v), the same in every
        replicate. An int ``N`` draws the default community of ``N`` accounts for
        each replicate (:func:`replicate_community`, as ``feedsim compare --users N``
        and the explorer do); a callable is called with each replicate's graph
        seed (a SeedSequence) and returns its graph.
    rankers : sequence of str or callable
        Rankers to compare (names or callables; names must be distinct).
    days : float, default 14
        Simulated days per run.
    seed : int, SeedSequence, Generator or None
        The root seed. Replicate ``r`` runs every arm (and the chronological
        baseline) on ``replicate_seeds(seed, r).run`` and draws its community (for
        an int or callable ``graph``) from ``replicate_seeds(seed, r).graph``
        (:func:`feedsim.random.replicate_seeds`): replicate 0 runs on ``seed``
        itself, so with ``replicates=1`` the comparison is exactly the single run
        on ``seed``.
    progress : bool, default False
        Show a progress bar per run.
    replicates : int, default 1
        Number of paired replicates ``R``. ``results`` and ``summaries`` are those
        of replicate 0; :attr:`Comparison.voice` holds the voice ratio over the
        replicates and, with ``R > 1``, :attr:`Comparison.amplification` holds,
        per ranker, role and follower group, the amplification with a 95 %
        paired t-interval on log ratios
        (:func:`feedsim.amplification.paired_amplification`).
    **params
        Passed to :class:`~feedsim.Simulation` (e.g. ``out_of_network_share``).

    Returns
    -------
    Comparison
        Its ``config["seeds"]`` records every replicate's graph and run seeds.

    Examples
    --------
    >>> import feedsim
    >>> G = feedsim.networks.default_community(400, seed=3)
    >>> cmp = feedsim.compare(G, ["chronological", "engagement"], days=2, seed=3)
    >>> cmp.summaries["chronological"]["amplification"]["regular"]
    0.0

    The Python equivalent of ``feedsim compare --users 300 --days 1 --seed 1``:

    >>> cmp = feedsim.compare(300, days=1, seed=1)
    >>> cmp.config["seeds"][0]["graph"]
    {'entropy': 1, 'spawn_key': [0]}
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
    check_days(days)  # before any work (each run checks the ticks too)
    ss = as_seed_sequence(seed)
    seeds = [replicate_seeds(ss, r) for r in range(replicates)]
    graph_of = _graph_maker(graph, ss)
    if replicates > 1:
        return _compare_replicates(graph_of, rankers, names, days, seeds, progress, params)

    fg = graph_of(seeds[0])

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
        "replicates": 1,
        "seeds": [_seed_record(seeds[0], graph_of)],
    }
    return Comparison(results, baseline, config)


def _graph_maker(graph: Any, ss: np.random.SeedSequence) -> Callable[[ReplicateSeeds], FollowGraph]:
    """Replicate seeds -> the replicate's graph; ``.per_replicate`` says whether it depends on them."""
    if isinstance(graph, (int, np.integer)) and not isinstance(graph, bool):
        n = check_int("graph", graph, low=2)

        def make(s: ReplicateSeeds) -> FollowGraph:
            return replicate_community(n, ss, s.replicate)
    elif callable(graph):
        def make(s: ReplicateSeeds) -> FollowGraph:
            return FollowGraph.coerce(graph(s.graph))
    else:
        fg = FollowGraph.coerce(graph)

        def make(s: ReplicateSeeds) -> FollowGraph:
            return fg
        make.per_replicate = False  # type: ignore[attr-defined]
        return make
    make.per_replicate = True  # type: ignore[attr-defined]
    return make


def _seed_record(s: ReplicateSeeds, graph_of) -> dict:
    rec = s.to_dict()
    if not graph_of.per_replicate:
        rec["graph"] = None  # a given graph: not drawn from a seed here
    return rec


def _compare_replicates(graph_of, rankers, names, days, seeds, progress, params) -> Comparison:
    """Paired replicates: every arm on the same seeds (and community) per replicate."""
    arms = list(zip(names, rankers))
    if BASELINE not in names:
        arms.append((BASELINE, BASELINE))
    reach: dict[str, list] = {name: [] for name, _ in arms}
    voice: dict[str, list] = {name: [] for name, _ in arms}
    first: dict[str, SimulationResult] = {}
    n_users, n_edges = [], []
    for s in seeds:
        fg = graph_of(s)
        n_users.append(fg.n_users)
        n_edges.append(fg.n_edges)
        if s.replicate == 0:
            Simulation(fg, ranker=rankers[0], seed=s.run, **params)  # validate before any long run
        for name, rk in arms:
            res = Simulation(fg, ranker=rk, seed=s.run, **params).run(days=days, progress=progress)
            reach[name].append(group_reach(res))
            voice[name].append(res.summary()["voice_ratio"])
            if s.replicate == 0:
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
        "seed": head.seed.to_dict(),
        "n_users": n_users[0],
        "n_edges": n_edges[0],
        "params": head.config.to_dict(),
        "versions": {"feedsim": head.version, "numpy": np.__version__},
        "roles": list(ROLES),
        "replicates": len(seeds),
        "seeds": [_seed_record(s, graph_of) for s in seeds],
    }
    if graph_of.per_replicate:
        config["n_users_per_replicate"] = n_users
        config["n_edges_per_replicate"] = n_edges
    from ._files import plain

    return Comparison(results, first[BASELINE], config, amplification=plain(amplification, strict=True),
                      replicates=len(seeds), replicate_reach=reach, replicate_voice=voice)
