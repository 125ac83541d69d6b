"""Peer benchmark: feedsim against the tools users would pick instead, at equal work.

The matched workload (issue 5), the same for every contestant:

* ``n`` users (1k, 10k, 100k); every user follows 20 distinct random accounts, never
  themselves (one graph per size and seed, shared by all contestants);
* hourly ticks; each user posts with probability 0.5 per tick and a post is a
  candidate for 5 ticks, so a session sees about 20 * 0.5 * 5 = 50 candidates;
* each user opens a session every tick and is shown the top 10 candidates;
* engagement score: a weighted sum of per-candidate features (post appeal,
  viewer-author affinity, log engagement count), features fixed when the post or
  follow is made; chronological: newest first.

Contestants, each (tool, size) in a fresh subprocess so that peak RSS is per run:

``feedsim``
    ``Simulation(graph, ranker, dynamics=False|True, max_age_hours=5,
    exclude_seen=False)`` with post_rate 12/day, session_rate 24/day, attention 10.
    feedsim draws posts and sessions as Poisson counts (means 0.5 and 1 per user per
    tick), so about 63% of users have a session in a tick (some have two): compare
    **candidates scored per second**, not seconds per step.
``numpy``
    The bare step as vectorised NumPy (``peers_models.NumpyFeed``): the yardstick.
``mesa``
    A Mesa 3 model written the way Mesa's tutorials write models
    (``peers_models.mesa_feed_model``): ``User`` agents with followee lists and
    their own posts, activated in random order each step, each building its feed.
``trecs``
    T-RECS 0.2.1 (``peers_models.trecs_feed_model``): a ``BaseRecommender`` whose
    user profiles are the follow graph and whose items are posts; T-RECS scores
    every user against every item in the system each step (dense users x items
    matrices), and items never leave the system. Its *raw* scored count is users x
    items per step; its candidates/s is the *matched* work (followers x live posts,
    the pairs the other tools score) divided by its time.

Mesa and T-RECS run in their own virtual environment (``--venv``, default
``~/.cache/feedsim-peers-venv``), created on first use with ``python -m venv`` and
``pip install --no-deps -r benchmarks/peers-requirements.txt`` (fully pinned; see that
file for why). feedsim and the NumPy reference run in the current interpreter.

Each run builds the model, runs 6 warm-up ticks (the 5-tick window fills), then
times M ticks. A run that passes ``--timeout`` seconds or ``--mem-limit-gib`` of RSS,
raises ``MemoryError``, or cannot be set up is reported with status ``timeout``,
``oom``, ``unsupported`` or ``error`` and the reason, never left out.

Reproduce (prints JSON on stdout, a table on stderr)::

    python benchmarks/peers.py > peers.json                 # 1k, 10k, 100k (~15-20 min)
    python benchmarks/peers.py --quick                      # 1k and 10k smoke run
    python benchmarks/peers.py --sizes 10000 --tools feedsim mesa --steps 3
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
REQUIREMENTS = HERE / "peers-requirements.txt"
WARMUP_TICKS = 6
TOOLS = ("feedsim", "numpy", "mesa", "trecs")
PEER_TOOLS = ("mesa", "trecs")  # run in the peers' venv

#: (tool, ranker, dynamics) runs per size, in order.
CONTESTANTS = [
    ("feedsim", "engagement", False),
    ("feedsim", "engagement", True),
    ("feedsim", "chronological", False),
    ("numpy", "engagement", False),
    ("numpy", "chronological", False),
    ("mesa", "engagement", False),
    ("mesa", "chronological", False),
    ("trecs", "engagement", False),
]


def default_steps(tool: str, users: int) -> int:
    """Timed ticks per run: fewer where a tick is slow."""
    if tool == "mesa":
        return 2 if users >= 100_000 else 5
    if tool == "trecs":
        return 3
    return 10


# ---------------------------------------------------------------- child side
def peak_rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB on Linux


def progress(msg: str) -> None:
    print(f"progress: {msg}", file=sys.stderr, flush=True)


def timed(step, warmup: int, steps: int, counts, t_start: float) -> dict:
    """Run ``warmup`` then ``steps`` ticks of ``step()``; ``counts()`` -> dict of totals."""
    for i in range(warmup):
        step()
        progress(f"warm-up tick {i + 1}/{warmup} done at {time.perf_counter() - t_start:.1f} s")
    before = counts()
    t0 = time.perf_counter()
    for i in range(steps):
        step()
        progress(f"timed tick {i + 1}/{steps} done at {time.perf_counter() - t_start:.1f} s")
    wall = time.perf_counter() - t0
    after = counts()
    out = {"timed_seconds": wall, "seconds_per_step": wall / steps}
    for key in after:
        out[f"{key}_per_step"] = (after[key] - before[key]) / steps
    return out


def run_feedsim(users: int, ranker: str, dynamics: bool, seed: int, warmup: int, steps: int,
                t_start: float) -> dict:
    import numpy as np

    import feedsim
    from feedsim.network.graph import FollowGraph
    from peers_models import FOLLOWS, follow_lists

    fol = follow_lists(users, seed)
    graph = FollowGraph.from_edges(
        np.repeat(np.arange(users), FOLLOWS), fol.ravel(), users,
        attrs=dict(post_rate=np.full(users, 12.0), session_rate=np.full(users, 24.0),
                   attention=np.full(users, 10)),
    )
    sim = feedsim.Simulation(graph, ranker=ranker, seed=seed, dynamics=dynamics,
                             max_age_hours=5, exclude_seen=False)
    build = time.perf_counter() - t_start
    tick_days = sim.config.tick_hours / 24.0
    p = sim.platform

    def counts() -> dict:  # the work counters, and the ticks run (the platform's one clock)
        return {"ticks": p.tick, **{k: p.stats[k] for k in ("sessions", "candidates", "impressions")}}

    # one run call of ``steps`` ticks, as a user runs a simulation (it builds its
    # result once at the end, included in the time); the warm-up is one call too
    sim.run(days=warmup * tick_days)
    progress(f"warm-up of {warmup} ticks done at {time.perf_counter() - t_start:.1f} s")
    before = counts()
    t0 = time.perf_counter()
    sim.run(days=steps * tick_days)
    wall = time.perf_counter() - t0
    after = counts()
    res = {"timed_seconds": wall, "seconds_per_step": wall / steps}
    res.update({f"{k}_per_step": (after[k] - before[k]) / steps for k in after})
    res["build_seconds"] = build
    res["versions"] = {"feedsim": feedsim.__version__, "numpy": np.__version__}
    return res


def run_numpy(users: int, ranker: str, seed: int, warmup: int, steps: int, t_start: float) -> dict:
    import numpy as np

    from peers_models import NumpyFeed

    model = NumpyFeed(users, ranker, seed)
    build = time.perf_counter() - t_start
    res = timed(model.step, warmup, steps, lambda: dict(model.stats), t_start)
    res["build_seconds"] = build
    res["versions"] = {"numpy": np.__version__}
    return res


def run_mesa(users: int, ranker: str, seed: int, warmup: int, steps: int, t_start: float) -> dict:
    import mesa

    from peers_models import mesa_feed_model

    model = mesa_feed_model(users, ranker, seed)
    build = time.perf_counter() - t_start

    def counts():
        return {"ticks": model.steps, "sessions": model.steps * users,
                "candidates": model.candidates_scored, "impressions": model.impressions}

    res = timed(model.step, warmup, steps, counts, t_start)
    res["build_seconds"] = build
    res["versions"] = {"mesa": mesa.__version__}
    return res


def run_trecs(users: int, seed: int, warmup: int, steps: int, t_start: float) -> dict:
    import warnings

    import numpy as np

    warnings.filterwarnings("ignore", message="No measurements are currently defined")
    import trecs

    from peers_models import FOLLOWS, WINDOW_TICKS, follow_lists, trecs_feed_model

    model = trecs_feed_model(users, seed)
    build = time.perf_counter() - t_start
    followers = np.bincount(follow_lists(users, seed).ravel(), minlength=users)
    totals = {"ticks": 0, "sessions": 0, "candidates": 0, "raw_scored": 0, "impressions": 0}

    def step():
        model.run(timesteps=1, disable_tqdm=True)
        # What this step ranked: every user against every item in the system (raw), of
        # which the follower x live-post pairs are the matched candidates.
        born = np.concatenate(model.item_tick)
        authors = np.concatenate(model.creators.author_log)
        live = model.tick - born < WINDOW_TICKS
        totals["ticks"] += 1
        totals["sessions"] += users
        totals["candidates"] += int(followers[authors[live]].sum())
        totals["raw_scored"] += users * int(model.num_items)
        totals["impressions"] += int(model.items_shown.size)

    res = timed(step, warmup, steps, lambda: dict(totals), t_start)
    res["build_seconds"] = build
    res["items_in_system"] = int(model.num_items)
    res["raw_scored_per_second"] = res["raw_scored_per_step"] / res["seconds_per_step"]
    res["follows"] = FOLLOWS
    res["versions"] = {"trecs": getattr(trecs, "__version__", "0.2.1"), "numpy": np.__version__}
    return res


def child_main(spec: dict) -> int:
    t_start = time.perf_counter()
    tool, users, ranker = spec["tool"], spec["users"], spec["ranker"]
    args = (users,) if tool == "trecs" else (users, ranker)
    rec = {"status": "ok"}
    try:
        if tool == "feedsim":
            res = run_feedsim(users, ranker, spec["dynamics"], spec["seed"], spec["warmup"],
                              spec["steps"], t_start)
        elif tool == "numpy":
            res = run_numpy(*args, spec["seed"], spec["warmup"], spec["steps"], t_start)
        elif tool == "mesa":
            res = run_mesa(*args, spec["seed"], spec["warmup"], spec["steps"], t_start)
        else:
            res = run_trecs(*args, spec["seed"], spec["warmup"], spec["steps"], t_start)
        rec.update(res)
        rec["candidates_per_second"] = res["candidates_per_step"] / res["seconds_per_step"]
    except MemoryError as exc:
        rec = {"status": "oom", "reason": f"MemoryError: {exc}"}
    except ImportError as exc:
        rec = {"status": "unsupported", "reason": f"{type(exc).__name__}: {exc}"}
    except Exception as exc:  # noqa: BLE001 - a benchmark reports any failure, never hides it
        rec = {"status": "error", "reason": f"{type(exc).__name__}: {exc}",
               "traceback": traceback.format_exc()[-2000:]}
    rec["peak_rss_gib"] = peak_rss_gib()
    rec["python"] = platform.python_version()
    print(json.dumps(rec))
    return 0


# --------------------------------------------------------------- parent side
def ensure_venv(venv: Path) -> Path:
    """The peers' interpreter; create the venv or reinstall when the pins changed."""
    py = venv / "bin" / "python"
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    marker = venv / ".feedsim-peers-requirements.sha256"
    if py.exists() and marker.exists() and marker.read_text().strip() == digest:
        return py
    print(f"setting up the peers' venv in {venv} (one time)", file=sys.stderr)
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--no-deps", "-r", str(REQUIREMENTS)],
                   check=True, stdout=sys.stderr)
    marker.write_text(digest + "\n")
    return py


