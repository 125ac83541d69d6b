"""The parameter declarations (feedsim.params): one generic test per declared row, walked
through every path that takes the row, and regressions of the issue-34 findings."""

# ruff: noqa: B023 (each lambda is called at once by expect_refused, inside its loop iteration)
from __future__ import annotations

import dataclasses
import math
import pathlib
import warnings

import networkx as nx
import numpy as np
import pytest

import feedsim
from feedsim import params
from feedsim.engine.accounts import EDITABLE
from feedsim.engine.config import SimulationConfig
from feedsim.errors import InvalidParameterError, SweepSpecError
from feedsim.networks import NODE_ATTRIBUTES, SelfLoopWarning
from feedsim.params import ACCOUNT_ATTRIBUTES, DAYS, SIMULATION_PARAMS, Param
from feedsim.population.roles import ROLE_DEFAULTS

DOCS = pathlib.Path(__file__).resolve().parents[2] / "docs" / "parameters.md"


@pytest.fixture(scope="module")
def G() -> nx.DiGraph:
    return feedsim.networks.default_community(60, seed=1, mean_follows=10)


@pytest.fixture(scope="module")
def sim(G) -> feedsim.Simulation:
    return feedsim.Simulation(G, seed=1)


def bad_values(p: Param) -> list[tuple[str, object]]:
    """Every kind of value the row rules out: (what, value)."""
    out: list[tuple[str, object]] = []
    if p.kind in ("float", "int"):
        if p.low is not None:
            out.append(("below low", float(p.low) - 1 if p.kind == "float" else int(p.low) - 1))
            if p.low > 0:
                out.append(("far below low", float(p.low) * 1e-9))
            if p.low_open:
                out.append(("at the open low", p.low))
        if p.high is not None:
            out.append(("above high", float(p.high) * 2 + 1 if p.kind == "float" else int(p.high) + 1))
            if p.high_open:
                out.append(("at the open high", p.high))
        out += [("nan", math.nan), ("-inf", -math.inf), ("string", "2"), ("bool", True)]
        if not p.allow_inf or p.high is not None:
            out.append(("inf", math.inf))
        if p.kind == "int":
            out.append(("float for an int", float(p.low or 0) + 2.5))
        if not p.optional:
            out.append(("None", None))
    elif p.kind == "bool":
        out += [("int", 1), ("string", "yes")]
        if not p.optional:
            out.append(("None", None))
    else:
        out += [("unknown", "nonsense"), ("number", 1)]
    return out


def shown(value) -> list[str]:
    """How a message may show ``value``."""
    if isinstance(value, (bool, str)) or value is None:
        return [repr(value)]
    return [repr(value), repr(float(value))]


def assert_message(err: BaseException, label: str, p: Param, value, what: str, path: str) -> None:
    msg = str(err)
    where = f"{p.name} = {value!r} ({what}) through {path}"
    assert isinstance(err, InvalidParameterError), f"{where}: {type(err).__name__}: {msg}"
    assert "\n" not in msg, f"{where}: more than one line: {msg}"
    assert msg.startswith(f"{label} must be "), f"{where}: does not name the field: {msg}"
    assert any(f"got {s}" in msg for s in shown(value)), f"{where}: does not show the value: {msg}"
    rule = {"bool": "True or False", "choice": "one of"}.get(p.kind, p.bounds)
    assert rule in msg, f"{where}: does not state the rule {rule!r}: {msg}"


def expect_refused(fn, label, p, value, what, path, failures) -> None:
    try:
        fn()
    except Exception as err:  # noqa: BLE001 - any other exception is a finding, reported below
        try:
            assert_message(err, label, p, value, what, path)
        except AssertionError as fail:
            failures.append(str(fail))
    else:
        failures.append(f"{p.name} = {value!r} ({what}) accepted through {path}")


