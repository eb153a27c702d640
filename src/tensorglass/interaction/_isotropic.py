"""The isotropic part of the stress-stress kernel, direction by direction.

A 4-tensor ``X_ijkl`` with the minor symmetries has the rotation average
``(chi_l - 2 chi_t) d_ij d_kl + chi_t (d_ik d_jl + d_il d_jk)`` (002 Eq. 2.17)
fixed by its two full contractions

    X_iijj = 9 chi_l - 12 chi_t,        X_ijij = 3 chi_l + 6 chi_t,

so the isotropic part vanishes exactly when both contractions do.  For
tildeLambda of 001 Eq. (2.13) both vanish for every unit ``n`` and every
``alpha`` (proved symbolically at the edge, ``studies._blocks_theorem``;
checked here numerically), so the isotropic part of the first-order
correction M of 001 Eq. (3.3) / 002 Eq. (4.1) is zero pair by pair, for any
set of block positions.  The only isotropic piece of the transform of
Lambda(k) is its contact term (on one block, no ln N0).

:func:`low_k_ball_transform` computes the part of the Fourier transform of
Lambda(k) that comes from the ball ``|k| < k0``: 000 Eq. (D12) adds this
long-wavelength constant on top of the full real-space kernel D13, which
already contains it (docs/notes/02-coupled-block-clusters.md).

Units: rho c_t^2 = 1; numpy only.
"""

from __future__ import annotations

import numpy as np

from ._sphere import sphere_quadrature
from ._stress_stress import stress_stress_interaction_k, tilde_lambda


def isotropic_contractions(t):
    """``(X_iijj, X_ijij)`` of 4-tensors ``(..., 3, 3, 3, 3)``."""
    t = np.asarray(t, dtype=float)
    return np.einsum("...iijj->...", t), np.einsum("...ijij->...", t)


def isotropic_part_of_tensor(t):
    """``(chi_l, chi_t)`` of the rotation average of 4-tensors ``(..., 3,3,3,3)``
    (002 Eq. 2.17 convention), from the two contractions."""
    p, q = isotropic_contractions(t)
    chi_t = (3.0 * q - p) / 30.0
    chi_l = (q - 6.0 * chi_t) / 3.0
    return chi_l, chi_t


def tilde_lambda_isotropic_max(alpha, n_directions: int = 2000, seed: int = 0):
    """Largest ``|tildeLambda_iijj(n)|``, ``|tildeLambda_ijij(n)|`` over random
    unit directions (a numerical companion of the symbolic proof) and, for
    contrast, the largest Frobenius norm of tildeLambda(n) itself over the
    same directions.  Returns ``(isotropic_max, kernel_norm_max)``."""
    rng = np.random.default_rng(seed)
    n = rng.standard_normal((n_directions, 3))
    lam = tilde_lambda(n, alpha)
    p, q = isotropic_contractions(lam)
    return float(max(np.max(np.abs(p)), np.max(np.abs(q)))), float(np.max(np.linalg.norm(
        lam.reshape(n_directions, -1), axis=1)))


def angular_average(tilde, alpha, n_cos: int = 16, n_phi: int = 32):
    """``<tilde(n, alpha)>`` over the unit sphere, a 4-tensor: the angular
    integral that multiplies ln(R/L1) in 001 Eq. (4.1) for a spherical sample
    (divided by 4 pi).  Zero for tildeLambda; not for a kernel with a typo
    such as :func:`tensorglass.interaction.tilde_lambda_003_printed`."""
    n, w = sphere_quadrature(n_cos, n_phi)
    return np.tensordot(w, tilde(n, alpha), axes=(0, 0))


def low_k_ball_transform(x, alpha, k0: float, n_k: int = 48, n_cos: int = 48, n_phi: int = 64):
    """``int_{|k| < k0} d^3k/(2 pi)^3 Lambda(k) e^{i k.x}`` (Lambda of 000
    Eq. 2.14 / D8, units 1/(rho c_t^2)) by Gauss-Legendre in |k| and the
    sphere quadrature in the direction.  For ``k0 |x| -> 0`` it tends to
    ``k0^3/(6 pi^2) <Lambda(khat)>`` = ``k0^3/(6 pi^2)`` times the contact
    term with coefficient 1/12: the constant 000 Eq. (D12) writes (with 1/4)
    for ``k0 = 2 pi/(N0 L)``, i.e. ``(4 pi/3)/N0^3`` times that tensor."""
    x = np.asarray(x, dtype=float)
    u, wk = np.polynomial.legendre.leggauss(n_k)
    k = 0.5 * k0 * (u + 1.0)
    wk = 0.5 * k0 * wk
    n, wn = sphere_quadrature(n_cos, n_phi)
    lam = stress_stress_interaction_k(n, alpha)                      # (D, 3,3,3,3), direction only
    phase = np.cos(np.outer(k, n @ x))                               # (K, D)
    radial = np.einsum("k,kd->d", wk * k**2, phase)                  # int k^2 cos(k n.x) dk per direction
    return 4.0 * np.pi * np.einsum("d,d,dijkl->ijkl", wn, radial, lam) / (2.0 * np.pi) ** 3
