"""``NUMBA_DISABLE_JIT=1`` runs every kernel as plain Python, with the same results.

The subset CI runs without compiling: whole runs under four built-in rankers (fused
kernels, keyed draws, the out-of-network quota and the per-author cap), compared
with the compiled run summary by summary. The uint64 hash wraps around on purpose;
in plain Python NumPy warns about it, so those warnings are ignored in the child.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

SCRIPT = r"""
import json, feedsim
G = feedsim.networks.default_community(150, mean_follows=10, seed=3)
out = {}
for r in ["chronological", "engagement", "fair_exposure", "random"]:
    res = feedsim.Simulation(G, ranker=r, seed=5, out_of_network_share=0.2).run(days=1)
    s = res.summary()
    s.pop("wall_seconds", None)
    out[r] = s
print(json.dumps(out, sort_keys=True, default=str))
"""


def _run(disable_jit: bool) -> dict:
    env = dict(os.environ, NUMBA_DISABLE_JIT="1" if disable_jit else "0")
    cmd = [sys.executable, "-W", "ignore:overflow encountered:RuntimeWarning", "-c", SCRIPT]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


@pytest.mark.skipif(os.environ.get("NUMBA_DISABLE_JIT") == "1", reason="already running without the JIT")
def test_plain_python_kernels_give_the_compiled_results():
    plain, compiled = _run(True), _run(False)
    assert set(plain) == {"chronological", "engagement", "fair_exposure", "random"}
    for ranker in plain:
        assert plain[ranker] == compiled[ranker], ranker
