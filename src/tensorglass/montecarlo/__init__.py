"""Exact Monte Carlo of long-range tensor spin models (core; numba kernels private).

Samplers: ``"auto"`` (default: resolved per model by :func:`resolve_sampler`),
``"hmc"`` (exact geodesic hybrid Monte Carlo on the product of spheres with
FFT forces, O(N log N) per trajectory, step size tuned during thermalisation),
``"local"`` (exact single-site Metropolis with sparse near fields and clock
Monte Carlo for the long-range tail, O(z n^2 + log N) per update, with
over-relaxation; see ``_local``), ``"metropolis"`` (reference: single-site,
exact O(N) local fields) and ``"ising"`` (exact heat bath for +-1 spins).
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
    STARTS,
    Exchange,
    RunParameters,
    RunState,
    advance,
    new_state,
    new_tempering,
    parallel_tempering,
    resolve_sampler,
    run_finite_states,
    run_mean_field,
    sampler_report,
    summarize,
)
from ._stats import (
    FrozenChainError,
    ShortRunWarning,
    Stats,
    integrated_autocorrelation_time,
    jackknife,
    mean_with_error,
    split_r_hat,
)
from ._observables import structure_factor_direct, weiss_temperature
from ._observables import (SHELL_NORMS, correlation_length, mode_amplitude, shell_mean, spin_fourier, stencil,
                           weiss_ordering_shell, weiss_spectrum)
from ._chains import DEFAULT_CHAINS, chain_seeds, new_chains, run_chains, summarize_chains
from ._observables import gaussian_binder, order_series, ordered_spins, ordering_mode
from ._tempering import greedy_ladder, insert_midpoints, swap_acceptance, tempering_ladder

__all__ = [
    "LatticeKernel", "direct_lattice_sum", "ewald_image_sum", "full_fourier", "k_grid", "kernel_from_fourier",
    "lattice_energy", "local_fields", "MODELS", "SpinModel", "bl6_model", "build_model", "coupled_blocks_model",
    "custom_model", "elastic_dipole_model", "nn_model", "SAMPLERS", "RunParameters", "RunState", "advance",
    "new_state", "parallel_tempering", "Exchange", "new_tempering", "run_finite_states", "run_mean_field", "summarize", "ShortRunWarning",
    "Stats", "integrated_autocorrelation_time", "jackknife", "mean_with_error", "FrozenChainError", "split_r_hat",
    "structure_factor_direct", "weiss_temperature", "DEFAULT_CHAINS", "chain_seeds", "new_chains", "run_chains",
    "summarize_chains",
    "resolve_sampler", "sampler_report",
    "SHELL_NORMS", "correlation_length", "mode_amplitude", "shell_mean", "spin_fourier", "stencil",
    "weiss_ordering_shell", "weiss_spectrum", "gaussian_binder", "order_series", "ordered_spins", "ordering_mode",
    "greedy_ladder", "insert_midpoints", "swap_acceptance", "tempering_ladder", "STARTS",
]
