"""The reproduction report (edge layer: imports the core, never the reverse).

``compute_results`` and ``reproduce`` are imported on first use, so that the
renderer (:mod:`._render`), which the study pages share, comes without the
checks.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:   # for readers and the API reference; at run time they are loaded on first use (below)
    from ._reproduce import reproduce
    from .checks import compute_results

__all__ = ["compute_results", "reproduce"]


def __getattr__(name):
    if name == "compute_results":
        from .checks import compute_results
        return compute_results
    if name == "reproduce":
        from ._reproduce import reproduce
        return reproduce
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
