"""Seconds of compiling per kernel on the quickstart's first run, from Numba's own compile events.

Runs the quickstart (``feedsim compare`` at its defaults: the default community
of 10,000 accounts, chronological and engagement, 14 days, seed 0) in this process and records every
``numba:compile`` event: per dispatcher and signature, the CPU seconds (of the compiling thread) inclusive (with
the njit functions it compiled on the way, which are not inlined) and exclusive
(its own). Meant for an empty kernel cache: point ``NUMBA_CACHE_DIR`` at a new,
empty directory (``--fresh-cache`` does that). On a warm cache the table is empty
and only the run's wall time says something (the kernels' loading).

Prints JSON on stdout (total, per kernel, the run's wall and process CPU seconds)
and a table on stderr.

    python benchmarks/compile_times.py --fresh-cache [-- --users 2000 --days 7]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh-cache", action="store_true", help="NUMBA_CACHE_DIR: a new empty temp dir")
    parser.add_argument("cli", nargs="*", help="more `feedsim compare` arguments (after --)")
    parser.add_argument("--top", type=int, default=25, help="kernels in the table")
    args = parser.parse_args()
    if args.fresh_cache:
        os.environ["NUMBA_CACHE_DIR"] = tempfile.mkdtemp(prefix="feedsim-numba-")

    t_start = time.perf_counter()
    c_start = time.process_time()
    from numba.core import event

    clock = time.thread_time  # Numba compiles in the calling thread; CPU time holds on a busy machine
    stack: list[list] = []  # [name, start, child seconds, LLVM seconds]
    rows: dict[str, list[float]] = {}  # inclusive, exclusive, signatures, LLVM (own)
    llvm: list[float] = []

    class Listener(event.Listener):
        def on_start(self, ev):
            disp = ev.data["dispatcher"]
            name = f"{disp.py_func.__module__.removeprefix('feedsim.')}.{disp.py_func.__qualname__}"
            stack.append([name, clock(), 0.0, 0.0])

        def on_end(self, ev):
            name, t0, child, in_llvm = stack.pop()
            incl = clock() - t0
            if stack:
                stack[-1][2] += incl
            row = rows.setdefault(name, [0.0, 0.0, 0, 0.0])
            row[0] += incl
            row[1] += incl - child
            row[2] += 1
            row[3] += in_llvm

    class LLVMListener(event.Listener):  # the LLVM part (code generation, optimisation) of the compile on top
        def on_start(self, ev):
            llvm.append(clock())

        def on_end(self, ev):
            dt = clock() - llvm.pop()
            if stack and not llvm:
                stack[-1][3] += dt

    event.register("numba:compile", Listener())
    event.register("numba:llvm_lock", LLVMListener())

    import contextlib
    import io

    from feedsim.cli import main as cli_main

    t_import = time.perf_counter() - t_start
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        cli_main(["compare", "--quiet", *args.cli])
    wall = time.perf_counter() - t0
    total_excl = sum(r[1] for r in rows.values())
    top = sorted(rows.items(), key=lambda kv: -kv[1][1])
    out = {
        "import_s": round(t_import, 3),
        "run_wall_s": round(wall, 3),
        "process_cpu_s": round(time.process_time() - c_start, 3),
        "compile_s": round(total_excl, 3),
        "llvm_s": round(sum(r[3] for r in rows.values()), 3),
        "kernels": {k: {"exclusive_s": round(v[1], 3), "inclusive_s": round(v[0], 3), "llvm_s": round(v[3], 3),
                        "signatures": v[2]}
                    for k, v in top},
    }
    print(json.dumps(out, indent=1))
    print(f"compile {total_excl:.1f} s CPU ({out['llvm_s']:.1f} s LLVM) in a {wall:.1f} s run "
          f"(import {t_import:.1f} s); "
          f"{len(rows)} kernels, {sum(int(v[2]) for v in rows.values())} signatures", file=sys.stderr)
    for k, v in top[: args.top]:
        print(f"  {v[1]:7.2f} s own ({v[3]:5.2f} LLVM) {v[0]:7.2f} s incl  x{int(v[2])}  {k}", file=sys.stderr)


if __name__ == "__main__":
    main()
