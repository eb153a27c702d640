"""Parameter sweeps on a laptop or a Dask cluster into a resumable store (edge layer)."""

from ._compute import OUTPUTS, evaluate_point
from ._run import run_sweep
from ._spec import SpecError, SweepSpec, load_spec, parse_spec, register_compute
from ._store import SweepStore

__all__ = ["OUTPUTS", "evaluate_point", "run_sweep", "SpecError", "SweepSpec", "load_spec", "parse_spec", "register_compute",
           "SweepStore"]
