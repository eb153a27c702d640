"""What both theories predict for one material, from its sound velocities.

This is the Python side of ``tensorglass predict``; the command line only
formats what :func:`predict` returns.
"""

from __future__ import annotations

from . import __version__
from . import avalanche as av
from . import meanfield as mf
from .gamma_ratio import predicted_gamma_ratio
from .interaction import j_compr_over_j_shear
from .tensors import IsotropicElasticity

#: Default ln(R/L1): the value with which 001's table is reproduced (000's
#: R = 1 m, L1 = 50 A); 001's text states ~12 (R = 1 mm), see the report.
DEFAULT_LN_R_OVER_L1 = 20.0


def predict(c_l: float, c_t: float, rho: float | None = None, ln_r_over_l1: float = DEFAULT_LN_R_OVER_L1,
            method: str = "published", name: str | None = None) -> dict:
    """Predictions for a glass with sound velocities ``c_l``, ``c_t`` (any one
    unit) and optional density ``rho`` (g/cm^3).

    Returns a dict with ``alpha``, ``poisson_ratio``, ``gamma_ratio``
    (gamma_l/gamma_t = c_l/c_t, 002 Eq. 4.6), ``critical_strains`` and
    ``critical_eccentricities`` (keys ``dilation``, ``yy_minus_zz``,
    ``shear_yz``; ``None`` where no sign change occurs below eps = 1; 001
    Sec. IV), ``brittle_directions``, ``avalanche_method`` (``method``: one
    of :data:`tensorglass.avalanche.METHODS`; ``"tensor"`` does 001's
    algebra with tensors, see :mod:`tensorglass.avalanche._critical`),
    ``j_compr_over_j_shear`` (004 Eq. 22), ``mean_field_order`` and
    ``t_curie_over_j`` (k_B T_Curie / J_shear, 004 Eq. 25), plus the inputs and
    the package version.
    """
    medium = IsotropicElasticity(c_l, c_t, rho if rho is not None else 1.0)
    ell = av.check_ell(ln_r_over_l1)
    av._critical.check_method(method)
    ratio = j_compr_over_j_shear(medium)
    order = mf.ordering_sector(ratio, 1.0)
    out = {
        "material": name,
        "c_l": medium.c_l,
        "c_t": medium.c_t,
        "rho": rho,
        "ln_r_over_l1": ell,
        "alpha": medium.alpha,
        "poisson_ratio": medium.poisson_ratio,
        "gamma_ratio": predicted_gamma_ratio(medium.c_l, medium.c_t),
        "critical_strains": av.critical_strains(medium.alpha, ell, method),
        "critical_eccentricities": av.critical_eccentricities(medium.alpha, ell, method),
        "brittle_directions": av.brittle_directions(medium.alpha, ell, method),
        "avalanche_method": method,
        "j_compr_over_j_shear": ratio,
        "mean_field_order": order,
        "t_curie_over_j": mf.curie_temperature(ratio, 1.0),
        "t_curie_unit": "J_shear",
        "units": {"velocities": "as given", "rho": "g/cm^3", "strain": "dimensionless",
                  "brittle_directions": "Zhou 6-vectors (xx, xy, xz, yy, yz, zz), unit norm"},
        "tensorglass_version": __version__,
    }
    if rho is not None:
        out["shear_modulus_GPa"] = rho * medium.c_t**2 if _looks_like_km_s(medium.c_l) else None
    return out


def _looks_like_km_s(c_l):
    # (g/cm^3)(km/s)^2 = GPa; only meaningful when velocities are in km/s
    return 0.5 < c_l < 20
