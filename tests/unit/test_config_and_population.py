"""Unit tests for SimulationConfig, Population.from_graph and the bad-input table.

Every bad input must raise InvalidParameterError (a ValueError) naming the field,
before anything runs.
"""

from __future__ import annotations

import math
import re

import networkx as nx
import numpy as np
import pytest

import feedsim
from feedsim import FEEDBACK_LOOPS, InvalidParameterError, Simulation, SimulationConfig
from feedsim.network.graph import ROLES, FollowGraph
from feedsim.population import ROLE_DEFAULTS, Population


# ------------------------------------------------------------------- config
@pytest.mark.parametrize(
    "field, value",
    [
        # the clock
        ("tick_hours", 0),
        ("tick_hours", -1.0),
        ("tick_hours", 25),
        ("tick_hours", 5),
        ("tick_hours", float("nan")),
        ("tick_hours", "1"),
        ("max_age_hours", 0.0),
        ("max_age_hours", float("inf")),
        # feed composition
        ("out_of_network_share", 1.5),
        ("out_of_network_share", -0.1),
        ("trending_pool_size", 0),
        ("trending_pool_size", 2.5),
        # switches
        ("dynamics", "yes"),
        ("dynamics", 1),
        ("rich_get_richer", 1),
        ("reciprocity", "no"),
        ("creator_adaptation", 0.0),
        ("follow_discovery", "True"),
        ("record_impressions", 1),
        # probabilities in [0, 1]
        ("like_rate", 1.5),
        ("reshare_rate", -0.01),
        ("reply_rate", float("nan")),
        ("follow_back_prob", 2),
        ("discovery_follow_prob", -1),
        # non-negative model constants
        ("position_decay", -0.5),
        ("appeal_sigma", -1.0),
        ("mutual_affinity", -0.1),
        ("affinity_gain", float("-inf")),
        ("reciprocity_gain", -1),
        ("adaptation_elasticity", -0.1),
        ("burnout_threshold", -0.2),
        # coupled and positive constants
        ("affinity_max", 0.1),  # below mutual_affinity (0.5)
        ("adaptation_target", 0),
        ("adaptation_half_life_days", 0.0),
        ("min_rate_multiplier", 1.5),
        ("max_rate_multiplier", 0.5),
        ("burnout_days", 0),
        ("burnout_days", 1.5),
    ],
)
def test_config_rejects_bad_value_naming_field_and_value(field, value):
    with pytest.raises(InvalidParameterError) as info:
        SimulationConfig(**{field: value})
    msg = str(info.value)
    assert re.match(rf"{field} must (be|divide) ", msg), msg
    assert msg.endswith(f"got {value!r}"), msg
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    "field, value",
    [
        ("tick_hours", 0.5),
        ("tick_hours", 24),
        ("tick_hours", 8),
        ("out_of_network_share", 1.0),
        ("like_rate", 0.0),
        ("affinity_max", 0.5),
        ("min_rate_multiplier", 0.0),
        ("max_rate_multiplier", 1.0),
        ("burnout_days", 1),
        ("reciprocity", np.bool_(True)),
    ],
)
def test_config_accepts_boundary_values(field, value):
    cfg = SimulationConfig(**{field: value})
    assert getattr(cfg, field) == value


def test_config_is_frozen():
    cfg = SimulationConfig()
    with pytest.raises(AttributeError):
        cfg.like_rate = 0.5  # type: ignore[misc]


@pytest.mark.parametrize("dynamics", [False, True])
def test_loop_enabled_follows_dynamics_by_default(dynamics):
    cfg = SimulationConfig(dynamics=dynamics)
    assert [cfg.loop_enabled(loop) for loop in FEEDBACK_LOOPS] == [dynamics] * len(FEEDBACK_LOOPS)
    assert all(cfg.to_dict()[loop] is dynamics for loop in FEEDBACK_LOOPS)


@pytest.mark.parametrize("loop", FEEDBACK_LOOPS)
@pytest.mark.parametrize("dynamics", [False, True])
def test_loop_override_beats_dynamics_for_that_loop_only(loop, dynamics):
    cfg = SimulationConfig(dynamics=dynamics, **{loop: not dynamics})
    for other in FEEDBACK_LOOPS:
        expected = (not dynamics) if other == loop else dynamics
        assert cfg.loop_enabled(other) is expected
        assert cfg.to_dict()[other] is expected


def test_replace_returns_validated_copy():
    cfg = SimulationConfig()
    new = cfg.replace(like_rate=0.2, reciprocity=False)
    assert (new.like_rate, new.reciprocity) == (0.2, False)
    assert (cfg.like_rate, cfg.reciprocity) == (0.05, None)
    with pytest.raises(InvalidParameterError, match=r"like_rate must be .*got 1\.2"):
        cfg.replace(like_rate=1.2)


def test_replace_rejects_unknown_key():
    message = r"unknown simulation parameter 'like_prob'; allowed: .*like_rate"
    with pytest.raises(InvalidParameterError, match=message):
        SimulationConfig().replace(like_prob=0.1)


