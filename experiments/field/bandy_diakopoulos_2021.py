"""Bandy and Diakopoulos 2021: fewer links, more accounts in the algorithmic timeline?

Published result
----------------
Bandy and Diakopoulos ran sock-puppet audits of Twitter's home timeline in 2020, comparing
each puppet's chronological ("latest tweets") and algorithmic ("top tweets") timelines.
"More Accounts, Fewer Links: How Algorithmic Curation Impacts Media Exposure in Twitter
Timelines", Proc. ACM HCI 5 (CSCW1), article 78 (2021), doi:10.1145/3449152: the algorithm
increased source diversity (more distinct accounts) while drastically decreasing external
links, and elevated "suggested" tweets from accounts the puppet did not follow. "Curating
Quality? How Twitter's Timeline Algorithm Treats Different Types of News", Social Media +
Society 7(3) (2021), doi:10.1177/20563051211041648: algorithmic timelines exposed the
agents to external links "at roughly half the rate" of chronological timelines.

Mapping onto the model
----------------------
* Community: ``default_community`` (roles and link shares by role: 60% of brands' posts
  link out, 10-15% of others'); every feedback loop on (defaults).
* Link share of impressions: impressions of posts with ``off_platform`` set over all
  impressions. The figure compared is ranked / chronological on the same community and
  seed (common random numbers), for ``engagement``, ``platform_favoring`` and the presets.
* Calibration: ``PlatformFavoringRanker(link_penalty=p)`` over a grid of p; per replicate
  the p where the ratio crosses 0.5 (linear interpolation), then a 95% t-interval.
* Distinct authors per viewer (accounts whose posts the viewer was shown) with
  ``out_of_network_share`` 0 and 0.2 (a setting, not a published figure), chronological
  and engagement ranking.
* Sizes: 3,000 accounts, 5 days, 5 replicates (quick: 1,000 accounts, 2 days, 3, and only
  the penalties 0.2, 0.5 and 1).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import _field as F
import feedsim
from feedsim.plots import ranker_color
from feedsim.plots.palette import NEUTRAL_COLOR
from feedsim.plots.rules import declare_bounds, legend_outside
from feedsim.rankers import PlatformFavoringRanker

C = F.C
NAME = "bandy_diakopoulos_2021"
RANKED = ["engagement", "platform_favoring", "twitter_2023", "x_2026", "reddit_hot", "simsom", "facebook_msi"]
PENALTIES = [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
QUICK_PENALTIES = [0.2, 0.5, 1.0]
OON = [0.0, 0.2]
TARGET = 0.5


def link_share(res):
    P = res.posts
    return float((P.impressions * P.off_platform).sum() / P.impressions.sum())


def distinct_authors(res):
    """Mean distinct authors and impressions per viewer with at least one impression (impression log)."""
    log = res.impressions
    author = res.posts.author[log.post - res.post_id_offset].astype(np.int64)
    n = len(res.authors)
    pairs = np.unique(log.viewer.astype(np.int64) * n + author)
    distinct = np.bincount(pairs // n, minlength=n)
    imps = np.bincount(log.viewer, minlength=n)
    seen = imps > 0
    return {"distinct_authors": float(distinct[seen].mean()), "impressions": float(imps[seen].mean()),
            "distinct_per_100_impressions": float(100 * distinct[seen].sum() / imps[seen].sum())}


def crossing(penalties, ratios, target=TARGET):
    """The penalty where the link-share ratio reaches ``target`` (linear interpolation), or None."""
    r = np.asarray(ratios)
    for i in range(len(r) - 1):
        if (r[i] - target) * (r[i + 1] - target) <= 0 and r[i] != r[i + 1]:
            return float(penalties[i] + (target - r[i]) * (penalties[i + 1] - penalties[i]) / (r[i + 1] - r[i]))
    return None


def one_replicate(rep, n_users, days, penalties):
    seed = C.seed_for(0, rep)
    G = feedsim.networks.default_community(n_users, seed=C.seeds_for(0, rep).graph,
                                           as_arrays=True)
    run = lambda ranker, **kw: feedsim.Simulation(G, ranker=ranker, seed=seed, **kw).run(days=days)  # noqa: E731
    chron = link_share(run("chronological"))
    out = {"chronological_link_share": chron,
           "link_share": {}, "link_share_ratio": {}, "penalty_ratio": {}}
    for r in RANKED:
        s = link_share(run(r))
        out["link_share"][r] = s
        out["link_share_ratio"][r] = s / chron
    ratios = []
    for p in penalties:
        ratios.append(link_share(run(PlatformFavoringRanker(link_penalty=p))) / chron)
        out["penalty_ratio"][f"{p:g}"] = ratios[-1]
    out["calibrated_penalty"] = crossing(penalties, ratios)
    out["distinct"] = {}
    for r in ("chronological", "engagement"):
        for share in OON:
            out["distinct"][f"{r}, out_of_network_share={share:g}"] = distinct_authors(
                run(r, out_of_network_share=share, record_impressions=True))
    d = out["distinct"]
    out["distinct_ratio_engagement_oon_over_chronological"] = (
        d[f"engagement, out_of_network_share={OON[1]:g}"]["distinct_authors"]
        / d["chronological, out_of_network_share=0"]["distinct_authors"])
    out["distinct_ratio_engagement_over_chronological"] = (
        d["engagement, out_of_network_share=0"]["distinct_authors"]
        / d["chronological, out_of_network_share=0"]["distinct_authors"])
    return out


def main():
    args = F.parse_args(NAME, __doc__, replicates=5)
    n_users, days = (1000, 2) if args.quick else (3000, 5)
    penalties = QUICK_PENALTIES if args.quick else PENALTIES
    per = [one_replicate(rep, n_users, days, penalties) for rep in range(args.replicates)]
    missing = sum(p["calibrated_penalty"] is None for p in per)
    results = C.stats_tree(per)
    results["calibrated_penalty_missing"] = missing
    lr = results["link_share_ratio"]
    finding = (
        f"Ranked over chronological link share of impressions: platform_favoring (link_penalty "
        f"{PlatformFavoringRanker().link_penalty:g}) {C.fmt(lr['platform_favoring'])}, engagement "
        f"{C.fmt(lr['engagement'])}, twitter_2023 {C.fmt(lr['twitter_2023'])} (published: about 0.5). "
        f"The penalty giving 0.5 is {C.fmt(results['calibrated_penalty'])}. Distinct authors per viewer, "
        f"engagement with out_of_network_share={OON[1]:g} over chronological: "
        f"{C.fmt(results['distinct_ratio_engagement_oon_over_chronological'])}; without out-of-network: "
        f"{C.fmt(results['distinct_ratio_engagement_over_chronological'])} "
        f"(95% intervals over {args.replicates} seeds)."
    )
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.4))
    ax = axes[0]
    pr = results["penalty_ratio"]
    xs = [float(k) for k in pr]
    # a ratio of two link shares is positive: its band is cut at 0 (t-interval over seeds, clipped)
    colour = ranker_color("platform_favoring")
    ax.plot(xs, [pr[k]["mean"] for k in pr], marker="o", color=colour, label="platform favoring ranker")
    ax.fill_between(xs, np.clip([pr[k]["lo"] for k in pr], 0, None), [pr[k]["hi"] for k in pr], alpha=0.3,
                    color=colour, linewidth=0)
    declare_bounds(ax, 0, np.inf)
    ax.axhline(TARGET, ls="--", color=NEUTRAL_COLOR, label="Bandy & Diakopoulos: about half")
    ax.set_xlabel("link penalty of the platform favoring ranker")
    ax.set_ylabel("link share, ranked / chronological")
    ax = axes[1]
    names = list(lr)
    C.stat_bars(ax, np.arange(len(names)), [lr[k] for k in names], bounds=(0, np.inf), horizontal=True,
                color=[ranker_color(k) for k in names], ecolor=NEUTRAL_COLOR)  # grey shows on the black x 2026 bar
    ax.set_yticks(np.arange(len(names)), [C.words(k) for k in names])
    ax.axvline(TARGET, ls="--", color=NEUTRAL_COLOR)
    ax.set_xlabel("link share, ranked / chronological")
    legend_outside(ax, handles=axes[0].get_legend_handles_labels()[0], fontsize=7)  # one legend, at the right
    figures = [C.save(fig, args.out, "link_share_ratio.png")]
    C.write_summary(args, f"field/{NAME}", question="Do ranked feeds show links out at about half the chronological "
                    "rate, and more distinct accounts with out-of-network content?",
                    parameters={"n_users": n_users, "days": days, "ranked": RANKED, "penalties": penalties,
                                "out_of_network_shares": OON, "target_ratio": TARGET,
                                "platform_favoring_link_penalty": PlatformFavoringRanker().link_penalty},
                    results=results, finding=finding, figures=figures)
    C.report(NAME, finding, args)


if __name__ == "__main__":
    main()
