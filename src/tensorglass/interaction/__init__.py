"""Long-range tensor interactions: Zhou's Lambda and Bevzenko-Lubchenko's J(k)."""

from ._bevzenko_lubchenko import (
    bl_coupling_angular_average_exact,
    bl_coupling_matrix,
    elastic_dipole_coupling,
    j_compr_over_j_shear,
    j_ratio_forms,
    ktilde,
)
from ._stress_stress import (
    contact_term,
    joffrin_levelut,
    joffrin_levelut_parts,
    regularised_transform,
    stress_stress_interaction,
    stress_stress_interaction_k,
    symmetrize_minor,
    tilde_lambda,
    tilde_lambda_003_printed,
)
from ._coupling_change import (
    coupling_change_absorption_factor,
    dipole_absorption_angular_factor,
    dipole_coupling_change,
    dipole_dipole_coupling,
    dipole_moment_change,
    tilde_lambda_change,
)
from ._isotropic import (
    angular_average,
    isotropic_contractions,
    isotropic_part_of_tensor,
    low_k_ball_transform,
    tilde_lambda_isotropic_max,
)
from ._sphere import sphere_average, sphere_quadrature

__all__ = [
    "bl_coupling_angular_average_exact", "bl_coupling_matrix", "elastic_dipole_coupling",
    "j_compr_over_j_shear", "j_ratio_forms", "ktilde", "contact_term", "joffrin_levelut",
    "joffrin_levelut_parts", "regularised_transform", "stress_stress_interaction",
    "stress_stress_interaction_k", "symmetrize_minor", "tilde_lambda", "tilde_lambda_003_printed",
    "sphere_average", "sphere_quadrature", "coupling_change_absorption_factor", "dipole_absorption_angular_factor",
    "dipole_coupling_change", "dipole_dipole_coupling", "dipole_moment_change", "tilde_lambda_change",
    "angular_average", "isotropic_contractions", "isotropic_part_of_tensor", "low_k_ball_transform",
    "tilde_lambda_isotropic_max",
]
