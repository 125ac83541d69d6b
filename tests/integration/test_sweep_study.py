"""The walls a study hit with the sweep machinery (issue 15), one test (or a few) per wall."""

from __future__ import annotations

import warnings

import networkx as nx
import numpy as np
import pytest

import feedsim
from feedsim.amplification import group_reach
from feedsim.networks import GraphAttributeWarning, assign_roles, default_community
from feedsim.sweeps import SweepSpec, SweepSpecError, aggregate, load_daily, load_results, run_sweep


def write_edgelist(path, G) -> None:
    path.write_text("# u follows v\n" + "\n".join(f"{u} {v}" for u, v in sorted(G.edges)) + "\n")


@pytest.fixture(scope="module")
def graph_file(tmp_path_factory):
    folder = tmp_path_factory.mktemp("study")
    write_edgelist(folder / "follows.txt", default_community(150, mean_follows=10, seed=3))
    return folder / "follows.txt"


# ------------------------------------------------------------- 1. graphs
def test_a_toml_spec_reads_its_graph_file_relative_to_its_folder(graph_file, tmp_path):
    spec_path = graph_file.parent / "spec.toml"
    spec_path.write_text('seed = 1\ndays = 1\nmetrics = ["impression_share"]\n'
                         '[graph]\nfile = "follows.txt"\nassign_roles = true\n'
                         '[grid]\nranker = ["chronological", "engagement"]\n')
    spec = SweepSpec.from_toml(spec_path)
    db = tmp_path / "r.sqlite"
    assert run_sweep(spec, db, workers=1).n_failed == 0
    table = load_results(db)
    assert len(set(table["graph_sha256"])) == 1
    # roles were assigned: more than one role has a share of impressions
    assert np.sum(table["impression_share.quiet"] > 0) + np.sum(table["impression_share.regular"] > 0) >= 2


def test_a_csv_graph_takes_loader_options(tmp_path):
    G = default_community(80, mean_follows=6, seed=1)
    (tmp_path / "f.csv").write_text("who,whom\n" + "\n".join(f"{u},{v}" for u, v in G.edges) + "\n")
    spec = SweepSpec(seed=1, days=1, graph={"file": "f.csv", "source": "who", "target": "whom", "assign_roles": True},
                     grid={"ranker": ["chronological"]}, metrics=["n_posts"], root=tmp_path)
    assert run_sweep(spec, tmp_path / "r.sqlite", workers=1).n_failed == 0
    with pytest.raises(SweepSpecError, match=r"graph.comments is not an option of the csv loader"):
        SweepSpec(seed=1, days=1, graph={"file": "f.csv", "comments": "%"}, grid={"ranker": ["chronological"]})


def test_community_parameters_can_be_swept(tmp_path):
    spec = SweepSpec(seed=1, days=1, graph={"n_users": 120, "seed": 0},
                     grid={"graph.mean_follows": [4, 12], "ranker": ["chronological"]}, metrics=["n_impressions"])
    run_sweep(spec, tmp_path / "r.sqlite", workers=1)
    table = load_results(tmp_path / "r.sqlite")
    assert table["graph.mean_follows"].tolist() == [4.0, 12.0]
    assert len(set(table["point_key"])) == 2 and len(set(table["spawn_key"])) == 2
    # more follows, more candidates, more impressions (the graphs really differ)
    assert table["n_impressions"][1] > table["n_impressions"][0]
    with pytest.raises(SweepSpecError, match=r"did you mean 'graph.mean_follows'"):
        SweepSpec(seed=1, days=1, grid={"graph.mean_folows": [4, 12]})


