"""How much memory a run will need, estimated before any work, and the check against what is free.

:func:`estimate_memory` adds up the engine's main structures from the graph, the
rates and the parameters: per-account arrays, follow edges, the live items
(posts per day times ``max_age_hours``), one tick's candidates and feed slots, the
post table (with ``keep_posts=True``, posts per day times ``days``), the
viewer-author pair table, the seen-post hash set, the impression log
(``record_impressions=True``) and the result. :func:`check_memory` compares the
estimate with a limit (by default the memory available now) and refuses in one
line naming the parameter that drives it.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InsufficientMemoryError, InvalidParameterError
from ..params import check_days
from ..state import bytes_per_row

if TYPE_CHECKING:  # pragma: no cover
    from ..network.graph import FollowGraph
    from ..population.state import Population
    from .config import SimulationConfig

__all__ = ["FeedbackBound", "MemoryEstimate", "available_memory", "check_graph_size", "check_memory",
           "declared_bytes", "estimate_graph_memory", "estimate_memory", "feedback_bound", "format_bytes", "held_bytes",
           "plan_memory", "release_free_memory", "parse_memory_limit"]



def declared_bytes() -> dict[str, int]:
    """Bytes one account, post-table row, live item and follow edge take in the declared arrays.

    The sum of the item sizes of the arrays their owners declare
    (:func:`feedsim.state.bytes_per_row`), so a new state array changes the
    estimate without an edit here. ``account`` counts the population's
    attributes, the engine's per-account arrays and the edges' per-account arrays
    (``in_degree`` and the CSR pointer ``indptr``); the others, one row of their
    owner's arrays. Capacity kept for growth, copies made by a tick and the
    result are not included (the estimate adds them).

    Examples
    --------
    >>> declared_bytes()
    {'account': 296, 'post': 82, 'live_item': 40, 'edge': 37}
    """
    from ..population.state import POPULATION_ARRAYS
    from .account_state import ACCOUNT_ARRAYS
    from .edges import EDGE_ACCOUNT_ARRAYS, EDGE_ARRAYS
    from .live import LIVE_ITEM_ARRAYS
    from .posts import POST_ARRAYS

    indptr = np.dtype(np.int64).itemsize  # one CSR pointer per account (plus one)
    return {
        "account": (bytes_per_row(POPULATION_ARRAYS) + bytes_per_row(ACCOUNT_ARRAYS)
                    + bytes_per_row(EDGE_ACCOUNT_ARRAYS) + indptr),
        "post": bytes_per_row(POST_ARRAYS),
        "live_item": bytes_per_row(LIVE_ITEM_ARRAYS),
        "edge": bytes_per_row(EDGE_ARRAYS),
    }


# Bytes per unit of each structure: the declared state (declared_bytes) and what a run adds to it,
# checked against measured peaks at 100k, 1M and 10M accounts (see estimate_memory's Notes).
_STATE = declared_bytes()
_PER_ACCOUNT = _STATE["account"] + 24.0  # the declared arrays (~290 B measured) and the result's tables
_PER_EDGE = _STATE["edge"] + 5.0  # the declared arrays and room
_PER_LIVE_ITEM = 2 * _STATE["live_item"] + 20.0  # old and new arrays while a tick's posts merge
_PER_POST_ROW = 2 * _STATE["post"] + 16.0  # rows as written (capacity beyond them is never touched), the result's copy
_PER_NEW_POST = 110.0  # one tick's posting draws and sorts
_PER_FEED_SLOT = 110.0  # compiled feeds: output slots, impressions and engagement temporaries
_PER_CANDIDATE = 130.0  # array rankers: the candidate table, scores and top-k buffers
_PER_SEEN_KEY = 40.0  # open-addressing table at load <= 1/2, rehash copies
_PER_PAIR = 12.0  # CSR pair table (8 bytes a pair) with growth room and metric blocks
_PER_LOGGED_IMPRESSION = 90.0  # 41-byte rows, kept as chunks and concatenated into the result
_PER_AUDIT_ROW = 300.0  # chunks (129 B a row measured) and the result's frame (144 B) built from them
_ENGINE = 64 * 2**20  # compiled kernels loaded on first use, scratch, SimPy


@dataclass(frozen=True)
class MemoryEstimate:
    """An estimated peak, in bytes, with its parts and what drives each.

    Attributes
    ----------
    total : float
        Estimated peak memory of the run beyond what the process already holds, bytes.
    parts : dict of str to float
        Bytes by structure (``accounts``, ``edges``, ``live_items``, ``post_table``,
        ``tick``, ``seen``, ``pairs``, ``impression_log``, ``engine``).
    drivers : dict of str to str
        For each part, the parameter setting that makes it large, as text
        (``"post_rate=1e+09 (node 0)"``).
    inputs : dict of str to float
        The sizes the estimate assumed at its peak (``accounts``, ``edges``,
        ``posts_per_day``, ``feed_slots``, ``days``), which the check at each day's
        close compares with the running state.
    """

    total: float
    parts: dict = field(default_factory=dict)
    drivers: dict = field(default_factory=dict)
    inputs: dict = field(default_factory=dict)

    @property
    def dominant(self) -> str:
        """Name of the largest part."""
        return max(self.parts, key=self.parts.__getitem__)

    @property
    def driver(self) -> str:
        """The setting behind the largest part."""
        return self.drivers[self.dominant]


_LIBC: Any = None


def release_free_memory() -> bool:
    """Return memory the allocator holds free to the operating system (glibc's ``malloc_trim``).

    NumPy's large arrays come from ``malloc``; once a run has freed many
    temporaries of varied sizes, glibc keeps the freed pages in its heap, and the
    resident size creeps up over a long run although the state does not (measured
    2026-12-07: 20,000 accounts, 60 days, 393 MiB resident, 336 MiB after a trim).
    The engine calls this at the close of each simulated day. Returns False where
    it is not available (not glibc); it never changes any value.

    Examples
    --------
    >>> release_free_memory() in (True, False)
    True
    """
    global _LIBC
    if _LIBC is None:
        try:
            import ctypes

            libc = ctypes.CDLL("libc.so.6")
            _LIBC = libc if hasattr(libc, "malloc_trim") else False
        except OSError:
            _LIBC = False
    if _LIBC is False:
        return False
    _LIBC.malloc_trim(0)
    return True


def format_bytes(n: float) -> str:
    """``n`` bytes in decimal units with three significant digits.

    Examples
    --------
    >>> format_bytes(2.3e12), format_bytes(22.1e9), format_bytes(512)
    ('2.3 TB', '22.1 GB', '512 B')
    """
    for unit, size in (("PB", 1e15), ("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if abs(n) >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n:.0f} B"


_UNITS = {"": 1, "b": 1, "kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
          "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


def parse_memory_limit(value: Any) -> float | str | None:
    """Validate a ``memory_limit``: ``"available"``, ``None``, bytes, or a string like ``"16 GB"``.

    Returns ``"available"``, ``None`` or a number of bytes.

    Examples
    --------
    >>> parse_memory_limit("16 GB"), parse_memory_limit("2GiB"), parse_memory_limit(None)
    (16000000000.0, 2147483648.0, None)
    """
    if value is None or value == "available":
        return value
    if isinstance(value, str):
        m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([a-zA-Z]*)\s*", value)
        if m and m.group(2).lower() in _UNITS:
            size = float(m.group(1)) * _UNITS[m.group(2).lower()]
            if math.isfinite(size) and size > 0:  # "0 GB" is refused as written, not as 0.0
                return size
    elif (isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
          and math.isfinite(float(value)) and float(value) > 0):
        return float(value)
    raise InvalidParameterError(
        f"memory_limit must be 'available', None (no check), a number of bytes > 0 or a string such as "
        f"'16 GB' or '8 GiB'; got {value!r}"
    )


def _proc_status(key: str) -> float | None:
    """A ``/proc/self/status`` size (``VmSize``, ``VmData``) in bytes, or None."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return float(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _available() -> tuple[float | None, str]:
    """Bytes a new allocation may still take, and where the tightest bound comes from ("" for the system)."""
    found, where = None, ""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    found = float(line.split()[1]) * 1024
                    break
    except OSError:
        pass
    if found is None:
        try:
            found = float(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (AttributeError, ValueError, OSError):
            found = None
    try:  # a container's own limit (cgroup v2)
        with open("/sys/fs/cgroup/memory.max") as f:
            limit = f.read().strip()
        if limit != "max":
            with open("/sys/fs/cgroup/memory.current") as f:
                used = float(f.read().strip())
            room = max(float(limit) - used, 0.0)
            if found is None or room < found:
                found, where = room, "in the cgroup (memory.max): "
    except (OSError, ValueError):
        pass
    try:  # the process's own limits: ulimit -v (address space) and ulimit -d (data)
        import resource

        for name, used_key, flag in (("RLIMIT_AS", "VmSize", "-v"), ("RLIMIT_DATA", "VmData", "-d")):
            soft = resource.getrlimit(getattr(resource, name))[0]
            if soft == resource.RLIM_INFINITY or soft < 0:
                continue
            room = max(float(soft) - (_proc_status(used_key) or 0.0), 0.0)
            if found is None or room < found:
                found, where = room, f"under ulimit {flag} ({name}): "
    except (ImportError, AttributeError, ValueError, OSError):  # pragma: no cover (not POSIX)
        pass
    return found, where


def available_memory() -> float | None:
    """Bytes of memory available to a new allocation now, or None if unknown.

    Linux: ``MemAvailable`` of ``/proc/meminfo`` (free memory plus reclaimable
    caches), lowered to the cgroup's limit minus its usage when one is set, and
    to the process's own limits (``ulimit -v``, ``RLIMIT_AS``, minus the address
    space in use; ``ulimit -d``, ``RLIMIT_DATA``). Elsewhere: ``os.sysconf`` free
    physical pages and the process limits, else None (no check).

    Examples
    --------
    >>> m = available_memory()
    >>> m is None or m > 0
    True
    """
    return _available()[0]


def _node(graph: FollowGraph, i: int) -> str:
    return f"node {graph.node_ids[i]!r}"


def _num(x: float) -> str:
    """A parameter value as a user would type it: ``1e9``, ``2.5``, ``48``."""
    text = f"{x:.3g}"
    return text.replace("e+0", "e").replace("e+", "e").replace("e-0", "e-")


def _days(d: float) -> str:
    return f"{_num(d)} day" + ("" if d == 1 else "s")


def _who(graph: FollowGraph, values: np.ndarray, name: str, unit: str) -> str:
    """``name=value (node id)`` for an account that makes at least half of ``values``, else their mean."""
    n = len(values)
    total = float(values.sum())
    if n == 0 or total <= 0:
        return f"{name} (0 {unit})"
    i = int(np.argmax(values))
    if values[i] >= 0.5 * total:
        return f"{name}={_num(values[i])} ({_node(graph, i)})"
    return f"{name} (mean {_num(total / n)} {unit} over {n:,} accounts)"


def _followee_sums(graph: FollowGraph, values: np.ndarray) -> np.ndarray:
    """``out[u] = sum(values[v] for v followed by u)``, in blocks (no array of one float per edge)."""
    n = graph.n_users
    out = np.zeros(n)
    if not graph.n_edges:
        return out
    indptr, indices = graph.indptr, graph.indices
    step = max(1, int(n * (1 << 22) / max(graph.n_edges, 1)))  # about 4M edges a block
    for lo in range(0, n, step):
        hi = min(n, lo + step)
        a, b = int(indptr[lo]), int(indptr[hi])
        if a == b:
            continue
        cum = np.concatenate([[0.0], np.cumsum(values[indices[a:b]])])
        out[lo:hi] = cum[np.asarray(indptr[lo + 1:hi + 1]) - a] - cum[np.asarray(indptr[lo:hi]) - a]
    return out


@dataclass(frozen=True)
class FeedbackBound:
    """How far feedback can raise the rates of a run, day by day (see :func:`feedback_bound`).

    Attributes
    ----------
    post_peak, session_peak : float
        Largest factor on any account's posting (session) rate on any day of the run.
    post_days, session_days : float
        Days of the run weighted by that day's factor (posts over the run are at most
        the starting posts a day times ``post_days``).
    first_day : float
        First day (0-based) on which a factor can exceed 1 (``inf``: never).
    """

    post_peak: float
    post_days: float
    session_peak: float
    session_days: float
    first_day: float


def feedback_bound(config: SimulationConfig, days: float) -> FeedbackBound:
    """The most creator (and session) adaptation can raise rates, day by day, over ``days`` days.

    A creator's multiplier is ``(recent / reference) ** elasticity`` (clipped to
    ``max_rate_multiplier``), where both memories are weighted means of the same daily
    responses: ``recent`` with weight ``max(1/n, 1 - 0.5 ** (1 / adaptation_half_life_days))``
    for the ``n``-th day, ``reference`` likewise with ``adaptation_reference_days``.
    For responses ``>= 0`` their ratio is at most the largest ratio of the two weights
    any one day has in them, whatever the responses were; smoothing only lowers it. So
    with the defaults the multipliers are exactly 1 for 5 days and at most 1.11 on day
    7, while with ``adaptation_elasticity=50`` they can reach ``max_rate_multiplier`` by
    day 7. With ``adaptation_target`` set (a fixed reference) the bound is
    ``max_rate_multiplier`` from the first close.

    Examples
    --------
    >>> from feedsim.engine.config import SimulationConfig
    >>> b = feedback_bound(SimulationConfig(), 7)
    >>> b.first_day, round(b.post_peak, 2), round(b.post_days, 2)
    (5.0, 1.11, 7.13)
    >>> feedback_bound(SimulationConfig(adaptation_elasticity=50, max_rate_multiplier=1e6), 8).post_peak
    1000000.0
    """
    days = max(float(days), 0.0)
    cap = float(config.max_rate_multiplier)
    creators = config.loop_enabled("creator_adaptation")
    sessions = bool(config.session_adaptation and config.dynamics)
    if not (creators or sessions) or cap <= 1.0:
        return FeedbackBound(1.0, days, 1.0, days, math.inf)
    w_r = 1.0 - 0.5 ** (1.0 / config.adaptation_half_life_days)
    w_f = 1.0 - 0.5 ** (1.0 / config.adaptation_reference_days)
    fixed = config.adaptation_target is not None
    elasticity = (config.adaptation_elasticity if creators else 0.0, config.session_elasticity if sessions else 0.0)
    peak, total, first = [1.0, 1.0], [0.0, 0.0], math.inf
    ratio = 1.0  # the largest weight ratio of any day in recent against reference, after n days
    n_days = math.ceil(days)
    for k in range(n_days):  # the factor of day k is set at the close of day k - 1 (k days of data)
        if k >= 1 and not fixed:
            a_r, a_f = max(1.0 / k, w_r), max(1.0 / k, w_f)
            ratio = max(ratio * (1.0 - a_r) / (1.0 - a_f) if a_f < 1.0 else 0.0, a_r / a_f)
        weight = min(1.0, days - k)
        for i in (0, 1):
            m = (cap if k >= 1 else 1.0) if fixed and (creators, sessions)[i] else min(cap, ratio ** elasticity[i])
            if m > 1.0 + 1e-12:
                first = min(first, float(k))
            peak[i] = max(peak[i], m)
            total[i] += weight * m
        if peak[0] >= cap and peak[1] >= cap or (k > 10_000 and ratio <= 1.0 + 1e-12):
            total = [t + max(days - k - 1, 0.0) * p for t, p in zip(total, peak)]  # constant from here on
            break
    if not creators:
        peak[0], total[0] = 1.0, days
    if not sessions:
        peak[1], total[1] = 1.0, days
    return FeedbackBound(peak[0], total[0], peak[1], total[1], first)


def estimate_memory(graph: FollowGraph, population: Population, config: SimulationConfig, *,
                    days: float = 1.0, array_ranker: bool = False, threads: int = 1,
                    audit: Any = None, campaigns: Any = (), added: Any = ()) -> MemoryEstimate:
    """Estimate a run's peak memory from the graph, the rates and the parameters.

    Parameters
    ----------
    graph : FollowGraph
        The starting follow graph.
    population : Population
        Per-account rates: ``post_rate`` (posts/day), ``session_rate``
        (sessions/day), ``attention`` (items/session).
    config : SimulationConfig
        ``tick_hours``, ``max_age_hours``, ``keep_posts``, ``record_impressions``,
        ``out_of_network_share``, ``trending_pool_size``, ``max_rate_multiplier``
        and the adaptation settings.
    days : float, default 1
        Length of the run, days (the post table and the impression log grow with it).
    array_ranker : bool, default False
        True for a ranker without a compiled form (a user function): its candidates
        are materialised every tick.
    threads : int, default 1
        Numba threads (each feed block holds its own scratch).
    audit : array_like of int, optional
        Audited accounts (:class:`~feedsim.engine.audit.FeedAudit`): one row per
        candidate per tick with a session.
    campaigns : sequence of (accounts, posts_per_day, days), optional
        Scheduled campaigns: account indices, sponsored posts per account per day,
        and the campaign's days within the run.
    added : sequence of dict, optional
        Scheduled ``add_accounts``: ``n``, ``follows`` and the new accounts' mean
        ``post_rate``, ``session_rate`` and ``attention`` (counted without
        allocating anything per account).

    Returns
    -------
    MemoryEstimate

    Notes
    -----
    With rate ``r_i`` (posts/day), ``s_i`` (sessions/day), attention ``a_i``, tick
    ``h`` and window ``W = max_age_hours`` (hours), the expected live items are
    ``L = sum(r) W / 24``, viewer ``u``'s candidates ``c_u = sum(r_v for v followed) W / 24``,
    sessions per tick ``q_u = s_u h / 24``, feed slots per tick
    ``F = sum(q_u a_u)``, candidates per tick ``C = sum(q_u c_u)``, impressions
    per day ``I = sum(s_u min(a_u, c_u))``. The estimate is a weighted sum of
    those (bytes per unit in the module's constants), plus the post table
    (``sum(r) * days`` rows with ``keep_posts=True``), the impression log
    (``I * days`` rows with ``record_impressions=True``), the audit and the pair table.

    Feedback: rates are taken at the bound creator (and session) adaptation can
    reach on each day of the run (:func:`feedback_bound`; at most ``max_rate_multiplier``
    times their start). Campaigns add their sponsored posts; accounts to be added
    count with their role's mean rates. What the estimate cannot foresee (user
    processes that change rates, follows made by engagement) the check at each
    day's close compares with the limit.

    The per-structure byte counts come from the engine's dtypes, checked against
    the peak resident memory of ``benchmarks/scale.py`` runs (default community,
    20 follows, every loop on); see the README's memory figures.

    Examples
    --------
    >>> import feedsim
    >>> from feedsim.network.graph import FollowGraph
    >>> from feedsim.population.state import Population
    >>> from feedsim.engine.config import SimulationConfig
    >>> G = FollowGraph.from_networkx(feedsim.networks.default_community(1000, seed=0))
    >>> pop = Population.from_graph(G, np.random.default_rng(0))
    >>> est = estimate_memory(G, pop, SimulationConfig(), days=7)
    >>> 1e6 < est.total < 1e9, est.dominant in est.parts
    (True, True)
    """
    days = check_days(days)
    n0 = graph.n_users
    h = config.tick_hours
    W = config.max_age_hours
    r = np.asarray(population.post_rate, dtype=np.float64)
    s = np.asarray(population.session_rate, dtype=np.float64)
    att = np.asarray(population.attention, dtype=np.float64)
    run_days = max(float(days), h / 24.0)
    fb = feedback_bound(config, run_days)
    m_post, m_ses = fb.post_peak, fb.session_peak
    window_days = min(W, run_days * 24.0 + h) / 24.0  # posts older than the run do not exist

    # sponsored posts of scheduled campaigns: their peak rate, and their posts over the run
    spons = np.zeros(n0)
    spons_posts = 0.0
    for idx, rate, cdays in campaigns:
        idx = np.asarray(idx, dtype=np.int64)
        idx = idx[idx < n0]
        np.add.at(spons, idx, float(rate))
        spons_posts += float(rate) * len(idx) * min(float(cdays), run_days)
    c0 = _followee_sums(graph, r) * window_days
    c_sp = _followee_sums(graph, spons) * window_days if spons_posts > 0 else np.zeros(n0)
    c = c0 * m_post + c_sp
    live_trend = 0.0
    R0 = float(r.sum())
    R = R0 * m_post + float(spons.sum())  # posts/day at the peak
    R_start = R0 + float(spons.sum())  # and at the start
    rows = R0 * fb.post_days + spons_posts  # posts over the run
    n, E = n0, graph.n_edges
    feed_slots = float(np.dot(s * m_ses * (h / 24.0), att))
    candidates = float(np.dot(s * m_ses * (h / 24.0), c))
    shown1 = float(np.dot(s, np.minimum(att, c)))  # a day's impressions at the starting session rates
    shown = float(np.dot(s * m_ses, np.minimum(att, c)))
    n_added = 0
    for a in added:  # counted from their means: nothing is allocated per added account
        k, f = float(a["n"]), float(a["follows"])
        ra, sa, aa = float(a["post_rate"]), float(a["session_rate"]), float(a["attention"])
        ca = f * (R / max(n, 1)) * window_days
        n_added += int(k)
        n, E = n + int(k), E + int(k * f)
        R += k * ra * m_post
        R_start += k * ra
        rows += k * ra * fb.post_days
        feed_slots += k * sa * m_ses * (h / 24.0) * aa
        candidates += k * sa * m_ses * (h / 24.0) * ca
        shown1 += k * sa * min(aa, ca)
        shown += k * sa * m_ses * min(aa, ca)
    live = R * window_days
    if config.out_of_network_share > 0:
        live_trend = min(config.trending_pool_size, live)
        candidates += live_trend * float(np.dot(s * m_ses * (h / 24.0), (att > 0)))
    impressions = shown1 * fb.session_days

    # what drives the posting: one account, the campaigns, or everyone
    all_rates = r * m_post + spons
    top = int(np.argmax(all_rates)) if n0 else 0
    if n0 and all_rates[top] >= 0.5 * R:
        post_text = (f"post_rate={_num(r[top])} ({_node(graph, top)})" if r[top] * m_post >= spons[top]
                     else f"a campaign of {_num(spons[top])} posts/day ({_node(graph, top)})")
    elif float(spons.sum()) >= 0.5 * R:
        post_text = f"campaigns of {_num(float(spons.sum()))} sponsored posts/day in total"
    else:
        joining = f" ({n_added:,} of them from add_accounts)" if n_added else ""
        post_text = f"{n:,} accounts{joining} x {_num(R_start / max(n, 1))} posts/day"
    if m_post > 1:
        post_text += (f" (feedback may raise it {_num(m_post)} times from day {_num(fb.first_day)}; "
                      f"max_rate_multiplier={_num(config.max_rate_multiplier)})")
    over = f"over {_days(run_days)}"

    parts: dict[str, float] = {}
    drivers: dict[str, str] = {}
    graph_text = f"the graph ({n:,} accounts, {E:,} follow edges)"
    if n_added:
        graph_text = f"add_accounts ({n_added:,} accounts to add; {n:,} accounts, {E:,} follow edges)"

    parts["accounts"] = n * _PER_ACCOUNT
    drivers["accounts"] = graph_text
    parts["edges"] = E * _PER_EDGE
    drivers["edges"] = graph_text
    reshare = 1.0 + 3.0 * config.reshare_rate  # live reshares ride on the originals
    parts["live_items"] = live * reshare * _PER_LIVE_ITEM + R * (h / 24.0) * _PER_NEW_POST
    drivers["live_items"] = f"{post_text} with max_age_hours={_num(W)}"
    if config.keep_posts:
        table_rows = rows
        drivers["post_table"] = f"{post_text} with keep_posts=True {over}"
    else:
        table_rows = min(2.0 * max(live, 1 << 16), rows + 1024)
        drivers["post_table"] = f"{post_text} with max_age_hours={_num(W)}"
    parts["post_table"] = table_rows * _PER_POST_ROW
    # whichever of attention and session_rate is further above its typical value drives the slots
    att_text = _who(graph, att * (s > 0), "attention", "items/session")
    ses_text = _who(graph, s * (att > 0), "session_rate", "sessions/day")
    att_rel = float(att.max() / max(np.median(att), 1.0)) if n0 else 0.0
    ses_rel = float(s.max() / max(np.median(s), 1e-9)) if n0 else 0.0
    feed_text = f"{att_text} with {ses_text}" if att_rel >= ses_rel else f"{ses_text} with {att_text}"
    slots = feed_slots * _PER_FEED_SLOT
    scratch = (float(c.max()) + live_trend) * 80.0 * max(int(threads), 1) if n0 else 0.0
    parts["tick"] = slots + (candidates * _PER_CANDIDATE if array_ranker else scratch)
    cand_text = f"{ses_text} with {post_text} and max_age_hours={_num(W)} (candidates per tick)"
    drivers["tick"] = feed_text if slots >= parts["tick"] - slots else cand_text
    # the seen set holds shown posts the edge masks do not track: reshares, out of
    # network, and the posts of authors with more than 64 live posts
    per_author_live = all_rates * window_days
    beyond = (float(np.dot(all_rates, np.clip(1.0 - 64.0 / np.maximum(per_author_live, 1e-300), 0, 1)))
              / max(float(all_rates.sum()), 1e-300))
    untracked = min(1.0, config.out_of_network_share + 0.05 + beyond)
    parts["seen"] = shown * window_days * untracked * _PER_SEEN_KEY if config.exclude_seen else 0.0
    drivers["seen"] = f"{post_text} with max_age_hours={_num(W)}"
    # pairs on a follow edge are counted on the edge (in _PER_EDGE); the table holds the others
    # (reshares of authors not followed, out of network, unfollowed authors) for the whole run
    pairs = min(impressions * (config.out_of_network_share + 0.05), float(n) * n)
    parts["pairs"] = pairs * _PER_PAIR
    drivers["pairs"] = f"{graph_text} {over}"
    if config.record_impressions:
        parts["impression_log"] = impressions * _PER_LOGGED_IMPRESSION
        drivers["impression_log"] = f"record_impressions=True {over} ({feed_text})"
    if audit is not None:
        who = np.unique(np.asarray(audit, dtype=np.int64))
        who = who[(who >= 0) & (who < n0)]
        sw, aw, cw = s[who] * m_ses, att[who], c[who] + live_trend
        # a tick with a session records the viewer's unseen candidates: those of the window less
        # what its sessions showed (measured: 74 k rows against 102 k so estimated, 300 accounts x 2 days)
        unseen = np.maximum(cw - sw * aw * window_days, np.minimum(cw, aw))
        per_day = float(np.dot(-np.expm1(-sw * (h / 24.0)), unseen)) * (24.0 / h)
        parts["audit"] = per_day * run_days * _PER_AUDIT_ROW
        drivers["audit"] = (f"audit of {len(who):,} accounts {over} x {_num(per_day / max(len(who), 1))} "
                            f"candidate rows a day each")
    parts["engine"] = float(_ENGINE)
    drivers["engine"] = "the compiled engine"
    inputs = {"accounts": float(n), "edges": float(E), "posts_per_day": R,
              "feed_slots": feed_slots, "days": run_days}
    return MemoryEstimate(total=float(sum(parts.values())), parts=parts, drivers=drivers, inputs=inputs)


def check_memory(estimate: MemoryEstimate, memory_limit: Any = "available", *, held: float = 0.0) -> None:
    """Refuse a run whose estimated peak exceeds ``memory_limit``.

    Parameters
    ----------
    estimate : MemoryEstimate
        From :func:`estimate_memory`.
    memory_limit : "available", None, float or str, default "available"
        ``"available"``: the memory available now (:func:`available_memory`,
        including ``ulimit -v`` and cgroup limits; no check where it cannot be
        read); a number of bytes or a string such as ``"16 GB"``; ``None``: no check.
    held : float, default 0
        Bytes of the estimate the process holds already (the run's state built so
        far): against ``"available"`` only the rest must fit.

    Raises
    ------
    InsufficientMemoryError
        One line: the parameter that drives the estimate, the estimate, the limit
        and how to override, e.g. ``post_rate=1e+09 (node 0) with
        max_age_hours=48 gives an estimated 2.3 TB peak; 22.1 GB available; pass
        memory_limit=None to override``.

    Examples
    --------
    >>> est = MemoryEstimate(total=3e12, parts={"live_items": 3e12}, drivers={"live_items": "post_rate=1e9"})
    >>> check_memory(est, "1 TB")
    Traceback (most recent call last):
    ...
    feedsim.errors.InsufficientMemoryError: post_rate=1e9 gives an estimated 3 TB peak; the memory_limit is 1 TB; pass memory_limit=None to override
    >>> check_memory(est, None)
    """  # noqa: E501 (a doctest shows the whole error message)
    limit = parse_memory_limit(memory_limit)
    if limit is None:
        return
    need = estimate.total
    peak = f"{format_bytes(estimate.total)} peak"
    if limit == "available":
        release_free_memory()  # freed heap (a graph generator's temporaries) is available to the run
        avail, source = _available()
        if avail is None:
            return
        need = estimate.total - max(float(held), 0.0)
        where = f"{source}{format_bytes(avail)} available"
        if held >= 1e6:
            peak += f" ({format_bytes(held)} of it held already)"
    else:
        avail = float(limit)
        where = f"the memory_limit is {format_bytes(avail)}"
    if not need <= avail:  # a NaN estimate is refused too
        raise InsufficientMemoryError(
            f"{estimate.driver} gives an estimated {peak}; {where}; pass memory_limit=None to override"
        )


def held_bytes(obj: Any, seen: set | None = None) -> int:
    """Bytes of the NumPy arrays reachable through ``obj``'s attributes (each buffer once).

    Follows attributes, lists, tuples and dicts of feedsim objects; the graph a
    run was given (a ``FollowGraph``) is not part of the run's state and is skipped.

    Examples
    --------
    >>> import feedsim
    >>> sim = feedsim.Simulation(feedsim.networks.default_community(300, seed=0), seed=0)
    >>> held_bytes(sim.platform) > 300 * 100
    True
    """
    from ..network.graph import FollowGraph

    seen = set() if seen is None else seen
    total = 0
    stack = [obj]
    while stack:
        value = stack.pop()
        if isinstance(value, np.ndarray):
            base = value
            while isinstance(base.base, np.ndarray):
                base = base.base
            if id(base) not in seen:
                seen.add(id(base))
                total += base.nbytes
        elif isinstance(value, (list, tuple)):
            stack.extend(value)
        elif isinstance(value, dict):
            stack.extend(value.values())
        elif (hasattr(value, "__dict__") and type(value).__module__.startswith("feedsim")
              and not isinstance(value, FollowGraph) and id(value) not in seen):
            seen.add(id(value))
            stack.extend(vars(value).values())
    return total


# The graph before the run: generating the default community, converting a graph.
_GEN_PER_EDGE = 70.0  # default_community's peak: int64 keys, unique's sort copies, draws (10M: 13.3 GiB at 199 M)
_GEN_PER_NODE = 120.0  # weights, communities, roles, degrees, sort orders
_GRAPH_PER_EDGE = 4.0  # a FollowGraph holds int32 indices
_GRAPH_PER_NODE = 40.0  # indptr, role (object pointers), community, node ids
_NX_PER_EDGE = 330.0  # a networkx.DiGraph: successor and predecessor dict entries, one attribute dict
_NX_PER_NODE = 900.0  # node, its attribute dict and adjacency dicts


def _count(x: float) -> str:
    return f"{x:,.0f}" if x < 1e9 else _num(x)


def estimate_graph_memory(n_users: float, mean_follows: float, *, as_arrays: bool = True) -> MemoryEstimate:
    """Estimated peak of generating the default community (:func:`feedsim.networks.default_community`).

    Examples
    --------
    >>> est = estimate_graph_memory(10**8, 40)
    >>> est.dominant, est.total > 1e11
    ('graph_generation', True)
    >>> est.driver
    'n_users=100,000,000 with mean_follows=40 (about 4e9 follow edges)'
    """
    n = float(n_users)
    E = n * float(mean_follows)
    parts = {"graph_generation": E * _GEN_PER_EDGE + n * _GEN_PER_NODE}
    if not as_arrays:
        parts["graph"] = E * _NX_PER_EDGE + n * _NX_PER_NODE
    text = f"n_users={_count(n)} with mean_follows={_num(float(mean_follows))} (about {_count(E)} follow edges)"
    return MemoryEstimate(total=float(sum(parts.values())), parts=parts, drivers=dict.fromkeys(parts, text),
                          inputs={"accounts": n, "edges": E})


def check_graph_size(graph: Any, config: SimulationConfig, memory_limit: Any = "available") -> None:
    """Refuse a graph whose run cannot fit, from its size alone, before it is converted.

    A ``scipy.sparse`` adjacency is read by its shape and stored entries, a
    ``networkx`` graph by its node and edge counts: the per-account and per-edge
    state of a run (and the conversion) must fit ``memory_limit``. Other inputs are
    not checked here.

    Examples
    --------
    >>> import scipy.sparse
    >>> from feedsim.engine.config import SimulationConfig
    >>> check_graph_size(scipy.sparse.csr_array((3 * 10**8,) * 2), SimulationConfig(), "16 GB")
    Traceback (most recent call last):
    ...
    feedsim.errors.InsufficientMemoryError: a graph of 300,000,000 accounts and 0 follow edges gives an estimated 120 GB peak; the memory_limit is 16 GB; pass memory_limit=None to override
    """  # noqa: E501 (a doctest shows the whole error message)
    import scipy.sparse as sp

    if sp.issparse(graph):
        shape = getattr(graph, "shape", (0, 0))
        if len(shape) != 2:
            return
        n, E = float(max(shape)), float(graph.nnz)
    elif hasattr(graph, "number_of_nodes") and hasattr(graph, "number_of_edges"):
        n, E = float(graph.number_of_nodes()), float(graph.number_of_edges())
    else:
        return
    text = f"a graph of {_count(n)} accounts and {_count(E)} follow edges"
    # the account state, the edge state and the conversion (a FollowGraph and its temporaries)
    parts = {"accounts": n * (_PER_ACCOUNT + 2 * _GRAPH_PER_NODE), "edges": E * (_PER_EDGE + 4 * _GRAPH_PER_EDGE)}
    est = MemoryEstimate(total=sum(parts.values()), parts=parts, drivers=dict.fromkeys(parts, text))
    check_memory(est, memory_limit)


def plan_memory(n_users: int, *, mean_follows: float, config: SimulationConfig, days: float,
                array_ranker: bool = False, threads: int = 1) -> MemoryEstimate:
    """Estimated peak of generating a default community of ``n_users`` and running it, before either.

    The run's parts are estimated on a stand-in community of at most 20,000
    accounts with the same ``mean_follows`` and scaled to ``n_users``; the graph
    held during the run and the generator's own peak (when it is higher than the
    graph and the run together) are added. Used by ``feedsim run --users`` and
    ``benchmarks/scale.py`` to refuse before anything is built.

    Examples
    --------
    >>> from feedsim.engine.config import SimulationConfig
    >>> est = plan_memory(10**8, mean_follows=40, config=SimulationConfig(), days=1)
    >>> est.total > 1e11, "100,000,000 accounts" in est.drivers["accounts"]
    (True, True)
    """
    from ..network.generators import default_community
    from ..population.state import Population

    n = int(n_users)
    n0 = min(n, 20_000)
    mf0 = min(float(mean_follows), (n0 - 1) / 2)
    proxy = default_community(n0, mean_follows=mf0, seed=0, as_arrays=True, memory_limit=None)
    pop = Population.from_graph(proxy, np.random.default_rng(0))
    est0 = estimate_memory(proxy, pop, config, days=days, array_ranker=array_ranker, threads=threads)
    k = n / n0
    E = proxy.n_edges * k * float(mean_follows) / mf0
    fixed = {"engine"}
    parts = {name: (v if name in fixed else v * k) for name, v in est0.parts.items()}
    parts["edges"] = E * _PER_EDGE
    drivers = {name: text.replace(f"{n0:,} accounts", f"{n:,} accounts").replace(
        f"{proxy.n_edges:,} follow edges", f"{_count(E)} follow edges") for name, text in est0.drivers.items()}
    gen = estimate_graph_memory(n, mean_follows)
    parts["graph"] = E * _GRAPH_PER_EDGE + n * _GRAPH_PER_NODE
    drivers["graph"] = gen.drivers["graph_generation"]
    run = sum(parts.values())
    parts["graph_generation"] = max(0.0, gen.total - run)  # the generator's peak, where it exceeds the run's
    drivers["graph_generation"] = gen.drivers["graph_generation"]
    inputs = dict(est0.inputs, accounts=float(n), edges=E)
    return MemoryEstimate(total=float(sum(parts.values())), parts=parts, drivers=drivers, inputs=inputs)
