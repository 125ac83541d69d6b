"""Daily merge of viewer-author impression counts: feedsim's BufferedCounter against scipy.sparse.

    python benchmarks/pairs_vs_sparse.py counter
    python benchmarks/pairs_vs_sparse.py sparse

One method per process (so peak RSS is its own): 100k viewers, 12 days of 3M impressions
each (authors heavy-tailed), merged once a day. Prints the median merge time, the table size,
the number of distinct pairs and the peak RSS. A benchmark, not a test: no assertions.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import scipy.sparse as sp

from feedsim.engine.arrays import BufferedCounter


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("method", choices=["counter", "sparse"])
    ap.add_argument("--viewers", type=int, default=100_000)
    ap.add_argument("--days", type=int, default=12)
    ap.add_argument("--per-day", type=int, default=3_000_000)
    args = ap.parse_args()
    n, rng = args.viewers, np.random.default_rng(0)
    counter, matrix, times = BufferedCounter(), sp.csr_matrix((n, n), dtype=np.int32), []
    for _ in range(args.days):
        viewer = rng.integers(0, n, args.per_day)
        author = (n * rng.random(args.per_day) ** 3).astype(np.int64)  # heavy-tailed authors
        t = time.perf_counter()
        if args.method == "counter":
            counter.add((viewer << 32) | author)
            counter.flush()
        else:
            matrix = matrix + sp.csr_matrix((np.ones(len(viewer), np.int32), (viewer, author)), shape=(n, n))
        times.append(time.perf_counter() - t)
    if args.method == "counter":
        ptr, authors, counts = counter.snapshot(n)
        pairs, table = len(authors), ptr.nbytes + authors.nbytes + counts.nbytes
    else:
        pairs, table = matrix.nnz, matrix.data.nbytes + matrix.indices.nbytes + matrix.indptr.nbytes
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10
    print(f"{args.method:8s} median merge {np.median(times):.2f} s, table {table / 2**20:.0f} MiB, "
          f"pairs {pairs:,}, peak RSS {peak:.0f} MiB")


if __name__ == "__main__":
    main()
