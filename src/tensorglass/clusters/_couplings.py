"""Couplings between block centres and the isotropic projection.

Blocks of unit volume sit on the simple-cubic lattice with unit spacing
(lengths in units of the block side L_n, so ``L_n^3 Lambda`` is the
dimensionless coupling of 001 Eq. 3.7).  The super-block Hamiltonian is
(001 Eq. 2.14; 002 Eq. 2.20)

    H = sum_s H_0^(s) + sum_{s != s'} T^(s) . Lambda^(ss') . T^(s')
      = sum_s H_0^(s) - sum_{s < s'} T^(s) . J^(ss') . T^(s'),   J = -2 Lambda,

with ``Lambda^(ss') = -tildeLambda(n)/(8 pi rho c_t^2 R^3)`` (001 Eqs.
2.12-2.13, units rho c_t^2 = 1) as a 6x6 Mandel matrix (the contraction
``T_ij Lambda_ijkl T_kl`` is the Mandel dot product).  ``J`` is the sign
and factor convention of the ``coupled-blocks`` Monte Carlo model; unlike
that model there is no UV cutoff and no periodic image: the cluster is an
isolated super-block, as in the recursion.  The contact term of the
transform (AUDIT.md) acts inside one block and is not an inter-block
coupling, so it is left out.
"""

from __future__ import annotations

import numpy as np

from ..errors import ParameterError
from ..interaction import stress_stress_interaction
from ..tensors import tensor4_to_mandel

_U = np.array([1.0, 1.0, 1.0, 0.0, 0.0, 0.0]) / np.sqrt(3.0)


def _check_n(n):
    if not (isinstance(n, (int, np.integer)) and n >= 1):
        raise ParameterError("n", n, "an integer n >= 1 (blocks per cluster edge)")
    return int(n)


def cubic_cluster_positions(n):
    """Centres of the ``n^3`` blocks, site ``i = (x n + y) n + z``; shape (n^3, 3)."""
    n = _check_n(n)
    g = np.arange(n)
    x, y, z = np.meshgrid(g, g, g, indexing="ij")
    return np.stack([x.ravel(), y.ravel(), z.ravel()], axis=1)


def pair_couplings(positions, alpha):
    """``J^(ss') = -2 Lambda(x_s - x_s')`` in Mandel form, shape (N, N, 6, 6),
    zero on the diagonal (001 Eqs. 2.12-2.14)."""
    x = np.asarray(positions, dtype=float)
    d = x[:, None, :] - x[None, :, :]
    out = np.zeros(d.shape[:2] + (6, 6))
    off = ~np.eye(len(x), dtype=bool)
    out[off] = -2.0 * tensor4_to_mandel(stress_stress_interaction(d[off], alpha))
    return out


def displacement_couplings(n, alpha):
    """``J(d)`` for every displacement of an ``n^3`` cluster, indexed
    ``[dx + n - 1, dy + n - 1, dz + n - 1]``; shape (2n-1, 2n-1, 2n-1, 6, 6)."""
    n = _check_n(n)
    r = np.arange(-(n - 1), n)
    dx, dy, dz = np.meshgrid(r, r, r, indexing="ij")
    d = np.stack([dx, dy, dz], axis=-1).reshape(-1, 3).astype(float)
    out = np.zeros((d.shape[0], 6, 6))
    nz = np.any(d != 0, axis=1)
    out[nz] = -2.0 * tensor4_to_mandel(stress_stress_interaction(d[nz], alpha))
    return np.ascontiguousarray(out.reshape(2 * n - 1, 2 * n - 1, 2 * n - 1, 6, 6))


def cluster_coupling_sum(n, alpha):
    """``(1/n^3) sum_{s != s'} J^(ss')`` over an ``n^3`` cube: the matrix that
    first-order perturbation theory puts between two block susceptibilities,
    ``chi_super = chi + chi M chi + O(J^2)`` (positive chi = beta Cov).

    In the papers' sign (chi <= 0) this is 001 Eq. (3.7)'s
    ``M = L^3 [-2 sum Lambda] / N0^3`` per step; 000 Eq. (3.6) writes it
    without the factor 2.  Its isotropic projection vanishes for any set
    of positions, because the angular average of tildeLambda does
    (AUDIT.md)."""
    n = _check_n(n)
    jd = displacement_couplings(n, alpha)
    r = np.arange(-(n - 1), n)
    mult = (n - np.abs(r)).astype(float)          # pairs with a given dx in one dimension
    weight = mult[:, None, None] * mult[None, :, None] * mult[None, None, :]
    return np.einsum("xyz,xyzab->ab", weight, jd) / n**3


def isotropic_parts(chi):
    """``(chi_l, chi_t)`` of the isotropic projection of Mandel 6x6 matrices
    ``(..., 6, 6)``: with 002 Eq. (2.17),
    ``chi_ijkl = (chi_l - 2 chi_t) d_ij d_kl + chi_t (d_ik d_jl + d_il d_jk)``,
    the volumetric eigenvalue is ``3 chi_l - 4 chi_t`` and the deviatoric one
    ``2 chi_t``; the projection averages ``chi`` over rotations."""
    c = np.asarray(chi, dtype=float)
    vol = np.einsum("a,...ab,b->...", _U, c, _U)
    dev = (np.trace(c, axis1=-2, axis2=-1) - vol) / 5.0
    chi_t = dev / 2.0
    chi_l = (vol + 4.0 * chi_t) / 3.0
    return chi_l, chi_t
