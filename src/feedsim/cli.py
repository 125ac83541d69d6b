"""Command-line interface: ``feedsim`` compare, run, sweep, sensitivity, calibrate, results, lesson and warmup.

The only module that prints or exits. Errors print one line to stderr; the exit codes are
:data:`EXIT_CODES` (2: bad input or usage, refused before any work; 3: some sweep runs failed;
4: an output could not be written where asked and went to a fallback path; 130: interrupted).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from typing import NoReturn

from . import __version__
from .errors import FeedsimError

__all__ = ["main", "build_parser", "EXIT_CODES"]

#: Exit codes of the ``feedsim`` command (also in ``feedsim --help`` and the README).
EXIT_OK = 0
EXIT_USAGE = 2
EXIT_RUNS_FAILED = 3
EXIT_OUTPUT_FALLBACK = 4
EXIT_INTERRUPTED = 130
#: Most ``compare --replicates`` (each is a full run per ranker).
MAX_REPLICATES = 1000
EXIT_CODES = {
    EXIT_OK: "success",
    EXIT_USAGE: "bad input or usage (one line on stderr, before any work)",
    EXIT_RUNS_FAILED: "sweep: some runs failed (stored as failed; rerun the sweep to retry them)",
    EXIT_OUTPUT_FALLBACK: "the work finished but an output could not be written where asked (stderr names the "
                          "fallback path it went to, or why it could not be made)",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C or SIGTERM); finished sweep runs are kept",
}


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (``feedsim: error: ...``, exit 2) instead of the usage block."""

    def error(self, message: str) -> NoReturn:
        where = self.prog.removeprefix("feedsim").strip()
        self.exit(EXIT_USAGE, f"feedsim: error: {where + ': ' if where else ''}{message} (see {self.prog} --help)\n")


#: Options that mirror a declared parameter (argparse dest -> (flag, parameter name)); main() checks
#: their values against the declaration before any work.
_PARAM_OPTIONS: dict[str, tuple[str, str]] = {}


def _param_option(parser, flag: str, name: str, default=None) -> None:
    """Add an option that mirrors a declared parameter: its help, unit and rule come from :mod:`feedsim.params`."""
    from .params import param

    p = param(name)
    if p.kind == "bool":  # a --no-X switch: sets X=False
        parser.add_argument(flag, action="store_true", help=f"set {name}=False ({p.help.rstrip('.')})")
        return
    default = p.default if default is None else default
    _PARAM_OPTIONS[flag.lstrip("-").replace("-", "_")] = (flag, name)
    unit = f"{p.unit}; " if p.unit else ""
    parser.add_argument(flag, type=float if p.kind == "float" else int, default=default,
                        help=f"{p.help.rstrip('.')} ({unit}{p.rule}; default {default:g})")


