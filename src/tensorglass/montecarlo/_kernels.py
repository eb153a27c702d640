"""Numba kernels (private).  They take pre-drawn random numbers, change
arrays in place and do no I/O; the drivers own the random generator.

Sites are numbered ``i = (x L + y) L + z``; spins are (N, n) arrays.
"""

from __future__ import annotations

import numba as nb
import numpy as np


@nb.njit(cache=True)
def _field_at(i, spins, jr, L):
    """Exact local field ``h_i = sum_{j != i} J(r_i - r_j) s_j`` (O(N n^2))."""
    n = spins.shape[1]
    xi = i // (L * L)
    yi = (i // L) % L
    zi = i % L
    h = np.zeros(n)
    for j in range(spins.shape[0]):
        if j == i:
            continue
        dx = (xi - j // (L * L)) % L
        dy = (yi - (j // L) % L) % L
        dz = (zi - j % L) % L
        for a in range(n):
            acc = 0.0
            for b in range(n):
                acc += jr[dx, dy, dz, a, b] * spins[j, b]
            h[a] += acc
    return h


@nb.njit(cache=True)
def _propose(spins, i, gauss, delta, out):
    """``out = (s_i + delta xi_i)/|s_i + delta xi_i|``: the symmetric proposal
    of both continuous-spin Metropolis kernels."""
    norm = 0.0
    for a in range(out.shape[0]):
        out[a] = spins[i, a] + delta * gauss[i, a]
        norm += out[a] * out[a]
    norm = np.sqrt(norm)
    for a in range(out.shape[0]):
        out[a] /= norm


@nb.njit(cache=True)
def metropolis_sweep(spins, jr, L, gauss, uniforms, beta, delta, hext, n_update=-1):
    """One sequential sweep of single-site Metropolis for unit n-vectors.

    Proposal ``s' = (s + delta xi)/|s + delta xi|`` with Gaussian xi: its
    density depends only on s.s', so it is symmetric.  ``n_update > 0``
    stops after that many sites (used to time partial sweeps).  Returns the
    number of accepted moves."""
    n = spins.shape[1]
    acc = 0
    stop = spins.shape[0] if n_update <= 0 else min(n_update, spins.shape[0])
    new = np.empty(n)
    for i in range(stop):
        h = _field_at(i, spins, jr, L)
        _propose(spins, i, gauss, delta, new)
        de = 0.0
        for a in range(n):
            de -= (new[a] - spins[i, a]) * (h[a] + hext[a])
        if de <= 0.0 or uniforms[i] < np.exp(-beta * de):
            for a in range(n):
                spins[i, a] = new[a]
            acc += 1
    return acc


@nb.njit(cache=True)
def overrelaxation_sweep(spins, jr, L, hext):
    """Reflect each spin about its exact local field (energy-conserving,
    measure-preserving, deterministic)."""
    n = spins.shape[1]
    for i in range(spins.shape[0]):
        h = _field_at(i, spins, jr, L)
        for a in range(n):
            h[a] += hext[a]
        hh = 0.0
        sh = 0.0
        for a in range(n):
            hh += h[a] * h[a]
            sh += h[a] * spins[i, a]
        if hh > 0.0:
            for a in range(n):
                spins[i, a] = 2.0 * sh * h[a] / hh - spins[i, a]


@nb.njit(cache=True)
def metropolis_sweep_finite(state, spins, vectors, site_energies, jr, L, choices, uniforms, beta):
    """Single-site Metropolis for finite state spaces: site i in state k has
    vector ``vectors[i, k]`` and quenched energy ``site_energies[i, k]``.
    ``choices[i]`` in [0, K-1) picks one of the other K-1 states uniformly
    (a symmetric proposal)."""
    n = spins.shape[1]
    acc = 0
    for i in range(spins.shape[0]):
        h = _field_at(i, spins, jr, L)
        k_old = state[i]
        k_new = choices[i]
        if k_new >= k_old:
            k_new += 1
        de = site_energies[i, k_new] - site_energies[i, k_old]
        for a in range(n):
            de -= (vectors[i, k_new, a] - vectors[i, k_old, a]) * h[a]
        if de <= 0.0 or uniforms[i] < np.exp(-beta * de):
            state[i] = k_new
            for a in range(n):
                spins[i, a] = vectors[i, k_new, a]
            acc += 1
    return acc


@nb.njit(cache=True)
def mean_field_sweep(spins, total, couplings, gauss, uniforms, beta, delta):
    """Metropolis for the all-to-all Hamiltonian of 004 Eq. (21),
    ``H = -sum_a J_a/(2N) (sum_m s_a^(m))^2``, keeping the total
    magnetisation ``total`` up to date (O(n) per update, exact)."""
    nsite, n = spins.shape
    acc = 0
    new = np.empty(n)
    for i in range(nsite):
        _propose(spins, i, gauss, delta, new)
        de = 0.0
        for a in range(n):
            m_new = total[a] + new[a] - spins[i, a]
            de -= couplings[a] / (2.0 * nsite) * (m_new * m_new - total[a] * total[a])
        if de <= 0.0 or uniforms[i] < np.exp(-beta * de):
            for a in range(n):
                total[a] += new[a] - spins[i, a]
                spins[i, a] = new[a]
            acc += 1
    return acc
