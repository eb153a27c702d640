"""Susceptibility of the standard tunnelling-two-level-system distribution.

Units: hbar = k_B = 1 (omega and T in the same energy unit); susceptibilities
in units of ``n0 M^2`` (002 Eqs. 2.5-2.10: n0 the constant density of states,
M the off-diagonal coupling).

Sign convention of 002 Eq. (2.6): Im chi > 0 for omega > 0, and the
Kramers-Kronig relation for a function odd in omega reads
``Re chi(w) = (2/pi) PV int_0^inf w' Im chi(w') / (w'^2 - w^2) dw'``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import integrate, special

from ..errors import ParameterError


def _check(omega, temperature):
    omega = np.asarray(omega, dtype=float)
    if np.any(~np.isfinite(omega)) or np.any(omega <= 0):
        raise ParameterError("omega", omega.tolist() if omega.ndim else float(omega), "omega > 0")
    if not (math.isfinite(temperature) and temperature > 0):
        raise ParameterError("temperature", temperature, "T > 0")
    return omega, float(temperature)


def ttls_im_chi(omega, temperature, n0_m2: float = 1.0):
    """002 Eq. (2.7) for a flat distribution of splittings:
    ``Im chi = (pi/4) n0 M^2 tanh(omega / 2T)``."""
    omega, t = _check(omega, temperature)
    return 0.25 * math.pi * n0_m2 * np.tanh(omega / (2 * t))


def ttls_re_chi_digamma(omega, temperature, n0_m2: float = 1.0):
    """Temperature-dependent part of Re chi from the digamma function:

        Re chi(w, T) - Re chi(w, 0) = -(n0 M^2/2) [Re psi(1/2 + i w/(2 pi T)) - ln(w/(2 pi T))]

    This is the Kramers-Kronig transform of :func:`ttls_im_chi` (checked
    numerically by :func:`ttls_re_chi_kramers_kronig`); the T = 0 part,
    ``(n0 M^2/2) ln(Omega_c/w)``, depends on the cut-off and drops out of
    every measured shift.  002 Eq. (2.9) has the same functional form with
    prefactor ``n0 M^2/4`` (half of this: the prefactor of Delta v/v =
    Re chi/(2 rho v^2), not of Re chi) and ``ln(1/(beta w))`` in place of
    ``ln(2 pi/(beta w))`` (an additive constant); see :func:`ttls_re_chi_002`.
    """
    omega, t = _check(omega, temperature)
    y = omega / (2 * math.pi * t)
    return -0.5 * n0_m2 * (special.digamma(0.5 + 1j * y).real - np.log(y))


def ttls_re_chi_002(omega, temperature, n0_m2: float = 1.0):
    """002 Eq. (2.9) as printed:
    ``-(n0 M^2/4)[Re psi(1/2 + beta w/(2 pi i)) + ln(1/(beta w))]``."""
    omega, t = _check(omega, temperature)
    bw = omega / t
    return -0.25 * n0_m2 * (special.digamma(0.5 + bw / (2j * math.pi)).real + np.log(1.0 / bw))


def ttls_re_chi_low_frequency(omega, temperature, n0_m2: float = 1.0, prefactor: float = 0.5):
    """Leading term for ``beta w << 1`` (002 Eq. 2.10):
    ``-prefactor n0 M^2 ln(1/(beta w))``; 002 prints prefactor 1/4, the
    transform gives 1/2."""
    omega, t = _check(omega, temperature)
    return -prefactor * n0_m2 * np.log(t / omega)


def ttls_re_chi_kramers_kronig(omega, temperature, n0_m2: float = 1.0):
    """Numerical Kramers-Kronig transform of ``Im chi(w') - Im chi(w', T=0)``
    (Cauchy principal value by QUADPACK's ``weight='cauchy'``).

    ``Im chi(w', T) - Im chi(w', 0) = (pi/4) n0 M^2 (tanh(w'/2T) - 1)`` decays
    like ``exp(-w'/T)``, so the transform needs no cut-off; the result is
    ``Re chi(w, T) - Re chi(w, 0)``.
    """
    omega, t = _check(omega, temperature)
    scalar = omega.ndim == 0
    out = []
    for w in np.atleast_1d(omega):
        def g(x):
            return np.tanh(x / (2 * t)) - 1.0
        upper = w + 80.0 * t
        pv, _ = integrate.quad(g, 0.0, upper, weight="cauchy", wvar=w, limit=400, epsabs=1e-13, epsrel=1e-11)
        reg, _ = integrate.quad(lambda x, w=w: g(x) / (x + w), 0.0, upper, limit=400, epsabs=1e-13, epsrel=1e-11)
        # (2/pi) * (pi/4) n0M2 * int g(x) x/(x^2 - w^2) = (n0M2/2) * (1/2)(PV + reg)
        out.append(0.25 * n0_m2 * (pv + reg))
    out = np.array(out)
    return out[0] if scalar else out
