"""Every simulation parameter and account attribute, declared once.

Each :class:`Param` row holds what feedsim knows about one input: its name, unit,
kind, bounds, default (per role for account attributes), whether it may change
during a run, and a one-line help text. Everything else reads these rows, as
scikit-learn's estimators read their ``_parameter_constraints``:

* validation (:class:`~feedsim.SimulationConfig`, :class:`~feedsim.Simulation`,
  ``set_param``, ``add_accounts``, ``sim.accounts``, node attributes, sweep specs,
  the explorer, the command line) calls :func:`check` (one value) or
  :func:`check_config` (a whole configuration, with the rules that tie fields
  together);
* the documentation table (``docs/parameters.md``) is :func:`markdown_table`;
* the per-role defaults of the account attributes
  (:data:`feedsim.population.ROLE_DEFAULTS`), the node attributes feedsim reads
  (:data:`feedsim.networks.NODE_ATTRIBUTES`) and the attributes user code may edit
  (:data:`feedsim.engine.accounts.EDITABLE`) are derived from the rows.

Messages follow one style (:mod:`feedsim._validate`): the field, the rule and the
value, e.g. ``post_rate must be a finite number >= 0 and <= 1000000.0; got -1.0
(node 17)``.

Examples
--------
>>> SIMULATION_PARAMS["like_rate"].default, SIMULATION_PARAMS["like_rate"].unit
(0.05, 'probability per impression')
>>> check("like_rate", 1.5)
Traceback (most recent call last):
...
feedsim.errors.InvalidParameterError: like_rate must be a finite number >= 0 and <= 1; got 1.5
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ._validate import check_array, check_bool, check_choice, check_int, check_number
from .errors import InvalidParameterError

__all__ = [
    "ACCOUNT_ATTRIBUTES",
    "DAYS",
    "MAX_TICKS_PER_RUN",
    "Param",
    "ROLES",
    "RUN_PARAMS",
    "SIMULATION_PARAMS",
    "check",
    "check_config",
    "check_days",
    "markdown_table",
    "param",
]

#: Roles an account can have, in code order (``role_code == ROLES.index(role)``).
ROLES = ("influencer", "regular", "quiet", "brand", "lurker")


class _Shown(float):
    """A bound that prints as written (``1/60``) rather than as a long float."""

    text: str

    def __new__(cls, value: float, text: str) -> _Shown:
        out = super().__new__(cls, value)
        out.text = text
        return out

    def __repr__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Param:
    """One declared parameter or account attribute.

    Parameters
    ----------
    name : str
        The keyword (``like_rate``) or node attribute (``post_rate``).
    kind : {"float", "int", "bool", "choice"}
        What values it takes; ``int`` values must be whole numbers.
    default : object
        The default (``None`` where the default is "derived", e.g. the feedback
        loops follow ``dynamics``; for account attributes, the default role's median).
    unit : str
        Unit in words (``"hours"``, ``"posts/day"``, ``"probability"``).
    help : str
        One line for the docs table and the command line.
    low, high : float, optional
        Bounds; ``None``: unbounded.
    low_open, high_open : bool
        Whether the bound itself is excluded.
    allow_inf : bool
        Accept ``inf`` (a half-life of ``inf`` means "never").
    optional : bool
        Accept ``None``.
    choices : tuple of str
        Allowed values of a ``choice``.
    mutable : bool
        May change during a run (``set_param``; ``sim.accounts`` for account attributes).
    role_defaults : mapping of str to float, optional
        Account attributes: the per-role median (:data:`ROLES` order).
    role_sigma : mapping of str to float, optional
        Account attributes: the per-role log-normal sigma of the draw around the
        median (``None``: every account of a role gets the median).
    note : str
        A rule beyond the bounds, in words (shown in the docs table).
    source : str
        Where the default comes from (a measurement it is calibrated to); empty for
        a modelling assumption or a switch (the docs table says which).

    Examples
    --------
    >>> p = Param("rate", "float", 0.5, "per day", "A rate.", low=0, high=1)
    >>> p.rule
    'a finite number >= 0 and <= 1'
    >>> p.check(0.25)
    0.25
    """

    name: str
    kind: str
    default: Any
    unit: str
    help: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    allow_inf: bool = False
    optional: bool = False
    choices: tuple[str, ...] = ()
    mutable: bool = True
    role_defaults: Mapping[str, float] | None = field(default=None, compare=False)
    role_sigma: Mapping[str, float] | None = field(default=None, compare=False)
    note: str = ""
    source: str = ""

    @property
    def bounds(self) -> str:
        """The bounds in words (``>= 0 and <= 1``), as the messages write them."""
        parts = []
        if self.low is not None:
            parts.append(("> " if self.low_open else ">= ") + repr(self.low))
        if self.high is not None:
            parts.append(("< " if self.high_open else "<= ") + repr(self.high))
        return " and ".join(parts)

    @property
    def rule(self) -> str:
        """The whole rule in words, as the messages write it."""
        if self.kind == "bool":
            text = "True or False"
        elif self.kind == "choice":
            text = "one of " + ", ".join(repr(c) for c in self.choices)
        else:
            text = "an integer" if self.kind == "int" else (
                "a number (inf allowed)" if self.allow_inf else "a finite number")
            if self.bounds:
                text += " " + self.bounds
        return "None or " + text if self.optional else text

    def check(self, value: Any, where: str = "", *, name: str | None = None) -> Any:
        """Return ``value`` checked (floats as ``float``, ints as ``int``), else raise.

        ``where`` is appended to the message (``"node 17"``); ``name`` replaces
        the field name in it (``"accounts.post_rate"``).

        Raises
        ------
        InvalidParameterError
            One line naming the field, the rule and the value.
        """
        label = name or self.name
        if value is None and self.optional:
            return None
        try:
            if self.kind == "bool":
                return check_bool(label, value)
            if self.kind == "choice":
                return check_choice(label, value, self.choices, where=where)
            if self.kind == "int":
                return check_int(label, value, low=_int_or_none(self.low), high=_int_or_none(self.high),
                                 where=where)
            return check_number(label, value, low=self.low, high=self.high, low_inclusive=not self.low_open,
                                high_inclusive=not self.high_open, allow_inf=self.allow_inf, where=where)
        except InvalidParameterError as err:
            if where and self.kind == "bool":  # check_bool takes no ``where``
                raise InvalidParameterError(f"{err} ({where})") from None
            if self.optional:
                raise InvalidParameterError(str(err).replace(" must be ", " must be None or ", 1)) from None
            raise

    def check_array(self, values: Any, *, ids: Any = None, name: str | None = None) -> Any:
        """Check every element of a 1-d array of this (numeric) attribute; name the first offender.

        Strings and booleans are refused (``"2"`` and ``True`` are not rates),
        whole numbers are required for ``int`` attributes. ``ids`` names the
        offending element (``node 17``); without it the message says ``index i``.

        Returns
        -------
        ndarray of float64
        """
        return check_array(name or self.name, values, low=self.low, high=self.high,
                           low_inclusive=not self.low_open, integer=self.kind == "int", ids=ids)


def _int_or_none(x: float | None) -> int | None:
    return None if x is None else int(x)


def _p(name: str, kind: str, default: Any, unit: str, help: str, **kw: Any) -> Param:
    return Param(name, kind, default, unit, help, **kw)


_LOOP_NOTE = "None: same as dynamics"

#: One row per :class:`~feedsim.SimulationConfig` field, in field order.
SIMULATION_PARAMS: dict[str, Param] = {p.name: p for p in (
    _p("tick_hours", "float", 1.0, "hours", "Length of a platform tick.",
       # below a minute a tick costs as much as a longer one (every tick scans the
       # accounts) and rates per day give almost no events per tick: a day at 1e-9 h
       # ticks would be 2.4e10 ticks and never finish
       low=_Shown(1 / 60, "1/60"), high=24, mutable=False, note="divides 24 evenly; at least one minute"),
    _p("max_age_hours", "float", 48.0, "hours", "Posts older than this are no longer candidates.",
       low=0, low_open=True),
    _p("out_of_network_share", "float", 0.0, "share of each feed",
       "Share of each feed reserved for out-of-network (trending) posts.", low=0, high=1),
    _p("trending_pool_size", "int", 50, "posts", "Live posts in the trending pool (most engaged first).", low=1),
    _p("exclude_seen", "bool", True, "", "Never show a viewer the same post twice.", mutable=False),
    _p("dynamics", "bool", True, "", "Master switch: False turns every feedback loop and churn off."),
    _p("rich_get_richer", "bool", None, "", "Engagement counts reach rankers; engagements raise affinity.",
       optional=True, note=_LOOP_NOTE),
    _p("reciprocity", "bool", None, "", "Engaged authors grow affinity back and may follow back.",
       optional=True, note=_LOOP_NOTE),
    _p("creator_adaptation", "bool", None, "", "Creators post less when their posts get little response.",
       optional=True, note=_LOOP_NOTE),
    _p("follow_discovery", "bool", None, "", "Engaging with a reshared or out-of-network post may become a follow.",
       optional=True, note=_LOOP_NOTE),
    _p("churn", "bool", None, "", "Accounts join and leave (join_rate, leave_rate).", optional=True,
       note=_LOOP_NOTE),
    _p("session_adaptation", "bool", False, "", "Viewers return more or less often after what their feed showed."),
    _p("like_rate", "float", 0.05, "probability per impression",
       "Chance an impression becomes a like (propensity 1, appeal 1, affinity 0, top slot).", low=0, high=1),
    _p("reshare_rate", "float", 0.01, "probability per impression", "Chance an impression becomes a reshare.",
       low=0, high=1),
    _p("reply_rate", "float", 0.006, "probability per impression", "Chance an impression becomes a reply.",
       low=0, high=1),
    _p("position_decay", "float", 0.5, "exponent", "Attention to feed slot s is (1 + s) ** -position_decay.",
       low=0),
    _p("appeal_sigma", "float", 0.5, "log-normal sigma", "Spread of a post's appeal around its author's quality.",
       low=0),
    _p("mutual_affinity", "float", 0.5, "affinity", "Initial affinity along a reciprocated follow edge.", low=0,
       mutable=False),
    _p("mutual_affinity_lasts", "bool", False, "",
       "Whether mutual_affinity is a lasting floor of a reciprocated edge's affinity (False: only its start, "
       "which decays like any affinity unless renewed by interaction; a follow-back then cannot ratchet "
       "engagement up).", mutable=False, note="True: the model of version 0.3.0"),
    _p("affinity_gain", "float", 0.1, "affinity per engagement", "Affinity added per engagement.", low=0),
    _p("affinity_max", "float", 5.0, "affinity", "Ceiling of affinity.", low=0, note=">= mutual_affinity"),
    _p("reciprocity_gain", "float", 0.2, "affinity per engagement",
       "Affinity an author gains towards an engaging viewer.", low=0),
    _p("follow_back_prob", "float", 0.05, "probability", "Chance an author follows back an engaging viewer.",
       low=0, high=1),
    _p("discovery_follow_prob", "float", 0.1, "probability",
       "Chance an engagement on a reshared or out-of-network post becomes a follow.", low=0, high=1),
    _p("unfollow_share", "float", 1.0, "unfollows per new follow",
       "Share of new follows after which the follower unfollows its weakest tie (least recent interaction); "
       "people do unfollow, mostly ties without interaction (Kwak et al. CHI 2011; Kivran-Swaine et al. CHI "
       "2011; Xu et al. CSCW 2013).", low=0, high=1, note="1: follows rewire and the graph keeps its size"),
    _p("affinity_half_life_days", "float", 3.0, "days", "Half-life of affinity's decay to its baseline.",
       low=0, low_open=True, allow_inf=True, note="inf: no decay"),
    _p("adaptation_half_life_days", "float", 3.0, "posting days", "Half-life of a creator's recent response.",
       low=0, low_open=True, allow_inf=True),
    _p("adaptation_reference_days", "float", 30.0, "posting days",
       "Half-life of the response a creator is used to.", low=0, low_open=True, allow_inf=True),
    _p("adaptation_target", "float", None, "engagements per post",
       "A fixed reference response for every creator (None: each learns its own).", low=0, low_open=True,
       optional=True),
    _p("adaptation_smoothing", "float", 0.5, "engagements per post",
       "Pseudo-response added to recent and reference response.", low=0),
    _p("adaptation_elasticity", "float", 0.5, "elasticity", "Elasticity of the posting-rate multiplier.", low=0),
    _p("min_rate_multiplier", "float", 0.1, "multiplier", "Lower bound of the posting-rate multiplier.",
       low=0, high=1),
    _p("max_rate_multiplier", "float", 2.0, "multiplier", "Upper bound of the posting-rate multiplier.", low=1),
    _p("burnout_threshold", "float", 0.5, "response ratio",
       "A posting day below this response ratio counts towards burnout.", low=0),
    _p("burnout_days", "int", 14, "posting days", "Consecutive low-response posting days before a burnout.",
       low=1),
    _p("burnout_rest_days", "float", 30.0, "days", "Mean length of a burnout (exponential).", low=0,
       low_open=True, allow_inf=True, note="inf: permanent"),
    _p("join_rate", "float", 0.001, "per account per day", "Accounts joining per present account per day.",
       low=0, high=1),
    _p("leave_rate", "float", 0.001, "per account per day", "Accounts leaving per present account per day.",
       low=0, high=1),
    _p("join_random_share", "float", 0.2, "share",
       "Share of a newcomer's follows and followers not copied from its prototype.", low=0, high=1),
    _p("session_smoothing", "float", 0.1, "engagements per session",
       "Pseudo-engagements added to both memories of session adaptation.", low=0),
    _p("session_elasticity", "float", 0.5, "elasticity", "Elasticity of the session-rate multiplier.", low=0),
    _p("record_impressions", "bool", False, "", "Keep a per-impression log in the result.",
       note="needs keep_posts=True"),
    _p("keep_posts", "bool", True, "", "Keep one row per post for the whole run.", mutable=False),
)}


def _roles(*values: float) -> dict[str, float]:
    return dict(zip(ROLES, values))


# The calibrations (details in feedsim.population.roles and tests/validation/test_calibration.py).
_PEW_POSTS = "regular: Pew Research Center 2019, *Sizing Up Twitter Users* (top 10% write 80% of tweets)"
_PEW_LIKES = "quiet, lurker: Pew Research Center 2019, *Sizing Up Twitter Users* (likes a month)"


#: One row per account attribute (node attribute, ``add_accounts`` keyword,
#: ``sim.accounts`` array). Numeric defaults are per role: the median of a
#: log-normal draw with the role's sigma (see :mod:`feedsim.population.roles`).
ACCOUNT_ATTRIBUTES: dict[str, Param] = {p.name: p for p in (
    _p("role", "choice", "regular", "", "What kind of account (a node without one is a regular member).",
       choices=ROLES, mutable=False),
    _p("post_rate", "float", 1.75, "posts/day", "Base posting rate.", low=0.0, high=1e6,
       role_defaults=_roles(5.0, 1.75, 0.15, 3.0, 0.0), role_sigma=_roles(0.6, 1.25, 0.8, 0.5, 0.0),
       note="at most about 12 a second", source=_PEW_POSTS),
    _p("session_rate", "float", 4.0, "sessions/day", "How often the account opens its feed.", low=0.0,
       high=86_400.0, role_defaults=_roles(8.0, 4.0, 3.0, 1.0, 2.0), role_sigma=_roles(0.4, 0.5, 0.5, 0.3, 0.6),
       note="at most one a second"),
    _p("attention", "int", 15, "items seen per session", "Feed items a session shows.", low=1, high=1_000_000,
       role_defaults=_roles(25, 15, 12, 5, 12), role_sigma=_roles(0.3, 0.3, 0.3, 0.3, 0.3),
       note="drawn values are rounded; held as int32"),
    _p("propensity", "float", 1.0, "multiplier (1 = typical)", "Engagement propensity of the account as a viewer.",
       low=0.0, role_defaults=_roles(0.8, 1.0, 0.1, 0.1, 0.05), role_sigma=_roles(0.3, 0.3, 0.3, 0.3, 0.3),
       source=_PEW_LIKES),
    _p("quality", "float", 1.0, "multiplier (1 = typical)", "Mean appeal of the account's posts.", low=0.0,
       low_open=True, role_defaults=_roles(1.0, 1.0, 1.0, 1.0, 1.0)),
    _p("link_share", "float", 0.10, "probability", "Chance a post links off-platform.", low=0.0, high=1,
       role_defaults=_roles(0.15, 0.10, 0.10, 0.60, 0.10)),
)}

#: Most ticks one ``run()`` call may cover (a run of more is refused: run it in parts).
MAX_TICKS_PER_RUN = 10_000_000

#: The run length, taken by ``Simulation.run``, ``estimate_memory``, ``compare``,
#: ``run_worlds``, sweep specs and ``--days``. The upper bound (about 274 years)
#: keeps the tick count of a run bounded; :func:`check_days` adds the rules that
#: need ``tick_hours``.
DAYS = _p("days", "float", None, "days", "Simulated days of a run.", low=0, low_open=True, high=100_000,
          note="a whole number of ticks, at least one")

#: Arguments of a run that are not part of the configuration.
RUN_PARAMS: dict[str, Param] = {"days": DAYS}

_ALL: dict[str, Param] = {**SIMULATION_PARAMS, **ACCOUNT_ATTRIBUTES, **RUN_PARAMS}


def param(name: str) -> Param:
    """The declaration of ``name`` (a parameter, an account attribute or ``days``).

    Examples
    --------
    >>> param("tick_hours").mutable
    False
    """
    try:
        return _ALL[name]
    except KeyError:
        raise InvalidParameterError(
            f"unknown parameter {name!r}; declared: {', '.join(_ALL)}") from None


def check(name: str, value: Any, where: str = "") -> Any:
    """Check one value of a declared parameter or account attribute; return it normalised.

    Examples
    --------
    >>> check("attention", 12.0)
    12
    >>> check("quality", 0.0, where="node 3")
    Traceback (most recent call last):
    ...
    feedsim.errors.InvalidParameterError: quality must be a finite number > 0.0; got 0.0 (node 3)
    """
    return param(name).check(value, where)


def check_config(values: Mapping[str, Any]) -> None:
    """Check every field of a configuration and the rules that tie fields together.

    ``values`` maps each :data:`SIMULATION_PARAMS` name to its value. The rules
    across fields: ``tick_hours`` divides 24 evenly; ``affinity_max >=
    mutual_affinity``; ``record_impressions=True`` needs ``keep_posts=True``.

    Examples
    --------
    >>> cfg = {p.name: p.default for p in SIMULATION_PARAMS.values()}
    >>> check_config({**cfg, "tick_hours": 5})
    Traceback (most recent call last):
    ...
    feedsim.errors.InvalidParameterError: tick_hours must divide 24 evenly (e.g. 0.5, 1, 2, 3, 4, 6, 8, 12, 24); got 5
    """  # noqa: E501 (a doctest shows the whole message)
    for name, p in SIMULATION_PARAMS.items():
        p.check(values[name])
    tick = float(values["tick_hours"])
    if abs(24 / tick - round(24 / tick)) > 1e-9:
        raise InvalidParameterError(
            f"tick_hours must divide 24 evenly (e.g. 0.5, 1, 2, 3, 4, 6, 8, 12, 24); got {values['tick_hours']!r}"
        )
    check_number("affinity_max", values["affinity_max"], low=values["mutual_affinity"])
    if values["record_impressions"] and not values["keep_posts"]:
        raise InvalidParameterError(
            "record_impressions=True needs keep_posts=True (the impression log refers to rows of "
            "the post table); got keep_posts=False"
        )


def check_days(days: Any, tick_hours: float | None = None, *, name: str = "days") -> float:
    """Check a run length: :data:`DAYS`, then (given the tick) a whole number of ticks, at least one.

    Also refuses a run of more than :data:`MAX_TICKS_PER_RUN` ticks.

    Examples
    --------
    >>> check_days(2, 1.0)
    2.0
    >>> check_days(1e-12, 1.0)
    Traceback (most recent call last):
    ...
    feedsim.errors.InvalidParameterError: days must cover at least one tick of 1.0 h; got 1e-12
    """
    d = DAYS.check(days, name=name)
    if tick_hours is None:
        return d
    ticks = d * 24.0 / tick_hours
    if ticks < 1 - 1e-9:
        raise InvalidParameterError(f"{name} must cover at least one tick of {tick_hours} h; got {days!r}")
    if abs(ticks - round(ticks)) > 1e-9:
        raise InvalidParameterError(f"{name} must cover a whole number of ticks of {tick_hours} h; got {days!r}")
    if ticks > MAX_TICKS_PER_RUN:
        raise InvalidParameterError(
            f"{name} must cover at most {MAX_TICKS_PER_RUN:,} ticks of {tick_hours} h in one run (run it in "
            f"parts, or use longer ticks); got {days!r} ({ticks:,.0f} ticks)"
        )
    return d


def _cell(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, float) and math.isinf(value):
        return "inf"
    return f"`{value!r}`" if isinstance(value, str) else repr(value)


def _allowed(p: Param) -> str:
    """The table's "allowed" cell: the rule, and its note if any."""
    return p.rule + (f"; {p.note}" if p.note else "")


def _source(p: Param) -> str:
    """The table's "source" cell: the calibration, else a switch or an assumption."""
    return p.source or ("switch" if p.kind in ("bool", "choice") else "assumption")


def markdown_table() -> str:
    """The parameter reference (``docs/parameters.md``) written from the declarations.

    Examples
    --------
    >>> markdown_table().splitlines()[0]
    '# Parameters'
    """
    out = [
        "# Parameters",
        "",
        "<!-- Generated by feedsim.params.markdown_table(); do not edit by hand. -->",
        "",
        "Every parameter and account attribute is declared once, in `feedsim.params`; validation, "
        "the command line, sweep specs, the explorer and this table read the declaration.",
        "",
        "## Simulation parameters",
        "",
        "Keywords of `feedsim.Simulation` and fields of `feedsim.SimulationConfig`. "
        "\"Mid-run\": whether `sim.set_param` may change it during a run. \"Source\": the measurement a "
        "default is calibrated to; \"assumption\" marks a modelling choice that no measurement fixes.",
        "",
        "| name | default | unit | allowed | mid-run | source | meaning |",
        "|---|---|---|---|---|---|---|",
    ]
    for p in SIMULATION_PARAMS.values():
        allowed = _allowed(p)
        out.append(f"| `{p.name}` | {_cell(p.default)} | {p.unit} | {allowed} | {'yes' if p.mutable else 'no'} "
                   f"| {_source(p)} | {p.help} |")
    out += [
        "",
        "## Account attributes",
        "",
        "Node attributes of the graph, keywords of `sim.add_accounts`, arrays of `sim.accounts`. A missing "
        "value is drawn from the account's role: the median below times `exp(sigma * z)`, `z` standard normal "
        "(sigma in brackets; `attention` is then rounded to a whole number >= 1).",
        "",
        "| name | unit | allowed | " + " | ".join(ROLES) + " | source | meaning |",
        "|---|---|---|" + "---|" * len(ROLES) + "---|---|",
    ]
    for p in ACCOUNT_ATTRIBUTES.values():
        allowed = _allowed(p)
        if p.role_defaults is None:
            cells = ["" for _ in ROLES]
        else:
            cells = []
            for r in ROLES:
                sigma = (p.role_sigma or {}).get(r)
                cells.append(f"{p.role_defaults[r]:g}" + (f" ({sigma:g})" if sigma else ""))
        out.append(f"| `{p.name}` | {p.unit} | {allowed} | " + " | ".join(cells) + f" | {_source(p)} | {p.help} |")
    out += [
        "",
        "## Run arguments",
        "",
        "| name | unit | allowed | meaning |",
        "|---|---|---|---|",
    ]
    for p in RUN_PARAMS.values():
        allowed = _allowed(p)
        out.append(f"| `{p.name}` | {p.unit} | {allowed} | {p.help} |")
    out += ["", f"A run may cover at most {MAX_TICKS_PER_RUN:,} ticks per `run()` call.", ""]
    return "\n".join(out)
