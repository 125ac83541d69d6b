"""Closed-form results the simulator must reproduce.

Each function here is a formula derived from the model's rules, with the
derivation in its Notes, so that ``tests/validation`` can hold the engine to it.
Rates are given per day like everywhere else in feedsim (posts/day,
sessions/day) and converted to per hour inside; times are in hours.

Examples
--------
>>> from feedsim.theory import chronological_first_session_visibility
>>> round(chronological_first_session_visibility(10.0, 4.0, 3), 4)
0.6356
"""

from __future__ import annotations

import math

import numpy as np

from ._validate import check_int, check_number

__all__ = ["chronological_first_session_visibility"]

#: Truncation bound of each infinite sum in the discrete-tick formula.
_TAIL = 1e-12


def chronological_first_session_visibility(
    other_post_rate: float,
    session_rate: float,
    attention: int,
    tick_hours: float | None = None,
) -> float:
    r"""Chance that a followee's post is in the follower's next chronological feed.

    The probability that a given post appears in the feed of one of its
    author's followers at the follower's **first session after the post was
    created**, under the chronological (newest first) feed. The post is shown
    there exactly when fewer of the follower's unseen candidates than the feed
    size are newer than it; older unseen posts (the backlog) never push it out.

    Parameters
    ----------
    other_post_rate : float
        Rate of the *other* posts reaching the follower's in-network feed,
        posts/day: the summed posting rates of everyone the follower follows,
        the post's author included (the author's later posts are newer posts
        from a followee too). Must be >= 0.
    session_rate : float
        The follower's session rate, sessions/day. Must be > 0.
    attention : int
        Items shown per session (the feed size of one session). Must be >= 1.
    tick_hours : float or None, default None
        ``None`` for the continuous-time model (sessions one at a time at the
        points of a Poisson process). A tick length in hours (> 0) for the
        engine's discrete timing (see Notes).

    Returns
    -------
    float
        The probability, in [0, 1]. With ``tick_hours`` given it is exact up
        to a truncation error below ``2e-12`` plus floating-point rounding.

    Raises
    ------
    InvalidParameterError
        If a rate is negative or not finite, ``session_rate`` is 0,
        ``attention`` is not an integer >= 1, or ``tick_hours`` is not a
        finite number > 0.

    See Also
    --------
    feedsim.rankers.chronological : the ranker this describes.

    Notes
    -----
    Write :math:`\lambda` and :math:`s` for ``other_post_rate`` and
    ``session_rate`` converted to per hour (divided by 24; the continuous
    result depends only on their ratio) and :math:`k` for ``attention``. The
    other posts form a Poisson process of rate :math:`\lambda`; by
    Slivnyak's theorem this still holds given that a post exists at the given
    time, so the author's own other posts are simply part of it. Posts newer
    than the given post were created after every earlier session, so none of
    them has been shown yet: all are candidates, and the given post is shown
    at the first session iff the number :math:`N` of other posts created
    between it and that session is smaller than the feed size.

    *Continuous time.* Sessions form a Poisson process of rate :math:`s`.
    Going forward from the post, the next event is a session with probability
    :math:`s/(s+\lambda)` and another post otherwise, afresh after each event
    (memorylessness), so :math:`N` is geometric,
    :math:`P(N = n) = \frac{s}{s+\lambda}\left(\frac{\lambda}{s+\lambda}\right)^n`,
    and

    .. math:: P(\text{seen}) = P(N < k)
              = 1 - \left(\frac{\lambda}{\lambda + s}\right)^k .

    *Discrete ticks* of length :math:`\Delta` hours (the engine,
    :meth:`feedsim.engine.platform.Platform.step`). In the tick
    :math:`[t, t+\Delta)` posts are created at uniform times and all of the
    tick's sessions happen at :math:`t+\Delta`, after every post of the tick;
    a viewer with :math:`C \ge 1` sessions in a tick gets one feed of
    :math:`kC` items. Let :math:`a = \lambda\Delta` (other posts per tick)
    and :math:`\mu = s\Delta` (sessions per tick). The given post is created
    at offset :math:`U \sim U(0, 1)` in its tick. The follower's first
    session is at the end of the post's own tick with probability
    :math:`q = 1 - e^{-\mu}`, otherwise :math:`J` ticks later:
    :math:`P(J = j) = q(1-q)^j`. The number of sessions :math:`C` of that
    tick is Poisson(:math:`\mu`) conditioned on :math:`C \ge 1`, independent
    of :math:`J`, :math:`U` and the posts. The newer other posts are those of
    the post's own tick with a later offset (those with an earlier offset are
    older and do not compete) plus every post of the :math:`J` following
    ticks, the session's own tick included (its posts are all created before
    its end). Hence

    .. math:: N = N_0 + \sum_{i=1}^{J} Y_i, \qquad
              N_0 \mid U \sim \text{Poisson}(a(1-U)), \quad
              Y_i \sim \text{Poisson}(a) \text{ i.i.d.}

    Integrating over :math:`U`,
    :math:`P(N_0 = m) = \int_0^1 e^{-au}(au)^m/m!\,du = P(\text{Poisson}(a) > m)/a`.
    The sum :math:`S = \sum_{i \le J} Y_i` has the probability generating
    function

    .. math:: G(z) = \sum_{j \ge 0} q(1-q)^j e^{ja(z-1)}
              = \frac{q}{1 - (1-q)e^{a(z-1)}} ,

    so with :math:`e_m = e^{-a}a^m/m!` (the coefficients of
    :math:`e^{a(z-1)}`), :math:`G(z)\,(1 - (1-q)e^{a(z-1)}) = q` gives the
    probabilities :math:`g_m = P(S = m)` by the recursion

    .. math:: g_0 = \frac{q}{1 - (1-q)e_0}, \qquad
              g_m = \frac{(1-q)\sum_{i=1}^{m} e_i\,g_{m-i}}{1 - (1-q)e_0} ,

    which sums over every :math:`J` exactly, with positive terms only (no
    cancellation). Then :math:`P(N = m) = \sum_{i \le m} P(N_0 = i)\,g_{m-i}`
    and

    .. math:: P(\text{seen}) = \sum_{c \ge 1} \frac{e^{-\mu}\mu^c}{c!\,q}
              \, P(N \le kc - 1) ,

    which is 1 when :math:`a = 0`. Two truncations, each below
    :math:`10^{-12}`: the sum over :math:`c` stops once
    :math:`P(C > c) \le 10^{-12}`, and the recursion once
    :math:`\sum_m g_m \ge 1 - 10^{-12}`. As
    :math:`\Delta \to 0`, :math:`C \to 1`, :math:`\Delta (J + 1 - U)`
    tends to an Exponential(:math:`s`) waiting time and the discrete value to
    the continuous one, with an error of order :math:`\Delta` (0.018 at
    one-hour ticks, 0.005 at 15 minutes for the first example below).

    Both forms assume that the post is still live at the first session
    (``max_age_hours`` much longer than ``24 / session_rate`` hours), no
    out-of-network slots and no reshares into the follower's feed.

    Examples
    --------
    >>> from feedsim.theory import chronological_first_session_visibility as vis
    >>> round(vis(10.0, 4.0, 3), 4)                   # continuous: 1 - (10/14)**3
    0.6356
    >>> round(vis(10.0, 4.0, 3, tick_hours=1.0), 4)   # the engine's default tick
    0.6539
    >>> round(vis(10.0, 4.0, 3, tick_hours=0.01), 4)  # close to the continuous value
    0.6358
    """
    lam = check_number("other_post_rate", other_post_rate, low=0) / 24.0
    s = check_number("session_rate", session_rate, low=0, low_inclusive=False) / 24.0
    k = check_int("attention", attention, low=1)
    if tick_hours is None:
        return float(-math.expm1(k * math.log(lam / (lam + s)))) if lam > 0 else 1.0
    dt = check_number("tick_hours", tick_hours, low=0, low_inclusive=False)
    return _discrete(lam * dt, s * dt, k)


