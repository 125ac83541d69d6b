"""Load time of a large SNAP-style edge list, plain and gzip-compressed.

Writes a synthetic file once (default 20M edges among 2M accounts, tab-separated, sorted
by follower, with SNAP's comment header, heavy-tailed in-degrees, so a few duplicates and
self-loops), then loads each form with ``read_edgelist(path, as_arrays=True)`` in a fresh
process and prints JSON: wall and CPU seconds, peak RSS, nodes and edges.

    python benchmarks/load.py                      # 20M edges, files in /tmp/feedsim-load
    python benchmarks/load.py --edges 2000000      # a smaller file
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path


def make_file(path: Path, n_edges: int, n_nodes: int, seed: int) -> None:
    """Write the synthetic SNAP-style file (and its .gz) unless they exist."""
    import numpy as np
    import pandas as pd

    gz = path.with_name(path.name + ".gz")
    if path.exists() and gz.exists():
        return
    rng = np.random.default_rng(seed)
    src = np.sort(rng.integers(0, n_nodes, n_edges))
    dst = (n_nodes * rng.random(n_edges) ** 3).astype(np.int64)  # heavy-tailed follower counts
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        fh.write(f"# Directed graph (each unordered pair of nodes is saved once): {path.name}\n")
        fh.write("# Synthetic follow graph written by feedsim benchmarks/load.py\n")
        fh.write(f"# Nodes: {n_nodes} Edges: {n_edges}\n# FromNodeId\tToNodeId\n")
        pd.DataFrame({"u": src, "v": dst}).to_csv(fh, sep="\t", header=False, index=False)
    with open(path, "rb") as fin, gzip.open(gz, "wb", compresslevel=6) as fout:
        while chunk := fin.read(1 << 24):
            fout.write(chunk)


def load_once(path: str) -> dict:
    """Load one file in this process and return the figures."""
    from feedsim.networks import read_edgelist

    t0, c0 = time.perf_counter(), time.process_time()
    fg = read_edgelist(path, as_arrays=True)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB -> GiB
    return {"file": path, "bytes": os.path.getsize(path), "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
            "peak_rss_gib": round(peak, 2), "n_users": fg.n_users, "n_edges": fg.n_edges}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--edges", type=int, default=20_000_000)
    ap.add_argument("--nodes", type=int, default=None, help="default edges / 10")
    ap.add_argument("--dir", default="/tmp/feedsim-load")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--one", help=argparse.SUPPRESS)  # internal: load this file and print JSON
    args = ap.parse_args()
    if args.one:
        print(json.dumps(load_once(args.one)))
        return
    nodes = args.nodes or max(2, args.edges // 10)
    path = Path(args.dir) / f"snap-{args.edges}.txt"
    t0 = time.perf_counter()
    make_file(path, args.edges, nodes, args.seed)
    print(f"file ready in {time.perf_counter() - t0:.1f} s: {path}", file=sys.stderr)
    results = []
    for p in (path, path.with_name(path.name + ".gz")):
        out = subprocess.run([sys.executable, __file__, "--one", str(p)], capture_output=True, text=True,
                             check=True)
        results.append(json.loads(out.stdout))
        r = results[-1]
        print(f"{p.name:>24}: {r['seconds']:6.2f} s ({r['cpu_seconds']:.2f} s CPU), peak RSS {r['peak_rss_gib']:.2f} GiB, "
              f"{r['n_users']:,} users, {r['n_edges']:,} edges", file=sys.stderr)
    print(json.dumps({"edges_in_file": args.edges, "nodes": nodes, "loads": results}, indent=2))


if __name__ == "__main__":
    main()
