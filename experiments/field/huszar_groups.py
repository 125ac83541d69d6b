"""Huszár et al. 2022, second look: amplification of groups of legislators, day by day.

Published result
----------------
Huszár, Ktena, O'Brien, Belli, Schlaikjer and Hardt, "Algorithmic amplification of
politics on Twitter", PNAS 119(1) e2025334119 (2022), doi:10.1073/pnas.2025334119.
Groups are the tweets of a country's legislators of one party (elected officials,
accounts with large audiences). The amplification of a set of tweets T on day d
(Materials and Methods, "Measuring Amplification") is
``a_d(T) = (|U_T,d ∩ U_treatment| + 1) / (4 |U_T,d ∩ U_control| + 1) - 1``, with U_T,d the
users who saw at least one tweet of T on day d, a control group of about 1% of accounts
kept on the reverse-chronological timeline and a treatment group four times its size on
the ranked one, which (in 2016-2020) also showed out-of-network tweets. Every party in
every country studied was amplified (e.g. Canada: Liberals 43%, Conservatives 167%; UK:
Labour 112%, Conservatives 176%).

Design here
-----------
* The default community; "legislators" are three parties of a few dozen accounts drawn
  from the most followed tenth of non-brand accounts (the design stream of each
  replicate), each party with its own posting style: ``steady`` (3 posts/day, quality
  1), ``engaging`` (3 posts/day, quality 1.5) and ``prolific`` (12 posts/day, quality
  0.7). Their followers are those the generator gave them.
* ``ViewerSplit.holdout``: 8% of accounts (quick: 12%) on a chronological feed of
  followed accounts only (out-of-network candidates scored ``-inf``), a measured
  treatment group of exactly 4x on the ranked feed, everyone else ranked too.
* Reach per party per day from the impression log, the paper's ``a_d`` (smoothing 1,
  ratio 4), averaged over days 2..D (day 1 is warm-up: the world starts without posts);
  the same over the whole run shows why large groups looked unamplified before
  (their reach over several days saturates).
* Mechanisms, each an arm on the same seeds: ``ranked + out-of-network`` (the engagement
  ranker, ``out_of_network_share=0.2``: Twitter 2016-2020), ``ranked, in-network only``
  (``out_of_network_share=0``), ``chronological + out-of-network`` (the treatment
  differs from the control only by the trending slots), ``ranked, no popularity
  term`` (``EngagementRanker(popularity_weight=0)``, with out-of-network).
* Sizes: 3,000 accounts, 3 parties x 24 legislators, 8% control, 4 days, 6 replicates (quick: 1,000
  accounts, 3 x 10, 12% control, 2 days, 3 replicates, two arms). Intervals: 95% t over replicates
  (``scipy.stats.t``).
"""

from __future__ import annotations

import _field as F
import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
from scipy import stats

import feedsim
from feedsim.amplification import HUSZAR_RATIO, HUSZAR_SMOOTHING, ViewerSplit
from feedsim.plots.palette import NEUTRAL_COLOR
from feedsim.plots.rules import legend_outside
from feedsim.rankers import EngagementRanker, chronological

C = F.C
NAME = "huszar_groups"
#: party -> (posts/day, quality)
PARTIES = {"steady": (3.0, 1.0), "engaging": (3.0, 1.5), "prolific": (12.0, 0.7)}
#: arm -> (treatment ranker, out_of_network_share)
ARMS = {
    "ranked + out-of-network": ("engagement", 0.2),
    "ranked, in-network only": ("engagement", 0.0),
    "chronological + out-of-network": ("chronological", 0.2),
    "ranked, no popularity term": (EngagementRanker(popularity_weight=0.0), 0.2),
}
QUICK_ARMS = ["ranked + out-of-network", "ranked, in-network only"]
GROUPS = [*PARTIES, "all legislators", "everyone else"]


def in_network_chronological(c, rng):
    """The control: the reverse-chronological timeline of followed accounts (no out-of-network items)."""
    return np.where(c.in_network, chronological(c, rng), -np.inf)


