"""Exact (sympy) angular algebra for 003 Sections III and V.

The coefficients of 003 Eq. (3.5) and (3.7) and the ratio of Eq. (5.8) are
angular averages of polynomials in the unit vector ``n``; each is computed
here exactly, from each interaction kernel the papers define:

* ``"A15"``: tildeLambda of 003 Eq. (A15) = 001 Eq. (2.13) (the corrected kernel);
* ``"2.15"``: 003 Eq. (2.15) as printed (misplaced bracket);
* ``"JL"``: the Joffrin-Levelut form quoted in 003 Eq. (A1).

The sphere average uses ``<n1^a n2^b n3^c> = (a-1)!!(b-1)!!(c-1)!!/(a+b+c+1)!!``
(zero if any exponent is odd).  The wave travels along z; the longitudinal
polarisation is z, the transverse x.  The same quantities are computed
numerically by :mod:`tensorglass.interaction` (quadrature and finite
differences), which the tests compare with these.
"""

from __future__ import annotations

import itertools
from functools import lru_cache

import sympy as sp

ALPHA, X = sp.symbols("alpha x")
_N = sp.symbols("n1 n2 n3")
_PAIRS = list(itertools.product(range(3), repeat=2))
KERNELS = ("A15", "2.15", "JL")
WAVE = {"l": ((0, 0, 1), (0, 0, 1)), "t": ((0, 0, 1), (1, 0, 0))}


def _d(i, j):
    return 1 if i == j else 0


def kernel(name, i, j, k, l):
    """tildeLambda_ijkl(n) of the named kernel as a polynomial in n1, n2, n3."""
    n = _N

    def nn(a, b):
        return n[a] * n[b]
    dip = sp.Rational(1, 4) * ((_d(j, l) - 3 * nn(j, l)) * _d(i, k) + (_d(j, k) - 3 * nn(j, k)) * _d(i, l)
                               + (_d(i, k) - 3 * nn(i, k)) * _d(j, l) + (_d(i, l) - 3 * nn(i, l)) * _d(j, k))
    iso = _d(i, j) * _d(k, l) + _d(i, k) * _d(j, l) + _d(j, k) * _d(i, l)
    first3 = nn(i, j) * _d(k, l) + nn(i, k) * _d(j, l) + nn(i, l) * _d(j, k)
    last3 = nn(j, k) * _d(i, l) + nn(j, l) * _d(i, k) + nn(k, l) * _d(i, j)
    n4 = n[i] * n[j] * n[k] * n[l]
    if name == "A15":
        return dip + ALPHA / 2 * (-iso + 3 * (first3 + last3) - 15 * n4)
    if name == "2.15":
        return dip + ALPHA / 2 * (-iso + 3 * first3 + last3 - 15 * n4)
    if name == "JL":
        return -2 * (_d(j, l) - 3 * nn(j, l)) * _d(i, k) + 2 * ALPHA * (-iso + 3 * (first3 + last3) - 15 * n4)
    raise ValueError(f"unknown kernel {name!r}; choose from {KERNELS}")


def _moment(a, b, c):
    if a % 2 or b % 2 or c % 2:
        return sp.Integer(0)

    def f(m):
        return sp.factorial2(m - 1) if m > 0 else 1
    return sp.Rational(f(a) * f(b) * f(c), sp.factorial2(a + b + c + 1))


def sphere_average(expr):
    """Exact average over the unit sphere of a polynomial in n1, n2, n3."""
    p = sp.Poly(sp.expand(expr), *_N)
    return sp.expand(sum(c * _moment(*m) for m, c in p.terms()))


def _directional(poly, khat, e):
    """``(n.khat) r^4 (e.grad)(P(x/r)/r^3)`` at r = 1, for a polynomial P(n)."""
    n = _N
    en = sum(e[q] * n[q] for q in range(3))
    kn = sum(khat[q] * n[q] for q in range(3))
    grad = [sp.diff(poly, n[q]) for q in range(3)]
    radial = sum(n[q] * grad[q] for q in range(3))
    return sp.expand(kn * (sum(e[q] * grad[q] for q in range(3)) - en * radial - 3 * en * poly))


def _directional_poly(poly, khat, e):
    """:func:`_directional` in sparse ``Poly`` arithmetic (generators n1, n2, n3, alpha, x)."""
    gens = poly.gens
    n = [sp.Poly(g, *gens) for g in gens[:3]]
    en = sum((e[q] * n[q] for q in range(3) if e[q]), sp.Poly(0, *gens))
    kn = sum((khat[q] * n[q] for q in range(3) if khat[q]), sp.Poly(0, *gens))
    grad = [poly.diff(gens[q]) for q in range(3)]
    radial = sum((n[q] * grad[q] for q in range(3)), sp.Poly(0, *gens))
    along = sum((e[q] * grad[q] for q in range(3) if e[q]), sp.Poly(0, *gens))
    return kn * (along - en * radial - 3 * en * poly)


