"""What drives the quiet-voice effect? Each mechanism alone and each removed alone.

Question (issue 11, part 4): quiet members lose impression share and reach per post
when the feed changes from chronological to engagement ranking. Which causes carry
that change: audience size, posting frequency, affinity, rich-get-richer,
reciprocity, creator adaptation (or follow discovery)? A teacher needs to be able to
say why.

Mechanisms and their switches (public API only; no engine change)
-----------------------------------------------------------------
Every switch is a node attribute of the follow graph or a ``SimulationConfig``
keyword; "on" is the model's default in each case, so *all on* is the default world.

=====================  =======================================  ==================================================
mechanism              on (default)                             off
=====================  =======================================  ==================================================
``audience``           roles as ``default_community`` draws     roles permuted at random over the graph's nodes
(audience size)        them: regulars are ~4x as attractive     (the edges stay: degree sequence, reciprocated
                       to follow as quiet members,              edges and communities are unchanged). A quiet
                       influencers 300x (``ROLE_ATTRACTIVE-     member then sits where a typical account sits:
                       NESS``), so quiet members have few       its followers (and the engagement ranker's
                       followers                                follower term) no longer depend on its role.
                                                                Per-account attributes follow the role, since the
                                                                engine draws them from the role defaults.
``posting``            per-role posting rates (role defaults:   every account whose role posts gets the same
(posting frequency)    quiet 0.15, regular 1.75 posts/day,      ``post_rate`` node attribute: the expected mean
                       medians, log-normal)                     over those accounts (``median * exp(sigma^2/2)``
                                                                per role, weighted by the role counts), so the
                                                                expected number of posts is unchanged. Lurkers
                                                                stay at 0.
``affinity``           ``mutual_affinity=0.5`` on reciprocated  ``mutual_affinity=0``, ``affinity_gain=0``,
                       follows; ``affinity_gain=0.1`` per       ``reciprocity_gain=0``: affinity is 0 on every edge
                       engagement, ``reciprocity_gain=0.2``     for the whole run, so the ``(1 + affinity)`` terms
                                                                of the ranker and of the engagement model are 1.
``rich_get_richer``    ``rich_get_richer=True``                 ``rich_get_richer=False``: engagement counts do not
                                                                reach the rankers (and no affinity gain)
``reciprocity``        ``reciprocity=True``                     ``reciprocity=False``: no follow-backs, no
                                                                reciprocal affinity gain
``creator_adaptation`` ``creator_adaptation=True``              ``creator_adaptation=False``: posting rates never
                                                                adapt to response, nobody burns out
``follow_discovery``   ``follow_discovery=True``                ``follow_discovery=False`` (with the default
                                                                ``out_of_network_share=0`` it acts through
                                                                reshares only)
=====================  =======================================  ==================================================

The switches overlap by construction, and the decomposition shows it: the affinity
gains belong to two loops (``affinity_gain`` acts only while ``rich_get_richer`` is
on, ``reciprocity_gain`` only while ``reciprocity`` is on), so with ``affinity`` off
these two loops keep only their other half (engagement counts; follow-backs), and
*affinity alone* is the initial mutual affinity only.

Design
------
* Configurations: *all on*; *all off*; *only X* (X on, the rest off) and *without X*
  (X off, the rest on) for each of the seven mechanisms: 16 configurations.
* Each configuration runs under ``chronological`` and ``engagement`` with the same seed
  (common random numbers), and every configuration of a replicate uses the same seed,
  the same community (``default_community`` drawn from its graph seed, default roles) and the
  same role permutation (drawn from the design stream), so differences between
  configurations are paired too.
* Replicates: 8 seeds, 2,000 accounts, 14 days (quick: 3 seeds, 300 accounts, 5 days).

Reported, for quiet members and, for contrast, regulars
-------------------------------------------------------
* impression share under each feed and the paired difference engagement - chronological
  (percentage points, mean and 95% t-interval over seeds);
* reach per post (unique viewers per post) under each feed and the ratio
  engagement / chronological, with a 95% t-interval on the log ratio
  (:func:`feedsim.amplification.paired_amplification`);
* voice ratio (impression share / post share) under each feed;
* the decomposition, per replicate and then over seeds, of each effect (difference in
  share; log reach ratio): *total* (all on), *baseline* (all off), each mechanism's
  *alone* effect (only X minus all off) and *removed* drop (all on minus without X),
  and the two interactions (all on - all off - the sum of the alone parts; and of the
  removed parts). The parts add up when those interactions are near 0. Removed parts that
  sum to more than the total mean synergy (part of the effect needs several mechanisms at
  once, so each of their removals takes it away and it is counted once per mechanism);
  less than the total means redundancy (part of the effect survives any single removal,
  because several mechanisms can each produce it). For the alone parts it is the other
  way round. The difference in share (percentage points) scales with the level of the
  share, which the mechanisms change a lot (quiet members hold a few percent of impressions
  with everything on and most of them with everything off, when they post as often as
  anybody and are as followed); the log reach ratio does not, so it is the scale on which
  to compare configurations.

Outputs in ``experiments/out/mechanisms/``: ``summary.json``, ``mechanisms_table.md``
(both tables in markdown), ``effects_by_configuration.png`` (one row per
configuration) and ``decomposition.png`` (one row per mechanism).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import _common as C
import feedsim
from feedsim.amplification import paired_amplification
from feedsim.networks import ROLES, FollowGraph
from feedsim.plots import role_color
from feedsim.plots.rules import legend_outside
from feedsim.population.roles import ROLE_DEFAULTS

NAME = "mechanisms"

#: The mechanisms, in report order, with a plain-language label.
MECHANISMS: dict[str, str] = {
    "audience": "audience size",
    "posting": "posting frequency",
    "affinity": "affinity",
    "rich_get_richer": "rich get richer",
    "reciprocity": "reciprocity",
    "creator_adaptation": "creator adaptation",
    "follow_discovery": "follow discovery",
}
LOOPS = ("rich_get_richer", "reciprocity", "creator_adaptation", "follow_discovery")
RANKERS = ("chronological", "engagement")
ROLES_REPORTED = ("quiet", "regular")
#: Effects decomposed: (key in the per-replicate record, unit label).
EFFECTS = {"share_diff": "impression share, engagement - chronological (percentage points)",
           "log_reach_ratio": "log of reach per post, engagement / chronological"}
FULL = {"n_users": 2000, "days": 14, "replicates": 8}
QUICK = {"n_users": 300, "days": 5, "replicates": 3}


# ------------------------------------------------------------------ configurations
def configurations(mechanisms=tuple(MECHANISMS)) -> dict[str, frozenset]:
    """Configuration label -> set of mechanisms switched on (all on, removed, alone, all off)."""
    everything = frozenset(mechanisms)
    out = {"all on": everything}
    out.update({f"without {MECHANISMS[m]}": everything - {m} for m in mechanisms})
    out.update({f"only {MECHANISMS[m]}": frozenset({m}) for m in mechanisms})
    out["all off"] = frozenset()
    return out


def mean_post_rate(roles: np.ndarray) -> float:
    """Expected posting rate (posts/day) averaged over the accounts whose role posts."""
    mean = {r: d.post_rate * math.exp(d.post_sigma**2 / 2) for r, d in ROLE_DEFAULTS.items()}
    rates = np.array([mean[r] for r in roles])
    return float(rates[rates > 0].mean())


def world(graph: FollowGraph, on: frozenset, permutation: np.ndarray) -> tuple[FollowGraph, dict[str, Any]]:
    """The follow graph and simulation keywords of one configuration.

    Parameters
    ----------
    graph : FollowGraph
        The replicate's community (``attrs["role"]`` as drawn).
    on : frozenset of str
        Mechanisms switched on (keys of :data:`MECHANISMS`).
    permutation : ndarray of int, shape (n_users,)
        Node permutation used when ``audience`` is off (the same in every configuration
        of a replicate).

    Returns
    -------
    (FollowGraph, dict)
        The graph with its node attributes, and keywords for ``feedsim.Simulation``.
    """
    roles = np.asarray(graph.attrs["role"], dtype=object)
    if "audience" not in on:
        roles = roles[permutation]
    attrs = {"role": roles, "community": graph.attrs["community"]}
    if "posting" not in on:
        posts = np.array([ROLE_DEFAULTS[r].post_rate > 0 for r in roles])
        attrs["post_rate"] = np.where(posts, mean_post_rate(roles), 0.0)
    params: dict[str, Any] = {loop: loop in on for loop in LOOPS}
    if "affinity" not in on:
        params.update(mutual_affinity=0.0, affinity_gain=0.0, reciprocity_gain=0.0)
    return FollowGraph(graph.indptr, graph.indices, attrs=attrs), params


# ------------------------------------------------------------------ measurement
def measure(result) -> dict[str, dict[str, float]]:
    """Per reported role: impression share, post share, reach per post, mean followers."""
    t = result.role_table()
    posts, imp = t["posts"], t["impressions"]
    A = result.authors
    out = {}
    for role in ROLES_REPORTED:
        k = ROLES.index(role)
        members = A.role == k
        out[role] = {
            "impression_share": float(imp[k] / imp.sum()) if imp.sum() else math.nan,
            "post_share": float(posts[k] / posts.sum()) if posts.sum() else math.nan,
            "reach_per_post": float(imp[k] / posts[k]) if posts[k] else math.nan,
            "followers": float(A.followers_start[members].mean()) if members.any() else math.nan,
        }
    return out


def paired(chrono: dict, eng: dict) -> dict[str, dict[str, float]]:
    """One replicate's paired record per role (chronological vs engagement, same seed)."""
    out = {}
    for role in ROLES_REPORTED:
        c, e = chrono[role], eng[role]
        ratio = e["reach_per_post"] / c["reach_per_post"] if c["reach_per_post"] > 0 else math.nan
        out[role] = {
            "share_chrono": c["impression_share"],
            "share_engagement": e["impression_share"],
            "share_diff": e["impression_share"] - c["impression_share"],
            "reach_chrono": c["reach_per_post"],
            "reach_engagement": e["reach_per_post"],
            "log_reach_ratio": math.log(ratio) if ratio > 0 else math.nan,
            "voice_chrono": c["impression_share"] / c["post_share"],
            "voice_engagement": e["impression_share"] / e["post_share"],
            "post_share_chrono": c["post_share"],
            "followers": c["followers"],
        }
    return out


