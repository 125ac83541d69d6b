"""One colour per role and one per ranker, shared by every figure.

Every figure of the library, the experiments and the notebooks takes its colours
from here, so a role (or a ranker) has the same colour in every figure. Roles
use the colour-blind-safe Okabe-Ito palette; rankers use colours from Paul Tol's
colour-blind-safe schemes that are not role colours, so a ranker line is never
mistaken for a role. A ranker without its own colour (a custom one) gets a
stable colour from a reserve list, picked from its name.
"""

from __future__ import annotations

import zlib

from ..network.graph import ROLES

__all__ = ["ROLE_COLORS", "RANKER_COLORS", "role_color", "ranker_color", "label_color", "UNSHOWN_COLOR",
           "NEUTRAL_COLOR"]

#: Colour of each role (colour-blind-safe Okabe-Ito palette).
ROLE_COLORS: dict[str, str] = {
    "influencer": "#D55E00",
    "regular": "#0072B2",
    "quiet": "#009E73",
    "brand": "#CC79A7",
    "lurker": "#999999",
}

#: Colour of each built-in ranker and preset.
RANKER_COLORS: dict[str, str] = {
    "chronological": "#332288",
    "engagement": "#E69F00",
    "fair_exposure": "#44AA99",
    "platform_favoring": "#882255",
    "popularity": "#AA4499",
    "random": "#777777",
    "twitter_2023": "#DDCC77",
    "x_2026": "#000000",
    "reddit_hot": "#CC6677",
    "simsom": "#117733",
    "facebook_msi": "#88CCEE",
}

#: Colours for rankers not listed above (chosen by a hash of the name).
_RESERVE = ("#661100", "#6699CC", "#999933", "#AA4466", "#4477AA", "#228833")

#: Greyed items (candidates a feed did not show) and reference lines.
UNSHOWN_COLOR = "#BBBBBB"
NEUTRAL_COLOR = "#666666"

assert tuple(ROLE_COLORS) == ROLES
assert not set(RANKER_COLORS.values()) & set(ROLE_COLORS.values())


def role_color(role: str) -> str:
    """The colour of a role (black for a name that is not a role).

    Examples
    --------
    >>> role_color("quiet")
    '#009E73'
    """
    return ROLE_COLORS.get(str(role), "#000000")


def ranker_color(name: str) -> str:
    """The colour of a ranker by name; the same name always gets the same colour.

    Examples
    --------
    >>> ranker_color("engagement")
    '#E69F00'
    >>> ranker_color("my_ranker") == ranker_color("my_ranker")
    True
    """
    name = str(name)
    if name in RANKER_COLORS:
        return RANKER_COLORS[name]
    return _RESERVE[zlib.crc32(name.encode()) % len(_RESERVE)]


#: Words a figure may use for a role (legend entries such as "quiet members").
_ROLE_NAMES = {
    **{r: r for r in ROLE_COLORS},
    "influencers": "influencer", "regular member": "regular", "regular members": "regular",
    "quiet member": "quiet", "quiet members": "quiet", "brands": "brand", "lurkers": "lurker",
}


def label_color(label: str) -> str | None:
    """The palette colour a legend entry asks for, or None if it names no role or ranker.

    The entry's head (the text before `` (``, ``, `` or ``: ``) is read as a ranker
    (``"fair exposure"`` or ``"fair_exposure"``) or a role (``"quiet"``,
    ``"quiet members"``); anything else (an arm, a strategy) has no palette colour.

    Examples
    --------
    >>> label_color("engagement (Gini 0.41)") == RANKER_COLORS["engagement"]
    True
    >>> label_color("quiet members") == ROLE_COLORS["quiet"]
    True
    >>> label_color("reciprocity on") is None
    True
    """
    text = str(label).strip().lower()
    if not text or text.startswith("_"):
        return None
    head = text
    for sep in (" (", ", ", ": "):
        head = head.split(sep)[0]
    head = head.strip()
    key = head.replace(" ", "_")
    if key in RANKER_COLORS:
        return RANKER_COLORS[key]
    if head in _ROLE_NAMES:
        return ROLE_COLORS[_ROLE_NAMES[head]]
    return None
