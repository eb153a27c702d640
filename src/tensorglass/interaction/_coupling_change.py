"""How an external phonon changes the block-block couplings (003 Sec. II C, III, V).

A long-wavelength phonon ``u(x, t) = A e exp(i k khat.x - i w t)`` moves the
centre of block ``s`` by ``u(x_s)``; to first order in ``k`` the separation of
two blocks changes by ``Delta x_ss' = (x_ss'.grad) u = i A k (khat.x_ss') e``
(003 below Eq. 2.17: ``Delta x_s = u(x_s, t)``).  ``e = khat`` for the
longitudinal wave, ``e`` perpendicular to ``khat`` for a transverse one.

* 003 Eq. (2.17): the change of the stress-stress coupling is the directional
  derivative ``(Delta x.grad) Lambda``; :func:`tilde_lambda_change` is the brace
  ``r (m.grad) tildeLambda``.  Departures from the print: the prefactor
  ``-1/(8 pi rho c_t^2)`` of Lambda is missing in Eq. (2.17), ``Delta tildeLambda``
  carries ``Delta x / x`` (printed ``Delta x / x^5``), and a bracket closes one
  term early (``...(m_i n_l + m_l n_i)] delta_jk``).
* 003 Eq. (5.2)-(5.4): the dipole-dipole coupling, its change with the
  separation (Eq. 5.3, the directional derivative of Eq. 5.2), and the change
  of the dipole moments (Eq. 5.4).
* :func:`dipole_absorption_angular_factor` and
  :func:`coupling_change_absorption_factor`: the angular averages that fix the
  ratio of longitudinal to transverse absorption of 003 Eq. (5.8) and Eq. (3.5)
  (the radial sum and the golden-rule prefactor are common to both
  polarisations and drop out of the ratio).

Units: ``rho c_t^2 = 1``, ``epsilon = 1`` unless given; numpy only.
"""

from __future__ import annotations

import numpy as np

from ..errors import ParameterError
from ._sphere import sphere_quadrature
from ._stress_stress import _unit

_D = np.eye(3)


def tilde_lambda_change(n, m, alpha):
    """The brace of 003 Eq. (2.17): ``r (m.grad) tildeLambda_ijkl(x/r)``, for
    unit separation ``n`` and unit displacement ``m`` (arrays ``(..., 3)``).

    Written term by term as printed (with the closing bracket where it must be);
    the report checks it against a numerical derivative of
    :func:`tensorglass.interaction.tilde_lambda`.
    """
    n, m = _unit(n), _unit(m)
    c = np.einsum("...i,...i->...", n, m)[..., None, None, None, None]
    nn = np.einsum("...i,...j->...ij", n, n)
    mn = np.einsum("...i,...j->...ij", m, n)
    sym_mn = mn + np.swapaxes(mn, -1, -2)  # m_i n_j + n_i m_j

    def four(q):  # q_jl d_ik + q_jk d_il + q_ik d_jl + q_il d_jk
        return (np.einsum("...jl,ik->...ijkl", q, _D) + np.einsum("...jk,il->...ijkl", q, _D)
                + np.einsum("...ik,jl->...ijkl", q, _D) + np.einsum("...il,jk->...ijkl", q, _D))

    def six(q):
        return (np.einsum("...ij,kl->...ijkl", q, _D) + np.einsum("...ik,jl->...ijkl", q, _D)
                + np.einsum("...il,jk->...ijkl", q, _D) + np.einsum("...jk,il->...ijkl", q, _D)
                + np.einsum("...jl,ik->...ijkl", q, _D) + np.einsum("...kl,ij->...ijkl", q, _D))

    m_nnn = (np.einsum("...i,...j,...k,...l->...ijkl", m, n, n, n) + np.einsum("...i,...j,...k,...l->...ijkl", n, m, n, n)
             + np.einsum("...i,...j,...k,...l->...ijkl", n, n, m, n) + np.einsum("...i,...j,...k,...l->...ijkl", n, n, n, m))
    nnnn = np.einsum("...i,...j,...k,...l->...ijkl", n, n, n, n)
    first = 0.75 * (2.0 * four(nn) * c - four(sym_mn))
    second = -3.0 * alpha * c * six(nn) + 1.5 * alpha * six(sym_mn) - 7.5 * alpha * m_nnn + 30.0 * alpha * nnnn * c
    return first + second


def dipole_dipole_coupling(x, epsilon: float = 1.0):
    """``mu_ij = (d_ij - 3 n_i n_j) / (8 pi epsilon r^3)``, 003 Eq. (5.2)."""
    x = np.asarray(x, dtype=float)
    r = np.linalg.norm(x, axis=-1)[..., None, None]
    n = _unit(x)
    return (_D - 3.0 * np.einsum("...i,...j->...ij", n, n)) / (8.0 * np.pi * epsilon * r**3)


