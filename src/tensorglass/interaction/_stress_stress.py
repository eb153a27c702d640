"""The stress-stress interaction of the coupled-block model.

Virtual phonon exchange couples the stress tensors of two blocks through
``V = sum Lambda_ijkl(x - x') T_ij(x) T_kl(x')`` (001 Eq. 2.11; 003 Eq. 2.13).
In core units (``rho c_t^2 = 1``):

* k-space form, 000 Eq. (2.14) (with the ``1/V`` that its bare sum over k
  lacks, AUDIT.md):
  ``Lambda(k) = (alpha/2) k_i k_j k_k k_l / k^4
               - (1/8)(k_j k_l d_ik + k_j k_k d_il + k_i k_l d_jk + k_i k_k d_jl)/k^2``;
* real-space form, 001 Eq. (2.12)-(2.13) = 003 Eq. (A15):
  ``Lambda(x) = -tildeLambda(n) / (8 pi r^3)`` for ``r > 0``;
* contact term: the transform also carries ``c_ijkl delta^3(x)`` with
  ``c_ijkl`` the angular average of ``Lambda(k)``,
  ``alpha/30 (d_ij d_kl + d_ik d_jl + d_il d_jk) - 1/12 (d_ik d_jl + d_il d_jk)``.
  000 Eq. (D12) has 1/4 where the transform gives 1/12.

003 Eq. (2.15) as printed closes a bracket too early (the factor 3 covers
only three of the six ``n n delta`` terms); :func:`tilde_lambda_003_printed`
keeps that form so that the report can show what it breaks.
"""

from __future__ import annotations

import numpy as np

_D = np.eye(3)


def _unit(n):
    n = np.asarray(n, dtype=float)
    norm = np.linalg.norm(n, axis=-1, keepdims=True)
    if np.any(norm == 0):
        raise ValueError("direction n = 0 has no orientation; give a non-zero vector")
    return n / norm


def _dipolar_part(n):
    """``1/4 {(d_jl - 3 n_j n_l) d_ik + ...}`` of 001 Eq. (2.13): the first brace."""
    nn = np.einsum("...i,...j->...ij", n, n)
    q = _D - 3.0 * nn  # (..., 3, 3)
    return 0.25 * (np.einsum("...jl,ik->...ijkl", q, _D) + np.einsum("...jk,il->...ijkl", q, _D)
                   + np.einsum("...ik,jl->...ijkl", q, _D) + np.einsum("...il,jk->...ijkl", q, _D))


def _isotropic3():
    return (np.einsum("ij,kl->ijkl", _D, _D) + np.einsum("ik,jl->ijkl", _D, _D)
            + np.einsum("il,jk->ijkl", _D, _D))


def _nn_delta_six(n):
    nn = np.einsum("...i,...j->...ij", n, n)
    return (np.einsum("...ij,kl->...ijkl", nn, _D) + np.einsum("...ik,jl->...ijkl", nn, _D)
            + np.einsum("...il,jk->...ijkl", nn, _D) + np.einsum("...jk,il->...ijkl", nn, _D)
            + np.einsum("...jl,ik->...ijkl", nn, _D) + np.einsum("...kl,ij->...ijkl", nn, _D))


def _nnnn(n):
    return np.einsum("...i,...j,...k,...l->...ijkl", n, n, n, n)


def tilde_lambda(n, alpha):
    """Dimensionless angular factor ``tildeLambda_ijkl(n)``.

    001 Eq. (2.13) = 003 Eq. (A15) (= 000 Eq. D13).  ``n`` may be an array of
    directions ``(..., 3)`` (normalised here); returns ``(..., 3, 3, 3, 3)``.
    It has the index symmetries (ij)<->(ji), (kl)<->(lk), (ij)<->(kl) and its
    integral over directions vanishes.
    """
    n = _unit(n)
    alpha_part = -_isotropic3() + 3.0 * _nn_delta_six(n) - 15.0 * _nnnn(n)
    return _dipolar_part(n) + 0.5 * alpha * alpha_part


def tilde_lambda_003_printed(n, alpha):
    """003 Eq. (2.15) exactly as printed (misplaced bracket): the factor 3
    multiplies only ``n_i n_j d_kl + n_i n_k d_jl + n_i n_l d_jk``.

    Kept to show the typo's consequences; do not use for physics.
    """
    n = _unit(n)
    nn = np.einsum("...i,...j->...ij", n, n)
    first3 = (np.einsum("...ij,kl->...ijkl", nn, _D) + np.einsum("...ik,jl->...ijkl", nn, _D)
              + np.einsum("...il,jk->...ijkl", nn, _D))
    last3 = (np.einsum("...jk,il->...ijkl", nn, _D) + np.einsum("...jl,ik->...ijkl", nn, _D)
             + np.einsum("...kl,ij->...ijkl", nn, _D))
    alpha_part = -_isotropic3() + 3.0 * first3 + last3 - 15.0 * _nnnn(n)
    return _dipolar_part(n) + 0.5 * alpha * alpha_part


def stress_stress_interaction(x, alpha):
    """Real-space coupling ``Lambda_ijkl(x) = -tildeLambda(n)/(8 pi r^3)``
    for ``r > 0``, in units ``1/(rho c_t^2)`` (001 Eq. 2.12; 003 Eq. A15)."""
    x = np.asarray(x, dtype=float)
    r = np.linalg.norm(x, axis=-1)
    if np.any(r == 0):
        raise ValueError("x = 0: the real-space form holds only for r > 0; the r = 0 part is contact_term()")
    return -tilde_lambda(x, alpha) / (8.0 * np.pi * r[..., None, None, None, None] ** 3)


