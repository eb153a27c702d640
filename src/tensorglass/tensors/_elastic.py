"""Isotropic elasticity: constructors from every usual pair of constants."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import ParameterError

#: Largest c_t/c_l with a positive bulk modulus: K > 0 <=> c_t/c_l < sqrt(3)/2.
MAX_CT_OVER_CL = math.sqrt(3.0) / 2.0


def _positive(name, value):
    if not (isinstance(value, (int, float, np.floating, np.integer)) and math.isfinite(value) and value > 0):
        raise ParameterError(name, value, f"{name} > 0 (a finite positive number)")
    return float(value)


def check_velocities(c_l: float, c_t: float) -> tuple[float, float]:
    """Validate a pair of sound velocities; returns them as floats."""
    c_l = _positive("c_l", c_l)
    c_t = _positive("c_t", c_t)
    if c_t >= MAX_CT_OVER_CL * c_l:
        raise ParameterError(
            "c_t", c_t,
            f"c_t < (sqrt(3)/2) c_l = {MAX_CT_OVER_CL * c_l:.4g} (c_t/c_l = {c_t / c_l:.3f} "
            f"gives a negative bulk modulus; need c_t/c_l < {MAX_CT_OVER_CL:.4f})",
            "check that c_l and c_t are not swapped")
    return c_l, c_t


@dataclass(frozen=True)
class IsotropicElasticity:
    """An isotropic elastic medium.

    Stored as density and the two sound velocities; every other constant is
    derived.  Units are whatever the velocities and density are given in
    (moduli come out in density x velocity^2); :meth:`reduced` gives the
    core's units, ``mu = rho c_t^2 = 1``.

    The elastic tensor is ``C_ijkl = lambda d_ij d_kl + mu (d_ik d_jl + d_il d_jk)``
    (001 Eq. 2.10 with ``lambda = rho c_l^2 - 2 rho c_t^2``; 004 Eq. 11).
    """

    c_l: float
    c_t: float
    rho: float = 1.0

    def __post_init__(self):
        c_l, c_t = check_velocities(self.c_l, self.c_t)
        rho = _positive("rho", self.rho)
        object.__setattr__(self, "c_l", c_l)
        object.__setattr__(self, "c_t", c_t)
        object.__setattr__(self, "rho", rho)

    # --- constructors -------------------------------------------------
    @classmethod
    def from_lame(cls, lam: float, mu: float, rho: float = 1.0) -> "IsotropicElasticity":
        mu = _positive("mu", mu)
        rho = _positive("rho", rho)
        if not math.isfinite(lam) or lam + 2.0 * mu / 3.0 <= 0:
            raise ParameterError("lambda", lam, f"lambda > -2 mu / 3 = {-2 * mu / 3:.4g} (positive bulk modulus)")
        return cls(math.sqrt((lam + 2 * mu) / rho), math.sqrt(mu / rho), rho)

    @classmethod
    def from_bulk_poisson(cls, bulk_modulus: float, poisson_ratio: float, rho: float = 1.0) -> "IsotropicElasticity":
        k = _positive("bulk_modulus", bulk_modulus)
        s = poisson_ratio
        if not (math.isfinite(s) and -1.0 < s < 0.5):
            raise ParameterError("poisson_ratio", s, "-1 < poisson_ratio < 0.5")
        mu = 3.0 * k * (1 - 2 * s) / (2 * (1 + s))
        return cls.from_lame(k - 2 * mu / 3, mu, rho)

    @classmethod
    def from_poisson(cls, poisson_ratio: float, rho: float = 1.0) -> "IsotropicElasticity":
        """Medium with ``mu = rho c_t^2 = 1`` and the given Poisson ratio."""
        s = poisson_ratio
        if not (isinstance(s, (int, float)) and math.isfinite(s) and -1.0 < s < 0.5):
            raise ParameterError("poisson_ratio", s, "-1 < poisson_ratio < 0.5")
        # c_l^2/c_t^2 = 2(1-s)/(1-2s)
        return cls(math.sqrt(2 * (1 - s) / (1 - 2 * s)), 1.0, 1.0)

    @classmethod
    def from_bulk_shear(cls, bulk_modulus: float, shear_modulus: float, rho: float = 1.0) -> "IsotropicElasticity":
        k = _positive("bulk_modulus", bulk_modulus)
        mu = _positive("shear_modulus", shear_modulus)
        return cls.from_lame(k - 2 * mu / 3, mu, rho)

    # --- derived constants --------------------------------------------
    @property
    def mu(self) -> float:
        return self.rho * self.c_t**2

    @property
    def lame_lambda(self) -> float:
        return self.rho * (self.c_l**2 - 2 * self.c_t**2)

    @property
    def bulk_modulus(self) -> float:
        return self.lame_lambda + 2.0 * self.mu / 3.0

    @property
    def poisson_ratio(self) -> float:
        lam, mu = self.lame_lambda, self.mu
        return lam / (2 * (lam + mu))

    @property
    def alpha(self) -> float:
        """Zhou's ``alpha = 1 - c_t^2/c_l^2`` (001 below Eq. 2.13)."""
        return 1.0 - self.c_t**2 / self.c_l**2

    @property
    def velocity_ratio(self) -> float:
        return self.c_l / self.c_t

    def reduced(self) -> "IsotropicElasticity":
        """The same medium in core units, ``rho = c_t = 1``."""
        return IsotropicElasticity(self.c_l / self.c_t, 1.0, 1.0)

    def stiffness_tensor(self):
        """``C_ijkl`` as a (3,3,3,3) array."""
        d = np.eye(3)
        return (self.lame_lambda * np.einsum("ij,kl->ijkl", d, d)
                + self.mu * (np.einsum("ik,jl->ijkl", d, d) + np.einsum("il,jk->ijkl", d, d)))

    def stiffness_mandel(self):
        from ._mandel import tensor4_to_mandel
        return tensor4_to_mandel(self.stiffness_tensor())

    def stiffness_zhou(self):
        """001 Eq. (2.10) as Zhou's unweighted 6x6 matrix."""
        from ._mandel import tensor4_to_zhou
        return tensor4_to_zhou(self.stiffness_tensor())

    def compliance_mandel(self):
        """Tensor inverse of the stiffness (Mandel 6x6), i.e. ``S:C = I_sym``."""
        return np.linalg.inv(self.stiffness_mandel())


def alpha_from_velocities(c_l, c_t):
    """``alpha = 1 - c_t^2/c_l^2`` after validating the velocities."""
    c_l, c_t = check_velocities(c_l, c_t)
    return 1.0 - (c_t / c_l) ** 2


def check_alpha(alpha: float) -> float:
    """Validate Zhou's alpha: positive bulk modulus <=> 1/4 < alpha < 1."""
    if not (isinstance(alpha, (int, float, np.floating)) and math.isfinite(alpha) and 0.25 < alpha < 1.0):
        raise ParameterError("alpha", alpha, "1/4 < alpha < 1 (alpha = 1 - c_t^2/c_l^2 with a positive bulk modulus)")
    return float(alpha)
