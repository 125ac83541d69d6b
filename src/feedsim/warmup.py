"""Fill the compiled-kernel cache ahead of the first real run (``feedsim warmup``).

feedsim's tick runs in kernels that Numba compiles on first use and caches on
disk (``cache=True``: next to the sources in ``__pycache__``, or under
``NUMBA_CACHE_DIR``). The first run after an install therefore spends tens of
seconds compiling before any simulated hour passes. :func:`warmup` runs the
smallest simulations that compile every kernel the built-in rankers and the
common options use, so that a class, or each job of a cluster, starts warm;
:func:`kernels_cached` tells cheaply whether that has happened, and
:data:`PREPARING_MESSAGE` is the one line a front end shows while a cold run
compiles.
"""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["COMPILE_SECONDS", "PREPARING_MESSAGE", "QUICKSTART_USERS", "WARMUP_RUNS", "kernels_cached",
           "preparing_message", "warmup"]

#: Typical seconds of compiling on a first run with an empty kernel cache (about 36 s of CPU measured
#: for the quickstart on a busy 2-core machine; 19-27 s of wall time quiet, as issue 33 reports).
COMPILE_SECONDS = 30

#: What a front end shows (one line, on stderr) while a run compiles its kernels.
PREPARING_MESSAGE = (f"preparing the simulation engine (compiling, about {COMPILE_SECONDS} s, once per install)...")

#: The runs of :func:`warmup`: Simulation keyword arguments, each run on a tiny
#: community. Together they compile every kernel of the built-in rankers'
#: compiled path with the common options (seen items excluded or not, the
#: out-of-network quota, the impression log, posts kept or dropped).
WARMUP_RUNS: tuple[dict, ...] = (
    {"ranker": "chronological"},
    {"ranker": "engagement"},
    {"ranker": "chronological", "out_of_network_share": 0.2, "exclude_seen": False},
    {"ranker": "engagement", "out_of_network_share": 0.2, "exclude_seen": False},
    {"ranker": "engagement", "record_impressions": True},
    {"ranker": "engagement", "keep_posts": False, "dynamics": False},
)


#: Accounts of :func:`warmup`'s last run, a comparison like the quickstart's (the kernels that
#: only a larger community reaches: accounts leaving, seen sets growing).
QUICKSTART_USERS = 2000


def kernels_cached() -> bool:
    """Whether the main compiled kernel is in Numba's on-disk cache for this install.

    Reads only the cache index of the fused feed kernel (the one that takes most
    of a first run's compiling): its file exists and was written by this Python
    and Numba for the current source. Cheap (no compiling, no kernel loaded), so
    a front end can ask before a run whether to show :data:`PREPARING_MESSAGE`.
    With ``NUMBA_DISABLE_JIT=1`` nothing is compiled and the answer is True.

    Examples
    --------
    >>> isinstance(kernels_cached(), bool)
    True
    """
    from numba import config  # noqa: PLC0415

    if getattr(config, "DISABLE_JIT", False):  # numba.config sets its options at run time
        return True
    from .engine.kernels.fused import fused_feeds  # noqa: PLC0415

    cache = getattr(fused_feeds, "_cache", None)
    try:
        # numba's own loader: empty when the file is missing, stale, or from another version
        return bool(cache._cache_file._load_index())  # type: ignore[union-attr]
    except Exception:  # noqa: BLE001  (a numba without these internals: assume warm, say nothing)
        return True


def preparing_message() -> str | None:
    """:data:`PREPARING_MESSAGE` if the next run will compile its kernels (:func:`kernels_cached`), else None.

    Examples
    --------
    >>> preparing_message() in (None, PREPARING_MESSAGE)
    True
    """
    return None if kernels_cached() else PREPARING_MESSAGE


def warmup(on_run: Callable[[dict], None] | None = None) -> float:
    """Compile (or load) every kernel the built-in rankers use; return the seconds it took.

    Runs each entry of :data:`WARMUP_RUNS` for one day on a community of 60
    accounts, then the quickstart's comparison at a small size (2,000 accounts,
    2 days, chronological and engagement: accounts leave, the seen sets grow),
    computing their summaries. Idempotent: on a warm cache it only loads the
    kernels (a few seconds). The results are discarded.

    Parameters
    ----------
    on_run : callable, optional
        Called with each run's keyword arguments before it starts (a front end
        can show what is being prepared).

    Returns
    -------
    float
        Wall-clock seconds.

    Examples
    --------
    >>> import feedsim
    >>> feedsim.warmup() >= 0
    True
    """
    from .compare import compare  # noqa: PLC0415
    from .engine.simulation import Simulation  # noqa: PLC0415
    from .networks import default_community  # noqa: PLC0415

    t0 = time.perf_counter()
    G = default_community(60, seed=0, as_arrays=True)
    for kwargs in WARMUP_RUNS:
        if on_run is not None:
            on_run(dict(kwargs))
        # a whole day: the daily close too; the summary: the metrics' kernels
        Simulation(G, seed=0, memory_limit=None, **kwargs).run(days=1).summary()
    if on_run is not None:
        on_run({"ranker": "chronological,engagement", "users": QUICKSTART_USERS, "days": 2})
    compare(default_community(QUICKSTART_USERS, seed=0), ["chronological", "engagement"], days=2, seed=0)
    return time.perf_counter() - t0
