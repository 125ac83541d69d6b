"""Salganik, Dodds and Watts 2006 (MusicLab): does social influence raise inequality and unpredictability?

Published result
----------------
Salganik, Dodds and Watts, "Experimental study of inequality and unpredictability in an
artificial cultural market", Science 311:854-856 (2006), doi:10.1126/science.1121066:
14,341 participants chose among 48 unknown songs, either independently (one world) or
seeing download counts (eight independent "social influence" worlds). Social influence
increased both the inequality of success (Gini of market shares) and its unpredictability
(the mean over songs of the absolute difference in a song's market share over all pairs
of worlds), more so when songs were listed by popularity (experiment 2).

Mapping onto the model
----------------------
* Songs -> accounts that post (``creator``): the same accounts, with the same attributes
  (drawn once: ``feedsim.worlds.freeze_community``), exist in every world; posts are new.
* Social influence -> the ``popularity`` ranker (most engaged first, the download
  counts); independent -> ``random`` order. Every feedback loop stays on (defaults).
* Worlds -> ``feedsim.run_worlds``: W independent runs of the same community per ranker
  (world w of both rankers shares its seed). Success -> impressions, and engagements.
* Replicate -> a fresh community and its W worlds per ranker; the interval is a 95%
  t-interval over replicates (paired: popularity minus random on the same community).
* Sizes: 3,000 accounts, 8 worlds, 7 days, 6 replicates (quick: 800, 4, 2 days, 3).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import _field as F
import feedsim
from feedsim.plots import ranker_color
from feedsim.worlds import share_matrix, unpredictability, world_gini

C = F.C
NAME = "salganik_2006"
RANKERS = ["popularity", "random"]
MEASURES = ["impressions", "engagements"]


def one_replicate(rep, n_users, n_worlds, days):
    seed = C.seed_for(0, rep)
    G = feedsim.networks.default_community(n_users, seed=C.seeds_for(0, rep).graph,
                                           as_arrays=True)
    out = {}
    t = feedsim.run_worlds(G, RANKERS, n_worlds=n_worlds, days=days, seed=seed)
    for measure in MEASURES:
        row = {}
        for r in RANKERS:
            S = share_matrix(t, r, measure=measure, creators_only=True)
            row[r] = {"gini": float(np.mean(world_gini(S))), "unpredictability": unpredictability(S),
                      "items": int(S.shape[1])}
        row["gini_difference"] = row["popularity"]["gini"] - row["random"]["gini"]
        row["unpredictability_ratio"] = row["popularity"]["unpredictability"] / row["random"]["unpredictability"]
        out[measure] = row
    return out


def main():
    args = F.parse_args(NAME, __doc__, replicates=6)
    n_users, n_worlds, days = (800, 4, 2) if args.quick else (3000, 8, 7)
    per = [one_replicate(rep, n_users, n_worlds, days) for rep in range(args.replicates)]
    results = C.stats_tree(per)
    imp = results["impressions"]
    finding = (
        f"Across {n_worlds} worlds of the same {n_users:,}-account community, popularity ranking (social "
        f"influence) gives a Gini of impressions over posting accounts of {C.fmt(imp['popularity']['gini'], digits=3)} "
        f"against {C.fmt(imp['random']['gini'], digits=3)} under random order (difference "
        f"{C.fmt(imp['gini_difference'], digits=3)}), and an unpredictability {C.fmt(imp['unpredictability_ratio'])} "
        f"times that of random order (95% intervals over {args.replicates} communities)."
    )
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.2))
    # a Gini lies in [0, 1], unpredictability (a mean absolute difference of shares) is >= 0
    for ax, key, label, bounds in ((axes[0], "gini", "Gini of impressions", (0.0, 1.0)),
                                   (axes[1], "unpredictability", "unpredictability", (0.0, np.inf))):
        for i, r in enumerate(RANKERS):
            s = imp[r][key]
            C.stat_points(ax, [i], [s], bounds=bounds, capsize=4, color=ranker_color(r))
            ax.scatter(np.full(len(s["values"]), i + 0.1), s["values"], s=8, alpha=0.5, color=ranker_color(r))
        ax.set_xticks(range(len(RANKERS)), [C.words(r) for r in RANKERS])
        ax.set_xlim(-0.5, len(RANKERS) - 0.5)
        ax.set_ylabel(label)
    fig.suptitle("Social influence (popularity) vs independent (random) worlds")
    figures = [C.save(fig, args.out, "inequality_unpredictability.png")]
    C.write_summary(args, f"field/{NAME}", question="Does popularity ranking raise inequality and unpredictability "
                    "of success across independent worlds, as in MusicLab?",
                    parameters={"n_users": n_users, "n_worlds": n_worlds, "days": days, "rankers": RANKERS,
                                "measures": MEASURES, "items": "accounts with a positive posting rate"},
                    results=results, finding=finding, figures=figures)
    C.report(NAME, finding, args)


if __name__ == "__main__":
    main()
