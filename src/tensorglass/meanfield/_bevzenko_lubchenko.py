"""Single-site and mean-field theory of the Bevzenko-Lubchenko stress model (004).

Units: ``k_B = 1``, ``a^3 = 1``; energies (phi^2, g^2, J, T) in one unit.
The 6-component unit spins live on the 5-sphere, where
``<exp(z cos theta)> = 8 I_2(z)/z^2`` (004 above Eq. 14; Abramowitz-Stegun
9.6.18 with m = 6).  Logarithms of Bessel functions use the exponentially
scaled ``scipy.special.ive`` so that large arguments do not overflow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

from ..errors import ParameterError

N_COMPONENTS = 6


def log_sphere_average_exp(z):
    """``ln <exp(z cos)>`` over the 5-sphere, ``ln(8 I_2(z)/z^2)``; equals
    ``z^2/12 - z^4/1152 + O(z^6)`` at small z and ``z - (5/2) ln z + O(1)``
    at large z."""
    z = np.abs(np.asarray(z, dtype=float))
    # below 0.02 the logarithms of the Bessel form cancel; the series
    # z^2/12 - z^4/1152 + z^6/51840 is then exact to double precision
    small = z < 0.02
    zs = np.where(small, 1.0, z)
    big = np.log(8.0 * special.ive(2, zs)) + zs - 2.0 * np.log(zs)
    series = z**2 / 12.0 - z**4 / 1152.0 + z**6 / 51840.0
    return np.where(small, series, big)


def langevin6(h):
    """``<s.hhat> = I_3(h)/I_2(h)`` for a 6-component unit spin in field h."""
    h = np.asarray(h, dtype=float)
    small = np.abs(h) < 1e-4
    hs = np.where(small, 1.0, h)
    return np.where(small, h / 6.0, special.ive(3, hs) / special.ive(2, hs))


def langevin6_derivative(h):
    """``d/dh [I_3/I_2] = 1 - (5/h) L - L^2``."""
    h = np.asarray(h, dtype=float)
    small = np.abs(h) < 1e-4
    hs = np.where(small, 1.0, h)
    lv = langevin6(hs)
    return np.where(small, 1.0 / 6.0, 1.0 - 5.0 / hs * lv - lv**2)


# --- Section II: single site -------------------------------------------------

def single_site_free_energy(phi, g, temperature):
    """004 Eq. (14): ``f = (phi^2 + g^2)/2 - T ln[8 I_2(phi g/T)/(phi g/T)^2]``
    (the 8 fixes the additive constant so that f -> (phi^2+g^2)/2 at phi g -> 0)."""
    t = _check_temperature(temperature)
    phi = np.asarray(phi, dtype=float)
    g = np.asarray(g, dtype=float)
    return 0.5 * (phi**2 + g**2) - t * log_sphere_average_exp(phi * g / t)


def single_site_small_field(phi, g, temperature):
    """004 Eq. (15): ``f -> (phi^2/2)(1 - g^2/(6T)) + g^2/2`` as phi g -> 0."""
    t = _check_temperature(temperature)
    return 0.5 * np.asarray(phi) ** 2 * (1 - np.asarray(g) ** 2 / (6 * t)) + 0.5 * np.asarray(g) ** 2


def single_site_large_field(phi, g, temperature, as_printed: bool = False):
    """Large-argument form of Eq. (14).  Correct:
    ``(|phi| - g)^2/2 + (5/2) T ln(phi g / T) + T ln(sqrt(2 pi)/8)``;
    004 Eq. (16) (``as_printed=True``) keeps ``(5/2) T ln g``, only half of
    the logarithm when |phi| ~ g (AUDIT.md), and drops the constant."""
    t = _check_temperature(temperature)
    phi = np.asarray(phi, dtype=float)
    g = np.asarray(g, dtype=float)
    if as_printed:
        return 0.5 * (np.abs(phi) - g) ** 2 + 2.5 * t * np.log(g)
    return 0.5 * (np.abs(phi) - g) ** 2 + 2.5 * t * np.log(np.abs(phi) * g / t) + t * math.log(math.sqrt(2 * math.pi) / 8)


def critical_g(temperature):
    """004 Eq. (17): ``g_cr^2 = 6 T``, where the curvature of Eq. (14) in phi at
    phi = 0 changes sign (from Eq. 15)."""
    return math.sqrt(6.0 * _check_temperature(temperature))


def small_g_free_energy(g, temperature=1.0):
    """004 below Eq. (15): three acoustic modes per spin softened by
    ``(1 - g^2/6T)^(1/2)`` add ``(3/2) T ln(1 - g^2/(6T))`` to ``g^2/2``;
    the result is ``g^2/4 + O(g^4)``."""
    t = _check_temperature(temperature)
    g = np.asarray(g, dtype=float)
    return 0.5 * g**2 + 1.5 * t * np.log1p(-(g**2) / (6 * t))


# --- Section III: mean field -------------------------------------------------

def _check_temperature(t):
    if not (isinstance(t, (int, float, np.floating)) and math.isfinite(t) and t > 0):
        raise ParameterError("temperature", t, "T > 0")
    return float(t)


def _check_couplings(j_compr, j_shear):
    for name, v in (("J_compr", j_compr), ("J_shear", j_shear)):
        if not (math.isfinite(v) and v > 0):
            raise ParameterError(name, v, f"{name} > 0 (ferromagnetic couplings, 004 Eq. 21)")
    return float(j_compr), float(j_shear)


def mean_field_free_energy(h_c, h_s, temperature, j_compr, j_shear):
    """004 Eq. (24), per spin and in units of T:
    ``G/N = h_c^2/(2 beta J_c) + h_s^2/(2 beta J_s) - ln[8 I_2(h)/h^2]``,
    ``h = sqrt(h_c^2 + h_s^2)``.  (Eq. 23's linear term should run over all
    six components, AUDIT.md; Eq. 24 is written that way.)"""
    t = _check_temperature(temperature)
    jc, js = _check_couplings(j_compr, j_shear)
    h_c = np.asarray(h_c, dtype=float)
    h_s = np.asarray(h_s, dtype=float)
    h = np.sqrt(h_c**2 + h_s**2)
    return h_c**2 * t / (2 * jc) + h_s**2 * t / (2 * js) - log_sphere_average_exp(h)


def landau_coefficients(beta_j):
    """Expansion ``G/N = a2 h^2 + a4 h^4 + ...`` along one sector:
    ``a2 = 1/(2 beta J) - 1/12``, ``a4 = 1/1152`` (AUDIT.md), so T_c = J/6 and
    the transition is continuous."""
    return 1.0 / (2.0 * beta_j) - 1.0 / 12.0, 1.0 / 1152.0


def curie_temperature(j_compr, j_shear):
    """004 Eq. (25): ``k_B T_Curie = max(J_compr, J_shear)/6``."""
    jc, js = _check_couplings(j_compr, j_shear)
    return max(jc, js) / N_COMPONENTS


def ordering_sector(j_compr, j_shear) -> str:
    """Which sector orders first on cooling: ``"compression"`` (Ising-like,
    one component) if J_compr > J_shear, ``"shear"`` (5-component Heisenberg)
    if J_shear > J_compr, ``"degenerate"`` at equality."""
    jc, js = _check_couplings(j_compr, j_shear)
    if jc > js:
        return "compression"
    if js > jc:
        return "shear"
    return "degenerate"


@dataclass(frozen=True)
class MeanFieldState:
    """Equilibrium of Eq. (24) at one temperature (per spin, k_B = 1)."""

    temperature: float
    h_c: float
    h_s: float
    m_compression: float
    m_shear: float
    energy: float
    heat_capacity: float
    free_energy: float  # G_min * T, per spin


def mean_field_state(temperature, j_compr, j_shear) -> MeanFieldState:
    """Minimise Eq. (24).  Because the Bessel term depends only on
    ``|h|``, the minimum lies on the axis of the larger coupling (only that
    sector orders); the other field is zero.  Order parameters are
    ``m = <s>`` projected on each sector, the energy per spin is
    ``U = -(J_c m_c^2 + J_s m_s^2)/2`` and ``C = dU/dT`` is evaluated in
    closed form from the self-consistency ``m = L(beta J m)``."""
    t = _check_temperature(temperature)
    jc, js = _check_couplings(j_compr, j_shear)
    j = max(jc, js)
    h = float(order_field(j / t)[0])
    m = float(langevin6(h)) if h > 0 else 0.0
    if h > 0:
        lp = float(langevin6_derivative(h))
        c = j**2 * m**2 * lp / (t**2 * (1 - lp * j / t))
    else:
        c = 0.0
    along_c = jc > js
    g_min = float(mean_field_free_energy(h if along_c else 0.0, 0.0 if along_c else h, t, jc, js))
    return MeanFieldState(t, h if along_c else 0.0, 0.0 if along_c else h,
                          m if along_c else 0.0, 0.0 if along_c else m, -0.5 * j * m**2, c, g_min * t)


def mean_field_minimum_numerical(temperature, j_compr, j_shear):
    """Direct 2D minimisation of Eq. (24) over (h_c, h_s >= 0), without the
    axis argument; used to check :func:`mean_field_state`."""
    t = _check_temperature(temperature)
    jc, js = _check_couplings(j_compr, j_shear)
    best = None
    for start in ([3.0, 0.1], [0.1, 3.0], [2.0, 2.0], [-3.0, 0.1]):
        r = optimize.minimize(lambda v: float(mean_field_free_energy(v[0], abs(v[1]), t, jc, js)), start,
                              method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-14, "maxiter": 20000})
        if best is None or r.fun < best.fun:
            best = r
    return abs(best.x[0]), abs(best.x[1]), float(best.fun)


def heat_capacity_jump(j=1.0):
    """``lim_{T -> T_c^-} C`` per spin: ``(n+2)/2 = 4`` for n = 6 in either
    sector (mean field), evaluated just below T_c."""
    tc = j / N_COMPONENTS
    return mean_field_state(tc * (1 - 1e-7), j, j * 0.5).heat_capacity


# --- Fig. 5: F_0(g) and F(g) --------------------------------------------------

def order_field(beta_j):
    """The positive root of
    ``h/(beta J) = I_3(h)/I_2(h)`` for each ``beta J > 6`` (0 otherwise), by
    bisection on (0, beta J + 1] -- the left side minus the right is
    negative just above 0 and positive at the upper end -- then Newton."""
    x = np.atleast_1d(np.asarray(beta_j, dtype=float))
    ordered = x > N_COMPONENTS
    xs = np.where(ordered, x, N_COMPONENTS + 1.0)
    lo = np.full_like(xs, 1e-9)
    hi = xs + 1.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        pos = mid / xs - langevin6(mid) > 0
        hi = np.where(pos, mid, hi)
        lo = np.where(pos, lo, mid)
    h = 0.5 * (lo + hi)
    for _ in range(3):
        h = h - (h / xs - langevin6(h)) / (1.0 / xs - langevin6_derivative(h))
    return np.where(ordered, h, 0.0)


def f0_mean_field(g):
    """Mean-field ``F_0(g)/N`` in units of T (004 Eqs. 14, 24, 26): the
    quadratic ``g^2/2`` of Eq. (14) plus the minimum of Eq. (24) with the
    larger coupling set by Eq. (26), ``beta max(J) = g^2``.  The second
    derivative jumps at ``g^2 = 6`` (Eq. 27)."""
    g = np.atleast_1d(np.asarray(g, dtype=float))
    x = g**2
    h = order_field(x)
    safe_x = np.where(x > 0, x, 1.0)
    gmin = np.where(h > 0, h**2 / (2 * safe_x) - log_sphere_average_exp(h), 0.0)
    return 0.5 * x + gmin


def f_total(g, c):
    """004 Eq. (3) with ``F_ex/N = c g^2``: ``F(g) = F_0(g) + c g^2`` (units T)."""
    return f0_mean_field(g) + c * np.asarray(g, dtype=float) ** 2


def f0_second_derivative_min():
    """Minimum over g of ``d^2 F_0/dg^2``; F(g) has a non-concave portion iff
    ``2 c < -min F_0''``.  Just above g^2 = 6 the Landau expansion gives
    ``F_0'' = 1 - 8/3 = -5/3``."""
    gs = np.linspace(math.sqrt(6.0) + 1e-6, 12.0, 4000)
    d2 = f0_second_derivative(gs)
    i = int(np.argmin(d2))
    return float(gs[i]), float(d2[i])


def f0_second_derivative(gs):
    """Analytic ``d^2 F_0/dg^2`` above g^2 = 6: with x = g^2 and
    ``G(x) = min_h [h^2/(2x) - ln(8 I_2(h)/h^2)]``, ``dG/dx = -h^2/(2x^2)``
    (envelope theorem) and ``d2G/dx2 = h^2/x^3 - (h/x^2) dh/dx`` with
    ``dh/dx`` from the stationarity condition."""
    x = np.atleast_1d(np.asarray(gs, dtype=float)) ** 2
    h = order_field(x)
    lp = langevin6_derivative(h)
    # stationarity h/x = L(h): dh/dx (1/x - L') = h/x^2
    dhdx = (h / x**2) / (1.0 / x - lp)
    g1 = -h * h / (2 * x * x)
    g2 = h * h / x**3 - (h / x**2) * dhdx
    return 1.0 + 4 * x * g2 + 2 * g1


def largest_c_with_nonconcave_f():
    """Largest c for which ``F(g) = F_0(g) + c g^2`` is somewhere concave:
    ``-min F_0''/2``.  004 Fig. 5 states 5/3."""
    return -0.5 * f0_second_derivative_min()[1]


def barrier_above_common_tangent(c, g_max=30.0, n=5000):
    """Height of F(g) above the common tangent of its two convex portions
    (004 Fig. 5 says c = 0.05 makes this about k_B T).  Returns
    ``(barrier, g_left, g_right)`` or ``None`` when F is convex."""
    from scipy.spatial import ConvexHull
    g = np.linspace(1e-3, g_max, n)
    f = f_total(g, c)
    pts = np.column_stack([g, f])
    hull = ConvexHull(pts)
    lower = set()
    for simplex, eq in zip(hull.simplices, hull.equations):
        if eq[1] < 0:  # facet normal points down: lower hull
            lower.update(simplex.tolist())
    idx = np.array(sorted(lower))
    gaps = np.nonzero(np.diff(idx) > 1)[0]
    if gaps.size == 0:
        return None
    k = gaps[np.argmax(np.diff(idx)[gaps])]
    i0, i1 = idx[k], idx[k + 1]
    line = f[i0] + (f[i1] - f[i0]) * (g[i0:i1 + 1] - g[i0]) / (g[i1] - g[i0])
    return float(np.max(f[i0:i1 + 1] - line)), float(g[i0]), float(g[i1])