def run_replicate(rep: int, n_users: int, days: int, configs: dict[str, frozenset],
                  progress: bool = False) -> dict[str, dict]:
    """Every configuration of replicate ``rep``: ``{label: paired record}``."""
    seeds = C.seeds_for(0, rep)
    seed = seeds.run
    graph = feedsim.networks.default_community(n_users, seed=seeds.graph, as_arrays=True)
    permutation = C.design_rng(rep).permutation(n_users)
    out = {}
    for label, on in configs.items():
        g, params = world(graph, on, permutation)
        m = {rk: measure(feedsim.Simulation(g, ranker=rk, seed=seed, **params).run(days=days))
             for rk in RANKERS}
        out[label] = paired(m["chronological"], m["engagement"])
        if progress:
            print(f"  replicate {rep}: {label}", flush=True)
    return out


# ------------------------------------------------------------------ statistics
def ratio_stat(chrono: list[float], eng: list[float]) -> dict[str, Any]:
    """Reach ratio engagement / chronological: geometric mean and 95% t-interval on the log ratio."""
    a = paired_amplification(eng, chrono)
    up = lambda x: None if x is None else 1.0 + x  # noqa: E731
    return {"mean": up(a["estimate"]), "lo": up(a["ci_low"]), "hi": up(a["ci_high"]),
            "values": [up(x) for x in a["per_replicate"]]}


