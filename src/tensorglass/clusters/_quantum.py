"""Clusters of tunnelling two-level systems (TTLS) by exact diagonalisation.

Block ``s`` is a TTLS (002 Eqs. 2.4-2.5) in its double-well basis,
``H_0^(s) = (Delta_s sigma_z + Delta_0s sigma_x)/2``, whose stress operator
is ``T^(s) = gamma^(s) sigma_z`` (a Mandel 6-vector of deformation
potentials times sigma_z: the strain moves the well asymmetry).  The
cluster Hamiltonian is 002 Eq. (2.20) with the couplings of
:mod:`._couplings`:

    H = sum_s H_0^(s) - sum_{s<s'} (gamma^(s) . J^(ss') . gamma^(s')) sigma_z^(s) sigma_z^(s').

The super-block response to a uniform strain is that of ``T = sum_s T^(s)``.
Its Kubo spectrum (002 Eq. 2.16 before dividing by 1 - e^{-beta omega};
001 Eq. 2.7 resonance part), hbar = k_B = 1, volume V = number of blocks:

    Im chi_ab(omega) = (pi/V) sum_{E_m > E_n} (P_n - P_m) T_a,nm T_b,mn delta(omega - (E_m - E_n)),

positive for omega > 0 (002's sign convention), and the static resonance
susceptibility is ``(2/pi) int Im chi(omega)/omega d omega``
(= minus the ``chi_res`` of 001 Eq. 2.7).  Departure from 002: no
phenomenological width eta; the delta functions are binned by the caller.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import ParameterError


def ttls_cluster_hamiltonian(asymmetry, tunnelling, gammas, couplings):
    """Dense ``2^N x 2^N`` Hamiltonian and the diagonal of each stress
    component ``T_a = sum_s gamma_a^(s) sigma_z^(s)`` in the double-well
    (product) basis; basis state bit ``s`` set means ``sigma_z^(s) = -1``.

    ``asymmetry``, ``tunnelling``: (N,); ``gammas``: (N, n); ``couplings``:
    (N, N, n, n) (``J^(ss')``, zero diagonal).  Returns ``(H, t_diag)`` with
    ``t_diag`` of shape (n, 2^N)."""
    d = np.asarray(asymmetry, dtype=float)
    d0 = np.asarray(tunnelling, dtype=float)
    g = np.asarray(gammas, dtype=float)
    j = np.asarray(couplings, dtype=float)
    nsite = d.size
    if nsite > 14:
        raise ParameterError("N", nsite, "at most 14 two-level blocks for dense exact diagonalisation")
    if d0.shape != (nsite,) or g.shape[0] != nsite or j.shape != (nsite, nsite) + (g.shape[1],) * 2:
        raise ParameterError("gammas", g.shape, f"({nsite}, n) with tunnelling ({nsite},), couplings "
                             f"({nsite}, {nsite}, n, n)")
    dim = 2**nsite
    idx = np.arange(dim)
    z = 1.0 - 2.0 * ((idx[:, None] >> np.arange(nsite)[None, :]) & 1)      # (dim, N) sigma_z eigenvalues
    k = np.einsum("sa,stab,tb->st", g, j, g)                                # gamma_s J_st gamma_t
    diag = 0.5 * z @ d - 0.5 * np.einsum("cs,st,ct->c", z, k, z)           # sum_{s<t} = half the ordered sum
    h = np.diag(diag)
    for s in range(nsite):
        h[idx, idx ^ (1 << s)] += 0.5 * d0[s]
    return h, (z @ g).T


def kubo_spectrum(hamiltonian, t_diag, temperature, volume, projections=None, degeneracy_tol=1e-12):
    """Transition frequencies and Kubo weights of the stress response.

    ``t_diag``: (n, dim) stress operators diagonal in the basis of
    ``hamiltonian``.  ``projections``: (p, n) combinations ``P T`` whose
    spectra are wanted (default: every component pair).  Returns
    ``(omega (K,), weights (K, p, p) or (K, n, n))`` for the transitions with
    ``omega > degeneracy_tol``, with ``Im chi(w) = sum_K weights_K delta(w - omega_K)``,
    and the static relaxation part of 001 Eq. (2.7) (positive convention)
    from the degenerate and diagonal elements."""
    if not (math.isfinite(temperature) and temperature > 0):
        raise ParameterError("temperature", temperature, "T > 0")
    lev, vec = np.linalg.eigh(np.asarray(hamiltonian, dtype=float))
    t = np.asarray(t_diag, dtype=float)
    if projections is not None:
        t = np.asarray(projections, dtype=float) @ t
    tm = vec.T[None] @ (t[:, :, None] * vec[None])                          # <n|T_a|m>
    w = np.exp(-(lev - lev.min()) / temperature)
    p = w / w.sum()
    de = lev[None, :] - lev[:, None]                                         # E_m - E_n
    up = de > degeneracy_tol
    nn, mm = np.nonzero(up)
    omega = de[nn, mm]
    pops = p[nn] - p[mm]
    weights = math.pi / volume * pops[:, None, None] * tm[:, nn, mm].T[:, :, None] * tm[:, nn, mm].T[:, None, :]
    deg = np.abs(de) <= degeneracy_tol
    tdeg = np.where(deg[None], tm, 0.0)
    mean = np.einsum("n,ann->a", p, tm)
    rel = (np.einsum("n,anm,bmn->ab", p, tdeg, tdeg) - np.outer(mean, mean)) / (temperature * volume)
    return omega, weights, rel


def ttls_free_spectral_density(omega, delta_max, tunnelling_min, tunnelling_max):
    """Disorder average of ``(Delta_0/E)^2 delta(omega - E)`` over the standard
    TTLS distribution of 002 Sec. 2, ``P(Delta, Delta_0) = Pbar/Delta_0`` on
    ``|Delta| <= delta_max``, ``tunnelling_min <= Delta_0 <= tunnelling_max``
    (normalised).  In polar coordinates ``Delta = E cos(phi)``,
    ``Delta_0 = E sin(phi)`` the average is
    ``(1/(delta_max ln(Delta0max/Delta0min))) [cos(phi_lo) - cos(phi_hi)]``
    over the allowed phi in [0, pi/2]: flat, ``1/(delta_max ln r)``, where
    ``tunnelling_min << omega <= min(tunnelling_max, delta_max)`` (the window
    where 002 Eq. 2.7's ``n0 M^2`` is constant).  With it, the free-limit super-block spectrum
    is ``Im chi_ab = pi <gamma_a gamma_b> tanh(omega/2T) f(omega)``."""
    w = np.asarray(omega, dtype=float)
    lo_t = np.arcsin(np.clip(tunnelling_min / w, 0.0, 1.0))
    lo_d = np.arccos(np.clip(delta_max / w, 0.0, 1.0))
    hi = np.arcsin(np.clip(tunnelling_max / w, 0.0, 1.0))
    lo = np.maximum(lo_t, lo_d)
    span = np.where(hi > lo, np.cos(lo) - np.cos(hi), 0.0)
    return span / (delta_max * math.log(tunnelling_max / tunnelling_min))
