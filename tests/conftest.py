"""Shared fixtures: Hypothesis profiles, a small default community and a tiny hand-made graph.

Warnings are errors for the whole suite (``filterwarnings = ["error"]`` in
``pyproject.toml``). The Hypothesis profile ``ci`` is loaded by default; pick another
with ``HYPOTHESIS_PROFILE=dev pytest ...``.
"""

from __future__ import annotations

import os

import networkx as nx
import pytest
from hypothesis import HealthCheck, settings

import feedsim

settings.register_profile(
    "ci",
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile(
    "dev",
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def community() -> nx.DiGraph:
    """The default community of 300 accounts, seed 1 (every role present).

    Session-scoped and shared: tests must not mutate it (``Simulation`` only reads it).
    """
    return feedsim.networks.default_community(300, seed=1)


@pytest.fixture
def tiny_graph() -> nx.DiGraph:
    """Six accounts, edge ``(u, v)``: u follows v.

    ``star`` is an influencer followed by everyone; ``a``-``b`` and ``c``-``d`` are
    mutual pairs of regulars; ``q`` is a quiet member followed only by ``a``; ``l``
    is a lurker who follows ``star`` and ``q`` and is followed by nobody.
    """
    G = nx.DiGraph()
    G.add_node("star", role="influencer")
    for node in ("a", "b", "c", "d"):
        G.add_node(node, role="regular")
    G.add_node("q", role="quiet")
    G.add_node("l", role="lurker")
    G.add_edges_from(
        [
            ("a", "star"), ("b", "star"), ("c", "star"), ("d", "star"), ("q", "star"), ("l", "star"),
            ("a", "b"), ("b", "a"), ("c", "d"), ("d", "c"),
            ("a", "q"), ("l", "q"),
        ]
    )
    return G
