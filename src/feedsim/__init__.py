"""feedsim: agent-based simulation of social feeds on a follow graph.

Run the same community under a chronological feed and under engagement-ranked
feeds and compare who is seen. Units: days for rates, hours for ticks and ages.

Examples
--------
>>> import feedsim
>>> G = feedsim.networks.default_community(500, seed=0)
>>> table = feedsim.compare(G, rankers=["chronological", "engagement"], days=2, seed=0)
>>> sorted(table.summaries)
['chronological', 'engagement']
"""

__version__ = "0.3.0"

from . import amplification, metrics, networks, rankers, sweeps, theory, worlds  # noqa: E402
from .amplification import ViewerSplit, split_amplification  # noqa: E402
from .compare import Comparison, compare, replicate_community  # noqa: E402
from .engine import FEEDBACK_LOOPS, Simulation, SimulationConfig, SimulationResult  # noqa: E402
from .engine.memory import estimate_memory  # noqa: E402
from .errors import (  # noqa: E402
    CheckpointError,
    FeedsimError,
    InsufficientMemoryError,
    InvalidParameterError,
    MissingDependencyError,
    RankerOutputError,
    ResultFileError,
    RunFailedError,
)
from .network.graph import ROLES, FollowGraph  # noqa: E402
from .random import replicate_seeds  # noqa: E402
from .results_io import load_result  # noqa: E402
from .sweeps import SweepReport, SweepSpec, load_results, run_sweep  # noqa: E402
from .warmup import warmup  # noqa: E402  (the function; the module stays importable as feedsim.warmup)
from .worlds import run_worlds, unpredictability  # noqa: E402


def __getattr__(name: str):
    # The applications (the explorer, its server, the report) are imported on first use only:
    # ``import feedsim`` loads the core.
    import importlib  # noqa: PLC0415

    if name == "lesson":
        return importlib.import_module(".lesson", __name__)
    if name == "explore":
        return importlib.import_module(".lesson", __name__).explore
    if name == "report":
        import warnings  # noqa: PLC0415

        warnings.warn("feedsim.report is deprecated and will be removed in the next release; "
                      "use feedsim.lesson.report", DeprecationWarning, stacklevel=2)
        return importlib.import_module(".lesson.report", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CheckpointError",
    "Comparison",
    "ViewerSplit",
    "amplification",
    "split_amplification",
    "FEEDBACK_LOOPS",
    "FeedsimError",
    "FollowGraph",
    "InvalidParameterError",
    "InsufficientMemoryError",
    "estimate_memory",
    "ROLES",
    "RankerOutputError",
    "RunFailedError",
    "Simulation",
    "SimulationConfig",
    "SimulationResult",
    "SweepReport",
    "SweepSpec",
    "__version__",
    "compare",
    "replicate_community",
    "replicate_seeds",
    "explore",
    "lesson",
    "load_results",
    "load_result",
    "MissingDependencyError",
    "ResultFileError",
    "metrics",
    "networks",
    "rankers",
    "run_sweep",
    "run_worlds",
    "sweeps",
    "theory",
    "unpredictability",
    "warmup",
    "worlds",
]