def legislators(G: nx.DiGraph, per_party: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Three parties of ``per_party`` accounts from the most followed tenth of non-brand accounts."""
    k = np.array([d for _, d in G.in_degree()])
    role = np.array([r for _, r in G.nodes(data="role")])
    pool = np.flatnonzero(role != "brand")
    pool = pool[np.argsort(-k[pool], kind="stable")][: max(len(PARTIES) * per_party, len(k) // 10)]
    chosen = rng.choice(pool, size=len(PARTIES) * per_party, replace=False)
    parties = dict(zip(PARTIES, np.split(chosen, len(PARTIES))))
    for party, members in parties.items():
        rate, quality = PARTIES[party]
        nx.set_node_attributes(G, {int(v): rate for v in members}, "post_rate")
        nx.set_node_attributes(G, {int(v): quality for v in members}, "quality")
    return parties


def daily_amplification(res, split, group_of: np.ndarray, n_groups: int, days: int) -> np.ndarray:
    """``a_d`` per day (rows ``0 .. days - 1``) and group (columns); row ``days`` is the whole run."""
    n = len(res.authors)  # accounts that joined during the run are in the last group
    group_of = np.concatenate([group_of, np.full(n - len(group_of), n_groups - 1, dtype=np.int64)])
    log = res.impressions
    viewer = np.asarray(log["viewer"], dtype=np.int64)
    post = np.asarray(log["post"], dtype=np.int64) - res.post_id_offset
    group = group_of[np.asarray(res.posts["author"], dtype=np.int64)[post]]
    day = np.minimum((np.asarray(log["time"]) // 24).astype(np.int64), days - 1)
    arms = split.arms(n)
    ratio = (arms == 1).sum() / (arms == 0).sum()
    out = np.empty((days + 1, n_groups))
    for d in range(days + 1):  # one vectorised pass per day (a handful of days)
        sel = slice(None) if d == days else day == d
        pairs = np.unique(viewer[sel] * n_groups + group[sel])  # distinct (viewer, group) seen that day
        pv, pg = pairs // n_groups, pairs % n_groups
        r_t = np.bincount(pg[arms[pv] == 1], minlength=n_groups)
        r_c = np.bincount(pg[arms[pv] == 0], minlength=n_groups)
        out[d] = (r_t + HUSZAR_SMOOTHING) / (ratio * r_c + HUSZAR_SMOOTHING) - 1.0
    return out


def one_replicate(rep, n_users, days, per_party, control_share, arms):
    seeds = C.seeds_for(0, rep)
    G = feedsim.networks.default_community(n_users, seed=seeds.graph)
    parties = legislators(G, per_party, C.design_rng(rep))
    n_p = len(PARTIES)
    group_of = np.full(n_users, n_p, dtype=np.int64)  # parties 0 .. n_p - 1, everyone else n_p
    for i, members in enumerate(parties.values()):
        group_of[members] = i
    split_seed = C.seed_for(C.DESIGN_ARM, rep)
    out = {}
    for arm in arms:
        ranker, oon = ARMS[arm]
        split = ViewerSplit.holdout(ranker, in_network_chronological, control_share=control_share, seed=split_seed)
        res = feedsim.Simulation(G, ranker=split, seed=seeds.run, out_of_network_share=oon,
                                 record_impressions=True).run(days=days)
        a = np.hstack([daily_amplification(res, split, group_of, n_p + 1, days)[:, :n_p],
                       daily_amplification(res, split, (group_of == n_p).astype(np.int64), 2, days)])
        daily = a[1:days].mean(axis=0) if days > 1 else a[0]  # day 1 is warm-up
        out[arm] = {"daily": dict(zip(GROUPS, daily.tolist())), "whole_run": dict(zip(GROUPS, a[days].tolist()))}
    followers = np.array([d for _, d in G.in_degree()])
    out["legislator_followers_median"] = float(np.median(followers[group_of < len(PARTIES)]))
    return out


def t_stat(values) -> dict:
    """Mean and 95% t-interval over replicates (scipy.stats.t)."""
    x = np.asarray(values, dtype=np.float64)
    m = float(x.mean())
    if len(x) < 2:
        return {"mean": m, "lo": None, "hi": None, "values": x.tolist()}
    lo, hi = stats.t.interval(0.95, len(x) - 1, loc=m, scale=stats.sem(x))
    return {"mean": m, "lo": float(lo), "hi": float(hi), "values": x.tolist()}


def pct(s: dict) -> str:
    if s["lo"] is None:
        return f"{100 * s['mean']:+.0f}%"
    return f"{100 * s['mean']:+.0f}% [{100 * s['lo']:+.0f}, {100 * s['hi']:+.0f}]"


def main():
    args = F.parse_args(NAME, __doc__, replicates=6)
    if args.quick:
        n_users, days, per_party, control_share, arms = 1000, 2, 10, 0.12, QUICK_ARMS
    else:
        n_users, days, per_party, control_share, arms = 3000, 4, 24, 0.08, list(ARMS)
    per = [one_replicate(rep, n_users, days, per_party, control_share, arms) for rep in range(args.replicates)]
    results = {arm: {window: {g: t_stat([p[arm][window][g] for p in per]) for g in GROUPS}
                     for window in ("daily", "whole_run")} for arm in arms}
    results["legislator_followers_median"] = t_stat([p["legislator_followers_median"] for p in per])
    main_arm = results[arms[0]]["daily"]
    finding = (
        f"Legislators ({len(PARTIES)} parties x {per_party}, median "
        f"{results['legislator_followers_median']['mean']:.0f} followers) under the engagement ranker with "
        f"out-of-network items against an in-network chronological holdout ({control_share:.0%} of {n_users:,}, "
        f"treatment 4x), daily amplification: "
        + ", ".join(f"{p} {pct(main_arm[p])}" for p in PARTIES)
        + f"; all legislators {pct(main_arm['all legislators'])}, everyone else {pct(main_arm['everyone else'])}. "
        + "Mechanisms (all legislators, daily): "
        + "; ".join(f"{arm} {pct(results[arm]['daily']['all legislators'])}" for arm in arms)
        + f". Over the whole run instead of a day: {pct(results[arms[0]]['whole_run']['all legislators'])} "
        f"(95% t-intervals over {args.replicates} seeds)."
    )
    fig, ax = plt.subplots(figsize=(9, 3.8))
    x = np.arange(len(GROUPS))
    for j, arm in enumerate(arms):
        st = [results[arm]["daily"][g] for g in GROUPS]
        pos = x + (j - (len(arms) - 1) / 2) * 0.8 / len(arms)
        C.stat_points(ax, pos, st, bounds=(-1.0, np.inf), scale=100, capsize=3, label=arm)
    ax.axhline(0, color=NEUTRAL_COLOR, lw=0.8)
    ax.set_xticks(x, GROUPS, rotation=15)
    ax.set_xlabel("group of authors")
    ax.set_ylabel("daily amplification (%)")
    legend_outside(ax, fontsize=7)
    fig.suptitle("Legislator groups, ranked vs chronological holdout (Huszár et al. design)")
    figures = [C.save(fig, args.out, "group_amplification.png")]
    C.write_summary(args, f"field/{NAME}", question="Are groups of high-follower accounts amplified by a ranked "
                    "feed with out-of-network items against a chronological holdout, day by day, and by which "
                    "mechanism?",
                    parameters={"n_users": n_users, "days": days, "per_party": per_party, "parties": PARTIES,
                                "control_share": control_share, "ratio": HUSZAR_RATIO,
                                "smoothing": HUSZAR_SMOOTHING, "arms": {a: [str(ARMS[a][0]), ARMS[a][1]]
                                                                        for a in arms}},
                    results=results, finding=finding, figures=figures)
    C.report(NAME, finding, args)


if __name__ == "__main__":
    main()