def summarise(reps: list[dict], configs: dict[str, frozenset]) -> dict[str, dict]:
    """Per configuration and role, stats over replicates of every paired quantity."""
    out = {}
    for label, on in configs.items():
        row: dict[str, Any] = {"on": sorted(on)}
        for role in ROLES_REPORTED:
            recs = [r[label][role] for r in reps]
            s = C.stats_tree(recs)
            s["reach_ratio"] = ratio_stat([x["reach_chrono"] for x in recs], [x["reach_engagement"] for x in recs])
            row[role] = s
        out[label] = row
    return out


def decompose(reps: list[dict], mechanisms=tuple(MECHANISMS)) -> dict[str, dict]:
    """Total, baseline, alone and removed parts and interactions, per effect and role.

    Every part is computed within a replicate (all configurations share its seed) and
    then summarised over replicates, so its interval accounts for the pairing.
    """
    out: dict[str, dict] = {}
    for effect in EFFECTS:
        out[effect] = {}
        for role in ROLES_REPORTED:
            rows = []
            for r in reps:
                e = {label: rec[role][effect] for label, rec in r.items()}
                total, base = e["all on"], e["all off"]
                alone = {m: e[f"only {MECHANISMS[m]}"] - base for m in mechanisms}
                removed = {m: total - e[f"without {MECHANISMS[m]}"] for m in mechanisms}
                rows.append({
                    "total": total, "baseline": base, "mechanisms_total": total - base,
                    "alone": alone, "removed": removed,
                    "interaction_alone": total - base - sum(alone.values()),
                    "interaction_removed": total - base - sum(removed.values()),
                })
            d = C.stats_tree(rows)
            d["largest_removed"] = _largest(d["removed"], d["mechanisms_total"]["mean"])
            d["largest_alone"] = _largest(d["alone"], d["mechanisms_total"]["mean"])
            d["carriers"], d["opposers"] = _significant(d["removed"], d["mechanisms_total"]["mean"])
            d["interplay"] = _interplay(d["interaction_removed"], d["mechanisms_total"]["mean"])
            out[effect][role] = d
    return out


