"""Unit tests for the follow-graph loaders: round trips, id types and clear errors."""

from __future__ import annotations

import networkx as nx
import pytest

from feedsim.errors import InvalidParameterError
from feedsim.networks import SelfLoopWarning, default_community, read_csv, read_edgelist, read_graphml


@pytest.fixture(scope="module")
def small_graph() -> nx.DiGraph:
    return default_community(60, mean_follows=6, seed=1)


# --------------------------------------------------------------- edge lists
def test_edgelist_round_trip(tmp_path, small_graph):
    path = tmp_path / "follows.txt"
    lines = ["# Directed graph: u follows v", "# FromNodeId\tToNodeId", ""]
    lines += [f"{u}\t{v}" for u, v in small_graph.edges]
    path.write_text("\n".join(lines) + "\n")
    G = read_edgelist(path)
    assert isinstance(G, nx.DiGraph)
    assert set(G.edges) == set(small_graph.edges)
    assert all(type(v) is int for v in G.nodes)


def test_edgelist_string_path_and_inline_comments(tmp_path):
    path = tmp_path / "f.txt"
    path.write_text("1 2  # one follows two\n\n   \n2 3 1700000000\n1 2\n")
    G = read_edgelist(str(path))
    assert sorted(G.edges) == [(1, 2), (2, 3)]  # duplicate merged, extra field ignored


def test_edgelist_ids_are_str_unless_all_integers(tmp_path):
    path = tmp_path / "f.txt"
    path.write_text("1 ana\n2 1\n")
    G = read_edgelist(path)
    assert set(G.edges) == {("1", "ana"), ("2", "1")}


def test_edgelist_custom_delimiter_and_comment(tmp_path):
    path = tmp_path / "f.txt"
    path.write_text("% header\nana bo,cy\ncy,ana\n")
    G = read_edgelist(path, comments="%", delimiter=",")
    assert set(G.edges) == {("ana bo", "cy"), ("cy", "ana")}


