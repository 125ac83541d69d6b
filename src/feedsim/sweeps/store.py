"""The embedded results store: one SQLite file per sweep (standard library ``sqlite3``).

Tables
------
``meta``
    ``key``/``value`` pairs: ``format`` (``feedsim-sweep``), ``schema_version``
    ``spec`` (the sweep spec as JSON), ``plan`` (a hash of its run keys) and
    ``order`` (its run keys in grid order, JSON).
``runs``
    One row per run: keys, ranker and its version (``builtin``, or a custom
    ranker's qualified name and code hash or given version), replicate,
    parameters (JSON), the graph's identity (JSON: generator parameters, or a
    file's SHA-256 and loader options), seed (entropy and spawn key), status
    (``ok`` or ``failed``), error, metrics (JSON), timing, the worker, and the
    feedsim and numpy versions that produced it.
``daily``
    Per-day series: ``run_key``, ``day``, ``series``, ``value``.
``sweep_lock``
    At most one row: the process running a sweep on this file (its PID and host).

Each run is written in one transaction when it finishes, so a crash never
leaves a half-written run.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sqlite3
import time
from collections.abc import Iterable

from ..errors import FeedsimError

__all__ = ["ResultsStore", "StoreError", "StoreLockedError", "SpecMismatchError"]

FORMAT = "feedsim-sweep"
SCHEMA_VERSION = "2"
TIMEOUT = 30.0  # seconds sqlite waits for another connection's lock

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE runs (
    run_key TEXT PRIMARY KEY,
    point_key TEXT NOT NULL,
    ranker TEXT NOT NULL,
    ranker_version TEXT NOT NULL,
    replicate INTEGER NOT NULL,
    graph TEXT NOT NULL,
    params TEXT NOT NULL,
    seed_entropy TEXT NOT NULL,
    spawn_key TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
    error TEXT,
    metrics TEXT,
    started_at REAL,
    wall_seconds REAL,
    worker TEXT,
    feedsim_version TEXT,
    numpy_version TEXT
);
CREATE TABLE daily (
    run_key TEXT NOT NULL,
    day INTEGER NOT NULL,
    series TEXT NOT NULL,
    value REAL,
    PRIMARY KEY (run_key, day, series)
);
CREATE TABLE sweep_lock (id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER, host TEXT, started_at REAL);
"""


class StoreError(FeedsimError, RuntimeError):
    """A file is not a feedsim results store, or the store cannot be used."""


class StoreLockedError(StoreError):
    """Another sweep is running on the same store."""


