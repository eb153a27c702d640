"""Lattice couplings built from their Fourier image.

A model on an L x L x L simple-cubic lattice with periodic boundaries has
``H = -sum_{i<j} s_i . J(r_i - r_j) . s_j + sum_i (site terms)``.  The
coupling is given by ``J(k)`` (an n x n matrix per wave vector of the
Brillouin zone, ``k = 2 pi m / L``); the real-space kernel is its lattice
Fourier transform ``J(r) = (1/N) sum_k J(k) e^{i k.r}``, built once by FFT.

The k = 0 term is a sample-shape choice for long-range couplings whose
``J(k)`` depends on the direction of k (dipolar-like).  The conventions:

* ``k0="average"`` (default): ``J(0) = <lim_{q->0} J(q khat)>_khat``, the
  angular average of the *undamped* long-wavelength limit (the UV cutoff
  factor exp(-cutoff^2 q^2/2) is 1 there).  This is the uniform mode of a
  spherical sample, the one the mean-field limit of 004 Sec. III uses; for
  bl6 it equals 004 App. B's ``diag(K/(lambda+2mu), (2/5)(K+2mu)/(lambda+2mu) x5)``
  (tested).  Earlier versions averaged J(khat) at |k| = 1, i.e. with the
  cutoff factor exp(-cutoff^2/2) = 0.61 for cutoff 1: a bug, fixed.
* ``k0="zero"``: no coupling of the uniform mode ("tin-foil" boundaries:
  the depolarising term is cancelled).
* ``k0="value"``: ``jk_of_k`` evaluated at k = 0 (analytic kernels such as
  the nearest-neighbour one, whose J(k) is continuous at k = 0).
* an explicit n x n matrix.

Self-interaction: the on-site value ``J(r=0)`` is not part of H (the sum
is over pairs i < j), so every local field and energy difference excludes
it: ``h_i = sum_{j != i} J(r_i - r_j) s_j``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from scipy import fft as sfft

from ..errors import ParameterError


#: |k| at which ``k0="average"`` samples the direction dependence of J(k) (the k -> 0 limit)
K0_AVERAGE_RADIUS = 1e-9


def check_lattice_size(L) -> int:
    if not (isinstance(L, (int, np.integer)) and L >= 2):
        raise ParameterError("L", L, "an integer L >= 2 (lattice edge)")
    return int(L)


def k_grid(L: int):
    """Wave vectors of the L^3 Brillouin zone, shape (L, L, L, 3), in [-pi, pi)."""
    k1 = 2 * np.pi * np.fft.fftfreq(L)
    kx, ky, kz = np.meshgrid(k1, k1, k1, indexing="ij")
    return np.stack([kx, ky, kz], axis=-1)


@dataclass(frozen=True)
class LatticeKernel:
    """``J(k)`` and ``J(r)`` of one model on one lattice.

    ``jk``: (n, n, L, L, L//2+1) real array (the kernels here are even and
    real-symmetric, so the half spectrum suffices); ``jr``: (L, L, L, n, n)
    real-space couplings with ``jr[0,0,0]`` the (excluded) self term.
    """

    L: int
    n: int
    jk: np.ndarray = field(repr=False)
    jr: np.ndarray = field(repr=False)
    k0: str = "average"

    @property
    def self_coupling(self):
        return self.jr[0, 0, 0]

    @cached_property
    def pair_jk(self):
        """Half spectrum of the pair coupling, J(r) with the self term
        J(r=0) removed: ``jk - J(r=0)`` (the transform of a coupling at r = 0
        alone is constant in k), shape (n, n, K) with K = L*L*(L//2+1), so
        that the field needs no real-space correction (used by the HMC)."""
        n = self.n
        return np.ascontiguousarray((self.jk - self.self_coupling[:, :, None, None, None]).reshape(n, n, -1))


def kernel_from_fourier(L: int, jk_of_k, n: int, k0="average") -> LatticeKernel:
    """Build a :class:`LatticeKernel` from a function ``jk_of_k(k)`` taking
    an (M, 3) array of wave vectors (k != 0) and returning (M, n, n).

    ``k0`` is ``"average"`` (angular average of the k -> 0 limit of J(k),
    by Gauss-Legendre x trapezoid quadrature, exact for the degree-4
    polynomials in khat of the elastic kernels), ``"zero"``, ``"value"``
    (call ``jk_of_k`` at k = 0, for analytic kernels such as
    nearest-neighbour ones) or an (n, n) array; see the module docstring.
    """
    L = check_lattice_size(L)
    k = k_grid(L).reshape(-1, 3)
    nonzero = np.any(k != 0, axis=1)
    jk = np.zeros((k.shape[0], n, n))
    jk[nonzero] = jk_of_k(k[nonzero])
    if isinstance(k0, str):
        if k0 == "average":
            from ..interaction import sphere_average
            # the long-wavelength limit: J(q khat) at q = K0_AVERAGE_RADIUS, where any smooth
            # UV cutoff exp(-c^2 q^2/2) is 1 to round-off, so the damping does not leak into k = 0
            j0 = sphere_average(lambda kh: jk_of_k(K0_AVERAGE_RADIUS * kh), 12, 24)
        elif k0 == "zero":
            j0 = np.zeros((n, n))
        elif k0 == "value":
            j0 = jk_of_k(np.zeros((1, 3)))[0]
        else:
            raise ParameterError("k0", k0, "'average', 'zero', 'value' or an n x n matrix")
        label = k0
    else:
        j0 = np.asarray(k0, dtype=float)
        if j0.shape != (n, n):
            raise ParameterError("k0", j0.shape, f"an ({n}, {n}) matrix")
        label = "explicit"
    jk[~nonzero] = j0
    jk = 0.5 * (jk + np.swapaxes(jk, -1, -2))
    jk_full = jk.reshape(L, L, L, n, n)
    # On an even grid the point -k of a Nyquist-plane k (k_a = -pi) is not the
    # grid's -k direction, so sampled J(khat) is not exactly even there.  The
    # real part of the inverse transform keeps the even part; the kernel used
    # everywhere is that real J(r), and J(k) is recomputed from it so that
    # fields, energies and the direct sums agree to round-off.
    jr = np.real(np.fft.ifftn(jk_full, axes=(0, 1, 2)))
    jk_full = np.real(np.fft.fftn(jr, axes=(0, 1, 2)))
    half = np.ascontiguousarray(np.moveaxis(jk_full[:, :, : L // 2 + 1], (3, 4), (0, 1)))
    return LatticeKernel(L, n, half, np.ascontiguousarray(jr), label)


def direct_lattice_sum(kernel_jk_full, r):
    """``J(r) = (1/N) sum_k J(k) cos(k.r)`` summed directly over the Brillouin
    zone (O(N) per r): an independent check of the FFT."""
    L = kernel_jk_full.shape[0]
    k = k_grid(L)
    phase = np.cos(np.einsum("xyzc,c->xyz", k, np.asarray(r, float)))
    return np.einsum("xyz,xyzab->ab", phase, kernel_jk_full) / L**3


def full_fourier(kernel: LatticeKernel):
    """Rebuild the full (L, L, L, n, n) J(k) from the real-space kernel."""
    return np.real(np.fft.fftn(kernel.jr, axes=(0, 1, 2)))


def local_fields(kernel: LatticeKernel, spins, workers: int = 1):
    """``h_i = sum_{j != i} J(r_i - r_j) s_j`` for all sites by FFT; spins and
    fields have shape (L, L, L, n).  Cost O(N log N)."""
    s = np.moveaxis(spins, -1, 0)
    sk = sfft.rfftn(s, axes=(1, 2, 3), workers=workers)
    hk = np.einsum("abxyz,bxyz->axyz", kernel.jk, sk)
    h = sfft.irfftn(hk, s=s.shape[1:], axes=(1, 2, 3), workers=workers)
    h = np.moveaxis(h, 0, -1)
    return h - spins @ kernel.self_coupling.T


def lattice_energy(kernel: LatticeKernel, spins, fields=None):
    """``E = -sum_{i<j} s_i.J.s_j = -(1/2) sum_i s_i . h_i``."""
    h = local_fields(kernel, spins) if fields is None else fields
    return -0.5 * float(np.sum(spins * h))


def ewald_image_sum(L: int, jk_of_k, r, n_images: int = 3, k0=None):
    """Periodic sum over all images of the *continuum* kernel whose Fourier
    transform is ``jk_of_k``, evaluated at lattice vector ``r``, in its
    reciprocal-space (Ewald) form:
    ``J(r) = (1/L^3) sum_{G in (2 pi/L) Z^3} J(G) cos(G.r)``, summed over
    reciprocal vectors out to ``n_images`` Brillouin zones (the
    Gaussian-damped kernels converge fast).  The G = 0 term is ``k0``
    (default: omitted, i.e. "tin-foil").

    The lattice kernel keeps only the first zone; the difference is the
    aliasing of G outside it, exp(-cutoff^2 pi^2/2) small for a smooth cutoff.
    """
    m = np.arange(L * (2 * n_images + 1)) - L * n_images
    g1 = 2 * np.pi * m / L
    gx, gy, gz = np.meshgrid(g1, g1, g1, indexing="ij")
    g = np.stack([gx, gy, gz], axis=-1).reshape(-1, 3)
    nz = np.any(g != 0, axis=1)
    vals = jk_of_k(g[nz])
    phase = np.cos(g[nz] @ np.asarray(r, float))
    out = np.einsum("m,mab->ab", phase, vals) / L**3
    if k0 is not None:
        out = out + np.asarray(k0, float) / L**3
    return out
