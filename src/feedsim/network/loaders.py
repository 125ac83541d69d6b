"""Read follow graphs from files: SNAP edge lists, CSV and GraphML.

Every loader returns a ``networkx.DiGraph`` where edge ``(u, v)`` means **u follows
v**; :func:`read_edgelist` and :func:`read_csv` return the array form instead, a
:class:`~feedsim.network.graph.FollowGraph`, with ``as_arrays=True`` (no NetworkX
object is built, which is what large graphs need).

Edge lists and CSV files are parsed by the C engine of :func:`pandas.read_csv`, never
line by line in Python, and may be gzip-compressed (``.gz``, as SNAP ships them):
compression is detected from the file's first two bytes, whatever its name. The two
text loaders share these rules:

- duplicate edges are kept once;
- a self-loop (``u u``, an account following itself) is dropped with a
  :class:`~feedsim.network.graph.SelfLoopWarning` naming the file; the account stays
  (the rule for every graph, in memory or from a file);
- node ids are ``int`` when every id in the file is a canonical integer (``7``,
  ``-3``; not ``07`` or ``+7``, so two distinct ids never merge), else ``str``;
- nodes come in increasing order of their ids (numeric for integer ids, else text
  order), whatever the order of the lines: both forms, and a file with its lines
  shuffled, give the same simulation;
- a malformed line or a file without edges raises
  :class:`~feedsim.errors.InvalidParameterError` naming the file and the line.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import re
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Sequence
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..errors import InvalidParameterError
from .graph import FollowGraph, warn_self_loops

__all__ = ["read_csv", "read_edgelist", "read_graphml"]

_INT = re.compile(r"[+-]?\d+")
_CANONICAL_INT = r"(?:0|-?[1-9][0-9]*)"
_GZIP_MAGIC = b"\x1f\x8b"

PathLike = str | os.PathLike


def read_edgelist(
    path: PathLike,
    *,
    comments: str | Sequence[str] = ("#", "%"),
    delimiter: str | None = None,
    as_arrays: bool = False,
) -> nx.DiGraph | FollowGraph:
    """Read a SNAP-style edge list: one ``u v`` pair per line, u follows v.

    Parameters
    ----------
    path : str or path-like
        The text file (UTF-8), plain or gzip-compressed (detected from its first
        bytes, so ``follows.txt.gz`` and a compressed file without the suffix both work).
    comments : str or sequence of str, default ("#", "%")
        Characters starting a comment (``#`` in SNAP files, ``%`` in KONECT and
        Matrix Market files), each a single ASCII character; the rest of the line is
        ignored. Lines that are empty after removing the comment are skipped.
    delimiter : str, optional
        Field separator, one character; default any run of spaces or tabs (leading
        and trailing ones ignored).
    as_arrays : bool, default False
        Return a :class:`~feedsim.network.graph.FollowGraph` (CSR arrays, the node
        labels in ``node_ids``) without building a NetworkX graph.

    Returns
    -------
    networkx.DiGraph or FollowGraph
        One edge per distinct line, duplicates kept once, self-loops dropped with
        a :class:`~feedsim.network.graph.SelfLoopWarning` (their account is
        kept). Node ids are ``int`` when every id in the file is a
        canonical integer (``-?[0-9]+`` without leading zeros or ``+``), else
        ``str``; nodes in increasing id order. Fields after the first two
        (weights, timestamps) are ignored.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    InvalidParameterError
        If a line has fewer than two fields or an empty id, the file has no edges
        (other than self-loops), is not UTF-8 text or is a broken gzip file; the
        message names the file and, for a bad line, its number.

    Examples
    --------
    >>> import gzip, pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "follows.txt.gz"
    >>> _ = p.write_bytes(gzip.compress(b"# u follows v\\n0\\t1\\n2 1\\n2 1\\n3 3\\n"))
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     G = read_edgelist(p)
    >>> sorted(G.edges), caught[0].category.__name__
    ([(0, 1), (2, 1)], 'SelfLoopWarning')
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     fg = read_edgelist(p, as_arrays=True)
    >>> fg.n_users, fg.n_edges, fg.node_ids
    (4, 2, [0, 1, 2, 3])
    """
    if not isinstance(as_arrays, bool):
        raise InvalidParameterError(f"as_arrays must be True or False; got {as_arrays!r}")
    chars = _comment_chars(comments)
    if delimiter is not None:
        _check_delimiter(delimiter, chars)
    where = os.fspath(path)
    data = _unify_comments(_read_bytes(path), chars)
    options = {
        "sep": r"\s+" if delimiter is None else delimiter,
        "comment": chars[0],
        "quoting": csv.QUOTE_NONE,
    }

    def error() -> None:
        _edgelist_error(data, chars, delimiter, where)

    def read(dtype: Any) -> pd.DataFrame | None:
        return _read_frame(data, [0, 1], options, where, error, dtype)

    pairs = _columns(read, 0, 1, data, strip=delimiter is not None)
    return _finish(pairs, where, as_arrays, error)


def read_csv(
    path: PathLike,
    *,
    source: str = "source",
    target: str = "target",
    delimiter: str = ",",
    comments: str | Sequence[str] | None = None,
    as_arrays: bool = False,
) -> nx.DiGraph | FollowGraph:
    """Read a CSV edge table with a header row; each row: ``source`` follows ``target``.

    Parameters
    ----------
    path : str or path-like
        The CSV file (UTF-8), first row a header; plain or gzip-compressed
        (detected from its first bytes, whatever the name).
    source, target : str, default "source", "target"
        Header names of the follower and followed columns. If **neither** is in the
        header, the first two columns are used (follower, followed); if only one
        is, the error names the missing one. Other columns are ignored.
    delimiter : str, default ","
        Field separator, one character. Fields may be quoted (``"a, b"``).
    comments : str or sequence of str, optional
        Characters starting a comment (each a single ASCII character); default none,
        since ``#`` can be part of an id in a CSV file.
    as_arrays : bool, default False
        Return a :class:`~feedsim.network.graph.FollowGraph` (CSR arrays, the node
        labels in ``node_ids``) without building a NetworkX graph.

    Returns
    -------
    networkx.DiGraph or FollowGraph
        One edge per row, duplicates kept once, self-loops dropped with a warning (their account
        is kept). Node ids are ``int`` when every id is a canonical integer, else
        ``str`` (surrounding whitespace stripped); nodes in increasing id
        order. Blank rows and rows whose two id cells are both empty are skipped.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    InvalidParameterError
        If the header lacks a named column or has fewer than two columns, a row is
        too short or has one empty id, the file has no edges (other than
        self-loops), is not UTF-8 text or is a broken gzip file; the message names
        the file and, for a bad row, its line number.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "follows.csv"
    >>> _ = p.write_text("source,target\\nana,bo\\ncy,bo\\n")
    >>> sorted(read_csv(p).edges)
    [('ana', 'bo'), ('cy', 'bo')]
    >>> read_csv(p, as_arrays=True).node_ids
    ['ana', 'bo', 'cy']
    """
    if not isinstance(as_arrays, bool):
        raise InvalidParameterError(f"as_arrays must be True or False; got {as_arrays!r}")
    chars = _comment_chars(comments) if comments is not None else ()
    _check_delimiter(delimiter, chars)
    where = os.fspath(path)
    data = _unify_comments(_read_bytes(path), chars)
    header, body, header_line = _split_header(data, delimiter, chars, where)
    names = [h.strip() for h in header]
    has_src, has_dst = source in names, target in names
    if has_src and has_dst:
        i_src, i_dst = names.index(source), names.index(target)
    elif has_src or has_dst:
        missing, param = (target, "target") if has_src else (source, "source")
        raise InvalidParameterError(
            f"{param} must name a column of the CSV header {names}; got {missing!r} "
            f"({where}, line {header_line})"
        )
    elif len(names) >= 2:
        i_src, i_dst = 0, 1
    else:
        raise InvalidParameterError(
            f"CSV header must have at least two columns (follower, followed); "
            f"got {names} ({where}, line {header_line})"
        )

    def error() -> None:
        _csv_error(data, delimiter, chars, names, i_src, i_dst, where)

    options: dict[str, Any] = {"sep": delimiter}
    if chars:
        options["comment"] = chars[0]

    def read(dtype: Any) -> pd.DataFrame | None:
        return _read_frame(body, sorted({i_src, i_dst}), options, where, error, dtype)

    pairs = _columns(read, i_src, i_dst, body, strip=True, skip_empty=True)
    return _finish(pairs, where, as_arrays, error)


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
        If the file is not valid GraphML, the graph is undirected or has no
        edges; the message names the file. Self-loops are dropped with a
        :class:`~feedsim.network.graph.SelfLoopWarning`.

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
        warn_self_loops(len(loops), loops[0][0], "file", where, stacklevel=2)
        G.remove_edges_from(loops)
    return G


# ---------------------------------------------------------------- internals
class _Pairs:
    """Parsed id columns of a text graph file: either int64 arrays or string Series."""

    def __init__(self, src: Any, dst: Any, is_int: bool) -> None:
        self.src, self.dst, self.is_int = src, dst, is_int


def _read_bytes(path: PathLike) -> bytes:
    """Return the file's bytes, decompressed when they start with the gzip magic number."""
    with open(path, "rb") as fh:
        data = fh.read()
    if data[:2] == _GZIP_MAGIC:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as err:
            raise InvalidParameterError(
                f"a gzip-compressed graph file must decompress; got error: {err} ({os.fspath(path)})"
            ) from err
    return data


