"""Pew Research Center 2019 and 2021: how concentrated is posting in the default community?

Published result
----------------
Pew Research Center, "Sizing Up Twitter Users" (Wojcik and Hughes, 24 April 2019; 2,791
U.S. adult Twitter users surveyed Nov.-Dec. 2018, their tweets counted; margin of error
+-3 points): the 10% of users who tweet most create 80% of tweets; the median user tweets
twice a month; the top 10%'s median user 138 times a month, the other 90%'s twice.
Pew Research Center, "The Behaviors and Attitudes of U.S. Adults on Twitter" (November
2021; 2,548 users, tweets May 2020 - May 2021): the top 25% of users by tweet volume
produce 97% of tweets.

Mapping onto the model
----------------------
* Accounts: ``default_community`` without brands (Pew excluded institutional accounts);
  lurkers count (Pew's users include those who never tweet).
* Posts: realised counts over a 30-day run, as posts/month (x 30.44 / 30); every feedback
  loop on (creator adaptation can lower posting), ``engagement`` ranking. Also the expected rates (``post_rate`` x 30.44).
* Top 10% / 25%: the accounts with the most posts (ties broken by index). Medians over all
  accounts, the top 10% and the other 90%.
* Also engagements given per month (likes + reshares + replies; Pew counts likes: a median
  of 70 a month for the top 10% by tweets, 1 for the others).
* Sizes: 5,000 accounts, 30 days, 4 replicates (quick: 1,000 accounts, 3 replicates). Intervals: 95% t over replicates (a new community each).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import _field as F
import feedsim
from feedsim.network.graph import ROLES
from feedsim.plots import ranker_color
from feedsim.plots.palette import NEUTRAL_COLOR
from feedsim.plots.rules import legend_outside

C = F.C
NAME = "pew_2019"
DAYS = 30
PER_MONTH = 365.25 / 12
BRAND = ROLES.index("brand")
PUBLISHED = {"top10_share": 0.80, "top25_share": 0.97, "median": 2.0, "top10_median": 138.0,
             "rest_median": 2.0, "top10_median_engaged": 70.0, "rest_median_engaged": 1.0}


def concentration(count, engaged=None):
    """Shares and medians of a per-account count over the 30 days (as posts/month)."""
    n = len(count)
    order = np.argsort(-count, kind="stable")
    k10, k25 = int(np.ceil(0.10 * n)), int(np.ceil(0.25 * n))
    top = np.zeros(n, dtype=bool)
    top[order[:k10]] = True
    total = count.sum()
    rate = count * PER_MONTH / DAYS
    out = {"top10_share": float(count[order[:k10]].sum() / total), "top25_share": float(count[order[:k25]].sum() / total),
           "median": float(np.median(rate)), "top10_median": float(np.median(rate[top])),
           "rest_median": float(np.median(rate[~top])), "zero_share": float(np.mean(count == 0))}
    if engaged is not None:
        given = engaged * PER_MONTH / DAYS
        out["top10_median_engaged"] = float(np.median(given[top]))
        out["rest_median_engaged"] = float(np.median(given[~top]))
    return out


def one_replicate(rep, n_users, rankers):
    seed = C.seed_for(0, rep)
    G = feedsim.networks.default_community(n_users, seed=C.seeds_for(0, rep).graph,
                                           as_arrays=True)
    out = {}
    for r in rankers:
        sim = feedsim.Simulation(G, ranker=r, seed=seed)
        expected = sim.population.post_rate[sim.population.role != BRAND] * DAYS  # expected 30-day count
        res = sim.run(days=DAYS)
        A = res.authors
        # accounts on the platform for the whole month (churn adds and removes some)
        human = (A.role != BRAND) & (A.joined_day == 0) & A.present
        out[r] = concentration(np.asarray(A.posts[human], dtype=np.float64),
                               np.asarray(A.engaged[human], dtype=np.float64))
        out[r]["engagements_per_impression"] = float(res.posts.engagements.sum() / res.posts.impressions.sum())
        if r == rankers[0]:
            out["expected_rates"] = concentration(np.asarray(expected, dtype=np.float64))
    return out


def main():
    args = F.parse_args(NAME, __doc__, replicates=4)
    n_users, rankers = (1000, ["engagement"]) if args.quick else (5000, ["engagement"])
    per = [one_replicate(rep, n_users, rankers) for rep in range(args.replicates)]
    results = C.stats_tree(per)
    results["published"] = PUBLISHED
    e = results["engagement"]
    finding = (
        f"Realised 30-day posting of {n_users:,} accounts (engagement ranking): the top 10% write "
        f"{C.fmt(e['top10_share'], pct=True)} of posts (Pew 2019: 80%), the top 25% {C.fmt(e['top25_share'], pct=True)} "
        f"(Pew 2021: 97%); median {C.fmt(e['median'])} posts/month (Pew: 2), top 10% median "
        f"{C.fmt(e['top10_median'], digits=1)} (Pew: 138), the other 90% {C.fmt(e['rest_median'])} (Pew: 2) "
        f"(95% intervals over {args.replicates} communities)."
    )
    fig, ax = plt.subplots(figsize=(6.5, 3.4))
    keys = ["top10_share", "top25_share"]
    for j, (label, src, colour) in enumerate((("feedsim (engagement ranking)", e, ranker_color("engagement")),
                                              ("expected rates", results["expected_rates"], NEUTRAL_COLOR))):
        C.stat_points(ax, np.arange(2) + 0.1 * j, [src[k] for k in keys], bounds=(0.0, 1.0), capsize=4, color=colour,
                      label=label)  # shares: intervals cut to [0, 1]
    ax.scatter(np.arange(2) - 0.1, [PUBLISHED[k] for k in keys], marker="x", color="k", label="Pew 2019 / 2021")
    ax.set_xticks(range(2), ["top 10% share", "top 25% share"])
    ax.set_ylabel("share of posts")
    legend_outside(ax, fontsize=7)
    figures = [C.save(fig, args.out, "posting_concentration.png")]
    C.write_summary(args, f"field/{NAME}", question="Is posting in the default community as concentrated as Pew "
                    "measured on U.S. adult Twitter users?",
                    parameters={"n_users": n_users, "days": DAYS, "rankers": rankers, "excluded_roles": ["brand"],
                                "per_month": PER_MONTH},
                    results=results, finding=finding, figures=figures)
    C.report(NAME, finding, args)


if __name__ == "__main__":
    main()
