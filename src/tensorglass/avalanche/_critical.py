"""The 6x6 inverse non-elastic susceptibility of a strained sample and its
sign changes (001 Sec. IV; 000 Sec. IV).

All 6x6 matrices here are in Zhou's notation (order xx, xy, xz, yy, yz, zz,
no weights; :func:`tensorglass.tensors.zhou_to_mandel` converts), because the
published method is defined in it: 001 Eq. (4.6) is the *plain* matrix
inverse of the unweighted 6x6 form of Eq. (2.10).  Inverse susceptibilities
are in units of ``1/(rho c_t^2)``.

Methods (``method=``):

``"published"``  (default; reproduces 001's table)
    ``chi^-1 = 2 ell [A..F](eps) + (chi_el)^-1`` with the averages of
    001 Eq. (4.5) (001 Eqs. 4.2, 4.3, 4.6; 3.8-3.10).  Primed constants as in
    001 with its typos corrected: ``C' = C + 1/(2 ell)`` and
    ``D' = D + alpha/(4alpha-1)/(2 ell)``.
``"volume"``
    the same with the averages that 001 Eq. (4.4) defines.  Then the
    non-elastic part equals ``2 <tildeLambda(n) ln(r_max(n)/L1)>`` over
    directions and does not depend on ell (the ell piece multiplies the
    angular integral of tildeLambda, which vanishes).
``"tensor"``
    the published algebra done with tensors (issue 10): ``chi^-1`` is the
    fourth-order tensor ``2 ell <tildeLambda> + (chi_el)^-1`` where the
    elastic inverse is the *tensor* inverse of 001 Eq. (2.10) on symmetric
    tensors (the compliance ``S`` with ``C:S = I_sym``), computed as a matrix
    inverse in the orthonormal Mandel convention.  Its Zhou-notation entries
    differ from 001 Eq. (4.6) only in the shear block: ``S_xyxy = 1/4``
    instead of Eq. (4.6)'s ``1``, because the plain inverse of the unweighted
    6x6 form counts each off-diagonal pair once instead of twice.  The
    eigenvalues are those of the Mandel matrix (the eigenvalues of the linear
    map ``t_kl -> chi^-1_ijkl t_kl`` on symmetric tensors): the shear
    eigenvalues are ``2 C'`` and ``2 F'``.  Then ``D' - E' = 2 F'`` exactly
    (transverse isotropy about x, 000 Sec. IV's symmetry argument), so the
    e_yz and (e_yy - e_zz) modes cross together.
``"000"`` / ``"000-corrected"``
    000 Eq. (4.2): ``(ell/2) [A + (4pi/3)(1 - alpha/5), ...]``, no elastic
    term; with 000's printed constants (from Eq. D12 with 1/4) or with the
    1/12 that the Fourier transform gives.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from scipy.optimize import brentq

from ..interaction import tilde_lambda
from ..tensors import check_alpha
from ._ellipsoid import (
    check_eccentricity,
    check_ell,
    direction_averages_published,
    direction_averages_volume,
    radius_ratio,
    strain_from_eccentricity,
)

METHODS = ("published", "tensor", "volume", "000", "000-corrected")
#: Names of the three modes that can soften, in the order of 001 Figs. 6-8.
SOFT_MODES = ("dilation", "yy_minus_zz", "shear_yz")


def check_method(method: str) -> str:
    from ..errors import ParameterError
    if method not in METHODS:
        raise ParameterError("method", method, "one of " + ", ".join(METHODS))
    return method


def abcdef(av: dict, alpha: float) -> dict:
    """001 Eq. (4.3) (= 000 Eq. 4.3): the independent entries of the
    direction-averaged tildeLambda in Zhou's 6x6 form."""
    nx2, nx4, ny2, ny4 = av["nx2"], av["nx4"], av["ny2"], av["ny4"]
    nxy, nyz = av["nx2ny2"], av["ny2nz2"]
    a = alpha
    return {
        "A": 1 - 3 * nx2 + 0.5 * a * (-3 + 18 * nx2 - 15 * nx4),
        "B": 0.5 * a * (-1 - 15 * nxy + 3 * (nx2 + ny2)),
        "C": 0.25 * (2 - 3 * nx2 - 3 * ny2) + 0.5 * a * (-1 - 15 * nxy + 3 * (nx2 + ny2)),
        "D": 1 - 3 * ny2 + 0.5 * a * (-3 + 18 * ny2 - 15 * ny4),
        "E": 0.5 * a * (-1 - 15 * nyz + 6 * ny2),
        "F": 0.5 * (1 - 3 * ny2) + 0.5 * a * (-1 - 15 * nyz + 6 * ny2),
    }


