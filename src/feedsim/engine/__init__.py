"""The engine: configuration, the vectorised tick, the SimPy clock and results."""

from .config import FEEDBACK_LOOPS, SimulationConfig
from .result import SimulationResult, Table
from .simulation import Simulation

__all__ = ["FEEDBACK_LOOPS", "Simulation", "SimulationConfig", "SimulationResult", "Table"]