def rss_gib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return 0.0


def run_child(python: str, spec: dict, timeout: float, mem_limit_gib: float) -> dict:
    """Run one measurement in a fresh process; watch its wall time and RSS."""
    cmd = [python, str(Path(__file__).resolve()), "--child", json.dumps(spec)]
    # keep the caller's PYTHONPATH after this folder, so that ``PYTHONPATH=src python
    # benchmarks/peers.py`` measures that tree's feedsim, not the installed one
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(HERE), os.environ.get("PYTHONPATH")) if p))
    t0 = time.perf_counter()
    # A scratch working directory: T-RECS's logger creates ``trecs.log`` in the cwd.
    scratch = tempfile.TemporaryDirectory(prefix="feedsim-peers-")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, cwd=scratch.name, start_new_session=True)
    killed, peak = None, 0.0
    while proc.poll() is None:
        peak = max(peak, rss_gib(proc.pid))
        elapsed = time.perf_counter() - t0
        if elapsed > timeout:
            killed = ("timeout", f"exceeded the {timeout:g} s wall-clock limit")
        elif peak > mem_limit_gib:
            killed = ("oom", f"RSS passed the {mem_limit_gib:g} GiB limit ({peak:.1f} GiB)")
        if killed:
            os.killpg(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.2)
    out, err = proc.communicate()
    scratch.cleanup()
    wall = time.perf_counter() - t0
    lines = [ln for ln in err.splitlines() if ln.startswith("progress: ")]
    last = lines[-1][len("progress: "):] if lines else "none (still building the model)"
    if killed:
        rec = {"status": killed[0], "reason": f"{killed[1]}; last progress: {last}",
               "peak_rss_gib": peak}
    elif proc.returncode != 0 or not out.strip():
        status = "oom" if proc.returncode == -signal.SIGKILL else "error"
        tail = err.strip().splitlines()[-1] if err.strip() else "no output"
        rec = {"status": status, "reason": f"exit code {proc.returncode}: {tail}; last progress: {last}",
               "peak_rss_gib": peak}
    else:
        rec = json.loads(out.strip().splitlines()[-1])
    rec["process_seconds"] = wall
    return {**spec, **rec}


