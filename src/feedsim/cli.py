"""Command-line interface: ``feedsim compare``, ``run``, ``sweep``, ``results`` and ``lesson``.

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
        "chronological, engagement, popularity, random, platform_favoring, fair_exposure, "
        "and the published presets twitter_2023, x_2026, reddit_hot, simsom, facebook_msi",
    )
    cmp.add_argument(
        "--replicates",
        type=int,
        default=1,
        help="paired replicates (common random numbers across rankers); with more than 1, also print "
        "amplification per role and follower group with a 95%% confidence interval (default 1)",
    )
    cmp.add_argument("--graph", help="use a graph file instead of the default community (.graphml, .csv or edge list)")
    cmp.add_argument("--assign-roles", action="store_true",
                     help="with --graph: assign roles from follower quantiles (feedsim.networks.assign_roles)")
    cmp.add_argument("--out-of-network-share", type=float, default=0.0,
                     help="share of each feed for out-of-network posts")
    cmp.add_argument("--no-dynamics", action="store_true", help="turn every feedback loop off")
    cmp.add_argument("--out", metavar="DIR",
                     help="write PNG figures (Lorenz curves, role shares) and summary.json here")
    cmp.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    cmp.add_argument("--report", metavar="FILE.html",
                     help="write a self-contained HTML report (finding, per-role table, figures, config, versions)")
    cmp.add_argument("--progress", action="store_true",
                     help="show a progress bar (default: when stderr is a terminal and a run takes over 2 s)")
    cmp.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_sweep_parsers(sub)
    _add_run_parser(sub)
    les = sub.add_parser(
        "lesson",
        help="serve the classroom explorer as a web page on 127.0.0.1 (no Jupyter needed)",
        description="Serve the explorer (change the feed and its feedback loops, see who is heard) on "
        "http://127.0.0.1:PORT/ until interrupted (Ctrl-C).",
    )
    les.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (default 8765; 0 = any free port)")
    les.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    return parser


def _add_run_parser(sub) -> None:
    run = sub.add_parser(
        "run",
        help="one run: the default community (or a graph file) under one ranker; print or save the result",
        description=(
            "Run the default community (or a graph file) under one ranker and print its summary table "
            "(or one JSON object); --save writes the whole result (Parquet tables and a JSON record, "
            "see feedsim.load_result)."
        ),
    )
    graph = run.add_mutually_exclusive_group()
    graph.add_argument("--users", type=int, default=10_000, help="accounts in the default community (default 10000)")
    graph.add_argument("--graph", help="a graph file instead of the default community (.graphml, .csv or edge list)")
    run.add_argument("--assign-roles", action="store_true",
                     help="with --graph: assign roles from follower quantiles (feedsim.networks.assign_roles)")
    run.add_argument("--ranker", default="engagement",
                     help="the ranker (default engagement): chronological, engagement, popularity, random, "
                          "platform_favoring, fair_exposure, or a preset (twitter_2023, x_2026, reddit_hot, simsom, "
                          "facebook_msi)")
    run.add_argument("--days", type=float, default=14, help="simulated days (default 14)")
    run.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    run.add_argument("--out-of-network-share", type=float, default=0.0,
                     help="share of each feed for out-of-network posts")
    run.add_argument("--no-dynamics", action="store_true", help="turn every feedback loop off")
    run.add_argument("--save", metavar="PATH",
                     help="save the result to this directory (needs pyarrow: pip install \"feedsim[io]\")")
    run.add_argument("--overwrite", action="store_true", help="with --save: replace a result saved there before")
    run.add_argument("--checkpoint", metavar="PATH",
                     help="write the run's state to PATH at day boundaries; rerunning the same command resumes "
                          "from the last complete checkpoint (bit-identical result)")
    run.add_argument("--checkpoint-every-days", type=int, default=1, metavar="K",
                     help="with --checkpoint: every K simulated days (default 1)")
    run.add_argument("--json", action="store_true", help="print one JSON object (the summary) instead of the table")
    run.add_argument("--progress", action="store_true",
                     help="show a progress bar (default: when stderr is a terminal and the run takes over 2 s)")
    run.add_argument("--quiet", action="store_true", help="no progress bar")


def _run(args) -> int:
    from ._suggest import did_you_mean
    from .compare import format_table
    from .engine.simulation import Simulation
    from .rankers.registry import RANKERS

    if args.seed < 0:
        raise FeedsimError(f"--seed must be an integer >= 0; got {args.seed}")
    if not args.days > 0:
        raise FeedsimError(f"--days must be a number > 0; got {args.days}")
    if args.ranker not in RANKERS:  # before the graph is built
        raise FeedsimError(f"--ranker must be one of {', '.join(RANKERS)}{did_you_mean(args.ranker, RANKERS)}; "
                           f"got {args.ranker!r}")
    if args.save:
        _check_save_target(args.save, args.overwrite)
    graph = _load_graph(args)
    sim = Simulation(graph, ranker=args.ranker, seed=args.seed, out_of_network_share=args.out_of_network_share,
                     dynamics=not args.no_dynamics)
    if args.checkpoint:
        from .engine.checkpoint import run_checkpointed

        if args.checkpoint_every_days < 1:
            raise FeedsimError(f"--checkpoint-every-days must be an integer >= 1; got {args.checkpoint_every_days}")
        result, resumed = run_checkpointed(sim, args.days, args.checkpoint, every_days=args.checkpoint_every_days,
                                           progress=_show_progress(args))
        if resumed is not None:
            print(f"resumed from {resumed.path} after day {resumed.day}", file=sys.stderr)
    else:
        result = sim.run(days=args.days, progress=_show_progress(args))
    summary = result.summary()
    summary["config"]["graph"] = args.graph or f"default_community(n_users={args.users})"
    if args.save:
        result.save(args.save, overwrite=args.overwrite)
    if args.json:
        if args.save:
            summary["saved"] = args.save
        print(json.dumps(summary, sort_keys=True))
    else:
        print(format_table({result.ranker: summary}))
        if args.save:
            print(f"\nresult saved to {args.save} (feedsim.load_result)")
    return 0


def _check_save_target(path: str, overwrite: bool) -> None:
    """Refuse an unusable --save before the run, not after it."""
    from .results_io import _pyarrow

    _pyarrow()  # MissingDependencyError naming feedsim[io]
    if os.path.lexists(path) and not overwrite:
        raise FeedsimError(f"--save: {path} already exists; pass --overwrite to replace it")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise FeedsimError(f"--save: no such directory {parent}")


def _add_sweep_parsers(sub) -> None:
    swp = sub.add_parser(
        "sweep",
        help="run a parameter sweep from a TOML spec into an SQLite results store",
        description=(
            "Run every run of a sweep spec (see experiments/sweep_example.toml) that is not yet in the "
            "results store. Each run is stored when it finishes; rerunning resumes. The exit code is the "
            "number of failed runs (at most 125), 2 for a usage or spec error."
        ),
    )
    swp.add_argument("spec", metavar="SPEC.toml", help="the sweep spec")
    swp.add_argument("--db", required=True, help="SQLite results store (created if missing)")
    where = swp.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, help="local worker processes (default: CPU count; 1 = in this process)")
    where.add_argument("--scheduler", metavar="ADDR",
                       help="run on a Dask cluster, e.g. tcp://HOST:8786 (needs feedsim[dask])")
    swp.add_argument("--quiet", action="store_true", help="no progress bar")
    swp.add_argument("--extend", action="store_true", help="add this spec's runs to a store holding a different sweep")
    res = sub.add_parser(
        "results",
        help="summarise or export a sweep's results store",
        description="Print mean and 95%% confidence interval per parameter point, or export every run as CSV.",
    )
    res.add_argument("db", metavar="DB", help="SQLite results store")
    res.add_argument("--csv", metavar="OUT", help="write one row per run to this CSV file instead")
    res.add_argument("--parquet", metavar="OUT",
                     help="write one row per run (load_results' table) to this Parquet file instead "
                          "(needs pyarrow: pip install \"feedsim[io]\")")
    res.add_argument("--contrast", metavar="COLUMN",
                     help="print differences against a baseline value of this column (e.g. ranker), paired by seed")
    res.add_argument("--baseline", help="the baseline value for --contrast (default chronological for ranker)")
    res.add_argument("--unpaired", action="store_true", help="with --contrast: Welch intervals, ignoring the pairing")


def _sweep(args) -> int:
    from .sweeps import SweepSpec, run_sweep

    if args.workers is not None and args.workers < 1:
        raise FeedsimError(f"--workers must be an integer >= 1; got {args.workers}")
    if not os.path.exists(args.spec):
        raise FeedsimError(f"no such spec file: {args.spec}")
    spec = SweepSpec.from_toml(args.spec)
    client = None
    executor = None
    if args.scheduler:
        try:
            import distributed
        except ImportError:
            raise FeedsimError("--scheduler needs Dask: pip install 'feedsim[dask]'") from None
        client = distributed.Client(args.scheduler, timeout=10)
        executor = client.get_executor()
    try:
        report = run_sweep(spec, args.db, executor=executor, workers=args.workers, extend=args.extend,
                           progress=not args.quiet)
    finally:
        if client is not None:
            client.close()
    print(report)
    for line in report.failed:
        print(f"  failed {line}", file=sys.stderr)
    return min(report.n_failed, 125)


def _results(args) -> int:
    import csv

    from .sweeps import aggregate, load_results
    from .sweeps.results import _as_dict

    if not os.path.exists(args.db):
        raise FeedsimError(f"no such results store: {args.db}")
    frame = load_results(args.db)
    if args.parquet:
        from .results_io import write_parquet

        write_parquet(frame, args.parquet)
        print(f"{len(frame)} runs written to {args.parquet}")
        return 0
    table = _as_dict(frame)
    if args.csv:
        names = list(table)
        with open(args.csv, "w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(names)
            for i in range(len(table["run_key"])):
                writer.writerow(["" if _missing(table[c][i]) else table[c][i] for c in names])
        print(f"{len(table['run_key'])} runs written to {args.csv}")
        return 0
    if args.contrast:
        print(_format_contrast(table, aggregate, args))
        return 0
    print(_format_aggregate(table, aggregate))
    return 0


def _format_contrast(table, aggregate, args) -> str:
    baseline = args.baseline
    if baseline is not None and args.contrast in table and table[args.contrast].dtype.kind in "fi":
        try:
            baseline = float(baseline)
        except ValueError:
            raise FeedsimError(f"--baseline must be a number for column {args.contrast}; got {baseline!r}") from None
    agg = aggregate(table, contrast=args.contrast, baseline=baseline, paired=not args.unpaired, as_pandas=False)
    how = "unpaired (Welch)" if args.unpaired else "paired by seed"
    metrics = [c[: -len(".mean")] for c in agg if c.endswith(".mean")]
    keys = [c for c in agg if "." not in c and c != "baseline"
            and (c == args.contrast or len({str(v) for v in agg[c]}) > 1)]
    lines = [f"{args.contrast} - {agg['baseline'][0] if len(agg['baseline']) else baseline}: mean difference "
             f"[95% CI], {how}", ""]
    for i in range(len(agg["baseline"])):
        lines.append(", ".join(f"{k}={agg[k][i]}" for k in keys) + f"  (n={int(agg[metrics[0] + '.n'][i])})")
        for m in metrics:
            mean, lo, hi = (agg[f"{m}.{s}"][i] for s in ("mean", "ci_low", "ci_high"))
            lines.append(f"   {m:<32}{mean:+10.4f}  [{lo:+.4f}, {hi:+.4f}]")
    return "\n".join(lines)


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and v != v)


def _format_aggregate(table, aggregate) -> str:
    n = len(table["run_key"])
    failed = sum(1 for s in table["status"] if s != "ok")
    head = f"{n} runs, {failed} failed"
    if n == failed:
        return head
    agg = aggregate(table, as_pandas=False)
    metrics = [c[: -len(".mean")] for c in agg if c.endswith(".mean")]
    keys = [c for c in agg if "." not in c and (c == "ranker" or len({str(v) for v in agg[c]}) > 1)]
    lines = [head + "; mean [95% CI] over replicates per parameter point", ""]
    for i in range(len(agg[keys[0]])):
        lines.append(", ".join(f"{k}={agg[k][i]}" for k in keys) + f"  (n={int(agg[metrics[0] + '.n'][i])})")
        for m in metrics:
            mean, lo, hi = (agg[f"{m}.{s}"][i] for s in ("mean", "ci_low", "ci_high"))
            lines.append(f"   {m:<32}{mean:10.4f}  [{lo:.4f}, {hi:.4f}]")
    return "\n".join(lines)


def _convert_with_warnings(G):
    """Convert a loaded graph once, printing feedsim's graph warnings as ``feedsim: warning:`` lines."""
    import warnings

    from .network.graph import FollowGraph, GraphAttributeWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", GraphAttributeWarning)
        graph = FollowGraph.from_networkx(G)
    for w in caught:
        if issubclass(w.category, GraphAttributeWarning):
            hint = " (or pass --assign-roles)" if "'role'" in str(w.message) else ""
            print(f"feedsim: warning: {w.message}{hint}", file=sys.stderr)
        else:  # pragma: no cover - nothing else warns here today
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return graph


