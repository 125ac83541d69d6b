"""Follow networks: generate a synthetic community or load a real one.

Every function returns a ``networkx.DiGraph`` in which edge ``(u, v)`` means
**u follows v** (so v's posts can reach u's feed); :func:`default_community` can
also return the array form, a :class:`FollowGraph`.

- :func:`default_community`: a synthetic community with roles (influencer, regular,
  quiet, brand, lurker), uneven communities, heavy-tailed follower counts and
  role-dependent reciprocity, fully determined by ``seed``.
- :func:`read_edgelist`: SNAP-style ``u v`` text files.
- :func:`read_csv`: CSV edge tables with a header row.
- :func:`read_graphml`: directed GraphML files.
- :func:`assign_roles`: roles for a graph without them, with the default community's joint distribution
  of role and follower count (or activity data, when given).
- :class:`FollowGraph`: the array (CSR) form; :data:`ROLES`: the role names in code order.

This is the one public module for graphs (``feedsim.network`` is its internal
implementation package).

Examples
--------
>>> from feedsim.networks import default_community
>>> G = default_community(200, mean_follows=10, seed=0)
>>> G.number_of_nodes()
200
"""

from __future__ import annotations

from .network.generators import default_community
from .network.graph import (
    KNOWN_NODE_ATTRIBUTES,
    NODE_ATTRIBUTES,
    ROLES,
    FollowGraph,
    GraphAttributeWarning,
    SelfLoopWarning,
)
from .network.loaders import read_csv, read_edgelist, read_graphml
from .network.roles import assign_roles

__all__ = [
    "FollowGraph",
    "GraphAttributeWarning",
    "KNOWN_NODE_ATTRIBUTES",
    "NODE_ATTRIBUTES",
    "ROLES",
    "SelfLoopWarning",
    "assign_roles",
    "default_community",
    "read_csv",
    "read_edgelist",
    "read_graphml",
]
