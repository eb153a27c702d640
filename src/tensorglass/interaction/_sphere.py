"""Quadrature over the unit sphere (exact for polynomials of modest degree)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np


@lru_cache(maxsize=8)
def sphere_quadrature(n_cos: int = 16, n_phi: int = 32):
    """Directions and weights (summing to 1) for averages over the unit sphere.

    Gauss-Legendre in ``cos(theta)`` times the trapezoid rule in ``phi``: exact
    for spherical polynomials of degree < min(2 n_cos, n_phi).
    """
    u, w = np.polynomial.legendre.leggauss(n_cos)
    phi = np.arange(n_phi) * (2 * np.pi / n_phi)
    s = np.sqrt(1 - u**2)
    n = np.stack([np.repeat(s, n_phi) * np.tile(np.cos(phi), n_cos),
                  np.repeat(s, n_phi) * np.tile(np.sin(phi), n_cos),
                  np.repeat(u, n_phi)], axis=-1)
    weights = np.repeat(w, n_phi) / (2.0 * n_phi)
    n.setflags(write=False)
    weights.setflags(write=False)
    return n, weights


def sphere_average(f, n_cos: int = 16, n_phi: int = 32):
    """Average of ``f(n)`` over the unit sphere; ``f`` takes an (N, 3) array."""
    n, w = sphere_quadrature(n_cos, n_phi)
    vals = np.asarray(f(n))
    return np.tensordot(w, vals, axes=(0, 0))
