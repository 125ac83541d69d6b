"""Simulation parameters as one frozen, validated dataclass.

Units: hours for ticks and ages, days for rates, probabilities per impression.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, fields

from ..errors import InvalidParameterError
from ..params import SIMULATION_PARAMS, check_config

__all__ = ["SimulationConfig", "FEEDBACK_LOOPS"]

#: Feedback loops, each switchable by keyword; ``dynamics=False`` turns all off.
FEEDBACK_LOOPS = ("rich_get_richer", "reciprocity", "creator_adaptation", "follow_discovery")

# every default, bound and help text lives in feedsim.params (one row per field)
_D = {name: p.default for name, p in SIMULATION_PARAMS.items()}


@dataclass(frozen=True)
class SimulationConfig:
    """Every model parameter of a run, with documented defaults and units.

    Parameters
    ----------
    tick_hours : float, default 1.0
        Length of a platform tick, hours. Must divide 24 evenly and be at least
        one minute (1/60 h).
    max_age_hours : float, default 48.0
        Posts older than this (hours since creation) are no longer candidates.
    out_of_network_share : float, default 0.0
        Share of each feed reserved for out-of-network posts (the trending pool),
        as "For you" feeds do; unused slots are back-filled from the other source.
    trending_pool_size : int, default 50
        Number of live posts in the trending pool (most engaged first) offered to
        every viewer as out-of-network candidates when ``out_of_network_share > 0``.
    exclude_seen : bool, default True
        Never show a viewer the same post twice. ``False`` models a feed without
        memory: every live item is a candidate at every session, so an item can be
        shown again (impressions then count repeats, so reach per post, follower
        reach and amplification count repeat impressions, and the post table has
        no ``reach`` column). Fixed for a run.
    dynamics : bool, default True
        Master switch: ``False`` turns every feedback loop and churn off (a
        static world: the follow graph and the creators stay as they are).
    churn : bool or None
        Accounts joining and leaving (``join_rate``, ``leave_rate``); ``None``
        means "same as ``dynamics``".
    session_adaptation : bool, default False
        A feedback loop from what a feed shows to how often a viewer returns (off
        by default, and off with ``dynamics=False``): each viewer compares the
        engagement it found per session recently (engagements it made per
        session, half-life ``adaptation_half_life_days``) with what it is used to
        (half-life ``adaptation_reference_days``) and scales its session rate by
        ``((recent + s) / (reference + s)) ** session_elasticity`` with
        ``s = session_smoothing``, clipped to ``[min_rate_multiplier,
        max_rate_multiplier]``. An assumption modelled on Guess et al. (2023),
        where users moved to a chronological feed spent less time on the platform.
    session_smoothing : float, default 0.1
        Pseudo-engagements per session added to both memories of session adaptation.
    session_elasticity : float, default 0.5
        Elasticity of the session-rate multiplier.
    rich_get_richer, reciprocity, creator_adaptation, follow_discovery : bool or None
        Each feedback loop; ``None`` means "same as ``dynamics``".
        *rich_get_richer*: engagement counts reach rankers and the trending pool,
        and each engagement raises the viewer's affinity to the author.
        *reciprocity* (the gesture bank): when ``v`` engages with ``a``'s post,
        ``a``'s affinity to ``v`` rises and, if ``a`` does not follow ``v``,
        ``a`` follows back with probability ``follow_back_prob``. Follows made
        during a day (by any loop) take effect at the next midnight.
        *creator_adaptation* (the treadmill): a creator whose posts get little
        response posts less and may burn out and stop.
        *follow_discovery*: engaging with a post that arrived through a reshare or
        an out-of-network slot makes the viewer follow its author with probability
        ``discovery_follow_prob``.
    like_rate, reshare_rate, reply_rate : float, default 0.05, 0.01, 0.006
        Probability that an impression becomes a like / reshare / reply for a
        viewer of propensity 1, a post of appeal 1, affinity 0, top feed slot.
    position_decay : float, default 0.5
        Attention to feed slot ``s`` (0 = top) is ``(1 + s) ** -position_decay``.
    appeal_sigma : float, default 0.5
        Log-normal sigma of a post's appeal (mean 1 times the author's quality).
    mutual_affinity : float, default 0.5
        Initial affinity along a follow edge that is reciprocated (0 otherwise).
    mutual_affinity_lasts : bool, default False
        ``False``: ``mutual_affinity`` is where a reciprocated edge's affinity
        starts (in the starting graph, and when a follow-back makes a pair
        mutual); it then decays towards 0 like any affinity (half-life
        ``affinity_half_life_days``) unless interaction renews it. ``True``: it
        is also the lasting baseline of every mutual edge (the model of version
        0.3.0). With a lasting baseline each follow-back raised the engager's
        affinity to the author for good, so engagement per impression ratcheted
        up (+13% in a year under chronological ranking, +36% under engagement
        ranking at 1,000 accounts), and the world never held still. Fixed for a
        run.
    affinity_gain, affinity_max : float, default 0.1, 5.0
        Affinity added per engagement (rich-get-richer) and its ceiling.
    reciprocity_gain : float, default 0.2
        Affinity the author gains towards an engaging viewer (reciprocity).
    follow_back_prob : float, default 0.05
        Chance an author follows back a viewer who engaged (reciprocity).
    discovery_follow_prob : float, default 0.1
        Chance an engagement on a reshared or out-of-network post becomes a follow.
    unfollow_share : float, default 1.0
        The counter-force of follow-backs and discovery: each follow that takes
        effect at midnight makes its follower, with this probability, unfollow
        its weakest older tie: the one with the least affinity above its
        baseline (the least recent interaction), ties broken at random. With
        the default 1 the follows rewire the graph instead of growing it, so
        follow edges and mean followers hold still over a year (without it
        they grew about 10% a year, and engagement with them). People do
        unfollow, and mostly ties without interaction or reciprocity (Kwak,
        Chun and Moon, CHI 2011; Kivran-Swaine, Govindan and Naaman, CHI 2011;
        Xu et al., CSCW 2013); that every follow is matched by one unfollow is
        an assumption (a stationary graph). A mutual pair that loses one edge is
        no longer mutual. ``0``: no unfollows (the model of version 0.3.0).
    affinity_half_life_days : float, default 3.0
        Affinity decays towards its baseline (``mutual_affinity`` on reciprocated
        edges, 0 otherwise) with this half-life, days, applied at each midnight, so
        affinity reflects recent interaction and the steady state is bounded
        (``affinity_gain * engagements per day on the edge * half-life / ln 2``).
        An assumption: ties that are not renewed fade within weeks; ``inf``
        switches decay off (affinity then only grows, up to ``affinity_max``).
    adaptation_half_life_days : float, default 3.0
        Half-life of a creator's memory of recent response (engagements per
        organic post on the days it posts), posting days.
    adaptation_reference_days : float, default 30.0
        Half-life of what a creator is used to (its reference response), posting
        days. Both memories start as plain means of the days seen so far, so the
        first days carry no arbitrary starting value. Creators compare recent
        response with their own reference (adaptation level): in a world that
        does not change, the posting multiplier stays about 1.
    adaptation_target : float or None, default None
        ``None``: each creator's reference is learned (above). A number fixes the
        reference for every creator at that many engagements per post (the model
        before version 0.2, with ``adaptation_smoothing=0``).
    adaptation_smoothing : float, default 0.5
        Pseudo-response (engagements per post) added to both recent and reference
        response, so that creators who get little response anyway do not react
        to noise: the posting-rate multiplier is
        ``((recent + s) / (reference + s)) ** elasticity``.
    adaptation_elasticity : float, default 0.5
        Elasticity of the posting-rate multiplier, clipped to
        ``[min_rate_multiplier, max_rate_multiplier]``.
    min_rate_multiplier, max_rate_multiplier : float, default 0.1, 2.0
        Bounds of the posting-rate multiplier.
    burnout_threshold : float, default 0.5
        A posting day whose response ratio ``(recent + s) / (reference + s)``
        is below this counts towards burnout.
    burnout_days : int, default 14
        Consecutive low-response posting days after which a creator stops posting.
    burnout_rest_days : float, default 30.0
        Mean length of a burnout, days (exponential): the creator then posts again,
        its recent response reset to its reference. ``inf`` makes burnout permanent.
    join_rate, leave_rate : float, default 0.001, 0.001
        Accounts joining and leaving per present account per day. A leaver stops
        posting and viewing and its follow edges (both ways) are removed. A
        newcomer copies a prototype (the copying model of Kleinberg et al. 1999):
        one of the day's leavers while there are any (it takes over the departed
        account's niche), else a random present account. It takes the
        prototype's role; each of the prototype's follows is copied with
        probability ``1 - join_random_share`` and is otherwise replaced by a draw
        in proportion to follower count + 1 (preferential attachment), and
        likewise each of the prototype's followers follows the newcomer or is
        replaced by a random account that stays. Who leaves and joins is drawn
        from its own stream and does not depend on the feed, so two rankers run
        on one seed lose and gain the same accounts. The degree
        distribution, the role shares and the community structure therefore stay
        as they are. Equal rates keep the number of accounts flat; the default
        (about 30% of accounts replaced a year) is an assumption, not a
        measurement. Joins and departures happen at midnight.
    join_random_share : float, default 0.2
        Share of a newcomer's follows and followers not copied from its prototype.
    record_impressions : bool, default False
        Keep a per-impression log (viewer, post, time, slot, in_network) in the
        result. Memory grows with the number of impressions.
    keep_posts : bool, default True
        Keep one row per post for the whole run (``result.posts``); memory grows
        by about 90 bytes per post. ``False`` bounds memory by the state instead
        of the history: rows of expired posts are folded into per-role totals as
        the run goes (every metric of ``summary()`` is unchanged, up to float
        rounding in ``follower_reach``) and
        ``result.posts`` holds only the posts still live at the end. Needs
        ``record_impressions=False`` (the impression log refers to post rows).
        Fixed for a run.

    Examples
    --------
    >>> cfg = SimulationConfig(dynamics=False)
    >>> cfg.loop_enabled("reciprocity")
    False
    >>> SimulationConfig(tick_hours=0)
    Traceback (most recent call last):
    ...
    feedsim.errors.InvalidParameterError: tick_hours must be a finite number >= 1/60 and <= 24; got 0
    """

    tick_hours: float = _D["tick_hours"]
    max_age_hours: float = _D["max_age_hours"]
    out_of_network_share: float = _D["out_of_network_share"]
    trending_pool_size: int = _D["trending_pool_size"]
    exclude_seen: bool = _D["exclude_seen"]
    dynamics: bool = _D["dynamics"]
    rich_get_richer: bool | None = _D["rich_get_richer"]
    reciprocity: bool | None = _D["reciprocity"]
    creator_adaptation: bool | None = _D["creator_adaptation"]
    follow_discovery: bool | None = _D["follow_discovery"]
    churn: bool | None = _D["churn"]
    session_adaptation: bool = _D["session_adaptation"]
    like_rate: float = _D["like_rate"]
    reshare_rate: float = _D["reshare_rate"]
    reply_rate: float = _D["reply_rate"]
    position_decay: float = _D["position_decay"]
    appeal_sigma: float = _D["appeal_sigma"]
    mutual_affinity: float = _D["mutual_affinity"]
    mutual_affinity_lasts: bool = _D["mutual_affinity_lasts"]
    affinity_gain: float = _D["affinity_gain"]
    affinity_max: float = _D["affinity_max"]
    reciprocity_gain: float = _D["reciprocity_gain"]
    follow_back_prob: float = _D["follow_back_prob"]
    discovery_follow_prob: float = _D["discovery_follow_prob"]
    unfollow_share: float = _D["unfollow_share"]
    affinity_half_life_days: float = _D["affinity_half_life_days"]
    adaptation_half_life_days: float = _D["adaptation_half_life_days"]
    adaptation_reference_days: float = _D["adaptation_reference_days"]
    adaptation_target: float | None = _D["adaptation_target"]
    adaptation_smoothing: float = _D["adaptation_smoothing"]
    adaptation_elasticity: float = _D["adaptation_elasticity"]
    min_rate_multiplier: float = _D["min_rate_multiplier"]
    max_rate_multiplier: float = _D["max_rate_multiplier"]
    burnout_threshold: float = _D["burnout_threshold"]
    burnout_days: int = _D["burnout_days"]
    burnout_rest_days: float = _D["burnout_rest_days"]
    join_rate: float = _D["join_rate"]
    leave_rate: float = _D["leave_rate"]
    join_random_share: float = _D["join_random_share"]
    session_smoothing: float = _D["session_smoothing"]
    session_elasticity: float = _D["session_elasticity"]
    record_impressions: bool = _D["record_impressions"]
    keep_posts: bool = _D["keep_posts"]

    def __post_init__(self) -> None:
        check_config({f.name: getattr(self, f.name) for f in fields(self)})

    def loop_enabled(self, loop: str) -> bool:
        """Whether feedback loop ``loop`` (one of :data:`FEEDBACK_LOOPS`, or ``"churn"``) is on."""
        val = getattr(self, loop)
        return self.dynamics if val is None else bool(val)

    def replace(self, **changes) -> SimulationConfig:
        """Return a validated copy with ``changes`` applied.

        Raises
        ------
        InvalidParameterError
            For an unknown parameter name or a bad value.
        """
        known = {f.name for f in fields(self)}
        for key in changes:
            if key not in known:
                raise InvalidParameterError(
                    f"unknown simulation parameter {key!r}; allowed: {', '.join(sorted(known))}"
                )
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        """Return the parameters as a JSON-serialisable dict (loops resolved)."""
        out = dataclasses.asdict(self)
        for loop in (*FEEDBACK_LOOPS, "churn"):
            out[loop] = self.loop_enabled(loop)
        return out
