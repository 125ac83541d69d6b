"""One colour per role, shared by every figure."""

from __future__ import annotations

from ..network.graph import ROLES

__all__ = ["ROLE_COLORS"]

#: Colour of each role (colour-blind-safe Okabe-Ito palette).
ROLE_COLORS: dict[str, str] = {
    "influencer": "#D55E00",
    "regular": "#0072B2",
    "quiet": "#009E73",
    "brand": "#CC79A7",
    "lurker": "#999999",
}

assert tuple(ROLE_COLORS) == ROLES
