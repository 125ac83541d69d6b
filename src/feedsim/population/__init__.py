"""Agent state (struct of arrays) and per-role attribute defaults."""

from .roles import DEFAULT_ROLE, ROLE_DEFAULTS, RoleDefaults
from .state import Population, draw_role_attributes, role_codes

__all__ = [
    "DEFAULT_ROLE",
    "ROLE_DEFAULTS",
    "RoleDefaults",
    "Population",
    "draw_role_attributes",
    "role_codes",
]
