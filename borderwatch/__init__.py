"""Borderwatch: streaming alerts for border-crisis news."""

__version__ = "0.1.0"
