"""The reproduction report (edge layer: imports the core, never the reverse)."""

from .checks import compute_results
from ._reproduce import reproduce

__all__ = ["compute_results", "reproduce"]
