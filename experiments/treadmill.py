"""Treadmill: with the same effort, does being at the front compound under engagement ranking but not chronological?

Story (seeds/003, "Don't let the social media treadmill run you over"): front, centre or
back of the treadmill - proactive, reactive or lagging - at the same speed. Falling
behind compounds; being at the front is buoyed by responses (cumulative advantage).

Mapping onto the model
----------------------
* Graph: ``default_community`` with default roles; all feedback loops on (affinity grows
  with engagement, follow-backs, discovery through reshares, creator adaptation).
* Strategists: ``K`` regular members per strategy, drawn at random (same accounts under
  every ranker). The engine has no posting strategies, so a SimPy process
  (``sim.process``) sets their ``sim.accounts.post_rate`` at the start of each day:
  - *front* (proactive, early and often): ``2 R (1 - (d + 1/2) / D)`` posts/day on day
    ``d`` of ``D``: most posts early in the run;
  - *centre* (reactive): ``R`` times yesterday's community posting relative to its
    running mean: posts when others post;
  - *back* (lagging, late and rarely): ``2 R (d + 1/2) / D``: rarely at first, catching
    up at the end.
  Expected total effort is ``R D`` posts for all three (``R = 2`` posts/day); creator
  adaptation can still change realised posting, which is reported.
* Rankers: ``chronological`` and ``engagement`` with the same seed (common random numbers).
* Replicates: 5 seeds, 700 accounts, 28 days, 10 strategists per strategy (quick: 300
  accounts, 10 days, 5 per strategy, 2 seeds).

Reported per ranker and strategy: realised posts, reach (impressions) per post,
engagement per post, followers gained; and the front's advantage over the back
(front / back reach per post, paired by seed) per ranker: cumulative advantage predicts
a larger advantage under engagement ranking than under chronological.
"""

from __future__ import annotations

import numpy as np

import _common as C
import feedsim
from feedsim.plots import ranker_color
from feedsim.plots.rules import legend_outside

NAME = "treadmill"
RATE = 2.0
STRATEGIES = ("front", "centre", "back")
RANKERS = ("chronological", "engagement")
#: Strategies are neither roles nor rankers: light to dark in the order they post (early, even, late).
STRATEGY_COLORS = {"front": "#9ECAE1", "centre": "#4292C6", "back": "#08519C"}


def strategy_process(groups, days):
    def proc(sim):
        acc = sim.accounts
        history = []
        for d in range(days):
            frac = (d + 0.5) / days
            acc.set("post_rate", groups["front"], 2 * RATE * (1 - frac))
            acc.set("post_rate", groups["back"], 2 * RATE * frac)
            posts = sim.daily["posts"]
            if len(posts):
                history.append(int(posts[-1]))
                react = history[-1] / np.mean(history)
            else:
                react = 1.0
            acc.set("post_rate", groups["centre"], RATE * react)
            yield sim.env.timeout(24.0)
    return proc


def measure(res, groups):
    A = res.authors
    out = {}
    for s, idx in groups.items():
        posts = int(A.posts[idx].sum())
        out[s] = {
            "posts": posts,
            "reach_per_post": float(A.impressions[idx].sum() / posts) if posts else None,
            "engagement_per_post": float(A.engagements[idx].sum() / posts) if posts else None,
            "followers_gained": float(np.mean(A.followers[idx] - A.followers_start[idx])),
        }
    f, b = out["front"]["reach_per_post"], out["back"]["reach_per_post"]
    out["front_over_back_reach"] = f / b if f and b else None
    f, b = out["front"]["engagement_per_post"], out["back"]["engagement_per_post"]
    out["front_over_back_engagement"] = f / b if f and b else None
    return out


