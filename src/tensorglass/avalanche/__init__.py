"""Critical strains of avalanches in strained glass (001 Sec. IV; 000 Sec. IV)."""

from ._critical import (
    METHODS,
    SOFT_MODES,
    ModeDecomposition,
    abcdef,
    brittle_directions,
    critical_eccentricities,
    critical_strains,
    decompose,
    elastic_inverse_tensor_zhou,
    elastic_inverse_zhou,
    inverse_susceptibility_mandel,
    inverse_susceptibility,
    modes,
    soft_eigenvalues,
    volume_average_matrix,
    zhou_matrix_from_abcdef,
)
from ._lattice import lattice_average_lambda
from ._ellipsoid import (
    check_ell,
    direction_averages_published,
    direction_averages_radius_weighted,
    direction_averages_volume,
    eccentricity_from_strain,
    eccentricity_from_strain_000,
    radius_ratio,
    strain_from_eccentricity,
)

__all__ = [
    "METHODS", "SOFT_MODES", "ModeDecomposition", "abcdef", "brittle_directions", "critical_eccentricities",
    "critical_strains", "decompose", "elastic_inverse_tensor_zhou", "elastic_inverse_zhou",
    "inverse_susceptibility_mandel", "inverse_susceptibility", "modes", "soft_eigenvalues",
    "volume_average_matrix", "lattice_average_lambda", "zhou_matrix_from_abcdef", "check_ell",
    "direction_averages_published",
    "direction_averages_radius_weighted", "direction_averages_volume", "eccentricity_from_strain",
    "eccentricity_from_strain_000", "radius_ratio", "strain_from_eccentricity",
]
