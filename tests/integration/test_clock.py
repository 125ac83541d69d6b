"""One clock: the platform's tick; hours, the day, the keyed draws and SimPy follow it."""

from __future__ import annotations

import numpy as np
import pytest

import feedsim
from feedsim import CheckpointError, RunFailedError, Simulation
from feedsim.engine import checkpoint as ck
from feedsim.engine import engagement, tick
from feedsim.engine.clock import hours_at, tick_at, tick_end, ticks_per_day

DAYS = 4


@pytest.fixture(scope="module")
def graph():
    return feedsim.networks.default_community(200, seed=3)


def make_sim(graph, tick_hours=2.0):
    sim = Simulation(graph, ranker="engagement", seed=7, tick_hours=tick_hours, churn=True, leave_rate=0.02,
                     join_rate=0.02)
    sim.set_param("out_of_network_share", 0.3, at_hours=30.5)  # inside tick 15 (30-32 h): acts before tick 16
    sim.switch_ranker("chronological", at_day=2)
    sim.campaign([0, 1], posts_per_day=4.0, start_day=1, days=1.5)
    sim.add_accounts(5, role="quiet", at_day=2.5, follows=3)
    return sim


class Trace:
    """Records, for every tick run, what each clock says (and the keyed draws' tick coordinate)."""

    def __init__(self, monkeypatch):
        self.rows: list[tuple] = []
        self.draws: list[tuple[int, int]] = []
        self.sim: Simulation | None = None
        run_tick, poisson, actions = tick.run_tick, tick.keyed_poisson_rates, engagement.draw_actions

        def traced_run_tick(p):
            assert self.sim is not None and p is self.sim.platform
            self.rows.append((p.tick, p.hours, p.day, self.sim.now, p.cfg.out_of_network_share, p.ranker_label,
                              float(p.accounts.sponsored_rate.sum()), p.n_users))
            run_tick(p)

        def traced_poisson(key, stream, at_tick, *args):
            self.draws.append((self.sim.platform.tick, int(at_tick)))
            return poisson(key, stream, at_tick, *args)

        def traced_actions(key, at_tick, *args):
            self.draws.append((self.sim.platform.tick, int(at_tick)))
            return actions(key, at_tick, *args)

        monkeypatch.setattr(tick, "run_tick", traced_run_tick)
        monkeypatch.setattr(tick, "keyed_poisson_rates", traced_poisson)
        monkeypatch.setattr(engagement, "draw_actions", traced_actions)


def check_clocks(rows, draws, tick_hours, first=0):
    per_day = ticks_per_day(tick_hours)
    ticks = [r[0] for r in rows]
    assert ticks == list(range(first, first + len(rows)))  # one tick at a time, none repeated or skipped
    for k, hours, day, now, *_ in rows:
        assert hours == now == hours_at(k, tick_hours) == k * tick_hours  # SimPy follows the tick
        assert day == k // per_day
    assert draws and all(a == b for a, b in draws)  # every keyed draw is at the tick that runs


@pytest.mark.parametrize("tick_hours", [2.0, 0.5])
def test_hours_day_and_draw_coordinate_follow_the_one_tick_through_interventions_and_a_resume(
        graph, tmp_path, monkeypatch, tick_hours):
    trace = Trace(monkeypatch)
    trace.sim = ref = make_sim(graph, tick_hours)
    ref_res = ref.run(days=DAYS)
    n = DAYS * ticks_per_day(tick_hours)
    check_clocks(trace.rows, trace.draws, tick_hours)
    assert len(trace.rows) == n and ref.platform.tick == n and ref_res.stats["ticks"] == n
    assert ref.now == ref.platform.hours == DAYS * 24.0 and ref.platform.day == DAYS == len(ref_res.daily["posts"])
    # each intervention acts just before the first tick that starts at or after its time
    at = {r[0]: r for r in trace.rows}

    def share(k):
        return at[k][4]

    def ranker(k):
        return at[k][5]

    def sponsored(k):
        return at[k][6]

    def n_users(k):
        return at[k][7]

    k_param = tick_at(30.5, tick_hours)
    assert (share(k_param - 1), share(k_param)) == (0.0, 0.3)
    assert (ranker(tick_at(48, tick_hours) - 1), ranker(tick_at(48, tick_hours))) == ("engagement", "chronological")
    assert (sponsored(tick_at(24, tick_hours) - 1), sponsored(tick_at(24, tick_hours))) == (0.0, 8.0)
    assert (sponsored(tick_at(60, tick_hours) - 1), sponsored(tick_at(60, tick_hours))) == (8.0, 0.0)
    assert n_users(tick_at(60, tick_hours)) - n_users(tick_at(60, tick_hours) - 1) == 5
    assert [i["hours"] for i in ref_res.interventions] == [hours_at(tick_at(t, tick_hours), tick_hours)
                                                           for t in (24, 30.5, 48, 60, 60)]

    # the same run, killed after day 2 and resumed from its checkpoint
    path = tmp_path / "run.ckpt"
    trace.rows, trace.draws = [], []
    trace.sim = sim = make_sim(graph, tick_hours)

    def crash(info):
        if info.day == 2:
            raise RuntimeError("killed")

    with pytest.raises(RunFailedError, match=r"after 2 days, hour 48\)"):
        sim.run(days=DAYS, checkpoint=path, on_checkpoint=crash)
    assert ck.checkpoint_info(path).hours == 48.0
    before = trace.rows
    trace.rows = []
    trace.sim = sim = make_sim(graph, tick_hours)
    res = sim.run(days=DAYS, checkpoint=path)
    half = 2 * ticks_per_day(tick_hours)
    assert trace.rows[0][0] == half  # resumed at the saved tick, with SimPy's clock on it
    check_clocks(trace.rows, trace.draws, tick_hours, first=half)
    assert before[:half] + trace.rows == list(at.values())  # every clock, tick by tick, as without the crash
    assert res.interventions == ref_res.interventions and res.summary() == ref_res.summary()
    for key in ref_res.daily:
        assert np.array_equal(res.daily[key], ref_res.daily[key], equal_nan=True), key


