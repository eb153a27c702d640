"""Numba kernel (private) for open clusters of blocks with finite state spaces.

Used by :func:`tensorglass.clusters.sample_classical_cluster`.  The kernel
takes pre-drawn uniforms, changes ``state``, ``spins`` and ``fields`` in
place and does no I/O.  Sites of an ``n x n x n`` cluster are numbered
``i = (x n + y) n + z``; the coupling is given per displacement,
``jd[dx + n - 1, dy + n - 1, dz + n - 1]`` (6x6, zero at d = 0), with no
periodic images (an isolated super-block, 001 Eq. 2.14).
"""

from __future__ import annotations

import numba as nb
import numpy as np


@nb.njit(cache=True)
def heat_bath_sweep_cluster(state, spins, fields, vectors, energies, jd, n, uniforms, beta):
    """One sequential heat-bath sweep.  Site i in state k has energy
    ``energies[i, k] - vectors[i, k] . fields[i]`` with the exact local field
    ``fields[i] = sum_{j != i} J(x_i - x_j) spins[j]``; the new state is drawn
    from the conditional Boltzmann weights with ``uniforms[i]``, and every
    other site's field is updated by the change (O(N n_comp^2) per move).
    Returns the number of sites whose state changed."""
    nsite, k_states, ncomp = vectors.shape
    w = np.empty(k_states)
    changed = 0
    for i in range(nsite):
        emin = 1e300
        for k in range(k_states):
            e = energies[i, k]
            for a in range(ncomp):
                e -= vectors[i, k, a] * fields[i, a]
            w[k] = e
            if e < emin:
                emin = e
        total = 0.0
        for k in range(k_states):
            w[k] = np.exp(-beta * (w[k] - emin))
            total += w[k]
        u = uniforms[i] * total
        k_new = k_states - 1
        acc = 0.0
        for k in range(k_states):
            acc += w[k]
            if u < acc:
                k_new = k
                break
        k_old = state[i]
        if k_new == k_old:
            continue
        changed += 1
        state[i] = k_new
        xi = i // (n * n)
        yi = (i // n) % n
        zi = i % n
        ds = np.empty(ncomp)
        for a in range(ncomp):
            ds[a] = vectors[i, k_new, a] - vectors[i, k_old, a]
            spins[i, a] = vectors[i, k_new, a]
        for j in range(nsite):
            if j == i:
                continue
            dx = j // (n * n) - xi + n - 1
            dy = (j // n) % n - yi + n - 1
            dz = j % n - zi + n - 1
            for a in range(ncomp):
                acc = 0.0
                for b in range(ncomp):
                    acc += jd[dx, dy, dz, a, b] * ds[b]
                fields[j, a] += acc
    return changed
