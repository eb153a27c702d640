"""Cluster sums beyond the first-order M, and each paper's own M.

Units as in :mod:`._couplings` (block side 1, rho c_t^2 = 1, J = -2 Lambda,
positive chi = beta Cov).  For identical Gaussian blocks with ``chi = c I``
the super-block susceptibility of an open ``n^3`` cluster is exactly
``(1/N) 1^T (chi^-1 - J)^-1 1``, whose expansion is

    chi_super = chi + chi M chi + chi M2 chi ... ,
    M = (1/N) sum_{s != s'} J_ss',   M2 = (1/N) sum_{s, m, s'} J_sm J_ms'

(the block index m of M2 runs over the whole cluster, s and s' may coincide).
:func:`second_order_cluster_sum` gives M2 by FFT convolution
(``v_m = sum_s J_ms``, ``M2 = (1/N) sum_m v_m v_m``).

:func:`m_000` is 000's own M per step (000 Eqs. 3.6, D11-D13): the pair
coefficient is D12 + D13, D12 being a constant ``(4 pi/3)/N0^3`` times the
tensor ``alpha/30 (dd + dd + dd) - q (dd + dd)`` with q = 1/4 as printed
(1/12 from the transform, AUDIT.md), and 000's M has no factor 2.

:func:`shell_sum_002` compares 002's evaluation of the coefficient
``(1/N0^3) sum_{u != u'} [-Lambda^(uu')] e^{-i k.x_uu'}`` (002 Eqs.
C.20-C.23: the shell sum replaced by a Kronecker delta, ``N0^3 - 1`` by
``3 ln N0``) with the same sum done directly over the cube.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import fft as sfft

from ..interaction import contact_term, stress_stress_interaction_k
from ..tensors import tensor4_to_mandel
from ._couplings import _check_n, cluster_coupling_sum, displacement_couplings


def cluster_fields(n, alpha):
    """``v_m = sum_{s != m} J_ms`` for every block m of an open ``n^3`` cube,
    shape (n, n, n, 6, 6), by zero-padded FFT convolution."""
    n = _check_n(n)
    jd = displacement_couplings(n, alpha)
    size = sfft.next_fast_len(3 * n)
    ker = np.zeros((size, size, size, 6, 6))
    r = np.arange(-(n - 1), n) % size
    ker[np.ix_(r, r, r)] = jd
    ind = np.zeros((size, size, size))
    ind[:n, :n, :n] = 1.0
    conv = sfft.ifftn(sfft.fftn(ker, axes=(0, 1, 2)) * sfft.fftn(ind)[..., None, None], axes=(0, 1, 2))
    return np.ascontiguousarray(np.real(conv)[:n, :n, :n])


def second_order_cluster_sum(n, alpha):
    """``M2 = (1/N) sum_{s, m, s'} J_sm J_ms'`` (6x6 Mandel) for an open ``n^3``
    cube: the coefficient of ``chi^3`` in the super-block chi of identical
    Gaussian blocks with ``chi = c I``."""
    v = cluster_fields(n, alpha)
    return np.einsum("xyzab,xyzbc->ac", v, v) / n**3


def gaussian_cluster_chi(n, alpha, chi):
    """Exact super-block chi of identical Gaussian blocks ``chi = c I`` in an
    open ``n^3`` cube: ``(1/N) 1^T (chi^-1 - J)^-1 1`` by dense linear algebra
    (small n only; the reference for the expansion in M and M2)."""
    from ._couplings import cubic_cluster_positions, pair_couplings
    n = _check_n(n)
    if n > 5:
        raise ValueError("n <= 5 for the dense reference")
    j = pair_couplings(cubic_cluster_positions(n), alpha)
    nsite = n**3
    a = np.eye(6 * nsite) / chi - j.transpose(0, 2, 1, 3).reshape(6 * nsite, 6 * nsite)
    ones = np.tile(np.eye(6), (nsite, 1))
    return ones.T @ np.linalg.solve(a, ones) / nsite


def m_000(n0, alpha, d12_coefficient: float = 0.25):
    """000's M per step (000 Eq. 3.6 with the pair coefficient D12 + D13) as a
    Mandel 6x6 matrix in block units; positive-chi convention, so that 000
    Eq. (3.7) reads ``chi' = chi + chi M chi`` and Eq. (3.8) for one step
    ``chi'^-1 = chi^-1 - M``.

    ``M = -(1/N0^3) sum_{s != s'} [D12 + D13]`` with D13 the real-space
    kernel (``-(1/N0^3) sum Lambda = cluster_coupling_sum/2``) and D12 the
    constant ``(4 pi/3)/N0^3`` times ``contact_term(alpha, q)``, the same for
    each of the ``N0^3 (N0^3 - 1)`` ordered pairs."""
    n0 = _check_n(n0)
    d12 = tensor4_to_mandel(contact_term(alpha, d12_coefficient))
    return 0.5 * cluster_coupling_sum(n0, alpha) - (4.0 * math.pi / 3.0) * (1.0 - n0**-3.0) * d12


def phonon_strains(khat, polarisation=None):
    """Mandel strains of a longitudinal and a transverse phonon of unit
    amplitude with wave vector along ``khat``: 002's ``e_ij = (A_i k_j + A_j k_i)/2``
    with ``A = khat`` (``khat khat``) and ``A = a`` perpendicular to ``khat``
    (``(khat a + a khat)/2``, norm 1/sqrt 2).  For an isotropic chi,
    ``e_l chi e_l = chi_l`` and ``e_t chi e_t = chi_t`` (002 Eq. 2.17)."""
    from ..tensors import tensor_to_mandel
    k = np.asarray(khat, dtype=float)
    k = k / np.linalg.norm(k)
    if polarisation is None:
        trial = np.array([1.0, 0.0, 0.0]) if abs(k[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
        polarisation = trial - k * (trial @ k)
    a = np.asarray(polarisation, dtype=float)
    a = a / np.linalg.norm(a)
    return tensor_to_mandel(np.outer(k, k)), tensor_to_mandel((np.outer(k, a) + np.outer(a, k)) / 2.0)


def shell_sum_002(n0, k, alpha):
    """002's coefficient against the direct sum, projected on the phonon's
    strains.  ``k`` is the phonon wave vector (3,) in units of 1/L.

    Returns a dict with ``direct_l``, ``direct_t``: ``e_a . X . e_a`` for
    ``X = (1/N0^3) sum_{u != u'} [-Lambda(x_uu')] e^{-i k.x_uu'}`` over the
    open cube (real part; the imaginary part cancels between +-x);
    ``c23_l``, ``c23_t``: the same projections of 002 Eq. (C.23) divided by
    N0^3, ``4 pi ln N0 [-Lambda(k)]``; ``count_exact`` = ``(4 pi/3)(N0^3 - 1)``
    (the shell volume of C.22's first line), ``count_c22`` = ``4 pi ln N0``
    (its last line) and ``lattice_count``: the number of lattice
    displacements with ``1 <= |x| <= N0``."""
    n0 = _check_n(n0)
    k = np.asarray(k, dtype=float)
    jd = displacement_couplings(n0, alpha)                   # J = -2 Lambda
    r = np.arange(-(n0 - 1), n0)
    mult = (n0 - np.abs(r)).astype(float)
    weight = mult[:, None, None] * mult[None, :, None] * mult[None, None, :] / n0**3
    dx, dy, dz = np.meshgrid(r, r, r, indexing="ij")
    phase = np.cos(k[0] * dx + k[1] * dy + k[2] * dz)
    x = 0.5 * np.einsum("xyz,xyzab->ab", weight * phase, jd)     # -Lambda = J/2
    el, et = phonon_strains(k)
    lam_k = -tensor4_to_mandel(stress_stress_interaction_k(k[None, :], alpha)[0])
    c23 = 4.0 * math.pi * math.log(n0) * lam_k
    g = np.arange(-n0, n0 + 1)
    gx, gy, gz = np.meshgrid(g, g, g, indexing="ij")
    rr = gx**2 + gy**2 + gz**2
    return {"direct_l": float(el @ x @ el), "direct_t": float(et @ x @ et),
            "c23_l": float(el @ c23 @ el), "c23_t": float(et @ c23 @ et),
            "count_exact": 4.0 * math.pi / 3.0 * (n0**3 - 1), "count_c22": 4.0 * math.pi * math.log(n0),
            "lattice_count": int(np.sum((rr >= 1) & (rr <= n0**2)))}