def test_an_intervention_at_time_zero_acts_before_the_first_tick(graph, monkeypatch):
    # (before the one clock, an action due at hour 0 acted after tick 0)
    trace = Trace(monkeypatch)
    trace.sim = sim = Simulation(graph, seed=1)
    sim.set_param("out_of_network_share", 0.5, at_day=0)
    res = sim.run(days=0.25)
    assert [r[4] for r in trace.rows] == [0.5] * 6
    assert res.interventions[0]["hours"] == 0.0 and res.config_history[1][0] == 0.0


def test_an_intervention_due_when_a_run_ends_survives_its_final_checkpoint(graph, tmp_path):
    # (before the one clock, a run resumed from a checkpoint written at the end of a run
    # dropped the interventions due at that moment)
    def make():
        sim = Simulation(graph, seed=1)
        sim.set_param("out_of_network_share", 0.3, at_day=3)
        return sim

    path = tmp_path / "c"
    make().run(days=3, checkpoint=path, checkpoint_every_days=2)  # days 2 and 3 (the end) written
    assert ck.checkpoint_info(path).day == 3
    resumed, ref = make().run(days=4, checkpoint=path), make().run(days=4)
    assert resumed.interventions == ref.interventions and len(ref.interventions) == 1
    assert resumed.summary() == ref.summary()


def test_an_action_scheduled_for_a_tick_already_run_acts_before_the_next_one(graph):
    sim = Simulation(graph, seed=1)
    seen = []

    def late(s):  # at hour 3, after tick 3 has run: an action "at hour 3" can only act before tick 4
        yield s.env.timeout(3)
        yield s.env.timeout(0)  # (the platform process lets what is due at 3 act first, then runs tick 3)
        yield s.env.timeout(0)
        assert s.platform.tick == 4
        s.schedule(lambda s2: seen.append(s2.platform.tick), at_hours=3)

    sim.process(late)
    res = sim.run(days=0.25)
    assert seen == [4] and res.interventions[0]["hours"] == 4.0


def test_the_clocks_are_checked_equal(graph):
    sim = Simulation(graph, seed=1)

    def skew(s):
        yield s.env.timeout(2.5)
        s.platform.tick += 1  # nothing but the platform process may move the clock

    sim.process(skew)
    with pytest.raises(RuntimeError, match=r"SimPy's clock \(3.0 h\) is not at tick 4 \(4.0 h\)"):
        sim.run(days=1)


def test_a_checkpoint_of_another_format_is_refused_clearly(graph, tmp_path, monkeypatch):
    path = tmp_path / "c"
    Simulation(graph, seed=1).run(days=1, checkpoint=path)
    monkeypatch.setattr(ck, "FORMAT", ck.FORMAT + 1)
    with pytest.raises(CheckpointError, match=rf"^checkpoint {path} has file format {ck.FORMAT - 1} and this feedsim "
                                              rf"reads format {ck.FORMAT}; resume it with the feedsim that wrote it"):
        Simulation(graph, seed=1).run(days=2, checkpoint=path)


def test_clock_conversions():
    assert [tick_at(h, 1.0) for h in (0, 0.5, 1, 23.999999999999996, 24.2)] == [0, 1, 1, 24, 25]
    assert tick_at(24.0, 0.1) == 240 and tick_at(0.3, 0.1) == 3 and hours_at(240, 0.1) == 240 * 0.1
    assert ticks_per_day(0.1) == 240 and tick_end(239, 0.1) == 239 * 0.1 + 0.1
