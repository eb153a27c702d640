"""Exceptions raised for bad input.

Every error names the parameter, the value it got, the allowed range and what
to do instead, in one line, so that the command line can print it verbatim and
exit with status 2 (NetKet-style self-explaining errors).
"""

from __future__ import annotations


class TensorglassError(Exception):
    """Base class of all tensorglass errors."""


class ParameterError(TensorglassError, ValueError):
    """A parameter is outside its physically allowed range.

    Parameters
    ----------
    name : str
        The parameter's name as the user typed it (``c_t``, ``--ln-r-over-l1``).
    value : object
        The offending value.
    allowed : str
        The allowed range, in words (``"c_t < 0.866 c_l"``).
    hint : str, optional
        What to do instead.
    """

    def __init__(self, name: str, value, allowed: str, hint: str = ""):
        self.name = name
        self.value = value
        self.allowed = allowed
        self.hint = hint
        msg = f"{name} = {value!r} is not allowed: need {allowed}"
        if hint:
            msg += f"; {hint}"
        super().__init__(msg)


class UnknownMaterialError(ParameterError):
    """A material name is not in the table in use."""


class MaterialsFileError(TensorglassError, ValueError):
    """A user's materials file cannot be read."""
