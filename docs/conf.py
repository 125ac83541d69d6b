"""Sphinx configuration for the feedsim documentation.

Build (from the repository root, after ``pip install -e ".[docs]"``)::

    python -m sphinx -W -b html docs docs/_build/html

The API reference pages under ``docs/api/`` are written here, at build time, from each public
module's ``__all__``: the names are declared once, in the code. So are the model's tables under
``docs/_generated/`` (state arrays, the community generator's defaults), included by
``docs/model/odd.md``.
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
# _generated/ holds fragments that pages include (written below from declarations in the code), not pages.
exclude_patterns = ["_build", "screenshots.py", "**/.ipynb_checkpoints", "_generated"]

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
                  "feedsim.plots", "feedsim.params", "feedsim.lesson", "feedsim.sensitivity",
                  "feedsim.calibrate"]
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


# ---------------------------------------------------------------- the model's generated tables
# The ODD page (model/odd.md) includes these fragments; each is written from a declaration in the code.
STATE_OWNERS = [  # (module, registry, owner in words, one row per)
    ("feedsim.population.state", "POPULATION_ARRAYS", "Population (account attributes)", "account"),
    ("feedsim.engine.account_state", "ACCOUNT_ARRAYS", "AccountState (engine state of accounts)", "account"),
    ("feedsim.engine.posts", "POST_ARRAYS", "PostTable (posts)", "post"),
    ("feedsim.engine.live", "LIVE_ITEM_ARRAYS", "LiveItems (originals and reshares that can still be shown)",
     "live item"),
    ("feedsim.engine.edges", "EDGE_ARRAYS", "FollowEdges (follow edges)", "follow edge"),
    ("feedsim.engine.edges", "EDGE_ACCOUNT_ARRAYS", "FollowEdges (per account)", "account"),
]


def _md(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _state_tables() -> str:
    import numpy as np

    lines = []
    for modname, registry, owner, row in STATE_OWNERS:
        arrays = getattr(importlib.import_module(modname), registry)
        lines += [f"#### {owner}", "", f"`{modname}.{registry}`, one entry per {row}.", "",
                  "| name | dtype | a new entry | written by | checkpointed | meaning |",
                  "|---|---|---|---|---|---|"]
        for a in arrays.values():
            start = f"`{a.initial!r}`" if a.rule is None else _md(a.rule)
            lines.append(f"| `{a.name}` | {np.dtype(a.dtype).name} | {start} | {', '.join(a.writers) or 'growth only'} "
                         f"| {'yes' if a.checkpointed else 'no (derived)'} | {_md(a.help)} |")
        lines.append("")
    return "\n".join(lines)


def _community_table() -> str:
    from feedsim.network.generators import DEFAULT_ROLE_SHARES, default_community

    sig = inspect.signature(default_community)
    lines = ["| keyword | default |", "|---|---|"]
    for name, par in sig.parameters.items():
        if par.default is inspect.Parameter.empty or name in ("seed", "as_arrays", "memory_limit"):
            continue
        default = DEFAULT_ROLE_SHARES if name == "role_shares" and par.default is None else par.default
        if name == "n_communities" and default is None:
            default = "max(1, round(n_users / 500))"
        lines.append(f"| `{name}` | `{default!r}` |" if not isinstance(default, str) else f"| `{name}` | `{default}` |")
    return "\n".join(lines) + "\n"


def _write_model_fragments() -> None:
    out = DOCS / "_generated"
    out.mkdir(exist_ok=True)
    for name, text in (("state.md", _state_tables()), ("community.md", _community_table())):
        page = out / name
        if not page.exists() or page.read_text() != text:
            page.write_text(text)


_write_model_fragments()


# ---------------------------------------------------------------- the gallery
# One page per story experiment (experiments/*.py) and field validation (experiments/field/*.py), written
# from the script itself: its docstring (question and mapping onto the model), the question and finding its
# run stored in summary.json, the figures it saved, and its source. The figures come from a run of the
# script: the directory named by FEEDSIM_GALLERY_OUT (holding NAME/ per script; the slow tier's quick runs,
# see tests/integration/conftest.py), else the script's own default output (experiments/out/NAME/ or
# experiments/out/field/NAME/, after `python experiments/NAME.py [--quick]`). Without a run a page says how
# to make one.
ROOT = DOCS.parent
GALLERY_SECTIONS = [("stories", ROOT / "experiments", ROOT / "experiments" / "out"),
                    ("field", ROOT / "experiments" / "field", ROOT / "experiments" / "out" / "field")]


def _gallery_scripts() -> list[tuple[str, Path, Path]]:
    """(section, script, default output dir) of every gallery script, in file-name order."""
    return [(section, path, default_out / path.stem)
            for section, folder, default_out in GALLERY_SECTIONS
            for path in sorted(folder.glob("*.py")) if not path.name.startswith("_")]


def _gallery_run(name: str, default_out: Path) -> tuple[Path | None, dict | None]:
    import json
    import os

    shared = os.environ.get("FEEDSIM_GALLERY_OUT")
    for out in ([Path(shared) / name] if shared else []) + [default_out]:
        if (out / "summary.json").is_file():
            return out, json.loads((out / "summary.json").read_text())
    return None, None


def _rst_title(text: str, char: str) -> list[str]:
    return [text, char * len(text), ""]


def _docstring_rst(body: str) -> list[str]:
    """The docstring as reStructuredText when it parses cleanly, else verbatim (a literal block)."""
    import docutils.core
    import docutils.nodes
    import docutils.utils

    doctree = docutils.core.publish_doctree(body, settings_overrides={
        "report_level": docutils.utils.Reporter.SEVERE_LEVEL + 1, "halt_level": docutils.utils.Reporter.SEVERE_LEVEL + 1,
        "warning_stream": False})
    # Sphinx's roles (:func:, ...) are unknown to plain docutils: an "Unknown interpreted text role" is no problem.
    problems = [m for m in doctree.findall(docutils.nodes.system_message)
                if m["level"] >= 2 and "interpreted text role" not in m.astext()]
    if not problems:
        return [body]
    return ["::", "", *("    " + line if line else "" for line in body.splitlines())]


def _gallery_page(section: str, script: Path, default_out: Path, images: Path) -> str:
    import ast
    import shutil
    import textwrap

    doc = ast.get_docstring(ast.parse(script.read_text(encoding="utf-8"))) or script.stem
    first, _, body = doc.partition("\n")
    rel = script.relative_to(ROOT).as_posix()
    lines = _rst_title(first.strip(), "=") + [f"``{rel}``", "", *_docstring_rst(inspect.cleandoc(body)), ""]
    out, summary = _gallery_run(script.stem, default_out)
    lines += _rst_title("Run it", "-") + [".. code-block:: bash", "",
                                          f"   python {rel} --quick      # seconds; without --quick: the full run",
                                          ""]
    if summary is None:
        lines += ["This build found no run of the script, so the page has no figures: run it (its default "
                  f"output, ``{default_out.relative_to(ROOT).as_posix()}/``, is where this page looks) and "
                  "rebuild.", ""]
    else:
        kind = ("a quick run (``--quick``, small sizes)" if summary.get("quick") else "a full run")
        lines += _rst_title("What the run found", "-")
        question = str(summary.get("question", "")).strip()
        asked = "" if question.rstrip("?") in first else f" The question: {question}"
        lines += [f"From {kind}, {summary.get('replicates', '?')} replicates.{asked} What it printed:", "",
                  ".. code-block:: text", ""]
        for line in str(summary.get("finding", "")).splitlines() or [""]:  # wrapped: no sideways scrolling
            lines += ["   " + part for part in textwrap.wrap(line, 96, break_on_hyphens=False) or [""]]
        lines.append("")
        target = images / script.stem
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        for fig in summary.get("figures", []):
            src = out / fig
            if src.suffix.lower() != ".png" or not src.is_file():
                continue
            shutil.copy2(src, target / src.name)
            lines += [f".. figure:: _images/{script.stem}/{src.name}", "   :width: 100%", "",
                      f"   ``{src.name}``", ""]
    lines += _rst_title("The script", "-") + [f".. literalinclude:: ../../../{rel}", "   :language: python", ""]
    return "\n".join(lines)


def _write_gallery() -> None:
    for section, _, _ in GALLERY_SECTIONS:
        folder = DOCS / "gallery" / section
        folder.mkdir(parents=True, exist_ok=True)
        wanted = {s.stem for sec, s, _ in _gallery_scripts() if sec == section}
        for old in folder.glob("*.rst"):
            if old.stem not in wanted:
                old.unlink()
    for section, script, default_out in _gallery_scripts():
        folder = DOCS / "gallery" / section
        page = folder / f"{script.stem}.rst"
        text = _gallery_page(section, script, default_out, folder / "_images")
        if not page.exists() or page.read_text() != text:
            page.write_text(text)


_write_gallery()


def _write_notebook_pages() -> None:
    """One page per notebook in notebooks/: its Markdown cells and its code, not executed here (the slow
    tier executes the notebooks; tests/integration/test_notebooks.py)."""
    import json
    import posixpath
    import re

    folder = DOCS / "gallery" / "notebooks"
    folder.mkdir(parents=True, exist_ok=True)
    for nb_path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(nb_path.read_text(encoding="utf-8"))["cells"]
        rel = nb_path.relative_to(ROOT).as_posix()
        parts = []
        for i, cell in enumerate(cells):
            source = "".join(cell["source"]).rstrip()
            if cell["cell_type"] == "markdown":
                # a link relative to notebooks/ names a file of the repository (there is no page for it here)
                source = re.sub(r"\[([^\]]+)\]\((?!https?://|#)([^)\s]+)\)",
                                lambda m: f"{m.group(1)} (`{posixpath.normpath('notebooks/' + m.group(2))}`)", source)
                parts.append(source)
                if i == 0:
                    parts.append(f"`{rel}`, shown here without being run: open it in Jupyter to run it.")
            elif cell["cell_type"] == "code" and source:
                parts.append("```python\n" + source + "\n```")
        text = "\n\n".join(parts) + "\n"
        page = folder / f"{nb_path.stem}.md"
        if not page.exists() or page.read_text() != text:
            page.write_text(text)


_write_notebook_pages()


def _write_performance_table() -> None:
    """The performance page's table, from benchmarks/results/*.json (benchmarks/table.py)."""
    import runpy

    markdown = runpy.run_path(str(ROOT / "benchmarks" / "table.py"))["markdown"]
    page = DOCS / "_generated" / "performance.md"
    text = markdown()
    if not page.exists() or page.read_text() != text:
        page.write_text(text)


_write_performance_table()
