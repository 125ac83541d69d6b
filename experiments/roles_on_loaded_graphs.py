"""Roles on a loaded graph: how assign_roles' method changes a study's result.

A follow graph from a file has no roles, so a study assigns them
(``feedsim.networks.assign_roles``). Under ``method="followers"`` (the rule of
feedsim 0.2) a role is a follower-count band: quiet members are exactly the
accounts with a middling audience and lurkers the least followed. Under
``method="community"`` (the default) roles overlap in audience as in the default
community. This script measures one study's result under both: the quiet members'
amplification by the ``engagement`` ranker over ``chronological`` (reach per
post, paired replicates, ``feedsim.compare(..., replicates=R)``), without and with 20 %
out-of-network slots, on a directed
stochastic block model (Poisson follower counts, no hubs: where the follower band
is narrowest).

Sizes: 5,000 accounts in 20 blocks of 250, mean out-degree 20 (85 % inside the
block), 3 days, 6 replicates (quick: 1,000 accounts, 1 day, 2 replicates). Each
replicate draws its block-model graph from the replicate's graph seed and assigns
roles with that seed; both methods get the same graphs and run seeds.
"""

from __future__ import annotations

import _common as C
import networkx as nx
import numpy as np

import feedsim
from feedsim.networks import FollowGraph, assign_roles

NAME = "roles_on_loaded_graphs"
METHODS = ["followers", "community"]
#: Out-of-network shares of the study (0: the default; 0.2: a "For you" feed).
OON_SHARES = [0.0, 0.2]


def block_model(n_users: int, seed) -> FollowGraph:
    """A directed SBM: 20 equal blocks, mean out-degree 20, 85 % of follows inside the block."""
    blocks = 20
    size = n_users // blocks
    p_in = 17 / (size - 1)
    p_out = 3 / (n_users - size)
    probs = np.full((blocks, blocks), p_out)
    np.fill_diagonal(probs, p_in)
    rng_seed = int(np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key).generate_state(1)[0])
    G = nx.stochastic_block_model([size] * blocks, probs.tolist(), directed=True, seed=rng_seed)
    src, dst = (np.array(x, dtype=np.int64) for x in zip(*G.edges())) if G.number_of_edges() else ([], [])
    return FollowGraph.from_edges(src, dst, size * blocks)


def main():
    args = C.parse_args(NAME, __doc__, replicates=6)
    n_users, days = (1000, 1) if args.quick else (5000, 3)
    results = {}
    for oon in OON_SHARES:
        for method in METHODS:
            bands = []

            def graph(seeds, method=method, bands=bands):
                fg = assign_roles(block_model(n_users, seeds), method=method, seed=seeds)
                k = fg.in_degree()
                quiet = k[np.asarray(fg.attrs["role"]) == "quiet"]
                lurk = k[np.asarray(fg.attrs["role"]) == "lurker"]
                bands.append({"quiet_min": int(quiet.min()), "quiet_median": float(np.median(quiet)),
                              "quiet_max": int(quiet.max()), "lurker_median": float(np.median(lurk)),
                              "all_median": float(np.median(k))})
                return fg

            cmp = feedsim.compare(graph, ["chronological", "engagement"], days=days, seed=C.seed_for(0, 0),
                                  replicates=args.replicates, out_of_network_share=oon)
            amp = cmp.amplification["engagement"]
            key = method if oon == 0 else f"{method}, out_of_network_share={oon:g}"
            results[key] = {
                "quiet": {k: amp["role"]["quiet"][k] for k in ("estimate", "ci_low", "ci_high", "n")},
                "regular": {k: amp["role"]["regular"][k] for k in ("estimate", "ci_low", "ci_high", "n")},
                "lurker_followers_median": float(np.mean([b["lurker_median"] for b in bands])),
                "quiet_followers": bands[0],
            }

    def f(a):
        if a["ci_low"] is None:
            return f"{100 * a['estimate']:+.1f}%"
        return f"{100 * a['estimate']:+.1f}% [{100 * a['ci_low']:+.1f}, {100 * a['ci_high']:+.1f}]"

    fo, co = results["followers"], results["community"]
    finding = (
        f"On a {n_users:,}-account block-model graph ({days} days, {args.replicates} replicates), the quiet members' "
        f"amplification by the engagement ranker is {f(fo['quiet'])} with roles from follower quantiles (quiet = "
        f"{fo['quiet_followers']['quiet_min']}-{fo['quiet_followers']['quiet_max']} followers) and "
        f"{f(co['quiet'])} with the default community's joint distribution (quiet = "
        f"{co['quiet_followers']['quiet_min']}-{co['quiet_followers']['quiet_max']} followers); regulars "
        f"{f(fo['regular'])} and {f(co['regular'])}. With 20% out-of-network slots: quiet members "
        f"{f(results['followers, out_of_network_share=0.2']['quiet'])} and "
        f"{f(results['community, out_of_network_share=0.2']['quiet'])} (95% paired t-intervals)."
    )
    C.write_summary(args, NAME, question="How much does the way roles are assigned to a loaded graph change the "
                    "quiet members' amplification by the engagement ranker?",
                    parameters={"n_users": n_users, "days": days, "blocks": 20, "mean_out_degree": 20,
                                "within_block": 0.85, "methods": METHODS, "out_of_network_shares": OON_SHARES},
                    results=results, finding=finding, figures=[])
    C.report(NAME, finding, args)


if __name__ == "__main__":
    main()