# ------------------------------------------------------------------ one generic test per row
@pytest.mark.parametrize("name", list(SIMULATION_PARAMS))
def test_simulation_parameter_refuses_every_bad_value_on_every_path(name, G, sim):
    p = SIMULATION_PARAMS[name]
    failures: list[str] = []
    for what, value in bad_values(p):
        expect_refused(lambda: SimulationConfig(**{name: value}), name, p, value, what, "SimulationConfig",
                       failures)
        expect_refused(lambda: feedsim.Simulation(G, seed=1, **{name: value}), name, p, value, what,
                       "Simulation(G, **kw)", failures)
        if p.mutable:
            expect_refused(lambda: sim.set_param(name, value, at_day=1), name, p, value, what, "set_param",
                           failures)
    if not p.mutable:  # any value, even the default, is refused mid-run, saying so
        with pytest.raises(InvalidParameterError, match=rf"^{name} cannot change during a run .*got set_param"):
            sim.set_param(name, p.default, at_day=1)
    else:
        sim.set_param(name, p.default, at_day=1)  # the default itself passes
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name", list(SIMULATION_PARAMS))
def test_sweep_spec_value_refuses_every_bad_value(name):
    from feedsim.sweeps.spec import normalize_value

    p = SIMULATION_PARAMS[name]
    failures = []
    for what, value in bad_values(p):
        if value is None:  # TOML has no None
            continue
        try:
            normalize_value(name, value, f"base.{name}")
        except SweepSpecError as err:
            msg = str(err)
            if not msg.startswith(f"base.{name} must be ") or "\n" in msg or not any(
                    f"got {v}" in msg for v in shown(value)):
                failures.append(f"{name} = {value!r} ({what}): {msg}")
        else:
            failures.append(f"{name} = {value!r} ({what}) accepted by a sweep spec")
    if p.default is not None:
        assert normalize_value(name, p.default, f"base.{name}") == p.default  # the default passes
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name", list(ACCOUNT_ATTRIBUTES))
def test_account_attribute_refuses_every_bad_value_on_every_path(name, G, sim):
    p = ACCOUNT_ATTRIBUTES[name]
    failures: list[str] = []
    node = next(iter(G.nodes))
    for what, value in bad_values(p):
        if value is not None:  # a missing node attribute is None: it means "draw from the role"
            H = G.copy()
            H.nodes[node][name] = value
            expect_refused(lambda: feedsim.Simulation(H, seed=1), name, p, value, what, "a node attribute",
                           failures)
        kw = {"role": value} if name == "role" else {name: value}
        expect_refused(lambda: sim.add_accounts(1, at_day=1, **kw), name, p, value, what, "add_accounts", failures)
        if p.mutable:
            expect_refused(lambda: sim.accounts.set(name, [0], value), f"accounts.{name}", p, value, what,
                           "sim.accounts.set", failures)
            expect_refused(lambda: setattr(sim.accounts, name, value), f"accounts.{name}", p, value, what,
                           f"sim.accounts.{name} = ...", failures)
    if p.mutable:
        before = getattr(sim.accounts, name).copy()
        sim.accounts.set(name, [0], before[0])  # a good value passes
    else:
        with pytest.raises(AttributeError, match="cannot be set"):
            setattr(sim.accounts, name, 0)
    assert not failures, "\n".join(failures)


def test_node_attribute_messages_name_the_node(G):
    H = G.copy()
    node = list(H.nodes)[7]
    for value in ("2", True, 0.0):
        H.nodes[node]["post_rate" if value != 0.0 else "quality"] = value
        with pytest.raises(InvalidParameterError, match=rf"\(node {node!r}\)$"):
            feedsim.Simulation(H, seed=1)
        H = G.copy()


@pytest.mark.parametrize("what, value", bad_values(DAYS))
def test_days_refused_on_every_path(what, value, G, sim):
    failures: list[str] = []
    expect_refused(lambda: sim.run(days=value), "days", DAYS, value, what, "Simulation.run", failures)
    expect_refused(lambda: sim.estimate_memory(days=value), "days", DAYS, value, what, "sim.estimate_memory",
                   failures)
    expect_refused(lambda: feedsim.compare(G, days=value, seed=1), "days", DAYS, value, what, "compare",
                   failures)
    expect_refused(lambda: feedsim.run_worlds(G, ["chronological"], 2, value, seed=1), "days", DAYS, value,
                   what, "run_worlds", failures)
    expect_refused(lambda: sim.campaign([0], posts_per_day=1, start_day=1, days=value), "days", DAYS, value,
                   what, "campaign", failures)
    assert sim.now == 0.0
    assert not failures, "\n".join(failures)