def _check_param_options(args) -> None:
    """Check the options that mirror declared parameters (one line naming the option, rule and value)."""
    from .params import param

    for dest, (flag, name) in _PARAM_OPTIONS.items():
        if getattr(args, dest, None) is not None:
            setattr(args, dest, param(name).check(getattr(args, dest), name=flag))


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    parser = _Parser(
        prog="feedsim",
        description="Simulate a social feed on a follow graph and compare rankers.",
        epilog="exit codes: " + "; ".join(f"{code} {what}" for code, what in EXIT_CODES.items()),
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
    _add_world_options(cmp)
    cmp.add_argument("--rankers", default="chronological,engagement",
                     help=f"comma-separated rankers (default chronological,engagement); known: {_ranker_names()}")
    cmp.add_argument(
        "--replicates",
        type=int,
        default=1,
        help=f"paired replicates (common random numbers across rankers), 1 to {MAX_REPLICATES}; with more than 1, "
        "also print amplification per role and follower group with a 95%% confidence interval (default 1)",
    )
    cmp.add_argument("--out", metavar="DIR",
                     help="write PNG figures (Lorenz curves, role shares) and summary.json here")
    cmp.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    cmp.add_argument("--report", metavar="FILE.html",
                     help="write a self-contained HTML report (finding, per-role table, figures, config, versions)")
    _add_sweep_parsers(sub)
    _add_sensitivity_parser(sub)
    _add_run_parser(sub)
    _add_warmup_parser(sub)
    _add_calibrate_parser(sub)
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
    _add_world_options(run)
    run.add_argument("--ranker", default="engagement", help=f"the ranker (default engagement): {_ranker_names()}")
    run.add_argument("--save", metavar="PATH",
                     help="save the result to this directory (needs pyarrow: pip install \"feedsim[io]\")")
    run.add_argument("--overwrite", action="store_true", help="with --save: replace a result saved there before")
    run.add_argument("--checkpoint", metavar="PATH",
                     help="write the run's state to PATH at day boundaries; rerunning the same command resumes "
                          "from the last complete checkpoint (bit-identical result)")
    run.add_argument("--checkpoint-every-days", type=int, metavar="K",
                     help="with --checkpoint: every K simulated days (default 1)")
    run.add_argument("--json", action="store_true", help="print one JSON object (the summary) instead of the table")


def _ranker_names() -> str:
    """The built-in rankers and the published presets, from the ranker registry."""
    from .rankers import PRESETS, RANKERS

    return ", ".join(n for n in RANKERS if n not in PRESETS) + ", or a preset (" + ", ".join(PRESETS) + ")"


def _add_world_options(parser) -> None:
    """The options of one world that compare and run share: the graph, its days and seed, the feed, progress."""
    graph = parser.add_mutually_exclusive_group()
    graph.add_argument("--users", type=int, help="accounts in the default community (default 10000)")
    graph.add_argument("--graph", help="a graph file instead of the default community (.graphml, .csv or edge list)")
    parser.add_argument("--assign-roles", action="store_true",
                        help="with --graph: assign roles with the default community's joint distribution of role and "
                             "follower count (feedsim.networks.assign_roles)")
    _param_option(parser, "--days", "days", 14)
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    _param_option(parser, "--out-of-network-share", "out_of_network_share")
    _param_option(parser, "--no-dynamics", "dynamics")
    bar = parser.add_mutually_exclusive_group()
    bar.add_argument("--progress", action="store_true",
                     help="show a progress bar (default: when stderr is a terminal and a run takes over 2 s)")
    bar.add_argument("--quiet", action="store_true", help="no progress bar")


def _run(args) -> int:
    from ._suggest import did_you_mean
    from .compare import format_table
    from .engine.simulation import Simulation
    from .rankers.registry import RANKERS

    if args.seed < 0:
        raise FeedsimError(f"--seed must be an integer >= 0; got {args.seed}")
    if args.ranker not in RANKERS:  # before the graph is built
        raise FeedsimError(f"--ranker must be one of {', '.join(RANKERS)}{did_you_mean(args.ranker, RANKERS)}; "
                           f"got {args.ranker!r}")
    if args.overwrite and not args.save:
        raise FeedsimError("--overwrite means nothing without --save PATH")
    if args.checkpoint_every_days is not None and not args.checkpoint:
        raise FeedsimError("--checkpoint-every-days means nothing without --checkpoint PATH")
    if args.assign_roles and not args.graph:
        raise FeedsimError("--assign-roles means nothing without --graph FILE (the default community has roles)")
    every = 1 if args.checkpoint_every_days is None else args.checkpoint_every_days
    if every < 1:
        raise FeedsimError(f"--checkpoint-every-days must be an integer >= 1; got {every}")
    if args.save:
        _check_save_target(args.save, args.overwrite)
    if args.checkpoint:
        _check_output("--checkpoint", args.checkpoint, "file")
    graph = _load_graph(args)
    _say_preparing(args)
    sim = Simulation(graph, ranker=args.ranker, seed=args.seed, out_of_network_share=args.out_of_network_share,
                     dynamics=not args.no_dynamics)
    if args.checkpoint:
        from .engine.checkpoint import run_checkpointed

        result, resumed = run_checkpointed(sim, args.days, args.checkpoint, every_days=every,
                                           progress=_show_progress(args))
        if resumed is not None:
            print(f"resumed from {resumed.path} after day {resumed.day}", file=sys.stderr)
    else:
        result = sim.run(days=args.days, progress=_show_progress(args))
    summary = result.summary()
    summary["config"]["graph"] = args.graph or _graph_record(args)
    saved, failure = None, None
    if args.save:
        saved, failure = _write_or_fallback(
            "--save", args.save, lambda path, fallback: result.save(path, overwrite=args.overwrite and not fallback))
    if args.json:
        if saved:
            summary["saved"] = saved
        print(json.dumps(summary, sort_keys=True))
    else:
        print(format_table({result.ranker: summary}))
        if saved:
            print(f"\nresult saved to {saved} (feedsim.load_result)")
    return _report_failures([failure])


def _users(args) -> int:
    return 10_000 if args.users is None else args.users


# ----------------------------------------------------------------- outputs
# Every output target is checked, and its folder proven writable, before any work; a write that
# still fails at the end goes to a fallback folder that the message names (exit 4), so that a
# finished run is never lost.

def _prove_writable(option: str, folder: str) -> None:
    """Create and remove a file in ``folder``: the only proof that it can be written."""
    try:
        fd, probe = tempfile.mkstemp(prefix=".feedsim-probe-", dir=folder)
    except OSError as exc:
        raise FeedsimError(f"{option}: cannot write in {folder} ({exc.strerror or exc})") from None
    os.close(fd)
    os.unlink(probe)


def _check_output(option: str, path: str, kind: str) -> None:
    """Refuse an unusable output target before the run: ``kind`` is ``"file"`` or ``"dir"`` (created if missing)."""
    target = os.path.abspath(path)
    if kind == "file":
        if os.path.isdir(target):
            raise FeedsimError(f"{option}: {path} is a folder; give a file name")
        parent = os.path.dirname(target)
        if not os.path.isdir(parent):
            raise FeedsimError(f"{option}: cannot write {path}: no such directory {parent}")
        _prove_writable(option, parent)
        return
    if os.path.lexists(target) and not os.path.isdir(target):
        raise FeedsimError(f"{option}: {path} exists and is not a folder")
    folder = target
    while not os.path.lexists(folder):  # the folders made by os.makedirs go in the nearest existing one
        folder = os.path.dirname(folder)
    if not os.path.isdir(folder):
        raise FeedsimError(f"{option}: cannot make {path}: {folder} is not a folder")
    _prove_writable(option, folder)


def _check_save_target(path: str, overwrite: bool) -> None:
    """Refuse an unusable --save before the run, not after it."""
    from .results_io import _META, _pyarrow

    _pyarrow()  # MissingDependencyError naming feedsim[io]
    target = os.path.abspath(path)
    if os.path.lexists(target):
        if not overwrite:
            raise FeedsimError(f"--save: {path} already exists; pass --overwrite to replace it")
        if not (os.path.isdir(target) and os.path.isfile(os.path.join(target, _META))):
            raise FeedsimError(f"--save: {path} exists and is not a saved feedsim result; --overwrite replaces "
                               "only a saved result (choose another path)")
    parent = os.path.dirname(target)
    if not os.path.isdir(parent):
        raise FeedsimError(f"--save: no such directory {parent}")
    _prove_writable("--save", parent)


def _fallback_folder() -> str:
    """A new folder for outputs that could not be written where asked (the working directory, else temp)."""
    for where in (os.getcwd(), tempfile.gettempdir()):
        try:
            return tempfile.mkdtemp(prefix="feedsim-rescued-", dir=where)
        except OSError:
            continue
    raise FeedsimError("no writable folder for a fallback copy (the working directory and the temp folder failed)")


def _write_or_fallback(option: str, path: str, write) -> tuple[str | None, str | None]:
    """``write(path, fallback=False)``; if it fails, ``write(other, fallback=True)`` in a fallback folder.

    Returns the path written (None if both failed) and a one-line message for stderr (None on success).
    """
    try:
        write(path, False)
        return path, None
    except FeedsimError as exc:  # the output cannot be made (not a place problem): a fallback would fail alike
        return None, f"{option}: {path} not written: {exc}"
    except OSError as exc:
        reason = f"{type(exc).__name__}: {exc}"
    try:
        other = os.path.join(_fallback_folder(), os.path.basename(os.path.normpath(path)) or "output")
        write(other, True)
    except (OSError, FeedsimError) as exc:
        return None, f"{option}: could not write {path} ({reason}), nor a fallback copy ({exc})"
    return other, f"{option}: could not write {path} ({reason}); written to {other} instead"


def _report_failures(messages) -> int:
    """Print each failed-output line; exit 4 if any."""
    failed = [m for m in messages if m]
    for m in failed:
        print(f"feedsim: error: {m}", file=sys.stderr)
    return EXIT_OUTPUT_FALLBACK if failed else EXIT_OK


def _add_sweep_parsers(sub) -> None:
    swp = sub.add_parser(
        "sweep",
        help="run a parameter sweep from a TOML spec into an SQLite results store",
        description=(
            "Run every run of a sweep spec (see experiments/sweep_example.toml) that is not yet in the "
            "results store. Each run is stored when it finishes; rerunning resumes. Exit code 0 when every "
            "run succeeded, 3 when some failed (rerun to retry them), 2 for a usage or spec error (before "
            "any run), 130 when interrupted (finished runs are kept; a second Ctrl-C stops at once)."
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
    export = res.add_mutually_exclusive_group()
    export.add_argument("--csv", metavar="OUT", help="write one row per run to this CSV file instead")
    export.add_argument("--parquet", metavar="OUT",
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
    _check_output("--db", args.db, "file")
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
        with _sweep_signals():
            report = run_sweep(spec, args.db, executor=executor, workers=args.workers, extend=args.extend,
                               progress=not args.quiet)
    except KeyboardInterrupt:
        print(f"feedsim: sweep interrupted; every finished run is stored in {args.db} (rerun the same command to "
              "resume)", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        if client is not None:
            client.close()
    print(report)
    for line in report.failed:
        print(f"  failed {line}", file=sys.stderr)
    return EXIT_RUNS_FAILED if report.n_failed else EXIT_OK


def _add_sensitivity_parser(sub) -> None:
    sen = sub.add_parser(
        "sensitivity",
        help="Sobol or Morris sensitivity indices of a metric from a TOML study spec, via a sweep store",
        description=(
            "Run every missing run of a sensitivity study (see experiments/sensitivity_quiet_voice.toml) into "
            "a sweep store (rerunning resumes), then print its indices with bootstrap intervals and the seed "
            "noise. Exit code 0 on success, 3 when runs failed (rerun to retry them), 2 for a usage or spec "
            "error (before any run), 130 when interrupted (finished runs are kept)."
        ),
    )
    sen.add_argument("spec", metavar="SPEC.toml", help="the study spec")
    sen.add_argument("--db", required=True, help="SQLite sweep store (created if missing)")
    where = sen.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, help="local worker processes (default: CPU count; 1 = in this process)")
    where.add_argument("--scheduler", metavar="ADDR",
                       help="run on a Dask cluster, e.g. tcp://HOST:8786 (needs feedsim[dask])")
    sen.add_argument("--table", metavar="OUT.csv", help="also write the indices as CSV")
    sen.add_argument("--figure", metavar="OUT.png", help="also write the indices figure")
    sen.add_argument("--quiet", action="store_true", help="no progress bar")


def _sensitivity(args) -> int:
    from .sensitivity import SensitivityError, SensitivitySpec, plot_indices, run_sensitivity

    if args.workers is not None and args.workers < 1:
        raise FeedsimError(f"--workers must be an integer >= 1; got {args.workers}")
    if not os.path.exists(args.spec):
        raise FeedsimError(f"no such spec file: {args.spec}")
    spec = SensitivitySpec.from_toml(args.spec)
    for option, path in (("--db", args.db), ("--table", args.table), ("--figure", args.figure)):
        if path is not None:
            _check_output(option, path, "file")
    client = executor = None
    if args.scheduler:
        try:
            import distributed
        except ImportError:
            raise FeedsimError("--scheduler needs Dask: pip install 'feedsim[dask]'") from None
        client = distributed.Client(args.scheduler, timeout=10)
        executor = client.get_executor()
    try:
        with _sweep_signals():
            table = run_sensitivity(spec, args.db, executor=executor, workers=args.workers, progress=not args.quiet)
    except KeyboardInterrupt:
        print(f"feedsim: study interrupted; every finished run is stored in {args.db} (rerun the same command to "
              "resume)", file=sys.stderr)
        return EXIT_INTERRUPTED
    except SensitivityError as exc:
        print(f"feedsim: error: {exc}", file=sys.stderr)
        return EXIT_RUNS_FAILED
    finally:
        if client is not None:
            client.close()
    print(table.attrs["sweep"])
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"seed noise: {table.attrs['noise_share']:.3f} of the output's variance (total indices below it cannot "
          f"be told from noise)")
    if args.table:
        table.to_csv(args.table, index=False)
    if args.figure:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(6.4, 1.2 + 0.42 * table["parameter"].nunique()))
        plot_indices(table, ax=fig.subplots())
        fig.savefig(args.figure, dpi=150, bbox_inches="tight")
    return EXIT_OK


class _sweep_signals:  # noqa: N801  (a context manager used as a statement)
    """During a sweep: the first Ctrl-C lets the runs in flight finish and be stored (one line says so), a
    second one or SIGTERM stops at once (workers killed; they also die with this process on any signal)."""

    def __enter__(self):
        import signal
        import threading

        from .sweeps.execute import SweepAbort

        self.saved = {}
        if threading.current_thread() is not threading.main_thread():
            return self
        presses = []

        def on_int(signum, frame):
            presses.append(signum)
            if len(presses) == 1:
                print("\nfeedsim: interrupted: storing the runs in flight in worker processes (a run in this "
                      "process is dropped); Ctrl-C again to stop at once", file=sys.stderr, flush=True)
                raise KeyboardInterrupt
            raise SweepAbort

        def on_term(signum, frame):
            raise SweepAbort

        self.saved = {signal.SIGINT: signal.signal(signal.SIGINT, on_int),
                      signal.SIGTERM: signal.signal(signal.SIGTERM, on_term)}
        return self

    def __exit__(self, *exc) -> None:
        import signal

        for signum, handler in self.saved.items():
            signal.signal(signum, handler)


def _results(args) -> int:
    import csv

    from .sweeps import aggregate, load_results
    from .sweeps.results import _as_dict

    if not os.path.exists(args.db):
        raise FeedsimError(f"no such results store: {args.db}")
    export = "--csv" if args.csv else "--parquet" if args.parquet else None
    if export and args.contrast:
        raise FeedsimError(f"--contrast prints a table; it means nothing with {export} (which writes every run)")
    for option, given in (("--baseline", args.baseline is not None), ("--unpaired", args.unpaired)):
        if given and not args.contrast:
            raise FeedsimError(f"{option} means nothing without --contrast COLUMN")
    if export:
        _check_output(export, args.csv or args.parquet, "file")
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
    if args.contrast in table:
        ok = [str(v) for v, status in zip(table[args.contrast], table["status"]) if status == "ok"]
        values = sorted(set(ok))
        if len(values) < 2:
            held = f"every finished run has {args.contrast}={values[0]}" if values else "no run has finished"
            raise FeedsimError(f"--contrast {args.contrast}: {held}; nothing to contrast (a contrast needs two or "
                               f"more values among the finished runs)")
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


def _convert_with_warnings(G, build=None):
    """Convert a loaded graph once (or call ``build()``), printing feedsim's graph warnings as
    ``feedsim: warning:`` lines."""
    import warnings

    from .network.graph import FollowGraph, GraphAttributeWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", GraphAttributeWarning)
        graph = build() if build is not None else FollowGraph.from_networkx(G)
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
            G = _convert_with_warnings(None, lambda: networks.read_graphml(path))  # self-loops: one line
            if args.assign_roles:
                networks.assign_roles(G)
            return _convert_with_warnings(G)
        read = networks.read_csv if low.endswith(".csv") else networks.read_edgelist
        # straight to arrays: no NetworkX graph for a big file
        graph = _convert_with_warnings(None, lambda: read(path, as_arrays=True))
        if args.assign_roles:
            return networks.assign_roles(graph)
        from .network.graph import NO_ROLES_MESSAGE

        print(f"feedsim: warning: {NO_ROLES_MESSAGE} (or pass --assign-roles)", file=sys.stderr)
        return graph
    users = _users(args)
    if users < 2:
        raise FeedsimError(f"--users must be an integer >= 2; got {users}")
    if users > 20_000:  # the whole run's memory, before the graph is generated
        from .engine.config import SimulationConfig
        from .engine.memory import check_memory, plan_memory

        follows = min(40.0, (users - 1) / 2)  # as replicate_community draws it
        config = SimulationConfig(out_of_network_share=args.out_of_network_share, dynamics=not args.no_dynamics)
        check_memory(plan_memory(users, mean_follows=follows, config=config, days=args.days))
    from .compare import replicate_community

    return replicate_community(users, args.seed)  # replicate 0's community (feedsim.random.replicate_seeds)


def _graph_record(args) -> dict:
    """How the default community of ``--users`` and ``--seed`` was drawn (replicate 0's graph seed)."""
    from .random import replicate_seeds

    return {"generator": "feedsim.compare.replicate_community", "n_users": _users(args),
            "mean_follows": min(40.0, (_users(args) - 1) / 2), "seed": replicate_seeds(args.seed).to_dict()["graph"],
            "python": f"feedsim.replicate_community({_users(args)}, seed={args.seed})"}


def _show_progress(args) -> bool:
    """A bar on stderr: asked for with --progress, else on a terminal; never with --quiet or --json."""
    if args.quiet or args.json:
        return False
    return bool(args.progress or sys.stderr.isatty())


def _compare(args) -> int:
    from .compare import compare

    if args.seed < 0:
        raise FeedsimError(f"--seed must be an integer >= 0; got {args.seed}")
    if not 1 <= args.replicates <= MAX_REPLICATES:
        raise FeedsimError(f"--replicates must be an integer from 1 to {MAX_REPLICATES}; got {args.replicates}")
    if args.assign_roles and not args.graph:
        raise FeedsimError("--assign-roles means nothing without --graph FILE (the default community has roles)")
    if args.out:
        _check_output("--out", args.out, "dir")
    if args.report:
        _check_output("--report", args.report, "file")
    rankers = [r.strip() for r in args.rankers.split(",") if r.strip()]
    graph = _load_graph(args) if args.graph else _users(args)  # --users: a community per replicate
    if not args.graph and _users(args) < 2:
        raise FeedsimError(f"--users must be an integer >= 2; got {_users(args)}")
    progress = _show_progress(args)
    _say_preparing(args)
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
    payload["config"]["graph"] = args.graph or _graph_record(args)
    out = out_failure = report = report_failure = None
    if args.out:
        out, out_failure = _write_or_fallback("--out", args.out, lambda path, _: _write_outputs(result, payload, path))
    if args.report:
        from .lesson.report import write_report

        report, report_failure = _write_or_fallback("--report", args.report,
                                                    lambda path, _: write_report(result, path))
    if args.json:
        print(json.dumps(payload, sort_keys=True))
    else:
        print(result.table())
        if args.replicates > 1:
            print()
            print(result.amplification_table())
        if out:
            print(f"\nfigures and summary.json written to {out}")
        if report:
            print(f"\nreport written to {report}")
        from .lesson.report import headline

        print(f"\n{headline(result)}")
    return _report_failures([out_failure, report_failure])


def _write_outputs(result, payload: dict, out: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .plots import plot_lorenz, plot_role_shares

    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "summary.json"), "w") as fh:
        json.dump(payload, fh, sort_keys=True, indent=1)

    def lorenz(fig):
        plot_lorenz(result.results, ax=fig.subplots())

    def role_shares(fig):
        for ax, (name, res) in zip(fig.subplots(1, len(result.results), squeeze=False, sharey=True)[0],
                                   result.results.items()):
            plot_role_shares(res, ax=ax)
            ax.set_title(name)

    for name, draw, size in (("lorenz.png", lorenz, (5.5, 5)),
                             ("role_shares.png", role_shares, (5 * len(result.results), 4.2))):
        fig = plt.figure(figsize=size)
        try:
            draw(fig)
            fig.tight_layout()
            fig.savefig(os.path.join(out, name), dpi=120)
        except FeedsimError as exc:  # e.g. nobody posted (2 accounts, 1 day): nothing to draw
            print(f"feedsim: warning: --out: {name} not drawn: {exc}", file=sys.stderr)
        finally:
            plt.close(fig)


def _lesson(args) -> int:
    import signal
    import webbrowser

    from .lesson.server import make_server

    if not 0 <= args.port <= 65535:
        raise FeedsimError(f"--port must be an integer from 0 to 65535; got {args.port}")
    _say_preparing(args)  # the explorer's first figure waits for the kernels
    try:
        srv = make_server(args.port)
    except OSError as exc:
        import errno

        if exc.errno == errno.EADDRINUSE:
            raise FeedsimError(f"--port {args.port}: address already in use on 127.0.0.1 (another feedsim lesson? "
                               "--port 0 takes any free port)") from None
        raise FeedsimError(f"--port {args.port}: cannot serve on 127.0.0.1: {exc.strerror or exc}") from None
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


def _add_calibrate_parser(sub) -> None:
    cal = sub.add_parser(
        "calibrate",
        help="fit parameters to observed statistics by ABC-SMC from a TOML spec (needs feedsim[calibrate])",
        description="Fit a study's parameters to its targets by ABC-SMC (pyabc), stored in --db; rerunning the "
                    "same command resumes after the last finished generation (see experiments/calibrate_pew.toml).",
    )
    cal.add_argument("spec", metavar="SPEC.toml", help="the calibration spec")
    cal.add_argument("--db", required=True, help="pyabc's SQLite database (created if missing; resumed if it exists)")
    cal.add_argument("--workers", type=int, default=1,
                     help="simulation processes (default 1: bit-reproducible given the seed)")
    cal.add_argument("--out", metavar="DIR", help="write posterior.csv, targets.csv and calibration.png here")


def _calibrate(args) -> int:
    from .calibrate import CalibrationStudy
    from .calibrate.run import _pyabc, calibrate

    if args.workers < 1:
        raise FeedsimError(f"--workers must be an integer >= 1; got {args.workers}")
    if not os.path.exists(args.spec):
        raise FeedsimError(f"no such spec file: {args.spec}")
    study = CalibrationStudy.from_toml(args.spec)
    _check_output("--db", args.db, "file")
    if args.out:
        _check_output("--out", args.out, "dir")
    _pyabc()  # MissingDependencyError naming feedsim[calibrate], before any work
    fit = calibrate(study, args.db, workers=args.workers)
    print(fit)
    if args.out:
        import matplotlib

        matplotlib.use("Agg")
        os.makedirs(args.out, exist_ok=True)
        fit.posterior.to_csv(os.path.join(args.out, "posterior.csv"), index=False)
        fit.targets.to_csv(os.path.join(args.out, "targets.csv"), index=False)
        fit.plot().savefig(os.path.join(args.out, "calibration.png"), dpi=110)
    return 0


def _add_warmup_parser(sub) -> None:
    sub.add_parser(
        "warmup",
        help="compile the simulation kernels once (after install), so that later runs start at once",
        description="Compile, or load if already compiled, every kernel the built-in rankers and the common "
                    "options use (a few tiny runs; feedsim.warmup) and fill Numba's kernel cache "
                    "(NUMBA_CACHE_DIR if set). Run it once after install, e.g. for a class or before cluster jobs; "
                    "running it again is harmless.",
    )


def _say_preparing(args) -> None:
    """One line on stderr if the run will compile its kernels first, unless a progress bar says it (or --quiet)."""
    if getattr(args, "quiet", False) or (hasattr(args, "progress") and _show_progress(args)):
        return
    from .warmup import preparing_message

    message = preparing_message()
    if message:
        print(message, file=sys.stderr, flush=True)


def _warmup(args) -> int:
    from .warmup import PREPARING_MESSAGE, WARMUP_RUNS, kernels_cached, warmup

    cold = not kernels_cached()
    if cold:
        print(PREPARING_MESSAGE, file=sys.stderr, flush=True)
    seconds = warmup()
    what = "compiled and cached" if cold else "already cached, loaded"
    print(f"feedsim warmup: kernels for {len(WARMUP_RUNS) + 1} run configurations {what} in {seconds:.1f} s")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``feedsim`` command. Returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    handlers = {"compare": _compare, "sweep": _sweep, "results": _results, "run": _run, "lesson": _lesson,
                "warmup": _warmup, "sensitivity": _sensitivity, "calibrate": _calibrate}
    try:
        _check_param_options(args)
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
