"""The spin-spin coupling of the Bevzenko-Lubchenko stress model (004).

Integrating out the long-wavelength phonons couples the frozen-in local
deformations ``d_ij`` of beads m, n through
``H = -sum_{m<n} a^3 K_ijkl(r_mn) d^(m)_ij d^(n)_kl`` (004 Eq. 18), whose
Fourier image is (004 Eq. 20)

    Ktilde_ijkl(k) = (k_p k_q / mu) (Lambda_ijmp Lambda_klmq
                     - (lambda+mu)/(lambda+2mu) Lambda_ijmp Lambda_klnq k_m k_n),

with ``Lambda`` the isotropic elastic tensor (004 Eq. 11) and unit ``k``.  In
the rescaled basis (004 Eq. A3), where ``d.Lambda.d = g.g``, the same bilinear
form is the 6x6 matrix ``J(k)`` with ``g.J.g = d.Ktilde.d``.  004 states (and
the tests check) that ``J^2 = J`` with trace 3, i.e. eigenvalues (1,1,1,0,0,0),
for every direction, and that its angular average is
``diag(K/(lambda+2mu), (2/5)(K+2mu)/(lambda+2mu) x5)`` (004 App. B).

Derivation note: ``d.Ktilde.d = (|s|^2 - c (k.s)^2)/mu`` with the traction
``s_m = sigma_mp k_p``, ``sigma = Lambda:d`` and ``c = (lambda+mu)/(lambda+2mu)``;
the inverse used in 004 Eq. (B3) satisfies
``(Lambda_ijlm k_j k_m)(d_ln - c k_l k_n) = mu d_in`` -- the printed right side
``d_in`` lacks the factor mu (AUDIT.md).
"""

from __future__ import annotations

import numpy as np

from ..tensors import IsotropicElasticity, bilinear_form_to_bl, tensor4_to_mandel


def ktilde(k, medium: IsotropicElasticity):
    """004 Eq. (20): ``Ktilde_ijkl(khat)`` as a (..., 3,3,3,3) array."""
    kh = np.asarray(k, dtype=float)
    kh = kh / np.linalg.norm(kh, axis=-1, keepdims=True)
    lam = medium.stiffness_tensor()
    mu = medium.mu
    c = (medium.lame_lambda + mu) / (medium.lame_lambda + 2 * mu)
    # s_ij,m = Lambda_ijmp k_p  (traction map)
    s = np.einsum("ijmp,...p->...ijm", lam, kh)
    first = np.einsum("...ijm,...klm->...ijkl", s, s)
    sk = np.einsum("...ijm,...m->...ij", s, kh)
    second = np.einsum("...ij,...kl->...ijkl", sk, sk)
    return (first - c * second) / mu


def bl_coupling_matrix(k, medium: IsotropicElasticity):
    """The 6x6 ``J(k)`` of 004 Eqs. (18)-(20) in the rescaled basis (A3).

    Returns ``(..., 6, 6)``; ``g.J(k).g = d.Ktilde(k).d``.
    """
    return bilinear_form_to_bl(tensor4_to_mandel(ktilde(k, medium)), medium.bulk_modulus, medium.mu)


def bl_coupling_angular_average_exact(medium: IsotropicElasticity):
    """004 App. B closed form: ``diag(K/(lambda+2mu), (2/5)(K+2mu)/(lambda+2mu) x5)``."""
    lam, mu, kb = medium.lame_lambda, medium.mu, medium.bulk_modulus
    m = lam + 2 * mu
    return np.diag([kb / m] + [0.4 * (kb + 2 * mu) / m] * 5)


def j_compr_over_j_shear(medium: IsotropicElasticity) -> float:
    """004 Eq. (22): ``J_compr/J_shear = (5/2) K/(K + 2 mu)``."""
    kb, mu = medium.bulk_modulus, medium.mu
    return 2.5 * kb / (kb + 2 * mu)


def j_ratio_forms(medium: IsotropicElasticity) -> dict:
    """The three forms of 004 Eq. (22), to show that they agree."""
    s = medium.poisson_ratio
    r2 = (medium.c_t / medium.c_l) ** 2
    return {
        "K_over_K_plus_2mu": 2.5 * medium.bulk_modulus / (medium.bulk_modulus + 2 * medium.mu),
        "poisson": 2.5 * (1 + s) / (4 - 5 * s),
        "velocities": 2.5 * (3 - 4 * r2) / (3 + 2 * r2),
    }


def elastic_dipole_coupling(k):
    """004 Eqs. (B4)-(B5): ``J_ij(k) = khat_i khat_j`` for 3-component spins."""
    kh = np.asarray(k, dtype=float)
    kh = kh / np.linalg.norm(kh, axis=-1, keepdims=True)
    return np.einsum("...i,...j->...ij", kh, kh)
