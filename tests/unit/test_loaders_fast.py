"""The pandas-based text loaders: gzip, array form, comments, separators, ids and node order."""

from __future__ import annotations

import gzip

import networkx as nx
import numpy as np
import pytest

from feedsim import FollowGraph
from feedsim.errors import InvalidParameterError
from feedsim.networks import GraphAttributeWarning, default_community, read_csv, read_edgelist

# SNAP below has a self-loop, dropped with a SelfLoopWarning (tested in test_loaders.py)
pytestmark = pytest.mark.filterwarnings("ignore::feedsim.network.graph.SelfLoopWarning")

SNAP = (
    "# Directed graph (each unordered pair of nodes is saved once): example.txt\n"
    "# Nodes: 5 Edges: 6\n"
    "# FromNodeId\tToNodeId\n"
    "10\t3\n"
    "3\t10\n"
    "10\t3\n"  # duplicate
    "7\t7\n"  # self-loop
    "\n"
    "   \n"
    "% a KONECT-style comment\n"
    "2 10  # trailing comment\n"
    "-4\t\t2\t1700000000\n"  # two tabs, a timestamp
)
SNAP_EDGES = {(10, 3), (3, 10), (2, 10), (-4, 2)}
SNAP_NODES = [-4, 2, 3, 7, 10]  # increasing ids, whatever the line order


def write(tmp_path, name, text, compress=False):
    path = tmp_path / name
    data = text.encode()
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


def as_pairs(fg: FollowGraph) -> set:
    src, dst = fg.edges()
    ids = fg.node_ids
    return {(ids[u], ids[v]) for u, v in zip(src.tolist(), dst.tolist())}


# ---------------------------------------------------------------- gzip
@pytest.mark.parametrize("name", ["f.txt.gz", "f.txt", "f.gz.txt"])
def test_edgelist_gzip_detected_from_bytes_not_name(tmp_path, name):
    plain = read_edgelist(write(tmp_path, "plain.txt", SNAP))
    packed = read_edgelist(write(tmp_path, name, SNAP, compress=True))
    assert set(packed.edges) == set(plain.edges) == SNAP_EDGES
    assert list(packed.nodes) == list(plain.nodes) == SNAP_NODES


def test_csv_gzip(tmp_path):
    path = write(tmp_path, "f.csv.gz", "source,target\nana,bo\nbo,cy\n", compress=True)
    assert set(read_csv(path).edges) == {("ana", "bo"), ("bo", "cy")}


def test_broken_gzip_is_one_clear_error(tmp_path):
    path = tmp_path / "cut.txt.gz"
    path.write_bytes(gzip.compress(SNAP.encode())[:30])
    with pytest.raises(InvalidParameterError, match=r"gzip.*cut\.txt\.gz"):
        read_edgelist(path)


