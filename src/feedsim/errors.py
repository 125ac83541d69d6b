"""Exceptions raised by feedsim.

Every exception subclasses :class:`FeedsimError` and the matching built-in, so
``except ValueError`` keeps working for callers that do not know feedsim.
"""

from __future__ import annotations

__all__ = ["FeedsimError", "InvalidParameterError", "RankerOutputError", "MissingDependencyError", "ResultFileError",
           "InsufficientMemoryError"]


class FeedsimError(Exception):
    """Base class of every error feedsim raises on purpose."""


class InvalidParameterError(FeedsimError, ValueError):
    """A parameter, node attribute or input file failed validation.

    The message names the field, the rule and the value, e.g.
    ``post_rate must be a finite number >= 0; got -1.0 (node 17)``.
    """


class CheckpointError(FeedsimError, ValueError):
    """A checkpoint was refused: damaged, from another run, or the run cannot be saved.

    The message names what differs, e.g. ``checkpoint run.ckpt is from another run:
    seed differs (checkpoint 1, this run 2)``.
    """


class RunFailedError(FeedsimError, RuntimeError):
    """A checkpointed run failed midway; the message says which checkpoint it can resume from.

    The original exception is chained (``__cause__``). ``checkpoint`` is the path
    of the last complete checkpoint (None if none was written yet) and ``day`` the
    number of days it holds.
    """

    def __init__(self, message: str, checkpoint: str | None = None, day: int | None = None) -> None:
        super().__init__(message)
        self.checkpoint = checkpoint
        self.day = day

    def __reduce__(self):
        return type(self), (str(self), self.checkpoint, self.day)


__all__ += ["CheckpointError", "RunFailedError"]


class SweepSpecError(InvalidParameterError):
    """A sweep specification is invalid; the message names the key path."""


__all__ += ["SweepSpecError"]


class RankerOutputError(FeedsimError, ValueError):
    """A ranker returned scores of the wrong shape, dtype or with NaN/inf."""


class MissingDependencyError(FeedsimError, ImportError):
    """An optional dependency is not installed; the message names the pip extra to install."""


class ResultFileError(FeedsimError, OSError):
    """A saved result is missing, incomplete, corrupt or cannot be written (the message names the file)."""


class ResultFileWarning(UserWarning):
    """A saved result's folder needed repair: an interrupted save was cleaned up or its old result restored."""


__all__ += ["ResultFileWarning"]


class InsufficientMemoryError(FeedsimError, MemoryError):
    """A run's estimated peak memory exceeds what is available (or ``memory_limit``).

    Raised before any work, naming the parameter that drives the estimate; pass
    ``memory_limit=None`` to run anyway.
    """