def _comment_chars(comments: Any) -> tuple[str, ...]:
    """Validate ``comments``: one character or a sequence of them, ASCII."""
    chars = (comments,) if isinstance(comments, str) else tuple(comments) if isinstance(comments, Sequence) else ()
    if not chars or not all(isinstance(c, str) and len(c) == 1 and c.isascii() and c not in "\r\n\"" for c in chars):
        raise InvalidParameterError(
            f"comments must be one ASCII character or a sequence of them (e.g. '#' or ['#', '%']); got {comments!r}"
        )
    return chars


def _check_delimiter(delimiter: Any, chars: tuple[str, ...]) -> None:
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in "\r\n\"" or delimiter in chars:
        raise InvalidParameterError(
            f"delimiter must be one character other than a newline, a quote or a comment character; "
            f"got {delimiter!r}"
        )


def _unify_comments(data: bytes, chars: tuple[str, ...]) -> bytes:
    """Map every comment character onto the first (pandas takes a single one)."""
    if len(chars) <= 1:
        return data
    others = "".join(chars[1:]).encode("ascii")
    if not any(bytes([c]) in data for c in others):  # a fast scan; most files use one marker
        return data
    return data.translate(bytes.maketrans(others, chars[0].encode("ascii") * len(others)))


def _split_header(data: bytes, delimiter: str, chars: tuple[str, ...], where: str) -> tuple[list[str], bytes, int]:
    """Return the CSV header fields, the bytes after the header line and its line number."""
    start, lineno = 0, 0
    while start < len(data):
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end + 1
        lineno += 1
        line = _decode(data[start:end], where)
        for c in chars:
            line = line.split(c, 1)[0]
        if line.strip():
            header = next(csv.reader([line.rstrip("\r\n")], delimiter=delimiter), [])
            return header, data[end:], lineno
        start = end
    raise InvalidParameterError(f"follow graph file must contain edges; got no edges ({where})")


