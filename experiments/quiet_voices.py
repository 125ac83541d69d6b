"""Quiet voices: in a network of equals, who is heard under each feed, and what does mitigation recover?

Story (seeds/001, "Influencer culture doesn't serve the community"): on the old
chronological timeline the quiet voice was heard and natural leaders did not win
automatically; platforms that favour their own content hide posts that link out; a
network of equals needs a good audience, not millions of followers.

Mapping onto the model
----------------------
* Graph, "a network of equals": ``default_community`` without influencers or brands
  (roles: 30% regulars, 40% quiet members, 30% lurkers), ``reciprocity=0.6`` (people
  follow each other back) and ``attractiveness_exponent=3`` (follower counts vary, but
  without superstars).
* Rates: per-role defaults: quiet members post ~0.15 posts/day, regulars ~1/day; appeal
  is the same for both (quiet is not worse). 10% of posts link off-platform (role default).
* Rankers, same seed each (common random numbers): ``chronological``, ``engagement``,
  ``platform_favoring`` (engagement ranking with off-platform links demoted x 0.6, "the
  platform favouring its own content") and the mitigation ``fair_exposure``.
* Replicates: 5 seeds, 1,000 accounts, 14 days (quick: 300 accounts, 7 days, 2 seeds).

Reported: each role's share of posts and of impressions (voice ratio = impression share /
post share), follower reach (mean share of the author's followers shown each post) of
quiet and regular members' posts and of posts linking off-platform versus not, and the
share of posts seen by anyone (visibility), per ranker.
"""

from __future__ import annotations

import numpy as np

import _common as C
import feedsim
from feedsim.plots import plot_lorenz, plot_role_share_scatter, role_color
from feedsim.plots.rules import legend_outside

NAME = "quiet_voices"
RANKERS = ["chronological", "engagement", "platform_favoring", "fair_exposure"]
SHARES = {"regular": 0.3, "quiet": 0.4, "lurker": 0.3}


def follower_reach(P, mask):
    """Mean share of the author's followers shown the post, over posts in ``mask`` with followers."""
    ok = mask & (P.followers_at_creation > 0)
    if not ok.any():
        return None
    return float(np.mean(np.minimum(1.0, P.follower_impressions[ok] / P.followers_at_creation[ok])))


def measure(res, base):
    s = res.summary(baseline=base)
    P = res.posts
    off = P.off_platform
    return {
        "post_share": {r: s["post_share"][r] for r in ("regular", "quiet")},
        "impression_share": {r: s["impression_share"][r] for r in ("regular", "quiet")},
        "voice_ratio": {r: s["voice_ratio"][r] for r in ("regular", "quiet")},
        "visibility": {r: s["visibility"][r] for r in ("regular", "quiet")},
        "amplification": {r: s["amplification"][r] for r in ("regular", "quiet")},
        "follower_reach": {r: s["follower_reach"][r] for r in ("regular", "quiet")},
        "visibility_off_platform_posts": float(np.mean(P.impressions[off] > 0)) if off.any() else None,
        "follower_reach_off_platform_posts": follower_reach(P, off),
        "follower_reach_on_platform_posts": follower_reach(P, ~off),
        "gini_impressions": s["gini_impressions"],
    }


def figures(results, first, out) -> list[str]:
    """Shares scatter and Lorenz curves of replicate 0, and follower reach per ranker for regular and quiet posts."""
    figs = []
    fig, ax = C.plt.subplots(figsize=(7, 5))
    plot_role_share_scatter(first, ax=ax, log=True)
    figs.append(C.save(fig, out, "role_share_scatter.png"))
    fig, ax = C.plt.subplots(figsize=(8, 4))
    x = np.arange(len(RANKERS))
    for k, role in enumerate(("regular", "quiet")):
        C.stat_bars(ax, x + (k - 0.5) * 0.4, [results[r]["follower_reach"][role] for r in RANKERS], width=0.4,
                    capsize=3, bounds=C.bounds_of("follower_reach"), color=role_color(role), label=f"{role} members")
    ax.set_xticks(x, [C.words(r) for r in RANKERS])
    ax.set_ylim(0, 1)
    ax.set_ylabel("share of the author's followers shown the post\n(mean, 95% CI)")
    ax.set_title("Does a post reach its author's own audience?")
    legend_outside(ax, title="posts by")
    figs.append(C.save(fig, out, "follower_reach_by_ranker.png"))
    fig, ax = C.plt.subplots(figsize=(6, 5))
    plot_lorenz(first, ax=ax)
    figs.append(C.save(fig, out, "lorenz.png"))
    return figs


def main():
    args = C.parse_args(NAME, __doc__, replicates=5)
    n_users, days = (300, 7) if args.quick else (1000, 14)
    per = {r: [] for r in RANKERS}
    first = None
    for rep in range(args.replicates):
        seeds = C.seeds_for(0, rep)
        seed = seeds.run
        G = feedsim.networks.default_community(n_users, role_shares=SHARES, reciprocity=0.6,
                                               attractiveness_exponent=3.0, seed=seeds.graph)
        cmp = feedsim.compare(G, RANKERS, days=days, seed=seed)
        for r in RANKERS:
            per[r].append(measure(cmp.results[r], cmp.baseline))
        if rep == 0:
            first = cmp.results
    results = {r: C.stats_tree(v, bounds=True) for r, v in per.items()}

    figs = figures(results, first, args.out)

    q = {r: results[r]["voice_ratio"]["quiet"] for r in RANKERS}
    v = {r: results[r]["follower_reach"]["quiet"] for r in RANKERS}
    vis = {r: results[r]["visibility"]["quiet"] for r in RANKERS}
    off = {r: results[r]["follower_reach_off_platform_posts"] for r in RANKERS}
    on = {r: results[r]["follower_reach_on_platform_posts"] for r in RANKERS}
    finding = (
        "Quiet members' voice ratio (share of impressions / share of posts; 1 = heard as much as they speak): "
        + ", ".join(f"{r} {C.fmt(q[r])}" for r in RANKERS)
        + ". Share of a quiet member's followers shown each post: "
        + ", ".join(f"{r} {C.fmt(v[r], pct=True)}" for r in RANKERS)
        + " (quiet posts seen by at least one person: "
        + ", ".join(f"{r} {C.fmt(vis[r], pct=True)}" for r in RANKERS)
        + "). Followers shown a post that links out vs one that does not: "
        + ", ".join(f"{r} {C.fmt(off[r], pct=True)} vs {C.fmt(on[r], pct=True)}" for r in RANKERS)
        + " (mean [95% CI] over seeds)."
    )
    C.write_summary(args, NAME, question=__doc__.strip().splitlines()[0],
                    parameters={"n_users": n_users, "days": days, "role_shares": SHARES, "reciprocity": 0.6,
                                "attractiveness_exponent": 3.0, "rankers": RANKERS,
                                "simulation": "defaults (all feedback loops on)"},
                    results=results, finding=finding, figures=figs)
    C.report(NAME, finding, args)


if __name__ == "__main__":
    main()