def zhou_matrix_from_abcdef(c: dict):
    """Assemble 001 Eq. (4.2)'s pattern [[A,0,0,B,0,B],[0,C,...],...]."""
    A, B, C, D, E, F = (c[k] for k in "ABCDEF")
    return np.array([
        [A, 0, 0, B, 0, B],
        [0, C, 0, 0, 0, 0],
        [0, 0, C, 0, 0, 0],
        [B, 0, 0, D, 0, E],
        [0, 0, 0, 0, F, 0],
        [B, 0, 0, E, 0, D],
    ], dtype=float)


def elastic_inverse_tensor_zhou(alpha: float):
    """The tensor inverse of 001 Eq. (2.10) on symmetric tensors, written
    with Zhou's index pairs (entries ``S_ijkl``), units ``1/(rho c_t^2)``.

    Computed as ``mandel_to_zhou(inv(C_Mandel))``: in the orthonormal Mandel
    convention tensor contraction is the matrix product, so the matrix
    inverse is the tensor inverse.  Departs from 001 Eq. (4.6) in the shear
    entries (``1/4`` instead of ``1``); the normal block is identical."""
    return _elastic_inverse_tensor_zhou(check_alpha(alpha)).copy()


@lru_cache(maxsize=64)
def _elastic_inverse_tensor_zhou(alpha):
    from ..tensors import mandel_to_zhou, zhou_to_mandel
    l2m = 1.0 / (1.0 - alpha)       # lambda + 2 mu = c_l^2/c_t^2 in units of rho c_t^2
    lam = l2m - 2.0
    c_zhou = zhou_matrix_from_abcdef({"A": l2m, "B": lam, "C": 1.0, "D": l2m, "E": lam, "F": 1.0})
    return mandel_to_zhou(np.linalg.inv(zhou_to_mandel(c_zhou)))


def inverse_susceptibility_mandel(eps, alpha, ell=20.0):
    """``method="tensor"``'s ``chi^-1`` as the internal orthonormal Mandel
    6x6 matrix (conventions.py), shape (..., 6, 6), units ``1/(rho c_t^2)``:
    ``zhou_to_mandel(2 ell [A..F]) + inv(C_Mandel)`` (001 Eqs. 4.2-4.6 done
    with tensors).  Its eigenvalues are the tensor's."""
    from ..tensors import zhou_to_mandel
    return zhou_to_mandel(inverse_susceptibility(eps, alpha, ell, "tensor"))


def elastic_inverse_zhou(alpha: float):
    """001 Eq. (4.6): plain inverse of the unweighted 6x6 form of Eq. (2.10),
    in units ``1/(rho c_t^2)``."""
    alpha = check_alpha(alpha)
    d = alpha / (4 * alpha - 1)
    o = -(2 * alpha - 1) / (2 * (4 * alpha - 1))
    return zhou_matrix_from_abcdef({"A": d, "B": o, "C": 1.0, "D": d, "E": o, "F": 1.0})


@lru_cache(maxsize=32)
def _lambda_nodes(alpha, n_u=96, n_phi=32):
    """tildeLambda (Zhou 6x6) averaged over phi at Gauss-Legendre nodes in
    u = n_x, with the nodes' weights: (u, w, L[u, 6, 6])."""
    from ..tensors import tensor4_to_zhou
    u, w = np.polynomial.legendre.leggauss(n_u)
    phi = np.arange(n_phi) * (2 * np.pi / n_phi)
    s = np.sqrt(1 - u**2)
    n = np.stack([np.repeat(u, n_phi), np.repeat(s, n_phi) * np.tile(np.cos(phi), n_u),
                  np.repeat(s, n_phi) * np.tile(np.sin(phi), n_u)], axis=-1)
    lam = tensor4_to_zhou(tilde_lambda(n, alpha)).reshape(n_u, n_phi, 6, 6).mean(axis=1)
    return u, w, lam


def _volume_weighted_lambda(eps, alpha):
    """``2 <tildeLambda(n) ln(r_max(n)/R)>`` over the sphere, Zhou 6x6;
    vectorised over ``eps``."""
    u, w, lam = _lambda_nodes(float(alpha))
    eps = np.asarray(eps, dtype=float)
    wt = 0.5 * w * np.log(radius_ratio(eps[..., None], u))  # (..., n_u); sphere average = 1/2 int du
    return 2.0 * np.einsum("...u,uab->...ab", wt, lam)


