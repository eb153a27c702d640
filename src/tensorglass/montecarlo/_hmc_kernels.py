"""Numba kernels (private) of the geodesic HMC integrator (see ``_hmc``).

Arrays are (N, n) views of the spins and momenta (the fields come
component-major from the FFT); everything is changed in place and nothing
is random (the driver draws the momenta).  Fusing the per-site vector
algebra of one integrator stage into one loop removes the numpy call
overhead that dominated small lattices, and passes over memory.
"""

from __future__ import annotations

import numba as nb
import numpy as np


@nb.njit(cache=True)
def project_tangent(v, s):
    """``v_i -= (v_i . s_i) s_i``; returns ``sum_i |v_i|^2 / 2``."""
    kin = 0.0
    for i in range(v.shape[0]):
        d = 0.0
        for a in range(v.shape[1]):
            d += v[i, a] * s[i, a]
        for a in range(v.shape[1]):
            v[i, a] -= d * s[i, a]
            kin += 0.5 * v[i, a] * v[i, a]
    return kin


@nb.njit(cache=True)
def force_kick_rotate(h, hext, s, v, beta, kick, time, unit_speed):
    """One fused integrator stage at the spins ``s`` ((N, n)): the tangent
    force ``F_i = beta (g_i - (g_i.s_i) s_i)`` of the total field
    ``g_i = h[:, i] + hext`` (``h``: the pair fields, component-major
    (n, N), as the inverse FFT gives them), the kick ``v += kick * F``, then
    the exact geodesic flow for ``time`` (none if ``time`` is 0): each
    (s_i, v_i) turns in its plane by the angle ``|v_i| time`` (Gaussian
    kinetic energy |v|^2/2) or ``time`` (``unit_speed``: kinetic energy
    |v|; a spin with v_i = 0 has no direction and stays), keeping |v_i|.
    The rotation and the tangent kick keep |s_i| = 1 and v_i.s_i = 0 to
    round-off, so nothing is renormalised here (that took half the time of
    a stage at L = 32); :func:`_hmc.hmc_step` renormalises at the start of
    every trajectory, and the drift over a long trajectory is tested.
    Returns the energy at the ``s`` given,
    ``-(1/2) sum_i s_i.h_i - sum_i s_i.hext``.  One pass over the lattice
    and no force array."""
    n = s.shape[1]
    c_unit = np.cos(time)
    s_unit = np.sin(time)
    e = 0.0
    for i in range(s.shape[0]):
        d = 0.0
        dx = 0.0
        for a in range(n):
            d += h[a, i] * s[i, a]
            dx += hext[a] * s[i, a]
        e += -0.5 * d - dx
        dt = d + dx
        sp2 = 0.0
        for a in range(n):
            v[i, a] += kick * beta * (h[a, i] + hext[a] - dt * s[i, a])
            sp2 += v[i, a] * v[i, a]
        if time == 0.0 or (unit_speed and sp2 == 0.0):
            continue
        if unit_speed:                  # angle = time: s' = s cos + v/|v| sin, v' = v cos - s |v| sin
            c = c_unit
            sp = np.sqrt(sp2)
            s_over_sp = s_unit / sp
            sp_s = sp * s_unit
        else:                           # angle = |v| time, sin(angle)/|v| = time sinc(angle)
            ang = np.sqrt(sp2) * time
            c = np.cos(ang)
            s_over_sp = time * (np.sin(ang) / ang if ang > 1e-12 else 1.0 - ang * ang / 6.0)
            sp_s = sp2 * s_over_sp
        for a in range(n):
            y = s[i, a] * c + v[i, a] * s_over_sp
            v[i, a] = v[i, a] * c - s[i, a] * sp_s
            s[i, a] = y
    return e


@nb.njit(cache=True)
def fourier_multiply(jk, sk, hk):
    """``hk[a, q] = sum_b jk[a, b, q] sk[b, q]`` over the flattened half
    spectrum ``q``: the coupling J(k) (real, (n, n, K)) applied to the
    transformed spins (complex, (n, K)).  Same products as
    ``einsum("abq,bq->aq")``, in unit-stride passes (4-6x faster)."""
    n = jk.shape[0]
    K = jk.shape[2]
    for a in range(n):
        for q in range(K):
            hk[a, q] = 0.0
        for b in range(n):
            for q in range(K):
                hk[a, q] += jk[a, b, q] * sk[b, q]
