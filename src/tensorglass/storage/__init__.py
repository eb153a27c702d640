"""Storage at the edge: Monte Carlo files (HDF5), checkpoints, kernel cache."""

from ._mc_files import MCFileError, load_chains, load_run, run_monte_carlo, run_tempering, save_run
from ._kernel_cache import cached_model, kernel_cache_dir

__all__ = ["MCFileError", "load_chains", "load_run", "run_tempering", "run_monte_carlo", "save_run", "cached_model", "kernel_cache_dir"]