def stress_stress_interaction_k(k, alpha):
    """k-space coupling ``Lambda_ijkl(k)`` of 000 Eq. (2.14), units ``1/(rho c_t^2)``.

    Depends only on the direction of ``k``.  With
    ``Lambda(x) = int d^3k/(2 pi)^3 e^{ik.x} Lambda(k)`` it transforms into
    :func:`stress_stress_interaction` plus :func:`contact_term` times
    ``delta^3(x)`` (tested numerically in the test suite).
    """
    kh = _unit(k)
    kkkk = _nnnn(kh)
    kk = np.einsum("...i,...j->...ij", kh, kh)
    four = (np.einsum("...jl,ik->...ijkl", kk, _D) + np.einsum("...jk,il->...ijkl", kk, _D)
            + np.einsum("...il,jk->...ijkl", kk, _D) + np.einsum("...ik,jl->...ijkl", kk, _D))
    return 0.5 * alpha * kkkk - 0.125 * four


def contact_term(alpha, d12_coefficient: float = 1.0 / 12.0):
    """Coefficient ``c_ijkl`` of ``delta^3(x)`` in the transform of Lambda(k).

    ``c = alpha/30 (d_ij d_kl + d_ik d_jl + d_il d_jk) - q (d_ik d_jl + d_il d_jk)``
    with ``q = 1/12`` from the transform (AUDIT.md).  000 Eq. (D12) prints
    ``q = 1/4``; pass ``d12_coefficient=0.25`` to reproduce it.
    """
    return (alpha / 30.0) * _isotropic3() - d12_coefficient * (
        np.einsum("ik,jl->ijkl", _D, _D) + np.einsum("il,jk->ijkl", _D, _D))


def joffrin_levelut(n, alpha):
    """Joffrin-Levelut's angular factor as quoted in 003 Eq. (A1)/(A16):
    ``-2 (d_jl - 3 n_j n_l) d_ik + 2 alpha {...}``.

    It is not symmetric under i<->j.  After symmetrising, it is not a
    multiple of tildeLambda: ``tildeLambda = -(1/2) sym(JL first part)
    + (1/4) (JL alpha part)`` (AUDIT.md); see :func:`joffrin_levelut_parts`.
    """
    first, second = joffrin_levelut_parts(n, alpha)
    return first + second


def joffrin_levelut_parts(n, alpha):
    """The two parts ``(JL1, JL2)`` of 003 Eq. (A16)."""
    n = _unit(n)
    nn = np.einsum("...i,...j->...ij", n, n)
    first = -2.0 * np.einsum("...jl,ik->...ijkl", _D - 3.0 * nn, _D)
    second = 2.0 * alpha * (-_isotropic3() + 3.0 * _nn_delta_six(n) - 15.0 * _nnnn(n))
    return first, second


def symmetrize_minor(c):
    """Average a 4-tensor over i<->j and k<->l."""
    c = np.asarray(c, dtype=float)
    return 0.25 * (c + np.swapaxes(c, -4, -3) + np.swapaxes(c, -2, -1)
                   + np.swapaxes(np.swapaxes(c, -4, -3), -2, -1))


def regularised_transform(x, alpha, sigma: float, n_cos: int = 400, n_phi: int = 24):
    """Numerical Fourier transform of the Gaussian-damped k-space form.

    Computes ``int d^3k/(2pi)^3 e^{ik.x} Lambda(k) exp(-sigma^2 k^2/2)`` at a
    point ``x`` by doing the radial integral in closed form,
    ``int_0^inf k^2 e^{-a k^2} cos(k t) dk = sqrt(pi)/(4 a^{3/2}) e^{-t^2/4a}
    (1 - t^2/2a)`` with ``a = sigma^2/2``, and the angular integral by
    Gauss-Legendre quadrature in ``cos(theta)`` about ``x`` (where the
    integrand varies fast) and the trapezoid rule in ``phi``.

    For ``r >> sigma`` this tends to ``-tildeLambda(n)/(8 pi r^3)`` with an
    ``O(sigma^2/r^2)`` smoothing correction, which is why tests combine two
    values of ``sigma`` (Richardson).  No analytic property of tildeLambda is
    used, so this is an independent check of 001 Eq. (2.12)-(2.13).
    """
    x = np.asarray(x, dtype=float)
    r = float(np.linalg.norm(x))
    ez = x / r
    # orthonormal frame with ez along x
    trial = np.array([1.0, 0.0, 0.0]) if abs(ez[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    ex = trial - ez * (trial @ ez)
    ex /= np.linalg.norm(ex)
    ey = np.cross(ez, ex)
    u, w = np.polynomial.legendre.leggauss(n_cos)
    phi = np.arange(n_phi) * (2 * np.pi / n_phi)
    s = np.sqrt(1 - u**2)
    kh = (u[:, None, None] * ez + (s[:, None] * np.cos(phi))[:, :, None] * ex
          + (s[:, None] * np.sin(phi))[:, :, None] * ey)
    a = 0.5 * sigma**2
    t = r * u
    radial = np.sqrt(np.pi) / (4 * a**1.5) * np.exp(-t**2 / (4 * a)) * (1 - t**2 / (2 * a))
    lam = stress_stress_interaction_k(kh.reshape(-1, 3), alpha).reshape(n_cos, n_phi, 3, 3, 3, 3)
    weights = (w * radial)[:, None] * (2 * np.pi / n_phi)
    return np.einsum("ab,abijkl->ijkl", weights, lam) / (2 * np.pi) ** 3