# ------------------------------------------------------------------ derived, not copied
def test_config_fields_are_the_declared_rows_with_their_defaults():
    fields = dataclasses.fields(SimulationConfig)
    assert [f.name for f in fields] == list(SIMULATION_PARAMS)
    assert {f.name: f.default for f in fields} == {n: p.default for n, p in SIMULATION_PARAMS.items()}
    SimulationConfig()  # the declared defaults pass the declared rules


def test_config_docstring_states_the_declared_defaults():
    import re

    stated = {}
    for names, defaults in re.findall(r"^    ([a-z_, ]+) : [^\n]*?, default ([^\n]+)$", SimulationConfig.__doc__ or "",
                                      flags=re.M):
        stated.update(zip(names.split(", "), defaults.split(", ")))
    assert len(stated) >= 30  # the parser found the documented defaults
    for name, text in stated.items():
        assert text == repr(SIMULATION_PARAMS[name].default), f"{name}: docstring says {text}"


def test_account_tables_derive_from_the_declaration():
    numeric = [n for n, p in ACCOUNT_ATTRIBUTES.items() if p.kind != "choice"]
    assert list(NODE_ATTRIBUTES) == numeric == list(EDITABLE)
    for role, row in ROLE_DEFAULTS.items():
        assert row.post_rate == ACCOUNT_ATTRIBUTES["post_rate"].role_defaults[role]
        assert row.session_sigma == ACCOUNT_ATTRIBUTES["session_rate"].role_sigma[role]
        for n in numeric:  # every declared median is a valid value of its own row
            ACCOUNT_ATTRIBUTES[n].check(ACCOUNT_ATTRIBUTES[n].role_defaults[role])


def test_docs_table_is_generated_from_the_declaration():
    assert DOCS.read_text() == params.markdown_table(), (
        "docs/parameters.md is stale: regenerate it with "
        "python -c \"import feedsim.params as p; open('docs/parameters.md', 'w').write(p.markdown_table())\"")


def test_cross_field_rules_are_checked():
    with pytest.raises(InvalidParameterError, match=r"^tick_hours must divide 24 evenly .*got 5$"):
        SimulationConfig(tick_hours=5)
    with pytest.raises(InvalidParameterError, match=r"^affinity_max must be a finite number >= 2.0; got 1.0$"):
        SimulationConfig(mutual_affinity=2.0, affinity_max=1.0)
    with pytest.raises(InvalidParameterError, match=r"^record_impressions=True needs keep_posts=True"):
        SimulationConfig(record_impressions=True, keep_posts=False)


def test_unknown_name_is_refused():
    with pytest.raises(InvalidParameterError, match=r"unknown parameter 'like_rat'"):
        params.check("like_rat", 0.1)


# ------------------------------------------------------------------ issue-34 regressions
def test_add_accounts_refuses_quality_zero_like_every_other_path(sim):
    with pytest.raises(InvalidParameterError, match=r"^quality must be a finite number > 0.0; got 0.0$"):
        sim.add_accounts(5, at_day=1, quality=0.0)


@pytest.mark.parametrize("value", ["2", True])
def test_node_post_rate_string_or_bool_refused_naming_the_node(G, value):
    H = G.copy()
    H.nodes[3]["post_rate"] = value
    with pytest.raises(InvalidParameterError, match=rf"^post_rate must be .*; got {value!r} \(node 3\)$"):
        feedsim.Simulation(H, seed=1)