def _largest(parts: dict[str, dict], direction: float | None) -> str | None:
    """The mechanism whose part goes furthest in the direction of the mechanisms' total."""
    if direction is None or not parts:
        return None
    sign = 1.0 if direction >= 0 else -1.0
    valid = {m: s["mean"] for m, s in parts.items() if s["mean"] is not None}
    return max(valid, key=lambda m: sign * valid[m]) if valid else None


def _significant(parts: dict[str, dict], direction: float | None) -> tuple[list[str], list[str]]:
    """Mechanisms whose part's 95% interval excludes 0: with the total's sign (largest first), and against it."""
    if direction is None:
        return [], []
    sign = 1.0 if direction >= 0 else -1.0
    clear = {m: s["mean"] for m, s in parts.items() if s["lo"] is not None and (s["lo"] > 0 or s["hi"] < 0)}
    carriers = sorted((m for m in clear if sign * clear[m] > 0), key=lambda m: -sign * clear[m])
    opposers = sorted((m for m in clear if sign * clear[m] < 0), key=lambda m: sign * clear[m])
    return carriers, opposers


def _interplay(interaction: dict, direction: float | None) -> str:
    """Whether the removed parts add up (``"additive"``), overlap (``"synergy"``) or fall short (``"redundancy"``).

    ``interaction`` is total - sum of removed parts. Its interval containing 0 means
    additive; a sign opposite to the total means the removed parts sum to more than the
    total (synergy: part of the effect needs several mechanisms at once); the same sign
    means less (redundancy: part of the effect survives any single removal).
    """
    if direction is None or interaction["lo"] is None:
        return "undetermined"
    if interaction["lo"] <= 0 <= interaction["hi"]:
        return "additive"
    return "synergy" if (interaction["mean"] > 0) != (direction > 0) else "redundancy"


