"""Liaison: a real-time exercise server for cross-border simulation training."""

__version__ = "0.1.0"
