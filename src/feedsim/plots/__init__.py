"""Figures (matplotlib). Each function takes ``ax=None`` and returns the Axes."""

from .figures import plot_lorenz, plot_role_shares

__all__ = ["plot_lorenz", "plot_role_shares"]