def _decode(raw: bytes, where: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise _not_utf8(err, where) from err


def _not_utf8(err: UnicodeDecodeError, where: str) -> InvalidParameterError:
    return InvalidParameterError(
        f"graph file must be UTF-8 text (plain or gzip-compressed); got byte "
        f"{err.object[err.start:err.start + 1]!r} that is not UTF-8 ({where})"
    )


def _read_frame(data: bytes, usecols: list[int], options: dict[str, Any], where: str, error: Any,
                dtype: Any = None) -> pd.DataFrame | None:
    """Parse ``data`` with the pandas C engine; ``None`` when it holds no rows."""
    try:
        return pd.read_csv(
            io.BytesIO(data), header=None, usecols=usecols, engine="c", na_filter=False,
            skip_blank_lines=True, encoding="utf-8", dtype=dtype, **options,
        )
    except pd.errors.EmptyDataError:
        return None
    except UnicodeDecodeError as err:
        raise _not_utf8(err, where) from err
    except ValueError as err:  # pandas' ParserError, or a first row too short for usecols
        error()  # raises naming the line when it finds one
        raise InvalidParameterError(f"graph file could not be parsed: {err} ({where})") from err


def _columns(read: Any, i_src: int, i_dst: int, data: bytes, *, strip: bool,
             skip_empty: bool = False) -> _Pairs | None:
    """Take the two id columns: int64 when pandas reads integers and all are canonical, else text.

    ``read(dtype)`` parses the file; text ids are read a second time as ``str`` so
    that ``07`` stays ``07``.
    """
    df = read(None)
    if df is None or len(df) == 0:
        return None
    src, dst = df[i_src], df[i_dst]
    if src.dtype.kind == "i" and dst.dtype.kind == "i" and not _maybe_non_canonical(data):
        return _Pairs(src.to_numpy(np.int64), dst.to_numpy(np.int64), True)
    df = read(str)
    src, dst = df[i_src], df[i_dst]
    if strip:
        src, dst = src.str.strip(), dst.str.strip()
    if skip_empty:
        keep = (src != "") | (dst != "")
        src, dst = src[keep], dst[keep]
    return _Pairs(src.reset_index(drop=True), dst.reset_index(drop=True), False)


def _maybe_non_canonical(data: bytes, chunk: int = 1 << 24) -> bool:
    """Whether ``data`` may hold an integer pandas accepts that is not canonical: ``+7``, ``-0``, ``07``.

    A quick over-approximation (a ``+`` or ``-0`` anywhere, or a ``0`` that starts a
    run of digits): when true, ids are re-read as text and checked one by one, which
    is slower but gives the same result. Scanned in chunks, so memory stays small.
    """
    if b"+" in data or b"-0" in data:
        return True
    a = np.frombuffer(data, dtype=np.uint8)
    n = len(a)
    if n >= 2 and data[0] == 48 and 48 <= data[1] <= 57:
        return True
    for lo in range(1, n - 1, chunk):  # chunks of the file's bytes (bounded memory), not lines
        hi = min(lo + chunk, n - 1)
        cur, prev, after = a[lo:hi], a[lo - 1:hi - 1], a[lo + 1:hi + 1]
        # uint8 arithmetic wraps, so (x - 48) < 10 holds exactly for the digits '0'..'9'
        if np.any((cur == 48) & (after - 48 < 10) & (prev - 48 >= 10)):
            return True
    return False


def _finish(pairs: _Pairs | None, where: str, as_arrays: bool, error: Any) -> nx.DiGraph | FollowGraph:
    """Number the nodes in increasing id order, drop self-loops, build the graph."""
    if pairs is None or len(pairs.src) == 0:
        raise InvalidParameterError(f"follow graph file must contain edges; got no edges ({where})")
    if pairs.is_int:
        labels, src, dst = _number_ints(pairs.src, pairs.dst)
    else:
        if ((pairs.src == "") | (pairs.dst == "")).any():
            error()
            raise InvalidParameterError(f"node ids must not be empty; got an empty id ({where})")
        labels, src, dst = _number_text(pairs.src, pairs.dst)
    loops = src == dst
    if loops.all():
        raise InvalidParameterError(
            f"follow graph file must contain edges; got no edges other than {int(loops.sum())} "
            f"self-loop(s), which are dropped ({where})"
        )
    if loops.any():
        i = int(np.flatnonzero(loops)[0])
        warn_self_loops(int(loops.sum()), labels[int(src[i])], "file", where, stacklevel=4)
        src, dst = src[~loops], dst[~loops]
    if as_arrays:
        return FollowGraph.from_edges(src, dst, len(labels), node_ids=labels)
    G = nx.DiGraph()
    G.add_nodes_from(labels)
    arr = np.asarray(labels, dtype=object)
    G.add_edges_from(zip(arr[src].tolist(), arr[dst].tolist()))
    return G


def _number_ints(src: NDArray[np.int64], dst: NDArray[np.int64]) -> tuple[list[int], NDArray[Any], NDArray[Any]]:
    """Sorted distinct ids and each endpoint's index among them."""
    lo, hi = int(min(src.min(), dst.min())), int(max(src.max(), dst.max()))
    span = hi - lo + 1
    if span > 2 * (len(src) + len(dst)) + 1024:  # sparse ids: sort
        ids, inverse = np.unique(np.concatenate([src, dst]), return_inverse=True)
        return ids.tolist(), inverse[: len(src)], inverse[len(src):]
    # dense ids, as in SNAP files: direct addressing, linear time
    present = np.zeros(span, dtype=bool)
    present[src - lo] = True
    present[dst - lo] = True
    index = np.cumsum(present, dtype=np.int32 if span < 2**31 else np.int64) - 1
    return (np.flatnonzero(present) + lo).tolist(), index[src - lo], index[dst - lo]


def _number_text(src: pd.Series, dst: pd.Series) -> tuple[list[Any], NDArray[Any], NDArray[Any]]:
    """Labels (ints when all are canonical integers) in increasing order and endpoint indices."""
    codes, uniques = pd.factorize(pd.concat([src, dst], ignore_index=True))
    labels = np.asarray(_labels(np.asarray(uniques, dtype=object)), dtype=object)
    order = np.argsort(labels, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    codes = rank[codes]
    return labels[order].tolist(), codes[: len(src)], codes[len(src):]


def _labels(uniques: NDArray[Any]) -> list[Any]:
    """Node labels as Python objects: text ids become ints when all are canonical integers."""
    text = pd.Series(uniques, dtype=object)
    if not text.str.fullmatch(_CANONICAL_INT).all():
        return [str(x) for x in uniques]
    try:
        return text.astype(np.int64).tolist()
    except OverflowError:  # beyond int64: Python ints
        return [int(x) for x in uniques]


def _edgelist_error(data: bytes, chars: tuple[str, ...], delimiter: str | None, where: str) -> None:
    """Raise naming the first malformed edge-list line, if any (error path only)."""
    for lineno, raw in enumerate(_decode(data, where).splitlines(), start=1):
        line = raw
        for c in chars:
            line = line.split(c, 1)[0]
        line = line.strip()
        if not line:
            continue
        fields = line.split(delimiter)
        if len(fields) < 2 or not fields[0].strip() or not fields[1].strip():
            raise InvalidParameterError(
                f"edge list line must hold two node ids 'u v' (u follows v); "
                f"got {raw!r} ({where}, line {lineno})"
            )


def _csv_error(data: bytes, delimiter: str, chars: tuple[str, ...], names: list[str], i_src: int, i_dst: int,
               where: str) -> None:
    """Raise naming the first malformed CSV row after the header, if any (error path only)."""
    text = _decode(data, where)
    if chars:
        text = "\n".join(re.split("[" + re.escape("".join(chars)) + "]", line, maxsplit=1)[0]
                         for line in text.splitlines())
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    need = max(i_src, i_dst) + 1
    seen_header = False
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if not seen_header:
            seen_header = True
            continue
        a = row[i_src].strip() if len(row) > i_src else ""
        b = row[i_dst].strip() if len(row) > i_dst else ""
        if len(row) < need or (not a) != (not b):
            raise InvalidParameterError(
                f"CSV row must hold node ids in columns {names[i_src]!r} and "
                f"{names[i_dst]!r}; got {row!r} ({where}, line {reader.line_num})"
            )
