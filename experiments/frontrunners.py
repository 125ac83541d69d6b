"""Frontrunners: does a brand community survive when reach is rationed by an algorithm change?

Story (seeds/000, ASICS FrontRunners): a ~700-member brand community where about 20% of
members do the heavy lifting. "Algorithm changes" and the content bottleneck push creators
to produce more for less; some burn out and leave.

Mapping onto the model
----------------------
* Graph: ``feedsim.networks.default_community(700)`` with its default roles: 1% influencers
  (the ambassadors), 19% regulars, 0.5% brand accounts (the brand), 40% quiet members
  who rarely post and 39.5% lurkers. Influencers + regulars + brands (20%) post most.
* Rates: per-role defaults (``feedsim.population.roles``); all feedback loops on, so
  creators adapt: little response -> they post less, and after ``burnout_days`` (7)
  low-response days they stop (``creator_adaptation``, the burnout of the story).
* Ranker and intervention: chronological feed for 30 days, then
  ``sim.switch_ranker("engagement", at_day=30)``: "the algorithm change". A control arm
  stays chronological for all 60 days with the same seed (common random numbers), so the
  change is measured against what would have happened anyway.
* Replicates: 5 seeds (graph and run both seeded per replicate).

Reported (``summary.json``): participation (share of creators who posted, daily mean
over the last week before the switch and the last week of the run), creator retention
(share of creators still active) at the switch and at the end, each role's share of
impressions and reach per post before and after, for both arms.
"""

from __future__ import annotations

import numpy as np

import _common as C
import feedsim
from feedsim.networks import ROLES
from feedsim.plots import plot_metric_over_time, ranker_color
from feedsim.plots.rules import legend_outside

NAME = "frontrunners"


def window(res, key, lo, hi):
    """Daily series ``key`` summed over days ``[lo, hi)`` (per role if *_by_role)."""
    return np.asarray(res.daily[key][lo:hi], dtype=float).sum(axis=0)


def measure(res, switch, days, w):
    """Numbers of one run: before = last w days before the switch, after = last w days."""
    creators = int(res.authors.creator.sum())
    out = {}
    for label, (lo, hi) in {"before": (switch - w, switch), "after": (days - w, days)}.items():
        posts = window(res, "posts_by_role", lo, hi)
        imps = window(res, "impressions_by_role", lo, hi)
        out[label] = {
            "participation": float(np.mean(res.daily["creators_posting"][lo:hi]) / creators),
            "creator_retention": float(res.daily["creators_active"][hi - 1] / creators),
            "posts_per_day": float(posts.sum() / w),
            "impression_share": {r: float(imps[i] / imps.sum()) for i, r in enumerate(ROLES) if r != "lurker"},
            "reach_per_post": {r: (float(imps[i] / posts[i]) if posts[i] else None)
                               for i, r in enumerate(ROLES) if r != "lurker"},
        }
    return out


def figures(results, first, out) -> list[str]:
    """Participation and retention over time, who is seen day by day, and reach per post before and after."""
    figs = []
    fig, axes = C.plt.subplots(1, 2, figsize=(12, 4))
    plot_metric_over_time(first, "creators_posting", ax=axes[0], ylabel="creators who posted that day")
    axes[0].set_title("Participation (replicate 0)")
    plot_metric_over_time(first, "creators_active", ax=axes[1], ylabel="creators still active")
    axes[1].set_title("Creator retention (replicate 0)")
    axes[0].get_legend().remove()  # the same runs in both panels: one legend
    figs.append(C.save(fig, out, "participation_and_retention.png"))
    fig, ax = C.plt.subplots(figsize=(8, 4))
    plot_metric_over_time(first["algorithm change"], "impressions_by_role", share=True, ax=ax,
                          ylabel="share of the day's impressions")
    ax.set_title("Who is seen, day by day (algorithm-change arm, replicate 0)")
    figs.append(C.save(fig, out, "impression_share_by_role.png"))
    fig, ax = C.plt.subplots(figsize=(8, 4))
    roles = [r for r in ROLES if r != "lurker"]
    x = np.arange(len(roles))
    res = results["algorithm change"]
    for when, ranker, off in (("before", "chronological", -0.2), ("after", "engagement", 0.2)):
        C.stat_bars(ax, x + off, [res[when]["reach_per_post"][r] for r in roles], width=0.4, capsize=3,
                    bounds=C.bounds_of("reach_per_post"), color=ranker_color(ranker),
                    label=f"{ranker} ({when} the switch)")
    ax.set_xticks(x, roles)
    ax.set_ylabel("impressions per post (mean, 95% CI)")
    ax.set_title("Reach per post by role, before and after the switch")
    legend_outside(ax)
    figs.append(C.save(fig, out, "reach_per_post_by_role.png"))
    return figs


def main():
    args = C.parse_args(NAME, __doc__, replicates=5)
    n_users, switch, days, w = (300, 10, 20, 5) if args.quick else (700, 30, 60, 7)
    arms = {"algorithm change": True, "chronological throughout": False}
    per_arm = {a: [] for a in arms}
    first = {}
    for r in range(args.replicates):
        seeds = C.seeds_for(0, r)
        seed = seeds.run
        G = feedsim.networks.default_community(n_users, seed=seeds.graph)
        for arm, change in arms.items():
            sim = feedsim.Simulation(G, ranker="chronological", seed=seed)
            if change:
                sim.switch_ranker("engagement", at_day=switch)
            res = sim.run(days=days)
            per_arm[arm].append(measure(res, switch, days, w))
            if r == 0:
                first[arm] = res
    results = {arm: C.stats_tree(v, bounds=True) for arm, v in per_arm.items()}

    figs = figures(results, first, args.out)

    a, c = results["algorithm change"], results["chronological throughout"]
    finding = (
        f"After the switch to engagement ranking, {C.fmt(a['after']['participation'], pct=True)} of creators "
        f"posted on a typical day in the last week, against {C.fmt(a['before']['participation'], pct=True)} before "
        f"the switch and {C.fmt(c['after']['participation'], pct=True)} in the chronological control. Creators "
        f"still active at the end: {C.fmt(a['after']['creator_retention'], pct=True)} with the change vs "
        f"{C.fmt(c['after']['creator_retention'], pct=True)} without. Quiet members' share of impressions went "
        f"from {C.fmt(a['before']['impression_share']['quiet'], pct=True)} to "
        f"{C.fmt(a['after']['impression_share']['quiet'], pct=True)}; influencers' from "
        f"{C.fmt(a['before']['impression_share']['influencer'], pct=True)} to "
        f"{C.fmt(a['after']['impression_share']['influencer'], pct=True)} (mean [95% CI] over seeds)."
    )
    C.write_summary(args, NAME, question=__doc__.strip().splitlines()[0],
                    parameters={"n_users": n_users, "switch_day": switch, "days": days, "window_days": w,
                                "graph": "default_community defaults", "ranker": "chronological -> engagement",
                                "simulation": "defaults (all feedback loops on)"},
                    results=results, finding=finding, figures=figs)
    C.report(NAME, finding, args)


if __name__ == "__main__":
    main()
