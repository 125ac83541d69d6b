"""``set_param`` changes are part of the result: ``interventions`` and ``config_history``."""

import pickle

import pytest

import feedsim


@pytest.fixture(scope="module")
def changed():
    sim = feedsim.Simulation(feedsim.networks.default_community(300, seed=2), ranker="engagement", seed=5)
    sim.set_param("out_of_network_share", 0.2, at_day=1)
    sim.set_param("max_age_hours", 36.0, at_day=2)
    sim.switch_ranker("chronological", at_day=2)
    return sim.run(days=3)


def test_history_lists_each_change_in_order(changed):
    hist = changed.config_history
    assert [h for h, _ in hist] == [0.0, 24.0, 48.0]
    assert [c.out_of_network_share for _, c in hist] == [0.0, 0.2, 0.2]
    assert [c.max_age_hours for _, c in hist] == [changed.config.max_age_hours] * 2 + [36.0]
    assert hist[0][1] == changed.config  # the start is the run's config
    sets = [i for i in changed.interventions if "param" in i]
    assert [(i["param"], i["value"]) for i in sets] == [("out_of_network_share", 0.2), ("max_age_hours", 36.0)]
    assert any(i["action"] == "switch ranker to chronological" and "param" not in i for i in changed.interventions)


def test_history_survives_save_load_and_pickle(changed, tmp_path):
    pytest.importorskip("pyarrow")
    changed.save(tmp_path / "run")
    loaded = feedsim.load_result(tmp_path / "run")
    assert loaded.config_history == changed.config_history
    assert pickle.loads(pickle.dumps(changed)).config_history == changed.config_history


def test_history_survives_a_checkpoint_resume(tmp_path):
    G = feedsim.networks.default_community(200, seed=1)

    def build():
        sim = feedsim.Simulation(G, seed=3)
        sim.set_param("out_of_network_share", 0.1, at_day=1)
        return sim

    path = tmp_path / "run.ckpt"
    whole = build().run(days=3)
    first = build()
    first.run(days=2, checkpoint=path)
    resumed = build().run(days=3, checkpoint=path)
    assert resumed.config_history == whole.config_history
    assert resumed.summary() == whole.summary()