class SpecMismatchError(StoreError):
    """The store holds a different sweep and ``extend`` was not asked for."""


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class ResultsStore:
    """A feedsim results store in an SQLite file.

    Parameters
    ----------
    path : str or path-like
        The database file; created when missing (unless ``create=False``).
    create : bool, default True
        Create a new store when the file is missing or empty.

    Raises
    ------
    StoreError
        When the file is not a feedsim results store.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "r.sqlite")
    >>> with ResultsStore(path) as store:
    ...     store.finished_keys()
    set()
    """

    def __init__(self, path, *, create: bool = True) -> None:
        self.path = os.fspath(path)
        exists = os.path.exists(self.path) and os.path.getsize(self.path) > 0
        if not exists and not create:
            raise StoreError(f"{self.path}: no such results store")
        if exists:
            self._check_header()
        self.conn = sqlite3.connect(self.path, timeout=TIMEOUT, isolation_level=None)
        self._locked = False
        try:  # write-ahead log: a reader (a notebook, a DB browser) never blocks a run's commit
            self.conn.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError:
            pass  # another connection holds a lock right now; keep the current journal mode
        try:
            self._init_or_check(exists)
        except BaseException:
            self.conn.close()
            raise

    # ---------------------------------------------------------------- opening
    def _check_header(self) -> None:
        with open(self.path, "rb") as fh:
            head = fh.read(16)
        if head != b"SQLite format 3\x00":
            raise StoreError(f"{self.path} is not a feedsim results store (not an SQLite database)")

    def _init_or_check(self, exists: bool) -> None:
        try:
            tables = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not tables:
                self.conn.execute("BEGIN IMMEDIATE")
                tables = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
                if not tables:
                    for stmt in _SCHEMA.strip().split(";"):
                        if stmt.strip():
                            self.conn.execute(stmt)
                    self.conn.executemany("INSERT INTO meta VALUES (?, ?)",
                                          [("format", FORMAT), ("schema_version", SCHEMA_VERSION)])
                self.conn.execute("COMMIT")
                return
            fmt = None
            if "meta" in tables:
                row = self.conn.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
                fmt = row[0] if row else None
            if fmt != FORMAT or not {"runs", "daily", "sweep_lock"} <= tables:
                raise StoreError(f"{self.path} is an SQLite database but not a feedsim results store "
                                 f"(tables: {', '.join(sorted(tables))})")
            version = self.meta("schema_version")
            if version != SCHEMA_VERSION:
                raise StoreError(f"{self.path} has store schema version {version}; "
                                 f"this feedsim reads version {SCHEMA_VERSION} (version 2 added ranker versions "
                                 f"and graph identities); write the sweep to a new database")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc):
                raise StoreLockedError(f"{self.path} is locked by another process ({exc})") from None
            raise StoreError(f"{self.path}: {exc}") from None
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path} is not a feedsim results store ({exc})") from None

    def meta(self, key: str) -> str | None:
        """A value of the ``meta`` table, or None."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    # ---------------------------------------------------------------- locking
    def acquire(self) -> None:
        """Mark the store as in use by this process; refuse if another live sweep holds it."""
        host = socket.gethostname()
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreLockedError(f"{self.path} is locked by another process ({exc})") from None
        try:
            row = self.conn.execute("SELECT pid, host, started_at FROM sweep_lock WHERE id = 1").fetchone()
            if row is not None:
                pid, lhost, started = row
                stale = lhost == host and not _pid_alive(pid)
                if not stale:
                    since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started))
                    hint = ("" if lhost == host else
                            f"; if it is no longer running, delete the marker: "
                            f"sqlite3 {self.path} 'DELETE FROM sweep_lock'")
                    raise StoreLockedError(
                        f"{self.path} is in use: sweep in progress (pid {pid} on {lhost}, since {since}){hint}"
                    )
            self.conn.execute("INSERT OR REPLACE INTO sweep_lock VALUES (1, ?, ?, ?)",
                              (os.getpid(), host, time.time()))
            self.conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise StoreLockedError(f"{self.path} is locked by another process ({exc})") from None
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        self._locked = True

    def release(self) -> None:
        """Remove this process's in-progress marker."""
        if self._locked:
            with self._errors():
                self.conn.execute("DELETE FROM sweep_lock WHERE id = 1 AND pid = ?", (os.getpid(),))
            self._locked = False

    @contextlib.contextmanager
    def _errors(self):
        """Report SQLite's own errors as store errors naming the file."""
        try:
            yield
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise StoreLockedError(f"{self.path} is locked by another process ({exc})") from None
            raise StoreError(f"{self.path}: {exc}") from None

    def _transaction(self, work) -> None:
        """Run ``work()`` in one IMMEDIATE transaction; roll back on any error."""
        with self._errors():
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                work()
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise

    # ------------------------------------------------------------------- spec
    def spec(self) -> dict | None:
        """The stored sweep spec (as a dict), or None for a new store."""
        text = self.meta("spec")
        return None if text is None else json.loads(text)

    def set_spec(self, spec: dict, plan: str = "", order: list | None = None) -> None:
        """Store ``spec`` (JSON-ready), the hash of its planned run keys and their grid order."""
        def work():
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('spec', ?)", (json.dumps(spec, sort_keys=True),))
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('plan', ?)", (plan,))
            if order is not None:
                self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('order', ?)", (json.dumps(order),))

        self._transaction(work)

    # ------------------------------------------------------------------- runs
    def finished_keys(self) -> set[str]:
        """Keys of runs stored with status ``ok``."""
        return {r[0] for r in self.conn.execute("SELECT run_key FROM runs WHERE status = 'ok'")}

    def write_run(self, row: dict, daily: Iterable[tuple[int, str, float]]) -> None:
        """Write one finished run and its daily series in one transaction (replacing a failed try)."""
        cols = ("run_key", "point_key", "ranker", "ranker_version", "replicate", "graph", "params", "seed_entropy",
                "spawn_key", "status", "error", "metrics", "started_at", "wall_seconds", "worker", "feedsim_version",
                "numpy_version")
        daily = list(daily)

        def work():
            self.conn.execute("DELETE FROM daily WHERE run_key = ?", (row["run_key"],))
            self.conn.execute(f"INSERT OR REPLACE INTO runs ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                              [row.get(c) for c in cols])
            self.conn.executemany("INSERT INTO daily VALUES (?, ?, ?, ?)",
                                  [(row["run_key"], d, s, v) for d, s, v in daily])

        self._transaction(work)

    def order(self) -> list[str]:
        """Run keys of the latest spec in grid order (empty for a new store)."""
        text = self.meta("order")
        return [] if text is None else json.loads(text)

    def rows(self, sql: str, args: tuple = ()) -> list[tuple]:
        """Run a read query."""
        return self.conn.execute(sql, args).fetchall()

    def close(self) -> None:
        """Release the marker (if held) and close the connection."""
        try:
            self.release()
        finally:
            self.conn.close()

    def __enter__(self) -> ResultsStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