def _discrete(a: float, mu: float, k: int) -> float:
    """Discrete-tick visibility for ``a`` other posts and ``mu`` sessions per tick."""
    from scipy import special, stats  # imported here: scipy.stats costs about 0.8 s at `import feedsim`

    if a == 0:
        return 1.0
    q = -math.expm1(-mu)
    # sessions C in the first session tick: zero-truncated Poisson(mu), c = 1..c_max
    c = np.arange(1, math.ceil(mu + 20.0 * math.sqrt(mu)) + 60)
    beyond = special.gammainc(c + 1.0, mu) / q  # P(C > c)
    c = c[: int(np.argmax(beyond <= _TAIL)) + 1]
    w = stats.poisson.pmf(c, mu) / q
    n_max = k * int(c[-1])
    m = np.arange(n_max)
    # newer posts in the post's own tick: P(N0 = m) = P(Poisson(a) > m) / a
    own = special.gammainc(m + 1.0, a) / a
    # newer posts in the J later ticks: coefficients of q / (1 - (1 - q) exp(a (z - 1)))
    e = stats.poisson.pmf(m, a)
    later = np.zeros(n_max)
    scale = 1.0 / (1.0 - (1.0 - q) * e[0])
    later[0] = mass = q * scale
    size = 1
    while size < n_max and mass < 1.0 - _TAIL:  # stop once the rest of S is below _TAIL
        later[size] = (1.0 - q) * scale * float(np.dot(e[1 : size + 1], later[size - 1 :: -1]))
        mass += later[size]
        size += 1
    cdf = np.cumsum(np.convolve(own, later[:size])[:n_max])
    return float(min(1.0, max(0.0, np.dot(w, cdf[k * c - 1]))))
