"""Sphinx configuration for the feedsim documentation.

Build (from the repository root, after ``pip install -e ".[docs]"``)::

    python -m sphinx -W -b html docs docs/_build/html

The API reference pages under ``docs/api/`` are written here, at build time, from each public
module's ``__all__``: the names are declared once, in the code.
"""

from __future__ import annotations

import importlib
import inspect
import types
from pathlib import Path

import feedsim

DOCS = Path(__file__).resolve().parent

project = "feedsim"
author = "feedsim developers"
copyright = "2026, feedsim developers"
release = feedsim.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_parser",
    # sphinx.ext.intersphinx is deliberately off: the build needs no network.
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
# screenshots.py regenerates the PNGs; it is a script, not a page.
exclude_patterns = ["_build", "screenshots.py", "**/.ipynb_checkpoints"]

myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 4

autosummary_generate = True
autosummary_ignore_module_all = False
autodoc_member_order = "bysource"
autodoc_typehints = "none"  # the numpydoc Parameters sections carry the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

html_theme = "pydata_sphinx_theme"
html_title = f"feedsim {release}"
html_theme_options = {"navigation_with_keys": False}
html_static_path: list[str] = []

# The public modules with an API page: the package itself, the subpackages the issue names, and every
# module that ``feedsim.__all__`` exports.
PUBLIC_MODULES = ["feedsim", "feedsim.networks", "feedsim.rankers", "feedsim.metrics", "feedsim.sweeps",
                  "feedsim.plots", "feedsim.params", "feedsim.lesson", "feedsim.calibrate"]
PUBLIC_MODULES += sorted({f"feedsim.{name}" for name in feedsim.__all__
                          if isinstance(getattr(feedsim, name), types.ModuleType)} - set(PUBLIC_MODULES))


# A class or function that several public modules export gets one page, under the first name
# met (PUBLIC_MODULES order: ``feedsim`` first); the other modules link to it. Two pages for one class
# would describe its canonical name twice (a warning).
_DOCUMENTED: dict[int, str] = {}


def _api_page(modname: str) -> str:
    module = importlib.import_module(modname)
    names = list(module.__all__)
    submodules = [n for n in names if isinstance(getattr(module, n), types.ModuleType)]
    objects, elsewhere = [], []
    for n in names:
        if n in submodules:
            continue
        obj = getattr(module, n)
        if (inspect.isclass(obj) or inspect.isfunction(obj)) and id(obj) in _DOCUMENTED:
            elsewhere.append((n, _DOCUMENTED[id(obj)]))
            continue
        if inspect.isclass(obj) or inspect.isfunction(obj):
            _DOCUMENTED[id(obj)] = f"{modname}.{n}"
        objects.append(n)
    title = f"``{modname}``"
    lines = [title, "=" * len(title), "", f".. automodule:: {modname}", "   :no-members:", ""]
    groups = {"Classes": [], "Exceptions": [], "Functions": [], "Data": []}
    for n in objects:
        obj = getattr(module, n)
        if inspect.isclass(obj) and issubclass(obj, BaseException):
            groups["Exceptions"].append(n)
        elif inspect.isclass(obj):
            groups["Classes"].append(n)
        elif callable(obj):
            groups["Functions"].append(n)
        else:
            groups["Data"].append(n)
    for heading, members in groups.items():
        if not members:
            continue
        lines += [heading, "-" * len(heading), "", ".. autosummary::", "   :toctree: generated", ""]
        lines += [f"   {n}" for n in members] + [""]
    if elsewhere:
        lines += ["Also exported here", "------------------", ""]
        lines += [f"- ``{n}``: :py:obj:`{target}`" for n, target in elsewhere] + [""]
    if submodules:
        lines += ["Modules", "-------", ""]
        lines += [f"- :mod:`{modname}.{n}`" for n in submodules] + [""]
    return "\n".join(lines)


def _write_api_pages() -> None:
    api = DOCS / "api"
    api.mkdir(exist_ok=True)
    for modname in PUBLIC_MODULES:
        page = api / f"{modname}.rst"
        text = _api_page(modname)
        if not page.exists() or page.read_text() != text:  # unchanged pages keep Sphinx's cache valid
            page.write_text(text)


_write_api_pages()