def test_edgelist_malformed_line_names_file_and_line(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("# c\n0 1\n\n7\n1 2\n")
    with pytest.raises(InvalidParameterError, match=r"line 4") as err:
        read_edgelist(path)
    assert "bad.txt" in str(err.value)
    assert "'7'" in str(err.value)


def test_edgelist_self_loop_is_dropped_and_its_account_kept(tmp_path):
    path = tmp_path / "loop.txt"
    path.write_text("0 1\n5 5\n1 0\n")
    with pytest.warns(SelfLoopWarning, match=r"1 self-loop .*\(5, 5\).*loop\.txt.*delete the lines"):
        G = read_edgelist(path)
    assert sorted(G.edges) == [(0, 1), (1, 0)]
    assert list(G.nodes) == [0, 1, 5]


def test_edgelist_of_self_loops_only_has_no_edges(tmp_path):
    path = tmp_path / "loops.txt"
    path.write_text("5 5\n6 6\n")
    with pytest.raises(InvalidParameterError, match=r"no edges other than 2 self-loop.*loops\.txt"):
        read_edgelist(path)


def test_edgelist_keeps_ids_that_differ_only_by_leading_zeros_apart(tmp_path):
    path = tmp_path / "zeros.txt"
    path.write_text("07 1\n7 2\n3 1\n")
    G = read_edgelist(path)
    assert G.number_of_nodes() == 5  # "07" and "7" are two accounts
    assert set(G.nodes) == {"07", "7", "1", "2", "3"}
    assert G.has_edge("07", "1") and G.has_edge("7", "2")


@pytest.mark.parametrize("text", ["", "# only a comment\n\n"])
def test_edgelist_without_edges(tmp_path, text):
    path = tmp_path / "empty.txt"
    path.write_text(text)
    with pytest.raises(InvalidParameterError, match=r"no edges.*empty\.txt"):
        read_edgelist(path)


def test_edgelist_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_edgelist(tmp_path / "nope.txt")


def test_edgelist_bad_comments_parameter(tmp_path):
    path = tmp_path / "f.txt"
    path.write_text("0 1\n")
    with pytest.raises(InvalidParameterError, match="comments"):
        read_edgelist(path, comments="")


# ---------------------------------------------------------------------- CSV
def test_csv_round_trip(tmp_path, small_graph):
    path = tmp_path / "follows.csv"
    rows = ["source,target,weight"] + [f"{u},{v},1" for u, v in small_graph.edges]
    path.write_text("\n".join(rows) + "\n")
    G = read_csv(path)
    assert set(G.edges) == set(small_graph.edges)
    assert all(type(v) is int for v in G.nodes)


def test_csv_named_columns_in_any_order(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("when;followed;follower\n2024;bo;ana\n2024;ana; cy \n")
    G = read_csv(path, source="follower", target="followed", delimiter=";")
    assert set(G.edges) == {("ana", "bo"), ("cy", "ana")}


def test_csv_falls_back_to_first_two_columns(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("u,v,role\n1,2,quiet\n3,1,brand\n")
    assert set(read_csv(path).edges) == {(1, 2), (3, 1)}


def test_csv_one_named_column_missing(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("source,dest\n1,2\n")
    with pytest.raises(InvalidParameterError, match=r"target.*'target'.*f\.csv"):
        read_csv(path)


def test_csv_header_with_one_column(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("id\n1\n")
    with pytest.raises(InvalidParameterError, match=r"two columns.*line 1"):
        read_csv(path)


@pytest.mark.parametrize("row", ["4", "4,", " ,5"])
def test_csv_malformed_row_names_line(tmp_path, row):
    path = tmp_path / "bad.csv"
    path.write_text(f"source,target\n1,2\n\n{row}\n")
    with pytest.raises(InvalidParameterError, match=r"bad\.csv, line 4"):
        read_csv(path)


def test_csv_self_loop_is_dropped(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("source,target\nana,bo\nbo,bo\ncy,cy\n")
    with pytest.warns(SelfLoopWarning, match=r"2 self-loops .*\('bo', 'bo'\)"):
        G = read_csv(path)
    assert sorted(G.edges) == [("ana", "bo")]
    assert list(G.nodes) == ["ana", "bo", "cy"]


@pytest.mark.parametrize("text", ["", "source,target\n", "source,target\n\n,\n"])
def test_csv_without_edges(tmp_path, text):
    path = tmp_path / "empty.csv"
    path.write_text(text)
    with pytest.raises(InvalidParameterError, match="no edges"):
        read_csv(path)


def test_csv_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_csv(tmp_path / "nope.csv")


# ------------------------------------------------------------------ GraphML
def test_graphml_round_trip_keeps_attributes(tmp_path, small_graph):
    path = tmp_path / "g.graphml"
    nx.write_graphml(small_graph, path)
    G = read_graphml(path)
    assert type(G) is nx.DiGraph
    assert set(G.edges) == set(small_graph.edges)
    assert set(G.nodes) == set(small_graph.nodes)
    assert all(type(v) is int for v in G.nodes)
    for v in small_graph.nodes:
        assert G.nodes[v]["role"] == small_graph.nodes[v]["role"]
        assert G.nodes[v]["community"] == small_graph.nodes[v]["community"]


def test_graphml_string_ids_and_parallel_edges(tmp_path):
    M = nx.MultiDiGraph([("ana", "bo"), ("ana", "bo"), ("bo", "cy")])
    path = tmp_path / "m.graphml"
    nx.write_graphml(M, path)
    G = read_graphml(path)
    assert type(G) is nx.DiGraph
    assert set(G.edges) == {("ana", "bo"), ("bo", "cy")}


def test_graphml_undirected_is_rejected(tmp_path):
    path = tmp_path / "u.graphml"
    nx.write_graphml(nx.Graph([(0, 1)]), path)
    with pytest.raises(InvalidParameterError, match=r"directed.*u\.graphml.*to_directed"):
        read_graphml(path)


def test_graphml_self_loop_dropped_like_every_other_source(tmp_path):
    path = tmp_path / "loop.graphml"
    nx.write_graphml(nx.DiGraph([(0, 1), (3, 3)]), path)
    with pytest.warns(SelfLoopWarning, match=r"self-loop .*\(3, 3\).*loop\.graphml"):
        G = read_graphml(path)
    assert sorted(G.edges) == [(0, 1)] and 3 in G


def test_graphml_without_edges(tmp_path):
    G = nx.DiGraph()
    G.add_nodes_from([0, 1])
    path = tmp_path / "e.graphml"
    nx.write_graphml(G, path)
    with pytest.raises(InvalidParameterError, match=r"no edges.*e\.graphml"):
        read_graphml(path)


def test_graphml_malformed_xml(tmp_path):
    path = tmp_path / "broken.graphml"
    path.write_text("<graphml><graph edgedefault='directed'><node id='0'>")
    with pytest.raises(InvalidParameterError, match=r"GraphML.*broken\.graphml"):
        read_graphml(path)


def test_graphml_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_graphml(tmp_path / "nope.graphml")
