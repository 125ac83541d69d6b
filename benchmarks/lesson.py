"""How long the explorer takes to update after one control changes (issue 14: within 2 s).

At the explorer's default setting (1,000 accounts, 7 days, 3 replicates, chronological
baseline), after the kernel cache is warm: each ranker change (3 new runs, the baseline
cached), each feedback-loop change (6 new runs: both feeds), and the figure. Prints JSON;
a table on stderr.

    python benchmarks/lesson.py > lesson.json
"""

from __future__ import annotations

import json
import os
import sys
import time

import feedsim
from feedsim.lesson import ExploreParams, RunCache, explore_state, warm_up


def main() -> None:
    warm = warm_up()
    cache = RunCache()
    p = ExploreParams()
    explore_state(p, cache=cache).figure_png()  # the page's first state
    rows = []
    for change in ({"ranker": "fair_exposure"}, {"ranker": "popularity"}, {"ranker": "platform_favoring"},
                   {"ranker": "engagement", "reciprocity": False}, {"ranker": "engagement", "reciprocity": True,
                                                                      "rich_get_richer": False},
                   {"ranker": "engagement", "out_of_network_share": 0.2}):
        p = p.replace(**change)
        t0 = time.perf_counter()
        st = explore_state(p, cache=cache)
        t1 = time.perf_counter()
        st.figure_png()
        t2 = time.perf_counter()
        rows.append({"change": change, "model_seconds": round(t1 - t0, 3), "figure_seconds": round(t2 - t1, 3),
                     "total_seconds": round(t2 - t0, 3)})
        print(f"{json.dumps(change):60s} {t1 - t0:6.2f} s model  {t2 - t1:5.2f} s figure", file=sys.stderr)
    out = {"feedsim": feedsim.__version__, "warm_up_seconds": round(warm, 2), "n_users": p.n_users, "days": p.days,
           "replicates": p.replicates, "load_average": os.getloadavg(), "updates": rows}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