INTERPLAY_TEXT = {
    "additive": "the removed parts add up to the whole",
    "synergy": "the removed parts add up to more than the whole: part of the effect needs several mechanisms at "
               "once (synergy)",
    "redundancy": "the removed parts add up to less than the whole: part of the effect survives any single "
                  "removal (redundancy)",
    "undetermined": "too few seeds to tell whether the parts add up",
}


def decomposition(n_users: int, days: int, replicates: int, progress: bool = False) -> dict[str, Any]:
    """Run every configuration over ``replicates`` seeds; return per-configuration stats and the decomposition.

    Examples
    --------
    >>> out = decomposition(n_users=120, days=1, replicates=2)  # doctest: +SKIP
    >>> out["configurations"]["all on"]["quiet"]["share_diff"]["mean"]  # doctest: +SKIP
    """
    configs = configurations()
    reps = [run_replicate(rep, n_users, days, configs, progress=progress) for rep in range(replicates)]
    return {"configurations": summarise(reps, configs), "decomposition": decompose(reps)}


# ------------------------------------------------------------------ reporting
def fmt(s: dict, scale: float = 1.0, digits: int = 2, signed: bool = False) -> str:
    """``mean [lo, hi]`` scaled (e.g. 100 for percentage points); 'n/a' when undefined."""
    if s["mean"] is None:
        return "n/a"
    f = f"{{:+.{digits}f}}" if signed else f"{{:.{digits}f}}"
    if s["lo"] is None:
        return f.format(scale * s["mean"])
    return f"{f.format(scale * s['mean'])} [{f.format(scale * s['lo'])}, {f.format(scale * s['hi'])}]"