def _constants_000(alpha, corrected: bool):
    """The isotropic constants 000 Eq. (4.2) adds to A..F (from its Eq. D12).

    Printed: A, D += (4pi/3)(1 - alpha/5); C, F += (2pi/3)(1 - 4alpha/30);
    B, E -= 8 pi alpha/90.  These are ``-2 (4pi/3)`` times D12's tensor
    ``alpha/30 (dd+dd+dd) - q (dd+dd)`` with q = 1/4; ``corrected`` uses
    q = 1/12 (AUDIT.md).  000's Eq. (4.6) drops the alpha of E' (typo,
    not followed here)."""
    q = 1.0 / 12.0 if corrected else 0.25
    pref = -2.0 * (4 * math.pi / 3)
    diag = pref * (alpha / 10 - 2 * q)      # xxxx: 3 alpha/30 - 2q
    shear = pref * (alpha / 30 - q)         # xyxy
    off = pref * (alpha / 30)               # xxyy
    return {"A": diag, "B": off, "C": shear, "D": diag, "E": off, "F": shear}


def _matrix_stack(eps, alpha, ell, method):
    """``chi^-1`` for an array of eccentricities: (..., 6, 6)."""
    eps = check_eccentricity(eps)
    if method == "volume":
        return _volume_weighted_lambda(eps, alpha) + elastic_inverse_zhou(alpha)
    base = abcdef(direction_averages_published(eps), alpha)
    if method == "published":
        return 2.0 * ell * _stack_abcdef(base) + elastic_inverse_zhou(alpha)
    if method == "tensor":
        return 2.0 * ell * _stack_abcdef(base) + elastic_inverse_tensor_zhou(alpha)
    consts = _constants_000(alpha, corrected=(method == "000-corrected"))
    return 0.5 * ell * _stack_abcdef({k: base[k] + consts[k] for k in "ABCDEF"})


def _stack_abcdef(c):
    A, B, C, D, E, F = (np.asarray(c[k], dtype=float) for k in "ABCDEF")
    z = np.zeros_like(A)
    rows = [[A, z, z, B, z, B], [z, C, z, z, z, z], [z, z, C, z, z, z],
            [B, z, z, D, z, E], [z, z, z, z, F, z], [B, z, z, E, z, D]]
    return np.moveaxis(np.array(rows), (0, 1), (-2, -1))


def inverse_susceptibility(eps, alpha, ell=20.0, method="published"):
    """The 6x6 ``chi^-1`` (Zhou notation, units ``1/(rho c_t^2)``) of a sample
    strained to eccentricity ``eps`` (scalar or array); see the module
    docstring for the methods.  With ``method="volume"`` the non-elastic
    part ``2 ell <tildeLambda>_vol = 2 <tildeLambda ln(r_max/L1)>`` is computed
    by quadrature (the angular integral of tildeLambda vanishes) and
    cross-checked against :func:`direction_averages_volume` in the tests."""
    alpha = check_alpha(alpha)
    ell = check_ell(ell)
    method = check_method(method)
    return _matrix_stack(eps, alpha, ell, method)


def _shear_weight(method):
    """Factor between a shear eigenvalue and the Zhou entry C' or F': 1 for
    the published (unweighted) eigen-table, 2 for the tensor eigenvalues
    (the Mandel weight sqrt(2)^2)."""
    return 2.0 if method == "tensor" else 1.0


def soft_eigenvalues(eps, alpha, ell=20.0, method="published"):
    """The three soft eigenvalues of ``chi^-1`` (dilation, yy-zz, yz shear),
    shape (..., 3); vectorised over ``eps``.  For ``method="tensor"`` these
    are eigenvalues of the Mandel matrix (yz shear = ``2 F'``)."""
    m = inverse_susceptibility(eps, alpha, ell, method)
    A, B, D, E = m[..., 0, 0], m[..., 0, 3], m[..., 3, 3], m[..., 3, 5]
    F = _shear_weight(method) * m[..., 4, 4]
    disc = np.sqrt(8 * B**2 + (A - D - E) ** 2)
    return np.stack([0.5 * (A + D + E - disc), D - E, F], axis=-1)


def volume_average_matrix(eps, alpha, ell):
    """``2 ell'`` times A..F built from :func:`direction_averages_volume`, with
    ``ell' = ell + <ln(r_max/R)>`` the exact normalisation of Eq. (4.4); equals
    the non-elastic part of ``method="volume"`` (a consistency check)."""
    av = direction_averages_volume(eps, ell)
    u, w = np.polynomial.legendre.leggauss(96)
    norm = ell + 0.5 * (w @ np.log(radius_ratio(float(eps), u)))
    return 2.0 * norm * zhou_matrix_from_abcdef(abcdef(av, alpha))


