"""Guess et al. 2023: does moving users to a chronological feed lower time spent and engagement?

Published result
----------------
Guess, Malhotra, Pan, Barberá, Allcott, Brown, Crespo-Tenorio, Dimmery, Freelon, Gentzkow,
González-Bailón, Kennedy, Kim, Lazer, Moehler, Nyhan, Velasco Rivera, Settle, Thomas,
Thorson, Tromble, Wilkins, Wojcieszak, Xiong, de Jonge, Franco, Mason, Stroud and Tucker,
*How do social media feed algorithms affect attitudes and behavior in an election
campaign?*, Science 381:398-404 (2023), doi:10.1126/science.abp9364: users of Facebook and
Instagram moved from the ranked feed to a reverse-chronological one for three months spent
substantially less time on the platforms and engaged less with the content they saw (likes,
comments, shares), while their political attitudes did not measurably change.

Mapping onto the model
----------------------
* The link from what a feed shows to how often a viewer returns is the switchable loop
  ``session_adaptation`` (off by default): each viewer compares the engagements it made per
  session recently (3-day half-life) with what it is used to (30-day half-life) and scales
  its session rate by the ratio to the power 0.5 (bounds 0.1 and 2). An assumption, not a
  fitted model: engagement a viewer makes stands for what it enjoyed.
* Design: the default community runs under the ``engagement`` ranker for ``WARMUP`` days (so
  every viewer is used to the ranked feed), then one arm switches to ``chronological`` and
  the other stays ranked, for ``DAYS`` more days; both arms share the seed (common random
  numbers). Measured over the days after the switch: sessions and engagements made per day,
  chronological over ranked (ratio of per-replicate means, interval on the log ratio).
* Control: the same design with the loop off, where sessions cannot respond to the feed
  (their ratio is 1 up to churn: which accounts join and leave shifts once the arms'
  follow graphs differ).
* Sizes: 2,000 accounts, 14 + 28 days, 5 replicates (quick: 400 accounts, 7 + 7 days).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import _field as F
import feedsim
from feedsim.plots.palette import NEUTRAL_COLOR
from feedsim.plots.rules import legend_outside

C = F.C
NAME = "guess_2023"


def arm(graph, seed, warmup: int, days: int, switch: bool, loop: bool) -> dict[str, float]:
    sim = feedsim.Simulation(graph, ranker="engagement", seed=seed, session_adaptation=loop)
    if switch:
        sim.switch_ranker("chronological", at_day=warmup)
    r = sim.run(days=warmup + days)
    d = r.daily
    after = slice(warmup, warmup + days)
    return {"sessions": float(np.mean(d["sessions"][after])), "engagements": float(np.mean(d["engagements"][after])),
            "impressions": float(np.mean(d["impressions"][after]))}


def one_replicate(rep: int, n_users: int, warmup: int, days: int) -> dict:
    seed = C.seed_for(0, rep)
    graph = feedsim.networks.default_community(n_users, seed=C.design_rng(rep), as_arrays=True)
    out = {}
    for label, loop in (("loop_on", True), ("loop_off", False)):
        ranked = arm(graph, seed, warmup, days, switch=False, loop=loop)
        chrono = arm(graph, seed, warmup, days, switch=True, loop=loop)
        out[label] = {f"{k}_ratio": chrono[k] / ranked[k] for k in ranked}
        out[label].update({f"{k}_ranked": ranked[k] for k in ranked})
        out[label].update({f"{k}_chronological": chrono[k] for k in chrono})
    return out


def log_ratio_stat(values) -> dict:
    """Mean ratio as exp(mean log ratio) with its 95% t-interval (ratios are positive)."""
    s = C.stat(np.log(np.asarray(values, dtype=float)))
    return {"mean": float(np.exp(s["mean"])), "lo": float(np.exp(s["lo"])), "hi": float(np.exp(s["hi"])),
            "values": [float(v) for v in values]}


def main():
    args = F.parse_args(NAME, __doc__, replicates=5)
    n_users, warmup, days = (400, 7, 7) if args.quick else (2000, 14, 28)
    per = [one_replicate(rep, n_users, warmup, days) for rep in range(args.replicates)]
    results = C.stats_tree(per)
    for label in ("loop_on", "loop_off"):
        for k in ("sessions", "engagements", "impressions"):
            results[label][f"{k}_ratio"] = log_ratio_stat([p[label][f"{k}_ratio"] for p in per])
    on, off = results["loop_on"], results["loop_off"]
    finding = (
        f"After {warmup} days of the ranked feed, moving to chronological for {days} days changed sessions per day by "
        f"x{C.fmt(on['sessions_ratio'], digits=3)} and engagements made per day by "
        f"x{C.fmt(on['engagements_ratio'], digits=3)} with session adaptation on (Guess et al. 2023: both lower); "
        f"with the loop off sessions x{C.fmt(off['sessions_ratio'], digits=3)} and engagements "
        f"x{C.fmt(off['engagements_ratio'], digits=3)} (chronological over ranked, 95% intervals over "
        f"{args.replicates} communities)."
    )
    fig, ax = plt.subplots(figsize=(6.5, 3.2))
    keys = ["sessions_ratio", "engagements_ratio", "impressions_ratio"]
    for j, (label, src, colour) in enumerate((("session adaptation on", on, "#2171B5"),
                                              ("off (control)", off, NEUTRAL_COLOR))):
        # ratios are positive: geometric-mean interval (t on the log ratio), so never below 0
        C.stat_points(ax, np.arange(3) + 0.12 * j, [src[k] for k in keys], bounds=(0, np.inf), capsize=4,
                      color=colour, label=label)
    ax.axhline(1.0, color=NEUTRAL_COLOR, lw=0.8)
    ax.set_xticks(range(3), ["sessions", "engagements made", "impressions"])
    ax.set_ylabel("chronological / ranked, per day")
    legend_outside(ax, fontsize=7)
    figures = [C.save(fig, args.out, "chronological_over_ranked.png")]
    C.write_summary(args, f"field/{NAME}", question="Does a chronological feed lower sessions and engagement once "
                    "sessions respond to what the feed shows?",
                    parameters={"n_users": n_users, "warmup_days": warmup, "days": days,
                                "ranked": "engagement", "loop": "session_adaptation"},
                    results=results, finding=finding, figures=figures)
    C.report(NAME, finding, args)


if __name__ == "__main__":
    main()