def markdown_tables(out: dict[str, Any]) -> str:
    """Both tables (effects per configuration; decomposition) as markdown."""
    cfg, dec = out["configurations"], out["decomposition"]
    lines = [
        "| configuration | quiet: share chrono | share engagement | difference (pp) | reach ratio | "
        "voice ratio chrono -> engagement | regulars: difference (pp) | reach ratio |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, row in cfg.items():
        q, g = row["quiet"], row["regular"]
        lines.append(
            f"| {label} | {fmt(q['share_chrono'], 100, 1)}% | {fmt(q['share_engagement'], 100, 1)}% | "
            f"{fmt(q['share_diff'], 100, 2, True)} | {fmt(q['reach_ratio'])} | "
            f"{fmt(q['voice_chrono'])} -> {fmt(q['voice_engagement'])} | "
            f"{fmt(g['share_diff'], 100, 2, True)} | {fmt(g['reach_ratio'])} |"
        )
    lines += ["", "| part | quiet: share (pp) | quiet: reach (log points) | regulars: share (pp) | "
                  "regulars: reach (log points) |", "| --- | ---: | ---: | ---: | ---: |"]

    def row(label, get):
        cells = [fmt(get(dec[e][r]), 100, 2, True) for r in ROLES_REPORTED for e in EFFECTS]
        cells = [cells[0], cells[1], cells[2], cells[3]]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    row("effect with all on (total)", lambda d: d["total"])
    row("effect with all off (baseline)", lambda d: d["baseline"])
    row("mechanisms together (total - baseline)", lambda d: d["mechanisms_total"])
    for m, name in MECHANISMS.items():
        row(f"{name}: alone (only - all off)", lambda d, m=m: d["alone"][m])
    for m, name in MECHANISMS.items():
        row(f"{name}: removed (all on - without)", lambda d, m=m: d["removed"][m])
    row("interaction (together - sum of alone)", lambda d: d["interaction_alone"])
    row("interaction (together - sum of removed)", lambda d: d["interaction_removed"])
    return "\n".join(lines) + "\n"


def _bars(ax, labels, stats, scale, color, offset=0.0, height=0.38, label=None, bounds=None, shift=0.0):
    """Horizontal bars of ``scale * (stat + shift)`` with intervals cut to the quantity's ``bounds``."""
    C.stat_bars(ax, np.arange(len(labels)) + offset, stats, bounds=bounds, scale=scale, shift=shift, horizontal=True,
                width=height, color=color, label=label, capsize=2, error_kw={"linewidth": 0.8})


#: The two parts of a decomposition are neither roles nor rankers (not palette colours).
PART_COLORS = {"alone": "#A6761D", "removed": "#7570B3"}


def plot_effects(out: dict[str, Any], axes=None):
    """One row per configuration: change in impression share (pp) and in reach per post (%), quiet and regular.

    Returns the two Axes.
    """
    import matplotlib.pyplot as plt

    cfg = out["configurations"]
    labels = list(cfg)
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(12, 0.38 * len(labels) + 1.5), sharey=True)
    for k, role in enumerate(ROLES_REPORTED):
        off = (k - 0.5) * 0.4
        # a difference of two shares lies in [-1, 1]; a ratio of reaches in [0, inf), so ratio - 1 in [-1, inf)
        _bars(axes[0], labels, [cfg[c][role]["share_diff"] for c in labels], 100, role_color(role), off, 0.4,
              f"{role} members", bounds=(-1.0, 1.0))
        _bars(axes[1], labels, [cfg[c][role]["reach_ratio"] for c in labels], 100, role_color(role), off, 0.4,
              f"{role} members", bounds=(0.0, math.inf), shift=-1.0)
    for ax in axes:
        ax.axvline(0, color="0.3", linewidth=0.8)
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(np.arange(len(labels)), labels)
    axes[0].invert_yaxis()
    axes[0].set_xlabel("impression share, engagement - chronological\n(percentage points, mean and 95% CI)")
    axes[1].set_xlabel("reach per post, engagement / chronological - 1\n(%, geometric mean and 95% CI)")
    legend_outside(axes[1])
    axes[0].set_title("What the engagement feed changes, per configuration", fontsize="medium", loc="left")
    return axes


def plot_decomposition(out: dict[str, Any], role: str = "quiet", axes=None):
    """One row per mechanism: its alone and removed parts of the change, in share (pp) and reach (log points)."""
    import matplotlib.pyplot as plt

    labels = list(MECHANISMS.values()) + ["interaction"]
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(12, 0.45 * len(labels) + 1.5), sharey=True)
    for ax, effect, unit in zip(axes, EFFECTS, ("percentage points", "log points (100 x log ratio)")):
        d = out["decomposition"][effect][role]
        alone = [d["alone"][m] for m in MECHANISMS] + [d["interaction_alone"]]
        removed = [d["removed"][m] for m in MECHANISMS] + [d["interaction_removed"]]
        # parts of a decomposition (differences of differences) have no useful bound
        _bars(ax, labels, alone, 100, PART_COLORS["alone"], -0.2, 0.4, "alone (only X - all off)",
              bounds=(-math.inf, math.inf))
        _bars(ax, labels, removed, 100, PART_COLORS["removed"], 0.2, 0.4, "removed (all on - without X)",
              bounds=(-math.inf, math.inf))
        ax.axvline(0, color="0.3", linewidth=0.8)
        ax.axvline(100 * d["mechanisms_total"]["mean"], color="0.3", linestyle="--", linewidth=0.8,
                   label="all on - all off")
        ax.grid(axis="x", alpha=0.3)
        ax.set_xlabel(f"{role} members' {EFFECTS[effect].split(',')[0]}\n({unit}, mean and 95% CI)")
    axes[0].set_yticks(np.arange(len(labels)), labels)
    axes[0].invert_yaxis()
    legend_outside(axes[1])
    axes[0].set_title("Which mechanism carries the change", fontsize="medium", loc="left")
    return axes