def test_not_utf8_is_one_clear_error(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes("jos\xe9 ana\n".encode("latin-1"))
    with pytest.raises(InvalidParameterError, match=r"UTF-8.*latin\.txt"):
        read_edgelist(path)


# ---------------------------------------------------------- array form
def test_edgelist_as_arrays_matches_networkx_form(tmp_path):
    path = write(tmp_path, "f.txt", SNAP)
    fg = read_edgelist(path, as_arrays=True)
    assert isinstance(fg, FollowGraph)
    assert fg.node_ids == SNAP_NODES
    assert all(type(v) is int for v in fg.node_ids)
    assert as_pairs(fg) == SNAP_EDGES
    with pytest.warns(GraphAttributeWarning, match="no 'role'"):
        ref = FollowGraph.from_networkx(read_edgelist(path))
    assert ref.node_ids == fg.node_ids
    np.testing.assert_array_equal(ref.indptr, fg.indptr)
    np.testing.assert_array_equal(ref.indices, fg.indices)


def test_edgelist_as_arrays_round_trip_of_a_community(tmp_path):
    G = default_community(80, mean_follows=6, seed=2)
    path = write(tmp_path, "c.txt", "".join(f"{u}\t{v}\n" for u, v in G.edges))
    fg = read_edgelist(path, as_arrays=True)
    assert as_pairs(fg) == set(G.edges)
    assert fg.n_edges == G.number_of_edges()


@pytest.mark.parametrize("ids", ["dense", "sparse", "text"])
def test_shuffled_lines_give_the_same_graph(tmp_path, ids):
    rng = np.random.default_rng(5)
    src, dst = rng.integers(0, 50, 300), rng.integers(0, 50, 300)
    scale = {"dense": 1, "sparse": 10**12, "text": 1}[ids]
    fmt = (lambda x: f"id{x}") if ids == "text" else (lambda x: str(x * scale))
    lines = [f"{fmt(u)} {fmt(v)}" for u, v in zip(src.tolist(), dst.tolist())]
    a = read_edgelist(write(tmp_path, "a.txt", "\n".join(lines)), as_arrays=True)
    rng.shuffle(lines)
    b = read_edgelist(write(tmp_path, "b.txt", "\n".join(lines)), as_arrays=True)
    assert a.node_ids == b.node_ids == sorted(a.node_ids)
    np.testing.assert_array_equal(a.indptr, b.indptr)
    np.testing.assert_array_equal(a.indices, b.indices)
    expected = {(fmt(u), fmt(v)) for u, v in zip(src.tolist(), dst.tolist()) if u != v}
    got = {(str(x), str(y)) for x, y in as_pairs(a)}
    assert got == expected


def test_csv_as_arrays_keeps_string_labels(tmp_path):
    path = write(tmp_path, "f.csv", "target,source\nbo,ana\nana,cy\nbo,ana\n")
    fg = read_csv(path, as_arrays=True)
    assert fg.node_ids == ["ana", "bo", "cy"]
    assert as_pairs(fg) == {("ana", "bo"), ("cy", "ana")}


@pytest.mark.parametrize("bad", [1, "yes", None])
def test_as_arrays_must_be_bool(tmp_path, bad):
    path = write(tmp_path, "f.txt", "0 1\n")
    with pytest.raises(InvalidParameterError, match=r"as_arrays must be True or False"):
        read_edgelist(path, as_arrays=bad)


# ------------------------------------------------------------ node ids
@pytest.mark.parametrize(
    ("text", "nodes"),
    [
        ("1 2\n2 3\n", [1, 2, 3]),
        ("+1 2\n", ["+1", "2"]),  # "+1" is not canonical: every id stays text
        ("1 2\n-0 3\n", ["-0", "1", "2", "3"]),
        ("1.0 2\n", ["1.0", "2"]),
        ("NA null\n", ["NA", "null"]),  # never read as missing values
        ("99999999999999999999 1\n", [1, 99999999999999999999]),  # beyond int64: still an int
        ("1 2  # 07 in a comment\n", [1, 2]),  # a comment does not change the ids
    ],
)
def test_edgelist_id_types(tmp_path, text, nodes):
    path = write(tmp_path, "ids.txt", text)
    G = read_edgelist(path)
    assert list(G.nodes) == nodes
    assert [type(v) for v in G.nodes] == [type(v) for v in nodes]
    assert read_edgelist(path, as_arrays=True).node_ids == nodes


def test_edgelist_quotes_are_part_of_ids(tmp_path):
    path = write(tmp_path, "q.txt", '"ana" bo\n')
    assert list(read_edgelist(path).edges) == [('"ana"', "bo")]


# ------------------------------------------------------ comments, separators
def test_edgelist_single_comment_character(tmp_path):
    path = write(tmp_path, "f.txt", "a%b c\n# d e\n")
    G = read_edgelist(path, comments="#")
    assert set(G.edges) == {("a%b", "c")}


@pytest.mark.parametrize("bad", ["", "//", ["#", "ab"], ["\n"], 3])
def test_bad_comments(tmp_path, bad):
    path = write(tmp_path, "f.txt", "0 1\n")
    with pytest.raises(InvalidParameterError, match=r"comments must be one ASCII character"):
        read_edgelist(path, comments=bad)


@pytest.mark.parametrize("bad", ["", "::", "\n", "#"])
def test_bad_delimiter(tmp_path, bad):
    path = write(tmp_path, "f.txt", "0 1\n")
    with pytest.raises(InvalidParameterError, match=r"delimiter must be one character"):
        read_edgelist(path, delimiter=bad)


def test_edgelist_tab_delimiter_keeps_spaces_inside_ids(tmp_path):
    path = write(tmp_path, "f.tsv", "ana maria\tbo\n bo \tana maria\n")
    G = read_edgelist(path, delimiter="\t")
    assert set(G.edges) == {("ana maria", "bo"), ("bo", "ana maria")}


@pytest.mark.parametrize("text", ["0 1\n2 3\n4\n", "4\n0 1\n"])
def test_edgelist_short_line_named_anywhere(tmp_path, text):
    path = write(tmp_path, "short.txt", text)
    line = text.splitlines().index("4") + 1
    with pytest.raises(InvalidParameterError, match=rf"'4'.*short\.txt, line {line}\)"):
        read_edgelist(path, as_arrays=True)


def test_csv_comments_and_quotes(tmp_path):
    path = write(tmp_path, "f.csv", '# exported\nsource,target\n"a, b",c  # note\n#x,y\n')
    G = read_csv(path, comments="#")
    assert set(G.edges) == {("a, b", "c")}


def test_csv_hash_is_part_of_an_id_by_default(tmp_path):
    path = write(tmp_path, "f.csv", "source,target\n#tag,bo\n")
    assert set(read_csv(path).edges) == {("#tag", "bo")}


def test_csv_row_with_both_ids_empty_is_skipped(tmp_path):
    path = write(tmp_path, "f.csv", "source,target,w\n1,2,x\n,,y\n2,1,z\n")
    assert set(read_csv(path).edges) == {(1, 2), (2, 1)}


def test_csv_int_ids_with_spaces(tmp_path):
    path = write(tmp_path, "f.csv", "source, target\n 1, 2\n3 ,1\n")
    G = read_csv(path, target="target")
    assert set(G.edges) == {(1, 2), (3, 1)} and all(type(v) is int for v in G.nodes)


def test_networkx_form_is_a_plain_digraph(tmp_path):
    G = read_edgelist(write(tmp_path, "f.txt", SNAP))
    assert type(G) is nx.DiGraph


@pytest.mark.parametrize(
    ("text", "maybe"),
    [
        (b"1 2\n10 0\n100 20\n", False),
        (b"07 1\n", True),
        (b"1 07\n", True),
        (b"1\t2\n3\t007\n", True),
        (b"1 +2\n", True),
        (b"-0 1\n", True),
        (b"0 1\n", False),
        (b"0", False),
        (b"00", True),
        (b"", False),
    ],
)
def test_quick_non_canonical_scan(text, maybe):
    from feedsim.network.loaders import _maybe_non_canonical

    assert _maybe_non_canonical(text) is maybe
    assert _maybe_non_canonical(text, chunk=1) is maybe  # chunk borders do not hide a match


def test_leading_zero_across_chunk_border_keeps_ids_apart(tmp_path, monkeypatch):
    from feedsim.network import loaders

    real = loaders._maybe_non_canonical
    monkeypatch.setattr(loaders, "_maybe_non_canonical", lambda data: real(data, chunk=3))
    path = write(tmp_path, "z.txt", "1 2\n7 1\n07 2\n")
    assert list(read_edgelist(path).nodes) == ["07", "1", "2", "7"]