def test_graph_replicates_draw_a_new_graph_per_replicate_shared_by_the_arms():
    spec = SweepSpec(seed=1, days=1, replicates=2, graph={"n_users": 150, "seed": 0}, graph_replicates=True,
                     grid={"ranker": ["chronological", "engagement"]})
    runs = spec.runs()
    graphs = {(r.ranker, r.replicate): feedsim.sweeps.graphs.load_graph(r.graph, r.graph_replicate) for r in runs}
    g0, g1 = graphs[("chronological", 0)], graphs[("chronological", 1)]
    assert not np.array_equal(g0.indices, g1.indices)
    np.testing.assert_array_equal(g0.indices, graphs[("engagement", 0)].indices)
    # the same community compare(150, seed=0, replicates=2) and the explorer draw for replicate 1
    np.testing.assert_array_equal(g1.indices, feedsim.replicate_community(150, seed=0, replicate=1).indices)
    fixed = SweepSpec(seed=1, days=1, replicates=2, graph={"n_users": 150, "seed": 0}, grid={"ranker": ["random"]})
    a, b = (feedsim.sweeps.graphs.load_graph(r.graph, r.graph_replicate) for r in fixed.runs())
    np.testing.assert_array_equal(a.indices, b.indices)
    with pytest.raises(SweepSpecError, match="graph_replicates needs a generated graph"):
        SweepSpec(seed=1, days=1, graph={"file": "x.txt"}, graph_replicates=True, grid={"ranker": ["random"]})


def test_a_changed_graph_file_is_a_different_point(tmp_path):
    G = default_community(100, mean_follows=6, seed=2)
    assign_roles(G)
    path = tmp_path / "f.txt"
    write_edgelist(path, G)
    spec = SweepSpec(seed=1, days=1, graph={"file": str(path), "assign_roles": True}, grid={"ranker": ["random"]},
                     metrics=["n_impressions"])
    db = tmp_path / "r.sqlite"
    assert run_sweep(spec, db, workers=1).done == 1
    assert run_sweep(spec, db, workers=1).skipped == 1
    G.remove_edges_from(list(G.edges)[:50])
    write_edgelist(path, G)
    report = run_sweep(spec, db, workers=1)
    assert report.done == 1 and report.skipped == 0
    assert len(set(load_results(db)["graph_sha256"])) == 2


# ------------------------------------------------- 2. paired contrasts
@pytest.fixture(scope="module")
def paired_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("paired") / "r.sqlite"
    spec = SweepSpec(seed=5, days=2, replicates=6, graph={"n_users": 300, "seed": 1},
                     grid={"ranker": ["engagement"]},
                     metrics=["voice_ratio.quiet", "gini_impressions", "amplification", "follower_amplification"])
    assert run_sweep(spec, db, workers=1).n_failed == 0
    return spec, db


def test_paired_contrast_is_the_mean_of_per_seed_differences_and_tighter(paired_db):
    _, db = paired_db
    table = load_results(db)
    chrono = table["ranker"] == "chronological"
    by_rep = {int(r): v for r, v in zip(table["replicate"][chrono], table["gini_impressions"][chrono])}
    diffs = [v - by_rep[int(r)] for r, v in zip(table["replicate"][~chrono], table["gini_impressions"][~chrono])]
    p = aggregate(table, "gini_impressions", contrast="ranker", baseline="chronological", as_pandas=False)
    u = aggregate(table, "gini_impressions", contrast="ranker", paired=False, as_pandas=False)
    assert p["ranker"].tolist() == ["engagement"] and p["baseline"].tolist() == ["chronological"]
    assert p["gini_impressions.mean"][0] == pytest.approx(np.mean(diffs))
    assert p["gini_impressions.sd"][0] == pytest.approx(np.std(diffs, ddof=1))
    assert u["gini_impressions.mean"][0] == pytest.approx(p["gini_impressions.mean"][0])
    width = {k: a["gini_impressions.ci_high"][0] - a["gini_impressions.ci_low"][0] for k, a in (("p", p), ("u", u))}
    # common random numbers: the arms' replicates are positively correlated, so pairing narrows the interval
    assert width["p"] < width["u"]


