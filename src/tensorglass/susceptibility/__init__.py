"""Single-block susceptibilities: the TTLS distribution (002 Sec. 2) and a
generic multiple-level system (001 Eq. 2.7)."""

from ._multilevel import free_energy, multilevel_susceptibility
from ._ttls import (
    ttls_im_chi,
    ttls_re_chi_002,
    ttls_re_chi_digamma,
    ttls_re_chi_kramers_kronig,
    ttls_re_chi_low_frequency,
)

__all__ = [
    "free_energy", "multilevel_susceptibility", "ttls_im_chi", "ttls_re_chi_002", "ttls_re_chi_digamma",
    "ttls_re_chi_kramers_kronig", "ttls_re_chi_low_frequency",
]
