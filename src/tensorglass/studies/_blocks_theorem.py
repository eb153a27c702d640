"""The isotropic first-order M vanishes pair by pair: a symbolic proof (sympy)
and the computed checks of the three steps where the papers' log flows arise.

Edge module (sympy is not a core dependency).  The theorem: for tildeLambda
of 001 Eq. (2.13) (= 000 Eq. D13 = 003 Eq. A15),

    tildeLambda_iijj(n) = tildeLambda_ijij(n) = 0

for every unit vector n and every alpha.  The isotropic projection of a
4-tensor is fixed by these two contractions
(:func:`tensorglass.interaction.isotropic_part_of_tensor`), so the isotropic
(chi_l, chi_t) part of each pair's term of M in 001 Eq. (3.3) / 001 Eq. (3.7)
and of the kernel in 002 Eq. (4.1) / (C.23) is zero, whatever the positions
of the blocks.  Derivation: docs/notes/03-isotropic-first-order.md.
"""

from __future__ import annotations

import math

import numpy as np


def symbolic_isotropic_contractions():
    """Contract tildeLambda symbolically with ``n = (n1, n2, n3)`` and ``alpha``
    free, then reduce with ``n1^2 + n2^2 + n3^2 = 1``.  Returns the two
    reduced sympy expressions ``(iijj, ijij)`` (both 0 if the theorem holds)
    and the unreduced ones (polynomials in |n|^2, non-zero off the sphere:
    the unit length is what makes them vanish)."""
    import sympy as sp
    n1, n2, n3, alpha = sp.symbols("n1 n2 n3 alpha", real=True)
    n = (n1, n2, n3)

    def d(i, j):
        return 1 if i == j else 0

    def lam(i, j, k, l):
        dip = sp.Rational(1, 4) * ((d(j, l) - 3 * n[j] * n[l]) * d(i, k) + (d(j, k) - 3 * n[j] * n[k]) * d(i, l)
                                   + (d(i, k) - 3 * n[i] * n[k]) * d(j, l) + (d(i, l) - 3 * n[i] * n[l]) * d(j, k))
        iso = d(i, j) * d(k, l) + d(i, k) * d(j, l) + d(j, k) * d(i, l)
        six = (n[i] * n[j] * d(k, l) + n[i] * n[k] * d(j, l) + n[i] * n[l] * d(j, k) + n[j] * n[k] * d(i, l)
               + n[j] * n[l] * d(i, k) + n[k] * n[l] * d(i, j))
        return dip + sp.Rational(1, 2) * alpha * (-iso + 3 * six - 15 * n[i] * n[j] * n[k] * n[l])

    r = range(3)
    iijj = sp.expand(sum(lam(i, i, j, j) for i in r for j in r))
    ijij = sp.expand(sum(lam(i, j, i, j) for i in r for j in r))
    on_sphere = {n3**2: 1 - n1**2 - n2**2}

    def reduce(e):
        e = sp.expand(e)
        # substitute n3^2 (and its powers) by 1 - n1^2 - n2^2
        e = sp.expand(e.subs(n3**4, (1 - n1**2 - n2**2) ** 2).subs(on_sphere))
        return sp.simplify(e)

    return reduce(iijj), reduce(ijij), iijj, ijij


def theorem_proved() -> bool:
    """True when both reduced contractions are identically zero (sympy)."""
    a, b, _, _ = symbolic_isotropic_contractions()
    return a == 0 and b == 0


def theorem_checks(alpha=0.625, seed=0):
    """Numbers for the report and results.json["theorem"] (numpy; cheap)."""
    from ..clusters import cluster_coupling_sum, isotropic_parts, pair_couplings
    from ..interaction import (angular_average, contact_term, isotropic_part_of_tensor, tilde_lambda,
                               tilde_lambda_003_printed, tilde_lambda_isotropic_max)
    iso_max, kernel_max = tilde_lambda_isotropic_max(alpha, seed=seed)
    rng = np.random.default_rng(seed)
    pos = rng.uniform(0, 6, (40, 3))                      # random points in a box: no cube, no lattice
    m_random = pair_couplings(pos, alpha).sum(axis=(0, 1)) / len(pos)
    cube = [max(abs(v) for v in isotropic_parts(cluster_coupling_sum(n, alpha))) for n in (2, 4, 8)]
    cl, ct = isotropic_part_of_tensor(contact_term(alpha))
    avg = angular_average(tilde_lambda, alpha)
    avg_typo = angular_average(tilde_lambda_003_printed, alpha)
    return {
        "isotropic_first_order_max_abs": float(max(iso_max, max(abs(v) for v in isotropic_parts(m_random)),
                                                   max(cube))),
        "kernel_max_norm": kernel_max,
        "random_points_full_m_norm": float(np.linalg.norm(m_random)),
        "random_points_isotropic": [float(v) for v in isotropic_parts(m_random)],
        "contact_term": {"chi_l": float(cl), "chi_t": float(ct), "units": "1/(rho c_t^2), on-block, no ln N0"},
        "sphere_angular_integral_max_abs": float(np.max(np.abs(avg))),
        "sphere_angular_integral_003_printed_max_abs": float(np.max(np.abs(avg_typo))),
    }


