"""The guided path: five steps, each setting the controls and saying one sentence computed from the numbers shown.

1. the community (newest-first feed), 2. the two feeds, 3. whose posts disappear
(with the person view), 4. why: the feedback loops one at a time, 5. what a fairer
feed recovers. A step is ``(title, controls it sets, controls it hides)``;
:func:`step_sentence` makes its sentence from states computed with the same
:class:`~feedsim.lesson.state.RunCache` as the page (so the numbers are the ones
on screen).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

from ..engine.config import FEEDBACK_LOOPS
from ..network.graph import ROLES
from .state import BASELINE, ExploreParams, ExploreState, person_view
from .words import LOOP_WORDS, ROLE_WORDS, and_list, ranker_phrase

__all__ = ["Step", "STEPS", "step_sentence", "NO_VISIBLE_POINTS"]


class Step(NamedTuple):
    """One step of the guided path."""

    title: str
    sets: dict[str, Any]
    hides: tuple[str, ...]


_LOOPS = tuple(FEEDBACK_LOOPS)

STEPS: tuple[Step, ...] = (
    Step("The community", {"ranker": BASELINE}, ("ranker", *_LOOPS, "out_of_network_share")),
    Step("The two feeds", {"ranker": "engagement"}, (*_LOOPS, "out_of_network_share")),
    Step("Whose posts disappear", {"ranker": "engagement"}, (*_LOOPS, "out_of_network_share")),
    Step("Why: the feedback loops, one at a time", {"ranker": "engagement"}, ("ranker", "out_of_network_share")),
    Step("What a fairer feed recovers", {"ranker": "fair_exposure", **{loop: True for loop in _LOOPS}},
         (*_LOOPS, "out_of_network_share")),
)

#: A loop whose switch moves quiet members' gap by less than this (percentage points) and within its
#: interval makes "no visible difference" at the current settings.
NO_VISIBLE_POINTS = 1.0


def _of100(x: float) -> str:
    return "-" if not math.isfinite(x) else f"{100 * x:.0f}"


def _gap(st: ExploreState, role: str = "quiet") -> float:
    return float(st.reach_difference[role]["estimate"]) if st.params.ranker != BASELINE else math.nan


def loop_effects(params: ExploreParams, state: Callable[[ExploreParams], ExploreState]) -> dict[str, dict]:
    """For each feedback loop: quiet members' gap (points) with it switched the other way, and whether it shows.

    ``state`` computes a state (the page's cached one). A loop is visible when the
    gap moves by at least :data:`NO_VISIBLE_POINTS` and by more than the larger
    half-width of the two gaps' intervals.
    """
    here = state(params)
    gap, ci = _gap(here), here.reach_difference["quiet"]
    half = (ci["ci_high"] - ci["ci_low"]) / 2 if math.isfinite(ci["ci_low"]) else math.nan
    out = {}
    for loop in FEEDBACK_LOOPS:
        other = state(params.replace(**{loop: not getattr(params, loop)}))
        g = other.reach_difference["quiet"]
        half_o = (g["ci_high"] - g["ci_low"]) / 2 if math.isfinite(g["ci_low"]) else math.nan
        moved = 100 * (_gap(other) - gap)
        noise = 100 * max(half, half_o) if math.isfinite(half) and math.isfinite(half_o) else 0.0
        out[loop] = {"on": bool(getattr(params, loop)), "gap_points": 100 * _gap(other), "moved_points": moved,
                     "visible": bool(abs(moved) >= NO_VISIBLE_POINTS and abs(moved) > noise)}
    return out


def step_sentence(step: int, st: ExploreState, state: Callable[[ExploreParams], ExploreState],
                  person: dict | None = None) -> dict[str, Any]:
    """The sentence of guided step ``step`` (0-based) for the state on screen; also what the step hides.

    Returns ``{"step", "title", "sentence", "hides", "loops"}`` (``loops``: per feedback loop, at step 4).
    """
    s = STEPS[step]
    hides = list(s.hides)
    loops = None
    q = st.reach
    if step == 0:
        res = st.results[BASELINE][0]
        counts = res.role_table()["accounts"]
        parts = [f"{int(counts[ROLES.index(r)])} {ROLE_WORDS[r][0]}" for r in ROLES if counts[ROLES.index(r)]]
        sentence = (f"This community has {st.params.n_users:,} members ({', '.join(parts)}). On the newest-first "
                    f"feed, quiet members' posts reach {_of100(q[BASELINE]['quiet']['estimate'])} of every 100 of "
                    f"their followers and influencers' posts {_of100(q[BASELINE]['influencer']['estimate'])}.")
    elif step == 1:
        sentence = st.reach_sentence
        if st.params.ranker != BASELINE:
            inf = q[st.params.ranker]["influencer"]["estimate"]
            sentence += (f" Influencers' posts: {_of100(inf)} instead of "
                         f"{_of100(q[BASELINE]['influencer']['estimate'])}.")
    elif step == 2:
        sentence = (person or person_view(st))["sentence"]
    elif step == 3:
        loops = loop_effects(st.params, state)
        seen = [f"switching {LOOP_WORDS[k][0]} {'off' if v['on'] else 'on'} changes quiet members' gap by "
                f"{v['moved_points']:+.0f} points" for k, v in loops.items() if v["visible"]]
        unseen = [LOOP_WORDS[k][0] for k, v in loops.items() if not v["visible"]]
        hides += [k for k, v in loops.items() if not v["visible"]]
        sentence = (f"With every loop as set, quiet members lose {-100 * _gap(st):.0f} points of follower reach "
                    f"on the {ranker_phrase(st.params.ranker)} feed. "
                    + ("; ".join(seen).capitalize() + ". " if seen else "No single loop changes that visibly. ")
                    + (f"{and_list(unseen).capitalize()} make{'s' if len(unseen) == 1 else ''} no visible difference "
                       f"in "
                       f"{st.params.days:g} days at these settings (hidden here)." if unseen else ""))
    else:
        eng = state(st.params.replace(ranker="engagement"))
        lost = eng.reach_difference["quiet"]["estimate"]
        now = st.reach_difference["quiet"]["estimate"]
        back = (now - lost) / -lost if math.isfinite(lost) and lost < 0 else math.nan
        if not math.isfinite(back):
            ending = "."
        elif back >= 1:
            ending = ": it more than wins back what the engagement feed took from them."
        else:
            ending = f": it wins back {100 * back:.0f}% of what the engagement feed took from them."
        sentence = (f"On the {ranker_phrase(st.params.ranker)} feed quiet members' posts reach "
                    f"{_of100(q[st.params.ranker]['quiet']['estimate'])} of every 100 followers, against "
                    f"{_of100(q[BASELINE]['quiet']['estimate'])} newest first and "
                    f"{_of100(eng.reach['engagement']['quiet']['estimate'])} most engaging first" + ending)
    return {"step": step, "title": s.title, "sentence": sentence, "hides": hides, "loops": loops,
            "sets": s.sets, "steps": len(STEPS)}
