"""Community vs broadcast: does a brand that converses reach and engage more than one that broadcasts?

Story (seeds/004, "Redefining community"): brands first used social media to broadcast;
what works is two-way community, and people listen to their community long before a
brand.

Mapping onto the model
----------------------
* Graph: ``default_community`` with 2% brand accounts (so every replicate has several),
  other roles in their default proportions.
* Brands are split at random into two halves with the same follower structure:
  *broadcasting* brands keep the brand defaults (3 posts/day, 1 session/day, 5 items per
  session, engagement propensity 0.1, 60% of posts link off-platform: they post and do
  not listen); *conversing* brands post like a member (1 post/day, 4 sessions/day, 15
  items per session, propensity 1, 10% links: they read and answer). Set as node
  attributes on a copy of the graph.
* Members who converse: regular members (per-role defaults).
* Rankers, same seed (common random numbers): ``chronological``, ``engagement``,
  ``platform_favoring``. All feedback loops on, so a brand that engages triggers
  reciprocity (its affinity is returned, members may follow back).
* Replicates: 5 seeds, 1,000 accounts, 14 days (quick: 400 accounts, 7 days, 2 seeds).

Reported per group (broadcasting brands, conversing brands, regular members) and ranker:
reach per post, engagement per post, engagement per impression, share of all
impressions per account, and followers gained.
"""

from __future__ import annotations

import numpy as np

import _common as C
import feedsim
from feedsim.networks import ROLES
from feedsim.plots import ranker_color
from feedsim.plots.rules import legend_outside

NAME = "community_vs_broadcast"
RANKERS = ["chronological", "engagement", "platform_favoring"]
SHARES = {"influencer": 0.01, "regular": 0.19, "quiet": 0.39, "brand": 0.02, "lurker": 0.39}
CONVERSING = {"post_rate": 1.0, "session_rate": 4.0, "attention": 15, "propensity": 1.0, "link_share": 0.1}
GROUPS = ("broadcasting brand", "conversing brand", "regular member")


def measure(res, groups):
    A = res.authors
    total = A.impressions.sum()
    out = {}
    for g, idx in groups.items():
        posts, imp, eng = A.posts[idx].sum(), A.impressions[idx].sum(), A.engagements[idx].sum()
        out[g] = {
            "reach_per_post": float(imp / posts) if posts else None,
            "engagement_per_post": float(eng / posts) if posts else None,
            "engagement_per_impression": float(eng / imp) if imp else None,
            "impression_share_per_account": float(imp / total / len(idx)) if total else None,
            "followers_gained": float(np.mean(A.followers[idx] - A.followers_start[idx])),
        }
    return out


def figure(results, out) -> str:
    """Reach and engagement per group, one bar per ranker (its palette colour), intervals inside their bounds."""
    fig, axes = C.plt.subplots(1, 3, figsize=(15, 4))
    x = np.arange(len(GROUPS))
    for ax, metric in zip(axes, ("reach_per_post", "engagement_per_post", "engagement_per_impression")):
        for i, r in enumerate(RANKERS):
            C.stat_bars(ax, x + (i - 1) * 0.27, [results[r][g][metric] for g in GROUPS], width=0.27, capsize=2,
                        bounds=C.bounds_of(metric), color=ranker_color(r), label=C.words(r))
        ax.set_xticks(x, [g.replace(" ", "\n") for g in GROUPS])
        ax.set_title(C.label(metric))
        ax.set_ylabel("mean over seeds (95% CI)")
    legend_outside(axes[-1], title="feed ranking")
    return C.save(fig, out, "reach_and_engagement_by_group.png")


def main():
    args = C.parse_args(NAME, __doc__, replicates=5)
    n_users, days = (400, 7) if args.quick else (1000, 14)
    per = {r: [] for r in RANKERS}
    for rep in range(args.replicates):
        seeds = C.seeds_for(0, rep)
        seed = seeds.run
        G = feedsim.networks.default_community(n_users, role_shares=SHARES, seed=seeds.graph)
        role = np.array([G.nodes[i]["role"] for i in range(n_users)])
        brands = np.flatnonzero(role == "brand")
        conv = np.sort(C.design_rng(rep).choice(brands, size=len(brands) // 2, replace=False))
        for i in conv.tolist():
            G.nodes[i].update(CONVERSING)
        groups = {"broadcasting brand": np.setdiff1d(brands, conv), "conversing brand": conv,
                  "regular member": np.flatnonzero(role == "regular")}
        cmp = feedsim.compare(G, RANKERS, days=days, seed=seed)
        for r in RANKERS:
            per[r].append(measure(cmp.results[r], groups))
    results = {r: C.stats_tree(v, bounds=True) for r, v in per.items()}

    figs = [figure(results, args.out)]

    def line(metric, digits=2):
        return "; ".join(f"{r}: " + ", ".join(f"{g} {C.fmt(results[r][g][metric], digits=digits)}" for g in GROUPS)
                         for r in RANKERS)

    finding = (f"Reach per post - {line('reach_per_post', 1)}. Engagement per post - {line('engagement_per_post')}. "
               f"Followers gained per account - {line('followers_gained', 1)} (mean [95% CI] over seeds).")
    C.write_summary(args, NAME, question=__doc__.strip().splitlines()[0],
                    parameters={"n_users": n_users, "days": days, "role_shares": SHARES,
                                "conversing_brand_attributes": CONVERSING, "broadcasting_brand_attributes":
                                "brand role defaults", "rankers": RANKERS, "roles": list(ROLES),
                                "simulation": "defaults (all feedback loops on)"},
                    results=results, finding=finding, figures=figs)
    C.report(NAME, finding, args)


if __name__ == "__main__":
    main()
