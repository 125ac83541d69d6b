"""Read follow graphs from files: SNAP edge lists, CSV and GraphML.

Every loader returns a ``networkx.DiGraph`` where edge ``(u, v)`` means **u follows
v**. Duplicate edges are merged. Self-loops, malformed lines and files without edges
raise :class:`~feedsim.errors.InvalidParameterError` naming the file and the line.
"""

from __future__ import annotations

import csv
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence

import networkx as nx

from ..errors import InvalidParameterError

__all__ = ["read_csv", "read_edgelist", "read_graphml"]

_INT = re.compile(r"[+-]?\d+")

PathLike = str | os.PathLike


def read_edgelist(
    path: PathLike, *, comments: str = "#", delimiter: str | None = None
) -> nx.DiGraph:
    """Read a SNAP-style edge list: one ``u v`` pair per line, u follows v.

    Parameters
    ----------
    path : str or path-like
        The text file (UTF-8).
    comments : str, default "#"
        Marker starting a comment; the rest of the line is ignored. Lines that are
        empty after removing the comment are skipped.
    delimiter : str, optional
        Field separator; default any run of whitespace.

    Returns
    -------
    networkx.DiGraph
        One edge per line, duplicates merged. Node ids are ``int`` when every id in
        the file is an integer (``-?[0-9]+``), else ``str``. Fields after the first
        two (weights, timestamps) are ignored.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    InvalidParameterError
        If a line has fewer than two fields or an empty id, an edge is a self-loop,
        or the file has no edges; the message names the file and line number.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "follows.txt"
    >>> _ = p.write_text("# u follows v\\n0 1\\n2 1\\n")
    >>> sorted(read_edgelist(p).edges)
    [(0, 1), (2, 1)]
    """
    if not isinstance(comments, str) or not comments:
        raise InvalidParameterError(f"comments must be a non-empty string; got {comments!r}")
    src: list[str] = []
    dst: list[str] = []
    lines: list[int] = []
    with open(path, encoding="utf-8") as fh:
        for lineno, raw in enumerate(fh, start=1):
            line = raw.split(comments, 1)[0].strip()
            if not line:
                continue
            fields = line.split(delimiter)
            if len(fields) < 2 or not fields[0].strip() or not fields[1].strip():
                raise InvalidParameterError(
                    f"edge list line must hold two node ids 'u v' (u follows v); "
                    f"got {raw.rstrip(chr(10))!r} ({os.fspath(path)}, line {lineno})"
                )
            src.append(fields[0].strip())
            dst.append(fields[1].strip())
            lines.append(lineno)
    return _build(src, dst, lines, path)


def read_csv(
    path: PathLike,
    *,
    source: str = "source",
    target: str = "target",
    delimiter: str = ",",
) -> nx.DiGraph:
    """Read a CSV edge table with a header row; each row: ``source`` follows ``target``.

    Parameters
    ----------
    path : str or path-like
        The CSV file (UTF-8), first row a header.
    source, target : str, default "source", "target"
        Header names of the follower and followed columns. If **neither** is in the
        header, the first two columns are used (follower, followed); if only one
        is, the error names the missing one. Other columns are ignored.
    delimiter : str, default ","
        Field separator.

    Returns
    -------
    networkx.DiGraph
        One edge per row, duplicates merged. Node ids are ``int`` when every id is
        an integer, else ``str`` (surrounding whitespace stripped).

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    InvalidParameterError
        If the header lacks a named column or has fewer than two columns, a row is
        too short or has an empty id, an edge is a self-loop, or the file has no
        edges; the message names the file and line number.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "follows.csv"
    >>> _ = p.write_text("source,target\\nana,bo\\ncy,bo\\n")
    >>> sorted(read_csv(p).edges)
    [('ana', 'bo'), ('cy', 'bo')]
    """
    where = os.fspath(path)
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        header = next(reader, None)
        while header is not None and not any(h.strip() for h in header):
            header = next(reader, None)
        if header is None:
            raise InvalidParameterError(f"follow graph file must contain edges; got no edges ({where})")
        names = [h.strip() for h in header]
        has_src, has_dst = source in names, target in names
        if has_src and has_dst:
            i_src, i_dst = names.index(source), names.index(target)
        elif has_src or has_dst:
            missing, param = (target, "target") if has_src else (source, "source")
            raise InvalidParameterError(
                f"{param} must name a column of the CSV header {names}; got {missing!r} "
                f"({where}, line {reader.line_num})"
            )
        elif len(names) >= 2:
            i_src, i_dst = 0, 1
        else:
            raise InvalidParameterError(
                f"CSV header must have at least two columns (follower, followed); "
                f"got {names} ({where}, line {reader.line_num})"
            )
        need = max(i_src, i_dst) + 1
        src: list[str] = []
        dst: list[str] = []
        lines: list[int] = []
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) < need or not row[i_src].strip() or not row[i_dst].strip():
                raise InvalidParameterError(
                    f"CSV row must hold node ids in columns {names[i_src]!r} and "
                    f"{names[i_dst]!r}; got {row!r} ({where}, line {reader.line_num})"
                )
            src.append(row[i_src].strip())
            dst.append(row[i_dst].strip())
            lines.append(reader.line_num)
    return _build(src, dst, lines, path)


