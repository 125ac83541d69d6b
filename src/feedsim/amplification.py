"""Algorithmic amplification with uncertainty, and the viewer-split experiment.

Amplification follows Huszár et al., *Algorithmic amplification of politics on
Twitter*, PNAS 119 (2022) [1]_: the reach of a group's posts under the ranked feed
over their reach under the chronological control, minus one (0 = none).

Two designs:

- **Paired replicates** (:func:`paired_amplification`, used by
  ``feedsim.compare(..., replicates=R)``): the whole population runs once per
  arm and replicate; replicate ``r`` uses the same seed in every arm (common
  random numbers), so each replicate gives one paired log ratio, and the
  interval is a t-interval over replicates.
- **Viewer split** (:class:`ViewerSplit`, :func:`split_amplification`): one
  population, a random share of viewers gets the treatment ranker and the
  rest the control, as in the field experiment. :meth:`ViewerSplit.holdout`
  sets up Huszár et al.'s design exactly: a small control group on the
  chronological feed and a measured treatment group four times its size
  (everyone else is ranked too, but not measured), with their smoothed
  amplification ``(reach_t + 1) / (4 reach_c + 1) - 1``.

References
----------
.. [1] F. Huszár, S. I. Ktena, C. O'Brien, L. Belli, A. Schlaikjer and M. Hardt,
   "Algorithmic amplification of politics on Twitter", PNAS 119 (1),
   e2025334119 (2022), doi:10.1073/pnas.2025334119; the definition is in
   Materials and Methods, "Measuring Amplification".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ._validate import check_number
from .engine.kernels.hashing import _mix_np
from .errors import InvalidParameterError
from .metrics.intervals import t_interval
from .network.graph import ROLES
from .random import as_seed_sequence
from .rankers.candidates import Candidates
from .rankers.registry import get_ranker, ranker_name

if TYPE_CHECKING:  # pragma: no cover
    from .engine.result import SimulationResult

__all__ = [
    "FOLLOWER_GROUPS",
    "ViewerSplit",
    "follower_group",
    "group_reach",
    "paired_amplification",
    "split_amplification",
    "split_author_amplification",
]

#: Arm-size ratio of Huszár et al. (2022): the treatment group is four times the control group.
HUSZAR_RATIO = 4.0
#: Additive smoothing of Huszár et al. (2022): one viewer added to each arm's reach.
HUSZAR_SMOOTHING = 1.0

#: Author groups by follower count at the start of the run: (label, lower, upper).
#: The edges bracket Pew's medians (19 followers for most adults, 387 for the
#: most active tenth; Pew Research Center 2019).
FOLLOWER_GROUPS: tuple = (
    ("0-19", 0, 20),
    ("20-99", 20, 100),
    ("100-999", 100, 1000),
    ("1000+", 1000, math.inf),
)


def follower_group(followers: NDArray) -> NDArray[np.int64]:
    """Index into :data:`FOLLOWER_GROUPS` for each follower count.

    Examples
    --------
    >>> follower_group(np.array([0, 19, 20, 387, 5000])).tolist()
    [0, 0, 1, 2, 3]
    """
    edges = np.array([g[1] for g in FOLLOWER_GROUPS[1:]], dtype=np.float64)
    return np.searchsorted(edges, np.asarray(followers, dtype=np.float64), side="right").astype(np.int64)


def group_reach(result: SimulationResult) -> dict[str, dict[str, tuple[float, float]]]:
    """Impressions and posts per author group: ``{"role": {...}, "followers": {...}}``.

    Each entry is ``(impressions of the group's posts, number of its posts)``;
    reach per post is their ratio (a feed never repeats a post to a viewer, so
    impressions are unique viewers per post).
    """
    A = result.authors  # an account's impressions are those of its posts
    k = len(ROLES)
    imp = np.bincount(A.role, weights=A.impressions, minlength=k)
    posts = np.bincount(A.role, weights=A.posts, minlength=k)
    out = {"role": {ROLES[r]: (float(imp[r]), float(posts[r])) for r in range(k)}}
    g = follower_group(A.followers_start)
    m = len(FOLLOWER_GROUPS)
    gimp = np.bincount(g, weights=A.impressions, minlength=m)
    gposts = np.bincount(g, weights=A.posts, minlength=m)
    out["followers"] = {FOLLOWER_GROUPS[i][0]: (float(gimp[i]), float(gposts[i])) for i in range(m)}
    return out


def paired_amplification(treated: Sequence[float], control: Sequence[float],
                         confidence: float = 0.95) -> dict[str, Any]:
    """Amplification and its confidence interval from paired replicates.

    Parameters
    ----------
    treated, control : sequence of float, length R
        Reach per post of one group under the treatment and the control arm, one
        pair per replicate (the same seed in both arms).
    confidence : float, default 0.95
        Coverage of the interval.

    Returns
    -------
    dict
        ``estimate`` (``exp(mean d) - 1``), ``ci_low``, ``ci_high``,
        ``se_log`` (standard error of the mean log ratio), ``n`` (replicates
        used), ``n_zero`` (replicates where the treated reach was 0) and
        ``per_replicate`` (``treated / control - 1``; None where undefined).

    Notes
    -----
    With ``d_r = ln(treated_r / control_r)`` over the ``n`` replicates where
    both are positive, ``dbar`` their mean and ``s`` their standard deviation,
    the interval is ``exp(dbar +- t_{(1+c)/2, n-1} s / sqrt(n)) - 1``: a paired
    t-interval on log ratios (ratios are multiplicative, so the log makes the
    replicate differences closer to normal and the interval respects
    amplification > -1). With ``n < 2`` the interval is None. A replicate where
    the group had no reach at all under the treatment (a ratio of 0) has no log:
    it is not dropped (that would bias the estimate upwards); instead the
    estimate becomes the ratio of mean reaches minus one and the interval is
    None, with ``n_zero`` saying why.

    Examples
    --------
    >>> out = paired_amplification([1.2, 1.1, 1.3], [1.0, 1.0, 1.0])
    >>> round(out["estimate"], 3), out["ci_low"] < out["estimate"] < out["ci_high"]
    (0.197, True)
    """
    t = np.asarray(treated, dtype=np.float64)
    c = np.asarray(control, dtype=np.float64)
    if t.shape != c.shape or t.ndim != 1:
        raise InvalidParameterError(
            f"treated and control must be sequences of equal length; got shapes {t.shape} and {c.shape}"
        )
    check_number("confidence", confidence, low=0, high=1, low_inclusive=False, high_inclusive=False)
    ok = np.isfinite(t) & np.isfinite(c) & (t >= 0) & (c > 0)
    per = [float(a / b - 1.0) if (np.isfinite(a) and np.isfinite(b) and b > 0) else None for a, b in zip(t, c)]
    n = int(ok.sum())
    n_zero = int((ok & (t == 0)).sum())
    out: dict[str, Any] = {"estimate": None, "ci_low": None, "ci_high": None, "se_log": None,
                           "n": n, "n_zero": n_zero, "per_replicate": per}
    if n == 0:
        return out
    if n_zero:
        out["estimate"] = float(t[ok].mean() / c[ok].mean() - 1.0)
        return out
    ci = t_interval(np.log(t[ok] / c[ok]), confidence)
    out["estimate"] = math.expm1(ci.mean)
    if n >= 2:
        out["se_log"] = ci.sd / math.sqrt(n)
        out["ci_low"] = math.expm1(ci.low)
        out["ci_high"] = math.expm1(ci.high)
    return out


# ------------------------------------------------------------ viewer split
_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def _splitmix64(x: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """SplitMix64 finaliser (the engine's, :func:`feedsim.engine.kernels.hashing.mix`): a fixed hash."""
    with np.errstate(over="ignore"):
        return _mix_np(np.asarray(x, dtype=np.uint64))


class ViewerSplit:
    """A ranker that gives a random share of viewers one ranker and the rest another.

    Each account is assigned once, by a hash of its index and ``seed`` (the same
    account is in the same arm every tick, whatever else the run draws).
    Treated viewers' candidates are scored by ``treatment``, the others' by
    ``control``; the engine's per-viewer top-k never mixes viewers, so the two
    score scales never compete.

    Parameters
    ----------
    treatment, control : str or callable
        Rankers (names or callables). Default control: ``chronological``.
    share : float, default 0.5
        Expected share of accounts on the treatment ranker, in [0, 1].
    seed : int or SeedSequence, default 0
        Seeds the assignment.
    ratio : float or None, default None
        Size of the *measured* treatment group over the size of the control
        group. None: every account on the treatment ranker is measured (the
        arms are as large as the assignment makes them). A number ``r > 0``:
        the measured treatment group is the ``min(round(r * n_control),
        n_on_treatment)`` treated accounts with the smallest assignment hash, a
        uniformly random subset of the treated; the other treated accounts get
        the treatment ranker but are not measured. Huszár et al. (2022) used
        ``r = 4`` (see :meth:`holdout`).

    Notes
    -----
    Both rankers score every candidate of the tick (about twice the cost of
    one ranker). Interference is part of the model, as on the platform: what
    treated viewers engage with (reshares, engagement counts) reaches control
    viewers too. Huszár et al. (2022) ran this design on Twitter with a control
    group of about 1 % of accounts kept on the reverse-chronological timeline
    and a treatment group four times its size drawn from the ranked accounts.

    Examples
    --------
    >>> split = ViewerSplit("engagement", share=0.5, seed=1)
    >>> split.treated(np.arange(8)).tolist()
    [True, True, True, True, True, False, False, True]
    >>> field = ViewerSplit.holdout("engagement", control_share=0.1, seed=1)
    >>> n_control, n_measured = field.arm_sizes(10_000)
    >>> n_measured == 4 * n_control
    True
    """

    def __init__(self, treatment: str | Callable, control: str | Callable = "chronological", *,
                 share: float = 0.5, seed: Any = 0, ratio: float | None = None) -> None:
        self.treatment = get_ranker(treatment)
        self.control = get_ranker(control)
        self.share = check_number("share", share, low=0, high=1)
        self.ratio = None if ratio is None else check_number("ratio", ratio, low=0, low_inclusive=False)
        ss = as_seed_sequence(seed)
        self._key = np.uint64(ss.generate_state(1, dtype=np.uint64)[0])
        self.name = f"split({ranker_name(treatment)}|{ranker_name(control)},{self.share:g})"

    @classmethod
    def holdout(cls, treatment: str | Callable, control: str | Callable = "chronological", *,
                control_share: float = 0.01, ratio: float = HUSZAR_RATIO, seed: Any = 0) -> ViewerSplit:
        """Huszár et al.'s design: a small control group, a treatment group ``ratio`` times its size.

        A share ``control_share`` of accounts is held out on ``control`` (the
        reverse-chronological timeline in the paper); everyone else gets
        ``treatment``, and a random group of ``ratio`` times the control's size
        among them is measured. With :func:`split_amplification`'s default
        ``smoothing=1`` the amplification is exactly the paper's
        ``(|U_T ∩ U_treatment| + 1) / (4 |U_T ∩ U_control| + 1) - 1``.

        Parameters
        ----------
        treatment, control : str or callable
            Rankers; default control ``chronological``.
        control_share : float, default 0.01
            Share of accounts in the control group, in (0, 1). The paper's control
            was about 1 % of accounts ("nearly 2 million daily active accounts").
            Small communities need a larger share for a usable control group.
        ratio : float, default 4
            Measured treatment group size over control group size (the paper's 4).
        seed : int or SeedSequence, default 0
            Seeds the assignment.

        Examples
        --------
        >>> s = ViewerSplit.holdout("engagement", control_share=0.05, seed=2)
        >>> s.share, s.ratio
        (0.95, 4.0)
        """
        c = check_number("control_share", control_share, low=0, high=1, low_inclusive=False,
                         high_inclusive=False)
        return cls(treatment, control, share=1.0 - c, seed=seed, ratio=ratio)

    def _uniform(self, accounts: NDArray) -> NDArray[np.float64]:
        a = np.asarray(accounts).astype(np.uint64)
        return (_splitmix64(a ^ self._key) >> np.uint64(11)).astype(np.float64) * 2.0**-53

    def treated(self, accounts: NDArray) -> NDArray[np.bool_]:
        """Whether each account (index) gets the treatment ranker."""
        return self._uniform(accounts) < self.share

    def arms(self, n_accounts: int) -> NDArray[np.int8]:
        """Arm of accounts ``0 .. n_accounts - 1``: 0 control, 1 measured treatment, 2 treated, not measured.

        Examples
        --------
        >>> ViewerSplit("engagement", share=0.5, seed=1).arms(8).tolist()
        [1, 1, 1, 1, 1, 0, 0, 1]
        """
        u = self._uniform(np.arange(int(n_accounts)))
        on = u < self.share
        arm = np.where(on, 1, 0).astype(np.int8)
        if self.ratio is not None:
            n_c = int((~on).sum())
            m = min(int(round(self.ratio * n_c)), int(on.sum()))
            order = np.argsort(u, kind="stable")  # the treated are the smallest hashes
            arm[order[m:][on[order[m:]]]] = 2
        return arm

    def arm_sizes(self, n_accounts: int) -> tuple[int, int]:
        """``(control size, measured treatment size)`` among ``n_accounts`` accounts."""
        arm = self.arms(n_accounts)
        return int((arm == 0).sum()), int((arm == 1).sum())

    def __call__(self, c: Candidates, rng: np.random.Generator) -> NDArray[np.float64]:
        if len(c) == 0:
            return np.zeros(0)
        on = self.treated(c.viewers)[c.segment]
        t = np.asarray(self.treatment(c, rng), dtype=np.float64)
        k = np.asarray(self.control(c, rng), dtype=np.float64)
        if t.shape != (len(c),) or k.shape != (len(c),):
            # let the engine's output check name the problem
            return t if t.shape != (len(c),) else k
        return np.where(on, t, k)

    def __repr__(self) -> str:
        return f"ViewerSplit({self.name})"


def _smoothed_amplification(treated: NDArray, control: NDArray, ratio: float, smoothing: float) -> NDArray:
    """``(treated + s) / (ratio * control + s) - 1``, NaN where the denominator is 0."""
    den = ratio * np.asarray(control, dtype=np.float64) + smoothing
    num = np.asarray(treated, dtype=np.float64) + smoothing
    return np.divide(num, den, out=np.full(np.shape(num), np.nan), where=den > 0) - 1.0


def _check_split(result: SimulationResult, split: Any, smoothing: Any) -> tuple[NDArray, int, int, float]:
    if not isinstance(split, ViewerSplit):
        raise InvalidParameterError(f"split must be a ViewerSplit; got {type(split).__name__}")
    s = check_number("smoothing", smoothing, low=0)
    arm = split.arms(len(result.authors))
    return arm, int((arm == 1).sum()), int((arm == 0).sum()), s


def split_amplification(result: SimulationResult, split: ViewerSplit, *,
                        smoothing: float = HUSZAR_SMOOTHING) -> dict[str, Any]:
    """Treated versus control reach per author group in a viewer-split run.

    For a group ``T`` of authors, the measured treatment group ``U_t`` and the
    control group ``U_c``, let ``R_t = |U_T ∩ U_t|`` and ``R_c = |U_T ∩ U_c|`` be
    the numbers of accounts in each group shown at least one post of ``T`` during
    the run, and ``r = |U_t| / |U_c|`` the arm-size ratio. Then

    ``amplification = (R_t + s) / (r R_c + s) - 1``

    with smoothing ``s``. This is Huszár et al.'s definition (PNAS 2022,
    Materials and Methods, "Measuring Amplification":
    ``a(T) = (|U_T ∩ U_treatment| + 1) / (4 |U_T ∩ U_control| + 1) - 1``, where
    ``|U_treatment| = 4 |U_control|``), with ``s = 1`` (the default) and ``r = 4``
    under :meth:`ViewerSplit.holdout`. With ``s = 0`` it is the ratio of reach
    per audience member, ``(R_t / |U_t|) / (R_c / |U_c|) - 1``, which is what this
    function returned before ``smoothing`` existed. The same ratio of impressions
    is returned as ``impression_amplification``.

    Parameters
    ----------
    result : SimulationResult
        A run whose ranker is ``split``.
    split : ViewerSplit
        The assignment used in the run.
    smoothing : float, default 1
        Viewers added to each arm's reach (``s`` above), ``>= 0``. 1 as in the paper.

    Returns
    -------
    dict
        ``{"role": {role: stats}, "followers": {group: stats}}`` with stats
        ``treated_viewers``, ``control_viewers`` (``R_t``, ``R_c``),
        ``treated_reach``, ``control_reach`` (the same per audience member),
        ``treated_impressions``, ``control_impressions`` (per audience member),
        ``posts`` (the group's posts in the run), ``amplification`` and
        ``impression_amplification`` (None where the group has no posts, where
        an arm is empty, or with ``s = 0`` where the control value is 0); at the top
        ``n_treated`` (measured treatment group), ``n_control``, ``n_unmeasured``
        (treated accounts not measured), ``ratio`` (``r``) and ``smoothing``.

    Notes
    -----
    The paper computes ``a_d(T)`` from the users who saw ``T`` on day ``d``;
    here the window is the whole run (a one-day run gives the daily figure).
    Reach counts impressions as feedsim records them (a post shown in a feed),
    where the paper counts "linger impressions" (at least half the tweet on
    screen for at least 500 ms).
    """
    arm, n_t, n_c, s = _check_split(result, split, smoothing)
    viewer, author, counts = result._pairs
    n = len(result.authors)
    ratio = n_t / n_c if n_c > 0 else float("nan")
    varm = arm[viewer]
    groups = {
        "role": (np.asarray(result.authors.role, dtype=np.int64), list(ROLES)),
        "followers": (follower_group(result.authors.followers_start), [g[0] for g in FOLLOWER_GROUPS]),
    }
    out: dict[str, Any] = {"n_treated": n_t, "n_control": n_c, "n_unmeasured": int(n - n_t - n_c),
                           "ratio": ratio if n_c > 0 else None, "smoothing": s}
    for key, (code, labels) in groups.items():
        m = len(labels)
        g = code[author]
        # unique (viewer, group) pairs: reach of the group in the viewer's arm
        pair = np.unique(viewer * m + g)
        pv, pg = pair // m, pair % m
        parm = arm[pv]
        view_t = np.bincount(pg[parm == 1], minlength=m).astype(np.float64)
        view_c = np.bincount(pg[parm == 0], minlength=m).astype(np.float64)
        imp_t = np.bincount(g[varm == 1], weights=counts[varm == 1], minlength=m)
        imp_c = np.bincount(g[varm == 0], weights=counts[varm == 0], minlength=m)
        posts = np.bincount(code, weights=result.authors.posts, minlength=m)
        ok = n_t > 0 and n_c > 0
        amp = _smoothed_amplification(view_t, view_c, ratio, s) if ok else np.full(m, np.nan)
        iamp = _smoothed_amplification(imp_t, imp_c, ratio, s) if ok else np.full(m, np.nan)
        table = {}
        for i, label in enumerate(labels):
            table[label] = {
                "treated_viewers": int(view_t[i]),
                "control_viewers": int(view_c[i]),
                "treated_reach": float(view_t[i] / max(n_t, 1)),
                "control_reach": float(view_c[i] / max(n_c, 1)),
                "treated_impressions": float(imp_t[i] / max(n_t, 1)),
                "control_impressions": float(imp_c[i] / max(n_c, 1)),
                "posts": int(posts[i]),
                "amplification": float(amp[i]) if np.isfinite(amp[i]) and posts[i] > 0 else None,
                "impression_amplification": (float(iamp[i]) if np.isfinite(iamp[i]) and posts[i] > 0
                                             else None),
            }
        out[key] = table
    return out


def split_author_amplification(result: SimulationResult, split: ViewerSplit, *,
                               smoothing: float = HUSZAR_SMOOTHING) -> NDArray[np.float64]:
    """Individual-level amplification: :func:`split_amplification` with each author as its own group.

    Huszár et al. (2022, Fig. 1C) report the same measure per legislator and find
    it varies widely within a party even where the parties' group figures differ.

    Parameters
    ----------
    result : SimulationResult
        A run whose ranker is ``split``.
    split : ViewerSplit
        The assignment used in the run.
    smoothing : float, default 1
        As in :func:`split_amplification`.

    Returns
    -------
    ndarray of shape (n_accounts,)
        ``(R_t + s) / (r R_c + s) - 1`` per account; NaN for accounts without
        posts, where an arm is empty, or with ``s = 0`` where ``R_c = 0``.

    Examples
    --------
    >>> import feedsim
    >>> G = feedsim.networks.default_community(300, seed=0)
    >>> split = ViewerSplit.holdout("engagement", control_share=0.15, seed=0)
    >>> res = feedsim.Simulation(G, ranker=split, seed=0).run(days=1)
    >>> a = split_author_amplification(res, split)
    >>> a.shape, bool(np.isnan(a[res.authors.posts == 0]).all())
    ((300,), True)
    """
    arm, n_t, n_c, s = _check_split(result, split, smoothing)
    viewer, author, _ = result._pairs  # unique (viewer, author) pairs
    n = len(result.authors)
    out = np.full(n, np.nan)
    if n_t == 0 or n_c == 0:
        return out
    varm = arm[viewer]
    view_t = np.bincount(author[varm == 1], minlength=n)
    view_c = np.bincount(author[varm == 0], minlength=n)
    amp = _smoothed_amplification(view_t, view_c, n_t / n_c, s)
    has = np.asarray(result.authors.posts) > 0
    out[has] = amp[has]
    return out
