"""tensorglass: the coupled-block model of glasses (Zhou; Zhou & Leggett) and
the Bevzenko-Lubchenko stress model, computable and checked against the papers.

Units and the 6-vector convention: :mod:`tensorglass.conventions`.
"""

from ._version import __version__

__all__ = ["__version__"]