def test_huge_and_tiny_days_are_one_line_errors(G, sim):
    for days in (1e308, 1e-12):
        with pytest.raises(InvalidParameterError, match=r"^days must "):
            sim.run(days=days)
    with pytest.raises(InvalidParameterError, match=r"^days must cover at least one tick of 1.0 h; got 1e-12$"):
        sim.run(days=1e-12)
    with pytest.raises(InvalidParameterError, match=r"^days must be a finite number > 0 and <= 100000; got nan$"):
        feedsim.estimate_memory(sim.graph, sim.population, sim.config, days=float("nan"))
    with pytest.raises(SweepSpecError, match=r"days must be a finite number > 0 and <= 100000; got 1e\+308"):
        feedsim.sweeps.SweepSpec(seed=1, days=1e308, graph={"n_users": 60, "seed": 0}, grid={"like_rate": [0.05]})
    assert sim.now == 0.0


def test_tiny_ticks_refused_and_ticks_per_run_bounded(G):
    with pytest.raises(InvalidParameterError, match=r"^tick_hours must be a finite number >= 1/60 and <= 24; "
                                                    r"got 1e-09$"):
        feedsim.Simulation(G, tick_hours=1e-9)
    s = feedsim.Simulation(G, seed=1, tick_hours=1 / 60, memory_limit=None)
    with pytest.raises(InvalidParameterError, match=r"at most 10,000,000 ticks .*got 10000"):
        s.run(days=10_000)  # 14.4 million one-minute ticks: refused before any work
    assert s.now == 0.0


def test_explorer_refuses_days_shorter_than_a_tick():
    from feedsim.lesson.state import ExploreParams

    with pytest.raises(InvalidParameterError, match=r"^days must cover at least one tick of 1.0 h; got 1e-300$"):
        ExploreParams(days=1e-300)


def test_memory_limit_reported_as_given(G):
    with pytest.raises(InvalidParameterError, match=r"^memory_limit must be .*; got '0 GB'$"):
        feedsim.Simulation(G, seed=1, memory_limit="0 GB")


def test_summary_baseline_must_be_a_run_of_the_same_graph(G):
    a = feedsim.Simulation(G, seed=1).run(days=1)
    with pytest.raises(InvalidParameterError, match=r"^baseline must be a SimulationResult .*got str 'x'$"):
        a.summary(baseline="x")
    other = feedsim.Simulation(feedsim.networks.default_community(60, seed=2, mean_follows=10), seed=1).run(days=1)
    with pytest.raises(InvalidParameterError, match=r"^baseline must be a run of the same graph .*differs"):
        a.summary(baseline=other)
    assert "amplification" in a.summary(baseline=a)


def test_self_loops_one_rule_in_memory_and_from_a_file(tmp_path):
    G = nx.scale_free_graph(100, seed=1)  # a MultiDiGraph with self-loops
    nx.set_node_attributes(G, "regular", "role")
    with pytest.warns(SelfLoopWarning, match=r"self-loops .*dropped.*remove_edges_from"):
        in_memory = feedsim.Simulation(G, seed=1).graph
    path = tmp_path / "sf.txt"
    path.write_text("".join(f"{u} {v}\n" for u, v in G.edges()))
    with pytest.warns(SelfLoopWarning, match=r"self-loops .*sf\.txt.*dropped.*delete the lines"):
        from_file = feedsim.networks.read_edgelist(path, as_arrays=True)
    assert in_memory.n_edges == from_file.n_edges
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        G.remove_edges_from(list(nx.selfloop_edges(G)))  # the fix the warning gives silences it
        assert feedsim.Simulation(G, seed=1).graph.n_edges == in_memory.n_edges


def test_int_parameter_refuses_a_bool():  # check_int took True for 1
    with pytest.raises(InvalidParameterError, match=r"^trending_pool_size must be an integer >= 1; got True$"):
        SimulationConfig(trending_pool_size=True)


def test_cli_days_option_reads_the_declaration():
    from feedsim.cli import build_parser

    text = build_parser()._subparsers._group_actions[0].choices["run"].format_help()  # type: ignore[union-attr]
    assert DAYS.rule in " ".join(text.split())
    assert np.isfinite(DAYS.high)