def test_paired_contrast_refuses_arms_that_do_not_share_seeds(tmp_path):
    spec = SweepSpec(seed=1, days=1, replicates=2, graph={"n_users": 100, "seed": 0},
                     grid={"out_of_network_share": [0.0, 0.2]}, metrics=["gini_impressions"])
    run_sweep(spec, tmp_path / "r.sqlite", workers=1)
    table = load_results(tmp_path / "r.sqlite")
    with pytest.raises(feedsim.InvalidParameterError, match="share seeds"):
        aggregate(table, "gini_impressions", contrast="out_of_network_share", baseline=0.0)
    out = aggregate(table, "gini_impressions", contrast="out_of_network_share", baseline=0.0, paired=False,
                    as_pandas=False)
    assert out["out_of_network_share"].tolist() == [0.2]
    with pytest.raises(feedsim.InvalidParameterError, match="baseline must be a value"):
        aggregate(table, "gini_impressions", contrast="out_of_network_share", baseline=0.5)


def test_amplification_is_reach_per_post_over_the_chronological_run_of_the_same_seed(paired_db):
    spec, db = paired_db
    table = load_results(db)
    # the chronological partner was added to the plan
    assert sorted(set(table["ranker"])) == ["chronological", "engagement"]
    run = next(r for r in spec.runs() if r.ranker == "engagement" and r.replicate == 0)
    graph = feedsim.sweeps.graphs.load_graph(run.graph)
    reach = {}
    for ranker in ("engagement", "chronological"):
        res = feedsim.Simulation(graph, ranker=ranker, seed=run.seed.seed_sequence()).run(days=spec.days)
        reach[ranker] = group_reach(res)
    i = int(np.flatnonzero((table["ranker"] == "engagement") & (table["replicate"] == 0))[0])
    for kind, col in (("role", "amplification.quiet"), ("followers", "follower_amplification.20-99")):
        label = col.partition(".")[2]
        (ti, tp), (ci, cp) = reach["engagement"][kind][label], reach["chronological"][kind][label]
        assert table[col][i] == pytest.approx((ti / tp) / (ci / cp) - 1.0)
    assert np.all(table["amplification.quiet"][table["ranker"] == "chronological"] == 0.0)


def test_intervals_stay_inside_the_feasible_range():
    t = {"ranker": np.array(["a"] * 3, dtype=object), "status": np.array(["ok"] * 3, dtype=object),
         "creator_retention": np.array([0.05, 0.95, 0.31]), "n_impressions": np.array([1.0, 400.0, 3.0]),
         "impression_share.quiet": np.array([0.0, 0.9, 0.4]), "amplification.quiet": np.array([-0.9, 2.0, 0.1])}
    agg = aggregate(t, as_pandas=False)
    for m, (lo, hi) in (("creator_retention", (0, 1)), ("impression_share.quiet", (0, 1)),
                        ("n_impressions", (0, np.inf)), ("amplification.quiet", (-1, np.inf))):
        assert lo <= agg[f"{m}.ci_low"][0] < agg[f"{m}.ci_high"][0] <= hi, m
        # the ordinary t-interval of these values leaves the range (the wall)
        x = t[m]
        half = 4.303 * x.std(ddof=1) / np.sqrt(3)
        assert x.mean() - half < lo or x.mean() + half > hi


# ------------------------------------------------- 3. custom code identity
def _fresh_v1(c, rng):
    return -c.age_hours


def _fresh_v2(c, rng):
    return -2.0 * c.age_hours + c.affinity


def test_an_edited_ranker_makes_new_runs_and_the_store_says_which_version(tmp_path):
    db = tmp_path / "r.sqlite"

    def spec_with(fn):
        return SweepSpec(seed=1, days=1, graph={"n_users": 100, "seed": 0}, grid={"ranker": [fn]},
                         metrics=["gini_impressions"])

    v1 = _fresh_v1
    assert run_sweep(spec_with(v1), db, workers=1).done == 1
    assert run_sweep(spec_with(v1), db, workers=1).skipped == 1
    edited = _fresh_v2
    edited.__name__ = edited.__qualname__ = "_fresh_v1"  # the same name, another body: "edited in place"
    report = run_sweep(spec_with(edited), db, workers=1)
    assert report.done == 1 and report.skipped == 0
    table = load_results(db)
    versions = table["ranker_version"].tolist()
    assert len(set(versions)) == 2 and all(v.split("@")[0].endswith("._fresh_v1") for v in versions)
    assert len(set(table["ranker"])) == 2 and all(r.startswith("_fresh_v1@sha256:") for r in table["ranker"])