@dataclass(frozen=True)
class ModeDecomposition:
    """Eigenvalues of ``chi^-1`` sorted by symmetry about the strain axis x.

    ``hard_xy`` (= ``hard_xz``), ``hard_symmetric`` are the modes that stay
    positive in 001; ``dilation`` is ``(A'+D'+E'-sqrt(Delta))/2`` with the
    eigenvector ``(c, 0, 0, 1, 0, 1)``, ``yy_minus_zz`` is ``D'-E'`` with
    ``(0,0,0,-1,0,1)``, ``shear_yz`` is ``F'``.  All in units ``1/(rho c_t^2)``.
    """

    hard_xy: float
    hard_symmetric: float
    dilation: float
    yy_minus_zz: float
    shear_yz: float
    coeff_hard: float        # (A'-D'-E'+sqrt(Delta))/(2B'), 001 Fig. 5
    coeff_dilation: float    # (A'-D'-E'-sqrt(Delta))/(2B'), 001 Fig. 9
    eigenvalues: tuple = field(default=())

    def soft(self) -> dict:
        return {"dilation": self.dilation, "yy_minus_zz": self.yy_minus_zz, "shear_yz": self.shear_yz}


def decompose(m, shear_weight: float = 1.0) -> ModeDecomposition:
    """Closed-form eigen-decomposition of a Zhou matrix with the pattern of
    001 Eq. (4.2) (000 Eq. 4.7's table); also returns all eigenvalues from
    ``numpy.linalg.eigvalsh`` for cross-checking.  ``shear_weight = 2`` gives
    the tensor (Mandel) eigenvalues of a matrix of tensor components."""
    m = np.asarray(m, dtype=float)
    if shear_weight != 1.0:
        m = m.copy()
        for k in (1, 2, 4):
            m[k, k] *= shear_weight
    A, B, C, D, E, F = m[0, 0], m[0, 3], m[1, 1], m[3, 3], m[3, 5], m[4, 4]
    disc = math.sqrt(8 * B**2 + (A - D - E) ** 2)
    plus = 0.5 * (A + D + E + disc)
    minus = 0.5 * (A + D + E - disc)
    ch = (A - D - E + disc) / (2 * B) if B != 0 else -math.inf
    cd = (A - D - E - disc) / (2 * B) if B != 0 else math.inf
    return ModeDecomposition(C, plus, minus, D - E, F, ch, cd, tuple(np.linalg.eigvalsh(0.5 * (m + m.T))))


def modes(eps, alpha, ell=20.0, method="published") -> ModeDecomposition:
    return decompose(inverse_susceptibility(eps, alpha, ell, method), _shear_weight(method))


def _grid():
    # dense near 1 where the averages vary fastest
    return np.unique(np.concatenate([np.linspace(1e-3, 0.95, 400), 1 - np.geomspace(0.05, 1e-9, 200)]))


def critical_eccentricities(alpha, ell=20.0, method="published") -> dict:
    """Eccentricity in (0, 1) at which each soft eigenvalue of ``chi^-1``
    first changes sign from + to - (``None`` where it does not).

    001's critical values (0.580, 0.529, 0.912 at alpha = 0.7) are reproduced
    with ``ell = 20`` (000's "R = 1 m"), not with the ``ln(R/L1) ~ 12`` that
    001's text states (AUDIT.md)."""
    alpha = check_alpha(alpha)
    ell = check_ell(ell)
    method = check_method(method)
    grid = _grid()
    vals = soft_eigenvalues(grid, alpha, ell, method)
    out = {}
    for j, name in enumerate(SOFT_MODES):
        v = vals[:, j]
        idx = np.nonzero((v[:-1] > 0) & (v[1:] <= 0))[0]
        if idx.size == 0:
            out[name] = None
            continue
        i = idx[0]
        out[name] = float(brentq(lambda e, j=j: float(soft_eigenvalues(e, alpha, ell, method)[j]), grid[i], grid[i + 1],
                                 xtol=1e-13))
    return out


def critical_strains(alpha, ell=20.0, method="published") -> dict:
    """Critical ``e_xx`` for each soft mode: ``e = 1/sqrt(1-eps^2) - 1``."""
    eps = critical_eccentricities(alpha, ell, method)
    return {k: (None if v is None else float(strain_from_eccentricity(v))) for k, v in eps.items()}


def brittle_directions(alpha, ell=20.0, method="published") -> dict:
    """Strain directions (Zhou 6-vectors, unit norm) against which the sample
    softens at each critical point (001 Fig. 10), or ``None``."""
    eps = critical_eccentricities(alpha, ell, method)
    out = {}
    for name, e in eps.items():
        if e is None:
            out[name] = None
            continue
        md = modes(e, alpha, ell, method)
        if name == "dilation":
            v = np.array([md.coeff_dilation, 0, 0, 1, 0, 1], dtype=float)
        elif name == "yy_minus_zz":
            v = np.array([0, 0, 0, -1, 0, 1], dtype=float)
        else:
            v = np.array([0, 0, 0, 0, 1, 0], dtype=float)
        out[name] = (v / np.linalg.norm(v)).tolist()
    return out
