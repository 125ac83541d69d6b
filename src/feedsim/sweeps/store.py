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
``run_checksums``
    One row per run: the SHA-256 of its ``runs`` row and its ``daily`` rows as
    stored (schema 3). ``meta`` also holds ``meta_sha256``, the SHA-256 of the
    spec, plan and order.

Each run is written in one transaction when it finishes, so a crash never
leaves a half-written run. Opening an existing store runs SQLite's ``PRAGMA
quick_check`` (the file's structure), and reading its runs recomputes each
run's checksum (its values), so damage is reported as a one-line
:class:`StoreDamagedError` naming the damaged runs, never read as data. A
sweep run again on the store deletes the damaged runs and runs them again.
Stores of schema 2 (before checksums) are read with a :class:`StoreWarning`
that their runs cannot be checked; a sweep run on one adds the checksums of
the runs it holds and makes it schema 3.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import sqlite3
import time
import warnings
from collections.abc import Iterable

from ..errors import FeedsimError

__all__ = ["ResultsStore", "StoreError", "StoreLockedError", "StoreDamagedError", "StoreWarning", "SpecMismatchError"]

FORMAT = "feedsim-sweep"
SCHEMA_VERSION = "3"
#: Schema versions this feedsim reads: 2 has no checksums (read with a StoreWarning).
READABLE_VERSIONS = ("2", "3")
#: Columns of ``runs``, in the order their values enter a run's checksum.
RUN_COLUMNS = ("run_key", "point_key", "ranker", "ranker_version", "replicate", "graph", "params", "seed_entropy",
               "spawn_key", "status", "error", "metrics", "started_at", "wall_seconds", "worker", "feedsim_version",
               "numpy_version")
#: ``meta`` keys covered by ``meta_sha256``.
_CHECKED_META = ("spec", "plan", "order")
_CHECKSUMS = "CREATE TABLE IF NOT EXISTS run_checksums (run_key TEXT PRIMARY KEY, sha256 TEXT NOT NULL)"
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
CREATE TABLE run_checksums (run_key TEXT PRIMARY KEY, sha256 TEXT NOT NULL);
"""


class StoreError(FeedsimError, RuntimeError):
    """A file is not a feedsim results store, or the store cannot be used."""


class StoreLockedError(StoreError):
    """Another sweep is running on the same store."""


class SpecMismatchError(StoreError):
    """The store holds a different sweep and ``extend`` was not asked for."""


class StoreDamagedError(StoreError):
    """The store's file is damaged, or some runs' stored values fail their checksum.

    ``runs`` lists the run keys whose values are damaged (empty when the file's
    structure is, and no run can be trusted).
    """

    def __init__(self, message: str, runs: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.runs = tuple(runs)

    def __reduce__(self):
        return type(self), (str(self), self.runs)


class StoreWarning(UserWarning):
    """A store was read or changed in a way worth knowing: runs without checksums, damaged runs deleted."""


def _digest(row: tuple, daily: list[tuple]) -> str:
    """SHA-256 of a run's ``runs`` row and its ``daily`` rows (sorted by day, series), as SQLite returns them."""
    text = json.dumps([list(row), [list(d) for d in daily]], allow_nan=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _meta_digest(values: dict[str, str | None]) -> str:
    return hashlib.sha256(json.dumps([values.get(k) for k in _CHECKED_META]).encode()).hexdigest()


def _is_lock(exc: sqlite3.Error) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _keys(keys: list[str], shown: int = 3) -> str:
    more = f" and {len(keys) - shown} more" if len(keys) > shown else ""
    return ", ".join(keys[:shown]) + more


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
        try:
            self.conn = sqlite3.connect(self.path, timeout=TIMEOUT, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot open it ({exc})") from None
        self._locked = False
        try:
            if exists:
                self._quick_check()
            try:  # write-ahead log: a reader (a notebook, a DB browser) never blocks a run's commit
                self.conn.execute("PRAGMA journal_mode=WAL")
            except sqlite3.OperationalError:
                pass  # locked by another connection right now, or read-only: keep the current journal mode
            except sqlite3.DatabaseError as exc:
                raise self._damaged(f"SQLite: {exc}") from None
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

    def _damaged(self, what: str) -> StoreDamagedError:
        return StoreDamagedError(
            f"{self.path} is damaged ({what}); recover what is readable with `sqlite3 {self.path} .recover "
            f"| sqlite3 NEW.sqlite` and run the sweep on NEW.sqlite to recompute the rest, or run it on a new file")

    def _quick_check(self) -> None:
        """SQLite's structural check of the whole file (pages, cells, free lists, NOT NULL)."""
        self.conn.text_factory = bytes  # its report may quote damaged names that are not UTF-8
        try:
            with self._errors(opening=True):
                found = [r[0].decode("utf-8", "replace") for r in self.conn.execute("PRAGMA quick_check(3)")]
        finally:
            self.conn.text_factory = str
        if found != ["ok"]:
            first = " ".join(" ".join(found).split())
            raise self._damaged(f"SQLite quick_check: {first[:200]}")

    def _init_or_check(self, exists: bool) -> None:
        with self._errors(opening=True):
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
                self.schema_version = SCHEMA_VERSION
                return
            fmt = None
            if "meta" in tables:
                row = self.conn.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
                fmt = row[0] if row else None
            if fmt != FORMAT or not {"runs", "daily", "sweep_lock"} <= tables:
                raise StoreError(f"{self.path} is an SQLite database but not a feedsim results store "
                                 f"(tables: {', '.join(sorted(tables))})")
            version = self.meta("schema_version")
            if version not in READABLE_VERSIONS:
                raise StoreError(f"{self.path} has store schema version {version}; "
                                 f"this feedsim reads versions {', '.join(READABLE_VERSIONS)} (version 2 added "
                                 f"ranker versions and graph identities, 3 checksums); write the sweep to a new "
                                 f"database")
            if version == SCHEMA_VERSION and "run_checksums" not in tables:
                raise self._damaged("schema 3 without its run_checksums table")
            self.schema_version = version

    def meta(self, key: str) -> str | None:
        """A value of the ``meta`` table, or None."""
        with self._errors():
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
            self._repair()
            self.conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise StoreLockedError(f"{self.path} is locked by another process ({exc})") from None
        except sqlite3.DatabaseError as exc:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise self._damaged(f"SQLite: {exc}") from None
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        self._locked = True

    def _repair(self) -> None:
        """Before a sweep writes (inside its transaction): delete damaged runs, checksum a schema-2 store's runs."""
        bad, unverified = self._check_runs()
        if bad:
            q = ",".join("?" * len(bad))
            for table in ("runs", "daily", "run_checksums"):
                self.conn.execute(f"DELETE FROM {table} WHERE run_key IN ({q})", bad)
            warnings.warn(f"{self.path}: deleted {len(bad)} damaged run(s) ({_keys(bad)}); the sweep runs them "
                          "again", StoreWarning, stacklevel=4)
        if self.schema_version != SCHEMA_VERSION:
            self.conn.execute(_CHECKSUMS)
            for key in unverified:
                self._write_checksum(key)
            meta = {k: self.meta(k) for k in _CHECKED_META}
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('meta_sha256', ?)", (_meta_digest(meta),))
            self.conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (SCHEMA_VERSION,))
            self.schema_version = SCHEMA_VERSION

    def _run_digest(self, run_key: str) -> str:
        cols = ", ".join(RUN_COLUMNS)
        row = self.conn.execute(f"SELECT {cols} FROM runs WHERE run_key = ?", (run_key,)).fetchone()
        daily = self.conn.execute("SELECT day, series, value FROM daily WHERE run_key = ? ORDER BY day, series",
                                  (run_key,)).fetchall()
        return _digest(row, daily)

    def _write_checksum(self, run_key: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO run_checksums VALUES (?, ?)", (run_key, self._run_digest(run_key)))

    def _check_runs(self) -> tuple[list[str], list[str]]:
        """(damaged, unverified) run keys: values that fail their checksum (or have none in a schema-3
        store, or are daily rows of no run), and runs of a schema-2 store without a checksum."""
        cols = ", ".join(RUN_COLUMNS)
        rows = {r[0]: r for r in self.conn.execute(f"SELECT {cols} FROM runs")}
        daily: dict[str, list] = {}
        for key, day, series, value in self.conn.execute(
                "SELECT run_key, day, series, value FROM daily ORDER BY run_key, day, series"):
            daily.setdefault(key, []).append((day, series, value))
        sums: dict[str, str] = {}
        if self.schema_version == SCHEMA_VERSION or self._has_table("run_checksums"):
            sums = dict(self.conn.execute("SELECT run_key, sha256 FROM run_checksums").fetchall())
        strict = self.schema_version == SCHEMA_VERSION
        bad: list[str] = []
        unverified: list[str] = []
        for key, row in rows.items():
            want = sums.get(key)
            if want is None:
                (bad if strict else unverified).append(key)
            elif _digest(row, daily.get(key, [])) != want:
                bad.append(key)
        bad += sorted(k for k in daily if k not in rows)
        return bad, unverified

    def _has_table(self, name: str) -> bool:
        return self.conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                                 (name,)).fetchone() is not None

    def check(self, stacklevel: int = 2) -> None:
        """Verify every run's stored values and the stored spec against their checksums.

        Raises
        ------
        StoreDamagedError
            One line naming the damaged runs (``.runs`` lists their keys) and how to
            run them again.

        Warns
        -----
        StoreWarning
            For a store of schema 2, whose runs have no checksums.

        Examples
        --------
        >>> import os, tempfile, feedsim
        >>> db = os.path.join(tempfile.mkdtemp(), "r.sqlite")
        >>> spec = feedsim.SweepSpec(seed=1, days=1, graph={"n_users": 60, "seed": 0}, grid={"ranker": ["engagement"]})
        >>> _ = feedsim.run_sweep(spec, db, workers=1)
        >>> with ResultsStore(db, create=False) as store:
        ...     store.check()
        """
        with self._errors():
            self.conn.execute("BEGIN")  # one snapshot of the file for every query
            try:
                bad, unverified = self._check_runs()
                meta = {k: self.meta(k) for k in _CHECKED_META}
                stored = self.meta("meta_sha256")
                n = self.conn.execute("SELECT count(*) FROM runs").fetchone()[0]
            finally:
                self.conn.execute("COMMIT")
        if bad:
            raise StoreDamagedError(
                f"{self.path}: {len(bad)} of {n} runs are damaged (stored values fail their checksum: {_keys(bad)}); "
                f"run the sweep on it again (feedsim sweep SPEC --db {self.path}) to delete and rerun them", tuple(bad))
        if self.schema_version == SCHEMA_VERSION or stored is not None:
            if stored != _meta_digest(meta) and (stored is not None or any(v is not None for v in meta.values())):
                raise StoreDamagedError(f"{self.path}: the stored sweep spec is damaged (meta fails its checksum); run "
                                        f"the sweep on it again (feedsim sweep SPEC --db {self.path}) to rewrite it")
        if unverified:
            warnings.warn(f"{self.path} was written by an older feedsim (store schema {self.schema_version}): "
                          f"{len(unverified)} runs have no checksums, so damage to their values cannot be detected; "
                          "running the sweep on it again with this feedsim adds them", StoreWarning,
                          stacklevel=stacklevel)

    def release(self) -> None:
        """Remove this process's in-progress marker."""
        if self._locked:
            with self._errors():
                self.conn.execute("DELETE FROM sweep_lock WHERE id = 1 AND pid = ?", (os.getpid(),))
            self._locked = False

    @contextlib.contextmanager
    def _errors(self, opening: bool = False):
        """Report SQLite's own errors as store errors naming the file.

        Locks give :class:`StoreLockedError`; damage (SQLITE_CORRUPT, SQLITE_NOTADB,
        text that is no longer UTF-8, and while ``opening`` any other operational
        error) :class:`StoreDamagedError`; anything else :class:`StoreError`.
        """
        try:
            yield
        except sqlite3.OperationalError as exc:
            if _is_lock(exc):
                raise StoreLockedError(f"{self.path} is locked by another process ({exc})") from None
            if "decode" in str(exc):
                raise self._damaged("a text value is not valid UTF-8") from None
            if opening:
                raise self._damaged(f"SQLite: {exc}") from None
            raise StoreError(f"{self.path}: {exc}") from None
        except sqlite3.DatabaseError as exc:
            raise self._damaged(f"SQLite: {exc}") from None
        except UnicodeDecodeError:  # a text cell, or a name in SQLite's own message, that is not UTF-8
            raise self._damaged("a text value or name is not valid UTF-8") from None

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
        return self._json_meta("spec", None)

    def _json_meta(self, key: str, default):
        text = self.meta(key)
        if text is None:
            return default
        try:
            return json.loads(text)
        except (ValueError, TypeError, RecursionError):
            raise StoreDamagedError(f"{self.path}: the stored sweep {key} is damaged (not valid JSON); run the sweep "
                                    f"on it again (feedsim sweep SPEC --db {self.path}) to rewrite it") from None

    def set_spec(self, spec: dict, plan: str = "", order: list | None = None) -> None:
        """Store ``spec`` (JSON-ready), the hash of its planned run keys and their grid order."""
        def work():
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('spec', ?)", (json.dumps(spec, sort_keys=True),))
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('plan', ?)", (plan,))
            if order is not None:
                self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('order', ?)", (json.dumps(order),))
            if self.schema_version == SCHEMA_VERSION:
                meta = {k: self.meta(k) for k in _CHECKED_META}
                self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('meta_sha256', ?)", (_meta_digest(meta),))

        self._transaction(work)

    # ------------------------------------------------------------------- runs
    def finished_keys(self) -> set[str]:
        """Keys of runs stored with status ``ok``."""
        with self._errors():
            return {r[0] for r in self.conn.execute("SELECT run_key FROM runs WHERE status = 'ok'")}

    def write_run(self, row: dict, daily: Iterable[tuple[int, str, float]]) -> None:
        """Write one finished run and its daily series in one transaction (replacing a failed try)."""
        cols = RUN_COLUMNS
        daily = list(daily)

        def work():
            self.conn.execute("DELETE FROM daily WHERE run_key = ?", (row["run_key"],))
            self.conn.execute(f"INSERT OR REPLACE INTO runs ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                              [row.get(c) for c in cols])
            self.conn.executemany("INSERT INTO daily VALUES (?, ?, ?, ?)",
                                  [(row["run_key"], d, s, v) for d, s, v in daily])
            if self.schema_version == SCHEMA_VERSION:  # of the values as stored, read back
                self._write_checksum(row["run_key"])

        self._transaction(work)

    def order(self) -> list[str]:
        """Run keys of the latest spec in grid order (empty for a new store)."""
        return self._json_meta("order", [])

    def rows(self, sql: str, args: tuple = ()) -> list[tuple]:
        """Run a read query."""
        with self._errors():
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
