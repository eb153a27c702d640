"""gamma_l/gamma_t: prediction, fits and the constant-ratio null model (002, 003)."""

from ._ratio import (
    ISOTROPIC_LOWER_BOUND,
    ModelComparison,
    OriginFit,
    compare_with_constant_model,
    fit_through_origin,
    orientation_averaged_couplings,
    predicted_gamma_ratio,
    relative_deviation,
)

__all__ = [
    "ISOTROPIC_LOWER_BOUND", "ModelComparison", "OriginFit", "compare_with_constant_model",
    "fit_through_origin", "orientation_averaged_couplings", "predicted_gamma_ratio", "relative_deviation",
]