def finding(out: dict[str, Any]) -> str:
    """The plain-language finding, every number computed from ``out``."""
    cfg, dec = out["configurations"], out["decomposition"]
    q_on, q_off = cfg["all on"]["quiet"], cfg["all off"]["quiet"]
    ds, dr = dec["share_diff"]["quiet"], dec["log_reach_ratio"]["quiet"]

    def parts(d, keys, kind):
        return ", ".join(f"{MECHANISMS[m]} {fmt(d[kind][m], 100, 1, True)}" for m in keys) or "none"

    la = dr["largest_alone"]
    return (
        f"Quiet members, chronological -> engagement, all mechanisms on: share of impressions "
        f"{fmt(q_on['share_chrono'], 100, 1)}% -> {fmt(q_on['share_engagement'], 100, 1)}% (paired change "
        f"{fmt(q_on['share_diff'], 100, 2, True)} percentage points), reach per post x{fmt(q_on['reach_ratio'])}, "
        f"voice ratio {fmt(q_on['voice_chrono'])} -> {fmt(q_on['voice_engagement'])}. All off: "
        f"{fmt(q_off['share_diff'], 100, 2, True)} pp, reach x{fmt(q_off['reach_ratio'])}. "
        f"Decomposition of the reach change (log points; mechanisms together "
        f"{fmt(dr['mechanisms_total'], 100, 1, True)}): removing a mechanism takes away "
        f"{parts(dr, dr['carriers'], 'removed')} (intervals excluding 0, largest first); against the effect: "
        f"{parts(dr, dr['opposers'], 'removed')}; alone, the largest is "
        f"{MECHANISMS[la] if la else 'none'} ({fmt(dr['alone'][la], 100, 1, True) if la else 'n/a'}); "
        f"{INTERPLAY_TEXT[dr['interplay']]} (interaction {fmt(dr['interaction_removed'], 100, 1, True)}). "
        f"Share change (pp; together {fmt(ds['mechanisms_total'], 100, 2, True)}): removing "
        f"{MECHANISMS[ds['largest_removed']] if ds['largest_removed'] else 'none'} takes away the most "
        f"({fmt(ds['removed'][ds['largest_removed']], 100, 2, True) if ds['largest_removed'] else 'n/a'}); "
        f"differences in share scale with the share's level, which the switches change, so the reach scale "
        f"is the one to compare. (mean [95% CI] over seeds.)"
    )


def main():
    args = C.parse_args(NAME, __doc__, replicates=FULL["replicates"], quick_replicates=QUICK["replicates"])
    size = QUICK if args.quick else FULL
    out = decomposition(size["n_users"], size["days"], args.replicates, progress=not args.quick)
    (args.out / "mechanisms_table.md").write_text(markdown_tables(out))
    figs = []
    axes = plot_effects(out)
    figs.append(C.save(axes[0].figure, args.out, "effects_by_configuration.png"))
    axes = plot_decomposition(out)
    figs.append(C.save(axes[0].figure, args.out, "decomposition.png"))
    text = finding(out)
    C.write_summary(
        args, NAME, question=__doc__.strip().splitlines()[0],
        parameters={"n_users": size["n_users"], "days": size["days"], "rankers": list(RANKERS),
                    "graph": "default_community(n_users, seed) with default roles",
                    "mechanisms": MECHANISMS, "configurations": {k: sorted(v) for k, v in configurations().items()},
                    "effects": EFFECTS, "roles": list(ROLES_REPORTED),
                    "switches": "see the docstring of experiments/mechanisms.py",
                    "table": "mechanisms_table.md"},
        results=out, finding=text, figures=figs)
    C.report(NAME, text, args)


if __name__ == "__main__":
    main()
