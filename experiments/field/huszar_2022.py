"""Huszár et al. 2022: amplification of groups of authors by the ranked timeline, and its spread.

Published result
----------------
Huszár, Ktena, O'Brien, Belli, Schlaikjer and Hardt, "Algorithmic amplification of
politics on Twitter", PNAS 119(1) e2025334119 (2022), doi:10.1073/pnas.2025334119. A
control group of about 1% of accounts (nearly 2 million daily active accounts) kept the
reverse-chronological timeline since 2016; a treatment group four times its size had the
ranked one. The amplification of a set of tweets T (Materials and Methods, "Measuring
Amplification") is ``(|U_T ∩ U_treatment| + 1) / (4 |U_T ∩ U_control| + 1) - 1``, where
U_T are the users who saw a tweet of T. Group level: legislators' tweets were amplified
in every country studied (e.g. Canada: Liberals 43%, Conservatives 167%; UK: Labour 112%,
Conservatives 176%). Individual level: amplification varied widely within parties, from
below 0% (less reach on the ranked timeline) to about 400%, and party did not predict an
individual's amplification (permutation test).

Mapping onto the model
----------------------
* ``ViewerSplit.holdout(ranker, control_share=c)``: a share c of accounts on the
  chronological feed, a measured treatment group of exactly 4x its size on the ranked
  one, everyone else ranked too (not measured); ``split_amplification`` with the paper's
  smoothing (+1) and ratio (4). Groups: roles and follower-count groups
  (``FOLLOWER_GROUPS``); individuals: every account with posts
  (``split_author_amplification``).
* Rankers: ``engagement`` and ``twitter_2023`` (the 2023 open-sourced heavy-ranker
  weights); reach is counted over the whole run, where the paper counts a day.
* Sizes: 5,000 accounts, c = 6% (about 300 control, 1,200 measured), 5 days, 6 replicates
  (quick: 1,500 accounts, c = 10%, 2 days, 3 replicates). Intervals: 95% t over replicates.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import _field as F
import feedsim
from feedsim.plots import ranker_color
from feedsim.plots.palette import NEUTRAL_COLOR
from feedsim.plots.rules import legend_outside
from feedsim.amplification import FOLLOWER_GROUPS, split_amplification, split_author_amplification

C = F.C
NAME = "huszar_2022"
RANKERS = ["engagement", "twitter_2023"]
ROLES = ["influencer", "regular", "quiet", "brand"]


def individual(amp, roles):
    ok = np.isfinite(amp)
    a = amp[ok]
    out = {"authors": int(ok.sum()), "share_amplified": float(np.mean(a > 0)), "min": float(a.min()),
           "max": float(a.max()), **F.quantiles(a)}
    out["by_role"] = {}
    for code, role in enumerate(feedsim.ROLES):
        if role not in ROLES:
            continue
        x = amp[ok & (roles == code)]
        out["by_role"][role] = ({"share_amplified": float(np.mean(x > 0)), **F.quantiles(x, (0.25, 0.5, 0.75))}
                                if len(x) >= 5 else {"share_amplified": None, "q25": None, "q50": None, "q75": None})
    return out


def one_replicate(rep, n_users, days, control_share):
    seed = C.seed_for(0, rep)
    G = feedsim.networks.default_community(n_users, seed=C.seeds_for(0, rep).graph,
                                           as_arrays=True)
    out = {}
    for i, ranker in enumerate(RANKERS):
        split = feedsim.ViewerSplit.holdout(ranker, control_share=control_share, seed=C.seed_for(C.DESIGN_ARM, rep))
        res = feedsim.Simulation(G, ranker=split, seed=seed).run(days=days)
        grp = split_amplification(res, split)
        amp = split_author_amplification(res, split)
        out[ranker] = {
            "n_control": grp["n_control"], "n_treated": grp["n_treated"],
            "role": {r: grp["role"][r]["amplification"] for r in ROLES},
            "followers": {g[0]: grp["followers"][g[0]]["amplification"] for g in FOLLOWER_GROUPS},
            "role_impressions": {r: grp["role"][r]["impression_amplification"] for r in ROLES},
            "followers_impressions": {g[0]: grp["followers"][g[0]]["impression_amplification"]
                                      for g in FOLLOWER_GROUPS},
            "individual": individual(amp, np.asarray(res.authors.role)),
        }
    return out


def main():
    args = F.parse_args(NAME, __doc__, replicates=6)
    n_users, days, control_share = (1500, 2, 0.10) if args.quick else (5000, 5, 0.06)
    per = [one_replicate(rep, n_users, days, control_share) for rep in range(args.replicates)]
    results = C.stats_tree(per)
    e = results["twitter_2023"]
    ind = e["individual"]
    finding = (
        f"Under twitter_2023 against a chronological holdout ({control_share:.0%} of {n_users:,} accounts, "
        f"treatment 4x), group amplification: influencers {C.fmt(e['role']['influencer'], pct=True)}, regulars "
        f"{C.fmt(e['role']['regular'], pct=True)}, quiet members {C.fmt(e['role']['quiet'], pct=True)}, brands "
        f"{C.fmt(e['role']['brand'], pct=True)}. Individually, {C.fmt(ind['share_amplified'], pct=True)} of "
        f"authors are amplified, from {C.fmt(ind['min'], pct=True)} to {C.fmt(ind['max'], pct=True)} "
        f"(median {C.fmt(ind['q50'], pct=True)}). The same ratio for impressions: quiet members "
        f"{C.fmt(e['role_impressions']['quiet'], pct=True)}, influencers {C.fmt(e['role_impressions']['influencer'], pct=True)} "
        f"(95% intervals over {args.replicates} seeds)."
    )
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    for k, (ax, key) in enumerate(zip(axes, ("role", "followers"))):
        labels = list(e[key])
        for j, ranker in enumerate(RANKERS):
            st = results[ranker][key]
            x = np.arange(len(labels)) + 0.15 * (2 * j - 1)
            # amplification = ratio - 1 >= -100%: intervals cut there
            C.stat_points(ax, x, [st[g] for g in labels], bounds=(-1.0, np.inf), scale=100, capsize=3,
                          color=ranker_color(ranker), label=C.words(ranker))
        ax.axhline(0, color=NEUTRAL_COLOR, lw=0.8)
        ax.set_xticks(range(len(labels)), labels, rotation=20)
        ax.set_xlabel("role" if key == "role" else "followers of the author")
        ax.set_ylabel("amplification (%)")
    legend_outside(axes[-1], fontsize=7)
    fig.suptitle("Group amplification, ranked vs chronological holdout (Huszár et al. design)")
    figures = [C.save(fig, args.out, "group_amplification.png")]
    C.write_summary(args, f"field/{NAME}", question="How much does the ranked feed amplify each group of authors "
                    "against a chronological holdout, and how widely does it vary between individuals?",
                    parameters={"n_users": n_users, "days": days, "control_share": control_share, "ratio": 4.0,
                                "smoothing": 1.0, "rankers": RANKERS},
                    results=results, finding=finding, figures=figures)
    C.report(NAME, finding, args)


if __name__ == "__main__":
    main()