def _load_graph(args):
    from . import networks

    if args.graph:
        path = args.graph
        if not os.path.exists(path):
            raise FeedsimError(f"--graph: no such file: {path}")
        low = path.lower().removesuffix(".gz")  # the loaders detect gzip from the bytes
        if low.endswith(".graphml"):
            G = networks.read_graphml(path)
            if args.assign_roles:
                networks.assign_roles(G)
            return _convert_with_warnings(G)
        read = networks.read_csv if low.endswith(".csv") else networks.read_edgelist
        graph = read(path, as_arrays=True)  # straight to arrays: no NetworkX graph for a big file
        if args.assign_roles:
            return networks.assign_roles(graph)
        from .network.graph import NO_ROLES_MESSAGE

        print(f"feedsim: warning: {NO_ROLES_MESSAGE} (or pass --assign-roles)", file=sys.stderr)
        return graph
    if args.users < 2:
        raise FeedsimError(f"--users must be an integer >= 2; got {args.users}")
    follows = min(40.0, (args.users - 1) / 2)  # the default (40) needs more than 40 accounts
    if args.users > 20_000:  # the whole run's memory, before the graph is generated
        from .engine.config import SimulationConfig
        from .engine.memory import check_memory, plan_memory

        config = SimulationConfig(out_of_network_share=args.out_of_network_share, dynamics=not args.no_dynamics)
        check_memory(plan_memory(args.users, mean_follows=follows, config=config, days=args.days))
    return networks.default_community(
        args.users, mean_follows=follows, seed=stream_seed(args.seed, "network"), as_arrays=True
    )


