"""Numba kernel (private): exact single-site heat bath for n = 1 (Ising) spins.

For one component the unit "vectors" are s = +-1, a set of two points on
which no continuous sampler (HMC, rotation proposals) can move.  The heat
bath sets ``s_i = +1`` with probability ``1/(1 + exp(-2 beta h_i))``, the
exact conditional distribution, with ``h_i = sum_{j != i} J(r_i - r_j) s_j
+ h_ext``.  The driver computes all fields once per sweep by FFT; the kernel
keeps them exact by adding ``J(r_j - r_i) (s_i' - s_i)`` to every site j
with a non-zero coupling after each flip (6 sites for nearest neighbours,
all N for long-range kernels).  Uniforms are pre-drawn by the driver.
"""

from __future__ import annotations

import numba as nb
import numpy as np


def coupling_offsets(jr, tol=1e-13):
    """Non-zero couplings of an (L, L, L, 1, 1) kernel, the self term excluded:
    ``(offsets (M, 3) int64, values (M,))``."""
    j = jr[..., 0, 0].copy()
    j[0, 0, 0] = 0.0
    scale = max(float(np.abs(j).max()), 1e-300)
    idx = np.argwhere(np.abs(j) > tol * scale)
    return np.ascontiguousarray(idx, dtype=np.int64), np.ascontiguousarray(j[tuple(idx.T)])


@nb.njit(cache=True)
def heat_bath_sweep(spins, fields, offsets, couplings, L, uniforms, beta):
    """One sequential heat-bath sweep.  ``spins``: (N,) of +-1 (float);
    ``fields``: (N,) exact local fields incl. the site field, kept exact;
    sites numbered ``(x L + y) L + z``.  Returns the number of flips."""
    flips = 0
    for i in range(spins.shape[0]):
        p_up = 1.0 / (1.0 + np.exp(-2.0 * beta * fields[i]))
        new = 1.0 if uniforms[i] < p_up else -1.0
        if new != spins[i]:
            delta = new - spins[i]
            spins[i] = new
            flips += 1
            x = i // (L * L)
            y = (i // L) % L
            z = i % L
            for m in range(offsets.shape[0]):
                j = (((x + offsets[m, 0]) % L) * L + (y + offsets[m, 1]) % L) * L + (z + offsets[m, 2]) % L
                fields[j] += couplings[m] * delta
    return flips
