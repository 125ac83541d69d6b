"""Compiled kernels of the tick (Numba), plain functions over the engine's arrays.

Each kernel reads NumPy arrays and scalars and writes only its own output slices;
parallel loops (``prange``) run over viewers, each viewer writing its own slots, so
results are the same bits on any number of threads. Random numbers inside kernels
come from a counter-based hash of (run key, stream, tick, account, post)
(:mod:`.hashing`), never from a shared generator. ``NUMBA_DISABLE_JIT=1`` runs every
kernel as plain Python.

Modules: :mod:`.hashing` (keyed uniforms), :mod:`.build` (candidate building),
:mod:`.scores` (the parts of the built-in rankers' compiled scores), :mod:`.select`
(per-viewer top-k with the out-of-network quota), :mod:`.fused` (the three in one
pass per viewer for built-in rankers, writing only the shown items),
:mod:`.prefetch` (a software prefetch hint for the fused kernel's walk).
"""

import os as _os

from numba import config as _config

if "NUMBA_THREADING_LAYER" not in _os.environ:
    # sweeps fork worker processes (ProcessPoolExecutor); GNU OpenMP aborts after a
    # fork, so prefer a fork-safe layer (TBB if installed, else Numba's workqueue).
    # Set NUMBA_THREADING_LAYER to choose another.
    _config.THREADING_LAYER = "forksafe"  # type: ignore[attr-defined]  # numba.config sets its options at run time

import threading as _threading

#: Held while a parallel kernel runs: the workqueue layer aborts when two Python
#: threads (e.g. a threaded Dask worker running two simulations) launch parallel
#: kernels at once, so launches are serialised (each still uses every core).
LAUNCH_LOCK = _threading.Lock()
