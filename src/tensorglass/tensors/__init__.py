"""Elasticity and 6-vector conventions (see :mod:`tensorglass.conventions`)."""

from ._elastic import (
    MAX_CT_OVER_CL,
    IsotropicElasticity,
    alpha_from_velocities,
    check_alpha,
    check_velocities,
)
from ._mandel import (
    bilinear_form_to_bl,
    bl_a3_matrix,
    bl_to_mandel,
    mandel_to_bl,
    mandel_to_tensor,
    mandel_to_tensor4,
    mandel_to_zhou,
    tensor4_to_mandel,
    tensor4_to_zhou,
    tensor_to_mandel,
    zhou_to_mandel,
    zhou_to_tensor4,
    zhou_vector_to_mandel,
)

__all__ = [
    "MAX_CT_OVER_CL", "IsotropicElasticity", "alpha_from_velocities", "check_alpha", "check_velocities",
    "bilinear_form_to_bl", "bl_a3_matrix", "bl_to_mandel", "mandel_to_bl", "mandel_to_tensor",
    "mandel_to_tensor4", "mandel_to_zhou", "tensor4_to_mandel", "tensor4_to_zhou", "tensor_to_mandel",
    "zhou_to_mandel", "zhou_to_tensor4", "zhou_vector_to_mandel",
]
