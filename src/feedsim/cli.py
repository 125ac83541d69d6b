"""Command-line interface: ``feedsim compare``.

The only module that prints or exits. Errors print one line to stderr and exit 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from . import __version__
from .errors import FeedsimError
from .random import stream_seed

__all__ = ["main", "build_parser"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    parser = argparse.ArgumentParser(
        prog="feedsim",
        description="Simulate a social feed on a follow graph and compare rankers.",
    )
    parser.add_argument("--version", action="version", version=f"feedsim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    cmp = sub.add_parser(
        "compare",
        help="run the built-in default community under several rankers and compare who is seen",
        description=(
            "Run the built-in default community (or a graph file) under each ranker with the same "
            "seed and print reach, visibility and inequality per ranker and role."
        ),
    )
    cmp.add_argument("--users", type=int, default=10_000, help="accounts in the default community (default 10000)")
    cmp.add_argument("--days", type=float, default=14, help="simulated days (default 14)")
    cmp.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    cmp.add_argument(
        "--rankers",
        default="chronological,engagement",
        help="comma-separated rankers (default chronological,engagement); known: "
        "chronological, engagement, popularity, random, platform_favoring, fair_exposure",
    )
    cmp.add_argument("--graph", help="use a graph file instead of the default community (.graphml, .csv or edge list)")
    cmp.add_argument("--out-of-network-share", type=float, default=0.0, help="share of each feed for out-of-network posts")
    cmp.add_argument("--no-dynamics", action="store_true", help="turn every feedback loop off")
    cmp.add_argument("--out", metavar="DIR", help="write PNG figures (Lorenz curves, role shares) and summary.json here")
    cmp.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    cmp.add_argument("--progress", action="store_true", help="show a progress bar (default: when stderr is a terminal)")
    return parser


def _load_graph(args):
    from . import networks

    if args.graph:
        path = args.graph
        if not os.path.exists(path):
            raise FeedsimError(f"--graph: no such file: {path}")
        low = path.lower()
        if low.endswith(".graphml"):
            return networks.read_graphml(path)
        if low.endswith(".csv"):
            return networks.read_csv(path)
        return networks.read_edgelist(path)
    if args.users < 2:
        raise FeedsimError(f"--users must be an integer >= 2; got {args.users}")
    follows = min(40.0, (args.users - 1) / 2)  # the default (40) needs more than 40 accounts
    return networks.default_community(
        args.users, mean_follows=follows, seed=stream_seed(args.seed, "network"), as_arrays=True
    )


def _compare(args) -> int:
    from .compare import compare

    if args.seed < 0:
        raise FeedsimError(f"--seed must be an integer >= 0; got {args.seed}")
    if not args.days > 0:
        raise FeedsimError(f"--days must be a number > 0; got {args.days}")
    rankers = [r.strip() for r in args.rankers.split(",") if r.strip()]
    graph = _load_graph(args)
    progress = args.progress or (sys.stderr.isatty() and not args.json)
    result = compare(
        graph,
        rankers,
        days=args.days,
        seed=args.seed,
        progress=progress,
        out_of_network_share=args.out_of_network_share,
        dynamics=not args.no_dynamics,
    )
    payload = result.to_dict()
    payload["config"]["graph"] = args.graph or f"default_community(n_users={args.users})"
    if args.out:
        _write_outputs(result, payload, args.out)
    if args.json:
        print(json.dumps(payload, sort_keys=True))
    else:
        print(result.table())
        if args.out:
            print(f"\nfigures and summary.json written to {args.out}")
    return 0


def _write_outputs(result, payload: dict, out: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .plots import plot_lorenz, plot_role_shares

    os.makedirs(out, exist_ok=True)
    fig, ax = plt.subplots(figsize=(5.5, 5))
    plot_lorenz(result.results, ax=ax)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "lorenz.png"), dpi=120)
    plt.close(fig)
    n = len(result.results)
    fig, axes = plt.subplots(1, n, figsize=(5 * n, 4.2), squeeze=False, sharey=True)
    for ax, (name, res) in zip(axes[0], result.results.items()):
        plot_role_shares(res, ax=ax)
        ax.set_title(name)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "role_shares.png"), dpi=120)
    plt.close(fig)
    with open(os.path.join(out, "summary.json"), "w") as fh:
        json.dump(payload, fh, sort_keys=True, indent=1)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``feedsim`` command. Returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return _compare(args)
    except (FeedsimError, ValueError, OSError) as exc:
        print(f"feedsim: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("feedsim: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
