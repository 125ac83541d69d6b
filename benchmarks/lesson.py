"""How long the explorer takes to update after one control changes (issue 14: within 2 s).

At the explorer's default setting (1,000 accounts, 7 days, 3 replicates, chronological
baseline), after the kernels are loaded and the worker processes started: each ranker
change (3 new runs, the baseline cached), each feedback-loop change (6 new runs: both
feeds), and the figure (bars, voice ratio with intervals, one member's feed) as PNG.
Every change is to a setting not computed before, so no run comes from the cache.
``--workers 0`` computes every run in this process (the library's default); without it
the front ends' default (:func:`feedsim.lesson.default_workers`) is used. ``--prefetch``
does what the front ends do after each state (compute the other rankers and the switched
feedback loops ahead in the workers) and waits until that is done before the next change, as if a student looked at
the page meanwhile. "figure" is the page's payload (charts, person view, table; :func:`state_payload`).
``--stale``: a server gets 19,000 accounts x 7 days x 2, then after 2 s the default; the time from the
newer request to the older one's computation stopping (target 0.5 s). ``--start``: ``feedsim lesson``
from the command to the page served (target 3 s), and what its status line says.
Prints JSON (with medians); a table on stderr.

    python benchmarks/lesson.py > lesson.json
    python benchmarks/lesson.py --workers 0
    python benchmarks/lesson.py --prefetch
    python benchmarks/lesson.py --stale --start
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

import feedsim
from feedsim.lesson import ExploreParams, RunCache, default_workers, explore_state, warm_up
from feedsim.lesson.server import state_payload
from feedsim.lesson.state import prefetch_next

RANKER_CHANGES = [{"ranker": name} for name in ("fair_exposure", "popularity", "platform_favoring", "random",
                                                 "reddit_hot")]
# one loop switched at a time (from the last ranker's state), each setting new
LOOP_CHANGES = [{"reciprocity": False}, {"creator_adaptation": False}, {"follow_discovery": False}]


def stale_request(workers: int) -> dict:
    """A large request (19,000 accounts x 7 days x 2), then after 2 s the page's default: how fast the first gives up.

    Measured from the second request's arrival to the moment the first one's computation
    stopped (the server records it), and the second's total time.
    """
    import threading
    import urllib.error
    import urllib.request

    from feedsim.lesson.server import make_server

    srv = make_server(0, warm=False, workers=workers, prefetch=False)
    warm_up()
    srv.cache.start_workers()
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    got = {}

    def big():
        try:
            urllib.request.urlopen(srv.url + "api/state?n_users=19000&days=7&replicates=2", timeout=600).read()
            got["big"] = 200
        except urllib.error.HTTPError as err:
            got["big"] = err.code

    t = threading.Thread(target=big)
    t.start()
    time.sleep(2.0)
    t0 = time.perf_counter()
    urllib.request.urlopen(srv.url + "api/state", timeout=600).read()
    t1 = time.perf_counter()
    t.join()
    srv.shutdown()
    srv.server_close()
    gave_up = srv.abandoned[0] - t0 if srv.abandoned else None
    print(f"stale request: status {got.get('big')}, abandoned {gave_up} s after the newer one; newer answered in "
          f"{t1 - t0:.2f} s", file=sys.stderr)
    return {"stale_status": got.get("big"), "abandoned_after_seconds": gave_up, "newer_seconds": round(t1 - t0, 3)}


def first_start() -> dict:
    """``feedsim lesson --port 0 --no-browser``: seconds from the command to the page served, and what it says."""
    import subprocess
    import urllib.request

    t0 = time.perf_counter()
    with subprocess.Popen([sys.executable, "-m", "feedsim", "lesson", "--port", "0", "--no-browser"],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) as proc:
        try:
            url = proc.stdout.readline().split()[4]
            with urllib.request.urlopen(url, timeout=60) as resp:
                page = resp.read().decode()
            seconds = time.perf_counter() - t0
        finally:
            proc.terminate()
            proc.wait(timeout=60)
    status = page.split('<p id="status" role="status">')[1].split("</p>")[0]
    print(f"first start: page in {seconds:.2f} s, status says {status!r}", file=sys.stderr)
    return {"page_seconds": round(seconds, 3), "status": status}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workers", type=int, default=None, help="worker processes (default: default_workers())")
    ap.add_argument("--prefetch", action="store_true", help="compute the next states ahead between changes")
    ap.add_argument("--stale", action="store_true", help="also time how fast a stale request is abandoned")
    ap.add_argument("--start", action="store_true", help="also time `feedsim lesson` from start to the page")
    args = ap.parse_args()
    workers = default_workers() if args.workers is None else args.workers
    t0 = time.perf_counter()
    warm_up()
    cache = RunCache(max_runs=200, max_account_days=200 * 1000 * 7, workers=workers)  # as the front ends
    cache.start_workers()
    warm = time.perf_counter() - t0
    p = ExploreParams()
    state_payload(p, cache)  # the page's first state
    rows = []
    for kind, changes in (("ranker", RANKER_CHANGES), ("loop", LOOP_CHANGES)):
        for change in changes:
            if args.prefetch:
                prefetch_next(p, cache)
                while cache.computing_ahead:
                    time.sleep(0.05)
            p = p.replace(**change)
            misses = cache.misses
            t0, c0 = time.perf_counter(), time.process_time()
            explore_state(p, cache=cache)
            t1 = time.perf_counter()
            state_payload(p, cache)  # what the page receives: charts, person view, table (the state is cached)
            t2, c2 = time.perf_counter(), time.process_time()
            rows.append({"kind": kind, "change": change, "runs": cache.misses - misses,
                         "model_seconds": round(t1 - t0, 3), "figure_seconds": round(t2 - t1, 3),
                         "total_seconds": round(t2 - t0, 3), "main_process_cpu_seconds": round(c2 - c0, 3)})
            print(f"{kind:6s} {json.dumps(change):55s} {rows[-1]['runs']} runs {t1 - t0:6.2f} s model "
                  f"{t2 - t1:5.2f} s figure {t2 - t0:6.2f} s total", file=sys.stderr)
    cache.close()
    med = {kind: statistics.median(r["total_seconds"] for r in rows if r["kind"] == kind)
           for kind in ("ranker", "loop")}
    print(f"median total: ranker change {med['ranker']:.2f} s, loop change {med['loop']:.2f} s "
          f"(workers {workers}, prefetch {args.prefetch}, load average {os.getloadavg()[0]:.1f})", file=sys.stderr)
    stale = stale_request(workers) if args.stale else None
    start = first_start() if args.start else None
    out = {"feedsim": feedsim.__version__, "stale": stale, "first_start": start,
           "workers": workers, "prefetch": args.prefetch, "cores": os.cpu_count(),
           "warm_up_seconds": round(warm, 2), "n_users": p.n_users, "days": p.days, "replicates": p.replicates,
           "median_total_seconds": med, "load_average": os.getloadavg(), "updates": rows}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