def test_to_dict_is_json_ready_and_complete():
    import json

    d = SimulationConfig(tick_hours=2).to_dict()
    assert set(d) == set(SimulationConfig.__dataclass_fields__)
    assert json.loads(json.dumps(d)) == d


# --------------------------------------------------------------- population
def role_graph(per_role: int = 400, **node_attrs) -> nx.DiGraph:
    """``per_role`` nodes of each role on a ring (no attributes unless given)."""
    G = nx.DiGraph()
    for r, role in enumerate(ROLES):
        for i in range(per_role):
            G.add_node(r * per_role + i, role=role)
    n = G.number_of_nodes()
    G.add_edges_from((i, (i + 1) % n) for i in range(n))
    for node, attrs in node_attrs.items():
        G.nodes[int(node.lstrip("n"))].update(attrs)
    return G


def population(G, seed=0) -> Population:
    return Population.from_graph(FollowGraph.from_networkx(G), np.random.default_rng(seed))


def test_population_fills_missing_attributes_from_role_medians():
    per_role = 400
    pop = population(role_graph(per_role))
    for code, role in enumerate(ROLES):
        d = ROLE_DEFAULTS[role]
        sel = pop.role == code
        assert sel.sum() == per_role
        if d.post_rate == 0:
            assert (pop.post_rate[sel] == 0).all()
        else:
            # log rate ~ Normal(log median, sigma): mean within 5 standard errors
            se = d.post_sigma / math.sqrt(per_role)
            assert abs(np.log(pop.post_rate[sel]).mean() - math.log(d.post_rate)) < 5 * se
        se = d.session_sigma / math.sqrt(per_role)
        assert abs(np.log(pop.session_rate[sel]).mean() - math.log(d.session_rate)) < 5 * se
        assert abs(np.log(pop.propensity[sel]).mean() - math.log(d.propensity)) < 5 * 0.3 / math.sqrt(per_role)
        # attention = round(median * exp(0.3 z)): the sample median's SE is sqrt(pi / 2) * 0.3 *
        # median / sqrt(n); rounding to whole items moves it by at most 0.5
        se = math.sqrt(math.pi / 2) * 0.3 * d.attention / math.sqrt(per_role)
        assert abs(np.median(pop.attention[sel]) - d.attention) <= 5 * se + 0.5
        np.testing.assert_array_equal(pop.quality[sel], d.quality)
        np.testing.assert_array_equal(pop.link_share[sel], d.link_share)
    assert pop.attention.dtype == np.int32 and (pop.attention >= 1).all()
    assert set(pop.sources.values()) == {"role default"}


def test_quiet_members_have_the_same_quality_as_regulars_by_default():
    pop = population(role_graph(50))
    quiet = pop.quality[pop.role == ROLES.index("quiet")]
    regular = pop.quality[pop.role == ROLES.index("regular")]
    assert np.unique(quiet).tolist() == np.unique(regular).tolist() == [ROLE_DEFAULTS["regular"].quality]


def test_population_keeps_given_attributes(tiny_graph):
    tiny_graph.nodes["q"].update(post_rate=7.5, attention=3, quality=2.0)
    tiny_graph.nodes["l"].update(session_rate=0.0, link_share=1.0)
    fg = FollowGraph.from_networkx(tiny_graph)
    pop = Population.from_graph(fg, np.random.default_rng(0))
    q, l = fg.node_ids.index("q"), fg.node_ids.index("l")
    assert (pop.post_rate[q], pop.attention[q], pop.quality[q]) == (7.5, 3, 2.0)
    assert (pop.session_rate[l], pop.link_share[l]) == (0.0, 1.0)
    assert pop.post_rate[l] == 0.0  # lurker default
    assert pop.sources["post_rate"] == "graph + role default"
    assert pop.sources["propensity"] == "role default"
    assert pop.role[fg.node_ids.index("star")] == ROLES.index("influencer")


def test_population_draws_do_not_depend_on_which_attributes_are_given():
    plain = population(role_graph(20))
    given = population(role_graph(20, n3={"post_rate": 9.0, "session_rate": 1.0}))
    others = np.arange(plain.n_users) != 3
    for name in ("post_rate", "session_rate", "attention", "propensity"):
        np.testing.assert_array_equal(getattr(plain, name)[others], getattr(given, name)[others])
    assert given.post_rate[3] == 9.0


def test_nodes_without_role_are_regulars():
    G = nx.DiGraph([(0, 1), (1, 2)])
    G.nodes[2]["role"] = "brand"
    pop = population(G)
    assert pop.role.tolist() == [ROLES.index("regular"), ROLES.index("regular"), ROLES.index("brand")]


def test_population_is_reproducible_for_a_seed():
    a, b, c = population(role_graph(30), 4), population(role_graph(30), 4), population(role_graph(30), 5)
    np.testing.assert_array_equal(a.session_rate, b.session_rate)
    assert not np.array_equal(a.session_rate, c.session_rate)


