"""Gesture bank: how much engagement is reciprocal, who gains reach from it, and does disclosing promotion matter?

Story (seeds/002, Facebook as a "gesture bank"): attention is exchanged - I watch your
gestures so you watch mine. We promote our things to each other; trust decides, and
friends do not always disclose what they promote.

Mapping onto the model
----------------------
* Graph: ``default_community`` with default roles; engagement ranking; all loops on.
* Reciprocity switched on and off (``reciprocity=True/False``, same seed): with it on,
  an author whose post gets engagement from ``v`` raises their affinity to ``v`` (and so
  engages with ``v`` more) and follows ``v`` back with probability ``follow_back_prob``.
* Reciprocal engagement: the engine keeps no per-engagement log, so the script records
  it. A SimPy process (``sim.process``) wakes after every tick and stores how many
  engagements each post received and each account gave in that tick
  (``sim.posts``, ``sim.accounts.engaged``); with
  ``record_impressions=True`` the tick's impressions say who was shown what. The
  engagements are spread over the shown (viewer, post) pairs whose viewer engaged and
  whose post was engaged with, by iterative proportional fitting to both margins (exact
  when only one engaging viewer saw the post in that tick; ``exact_share`` says how
  often). An engagement of ``v`` on ``a``'s post is *reciprocal* if ``a`` also engaged
  with ``v`` (at least one reconstructed engagement) at some point of the run.
* Sponsored posts (the engine has no "disclosure"): 10% of regular members run a
  campaign (``sim.campaign``, 1 sponsored post/day). Two assumptions, one arm each:
  *disclosed* - viewers discount a post marked as promotion: a process multiplies the
  appeal of each new sponsored post by ``DISCLOSED_APPEAL`` (0.7) in the post table
  (``sim.posts.set``) after the tick it was created in (its first tick is at full
  appeal); *undisclosed* - sponsored posts look organic (full appeal) but people notice:
  each campaign day the promoters' ``quality`` (``sim.accounts.quality``, the appeal
  of all their posts) is multiplied by ``TRUST_DECAY`` (0.97) and never recovers. These
  are assumptions, not findings: the arms show what they imply for engagement.
* Replicates: 5 seeds, 700 accounts, 28 days, campaign days 7-21 (quick: 300 accounts,
  10 days, campaign days 3-7, 2 seeds).
"""

from __future__ import annotations

import numpy as np

import _common as C
import feedsim
from feedsim.plots import plot_metric_over_time, role_color
from feedsim.plots.palette import NEUTRAL_COLOR
from feedsim.plots.rules import legend_outside

NAME = "gesture_bank"
DISCLOSED_APPEAL = 0.7
TRUST_DECAY = 0.97
PROMOTER_SHARE = 0.10
ROLE_NAMES = ("influencer", "regular", "quiet", "brand")


def engagement_recorder(log):
    """A process that, between ticks, stores who engaged (per viewer) and with what (per post) since the last tick."""
    def proc(sim):
        prev_post = np.zeros(0, dtype=np.int64)
        prev_viewer = sim.accounts.engaged
        dt = sim.config.tick_hours
        while True:
            yield sim.env.timeout(dt)
            P = sim.posts  # keep_posts=True: ids 0 .. len - 1, in step with the columns
            eng = P.likes + P.reshares + P.replies
            prev_post = np.concatenate([prev_post, np.zeros(len(eng) - len(prev_post), dtype=np.int64)])
            d_post = eng - prev_post
            # accounts join during a run (churn): new accounts start from zero
            engaged = sim.accounts.engaged
            prev_viewer = np.concatenate([prev_viewer, np.zeros(len(engaged) - len(prev_viewer), dtype=np.int64)])
            d_viewer = engaged - prev_viewer
            posts, viewers = np.flatnonzero(d_post), np.flatnonzero(d_viewer)
            if len(posts):
                log.append((sim.now, posts, d_post[posts], viewers, d_viewer[viewers]))
            prev_post, prev_viewer = eng, engaged
    return proc


def attribute(res, log, iterations=50):
    """Engagements per (viewer, author) pair, reconstructed from the tick log.

    In each tick we know how many engagements each post received, how many each
    viewer gave, and (impression log) which viewer was shown which post. The
    engagements lie on the shown (viewer, post) pairs of that tick whose viewer
    engaged and whose post was engaged with; iterative proportional fitting spreads
    them so both margins hold (exact when a post had one engaging viewer in the tick).
    """
    dt = res.config.tick_hours
    tick_of = lambda t: np.rint(np.asarray(t) / dt).astype(np.int64)  # noqa: E731
    imp = res.impressions
    pk = np.concatenate([(tick_of(t) << 32) | p for t, p, _, _, _ in log])
    pv = np.concatenate([d for _, _, d, _, _ in log]).astype(float)
    vk = np.concatenate([(tick_of(t) << 32) | v for t, _, _, v, _ in log])
    vv = np.concatenate([d for _, _, _, _, d in log]).astype(float)
    tick = tick_of(imp.time)
    ipk, ivk = (tick << 32) | imp.post, (tick << 32) | imp.viewer
    po, vo = np.argsort(pk), np.argsort(vk)
    ip = np.searchsorted(pk[po], ipk).clip(max=len(pk) - 1)
    iv = np.searchsorted(vk[vo], ivk).clip(max=len(vk) - 1)
    keep = (pk[po][ip] == ipk) & (vk[vo][iv] == ivk)
    col, row = po[ip[keep]], vo[iv[keep]]
    w = np.ones(len(col))
    for _ in range(iterations):
        w *= (vv / np.maximum(np.bincount(row, w, len(vv)), 1e-300))[row]
        w *= (pv / np.maximum(np.bincount(col, w, len(pv)), 1e-300))[col]
    viewer = imp.viewer[keep]
    author = res.posts.author[imp.post[keep]]
    single = np.bincount(col, minlength=len(pv)) == 1
    return viewer, author, w, float(pv[single].sum() / pv.sum())