def test_a_given_version_is_used_instead_of_the_code_hash():
    from feedsim.sweeps import ranker_version

    def ranker(c, rng):
        return c.age_hours

    a = ranker_version(ranker)
    ranker.version = "2026-12"
    assert ranker_version(ranker).endswith("@2026-12") and a != ranker_version(ranker)
    w1 = feedsim.rankers.EngagementRanker()
    w2 = feedsim.rankers.EngagementRanker(like_weight=2.0)
    assert ranker_version(w1) != ranker_version(w2)  # the parameters count


# ------------------------------------------------------- 4. tidy tables
def test_tables_are_typed_in_grid_order_with_long_form_and_joined_daily(tmp_path):
    pd = pytest.importorskip("pandas")
    spec = SweepSpec(seed=1, days=2, replicates=2, graph={"n_users": 100, "seed": 0},
                     grid={"out_of_network_share": [0.3, 0.0], "ranker": ["random", "chronological"]},
                     metrics=["voice_ratio.quiet", "gini_impressions"], daily=["impressions_by_role"])
    run_sweep(spec, tmp_path / "r.sqlite", workers=2)
    t = load_results(tmp_path / "r.sqlite")
    order = [(p["out_of_network_share"], feedsim.rankers.registry.ranker_name(p["ranker"]), r)
             for p in spec.points() for r in range(2)]
    assert list(zip(t["out_of_network_share"], t["ranker"], t["replicate"])) == order
    assert t["error"].isna().all() and t["error"].dtype == object
    assert pd.api.types.is_datetime64_any_dtype(t["started_at"]) and str(t["started_at"].dt.tz) == "UTC"
    assert t["seed_entropy"].dtype == np.int64 and t["replicate"].dtype == np.int64
    long = load_results(tmp_path / "r.sqlite", form="long")
    assert len(long) == 2 * len(t) and set(long["metric"]) == {"voice_ratio", "gini_impressions"}
    assert set(long.loc[long["metric"] == "voice_ratio", "role"]) == {"quiet"}
    assert long.loc[long["metric"] == "gini_impressions", "role"].isna().all()
    d = load_daily(tmp_path / "r.sqlite")
    assert d["day"].dtype == np.int64 and sorted(set(d["day"])) == [0, 1]
    assert {"out_of_network_share", "ranker", "replicate", "series", "role"} <= set(d.columns)
    assert set(d["series"]) == {"impressions_by_role"} and set(d["role"]) == set(feedsim.ROLES)
    assert list(d["run_key"].drop_duplicates()) == list(t["run_key"])


# ------------------------------------------------- 5. helpful refusals
@pytest.mark.parametrize("kwargs, hint", [
    ({"metrics": ["voice_ratio.quite"]}, "did you mean 'voice_ratio.quiet'"),
    ({"metrics": ["amplificaton"]}, "did you mean 'amplification'"),
    ({"grid": {"out_of_netwrk_share": [0.1]}}, "did you mean 'out_of_network_share'"),
    ({"base": {"like_rte": 0.1}}, "did you mean 'like_rate'"),
    ({"daily": ["impresions"]}, "did you mean 'impressions'"),
])
def test_typos_get_did_you_mean(kwargs, hint):
    kwargs = {"seed": 1, "days": 1, "grid": {"ranker": ["chronological"]}, **kwargs}
    with pytest.raises(SweepSpecError, match=hint):
        SweepSpec(**kwargs)
    with pytest.raises(SweepSpecError, match="did you mean 'replicates'"):
        SweepSpec.from_dict({"seed": 1, "days": 1, "replicate": 3, "grid": {"ranker": ["random"]}})