def read_graphml(path: PathLike) -> nx.DiGraph:
    """Read a directed GraphML file (edge ``u -> v``: u follows v).

    Node and edge attributes are kept as ``networkx.read_graphml`` parses them.
    Parallel edges are merged (the attributes of the last one win). Node ids are
    ``int`` when every id is an integer, else ``str``.

    An undirected graph is **rejected**, not converted: an undirected edge does not
    say who follows whom. To model each one as a mutual follow, load it with
    ``networkx.read_graphml(path).to_directed()`` and pass that graph instead.

    Parameters
    ----------
    path : str or path-like
        The GraphML file.

    Returns
    -------
    networkx.DiGraph

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    InvalidParameterError
        If the file is not valid GraphML, the graph is undirected, has a self-loop
        or has no edges; the message names the file.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "follows.graphml"
    >>> nx.write_graphml(nx.DiGraph([(0, 1), (2, 1)]), p)
    >>> sorted(read_graphml(p).edges)
    [(0, 1), (2, 1)]
    """
    where = os.fspath(path)
    if not os.path.exists(where):
        raise FileNotFoundError(f"no such file: {where!r}")
    try:
        G = nx.read_graphml(where)
    except (ET.ParseError, nx.NetworkXError) as err:
        raise InvalidParameterError(f"file must be valid GraphML; got error {err} ({where})") from err
    if not G.is_directed():
        raise InvalidParameterError(
            "follow graph must be directed (edge u -> v: u follows v); got an undirected "
            f"GraphML graph ({where}); for mutual follows use "
            "networkx.read_graphml(path).to_directed()"
        )
    if G.is_multigraph():
        G = nx.DiGraph(G)
    if G.number_of_edges() == 0:
        raise InvalidParameterError(f"follow graph file must contain edges; got no edges ({where})")
    if all(isinstance(v, str) and _INT.fullmatch(v) and str(int(v)) == v for v in G.nodes):
        G = nx.relabel_nodes(G, {v: int(v) for v in G.nodes}, copy=True)
    loops = list(nx.selfloop_edges(G))
    if loops:
        raise InvalidParameterError(
            f"follow graph must not contain self-loops (an account following itself); "
            f"got edge ({loops[0][0]!r}, {loops[0][0]!r}) ({where})"
        )
    return G


def _build(src: Sequence[str], dst: Sequence[str], lines: Sequence[int], path: PathLike) -> nx.DiGraph:
    """Check parsed id pairs and build the DiGraph (ids as int when all are)."""
    where = os.fspath(path)
    if not src:
        raise InvalidParameterError(f"follow graph file must contain edges; got no edges ({where})")
    for u, v, lineno in zip(src, dst, lines):
        if u == v:
            raise InvalidParameterError(
                f"follow graph must not contain self-loops (an account following itself); "
                f"got edge ({u!r}, {v!r}) ({where}, line {lineno})"
            )
    ids: Iterable = (*src, *dst)
    # ids become ints only when every id is a canonical integer ("7", not "07"),
    # so two distinct ids never merge into one account
    if all(_INT.fullmatch(x) and str(int(x)) == x for x in ids):
        src_ids: Sequence = [int(x) for x in src]
        dst_ids: Sequence = [int(x) for x in dst]
    else:
        src_ids, dst_ids = src, dst
    G = nx.DiGraph()
    G.add_edges_from(zip(src_ids, dst_ids))
    return G