def machine_info(peer_python: str | None) -> dict:
    import numpy as np

    import feedsim

    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    info = {
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "feedsim": feedsim.__version__,
        "numpy": np.__version__,
        "load_average_at_start": os.getloadavg(),
    }
    try:
        git = ["git", "-C", str(HERE.parent)]
        info["git_commit"] = subprocess.run(git + ["rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
        info["git_dirty"] = bool(subprocess.run(git + ["status", "--porcelain", "--untracked-files=no"],
                                                capture_output=True, text=True).stdout.strip())
    except OSError:
        pass
    if peer_python:
        code = ("import json,sys,warnings;warnings.simplefilter('ignore');import numpy,mesa,trecs;"
                "print(json.dumps({'python':sys.version.split()[0],'numpy':numpy.__version__,"
                "'mesa':mesa.__version__,'trecs':getattr(trecs,'__version__','0.2.1')}))")
        with tempfile.TemporaryDirectory(prefix="feedsim-peers-") as scratch:  # trecs.log lands here
            out = subprocess.run([peer_python, "-c", code], capture_output=True, text=True, cwd=scratch)
        info["peers_venv"] = json.loads(out.stdout) if out.returncode == 0 else {"error": out.stderr.strip()[-500:]}
    return info


def find(runs: list[dict], users: int, tool: str, ranker: str, dynamics: bool = False) -> dict | None:
    for r in runs:
        if (r["users"], r["tool"], r["ranker"], r["dynamics"]) == (users, tool, ranker, dynamics):
            return r
    return None


def ratios(runs: list[dict], sizes: list[int]) -> list[dict]:
    """feedsim candidates/s over each peer's, per size (None where a side did not finish)."""
    pairs = [(("engagement", False), "engagement"), (("engagement", True), "engagement"),
             (("chronological", False), "chronological")]
    out = []
    for users in sizes:
        for (ranker, dyn), peer_ranker in pairs:
            ours = find(runs, users, "feedsim", ranker, dyn)
            for peer in ("mesa", "trecs", "numpy"):
                theirs = find(runs, users, peer, peer_ranker)
                if ours is None or theirs is None:
                    continue
                row = {"users": users, "feedsim": f"{ranker}, dynamics={dyn}",
                       "peer": f"{peer} {peer_ranker}", "ratio": None,
                       "feedsim_status": ours["status"], "peer_status": theirs["status"]}
                if ours["status"] == "ok" and theirs["status"] == "ok":
                    row["ratio"] = ours["candidates_per_second"] / theirs["candidates_per_second"]
                goal = {"mesa": 20, "trecs": 100}.get(peer) if ranker == "engagement" else None
                if goal:
                    row["goal"] = goal
                    row["goal_met"] = None if row["ratio"] is None else row["ratio"] >= goal
                out.append(row)
    return out


def print_table(runs: list[dict], rats: list[dict], info: dict) -> None:
    p = lambda s="": print(s, file=sys.stderr)  # noqa: E731
    p()
    p(f"machine: {info['cpu']}, {info['cores']} cores, {info['memory_gib']} GiB; Python {info['python']}, "
      f"numpy {info['numpy']}, feedsim {info['feedsim']}; peers venv: {info.get('peers_venv')}")
    p(f"warm-up {WARMUP_TICKS} ticks then timed ticks; candidates/s is the fair comparison "
      f"(feedsim: Poisson sessions, ~63% of users per tick; T-RECS: matched candidates)")
    p()
    head = (f"{'users':>7}  {'tool':<8} {'ranker':<13} {'dyn':<5} {'status':<8} {'s/step':>9} "
            f"{'cand/step':>10} {'cand/s':>10} {'sess/step':>9} {'RSS GiB':>7}  note")
    p(head)
    p("-" * len(head))
    for r in runs:
        if r["status"] == "ok":
            note = ""
            if r["tool"] == "trecs":
                note = (f"raw users x items scored: {r['raw_scored_per_step']:.3g}/step = "
                        f"{r['raw_scored_per_second']:.3g}/s; {r['items_in_system']} items in system")
            p(f"{r['users']:>7,}  {r['tool']:<8} {r['ranker']:<13} {str(r['dynamics']):<5} {'ok':<8} "
              f"{r['seconds_per_step']:>9.4f} {r['candidates_per_step']:>10,.0f} "
              f"{r['candidates_per_second'] / 1e6:>9.3f}M {r['sessions_per_step']:>9,.0f} "
              f"{r['peak_rss_gib']:>7.2f}  {note}")
        else:
            p(f"{r['users']:>7,}  {r['tool']:<8} {r['ranker']:<13} {str(r['dynamics']):<5} {r['status']:<8} "
              f"{'-':>9} {'-':>10} {'-':>10} {'-':>9} {r.get('peak_rss_gib', 0):>7.2f}  {r.get('reason', '')}")
    p()
    p("ratios of candidates/s (feedsim / peer):")
    for row in rats:
        val = "n/a" if row["ratio"] is None else f"{row['ratio']:.1f}x"
        goal = ""
        if "goal" in row:
            goal = f"  (goal >= {row['goal']}x: " + (
                "peer did not finish: " + row["peer_status"] if row["ratio"] is None and row["peer_status"] != "ok"
                else "met" if row["goal_met"] else "NOT met") + ")"
        p(f"  {row['users']:>7,}  feedsim {row['feedsim']:<30} vs {row['peer']:<20} {val:>8}{goal}")
    p(f"load average at start {info['load_average_at_start']}, at end {info.get('load_average_at_end')}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--tools", nargs="+", choices=TOOLS, default=list(TOOLS))
    ap.add_argument("--steps", type=int, default=None,
                    help="timed ticks per run (default: 10; Mesa 5, or 2 at >= 100k; T-RECS 3)")
    ap.add_argument("--timeout", type=float, default=300, help="seconds per run (default 300)")
    ap.add_argument("--mem-limit-gib", type=float, default=12,
                    help="kill a run whose RSS passes this (default 12 GiB: the machine has 24, shared)")
    ap.add_argument("--venv", type=Path, default=Path("~/.cache/feedsim-peers-venv").expanduser(),
                    help="the peers' virtual environment (created on first use)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quick", action="store_true", help="smoke run: 1k and 10k, 3 timed ticks")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child_main(json.loads(args.child))
    if args.quick:
        args.sizes, args.steps = [1000, 10000], args.steps or 3
    peer_python = None
    if any(t in PEER_TOOLS for t in args.tools):
        try:
            peer_python = str(ensure_venv(args.venv))
        except (OSError, subprocess.CalledProcessError) as exc:
            print(f"could not set up the peers' venv: {exc}", file=sys.stderr)
    info = machine_info(peer_python)
    runs = []
    for users in args.sizes:
        for tool, ranker, dynamics in CONTESTANTS:
            if tool not in args.tools:
                continue
            spec = {"tool": tool, "users": users, "ranker": ranker, "dynamics": dynamics,
                    "seed": args.seed, "warmup": WARMUP_TICKS,
                    "steps": args.steps or default_steps(tool, users)}
            if tool in PEER_TOOLS and peer_python is None:
                rec = {**spec, "status": "unsupported", "reason": "the peers' venv could not be set up"}
            else:
                python = peer_python if tool in PEER_TOOLS else sys.executable
                rec = run_child(python, spec, args.timeout, args.mem_limit_gib)
            runs.append(rec)
            shown = (f"{rec['candidates_per_second'] / 1e6:.3f} M cand/s, {rec['seconds_per_step']:.4f} s/step"
                     if rec["status"] == "ok" else rec.get("reason", ""))
            print(f"{users:>7,} {tool:<8} {ranker:<13} dyn={dynamics!s:<5} {rec['status']:<8} {shown}",
                  file=sys.stderr, flush=True)
    info["load_average_at_end"] = os.getloadavg()
    rats = ratios(runs, args.sizes)
    print_table(runs, rats, info)
    print(json.dumps({"benchmark": "peers", "machine": info, "warmup_ticks": WARMUP_TICKS,
                      "workload": {"follows": 20, "post_probability": 0.5, "window_ticks": 5,
                                   "feed_size": 10, "sessions_per_user_per_tick": 1},
                      "runs": runs, "ratios": rats}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