def test_an_unknown_node_attribute_warns_naming_it_and_the_known_ones(tiny_graph):
    G = tiny_graph.copy()
    G.nodes["a"]["postrate"] = 5.0
    with pytest.warns(GraphAttributeWarning, match=r"'postrate' \(1 nodes, did you mean 'post_rate'\?\).*"
                                                   r"known attributes: role, post_rate"):
        feedsim.Simulation(G, seed=0)


# ------------------------------------------------- 7. roles for real graphs
def test_a_graph_without_roles_warns_once_and_says_how_to_assign_them():
    G = nx.DiGraph([(0, 1), (1, 2), (2, 0), (3, 0)])
    with pytest.warns(GraphAttributeWarning, match=r"no 'role'.*assign_roles\(G\)") as record:
        feedsim.Simulation(G, seed=0)
    assert len(record) == 1
    assign_roles(G)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        feedsim.Simulation(G, seed=0)


def test_a_sweep_on_a_file_without_roles_warns_once_before_running(graph_file, tmp_path):
    spec = SweepSpec(seed=1, days=1, replicates=2, graph={"file": str(graph_file)},
                     grid={"ranker": ["chronological", "random"]}, metrics=["n_posts"])
    with pytest.warns(GraphAttributeWarning, match="assign_roles") as record:
        run_sweep(spec, tmp_path / "r.sqlite", workers=1)
    assert len([w for w in record if issubclass(w.category, GraphAttributeWarning)]) == 1


@pytest.mark.parametrize("n", [500, 3000])
def test_assign_roles_matches_the_default_community_shares_and_ordering(n):
    G = default_community(n, seed=4)
    true = dict(G.nodes(data="role"))
    H = nx.DiGraph(G.edges)
    H.add_nodes_from(G.nodes)
    assign_roles(H, method="followers")  # the quantile rule (the default is tests/unit/test_assign_roles.py)
    got = dict(H.nodes(data="role"))
    for role in feedsim.ROLES:
        assert sum(r == role for r in got.values()) == sum(r == role for r in true.values())
    agreement = np.mean([true[v] == got[v] for v in G])
    chance = sum((sum(r == role for r in true.values()) / n) ** 2 for role in feedsim.ROLES)
    # far above what a random assignment with the same shares agrees by chance (binomial se < 0.03)
    assert agreement > chance + 0.1
    top = sorted(G, key=lambda v: -G.in_degree(v))[: max(1, n // 100)]
    assert all(got[v] == "influencer" for v in top)


def test_assign_roles_uses_activity_for_regular_quiet_and_lurker():
    G = nx.DiGraph([(i, 0) for i in range(1, 100)])
    activity = {v: (0 if v < 50 else v) for v in G}
    assign_roles(G, activity=activity, shares={"influencer": 0.01, "regular": 0.29, "quiet": 0.3, "lurker": 0.4},
                 method="followers")
    assert G.nodes[0]["role"] == "influencer"
    assert all(G.nodes[v]["role"] == "regular" for v in range(71, 100))
    # 40 lurkers among the 49 inactive accounts (ties: node order), the other 9 quiet
    assert all(G.nodes[v]["role"] == "lurker" for v in range(10, 50))
    assert all(G.nodes[v]["role"] == "quiet" for v in range(1, 10))
    with pytest.raises(feedsim.InvalidParameterError, match="activity must be a finite number >= 0"):
        assign_roles(G, activity={v: -1 for v in G})


def test_cli_results_prints_paired_and_unpaired_contrasts(paired_db, capsys):
    from feedsim.cli import main

    _, db = paired_db
    assert main(["results", str(db), "--contrast", "ranker"]) == 0
    paired = capsys.readouterr().out
    assert main(["results", str(db), "--contrast", "ranker", "--unpaired"]) == 0
    unpaired = capsys.readouterr().out
    assert "paired by seed" in paired and "unpaired (Welch)" in unpaired and "gini_impressions" in paired
    table = load_results(db)
    d = aggregate(table, "gini_impressions", contrast="ranker", as_pandas=False)
    assert f"{d['gini_impressions.mean'][0]:+10.4f}" in paired