def dipole_coupling_change(x, dx, epsilon: float = 1.0):
    """``Delta mu_ij`` of 003 Eq. (5.3), as printed:
    ``3 |dx| / (8 pi epsilon r^4) [(5 n_i n_j - d_ij) cos - (n_j m_i + n_i m_j)]``
    with ``m = dx/|dx|`` and ``cos = m.n``.  To first order in ``dx`` it is
    ``(dx.grad) mu`` (checked numerically in the report)."""
    x, dx = np.asarray(x, dtype=float), np.asarray(dx, dtype=float)
    r = np.linalg.norm(x, axis=-1)[..., None, None]
    size = np.linalg.norm(dx, axis=-1)[..., None, None]
    n = _unit(x)
    m = dx / np.where(size[..., 0] > 0, size[..., 0], 1.0)
    c = np.einsum("...i,...i->...", n, m)[..., None, None]
    nn = np.einsum("...i,...j->...ij", n, n)
    mn = np.einsum("...i,...j->...ij", m, n)
    return 3.0 * size / (8.0 * np.pi * epsilon * r**4) * ((5.0 * nn - _D) * c - (mn + np.swapaxes(mn, -1, -2)))


def dipole_moment_change(grad_u, p):
    """``Delta p_i = sum_k (d u_i / d x_k) p_k``, 003 Eq. (5.4); ``grad_u[i, k] = d u_i/d x_k``."""
    return np.einsum("...ik,...k->...i", np.asarray(grad_u, dtype=float), np.asarray(p, dtype=float))


def _wave(polarization):
    khat = np.array([0.0, 0.0, 1.0])
    if polarization == "l":
        return khat, khat
    if polarization == "t":
        return khat, np.array([1.0, 0.0, 0.0])
    raise ParameterError("polarization", polarization, "'l' (longitudinal) or 't' (transverse)",
                         "the wave travels along z; 't' is polarised along x")


def dipole_absorption_angular_factor(polarization: str, moment_weight: float = 2.0, strain_only: bool = False,
                                     symmetrise_pair: bool = True, n_cos: int = 16, n_phi: int = 32) -> float:
    """Angular factor of the dipole-dipole absorption, 003 Eq. (5.5)-(5.8).

    Per ordered pair (s, s') the perturbation of Eq. (5.5) is
    ``C_aj p_a^(s) p_j^(s')`` with ``C = Delta mu + w G^T mu`` (``Delta mu`` of
    Eq. 5.3 with ``Delta x = (n.khat) e r``; ``G_ik = d u_i/d x_k = e_i khat_k``
    per ``i A k``, Eq. 5.4; ``w = moment_weight``, 2 in Eq. 5.5).  With
    isotropic dipole correlations ``<p_a p_b> ~ d_ab`` (below Eq. 5.6) the
    absorption of the unordered pair is ``sum_aj (C + C^T)_aj^2``
    (``symmetrise_pair``; else ``sum C_aj^2``), averaged over directions ``n``.
    Returned in units of ``(A k)^2 / (8 pi epsilon r^3)^2``.  ``strain_only``
    keeps only the symmetric part of ``G`` in Eq. (5.4) (a reading in which a
    rotation does not change the dipoles).
    """
    khat, e = _wave(polarization)
    n, w = sphere_quadrature(n_cos, n_phi)
    g = np.outer(e, khat)
    if strain_only:
        g = 0.5 * (g + g.T)
    dx = np.einsum("ni,i->n", n, khat)[:, None] * e[None, :]
    scale = 8.0 * np.pi
    dmu = dipole_coupling_change(n, dx) * scale
    mu = dipole_dipole_coupling(n) * scale
    c = dmu + moment_weight * np.einsum("ia,nij->naj", g, mu)
    if symmetrise_pair:
        c = c + np.swapaxes(c, -1, -2)
    return float(np.sum(w * np.einsum("naj,naj->n", c, c)))


def coupling_change_absorption_factor(tilde, polarization: str, chi_ratio_x: float, n_cos: int = 16, n_phi: int = 32,
                                      h: float = 1e-5) -> float:
    """Angular factor of 003 Eq. (3.5) for a kernel ``tilde(n) -> (..., 3,3,3,3)``.

    The perturbation ``Delta Lambda_ijkl T_ij^(s) T_kl^(s')`` (003 Eq. 2.18) with
    ``Delta Lambda = (Delta x.grad) Lambda`` and ``Delta x = (n.khat) e r``
    absorbs ``sum D_ijkl D_abcd X_ijab X_klcd``, where ``D = (n.khat) r^4
    (e.grad)(tilde(x/r)/r^3)`` and ``X_ijkl = x d_ij d_kl + d_ik d_jl + d_il d_jk``
    is the isotropic ``Im chi_ijkl / Im chi_t`` of 003 Eq. (2.12) with
    ``x = Im chi_l/Im chi_t - 2``.  Averaged over directions; the derivative is
    taken numerically (central differences, step ``h``).  Units: the kernel's
    own, squared.
    """
    khat, e = _wave(polarization)
    n, w = sphere_quadrature(n_cos, n_phi)

    def field(x):
        r = np.linalg.norm(x, axis=-1)[:, None, None, None, None]
        return tilde(x) / r**3

    deriv = (field(n + h * e) - field(n - h * e)) / (2.0 * h)
    d = np.einsum("n,nijkl->nijkl", n @ khat, deriv)
    x = np.einsum("ij,kl->ijkl", _D, _D) * chi_ratio_x + np.einsum("ik,jl->ijkl", _D, _D) + np.einsum("il,jk->ijkl", _D, _D)
    val = np.einsum("nijkl,nabcd,ijab,klcd->n", d, d, x, x, optimize=True)
    return float(np.sum(w * val))
