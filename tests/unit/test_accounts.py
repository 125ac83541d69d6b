"""``sim.accounts``: the one public way for user code to read and change accounts."""

import numpy as np
import pytest

import feedsim
from feedsim.engine.accounts import EDITABLE, READ_ONLY
from feedsim.errors import InvalidParameterError


@pytest.fixture(scope="module")
def graph():
    return feedsim.networks.default_community(300, seed=4)


def test_editable_attributes_are_the_engines_arrays(graph):
    sim = feedsim.Simulation(graph, seed=1)
    for name in EDITABLE:
        assert getattr(sim.accounts, name) is getattr(sim.platform.pop, name)
    sim.accounts.post_rate[:5] = 0.0  # in place: the engine sees it
    assert (sim.platform.pop.post_rate[:5] == 0).all()


def test_augmented_assignment_is_checked_and_written(graph):
    sim = feedsim.Simulation(graph, seed=1)
    before = sim.accounts.session_rate.copy()
    sim.accounts.session_rate *= 1.5
    np.testing.assert_array_equal(sim.platform.pop.session_rate, before * 1.5)


def test_a_process_through_accounts_equals_one_through_the_platform(graph):
    """The public way and the old internal way change the same state: same run, bit for bit."""

    def via_accounts(sim):
        yield sim.env.timeout(24)
        sim.accounts.session_rate *= 2.0
        sim.accounts.set("post_rate", sim.accounts.ids("quiet"), 3.0)

    def via_platform(sim):
        yield sim.env.timeout(24)
        sim.platform.pop.session_rate *= 2.0
        sim.platform.pop.post_rate[sim.platform.pop.role == feedsim.networks.ROLES.index("quiet")] = 3.0

    results = []
    for proc in (via_accounts, via_platform):
        sim = feedsim.Simulation(graph, ranker="engagement", seed=7)
        sim.process(proc)
        results.append(sim.run(days=3))
    a, b = results
    assert a.summary() == b.summary()
    np.testing.assert_array_equal(a.posts.author, b.posts.author)


def test_doubling_session_rate_doubles_sessions(graph):
    """Sessions are Poisson: after the change the day's count is about twice the day before."""

    def double(sim):
        yield sim.env.timeout(2 * 24)
        sim.accounts.session_rate *= 2.0

    sim = feedsim.Simulation(graph, seed=3, dynamics=False)
    sim.process(double)
    res = sim.run(days=4)
    sessions = np.asarray(res.daily["sessions"], dtype=float)
    before, after = sessions[:2].sum(), sessions[2:].sum()
    # Poisson counts: the ratio's log has standard error about sqrt(1/before + 1/after)
    se = np.sqrt(1 / before + 1 / after)
    assert abs(np.log(after / before) - np.log(2.0)) < 4 * se


@pytest.mark.parametrize(
    "name, value, words",
    [
        ("post_rate", -1.0, ">= 0"),
        ("post_rate", np.nan, "finite"),
        ("session_rate", 1e9, "<= 86400"),
        ("attention", 10**12, "<= 1000000"),
        ("attention", 2.5, "whole number"),
        ("link_share", 1.5, "<= 1"),
    ],
)
def test_bad_values_are_refused_before_anything_is_written(graph, name, value, words):
    sim = feedsim.Simulation(graph, seed=1)
    before = getattr(sim.accounts, name).copy()
    with pytest.raises(InvalidParameterError, match=f"accounts.{name}") as err:
        sim.accounts.set(name, [3, 4], value)
    assert words in str(err.value) and "(account 3)" in str(err.value)
    with pytest.raises(InvalidParameterError, match=f"accounts.{name}"):
        setattr(sim.accounts, name, value)
    np.testing.assert_array_equal(getattr(sim.accounts, name), before)


def test_attention_too_large_is_refused_not_wrapped(graph):
    sim = feedsim.Simulation(graph, seed=1)
    with pytest.raises(InvalidParameterError, match="attention"):
        sim.accounts.attention = np.full(len(sim.accounts), 2**40)
    assert sim.accounts.attention.min() >= 1


def test_bad_in_place_edit_in_a_process_stops_the_next_tick(graph):
    def typo(sim):
        yield sim.env.timeout(30)
        sim.accounts.post_rate[17] = 1e9  # in place: checked before the next tick

    sim = feedsim.Simulation(graph, seed=1)
    sim.process(typo)
    with pytest.raises(InvalidParameterError) as err:
        sim.run(days=3)
    msg = str(err.value)
    assert "accounts.post_rate" in msg and "account 17" in msg and "hour 30" in msg
    assert sim.platform.posts.n < 10_000  # stopped before the huge rate was used


def test_bad_in_place_edit_between_runs_is_refused_at_run(graph):
    sim = feedsim.Simulation(graph, seed=1)
    sim.run(days=1)
    sim.accounts.session_rate[2] = -3.0
    with pytest.raises(InvalidParameterError, match=r"accounts.session_rate.*account 2.*hour 24"):
        sim.run(days=1)


def test_read_only_attributes(graph):
    sim = feedsim.Simulation(graph, seed=1)
    for name in READ_ONLY:
        arr = getattr(sim.accounts, name)
        assert len(arr) == len(sim.accounts)
        with pytest.raises(ValueError):
            arr[0] = arr[0]
        with pytest.raises(AttributeError, match="cannot be set"):
            setattr(sim.accounts, name, arr)
    np.testing.assert_array_equal(sim.accounts.followers, sim.graph.in_degree())
    with pytest.raises(AttributeError, match="editable"):
        sim.accounts.postrate  # noqa: B018 - a typo names the known attributes


def test_accounts_grow_with_added_accounts(graph):
    sim = feedsim.Simulation(graph, seed=1, dynamics=False)  # no joins from churn: only these 20
    sim.add_accounts(20, role="quiet", at_day=1, follows=5)
    sim.run(days=2)
    assert len(sim.accounts) == graph.number_of_nodes() + 20
    assert len(sim.accounts.post_rate) == len(sim.accounts)
    new = np.arange(graph.number_of_nodes(), len(sim.accounts))
    assert (sim.accounts.role_names[new] == "quiet").all()
    assert (sim.accounts.joined_day[new] == 1).all()
    assert set(sim.accounts.ids("quiet")) >= set(new.tolist())
    frame = sim.accounts.to_frame()
    assert len(frame) == len(sim.accounts) and frame.index.name == "account"


def test_bad_index_and_role(graph):
    sim = feedsim.Simulation(graph, seed=1)
    with pytest.raises(InvalidParameterError, match="indices"):
        sim.accounts.set("quality", [10**6], 1.0)
    with pytest.raises(InvalidParameterError, match="role must be one of"):
        sim.accounts.ids("lurkers")