def _chi_matrix():
    """X_ijkl = x d_ij d_kl + d_ik d_jl + d_il d_jk (003 Eq. 2.12 over Im chi_t), as a 9x9 matrix."""
    return sp.Matrix(9, 9, lambda a, b: X * _d(*_PAIRS[a]) * _d(*_PAIRS[b])
                     + _d(_PAIRS[a][0], _PAIRS[b][0]) * _d(_PAIRS[a][1], _PAIRS[b][1])
                     + _d(_PAIRS[a][0], _PAIRS[b][1]) * _d(_PAIRS[a][1], _PAIRS[b][0]))


@lru_cache(maxsize=None)
def eq3_5_polynomial(name: str, polarization: str):
    """Angular factor of 003 Eq. (3.5): ``< D_ijkl D_abcd X_ijab X_klcd >`` with
    ``D`` the change of the kernel under the wave's displacement (see
    :func:`tensorglass.interaction.coupling_change_absorption_factor`).
    Sparse polynomial arithmetic (sympy ``Poly``) keeps it to about a second."""
    khat, e = WAVE[polarization]
    gens = (*_N, ALPHA, X)
    d = [[_directional_poly(sp.Poly(kernel(name, *_PAIRS[a], *_PAIRS[b]), *gens), khat, e) for b in range(9)]
         for a in range(9)]
    xm = _chi_matrix()
    xs = [[(b, sp.Poly(xm[a, b], *gens)) for b in range(9) if xm[a, b] != 0] for a in range(9)]
    zero = sp.Poly(0, *gens)
    # (D X)[I, C] = sum_K D[I, K] X[K, C]
    dx = [[sum((d[i][k] * xkc for k in range(9) for (c2, xkc) in xs[k] if c2 == c), zero) for c in range(9)] for i in range(9)]
    total = zero
    for i in range(9):
        for a, xia in xs[i]:
            # (D X D^T)[I, A] = sum_C (D X)[I, C] D[A, C]
            total += xia * sum((dx[i][c] * d[a][c] for c in range(9)), zero)
    return sp.expand(sum(c * _moment(*m[:3]) * ALPHA**m[3] * X**m[4] for m, c in total.terms()))


def coefficients(poly):
    """Coefficients of 1, alpha, alpha^2, x, alpha x, alpha^2 x (and x^2 terms, if any)."""
    p = sp.Poly(poly, ALPHA, X)
    keys = [(0, 0), (1, 0), (2, 0), (0, 1), (1, 1), (2, 1)]
    out = [p.coeff_monomial(ALPHA**a * X**b) for a, b in keys]
    rest = sp.expand(poly - sum(c * ALPHA**a * X**b for c, (a, b) in zip(out, keys)))
    return out, rest


@lru_cache(maxsize=None)
def eq3_7_coefficient(name: str, polarization: str):
    """Angular factor of the ln N0 term of 003 Eq. (3.7): ``s : X : <tildeLambda> : X : s``
    with ``s`` the wave's strain (``khat khat`` or ``sym(khat e)``).  It is a
    contraction with the sphere average of the kernel, so it vanishes for any
    susceptibilities when that average is the zero tensor."""
    khat, e = WAVE[polarization]
    avg = sp.Matrix(9, 9, lambda a, b: sphere_average(kernel(name, *_PAIRS[a], *_PAIRS[b])))
    s = sp.Matrix(9, 1, lambda a, _: sp.Rational(1, 2) * (khat[_PAIRS[a][0]] * e[_PAIRS[a][1]]
                                                          + khat[_PAIRS[a][1]] * e[_PAIRS[a][0]]))
    xm = _chi_matrix()
    return sp.factor((s.T * xm * avg * xm * s)[0]), max(abs(v) for v in avg)


@lru_cache(maxsize=None)
def eq5_8_factor(polarization: str, moment_weight=2, strain_only: bool = False, symmetrise_pair: bool = True):
    """Exact counterpart of :func:`tensorglass.interaction.dipole_absorption_angular_factor`."""
    n = _N
    khat, e = WAVE[polarization]
    mu = sp.Matrix(3, 3, lambda i, j: _d(i, j) - 3 * n[i] * n[j])
    kn = sum(khat[q] * n[q] for q in range(3))
    en = sum(e[q] * n[q] for q in range(3))
    dmu = sp.Matrix(3, 3, lambda i, j: 3 * kn * ((5 * n[i] * n[j] - _d(i, j)) * en - (n[j] * e[i] + n[i] * e[j])))
    g = sp.Matrix(3, 3, lambda i, k: e[i] * khat[k])
    if strain_only:
        g = (g + g.T) / 2
    c = dmu + sp.nsimplify(moment_weight) * (g.T * mu)
    if symmetrise_pair:
        c = c + c.T
    return sphere_average(sum(c[i, j] ** 2 for i in range(3) for j in range(3)))
