"""Follow graphs: array form, loaders and generators."""

from .generators import default_community
from .graph import NODE_ATTRIBUTES, ROLES, FollowGraph
from .loaders import read_csv, read_edgelist, read_graphml

__all__ = [
    "FollowGraph",
    "NODE_ATTRIBUTES",
    "ROLES",
    "default_community",
    "read_csv",
    "read_edgelist",
    "read_graphml",
]
