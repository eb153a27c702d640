"""Explicit clusters of coupled blocks (core): the super-block Hamiltonian of
001 Eq. (2.14) / 002 Eq. (2.20) solved without the renormalisation's
assumption that different blocks are uncorrelated.

* classical blocks with finite state spaces: exact enumeration of small
  clusters and a heat-bath sampler for open ``n^3`` clusters;
* quantum two-level blocks (TTLS, 002 Sec. 2): exact diagonalisation and the
  Kubo spectrum of the super-block stress (002 Eq. 2.16; 001 Eq. 2.7);
* the couplings ``J = -2 Lambda`` between block centres (001 Eqs. 2.12-2.13)
  and the isotropic projection ``chi -> (chi_l, chi_t)`` (002 Eq. 2.17).
"""

from ._classical import (
    block_covariance,
    classical_cluster_exact,
    sample_classical_cluster,
    symmetric_level_sets,
)
from ._couplings import (
    cluster_coupling_sum,
    cubic_cluster_positions,
    displacement_couplings,
    isotropic_parts,
    pair_couplings,
)
from ._orders import (
    cluster_fields,
    gaussian_cluster_chi,
    m_000,
    phonon_strains,
    second_order_cluster_sum,
    shell_sum_002,
)
from ._finite_k import axis_modes, gaussian_response_dense, pair_coupling_k, rpa_response, unit_block_monte_carlo
from ._quantum import (
    kubo_spectrum,
    ttls_cluster_hamiltonian,
    ttls_free_spectral_density,
)

__all__ = [
    "block_covariance", "classical_cluster_exact", "sample_classical_cluster", "symmetric_level_sets", "cluster_coupling_sum",
    "cubic_cluster_positions", "displacement_couplings", "isotropic_parts", "pair_couplings", "kubo_spectrum",
    "ttls_cluster_hamiltonian", "ttls_free_spectral_density", "cluster_fields", "gaussian_cluster_chi", "m_000",
    "phonon_strains", "second_order_cluster_sum", "shell_sum_002", "axis_modes", "gaussian_response_dense",
    "pair_coupling_k", "rpa_response", "unit_block_monte_carlo",
]