def _show_progress(args) -> bool:
    """A bar on stderr: asked for with --progress, else on a terminal; never with --quiet or --json."""
    if args.quiet or args.json:
        return False
    return bool(args.progress or sys.stderr.isatty())


def _compare(args) -> int:
    from .compare import compare

    if args.seed < 0:
        raise FeedsimError(f"--seed must be an integer >= 0; got {args.seed}")
    if not args.days > 0:
        raise FeedsimError(f"--days must be a number > 0; got {args.days}")
    if args.replicates < 1:
        raise FeedsimError(f"--replicates must be an integer >= 1; got {args.replicates}")
    rankers = [r.strip() for r in args.rankers.split(",") if r.strip()]
    graph = _load_graph(args)
    progress = _show_progress(args)
    result = compare(
        graph,
        rankers,
        days=args.days,
        seed=args.seed,
        progress=progress,
        out_of_network_share=args.out_of_network_share,
        dynamics=not args.no_dynamics,
        replicates=args.replicates,
    )
    payload = result.to_dict()
    payload["config"]["graph"] = args.graph or f"default_community(n_users={args.users})"
    if args.out:
        _write_outputs(result, payload, args.out)
    if args.json:
        print(json.dumps(payload, sort_keys=True))
    else:
        print(result.table())
        if args.replicates > 1:
            print()
            print(result.amplification_table())
        if args.out:
            print(f"\nfigures and summary.json written to {args.out}")
    if args.report:
        from .report import write_report

        write_report(result, args.report)
        if not args.json:
            print(f"\nreport written to {args.report}")
    if not args.json:
        from .report import headline

        print(f"\n{headline(result)}")
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


def _lesson(args) -> int:
    import signal
    import webbrowser

    from .lesson.server import make_server

    if not 0 <= args.port <= 65535:
        raise FeedsimError(f"--port must be an integer from 0 to 65535; got {args.port}")
    srv = make_server(args.port)
    # stop like Ctrl-C on SIGTERM too, so that the worker processes are stopped with the server
    before = signal.signal(signal.SIGTERM, signal.default_int_handler)
    print(f"feedsim lesson: serving on {srv.url} (Ctrl-C to stop)", flush=True)
    if not args.no_browser:
        webbrowser.open(srv.url)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:  # the normal way to stop it
        print("feedsim lesson: stopped", file=sys.stderr)
    finally:
        srv.server_close()
        signal.signal(signal.SIGTERM, before)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``feedsim`` command. Returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    handlers = {"compare": _compare, "sweep": _sweep, "results": _results, "run": _run, "lesson": _lesson}
    try:
        return handlers[args.command](args)
    except BrokenPipeError:
        # the reader went away (e.g. `feedsim compare | head`): not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except (FeedsimError, OSError) as exc:
        print(f"feedsim: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("feedsim: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
