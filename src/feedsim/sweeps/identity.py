"""The identity of a sweep's ranker: its name plus a version, so edited code makes new runs.

A built-in ranker given by name is ``builtin``. A custom ranker (a function, or
an instance of a class with ``__call__``) is identified by its qualified name
(``module.qualname``) and either

- the ``version`` attribute the user gave it (``my_ranker.version = "2"``, or a
  class attribute), used as is; or
- a hash of its code and parameters: the syntax tree of its source (so comments
  and formatting do not count; the bytecode when no source is available, e.g. a
  function built with ``exec``), its default arguments and closure values, and
  for an instance, the code of every method its class defines and its
  parameters (dataclass fields, else the instance ``__dict__``).

Code the ranker *calls* (a helper function, a module constant) is not part of
the hash: give such a ranker a ``version`` and change it when its behaviour
changes.
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import inspect
import textwrap
import types
from typing import Any

from ..rankers.registry import RANKERS, ranker_name

__all__ = ["ranker_version", "qualified_name", "BUILTIN"]

#: Version recorded for built-in rankers given by name.
BUILTIN = "builtin"


def qualified_name(ranker: Any) -> str:
    """``module.qualname`` of a function, or of an instance's class.

    Examples
    --------
    >>> def mine(c, rng): return c.age_hours
    >>> qualified_name(mine).endswith("mine")
    True
    """
    obj = ranker if isinstance(ranker, (types.FunctionType, types.BuiltinFunctionType, type)) else type(ranker)
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', getattr(obj, '__name__', '?'))}"


def _code_text(obj: Any) -> str:
    """The normalised source (AST dump) of a function or class, else its bytecode."""
    try:
        src = textwrap.dedent(inspect.getsource(obj))
        return ast.dump(ast.parse(src))
    except (OSError, TypeError, SyntaxError, IndentationError):
        if isinstance(obj, type):
            return repr(sorted((k, _code_text(v)) for k, v in vars(obj).items()
                               if isinstance(v, (types.FunctionType, staticmethod, classmethod, property))))
        obj = getattr(obj, "__func__", getattr(obj, "fget", obj))
        code = getattr(obj, "__code__", None)
        return _bytecode(code) if code is not None else repr(obj)


def _bytecode(code: types.CodeType) -> str:
    consts = [(_bytecode(c) if isinstance(c, types.CodeType) else repr(c)) for c in code.co_consts]
    return repr((code.co_code, consts, code.co_names, code.co_varnames))


def _value_text(value: Any) -> str:
    if isinstance(value, (types.FunctionType, types.MethodType)):
        return _code_text(value)
    return repr(value)


def _params_text(ranker: Any) -> str:
    if dataclasses.is_dataclass(ranker) and not isinstance(ranker, type):
        items = [(f.name, getattr(ranker, f.name)) for f in dataclasses.fields(ranker)]
    else:
        items = sorted(getattr(ranker, "__dict__", {}).items())
    return repr([(k, _value_text(v)) for k, v in items if k != "version"])


def ranker_version(ranker: Any) -> str:
    """The version string a sweep stores for ``ranker``.

    Returns ``"builtin"`` for a built-in ranker's name (or the registry's own
    object); ``"<module.qualname>@<version>"`` when the ranker has a
    ``version`` attribute; else ``"<module.qualname>@sha256:<12 hex digits>"``
    of its code and parameters (see the module docstring).

    Examples
    --------
    >>> ranker_version("engagement")
    'builtin'
    >>> def fresh(c, rng): return -c.age_hours
    >>> a = ranker_version(fresh)
    >>> def fresh(c, rng): return -2.0 * c.age_hours
    >>> a == ranker_version(fresh)
    False
    >>> fresh.version = "v2"
    >>> ranker_version(fresh).endswith("@v2")
    True
    """
    if isinstance(ranker, str):
        return BUILTIN
    name = ranker_name(ranker)
    if RANKERS.get(name) is ranker:
        return BUILTIN
    qual = qualified_name(ranker)
    given = getattr(ranker, "version", None)
    if given is not None:
        return f"{qual}@{given}"
    h = hashlib.sha256()
    if isinstance(ranker, types.FunctionType):
        h.update(_code_text(ranker).encode())
        h.update(repr(ranker.__defaults__).encode())
        h.update(repr(ranker.__kwdefaults__).encode())
        cells = [c.cell_contents for c in (ranker.__closure__ or ()) if _has_contents(c)]
        h.update(repr([_value_text(v) for v in cells]).encode())
    else:
        cls = type(ranker)
        for klass in cls.__mro__:
            if klass is object or klass.__module__ == "builtins":
                continue
            h.update(_code_text(klass).encode())
        h.update(_params_text(ranker).encode())
    return f"{qual}@sha256:{h.hexdigest()[:12]}"


def _has_contents(cell) -> bool:
    try:
        cell.cell_contents  # noqa: B018
    except ValueError:
        return False
    return True
