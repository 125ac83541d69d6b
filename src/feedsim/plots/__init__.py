"""Figures (matplotlib). Each function takes ``ax=None`` and returns the Axes."""

from .feed import feed_at, plot_feed
from .figures import plot_lorenz, plot_role_shares
from .network import plot_follow_graph
from .palette import RANKER_COLORS, ROLE_COLORS, ranker_color, role_color
from .shares import plot_role_share_scatter
from .sweep import mean_confidence_band, plot_sweep
from .sweep_results import plot_sweep_results
from .timeseries import daily_series, plot_metric_over_time

__all__ = [
    "RANKER_COLORS",
    "ROLE_COLORS",
    "feed_at",
    "plot_feed",
    "ranker_color",
    "role_color",
    "daily_series",
    "mean_confidence_band",
    "plot_follow_graph",
    "plot_lorenz",
    "plot_metric_over_time",
    "plot_role_share_scatter",
    "plot_role_shares",
    "plot_sweep",
    "plot_sweep_results",
]