# ---------------------------------------------------------- bad-input table
def graph_with(**attrs) -> nx.DiGraph:
    """A three-node cycle where node 1 carries ``attrs`` (node 0 a role, so no missing-roles warning)."""
    G = nx.DiGraph([(0, 1), (1, 2), (2, 0)])
    G.nodes[0]["role"] = "regular"
    G.nodes[1].update(attrs)
    return G


Sim, cmp, ok = Simulation, feedsim.compare, graph_with()
CHRONO = "chronological"

#: (callable, positional args, keyword args, message pattern), one row per bad input.
BAD_INPUTS = [
    # node attributes
    pytest.param(Sim, [graph_with(post_rate=-1.0)], {}, r"post_rate .*got -1\.0 \(node 1\)",
                 id="negative post_rate"),
    pytest.param(Sim, [graph_with(session_rate=float("nan"))], {}, r"session_rate .*got nan \(node 1\)",
                 id="NaN session_rate"),
    pytest.param(Sim, [graph_with(post_rate=float("inf"))], {}, r"post_rate .*got inf", id="inf post_rate"),
    pytest.param(Sim, [graph_with(attention=0)], {}, r"attention .*>= 1.*got 0", id="attention 0"),
    pytest.param(Sim, [graph_with(attention=2.5)], {}, r"attention .*whole number.*got 2\.5", id="attention 2.5"),
    pytest.param(Sim, [graph_with(link_share=1.5)], {}, r"link_share .*<= 1.*got 1\.5", id="link_share 1.5"),
    pytest.param(Sim, [graph_with(quality=0.0)], {}, r"quality .*> 0.*got 0\.0", id="quality 0"),
    pytest.param(Sim, [graph_with(propensity="high")], {}, r"propensity .*got 'high'", id="propensity str"),
    pytest.param(Sim, [graph_with(role="troll")], {}, r"role must be one of .*got 'troll' \(node 1\)",
                 id="unknown role"),
    # graphs
    pytest.param(Sim, [nx.DiGraph()], {}, r"graph must have at least one node", id="empty graph"),
    pytest.param(Sim, [[(0, 1), (1, 2)]], {}, r"graph must be a networkx\.DiGraph.*got list", id="list of edges"),
    pytest.param(Sim, [nx.Graph([(0, 1)])], {}, r"graph must be a networkx\.DiGraph.*got Graph", id="undirected"),
    # simulation keywords
    pytest.param(Sim, [ok], {"like_prob": 0.1}, r"unknown simulation parameter 'like_prob'", id="unknown keyword"),
    pytest.param(Sim, [ok], {"ranker": "nope"}, r"ranker must be one of .*got 'nope'", id="unknown ranker"),
    pytest.param(Sim, [ok], {"ranker": 42}, r"ranker must be .*callable.*got int", id="non-callable ranker"),
    pytest.param(Sim, [ok], {"out_of_network_share": -0.2}, r"out_of_network_share must be .*got -0\.2",
                 id="negative out_of_network_share"),
    pytest.param(Sim, [ok], {"tick_hours": 5}, r"tick_hours must divide 24 .*got 5", id="tick_hours 5"),
    pytest.param(Sim, [ok], {"seed": -1}, r"seed must be .*got -1", id="seed -1"),
    pytest.param(Sim, [ok], {"seed": 1.5}, r"seed must be .*got 1\.5", id="float seed"),
    pytest.param(Sim, [ok], {"dynamics": "off"}, r"dynamics must be True or False; got 'off'", id="dynamics str"),
    # compare
    pytest.param(cmp, [ok, [CHRONO, CHRONO]], {"days": 1}, r"rankers must have distinct names; got chronological",
                 id="duplicate rankers"),
    pytest.param(cmp, [ok, []], {"days": 1}, r"rankers must name at least one", id="no rankers"),
    pytest.param(cmp, [ok, [CHRONO, "nope"]], {"days": 1}, r"ranker must be one of .*got 'nope'",
                 id="compare unknown ranker"),
]


@pytest.mark.parametrize("fn, args, kwargs, message", BAD_INPUTS)
def test_bad_input_raises_before_any_run(fn, args, kwargs, message):
    with pytest.raises(InvalidParameterError, match=message) as info:
        fn(*args, **kwargs)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    "days, message",
    [
        (0, r"days must be a finite number > 0 and <= 100000; got 0"),
        (-1, r"days must be .*got -1"),
        (1 / 48, r"at least one tick of 1.0 h"),
        (1.5 / 24, r"whole number of ticks"),
    ],
)
def test_run_rejects_bad_days(days, message):
    sim = Simulation(graph_with(), seed=0)
    with pytest.raises(InvalidParameterError, match=message):
        sim.run(days=days)
    assert sim.now == 0.0


def test_exclude_seen_and_keep_posts_must_be_booleans():
    from feedsim.engine.config import SimulationConfig
    from feedsim.errors import InvalidParameterError

    for name in ("exclude_seen", "keep_posts"):
        with pytest.raises(InvalidParameterError, match=rf"{name} must be True or False; got 'no'"):
            SimulationConfig(**{name: "no"})