def reciprocal_share(res, log):
    """Share of engagements whose author also engaged with the engager; and the exactly attributed share."""
    if not log:
        return {"reciprocal_share": None, "exact_share": None}
    viewer, author, w, exact = attribute(res, log)
    keys, inv = np.unique((viewer << 32) | author, return_inverse=True)
    pair = np.bincount(inv, weights=w)
    pos_keys = keys[pair > 0.5]  # pairs with at least one (reconstructed) engagement
    back = ((keys & 0xFFFFFFFF) << 32) | (keys >> 32)
    recip = np.isin(back, pos_keys)
    return {"reciprocal_share": float(pair[recip].sum() / pair.sum()) if pair.sum() else None,
            "exact_share": exact}


def disclosed(sim):
    """Discount the appeal of each new sponsored post once, between ticks."""
    done = 0
    while True:
        yield sim.env.timeout(sim.config.tick_hours)
        P = sim.posts
        new = (P.ids >= done) & P.sponsored
        P.set("appeal", P.ids[new], P.appeal[new] * DISCLOSED_APPEAL)
        done = P.total


def undisclosed(promoters, start, stop):
    """Each campaign day, people notice undisclosed promotion: promoters' quality decays."""
    def proc(sim):
        yield sim.env.timeout(start * 24.0)
        for _ in range(stop - start):
            sim.accounts.set("quality", promoters, sim.accounts.quality[promoters] * TRUST_DECAY)
            yield sim.env.timeout(24.0)
    return proc


def promoter_numbers(res, promoters, start, stop):
    P = res.posts
    mine = np.isin(P.author, promoters)
    day = P.created / 24.0
    during = (day >= start) & (day < stop)
    after = day >= stop

    def epp(mask):
        return float(P.engagements[mask].mean()) if mask.any() else None

    return {
        "engagement_per_sponsored_post": epp(mine & P.sponsored),
        "engagement_per_organic_post_during": epp(mine & ~P.sponsored & during),
        "engagement_per_organic_post_after": epp(mine & ~P.sponsored & after),
        "total_engagements": int(P.engagements.sum()),
    }


#: The three promoter measures are neither roles nor rankers: light to dark in time.
PROMOTION_COLORS = {"engagement_per_sponsored_post": "#C6DBEF", "engagement_per_organic_post_during": "#6BAED6",
                    "engagement_per_organic_post_after": "#2171B5"}


def figures(results, first, out) -> list[str]:
    """Reach gained from reciprocity per role (role colours), promoters' engagement, engagement over time."""
    figs = []
    fig, axes = C.plt.subplots(1, 2, figsize=(12, 4))
    x = np.arange(len(ROLE_NAMES))
    g = results["reach_gain_from_reciprocity"]
    C.stat_bars(axes[0], x, [g[r] for r in ROLE_NAMES], capsize=3, bounds=C.bounds_of("reach_gain_from_reciprocity"),
                color=[role_color(r) for r in ROLE_NAMES])
    axes[0].axhline(0, color=NEUTRAL_COLOR, linewidth=1)
    axes[0].set_xticks(x, ROLE_NAMES)
    axes[0].set_ylabel("reach per post, reciprocity on / off - 1\n(mean, 95% CI)")
    axes[0].set_title("Who gains reach from the gesture bank")
    labels = ["disclosed", "undisclosed"]
    for k, (key, colour) in enumerate(PROMOTION_COLORS.items()):
        C.stat_bars(axes[1], np.arange(2) + (k - 1) * 0.27, [results[a]["promoters"][key] for a in labels], width=0.27,
                    capsize=2, bounds=C.bounds_of(key), color=colour,
                    label=key.replace("engagement_per_", "").replace("_", " "))
    axes[1].set_xticks(np.arange(2), labels)
    axes[1].set_ylabel("engagements per post (promoters, mean, 95% CI)")
    axes[1].set_title("Promotion: disclosed vs undisclosed")
    legend_outside(axes[1], fontsize="x-small")
    figs.append(C.save(fig, out, "reciprocity_and_disclosure.png"))
    fig, ax = C.plt.subplots(figsize=(8, 4))
    plot_metric_over_time({"reciprocity on": first["reciprocity on"], "reciprocity off": first["reciprocity off"]},
                          "engagements", ax=ax, ylabel="engagements per day")
    ax.set_title("Engagement per day with and without reciprocity (replicate 0)")
    figs.append(C.save(fig, out, "engagement_over_time.png"))
    return figs