def failing_steps(alpha=0.625, n0_list=(2, 4, 8, 16)):
    """The three computed checks of where the papers' ln N0 comes from."""
    from ..avalanche._critical import abcdef
    from ..avalanche._ellipsoid import direction_averages_published
    from ..clusters import shell_sum_002
    from ..interaction import contact_term, isotropic_part_of_tensor, low_k_ball_transform
    # 000 (D12)/(D13): the ball |k| < 2 pi/(N0 L) of the transform at r = 1 against the D12 constants
    n0 = 64
    k0 = 2 * math.pi / n0
    ball = low_k_ball_transform(np.array([1.0, 0.0, 0.0]), alpha, k0)
    pref = k0**3 / (6 * math.pi**2)                         # = (4 pi/3)/N0^3
    d12_12 = pref * contact_term(alpha, 1 / 12)
    d12_4 = pref * contact_term(alpha, 0.25)
    rel = float(np.max(np.abs(ball - d12_12)) / np.max(np.abs(ball)))
    rel4 = float(np.max(np.abs(ball - d12_4)) / np.max(np.abs(ball)))
    bl, bt = isotropic_part_of_tensor(ball / pref)
    s000 = {"n0": n0, "ball_isotropic_over_prefactor": [float(bl), float(bt)],
            "ball_vs_d12_one_twelfth_rel": rel, "ball_vs_d12_printed_one_quarter_rel": rel4}
    # 002 (C.21)-(C.22): direct sum over the cube at k N0 = 0.05 against C.23
    rows = []
    for n in n0_list:
        s = shell_sum_002(n, np.array([0.0, 0.0, 0.05 / n]), alpha)
        rows.append({"n0": n, **s})
    # 001 Eq. (4.3) for the undeformed sphere and for small eccentricities
    sphere = abcdef({"nx2": 1 / 3, "nx4": 1 / 5, "ny2": 1 / 3, "ny4": 1 / 5, "nx2ny2": 1 / 15, "ny2nz2": 1 / 15},
                    alpha)
    ecc = []
    for eps in (0.05, 0.1, 0.2):
        c = abcdef(direction_averages_published(eps), alpha)
        ecc.append({"eps": eps, "max_abs_ABCDEF": float(max(abs(v) for v in c.values()))})
    return {"000_D12_D13": s000, "002_C21_C22": rows,
            "001_sphere_ABCDEF": {k: float(v) for k, v in sphere.items()}, "001_ellipsoid": ecc}


def second_order_table(alpha=0.625, sizes=(2, 4, 8, 16, 24)):
    """Isotropic parts of M2 against n, and the two fits: ``a + b ln n`` and
    ``a - b/n`` (least squares); the better fit has the smaller residual."""
    from ..clusters import isotropic_parts, second_order_cluster_sum
    rows = []
    for n in sizes:
        cl, ct = isotropic_parts(second_order_cluster_sum(n, alpha))
        rows.append({"n": int(n), "iso_l": float(cl), "iso_t": float(ct)})
    n = np.array([r["n"] for r in rows], float)
    y = np.array([r["iso_l"] for r in rows])
    fits = {}
    for name, x in (("log", np.log(n)), ("inverse", 1.0 / n)):
        a = np.vstack([np.ones_like(x), x]).T
        coef, res, *_ = np.linalg.lstsq(a, y, rcond=None)
        fits[name] = {"coef": coef.tolist(), "rms_residual": float(np.sqrt(np.mean((a @ coef - y) ** 2)))}
    return rows, fits