def figures(results, first, days, out) -> list[str]:
    """Reach and engagement per strategy, one bar per ranker; reach per post by day the post was made."""
    figs = []
    fig, axes = C.plt.subplots(1, 2, figsize=(12, 4))
    x = np.arange(len(STRATEGIES))
    for j, metric in enumerate(("reach_per_post", "engagement_per_post")):
        for i, r in enumerate(RANKERS):
            C.stat_bars(axes[j], x + (i - 0.5) * 0.4, [results[r][s][metric] for s in STRATEGIES], width=0.4,
                        capsize=3, bounds=C.bounds_of(metric), color=ranker_color(r), label=C.words(r))
        axes[j].set_xticks(x, STRATEGIES)
        axes[j].set_xlabel("when the strategist posts")
        axes[j].set_ylabel(C.label(metric) + " (mean, 95% CI)")
    legend_outside(axes[1], title="feed ranking")
    axes[0].set_title("Same effort, different position")
    figs.append(C.save(fig, out, "strategies_by_ranker.png"))
    fig, axes = C.plt.subplots(1, 2, figsize=(12, 4), sharey=True)
    for ax, r in zip(axes, RANKERS):
        res, groups = first[r]
        P = res.posts
        for s in STRATEGIES:
            mine = np.isin(P.author, groups[s])
            day = (P.created[mine] // 24).astype(int)
            imp = np.bincount(day, weights=P.impressions[mine], minlength=days)
            cnt = np.bincount(day, minlength=days)
            ax.plot(np.arange(days), np.divide(imp, cnt, out=np.full(days, np.nan), where=cnt > 0), marker=".",
                    color=STRATEGY_COLORS[s], label=s)
        ax.set_title(f"{C.words(r)} (replicate 0)")
        ax.set_xlabel("day the post was made")
    legend_outside(axes[1], title="strategy")
    axes[0].set_ylabel("impressions per post")
    figs.append(C.save(fig, out, "reach_per_post_over_time.png"))
    return figs


def main():
    args = C.parse_args(NAME, __doc__, replicates=5)
    n_users, days, k = (300, 10, 5) if args.quick else (700, 28, 10)
    per = {r: [] for r in RANKERS}
    first = {}
    for rep in range(args.replicates):
        seeds = C.seeds_for(0, rep)
        seed = seeds.run
        G = feedsim.networks.default_community(n_users, seed=seeds.graph)
        regulars = np.flatnonzero(np.array([G.nodes[i]["role"] == "regular" for i in range(n_users)]))
        chosen = C.design_rng(rep).choice(regulars, size=3 * k, replace=False)
        groups = {s: np.sort(chosen[i * k:(i + 1) * k]) for i, s in enumerate(STRATEGIES)}
        for r in RANKERS:
            sim = feedsim.Simulation(G, ranker=r, seed=seed)
            sim.process(strategy_process(groups, days))
            res = sim.run(days=days)
            per[r].append(measure(res, groups))
            if rep == 0:
                first[r] = (res, groups)
    results = {r: C.stats_tree(v, bounds=True) for r, v in per.items()}
    # paired by seed: does the front's advantage grow under engagement ranking?
    results["advantage_engagement_minus_chronological"] = C.stat(
        [e["front_over_back_reach"] - c["front_over_back_reach"]
         if e["front_over_back_reach"] and c["front_over_back_reach"] else None
         for e, c in zip(per["engagement"], per["chronological"])])

    figs = figures(results, first, days, args.out)

    adv = {r: results[r]["front_over_back_reach"] for r in RANKERS}
    finding = (
        "Reach per post (front / centre / back): "
        + "; ".join(f"{r} " + " / ".join(C.fmt(results[r][s]["reach_per_post"], digits=1) for s in STRATEGIES)
                    for r in RANKERS)
        + ". Front-over-back reach ratio: "
        + ", ".join(f"{r} {C.fmt(adv[r])}" for r in RANKERS)
        + f"; engagement minus chronological (paired): {C.fmt(results['advantage_engagement_minus_chronological'])}. "
        + "Realised posts (front / centre / back, engagement ranker): "
        + " / ".join(C.fmt(results["engagement"][s]["posts"], digits=0) for s in STRATEGIES)
        + " (mean [95% CI] over seeds)."
    )
    C.write_summary(args, NAME, question=__doc__.strip().splitlines()[0],
                    parameters={"n_users": n_users, "days": days, "strategists_per_strategy": k,
                                "effort_posts_per_day": RATE, "rankers": list(RANKERS),
                                "simulation": "defaults (all feedback loops on)"},
                    results=results, finding=finding, figures=figs)
    C.report(NAME, finding, args)


if __name__ == "__main__":
    main()