def main():
    args = C.parse_args(NAME, __doc__, replicates=5)
    n_users, days, start, stop = (300, 10, 3, 7) if args.quick else (700, 28, 7, 21)
    arms = ["reciprocity on", "reciprocity off", "disclosed", "undisclosed"]
    per = {a: [] for a in arms}
    first = {}
    for rep in range(args.replicates):
        seeds = C.seeds_for(0, rep)
        seed = seeds.run
        G = feedsim.networks.default_community(n_users, seed=seeds.graph)
        regulars = np.flatnonzero(np.array([G.nodes[i]["role"] == "regular" for i in range(n_users)]))
        pick = C.design_rng(rep)
        promoters = np.sort(pick.choice(regulars, size=max(1, round(PROMOTER_SHARE * len(regulars))), replace=False))
        for arm in arms:
            log = []
            sim = feedsim.Simulation(G, ranker="engagement", seed=seed, reciprocity=arm != "reciprocity off",
                                     record_impressions=arm.startswith("reciprocity"))
            if arm.startswith("reciprocity"):
                sim.process(engagement_recorder(log))
            else:
                sim.campaign(promoters, posts_per_day=1.0, start_day=start, days=stop - start)
                sim.process(disclosed if arm == "disclosed" else undisclosed(promoters, start, stop))
            res = sim.run(days=days)
            s = res.summary()
            row = {"total_engagements": s["n_engagements"], "new_follows": int(res.daily["new_follows"].sum()),
                   "reach_per_post": {r: s["reach_per_post"].get(r) for r in ROLE_NAMES},
                   "engagement_per_post": {r: s["engagement_per_post"].get(r) for r in ROLE_NAMES}}
            if arm.startswith("reciprocity"):
                row.update(reciprocal_share(res, log))
            else:
                row["promoters"] = promoter_numbers(res, promoters, start, stop)
            per[arm].append(row)
            if rep == 0:
                first[arm] = res
    # who gains reach from reciprocity: per-role reach per post, on / off - 1, paired by seed
    gain = [{r: (on["reach_per_post"][r] / off["reach_per_post"][r] - 1)
             if on["reach_per_post"][r] and off["reach_per_post"][r] else None for r in ROLE_NAMES}
            for on, off in zip(per["reciprocity on"], per["reciprocity off"])]
    results = {a: C.stats_tree(v, bounds=True) for a, v in per.items()}
    results["reach_gain_from_reciprocity"] = {r: C.stat([g[r] for g in gain], C.bounds_of("reach_gain_from_reciprocity"))
                                              for r in ROLE_NAMES}

    figs = figures(results, first, args.out)

    on, off = results["reciprocity on"], results["reciprocity off"]
    g = results["reach_gain_from_reciprocity"]
    d, u = results["disclosed"]["promoters"], results["undisclosed"]["promoters"]
    finding = (
        f"With reciprocity on, {C.fmt(on['reciprocal_share'], pct=True)} of engagement went to someone who also "
        f"engaged back, against {C.fmt(off['reciprocal_share'], pct=True)} with it off; total engagement "
        f"{C.fmt(on['total_engagements'], digits=0)} vs {C.fmt(off['total_engagements'], digits=0)}, new follows "
        f"{C.fmt(on['new_follows'], digits=0)} vs {C.fmt(off['new_follows'], digits=0)}. Reach per post gained from "
        f"reciprocity: " + ", ".join(f"{r} {C.fmt(g[r], pct=True)}" for r in ROLE_NAMES) + ". Promoters' "
        f"engagement per sponsored post: disclosed {C.fmt(d['engagement_per_sponsored_post'])}, undisclosed "
        f"{C.fmt(u['engagement_per_sponsored_post'])}; per organic post after the campaign: disclosed "
        f"{C.fmt(d['engagement_per_organic_post_after'])}, undisclosed {C.fmt(u['engagement_per_organic_post_after'])} "
        f"(mean [95% CI] over seeds; disclosure effects follow from the stated assumptions)."
    )
    C.write_summary(args, NAME, question=__doc__.strip().splitlines()[0],
                    parameters={"n_users": n_users, "days": days, "campaign_days": [start, stop],
                                "promoter_share_of_regulars": PROMOTER_SHARE, "sponsored_posts_per_day": 1.0,
                                "disclosed_appeal": DISCLOSED_APPEAL, "trust_decay_per_day": TRUST_DECAY,
                                "ranker": "engagement", "simulation": "defaults except reciprocity per arm"},
                    results=results, finding=finding, figures=figs)
    C.report(NAME, finding, args)


if __name__ == "__main__":
    main()
