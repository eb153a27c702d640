"""Bevzenko-Lubchenko stress model: single-site free energy and mean field (004)."""

from ._bevzenko_lubchenko import (
    N_COMPONENTS,
    MeanFieldState,
    barrier_above_common_tangent,
    critical_g,
    curie_temperature,
    f0_mean_field,
    f0_second_derivative,
    f0_second_derivative_min,
    f_total,
    heat_capacity_jump,
    landau_coefficients,
    langevin6,
    largest_c_with_nonconcave_f,
    log_sphere_average_exp,
    mean_field_free_energy,
    mean_field_minimum_numerical,
    mean_field_state,
    ordering_sector,
    single_site_free_energy,
    single_site_large_field,
    single_site_small_field,
    small_g_free_energy,
)

__all__ = [
    "N_COMPONENTS", "MeanFieldState", "barrier_above_common_tangent", "critical_g", "curie_temperature",
    "f0_mean_field", "f0_second_derivative", "f0_second_derivative_min", "f_total", "heat_capacity_jump", "landau_coefficients",
    "langevin6", "largest_c_with_nonconcave_f", "log_sphere_average_exp", "mean_field_free_energy",
    "mean_field_minimum_numerical", "mean_field_state", "ordering_sector", "single_site_free_energy",
    "single_site_large_field", "single_site_small_field", "small_g_free_energy",
]
