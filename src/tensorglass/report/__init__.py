"""The reproduction report (edge layer: imports the core, never the reverse).

``compute_results`` and ``reproduce`` are imported on first use, so that the
renderer (:mod:`._render`), which the study pages share, comes without the
checks.
"""

__all__ = ["compute_results", "reproduce"]


def __getattr__(name):
    if name == "compute_results":
        from .checks import compute_results
        return compute_results
    if name == "reproduce":
        from ._reproduce import reproduce
        return reproduce
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
