"""Renormalisation flows of the coupled-block model (000 Sec. III, 001 Sec. III, 002 Sec. 4)."""

from ._flows import (
    ImChiFlow,
    MatrixFlow,
    RelaxationResonanceFlow,
    dyson_resonance,
    dyson_total_inverse,
    im_chi_flow,
    im_chi_ratio_closed_form,
    relaxation_resonance_flow,
    relaxation_resonance_ratio_flow,
    relaxation_stationary_ratio,
    super_block_flow,
)

__all__ = [
    "ImChiFlow", "MatrixFlow", "RelaxationResonanceFlow", "dyson_resonance", "dyson_total_inverse",
    "im_chi_flow", "im_chi_ratio_closed_form", "relaxation_resonance_flow", "relaxation_resonance_ratio_flow",
    "relaxation_stationary_ratio", "super_block_flow",
]
