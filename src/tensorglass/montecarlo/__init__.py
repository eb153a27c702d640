"""Exact Monte Carlo of long-range tensor spin models (core; numba kernels private).

Samplers: ``"metropolis"`` (reference: single-site, exact O(N) local fields),
``"hmc"`` (exact hybrid Monte Carlo with FFT forces, O(N log N) per sweep) and
``"local"`` (exact single-site Metropolis with sparse near fields and clock
Monte Carlo for the long-range tail, O(z n^2 + log N) per update, with
over-relaxation; see ``_local``).
"""

from ._lattice import (
    LatticeKernel,
    direct_lattice_sum,
    ewald_image_sum,
    full_fourier,
    k_grid,
    kernel_from_fourier,
    lattice_energy,
    local_fields,
)
from ._models import (
    MODELS,
    SpinModel,
    bl6_model,
    build_model,
    coupled_blocks_model,
    custom_model,
    elastic_dipole_model,
    nn_model,
)
from ._run import (
    SAMPLERS,
    RunParameters,
    RunState,
    advance,
    new_state,
    parallel_tempering,
    run_finite_states,
    run_mean_field,
    summarize,
)
from ._stats import ShortRunWarning, Stats, integrated_autocorrelation_time, jackknife, mean_with_error

__all__ = [
    "LatticeKernel", "direct_lattice_sum", "ewald_image_sum", "full_fourier", "k_grid", "kernel_from_fourier",
    "lattice_energy", "local_fields", "MODELS", "SpinModel", "bl6_model", "build_model", "coupled_blocks_model",
    "custom_model", "elastic_dipole_model", "nn_model", "SAMPLERS", "RunParameters", "RunState", "advance",
    "new_state", "parallel_tempering", "run_finite_states", "run_mean_field", "summarize", "ShortRunWarning",
    "Stats", "integrated_autocorrelation_time", "jackknife", "mean_with_error",
]
