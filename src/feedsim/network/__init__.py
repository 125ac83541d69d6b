"""Follow graphs: array form, loaders and generators."""

from .generators import default_community
from .graph import KNOWN_NODE_ATTRIBUTES, NODE_ATTRIBUTES, ROLES, FollowGraph, GraphAttributeWarning
from .loaders import read_csv, read_edgelist, read_graphml
from .roles import assign_roles

__all__ = [
    "FollowGraph",
    "GraphAttributeWarning",
    "KNOWN_NODE_ATTRIBUTES",
    "NODE_ATTRIBUTES",
    "ROLES",
    "assign_roles",
    "default_community",
    "read_csv",
    "read_edgelist",
    "read_graphml",
]
