"""The implementation of :mod:`feedsim.networks` (generators, loaders, the array form).

Import the public names from :mod:`feedsim.networks`. Reading them from this
package (``feedsim.network.default_community``, ``feedsim.network.ROLES``, ...)
still works for one release and warns with a ``DeprecationWarning``; the
submodules (``feedsim.network.graph``, ``.loaders``, ``.generators``, ``.roles``)
are internal.
"""

from __future__ import annotations

import importlib
import warnings

_MOVED = {
    "FollowGraph": "graph",
    "GraphAttributeWarning": "graph",
    "KNOWN_NODE_ATTRIBUTES": "graph",
    "NODE_ATTRIBUTES": "graph",
    "ROLES": "graph",
    "assign_roles": "roles",
    "default_community": "generators",
    "read_csv": "loaders",
    "read_edgelist": "loaders",
    "read_graphml": "loaders",
}

__all__: list[str] = []


def __getattr__(name: str):
    if name in _MOVED:
        warnings.warn(
            f"feedsim.network.{name} is deprecated and will be removed in the next release; "
            f"use feedsim.networks.{name}",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(importlib.import_module(f"{__name__}.{_MOVED[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
