"""Per-role defaults for node attributes.

Missing node attributes are drawn from per-role log-normal distributions
(heavy-tailed: a few members of each role are far more active than the median).
The defaults encode participation inequality: influencers and brands post often,
regulars sometimes, quiet members rarely and lurkers never. **Appeal is the same for
every role by default** (``quality`` median 1, no spread): quiet members are quiet,
not worse.

The per-role medians and log-normal sigmas are declared once, in
:data:`feedsim.params.ACCOUNT_ATTRIBUTES` (``role_defaults`` and ``role_sigma``) and
tabled in ``docs/parameters.md``; :data:`ROLE_DEFAULTS` derives from there. A draw is
``median * exp(sigma * z)`` with ``z`` standard normal.

**Calibration** (regulars' posting rate). Pew Research Center, "Sizing Up Twitter
Users" (24 April 2019; survey of 2,791 U.S. adult Twitter users, Nov.-Dec. 2018,
tweets counted from their accounts): the 10 % of users who tweet most write
about 80 % of the tweets; the median of that group posts 138 tweets a month and
has 387 followers, the median of the other 90 % posts 2 tweets a month and has
19 followers. On the default community (:func:`feedsim.networks.default_community`,
role shares unchanged), the regulars' median 1.75 posts/day with sigma 1.25 gives,
over non-brand accounts ranked by posting rate: top decile's share of posts
about 0.79 (Pew 0.80), its median about 139 posts/month (Pew 138), the rest's
median about 1.9 posts/month (Pew 2), the rest's median follower count about 20
(Pew 19). The top decile's median follower count is about 52, far below Pew's
387: follower counts here come from a closed community with 40 follows per
account, and the generator does not tie followers to posting within a role.

**Calibration** (quiet members' and lurkers' engagement propensity, 0.1 and
0.05). Pew (same study): the top decile's median user likes 70 posts a month,
the rest's median user one. With the former propensities (quiet 1, lurker 0.4) the rest's median
account engaged about 20-30 times a month and engagements per impression were
2.9 % (chronological) to 4 % (engagement ranker), above the 1.6-3.6 % that
benchmark reports give for X (see ``tests/validation/test_calibration.py``).
With 0.1 and 0.05 the top decile's median account gives about 55-80
engagements a month, the rest's 0-4, and engagements per impression are about
1.4 % (chronological) and 1.8 % (engagement ranker), 7-day runs on 3,000
accounts. "Quiet" describes how members post *and* react; their posts' appeal
(``quality``) is unchanged.

``tests/validation/test_calibration.py`` holds the defaults to these numbers.
Other rates (sessions, attention, the other roles) are not calibrated.
``attention`` is drawn log-normal with sigma 0.3 and rounded to a whole number >= 1.
A node without a ``role`` attribute is a ``regular``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..params import ACCOUNT_ATTRIBUTES, ROLES

__all__ = ["RoleDefaults", "ROLE_DEFAULTS", "DEFAULT_ROLE"]

#: Role given to nodes without a ``role`` attribute.
DEFAULT_ROLE: str = ACCOUNT_ATTRIBUTES["role"].default


@dataclass(frozen=True)
class RoleDefaults:
    """Distribution parameters for one role (rates per day, medians).

    Attributes
    ----------
    post_rate, post_sigma : float
        Median posts/day and log-normal sigma.
    session_rate, session_sigma : float
        Median sessions/day and log-normal sigma.
    attention : float
        Median items seen per session (sigma 0.3, rounded, >= 1).
    propensity : float
        Median engagement propensity (sigma 0.3).
    quality : float
        Median appeal multiplier of the role's posts (no spread by default).
    link_share : float
        Probability that a post links off-platform.
    """

    post_rate: float
    post_sigma: float
    session_rate: float
    session_sigma: float
    attention: float
    propensity: float
    quality: float
    link_share: float


def _role_defaults(role: str) -> RoleDefaults:
    """One role's row, read from the declarations (:data:`feedsim.params.ACCOUNT_ATTRIBUTES`)."""
    A = ACCOUNT_ATTRIBUTES

    def med(name: str) -> float:
        return A[name].role_defaults[role]  # type: ignore[index]  # every numeric attribute declares them

    def sig(name: str) -> float:
        return A[name].role_sigma[role]  # type: ignore[index]

    return RoleDefaults(med("post_rate"), sig("post_rate"), med("session_rate"), sig("session_rate"),
                        med("attention"), med("propensity"), med("quality"), med("link_share"))


#: The documented defaults, keyed by role name (derived from the declarations).
ROLE_DEFAULTS: dict[str, RoleDefaults] = {role: _role_defaults(role) for role in ROLES}
